/**
 * When the agent may ask the printer how it is: a pure policy over what the line looks like now.
 *
 * It polls (`DLE EOT 1–4`, real-time status: asks, changes nothing) only
 * - on a line it may write to (a pass-through link, never a tap);
 * - when every POS byte accepted has been handed to the printer and the host stream stands at a
 *   command boundary (never inside a command, an image or a multi-byte character);
 * - when the line has been quiet for `quietMs` both ways, the printer has not said XOFF, and no
 *   status query — the POS's or its own — is still waiting for its reply (so the printer's
 *   answers never interleave between the two askers);
 * - soon after the POS sent something (`quietMs` later: how the last receipt went), otherwise
 *   every `intervalMs`.
 */

export interface LineView {
  readonly now: number;
  /** The agent may write to this line. */
  readonly writable: boolean;
  /** POS bytes accepted and not yet handed to the printer. */
  readonly pendingPosBytes: number;
  readonly atBoundary: boolean;
  /** Last time anything moved on the line, either way (ms since the epoch). */
  readonly lastTrafficAt: number;
  /** The POS sent bytes since the last poll. */
  readonly posSentSincePoll: boolean;
  /** The printer said XOFF and not XON since. */
  readonly xoff: boolean;
  readonly pendingStatusQueries: number;
  readonly lastPollAt: number | null;
}

export interface PollPolicy {
  /** Quiet time before a poll (ms). Default 150. */
  readonly quietMs: number;
  /** Poll this often on an idle line (ms). Default 30 000. */
  readonly intervalMs: number;
}

export const DEFAULT_POLICY: PollPolicy = { quietMs: 150, intervalMs: 30_000 };

export type PollDecision =
  | { readonly action: 'poll' }
  /** Ask again in `ms` (or when something happens on the line). */
  | { readonly action: 'wait'; readonly ms: number }
  /** Nothing to do until something happens on the line. */
  | { readonly action: 'idle' };

export function decidePoll(v: LineView, p: PollPolicy = DEFAULT_POLICY): PollDecision {
  if (!v.writable || v.xoff || v.pendingStatusQueries > 0) return { action: 'idle' };
  if (v.pendingPosBytes > 0 || !v.atBoundary) return { action: 'idle' };
  const quietLeft = v.lastTrafficAt + p.quietMs - v.now;
  const due = v.posSentSincePoll || v.lastPollAt === null ? v.now : v.lastPollAt + p.intervalMs;
  const wait = Math.max(quietLeft, due - v.now);
  return wait <= 0 ? { action: 'poll' } : { action: 'wait', ms: wait };
}
