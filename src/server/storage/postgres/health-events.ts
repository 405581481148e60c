/** Printer health events from the agents: stored once per id, a repeat is a no-op. */
import type pg from 'pg';
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
import type { PgIdempotency } from './idempotency.js';
import { chunks, rowsPerStatement, valuesList } from './pool.js';

const COLUMNS = HEALTH_COLUMNS.split(', ');
const INSERT_ROWS = rowsPerStatement(COLUMNS.length);

export class PgHealth implements HealthStorage {
  constructor(
    private readonly pool: pg.Pool,
    private readonly idempotency: PgIdempotency,
  ) {}

  async ingest(
    ctx: IngestContext,
    events: readonly IncomingHealthEvent[],
    answer: (result: HealthIngestResult) => StoredAnswer,
  ): Promise<Idempotent<HealthIngestResult>> {
    return this.idempotency.run(
      ctx,
      async (client) => {
        // The first of an id sent twice in the batch is the one that counts, as row by row.
        const seen = new Set<string>();
        const firsts = events.filter((e) => !seen.has(e.id) && seen.add(e.id));
        // DO NOTHING on the id: a held event (or one another batch is inserting) is skipped, and
        // RETURNING tells the new ones from the held ones.
        const inserted = new Set<string>();
        for (const part of chunks(firsts, INSERT_ROWS)) {
          const r = await client.query<{ id: string }>(
            `INSERT INTO health_events (${HEALTH_COLUMNS}) VALUES ${valuesList(part.length, COLUMNS.length)} ON CONFLICT (id) DO NOTHING RETURNING id`,
            part.flatMap((e) => [
              e.id, ctx.store, ctx.device.id, e.seq, e.printer, e.at, e.atMs, e.kind, e.state, e.previous, e.durationMs, e.detail, ctx.receivedAt,
            ]),
          );
          for (const row of r.rows) inserted.add(row.id);
        }
        const result: HealthIngestResult = { accepted: [], duplicates: [] };
        for (const e of events) {
          // delete: a second copy of an accepted id is a duplicate.
          if (inserted.delete(e.id)) result.accepted.push(e.id);
          else result.duplicates.push(e.id);
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
      (n) => `$${n}`,
    );
    const r = await this.pool.query<HealthRow>(`SELECT ${HEALTH_COLUMNS} FROM health_events${where.sql} ORDER BY ${HEALTH_ORDER}`, where.params);
    return r.rows.map(toHealth);
  }
}
