/**
 * Was a receipt printed? Given the printer's state timeline and the time the receipt was sent,
 * the verdict `ok | suspect | failed` with a reason a person can check ("paper end reported
 * 14:01:07"):
 * - failed: sent while the printer reported paper end, cover open, offline, a cutter or other
 *   error: reported while it was sent or within `graceMs` after (the poll right after a job
 *   tells how the job went), or in force when it started and not reported otherwise since (a
 *   printer found healthy right after the job had recovered before it);
 * - suspect: the printer did not answer when asked (no_response) in that window;
 * - ok: otherwise, also when nothing is known (a tap that sees no replies flags nothing).
 */
import { describeState } from './state.js';
import { clockTime } from '../local-time.js';
import type { HealthKind, PrintVerdict } from './types.js';

export interface TimelineEntry {
  readonly kind: HealthKind;
  readonly state: string;
  /** When the printer was found in this state (ms since the epoch). */
  readonly at: number;
}

export interface Span {
  /** When the receipt's first byte was sent (ms since the epoch). */
  readonly start: number;
  /** When its last byte was sent. */
  readonly end: number;
}

export interface VerdictOptions {
  /** How long after the receipt a report still counts (ms). Default 2000. */
  readonly graceMs?: number;
  /** How a time is written in the reason. Default local HH:MM:SS. */
  readonly clock?: (t: number) => string;
}

/** Bad states, most telling first: the reason names the first of these found. */
const FAILING: ReadonlyArray<readonly [HealthKind, string]> = [
  ['paper', 'out'],
  ['cover', 'open'],
  ['cutter', 'error'],
  ['error', 'unrecoverable'],
  ['error', 'mechanical'],
  ['error', 'auto_recoverable'],
  ['online', 'offline'],
];


export function printVerdict(timeline: readonly TimelineEntry[], span: Span, opts: VerdictOptions = {}): PrintVerdict {
  const graceMs = opts.graceMs ?? 2000;
  const clock = opts.clock ?? clockTime;
  const until = span.end + graceMs;
  // Per kind: what the printer reported between the receipt's start and the end of the window
  // (the poll right after a job says how the job went), or, with no report of that kind there,
  // the state in force at the start. Changes only are recorded, so no report means no change.
  const inForce = new Map<HealthKind, TimelineEntry>();
  const window: TimelineEntry[] = [];
  for (const e of timeline) {
    if (e.at <= span.start) {
      const cur = inForce.get(e.kind);
      if (!cur || cur.at <= e.at) inForce.set(e.kind, e);
    } else if (e.at <= until) window.push(e);
  }
  const reported = new Set(window.map((e) => e.kind));
  const seen = [...[...inForce.values()].filter((e) => !reported.has(e.kind)), ...window];
  for (const [kind, state] of FAILING) {
    const hit = seen.filter((e) => e.kind === kind && e.state === state).sort((a, b) => a.at - b.at)[0];
    if (hit) return { status: 'failed', reason: `${describeState(kind, state)} reported ${clock(hit.at)}` };
  }
  const silent = seen.filter((e) => e.kind === 'online' && e.state === 'no_response').sort((a, b) => a.at - b.at)[0];
  if (silent) return { status: 'suspect', reason: `printer not answering status polls since ${clock(silent.at)}` };
  return { status: 'ok', reason: null };
}
