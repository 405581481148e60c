/**
 * Printer health: the conditions a receipt printer reports about itself, and the events the agent
 * records when one of them changes. Event kinds and the `{kind, state, previous, duration_ms}`
 * shape are those of docs/sync-protocol.md, "POST /api/v1/health-events".
 */

/**
 * - `online`: answers and prints.
 * - `offline`: answers, and says it is offline (cover open, paper out, an error, feed button…).
 * - `no_response`: asked and said nothing, or could not be reached. Not the same as offline: a
 *   printer that is switched off, unplugged or hung.
 * - `busy`: said XOFF and stayed so for a while (buffer full: a slow or stalled printer).
 */
export type LinkState = 'online' | 'offline' | 'no_response' | 'busy';
export type PaperState = 'ok' | 'near_end' | 'out';
export type CoverState = 'closed' | 'open';
export type CutterState = 'ok' | 'error';
/** `mechanical` (DLE EOT 3 bit 2), `unrecoverable` (bit 5), `auto_recoverable` (bit 6, e.g. head overheat). */
export type ErrorState = 'none' | 'mechanical' | 'unrecoverable' | 'auto_recoverable';
export type DrawerState = 'closed' | 'open';

/** What each event kind's `state` can be. `capture` is the agent's own link to the printer. */
export interface KindStates {
  online: LinkState;
  paper: PaperState;
  cover: CoverState;
  cutter: CutterState;
  error: ErrorState;
  drawer: DrawerState;
}
export type HealthKind = keyof KindStates;
export const HEALTH_KINDS: readonly HealthKind[] = ['online', 'paper', 'cover', 'cutter', 'error', 'drawer'];

/** What is known about a printer now; `null`: never reported. */
export type PrinterSnapshot = { readonly [K in HealthKind]: { readonly state: KindStates[K]; readonly since: number } | null };

export const EMPTY_SNAPSHOT: PrinterSnapshot = { online: null, paper: null, cover: null, cutter: null, error: null, drawer: null };

/** One change of one condition. */
export type HealthChange = {
  [K in HealthKind]: {
    readonly kind: K;
    readonly state: KindStates[K];
    /** The state before, or null when nothing was known. */
    readonly previous: KindStates[K] | null;
    /** Milliseconds since the epoch. */
    readonly at: number;
    /** How long the previous state lasted, when known. */
    readonly durationMs: number | null;
    readonly detail: string | null;
  };
}[HealthKind];

/** A change as stored and synced (docs/sync-protocol.md): with its id, sequence and printer. */
export interface HealthEvent {
  readonly id: string;
  readonly seq: number;
  readonly printer: string;
  readonly kind: HealthKind;
  readonly state: string;
  readonly previous: string | null;
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** ISO 8601 with the agent's zone, as sent. */
  readonly atIso: string;
  readonly durationMs: number | null;
  readonly detail: string | null;
  readonly synced: boolean;
}

/**
 * The condition bits of a status reply. A reply tells only some of them (`DLE EOT 4` says nothing
 * about the cover): the others are absent.
 */
export interface StatusBits {
  readonly offline?: boolean;
  readonly waitingRecovery?: boolean;
  readonly feedButton?: boolean;
  readonly coverOpen?: boolean;
  readonly feeding?: boolean;
  readonly paperEndStop?: boolean;
  readonly errorOccurred?: boolean;
  readonly mechanicalError?: boolean;
  readonly cutterError?: boolean;
  readonly unrecoverableError?: boolean;
  readonly autoRecoverableError?: boolean;
  readonly paperNearEnd?: boolean;
  readonly paperOut?: boolean;
  /** Drawer kick-out connector pin 3 HIGH. Whether that means open depends on the drawer. */
  readonly drawerHigh?: boolean;
}

/** A receipt's print outcome as far as the printer told (contract: `print_status`). */
export type PrintStatus = 'ok' | 'suspect' | 'failed';

export interface PrintVerdict {
  readonly status: PrintStatus;
  /** Why, in words, with the time the printer said so: "paper end reported 14:01:07"; null when ok. */
  readonly reason: string | null;
}
