/** Exponential backoff with jitter, and a sleep that a stop can cut short. */

export interface BackoffOptions {
  /** First delay (ms). Default 100. */
  initialMs?: number;
  /** Largest delay (ms). Default 5000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** ± this fraction of random spread on each delay. Default 0.2. */
  jitter?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private current: number;
  /** Failed attempts since the last reset. */
  attempts = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = Math.max(1, opts.initialMs ?? 100);
    this.maxMs = Math.max(this.initialMs, opts.maxMs ?? 5000);
    this.factor = Math.max(1, opts.factor ?? 2);
    this.jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.2));
    this.current = this.initialMs;
  }

  /** The delay before the next attempt; grows each call. */
  next(): number {
    this.attempts++;
    const base = this.current;
    this.current = Math.min(this.maxMs, this.current * this.factor);
    const spread = base * this.jitter * (Math.random() * 2 - 1);
    return Math.max(1, Math.round(base + spread));
  }

  reset(): void {
    this.current = this.initialMs;
    this.attempts = 0;
  }
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Whether to report the n-th consecutive failure: 1, 2, 4, 8, … then every 32nd. */
export function worthReporting(attempt: number): boolean {
  if (attempt <= 0) return false;
  if (attempt >= 32) return attempt % 32 === 0;
  return (attempt & (attempt - 1)) === 0;
}
