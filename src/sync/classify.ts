/**
 * What to do with the outcome of one POST, pure. The rules (docs/sync-protocol.md):
 *   200 / 409 with the protocol's answer   settle: synced rows out of the outbox, conflicts parked
 *   network error, timeout, 5xx, 408, 429  retry the same batch after an exponential backoff
 *   400 / 413 for a batch of several rows  split: send half as many (one bad row or too big a body)
 *   400 / 413 for a single row             that row waits long on its own, the rest goes on
 *   422 IDEMPOTENCY_KEY_REUSED             send the same rows once more under a fresh key
 *   401 / 403 / any other 4xx              hold the whole kind back long (no blind retries); 401
 *                                          and 403 are loud: a person must fix the token
 */
import { retryAfterMs } from './backoff.js';
import type { SyncErrorCode } from './errors.js';
import { type BatchAnswer, batchAnswerSchema, errorOf, readJson } from './protocol.js';

/** One POST as the client saw it. */
export type Exchange =
  | { readonly kind: 'answer'; readonly status: number; readonly body: string; readonly retryAfter?: string | undefined }
  | { readonly kind: 'failed'; readonly timeout: boolean; readonly message: string };

export type Decision =
  | { readonly action: 'settle'; readonly status: 200 | 409; readonly answer: BatchAnswer }
  | { readonly action: 'retry'; readonly code: SyncErrorCode; readonly detail: string; readonly notBeforeMs: number | null }
  | { readonly action: 'hold'; readonly code: SyncErrorCode; readonly detail: string; readonly loud: boolean }
  | { readonly action: 'split'; readonly code: SyncErrorCode; readonly detail: string }
  | { readonly action: 'reject-row'; readonly code: SyncErrorCode; readonly detail: string }
  | { readonly action: 'rekey'; readonly detail: string };

function said(status: number, body: string): string {
  const e = errorOf(body);
  if (e) return `${status} ${e.code}${e.message ? ` (${e.message})` : ''}`;
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 120);
  return text ? `${status}: ${text}` : `${status}`;
}

export function classify(x: Exchange, batchSize: number, now: number): Decision {
  if (x.kind === 'failed') {
    return { action: 'retry', code: x.timeout ? 'SYNC_TIMEOUT' : 'SYNC_NETWORK', detail: x.message, notBeforeMs: null };
  }
  const { status, body } = x;
  if (status === 200 || status === 409) {
    const parsed = batchAnswerSchema.safeParse(readJson(body));
    // A 409 from something other than the protocol (a proxy, an older server) has no lists.
    if (parsed.success && (status === 200 || parsed.data.conflicts.length > 0)) return { action: 'settle', status, answer: parsed.data };
    return { action: 'retry', code: 'SYNC_BAD_ANSWER', detail: said(status, body), notBeforeMs: null };
  }
  if (status >= 500) return { action: 'retry', code: 'SYNC_SERVER_ERROR', detail: said(status, body), notBeforeMs: retryAfterMs(x.retryAfter, now) };
  if (status === 408 || status === 429) {
    return { action: 'retry', code: 'SYNC_THROTTLED', detail: said(status, body), notBeforeMs: retryAfterMs(x.retryAfter, now) };
  }
  if (status === 422 && errorOf(body)?.code === 'IDEMPOTENCY_KEY_REUSED') return { action: 'rekey', detail: said(status, body) };
  if (status === 400 || status === 413) {
    // BAD_JSON is ours for the whole body, not one row's: splitting would not help.
    if (errorOf(body)?.code !== 'BAD_JSON') {
      if (batchSize > 1) return { action: 'split', code: 'SYNC_ROW_REJECTED', detail: said(status, body) };
      return { action: 'reject-row', code: 'SYNC_ROW_REJECTED', detail: said(status, body) };
    }
  }
  if (status === 401) return { action: 'hold', code: 'SYNC_UNAUTHORIZED', detail: said(status, body), loud: true };
  if (status === 403) return { action: 'hold', code: 'SYNC_FORBIDDEN', detail: said(status, body), loud: true };
  if (status >= 400) return { action: 'hold', code: 'SYNC_REFUSED', detail: said(status, body), loud: false };
  // 1xx never reaches here; 2xx other than 200, 3xx (redirects are not followed: a POST carrying
  // a token is not sent on to wherever a redirect points): not the protocol's answer.
  return { action: 'hold', code: 'SYNC_BAD_ANSWER', detail: said(status, body), loud: false };
}
