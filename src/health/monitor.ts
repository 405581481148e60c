/**
 * The health monitor of one printer: the pure parts (host stream, reply router, state machine,
 * poll policy) put on a driver, with timers.
 *
 * - Active, on a pass-through (TCP proxy, serial): the driver's line hook. It reads the POS's
 *   queries as they are handed to the printer, routes the printer's replies (the POS gets exactly
 *   its own, in order; the answers to the agent's polls are kept back), and polls `DLE EOT 1–4`
 *   when the policy allows (poller.ts). Between TCP sessions it probes on a short link of its own
 *   every `intervalMs`.
 * - Passive, on anything else (a serial tap, a file replay): it only listens to the chunks the
 *   driver reports, both ways, and never writes.
 *
 * Every change of a condition is handed to `onChange` (the agent stores it as a health event).
 */
import type { CaptureChunk, CaptureDriver, LineTap, PrinterLine, PrinterLineHook, SessionInfo } from '../../drivers/types.js';
import { isHookable } from '../../drivers/types.js';
import { CLONE_TABLE, type CommandTable } from '../escpos/commands.js';
import { DEFAULT_POLICY, decidePoll, type PollPolicy } from './poller.js';
import { printVerdict, type Span, type TimelineEntry, type VerdictOptions } from './print-status.js';
import { HostStream, POLL_BYTES, POLL_QUERIES } from './requests.js';
import { ReplyRouter, type Seen } from './router.js';
import { HealthState } from './state.js';
import { type HealthChange, type PrinterSnapshot, type PrintVerdict, EMPTY_SNAPSHOT } from './types.js';

export interface MonitorOptions {
  readonly printer: string;
  /** The state last stored (after a restart changes are told against it). */
  readonly initial?: PrinterSnapshot;
  /** Recent changes, oldest first (for verdicts on receipts around a restart). */
  readonly history?: readonly TimelineEntry[];
  readonly policy?: Partial<PollPolicy>;
  /** An agent poll unanswered this long means no response (ms). Default 1000. */
  readonly pollTimeoutMs?: number;
  /** XOFF lasting this long makes the printer `busy` (ms). Default 5000. */
  readonly busyAfterMs?: number;
  readonly drawerOpenWhen?: 'low' | 'high';
  /** The command table of the POS's stream. Default: Epson plus the clones' commands. */
  readonly table?: CommandTable;
  /** Never poll, only listen (a printer that must not be written to). */
  readonly listenOnly?: boolean;
  readonly verdict?: VerdictOptions;
  readonly onChange?: (change: HealthChange) => void;
  /** The printer was heard from at `t` (a reply, or polls given up): verdicts up to `t` are settled. */
  readonly onHeard?: (t: number) => void;
  readonly onWarn?: (message: string) => void;
  /** Test seam for the clock. */
  readonly now?: () => number;
}

/** Changes kept in memory for verdicts. */
const TIMELINE_MAX = 1000;

export class HealthMonitor implements PrinterLineHook {
  readonly printer: string;
  private readonly state: HealthState;
  private readonly policy: PollPolicy;
  private readonly pollTimeoutMs: number;
  private readonly busyAfterMs: number;
  private readonly table: CommandTable;
  private readonly now: () => number;
  private readonly changeListeners: Array<(c: HealthChange) => void> = [];
  private readonly lines = new Set<ActiveLine>();
  private readonly passive = new Map<string, PassiveLine>();
  private history: TimelineEntry[];
  private lastSeenAt = 0;
  private waiters: Array<{ after: number; resolve: () => void; timer: NodeJS.Timeout }> = [];
  private probeTimer: NodeJS.Timeout | null = null;
  private detachDriver: (() => void) | null = null;
  /** Active: it polls (a pass-through); passive: it only listens; null: not watching anything yet. */
  private mode: 'active' | 'passive' | null = null;
  private stopped = false;
  /** Lines whose printer said XOFF last (a new link starts without), and since when. */
  private readonly xoffLines = new Map<object, number>();
  private busyTimer: NodeJS.Timeout | null = null;
  /** Polls answered / given up, for `status` and tests. */
  readonly counters = { polls: 0, answered: 0, unanswered: 0, posQueries: 0, posReplies: 0, xoff: 0 };

  constructor(private readonly opts: MonitorOptions) {
    this.printer = opts.printer;
    this.state = new HealthState(opts.initial ?? EMPTY_SNAPSHOT, opts.drawerOpenWhen ? { drawerOpenWhen: opts.drawerOpenWhen } : {});
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
    this.pollTimeoutMs = opts.pollTimeoutMs ?? 1000;
    this.busyAfterMs = opts.busyAfterMs ?? 5000;
    this.table = opts.table ?? CLONE_TABLE;
    this.now = opts.now ?? Date.now;
    this.history = [...(opts.history ?? [])].slice(-TIMELINE_MAX);
    if (opts.onChange) this.changeListeners.push(opts.onChange);
  }

