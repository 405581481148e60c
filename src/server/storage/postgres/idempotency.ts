/**
 * Idempotency keys: the answer given to a POST, kept per (token, key) so that a retry gets it
 * again, and the shared shape of every idempotent ingest transaction.
 */
import type pg from 'pg';
import { priorAnswer, type KeyRow } from '../idempotent.js';
import type { IdempotencyClaim, IdempotencyStorage, Idempotent, IngestContext, StoredAnswer } from '../types.js';
import type { PgDevices } from './devices.js';
import { transaction } from './pool.js';

/**
 * Tries of one ingest transaction that lost a race (pool.ts RETRYABLE): each loss means another
 * batch committed, so a few tries always get through unless the same ids are hammered at once.
 */
const INGEST_ATTEMPTS = 5;

export class PgIdempotency implements IdempotencyStorage {
  constructor(
    private readonly pool: pg.Pool,
    private readonly devices: PgDevices,
  ) {}

  /**
   * Run `work` in one transaction with the device sighting, the key check and the stored
   * answer: either the whole batch and its answer are committed, or nothing. Two requests with
   * one key at once: the second's insert of the key (or of a receipt) meets the first's, it runs
   * again, and then replays the first's answer.
   */
  async run<R>(ctx: IngestContext, work: (client: pg.PoolClient) => Promise<R>, answer: (result: R) => StoredAnswer): Promise<Idempotent<R>> {
    return transaction(
      this.pool,
      async (client): Promise<Idempotent<R>> => {
        await this.devices.touch(client, ctx.store, ctx.device);
        const claim = ctx.idempotency;
        if (claim) {
          const prior = await this.lookup(client, claim);
          if (prior) return prior;
        }
        const result = await work(client);
        const a = answer(result);
        if (claim) {
          await client.query({
            name: 'idempotency.put',
            text: 'INSERT INTO idempotency_keys (token_id, scope, key, fingerprint, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
            values: [claim.tokenId, claim.scope, claim.key, claim.fingerprint, a.status, a.body, ctx.receivedAt],
          });
        }
        return { kind: 'fresh', result, answer: a };
      },
      { attempts: INGEST_ATTEMPTS },
    );
  }

  private async lookup(client: pg.PoolClient, claim: IdempotencyClaim): Promise<Idempotent<never> | null> {
    const r = await client.query<KeyRow>({
      name: 'idempotency.get',
      text: 'SELECT fingerprint, status, body FROM idempotency_keys WHERE token_id = $1 AND scope = $2 AND key = $3',
      values: [claim.tokenId, claim.scope, claim.key],
    });
    return priorAnswer(r.rows[0], claim);
  }

  async prune(before: string): Promise<number> {
    return (await this.pool.query('DELETE FROM idempotency_keys WHERE created_at < $1', [before])).rowCount ?? 0;
  }
}
