/** Printer health events from the agents: stored once per id, a repeat is a no-op. */
import type Database from 'better-sqlite3';
import { HEALTH_COLUMNS, HEALTH_ORDER, toHealth, whereEqual, type HealthRow } from '../rows.js';
import type {
  HealthEventRecord,
  HealthIngestResult,
  HealthStorage,
  Idempotent,
  IncomingHealthEvent,
  IngestContext,
  StoredAnswer,
} from '../types.js';
import type { SqliteIdempotency } from './idempotency.js';

export class SqliteHealth implements HealthStorage {
  private readonly insert;

  constructor(
    private readonly db: Database.Database,
    private readonly idempotency: SqliteIdempotency,
  ) {
    // DO NOTHING on the id: a repeat changes nothing, and `changes` tells new from held.
    this.insert = db.prepare<[string, string, string, number, string, string, number, string, string, string | null, number | null, string | null, string]>(
      `INSERT INTO health_events (id, store, device, seq, printer, at, at_ms, kind, state, previous, duration_ms, detail, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
  }

  async ingest(
    ctx: IngestContext,
    events: readonly IncomingHealthEvent[],
    answer: (result: HealthIngestResult) => StoredAnswer,
  ): Promise<Idempotent<HealthIngestResult>> {
    return this.idempotency.run(
      ctx,
      () => {
        const result: HealthIngestResult = { accepted: [], duplicates: [] };
        for (const e of events) {
          const { changes } = this.insert.run(
            e.id, ctx.store, ctx.device.id, e.seq, e.printer, e.at, e.atMs, e.kind, e.state, e.previous, e.durationMs, e.detail, ctx.receivedAt,
          );
          (changes === 1 ? result.accepted : result.duplicates).push(e.id);
        }
        return result;
      },
      answer,
    );
  }

  async list(filter: { readonly store?: string; readonly printer?: string } = {}): Promise<HealthEventRecord[]> {
    const where = whereEqual(
      [
        ['store', filter.store],
        ['printer', filter.printer],
      ],
      () => '?',
    );
    return this.db
      .prepare<string[], HealthRow>(`SELECT ${HEALTH_COLUMNS} FROM health_events${where.sql} ORDER BY ${HEALTH_ORDER}`)
      .all(...where.params)
      .map(toHealth);
  }
}
