/**
 * The outbox worker: takes due rows of each kind in batches, POSTs them, settles the answers, and
 * backs off on failure — with the next attempt time written to SQLite, so a restart (or a crash)
 * keeps to it. It runs beside the capture agent on the same event loop, asynchronously: between
 * batches it yields, the HTTP exchange and gzip happen off the loop, and its SQLite work per batch
 * is one read and one short write transaction. Capture never waits for it.
 *
 * Exactly-once rests on the server (ids unique forever): the worker may send a row twice (a
 * crash between the POST and the commit of its answer, a lost answer, a timeout after the server
 * stored it) and the second time the server says `duplicates`; it never drops one, because a row
 * leaves the outbox only in the transaction that records the server's answer naming it.
 */
import { EventEmitter } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { OutboxKindName, Store } from '../store/index.js';
import { type BackoffPolicy, backoffDelay } from './backoff.js';
import { classify, type Decision, type Exchange } from './classify.js';
import type { SyncClient } from './client.js';
import { describeFailure, type SyncErrorCode } from './errors.js';
import type { OutboxKind, SyncItem } from './kinds.js';
import { batchBody, clockOffset, deviceBlock, freshKey, idempotencyKey } from './protocol.js';

const gzip = promisify(gzipCb);

export interface SyncSettings {
  /** How often to look for new rows when there is nothing due. */
  readonly intervalMs: number;
  /** Rows per batch at most (the server takes 1000). */
  readonly batchSize: number;
  /** Bytes per batch body at most, before gzip (the server takes 8 MiB). */
  readonly batchBytes: number;
  readonly gzip: boolean;
  /** After network errors, timeouts, 5xx, 408, 429. */
  readonly backoff: BackoffPolicy;
  /** After a refusal (401, 403, 404, other 4xx) and for a row the server rejects: long. */
  readonly hold: BackoffPolicy;
}

export interface SyncLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SyncWorkerOptions {
  /** The worker's own connection (Store.open(dir) beside the agent's; WAL lets both work). */
  readonly store: Store;
  readonly kinds: readonly OutboxKind[];
  readonly client: SyncClient;
  /** `run --terminal`, sent in every batch's device block. */
  readonly terminal: string | null;
  /** tilltap's version, sent in every batch's device block. */
  readonly version: string;
  readonly settings: SyncSettings;
  readonly log: SyncLog;
  /**
   * Identifies the server and token (e.g. a hash of both). A persisted backoff earned with another
   * endpoint is dropped at start: after a refused token is replaced, sending resumes at once.
   */
  readonly endpoint?: string;
  /** Jitter source (tests make it fixed). */
  readonly random?: () => number;
}

/** What one attempt did, emitted as `attempt` (for tests, benchmarks and status). */
export interface AttemptReport {
  readonly kind: OutboxKindName;
  readonly rows: number;
  readonly status: number | null;
  readonly action: Decision['action'];
  readonly synced: number;
  readonly parked: number;
  readonly ms: number;
}

export interface SyncWorkerStats {
  readonly attempts: number;
  readonly synced: number;
  readonly parked: number;
  readonly failures: number;
}

type Step = 'more' | 'idle';

export class SyncWorker extends EventEmitter<{ attempt: [AttemptReport]; settled: [number | null] }> {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private cycling: Promise<void> | null = null;
  private abort = new AbortController();
  /** Per kind: rows per batch now (halved when the server rejects a batch, grown back on success). */
  private readonly caps = new Map<OutboxKindName, number>();
  private counts = { attempts: 0, synced: 0, parked: 0, failures: 0 };
  private readonly random: () => number;

  constructor(private readonly o: SyncWorkerOptions) {
    super();
    this.random = o.random ?? Math.random;
  }

  get stats(): SyncWorkerStats {
    return { ...this.counts };
  }

