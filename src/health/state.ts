/**
 * The health state machine of one printer: status bits, silences and flow control in, changes
 * out. Pure: time is given with every input. Each change is an event that carries the state before
 * it and how long that lasted.
 */
import {
  EMPTY_SNAPSHOT,
  HEALTH_KINDS,
  type HealthChange,
  type HealthKind,
  type KindStates,
  type PrinterSnapshot,
  type StatusBits,
} from './types.js';

export interface StateOptions {
  /**
   * Which level of the drawer kick-out connector's pin 3 means "open". It depends on the drawer's
   * switch; most drawers pull it low when open. Default `low`.
   */
  readonly drawerOpenWhen?: 'low' | 'high';
}

type Target = { [K in HealthKind]?: KindStates[K] };

export class HealthState {
  private snap: { -readonly [K in HealthKind]: PrinterSnapshot[K] };
  private readonly drawerOpenWhen: 'low' | 'high';
  /** The last offline bit a printer reported (a reply that leaves it out keeps it). */
  private offlineBit: boolean | null = null;
  /** What the error bits last said, per bit (DLE EOT 3 and ASB tell all four at once). */
  private errors: { mechanical: boolean; unrecoverable: boolean; auto: boolean } | null = null;
  private paperBits: { nearEnd: boolean; out: boolean } | null = null;

  constructor(initial: PrinterSnapshot = EMPTY_SNAPSHOT, opts: StateOptions = {}) {
    this.snap = { ...initial };
    this.drawerOpenWhen = opts.drawerOpenWhen ?? 'low';
  }

  snapshot(): PrinterSnapshot {
    return { ...this.snap };
  }

  /** A status reply (DLE EOT, ASB, GS r) at time t. Any reply also means the printer answers. */
  status(bits: StatusBits, t: number, detail: string | null = null): HealthChange[] {
    const next: Target = {};
    if (bits.offline !== undefined) this.offlineBit = bits.offline;
    const link = this.snap.online?.state;
    if (bits.offline !== undefined || link === 'no_response' || link === undefined) {
      // Busy stays busy until XON: a status reply is answered even while the buffer is full.
      if (link !== 'busy' || this.offlineBit) next.online = this.offlineBit ? 'offline' : 'online';
    }
    if (bits.paperNearEnd !== undefined || bits.paperOut !== undefined) {
      this.paperBits = { nearEnd: bits.paperNearEnd ?? this.paperBits?.nearEnd ?? false, out: bits.paperOut ?? this.paperBits?.out ?? false };
      next.paper = this.paperBits.out ? 'out' : this.paperBits.nearEnd ? 'near_end' : 'ok';
    }
    if (bits.paperEndStop === true) next.paper = 'out';
    if (bits.coverOpen !== undefined) next.cover = bits.coverOpen ? 'open' : 'closed';
    if (bits.cutterError !== undefined) next.cutter = bits.cutterError ? 'error' : 'ok';
    if (bits.mechanicalError !== undefined || bits.unrecoverableError !== undefined || bits.autoRecoverableError !== undefined) {
      const e = {
        mechanical: bits.mechanicalError ?? this.errors?.mechanical ?? false,
        unrecoverable: bits.unrecoverableError ?? this.errors?.unrecoverable ?? false,
        auto: bits.autoRecoverableError ?? this.errors?.auto ?? false,
      };
      this.errors = e;
      next.error = e.unrecoverable ? 'unrecoverable' : e.mechanical ? 'mechanical' : e.auto ? 'auto_recoverable' : 'none';
    }
    if (bits.drawerHigh !== undefined) next.drawer = bits.drawerHigh === (this.drawerOpenWhen === 'high') ? 'open' : 'closed';
    return this.apply(next, t, detail);
  }

  /** Asked and got no answer in time (or could not reach it at all). */
  noResponse(t: number, detail: string | null = null): HealthChange[] {
    return this.apply({ online: 'no_response' }, t, detail);
  }

  /** The printer answered, but what it said is not known for sure (a late reply): it is not silent. */
  answered(t: number): HealthChange[] {
    if (this.snap.online?.state !== 'no_response') return [];
    return this.apply({ online: this.offlineBit ? 'offline' : 'online' }, t, 'answered late');
  }

  /** XOFF lasted long enough to count (the caller decides how long). */
  busy(t: number, detail: string | null = null): HealthChange[] {
    if (this.snap.online?.state === 'offline') return [];
    return this.apply({ online: 'busy' }, t, detail);
  }

  /** XON after busy. */
  ready(t: number): HealthChange[] {
    if (this.snap.online?.state !== 'busy') return [];
    return this.apply({ online: this.offlineBit ? 'offline' : 'online' }, t, null);
  }

  private apply(next: Target, t: number, detail: string | null): HealthChange[] {
    const out: HealthChange[] = [];
    for (const kind of HEALTH_KINDS) {
      const state = next[kind];
      if (state === undefined) continue;
      const cur = this.snap[kind];
      if (cur && cur.state === state) continue;
      const change = {
        kind,
        state,
        previous: cur ? cur.state : null,
        at: t,
        durationMs: cur ? Math.max(0, t - cur.since) : null,
        detail,
      } as HealthChange;
      out.push(change);
      (this.snap as Record<HealthKind, { state: string; since: number } | null>)[kind] = { state, since: t };
    }
    return out;
  }
}

/** Words for a state, as a person reads them in `status` and in reasons. */
export function describeState(kind: HealthKind, state: string): string {
  switch (`${kind}:${state}`) {
    case 'online:online':
      return 'online';
    case 'online:offline':
      return 'printer offline';
    case 'online:no_response':
      return 'printer not answering';
    case 'online:busy':
      return 'busy (buffer full, XOFF)';
    case 'paper:ok':
      return 'paper ok';
    case 'paper:near_end':
      return 'paper near end';
    case 'paper:out':
      return 'paper end';
    case 'cover:open':
      return 'cover open';
    case 'cover:closed':
      return 'cover closed';
    case 'cutter:error':
      return 'cutter error';
    case 'cutter:ok':
      return 'cutter ok';
    case 'error:none':
      return 'no error';
    case 'error:mechanical':
      return 'mechanical error';
    case 'error:unrecoverable':
      return 'unrecoverable error';
    case 'error:auto_recoverable':
      return 'auto-recoverable error (e.g. head overheat)';
    case 'drawer:open':
      return 'drawer open';
    case 'drawer:closed':
      return 'drawer closed';
    default:
      return `${kind} ${state}`;
  }
}
