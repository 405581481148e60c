/**
 * Idempotency keys: the answer given to a POST, kept per (token, key) so that a retry gets it
 * again, and the shared shape of every idempotent ingest transaction.
 */
import type Database from 'better-sqlite3';
import { priorAnswer, type KeyRow } from '../idempotent.js';
import type { IdempotencyClaim, IdempotencyStorage, Idempotent, IngestContext, StoredAnswer } from '../types.js';
import type { SqliteDevices } from './devices.js';

export class SqliteIdempotency implements IdempotencyStorage {
  private readonly get;
  private readonly put;
  private readonly del;

  constructor(
    private readonly db: Database.Database,
    private readonly devices: SqliteDevices,
  ) {
    this.get = db.prepare<[string, string, string], KeyRow>(
      'SELECT fingerprint, status, body FROM idempotency_keys WHERE token_id = ? AND scope = ? AND key = ?',
    );
    this.put = db.prepare<[string, string, string, string, number, string, string]>(
      'INSERT INTO idempotency_keys (token_id, scope, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.del = db.prepare<[string]>('DELETE FROM idempotency_keys WHERE created_at < ?');
  }

  /**
   * Run `work` as one IMMEDIATE transaction with the device sighting, the key check and the
   * stored answer: a crash leaves either the whole batch and its answer, or nothing.
   */
  run<R>(ctx: IngestContext, work: () => R, answer: (result: R) => StoredAnswer): Idempotent<R> {
    return this.db
      .transaction((): Idempotent<R> => {
        this.devices.touch(ctx.store, ctx.device);
        const claim = ctx.idempotency;
        if (claim) {
          const prior = this.lookup(claim);
          if (prior) return prior;
        }
        const result = work();
        const a = answer(result);
        if (claim) this.put.run(claim.tokenId, claim.scope, claim.key, claim.fingerprint, a.status, a.body, ctx.receivedAt);
        return { kind: 'fresh', result, answer: a };
      })
      .immediate();
  }

  private lookup(claim: IdempotencyClaim): Idempotent<never> | null {
    return priorAnswer(this.get.get(claim.tokenId, claim.scope, claim.key), claim);
  }

  async prune(before: string): Promise<number> {
    return this.del.run(before).changes;
  }
}