  onChange(listener: (c: HealthChange) => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * Watches a driver: its line hook when it has one (and polling is allowed), else its chunks; a
   * file replay or a virtual printer not at all. Returns a function that stops watching.
   */
  watch(driver: CaptureDriver): () => void {
    // A replay is not a printer now; a TCP listener with no printer behind it answers as a healthy
    // printer itself (drivers/simulator/replies.ts): nothing to learn from either.
    if (driver.kind === 'file' || (driver.kind === 'tcp' && !isHookable(driver))) return () => this.stop();
    if (isHookable(driver) && !this.opts.listenOnly) {
      this.mode = 'active';
      driver.setLineHook(this);
      this.scheduleProbe(() => driver.probe());
      this.detachDriver = () => driver.setLineHook(null);
    } else {
      this.mode = 'passive';
      const onChunk = (c: CaptureChunk): void => this.passiveChunk(c);
      const onDisconnect = (s: SessionInfo): void => void this.passive.delete(s.session);
      driver.on('chunk', onChunk).on('disconnect', onDisconnect);
      this.detachDriver = () => driver.off('chunk', onChunk).off('disconnect', onDisconnect);
    }
    return () => this.stop();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.detachDriver?.();
    this.detachDriver = null;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    if (this.busyTimer) clearTimeout(this.busyTimer);
    for (const l of [...this.lines]) l.close();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  snapshot(): PrinterSnapshot {
    return this.state.snapshot();
  }

  /** The changes known, oldest first (the history given at start, then this run's). */
  timeline(): readonly TimelineEntry[] {
    return this.history;
  }

  /** The print verdict for a receipt sent during `span`, with what is known now. */
  verdict(span: Span): PrintVerdict {
    return printVerdict(this.history, span, this.opts.verdict);
  }

  /**
   * The verdict once the printer has been heard from (a reply, or a poll given up) after the
   * receipt's last byte, or after `maxWaitMs` — whichever comes first. A monitor that only
   * listens has nothing to wait for.
   */
  settle(span: Span, maxWaitMs = this.settleMs): Promise<PrintVerdict> {
    if (this.stopped || this.mode !== 'active' || this.lastSeenAt >= span.end) {
      return Promise.resolve(this.verdict(span));
    }
    return new Promise((resolve) => {
      const w = {
        after: span.end,
        resolve: () => resolve(this.verdict(span)),
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve();
        }, maxWaitMs),
      };
      this.waiters.push(w);
    });
  }

  // ---- PrinterLineHook ---------------------------------------------------------------------------

  attach(line: PrinterLine, session: string | null): LineTap {
    const l = new ActiveLine(this, line, session === null);
    this.lines.add(l);
    return l;
  }

  unreachable(reason: string, t: number): void {
    this.record(this.state.noResponse(t, `printer unreachable: ${reason}`), t);
  }

  // ---- for the lines ---------------------------------------------------------------------------

  /** @internal */
  get settings(): { policy: PollPolicy; pollTimeoutMs: number; table: CommandTable; now: () => number } {
    return { policy: this.policy, pollTimeoutMs: this.pollTimeoutMs, table: this.table, now: this.now };
  }

  /** @internal */
  lineClosed(l: ActiveLine): void {
    this.lines.delete(l);
    if (this.xoffLines.has(l)) this.onXon(l, this.now());
  }

  /** @internal A poll was sent. */
  polled(): void {
    this.counters.polls++;
  }

  /** @internal What a line saw on the printer → host side. */
  seen(items: readonly Seen[], line: object): void {
    for (const s of items) {
      switch (s.kind) {
        case 'status':
          if (s.owner === 'agent') this.counters.answered++;
          else if (s.owner === 'pos') this.counters.posReplies++;
          if (s.bits) this.record(this.state.status(s.bits, s.t, s.owner === 'pos' ? `reply to the POS's ${s.query?.name ?? 'query'}` : null), s.t);
          else if (s.owner !== null) this.record(this.state.answered(s.t), s.t);
          else this.heard(s.t);
          break;
        case 'byte':
          if (s.owner === 'pos') this.counters.posReplies++;
          if (s.bits) this.record(this.state.status(s.bits, s.t, `reply to the POS's ${s.query.name}`), s.t);
          else this.heard(s.t);
          break;
        case 'block':
          if (s.owner === 'pos') this.counters.posReplies++;
          this.heard(s.t);
          break;
        case 'asb':
          this.record(this.state.status(s.bits, s.t, 'automatic status back'), s.t);
          break;
        case 'xoff':
          this.counters.xoff++;
          this.onXoff(line, s.t);
          break;
        case 'xon':
          this.onXon(line, s.t);
          break;
        case 'other':
          break;
      }
    }
  }