  /** Start sending (at once if anything is due; persisted backoff is kept). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    if (this.o.endpoint !== undefined) {
      for (const kind of this.o.kinds) {
        try {
          if (this.o.store.useSyncEndpoint(kind.name, this.o.endpoint)) {
            this.o.log.info({ kind: kind.name }, 'sync: server or token changed; earlier backoff dropped');
          }
        } catch (err) {
          this.o.log.error({ kind: kind.name, err: (err as Error).message }, 'sync: store error');
        }
      }
    }
    this.schedule(0);
  }

  /**
   * Stop: no new batch; a POST in flight is aborted. Its rows stay queued unless the answer was
   * already committed, so a stop (or a kill) at any moment loses nothing; the next start may send
   * them again and the server answers `duplicates`.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.cycling;
  }

  /** Look for due rows now instead of at the next interval (e.g. right after a receipt is stored). */
  nudge(): void {
    if (!this.running || this.cycling) return;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.cycling = this.cycle().finally(() => {
        this.cycling = null;
        if (!this.running) return;
        const next = this.nextDue();
        this.schedule(this.untilNext(next));
        // A store that failed now counts as due: nothing sleeps on rows it could not see.
        this.emit('settled', next.failed ? Date.now() : next.due);
      });
    }, ms);
    // The worker alone does not keep the process alive: the agent's drivers do.
    this.timer.unref();
  }

  /** Batches until nothing is due, one batch per kind per round so no kind starves another. */
  private async cycle(): Promise<void> {
    for (;;) {
      let more = false;
      for (const kind of this.o.kinds) {
        if (!this.running) return;
        try {
          if ((await this.step(kind)) === 'more') more = true;
        } catch (err) {
          // The store failed (disk full, locked past the busy timeout): try again next interval.
          this.o.log.error({ kind: kind.name, err: (err as Error).message }, 'sync: store error');
        }
      }
      if (!more || !this.running) return;
      await yieldToLoop();
    }
  }

  /**
   * When the earliest queued row of any kind may be sent (epoch ms; null: nothing is queued), over
   * the kinds whose store could be read; `failed`: some could not (reported by the next cycle).
   */
  private nextDue(): { due: number | null; failed: boolean } {
    let due: number | null = null;
    let failed = false;
    for (const kind of this.o.kinds) {
      try {
        const d = this.o.store.nextSyncDue(kind.name);
        if (d !== null && (due === null || d < due)) due = d;
      } catch {
        failed = true;
      }
    }
    return { due, failed };
  }

  private untilNext(next: { due: number | null }): number {
    const wait = next.due === null ? this.o.settings.intervalMs : Math.min(this.o.settings.intervalMs, next.due - Date.now());
    // Never spin: a row due "now" that the last cycle could not send waits a moment.
    return Math.max(50, wait);
  }

  private async step(kind: OutboxKind): Promise<Step> {
    const { store, settings, log } = this.o;
    const now = Date.now();
    const state = store.syncState(kind.name);
    if (state.nextAttemptAt > now) return 'idle';
    const cap = this.caps.get(kind.name) ?? settings.batchSize;
    const items = kind.take({ now, maxCount: cap, maxBytes: settings.batchBytes });
    if (items.length === 0) return 'idle';

    const key = idempotencyKey(store.deviceId(), items.map((i) => i.key));
    const started = Date.now();
    // Stopped mid-flight (the POST aborted): nothing recorded, the rows stay queued. An answer that
    // did arrive is still settled.
    const aborted = (x: Exchange): boolean => !this.running && x.kind === 'failed';
    let sent = await this.send(kind, items, key);
    if (aborted(sent.exchange)) return 'idle';
    let decision = classify(sent.exchange, items.length, Date.now());
    if (decision.action === 'rekey' && this.running) {
      log.warn({ kind: kind.name, rows: items.length, detail: decision.detail }, 'sync: Idempotency-Key already used with another body; sending under a fresh key');
      sent = await this.send(kind, items, freshKey(key, sent.clockMs));
      if (aborted(sent.exchange)) return 'idle';
      decision = classify(sent.exchange, items.length, Date.now());
      if (decision.action === 'rekey') decision = { action: 'hold', code: 'SYNC_REFUSED', detail: decision.detail, loud: true };
    }
    if (decision.action === 'rekey') return 'idle'; // stopping: the rows stay queued
    const answeredAt = Date.now();
    this.counts.attempts++;
    const status = sent.exchange.kind === 'answer' ? sent.exchange.status : null;
    const report = (synced: number, parked: number): void => {
      this.emit('attempt', { kind: kind.name, rows: items.length, status, action: decision.action, synced, parked, ms: answeredAt - started });
    };
    const ids = items.map((i) => i.id);

    switch (decision.action) {
      case 'settle': {
        const out = kind.settle(items, decision.answer, answeredAt);
        store.recordSyncSuccess(kind.name, { at: answeredAt, clockOffsetMs: clockOffset(decision.answer.server_time, sent.clockMs, answeredAt) });
        this.caps.set(kind.name, Math.min(settings.batchSize, cap * 2));
        this.counts.synced += out.synced;
        this.counts.parked += out.parked;
        log.info({ kind: kind.name, rows: items.length, synced: out.synced, parked: out.parked, status, ms: answeredAt - started }, 'sync: batch sent');
        if (out.parked > 0) {
          log.warn(
            { kind: kind.name, conflicts: decision.answer.conflicts },
            'sync: the server holds other content for these ids; parked (see tilltap status), not sent again automatically',
          );
        }
        if (out.unanswered.length > 0) {
          // Not dropped, not parked: sent again after a short backoff.
          const tries = Math.max(...items.filter((i) => out.unanswered.includes(i.id)).map((i) => i.attempts)) + 1;
          this.rowsFailed(kind, out.unanswered, 'SYNC_UNANSWERED', `${out.unanswered.length} of ${items.length} rows`, settings.backoff, answeredAt, tries);
        }
        report(out.synced, out.parked);
        return 'more';
      }
      case 'retry': {
        const failures = state.failures + 1;
        const delay = Math.max(backoffDelay(failures, settings.backoff, this.random), decision.notBeforeMs ?? 0);
        this.kindFailed(kind, ids, decision.code, decision.detail, answeredAt + delay, answeredAt);
        log.warn(
          { kind: kind.name, rows: items.length, code: decision.code, detail: decision.detail, failures, retryInMs: delay },
          `sync: ${describeFailure(decision.code, '')}; retrying later`,
        );
        report(0, 0);
        return 'idle';
      }
      case 'hold': {
        const failures = state.failures + 1;
        const delay = backoffDelay(failures, settings.hold, this.random);
        this.kindFailed(kind, ids, decision.code, decision.detail, answeredAt + delay, answeredAt);
        const fields = { kind: kind.name, rows: items.length, code: decision.code, detail: decision.detail, failures, retryInMs: delay };
        if (decision.loud) log.error(fields, `sync: ${describeFailure(decision.code, '')} — check server.token / --token; nothing is sent until then`);
        else log.error(fields, `sync: ${describeFailure(decision.code, '')}; holding back`);
        report(0, 0);
        return 'idle';
      }
      case 'split': {
        // One row the server cannot take, or a body too large: halve until it is found.
        this.caps.set(kind.name, Math.max(1, Math.ceil(items.length / 2)));
        log.warn({ kind: kind.name, rows: items.length, detail: decision.detail }, 'sync: batch rejected; sending smaller batches');
        report(0, 0);
        return 'more';
      }
      case 'reject-row': {
        const item = items[0]!;
        this.rowsFailed(kind, [item.id], decision.code, decision.detail, settings.hold, answeredAt, item.attempts + 1);
        log.error({ kind: kind.name, id: item.id, detail: decision.detail }, 'sync: the server rejected this row; it waits on its own, the rest goes on');
        // The rest may be sent in full batches again.
        this.caps.set(kind.name, settings.batchSize);
        report(0, 0);
        return 'more';
      }
    }
  }

  private kindFailed(kind: OutboxKind, ids: readonly string[], code: SyncErrorCode, detail: string, nextAttemptAt: number, at: number): void {
    this.counts.failures++;
    this.o.store.recordSyncFailure(kind.name, ids, { code, message: describeFailure(code, detail), at, nextAttemptAt });
  }

  private rowsFailed(kind: OutboxKind, ids: readonly string[], code: SyncErrorCode, detail: string, policy: BackoffPolicy, at: number, attempts = 1): void {
    this.counts.failures++;
    const nextAttemptAt = at + backoffDelay(attempts, policy, this.random);
    this.o.store.recordSyncFailure(kind.name, ids, { code, message: describeFailure(code, detail), at, nextAttemptAt }, { rowsOnly: true });
  }

  private async send(kind: OutboxKind, items: readonly SyncItem[], key: string): Promise<{ exchange: Exchange; clockMs: number }> {
    const { store, settings, client } = this.o;
    const clockMs = Date.now();
    const json = batchBody(deviceBlock(store.deviceId(), this.o.terminal, this.o.version, clockMs), kind.member, items.map((i) => i.wire));
    const body = settings.gzip ? await gzip(json) : Buffer.from(json);
    const exchange = await client.post(kind.route, { body, gzip: settings.gzip, idempotencyKey: key, signal: this.abort.signal });
    return { exchange, clockMs };
  }
}
