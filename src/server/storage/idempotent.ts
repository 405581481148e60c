/** What a stored Idempotency-Key means for a request that claims it: shared by the backends. */
import type { IdempotencyClaim, Idempotent } from './types.js';

export interface KeyRow {
  fingerprint: string;
  status: number;
  body: string;
}

/** The stored answer again (same request), key-reused (another request under the key), or null (new key). */
export function priorAnswer(row: KeyRow | undefined, claim: IdempotencyClaim): Idempotent<never> | null {
  if (!row) return null;
  if (row.fingerprint !== claim.fingerprint) return { kind: 'key-reused' };
  return { kind: 'replay', answer: { status: row.status, body: row.body } };
}
