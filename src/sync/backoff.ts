/**
 * Backoff delays, pure. The worker writes `now + delay` into SQLite (the persisted next attempt is
 * the truth, across restarts); this only says how long.
 */
export interface BackoffPolicy {
  /** The delay after the first failure (before jitter). */
  readonly baseMs: number;
  /** No delay grows past this. */
  readonly maxMs: number;
}

/**
 * The delay after `failures` consecutive failures (1, 2, 3…): base·2^(failures−1), capped, with
 * "equal jitter" — half of it fixed, half random — so hundreds of shops that lost the server at the
 * same moment do not all come back at the same moment, yet none retries right away.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures));
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 40));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(exp / 2 + (r * exp) / 2);
}

/**
 * A `Retry-After` header (seconds, or an HTTP date) as milliseconds from `now`; null when absent or
 * unreadable. Capped at a day: a server that asks for a week is wrong, not to be obeyed blindly.
 */
export function retryAfterMs(header: string | undefined, now: number): number | null {
  if (header === undefined) return null;
  const text = header.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), 86_400_000);
}
