/**
 * Printer health in the store: the change events (appended with the next per-device sequence
 * number, kept until synced) and each printer's current conditions, updated in the same
 * transaction as the events that change them.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { EMPTY_SNAPSHOT, HEALTH_KINDS, type HealthChange, type HealthEvent, type HealthKind, type PrinterSnapshot } from '../health/types.js';

/** A health_events row as selected, but for its `synced` flag. */
export interface EventFields {
  id: string;
  seq: number;
  printer: string;
  at: string;
  at_ms: number;
  kind: HealthKind;
  state: string;
  previous: string | null;
  duration_ms: number | null;
  detail: string | null;
}

interface EventRow extends EventFields {
  synced: number;
}

const COLUMNS = 'id, seq, printer, at, at_ms, kind, state, previous, duration_ms, detail, synced';

export function toEvent(r: EventFields, synced: boolean): HealthEvent {
  return {
    id: r.id,
    seq: r.seq,
    printer: r.printer,
    kind: r.kind,
    state: r.state,
    previous: r.previous,
    at: r.at_ms,
    atIso: r.at,
    durationMs: r.duration_ms,
    detail: r.detail,
    synced,
  };
}

export interface ListHealthOptions {
  readonly printer?: string;
  /** Only events with a larger seq. */
  readonly afterSeq?: number;
  readonly synced?: boolean;
  /** Only events at or after this instant (ms since the epoch). */
  readonly since?: number;
  readonly limit?: number;
  /** `newest`: the last `limit` events, still returned oldest first. Default `oldest`. */
  readonly from?: 'oldest' | 'newest';
}

export class HealthStore {
  private readonly nextSeq;
  private readonly insert;
  private readonly upsertState;
  private readonly states;
  private readonly stateOf;
  private readonly markOne;
  private readonly appendTx;

  constructor(
    private readonly db: Database.Database,
    private readonly iso: (t: number) => string,
  ) {
    this.nextSeq = db.prepare<[], { value: number }>("UPDATE counters SET value = value + 1 WHERE name = 'health_seq' RETURNING value");
    this.insert = db.prepare<[string, number, string, string, number, string, string, string | null, number | null, string | null]>(
      `INSERT INTO health_events (id, seq, printer, at, at_ms, kind, state, previous, duration_ms, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertState = db.prepare<[string, string, string, number]>(
      `INSERT INTO printer_state (printer, kind, state, since_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (printer, kind) DO UPDATE SET state = excluded.state, since_ms = excluded.since_ms
       WHERE excluded.since_ms >= printer_state.since_ms`,
    );
    this.stateOf = db.prepare<[string, string], { state: string; since_ms: number }>('SELECT state, since_ms FROM printer_state WHERE printer = ? AND kind = ?');
    this.states = db.prepare<[], { printer: string; kind: string; state: string; since_ms: number }>('SELECT printer, kind, state, since_ms FROM printer_state');
    this.markOne = db.prepare<[number, string]>('UPDATE health_events SET synced = 1, synced_at = ? WHERE id = ? AND synced = 0');
    this.appendTx = db.transaction((printer: string, changes: readonly HealthChange[]): HealthEvent[] => {
      const out: HealthEvent[] = [];
      for (const c0 of changes) {
        // The stored state is the previous one (a monitor that restarted, or runs in another
        // thread, starts from nothing): a "change" to the stored state is none.
        const cur = this.stateOf.get(printer, c0.kind);
        if (cur && cur.state === c0.state) continue;
        if (cur && cur.since_ms > c0.at) continue; // older than what is stored: out of order, dropped
        const c = { ...c0, previous: cur ? cur.state : null, durationMs: cur ? Math.max(0, c0.at - cur.since_ms) : null };
        const id = randomUUID();
        const seq = this.nextSeq.get()!.value;
        const at = this.iso(c.at);
        this.insert.run(id, seq, printer, at, c.at, c.kind, c.state, c.previous, c.durationMs, c.detail);
        this.upsertState.run(printer, c.kind, c.state, c.at);
        out.push({
          id,
          seq,
          printer,
          kind: c.kind,
          state: c.state,
          previous: c.previous as string | null,
          at: c.at,
          atIso: at,
          durationMs: c.durationMs,
          detail: c.detail,
          synced: false,
        });
      }
      return out;
    });
  }

  append(printer: string, changes: readonly HealthChange[]): HealthEvent[] {
    if (changes.length === 0) return [];
    return this.appendTx.immediate(printer, changes);
  }

  list(opts: ListHealthOptions = {}): HealthEvent[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (opts.printer !== undefined) {
      where.push('printer = ?');
      params.push(opts.printer);
    }
    if (opts.afterSeq !== undefined) {
      where.push('seq > ?');
      params.push(opts.afterSeq);
    }
    if (opts.synced !== undefined) {
      where.push('synced = ?');
      params.push(opts.synced ? 1 : 0);
    }
    if (opts.since !== undefined) {
      where.push('at_ms >= ?');
      params.push(opts.since);
    }
    const newest = opts.from === 'newest';
    let sql = `SELECT ${COLUMNS} FROM health_events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${newest ? 'DESC' : 'ASC'}`;
    if (opts.limit !== undefined) {
      if (!Number.isInteger(opts.limit) || opts.limit < 0) throw new RangeError(`listHealthEvents: bad limit ${opts.limit}`);
      sql += ' LIMIT ?';
      params.push(opts.limit);
    }
    const rows = this.db.prepare<Array<string | number>, EventRow>(sql).all(...params).map((r) => toEvent(r, r.synced === 1));
    return newest ? rows.reverse() : rows;
  }

  /** Every printer's conditions as last recorded. */
  printerStates(): Map<string, PrinterSnapshot> {
    const out = new Map<string, Record<HealthKind, { state: string; since: number } | null>>();
    for (const r of this.states.all()) {
      if (!(HEALTH_KINDS as readonly string[]).includes(r.kind)) continue;
      let snap = out.get(r.printer);
      if (!snap) out.set(r.printer, (snap = { ...EMPTY_SNAPSHOT } as Record<HealthKind, { state: string; since: number } | null>));
      snap[r.kind as HealthKind] = { state: r.state, since: r.since_ms };
    }
    return out as unknown as Map<string, PrinterSnapshot>;
  }

  markSynced(ids: readonly string[], now = Date.now()): number {
    return this.db
      .transaction((): number => {
        let n = 0;
        for (const id of ids) n += this.markOne.run(now, id).changes;
        return n;
      })
      .immediate();
  }
}

/** The event as docs/sync-protocol.md sends it (inside `events: [...]`). */
export function healthEventToWire(e: HealthEvent): Record<string, unknown> {
  return {
    id: e.id,
    seq: e.seq,
    printer: e.printer,
    at: e.atIso,
    kind: e.kind,
    state: e.state,
    previous: e.previous,
    duration_ms: e.durationMs,
    detail: e.detail,
  };
}
