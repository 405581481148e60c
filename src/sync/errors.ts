/**
 * Sync failures, one stable code each. The code goes into the outbox rows' last_error, the sync
 * state and the log, so `tilltap status` and a technician reading logs see the same words.
 */
export const SYNC_ERRORS = {
  /** No connection: refused, reset, DNS, TLS handshake. Retried with backoff. */
  SYNC_NETWORK: 'could not exchange with the server',
  /** Connected, but no (complete) answer in time. Retried with backoff. */
  SYNC_TIMEOUT: 'the server did not answer in time',
  /** 5xx. Retried with backoff. */
  SYNC_SERVER_ERROR: 'the server failed',
  /** 408 / 429. Retried with backoff, not before Retry-After. */
  SYNC_THROTTLED: 'the server asked to slow down',
  /** 401: no, unknown or revoked device token. Held back long; loud. */
  SYNC_UNAUTHORIZED: 'the server refused the device token',
  /** 403. Held back long; loud. */
  SYNC_FORBIDDEN: 'the server forbids this device',
  /** Another 4xx for the whole batch (404 wrong URL, 415…). Held back long. */
  SYNC_REFUSED: 'the server refused the request',
  /** 400 / 413 for a single row: that row waits long, the rest goes on. */
  SYNC_ROW_REJECTED: 'the server rejected this row',
  /** A 200 / 409 that is not the protocol's answer. Retried with backoff. */
  SYNC_BAD_ANSWER: 'the server answered something unreadable',
  /** The answer did not mention some rows that were sent. Those rows are retried. */
  SYNC_UNANSWERED: 'the server did not account for every row',
} as const;

export type SyncErrorCode = keyof typeof SYNC_ERRORS;

/** How a failure is written down: `CODE: detail`. */
export function describeFailure(code: SyncErrorCode, detail: string): string {
  return detail ? `${SYNC_ERRORS[code]}: ${detail}` : SYNC_ERRORS[code];
}