  /** @internal Agent polls given up. */
  unanswered(n: number, t: number): void {
    this.counters.unanswered += n;
    this.record(this.state.noResponse(t, `no reply to ${n} status ${n === 1 ? 'poll' : 'polls'} within ${this.pollTimeoutMs} ms`), t);
  }

  /** @internal */
  posQuery(): void {
    this.counters.posQueries++;
  }

  private onXoff(line: object, t: number): void {
    if (this.xoffLines.has(line)) return;
    this.xoffLines.set(line, t);
    if (this.busyTimer || this.stopped) return;
    this.busyTimer = setTimeout(() => {
      this.busyTimer = null;
      const since = Math.min(...this.xoffLines.values());
      if (this.xoffLines.size > 0) this.record(this.state.busy(since, `XOFF for more than ${this.busyAfterMs} ms`), this.now());
    }, this.busyAfterMs);
  }

  /** XON, or the link that said XOFF is gone (a new link starts afresh). */
  private onXon(line: object, t: number): void {
    if (!this.xoffLines.delete(line) || this.xoffLines.size > 0) return;
    if (this.busyTimer) clearTimeout(this.busyTimer);
    this.busyTimer = null;
    this.record(this.state.ready(t), t);
  }

  /** How it watches: `active` (polls a pass-through), `passive` (listens), null (nothing to watch). */
  get watching(): 'active' | 'passive' | null {
    return this.mode;
  }

  /** How long `settle()` waits at most by default (ms): the quiet time and two polls' timeouts. */
  get settleMs(): number {
    return this.policy.quietMs + 2 * this.pollTimeoutMs + 500;
  }

  /** Whether a line's printer said XOFF last (nothing more may be sent on it). */
  inXoff(line: object): boolean {
    return this.xoffLines.has(line);
  }

  private heard(t: number): void {
    if (t > this.lastSeenAt) {
      this.lastSeenAt = t;
      this.opts.onHeard?.(t);
    }
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.after <= this.lastSeenAt);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.after > this.lastSeenAt);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  private record(changes: readonly HealthChange[], t: number): void {
    for (const c of changes) {
      this.history.push({ kind: c.kind, state: c.state, at: c.at });
      for (const l of this.changeListeners) {
        try {
          l(c);
        } catch (err) {
          this.opts.onWarn?.(`health change listener failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    if (this.history.length > TIMELINE_MAX) this.history = this.history.slice(-TIMELINE_MAX);
    this.heard(t);
  }

  private scheduleProbe(probe: () => Promise<boolean>): void {
    const tick = (): void => {
      this.probeTimer = null;
      if (this.stopped) return;
      const run = this.lines.size === 0 ? probe() : Promise.resolve(false);
      void run
        .catch((err: unknown) => this.opts.onWarn?.(`health probe failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          if (!this.stopped) this.probeTimer = setTimeout(tick, this.policy.intervalMs);
        });
    };
    // The first probe right away: the printer's state is known from the start.
    this.probeTimer = setTimeout(tick, 0);
  }

  private passiveChunk(c: CaptureChunk): void {
    let l = this.passive.get(c.session);
    if (!l) this.passive.set(c.session, (l = new PassiveLine(this)));
    l.chunk(c);
  }
}

/** A line the monitor only listens to: every query is the POS's. */
class PassiveLine {
  private readonly host: HostStream;
  private readonly router = new ReplyRouter({ posTimeoutMs: 10_000 });

  constructor(private readonly m: HealthMonitor) {
    this.host = new HostStream(m.settings.table);
  }

  chunk(c: CaptureChunk): void {
    if (c.dir === 'to-printer') {
      for (const item of this.host.push(c.bytes)) {
        if (item.kind === 'query') {
          this.m.posQuery();
          this.router.sent('pos', item.query, c.t);
        }
      }
    } else {
      this.router.expire(c.t);
      this.m.seen(this.router.received(c.bytes, c.t).seen, this);
    }
  }
}

/** One printer link with the monitor on it: routes replies, decides and sends polls. */
class ActiveLine implements LineTap {
  private readonly host: HostStream;
  private readonly router: ReplyRouter;
  private timer: NodeJS.Timeout | null = null;
  private lastTrafficAt: number;
  private lastPollAt: number | null = null;
  private posSentSincePoll = false;
  private closed = false;
  private finishing: { resolve: () => void; deadline: NodeJS.Timeout } | null = null;
  /** Polls in a row that got no answer; one is asked again at once before it counts. */
  private unansweredStreak = 0;
  private retry = false;

  constructor(
    private readonly m: HealthMonitor,
    private readonly line: PrinterLine,
    private readonly probe: boolean,
  ) {
    const s = m.settings;
    this.host = new HostStream(s.table);
    this.router = new ReplyRouter({ agentTimeoutMs: s.pollTimeoutMs });
    // A probe's link is fresh: nothing to wait for before asking.
    this.lastTrafficAt = probe ? 0 : s.now();
    this.schedule();
  }

  toPrinter(bytes: Buffer, t: number): void {
    if (this.closed) return;
    const items = this.host.push(bytes);
    for (const item of items) {
      if (item.kind === 'query') {
        this.m.posQuery();
        this.router.sent('pos', item.query, t);
      }
    }
    const first = !this.posSentSincePoll;
    this.lastTrafficAt = t;
    this.posSentSincePoll = true;
    // After the first POS bytes since the last poll (a poll is now due once the line is quiet),
    // more plain bytes can only put that poll off, never bring it forward: with a timer armed, the
    // monitor decides again when it fires. Deciding on every chunk of a long printout re-armed a
    // timer per socket read: a third of this method's time on 64 KB of text (3.6 → 2.4 µs).
    if (first || items.length > 0 || !this.timer) this.schedule();
  }

  fromPrinter(bytes: Buffer, t: number): Buffer {
    if (this.closed) return bytes;
    this.expire(t);
    const r = this.router.received(bytes, t);
    if (r.seen.some((x) => x.kind === 'status' && x.owner === 'agent')) this.unansweredStreak = 0;
    this.lastTrafficAt = t;
    this.m.seen(r.seen, this);
    this.schedule();
    return r.forward;
  }

  finish(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const s = this.m.settings;
      // Bounded: a silent printer costs the POS's connection at most this much more.
      const deadline = setTimeout(() => this.endFinish(), s.policy.quietMs + 3 * s.pollTimeoutMs + 100);
      this.finishing = { resolve, deadline };
      this.schedule();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.endFinish();
    this.m.lineClosed(this);
  }

  private endFinish(): void {
    const f = this.finishing;
    if (!f) return;
    this.finishing = null;
    clearTimeout(f.deadline);
    f.resolve();
  }

  /**
   * Polls unanswered in time. A printer that said XOFF cannot take them (busy, not silent); a poll
   * may also wait behind a full link (a slow printer that stops reading): one more poll is sent at
   * once, and only when it too goes unanswered is the printer not answering.
   */
  private expire(now: number): void {
    const gone = this.router.expire(now).filter((e) => e.owner === 'agent');
    if (gone.length === 0 || this.m.inXoff(this)) return;
    this.unansweredStreak++;
    if (this.unansweredStreak >= 2) this.m.unanswered(gone.length, now);
    else this.retry = true;
  }

  /** Decide again: poll now, later, or when something happens. */
  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.m.settings;
    const now = s.now();
    this.expire(now);
    const agentWaiting = this.router.pending('agent') > 0;
    const wantPoll = this.posSentSincePoll || this.retry || (this.probe && this.lastPollAt === null);
    if (this.finishing && !agentWaiting && (!wantPoll || this.cannotPoll())) {
      // Nothing more to learn (asked after the last POS byte, or may not ask): let the link end.
      this.endFinish();
      return;
    }
    const d = decidePoll(
      {
        now,
        writable: true,
        pendingPosBytes: this.line.pendingBytes,
        atBoundary: this.host.atBoundary,
        // Finishing: the POS is done, no need to wait for a quiet line.
        lastTrafficAt: this.finishing || this.probe ? 0 : this.lastTrafficAt,
        posSentSincePoll: wantPoll,
        xoff: this.m.inXoff(this),
        pendingStatusQueries: this.router.pending(undefined, 'status'),
        lastPollAt: this.lastPollAt,
      },
      s.policy,
    );
    if (d.action === 'poll') {
      this.poll(now);
      return this.schedule();
    }
    let wait = d.action === 'wait' ? d.ms : null;
    // POS bytes still on their way out: nothing will call again when they are written, so look again.
    if (d.action === 'idle' && this.line.pendingBytes > 0) wait = s.policy.quietMs;
    const deadline = this.router.nextDeadline();
    if (deadline !== null) wait = Math.min(wait ?? Infinity, Math.max(1, deadline - now));
    if (wait !== null) {
      this.timer = setTimeout(() => this.schedule(), Math.max(1, wait));
      this.timer.unref?.();
    }
  }

  /** No poll can go in on this line before the POS sends more (a status query pending is only a wait). */
  private cannotPoll(): boolean {
    return this.line.pendingBytes > 0 || !this.host.atBoundary || this.m.inXoff(this);
  }

  private poll(now: number): void {
    for (const q of POLL_QUERIES) this.router.sent('agent', q, now);
    if (!this.line.inject(POLL_BYTES)) {
      this.router.withdraw('agent', POLL_QUERIES.length);
      return;
    }
    this.m.polled();
    this.lastPollAt = now;
    this.posSentSincePoll = false;
    this.retry = false;
  }
}
