/**
 * The capture agent: drivers relay bytes between the POS and the printer on this (main) thread;
 * everything else — journal, decoding, receipts, retention — happens in a worker thread
 * (src/agent/worker.ts) that owns the store. The relay never waits for a disk or a decoder: what
 * the drivers report is handed to the worker once per turn of the event loop.
 *
 * Fail-open: if the worker dies (a bug, the store cannot be opened) printing goes on, the failure
 * is logged and counted, and a new worker is started with backoff. What was reported meanwhile is
 * held (up to a limit) and handed to the new worker; sessions that were open continue under a new
 * session id, because the new worker first closes them as recovered from the journal.
 *
 * Printer health (`health` option): a monitor per printer on this thread (src/health/monitor.ts)
 * sits on the driver's printer link — it polls between jobs, keeps its replies from the POS — and
 * its changes go to the worker, which stores them and gives each receipt its print verdict.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CaptureChunk, CaptureDriver, SessionInfo } from '../../drivers/types.js';
import { HealthMonitor, type MonitorOptions } from '../health/monitor.js';
import type { HealthChange } from '../health/types.js';
import type { DecodeOptions } from '../receipt/decoder.js';
import type { ConfigData } from '../config-data.js';
import { IdleGc } from '../idle-gc.js';
import { builtSibling } from '../paths.js';
import { JournalGate } from './journal-gate.js';
import { type FromWorker, SPOOLED_EVERY_MS, type ToWorker, type WorkerInit, wallClock } from './messages.js';
import { SpoolWriter, type SpoolPos } from './spool.js';
import type { AgentHealth, AgentLog, Work } from './pipeline.js';

export type { AgentHealth, AgentLog } from './pipeline.js';

export interface AgentPrinter {
  readonly name: string;
  readonly driver: CaptureDriver;
  readonly decode: DecodeOptions;
  /** A receipt also ends after this long with no bytes from the POS. */
  readonly idleMs: number;
}

export interface AgentOptions {
  /** Data directory: the store (tilltap.db) lives here. */
  readonly dataDir: string;
  readonly printers: readonly AgentPrinter[];
  readonly log: AgentLog;
  /** Prune synced data older than this many days, hourly. Default: never. */
  readonly retentionDays?: number;
  /** Watch each printer's health (poll timings and so on; `{}`: the defaults). Default: not watched. */
  readonly health?: Omit<MonitorOptions, 'printer' | 'initial' | 'history' | 'onChange' | 'onHeard' | 'onWarn'>;
  /** Receipts or health changes were (or are about to be) stored: something new for sync to send. */
  readonly onStored?: () => void;
  /**
   * The printer profiles and field templates, already validated (read-config.ts), for the worker;
   * default: read here at start.
   */
  readonly configData?: ConfigData;
  /** The first wait before a worker that died is replaced (it doubles, up to 30 s). Default 1000 ms. */
  readonly workerRestartMs?: number;
}

/** The profiles and templates read on this thread (loaded only when not handed over). */
async function readConfigData(): Promise<ConfigData> {
  const [{ profileData }, { loadTemplates }] = await Promise.all([import('../escpos/profiles.js'), import('../receipt/fields/template.js')]);
  return { profiles: profileData(), templates: loadTemplates() };
}

export interface AgentStatus extends AgentHealth {
  /** Times the worker thread died and was started again. */
  readonly workerRestarts: number;
  /** Bytes reported while no worker could take them, over the holding limit: not journaled. */
  readonly lostBytes: number;
}

/** The longest printing waits for the journal to catch up before the gate opens anyway. */
const GATE_MAX_WAIT_MS = 200;
/** A spool segment this large gets no more records; the next ones start a new segment. */
const SPOOL_SEGMENT_BYTES = 4 * 1024 * 1024;
/** With everything journaled and nothing new for this long, the spool's segment is deleted. */
const SPOOL_QUIET_MS = 1000;
/** What is held in memory for a worker that is (re)starting, at most (when there is no spool). */
const HOLD_LIMIT = 16 * 1024 * 1024;
/**
 * What is spooled while no worker runs, at most, until one is ready again: a worker that cannot
 * start (a broken database) must not let the spool fill the disk.
 */
const DOWN_SPOOL_LIMIT = 256 * 1024 * 1024;
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;

interface Live {
  readonly printer: string;
  readonly peer: string;
  /** The session id the current worker knows this session by. */
  id: string;
  /** The worker generation it was announced to (0: not yet). */
  gen: number;
}

/**
 * Could these bytes end a receipt: a cut (`GS V`, `ESC i`, `ESC m`, Star's `ESC d n`) or an
 * initialise (`ESC @`, which starts the next one)? A byte search, cheap on the relay thread; a
 * false alarm only makes the next piece wait for the journal.
 */
export function mayEndReceipt(bytes: Uint8Array, before: number): boolean {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if ((before === 0x1d && b[0] === 0x56) || (before === 0x1b && (b[0] === 0x69 || b[0] === 0x6d || b[0] === 0x40 || b[0] === 0x64))) return true;
  for (let i = b.indexOf(0x1d); i >= 0 && i + 1 < b.length; i = b.indexOf(0x1d, i + 1)) if (b[i + 1] === 0x56) return true;
  for (let i = b.indexOf(0x1b); i >= 0 && i + 1 < b.length; i = b.indexOf(0x1b, i + 1)) {
    const x = b[i + 1];
    if (x === 0x69 || x === 0x6d || x === 0x40 || x === 0x64) return true;
  }
  return false;
}

/** The chunk bytes in `work`. */
function chunkBytes(work: readonly Work[]): number {
  let n = 0;
  for (const w of work) if (w.kind === 'chunk') n += w.c.bytes.length;
  return n;
}

const ZERO: AgentHealth = { receipts: 0, chunks: 0, storeErrors: 0, decodeErrors: 0, lastError: null };

export class Agent {
  private worker: Worker | null = null;
  private gen = 0;
  private ready = false;
  private stopping = false;
  /** The first wait before a dead worker is replaced (AgentOptions.workerRestartMs). */
  private readonly restartMinMs: number;
  private restartMs: number;
  /** Bytes spooled since the last worker was ready while none ran (see DOWN_SPOOL_LIMIT). */
  private downSpooled = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private queue: Work[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private readonly live = new Map<string, Live>();
  private readonly detach: Array<() => void> = [];
  /** Counters of workers that have died, and of the current one. */
  private past: AgentHealth = ZERO;
  private current: AgentHealth = ZERO;
  private restarts = 0;
  private lost = 0;
  private readyWaiters: Array<() => void> = [];
  /** Number of the last piece to the printer put in `queue` (see JournalGate). */
  private lastHanded = 0;
  /** The last byte to the printer (a command split between two pieces). */
  private lastByte = -1;
  private readonly gate: JournalGate;
  private readonly monitors = new Map<string, HealthMonitor>();
  /** Health reports not yet handed to the worker, per printer. */
  private healthQueue = new Map<string, { changes: HealthChange[]; heardAt: number }>();
  private configData: ConfigData | null = null;
  private readonly idleGc = new IdleGc();
  /** The relay's spool (spool.ts); null when it could not be written: then the gate holds printing. */
  private spool: SpoolWriter | null = null;
  private spoolTimer: NodeJS.Timeout | null = null;
  private journaledTo: SpoolPos | null = null;
  /** Spooled, written, and not yet told to the worker (coalesced while data streams). */
  private spooled: { w: Worker; seg: number; from: number; to: number; t0: number; t: number } | null = null;
  private spooledTimer: NodeJS.Timeout | null = null;
  private spooledAt = -Infinity;
  private stoppedClean = false;

  constructor(private readonly opts: AgentOptions) {
    this.restartMinMs = opts.workerRestartMs ?? RESTART_MIN_MS;
    this.restartMs = this.restartMinMs;
    this.gate = new JournalGate(GATE_MAX_WAIT_MS, () =>
      this.opts.log.warn({ waitedMs: GATE_MAX_WAIT_MS }, 'the journal is behind; passing bytes on without waiting for it'),
    );
  }

  get status(): AgentStatus {
    const a = this.past;
    const b = this.current;
    return {
      receipts: a.receipts + b.receipts,
      chunks: a.chunks + b.chunks,
      storeErrors: a.storeErrors + b.storeErrors,
      decodeErrors: a.decodeErrors + b.decodeErrors,
      lastError: b.lastError ?? a.lastError,
      workerRestarts: this.restarts,
      lostBytes: this.lost,
    };
  }

  /** The health monitor of a printer (when `health` is on). */
  monitor(printer: string): HealthMonitor | undefined {
    return this.monitors.get(printer);
  }

  /** Start the worker (it first finishes what the journal holds), then start capturing. */
  async start(): Promise<void> {
    this.configData = this.opts.configData ?? (await readConfigData());
    try {
      this.spool = SpoolWriter.open(join(this.opts.dataDir, 'spool'));
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'cannot write the spool; each receipt waits for the journal before the next is passed on');
    }
    const recovered = this.whenReady();
    if (this.opts.health) {
      for (const p of this.opts.printers) {
        const m = new HealthMonitor({
          ...this.opts.health,
          printer: p.name,
          onChange: (c) => this.healthReport(p.name, c, null),
          onHeard: (t) => this.healthReport(p.name, null, t),
          onWarn: (msg) => this.opts.log.warn({ printer: p.name }, msg),
        });
        // Before the driver starts: its first session already has the monitor on its link.
        m.watch(p.driver);
        this.monitors.set(p.name, m);
      }
    }
    this.spawn();
    for (const p of this.opts.printers) {
      const onChunk = (c: CaptureChunk): void => {
        // Without a spool (it failed): only a running worker ever catches up, so with none the gate
        // must not hold printing. Only a piece that may end a receipt closes the gate: the bytes of
        // a receipt (a large logo, say) stream freely, and the next receipt waits until the one
        // before is in the journal. With the spool, what was passed on is in a file by the end of
        // this turn: nothing waits.
        if (c.dir === 'to-printer' && !this.spool && this.worker && mayEndReceipt(c.bytes, this.lastByte)) this.lastHanded = this.gate.handOver();
        if (c.dir === 'to-printer' && c.bytes.length > 0) this.lastByte = c.bytes[c.bytes.length - 1]!;
        this.enqueue({ kind: 'chunk', printer: p.name, c }, c.bytes.length);
      };
      const onConnect = (s: SessionInfo): void => {
        this.live.set(s.session, { printer: p.name, peer: s.peer, id: s.session, gen: 0 });
        this.enqueue({ kind: 'connect', printer: p.name, s }, 0);
      };
      const onDisconnect = (s: SessionInfo): void => this.enqueue({ kind: 'disconnect', printer: p.name, s }, 0);
      const onWarn = (m: string): void => this.opts.log.warn({ printer: p.name }, m);
      p.driver.setRelayGate(this.gate);
      p.driver.on('chunk', onChunk).on('connect', onConnect).on('disconnect', onDisconnect).on('warn', onWarn);
      this.detach.push(() => p.driver.setRelayGate(null));
      this.detach.push(() => p.driver.off('chunk', onChunk).off('connect', onConnect).off('disconnect', onDisconnect).off('warn', onWarn));
      await p.driver.start();
      this.opts.log.info({ printer: p.name, listen: p.driver.uri }, 'capturing');
    }
    // Printing is already on; return once the journal's leftovers are decoded (or the worker failed).
    await recovered;
    // Starting (modules, config, recovery) leaves garbage: collected once the agent is quiet.
    this.idleGc.touch();
  }

  async stop(): Promise<void> {
    for (const p of this.opts.printers) await p.driver.stop();
    for (const m of this.monitors.values()) m.stop();
    for (const d of this.detach.splice(0)) d();
    this.idleGc.stop();
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const w = this.worker;
    if (!w) {
      // No worker to journal what is spooled: it stays there for the next start to replay.
      this.flush();
      await this.spool?.drain();
      this.spool?.close(false);
      return;
    }
    if (!this.ready) await this.whenReady();
    this.flush();
    // The worker reads what is spooled once it is written: it must be before the stop.
    await this.spool?.drain();
    this.postSpooled();
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'stop', t: Date.now() } satisfies ToWorker);
    // A worker stuck on a locked database still ends: its work is in the journal or lost anyway.
    const timer = setTimeout(() => void w.terminate(), 15_000);
    await exited;
    clearTimeout(timer);
    if (this.spoolTimer) clearTimeout(this.spoolTimer);
    // Everything spooled was journaled by a worker that stopped cleanly; otherwise the next start replays it.
    this.spool?.close(this.stoppedClean);
  }

  private whenReady(): Promise<void> {
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private spawn(): void {
    // This worker replays the segments before its own (what earlier workers may not have journaled).
    let below = 0;
    try {
      below = this.spool?.rotate() ?? 0;
    } catch (err) {
      this.spoolFailed(err);
    }
    this.journaledTo = null;
    const init: WorkerInit = {
      dataDir: this.opts.dataDir,
      printers: this.opts.printers.map((p) => {
        const m = this.monitors.get(p.name);
        const health = m?.watching === 'active' ? 'active' : m?.watching === 'passive' ? 'passive' : 'none';
        return { name: p.name, decode: p.decode, idleMs: p.idleMs, health, ...(m ? { settleMs: m.settleMs } : {}) };
      }),
      retentionDays: this.opts.retentionDays ?? null,
      configData: this.configData!,
      spool: this.spool ? { dir: this.spool.dir, below } : null,
    };
    // A young generation smaller than V8's default (16 MB semi-spaces would add about 14 MB to the
    // agent's resident memory while busy), but not so small that a receipt of thousands of lines
    // is promoted before it dies: with 2 MB, decoding a 64 MB printout cost ~22% more CPU (most of
    // it in major collections) than with 8 MB; idle RSS after start measured the same (79–87 MB
    // either way, run to run).
    const w = new Worker(builtSibling(import.meta.url, 'worker.js'), { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    this.worker = w;
    this.gen++;
    this.ready = false;
    this.current = ZERO;
    w.on('message', (m: FromWorker) => this.onMessage(m));
    w.on('error', (err) => this.fail(`worker: ${err.message}`));
    w.on('exit', (code) => this.onExit(w, code));
    // Work held while no worker ran goes to this one now (postMessage queues until it listens).
    this.flush();
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.restartMs = this.restartMinMs;
        this.downSpooled = 0;
        this.current = m.status;
        for (const r of this.readyWaiters.splice(0)) r();
        break;
      case 'status':
        if (m.status.receipts > this.current.receipts) this.opts.onStored?.();
        this.current = m.status;
        break;
      case 'journaled':
        this.gate.caughtUp(m.upTo);
        break;
      case 'spool-journaled':
        this.spoolJournaled(m.pos);
        break;
      case 'log':
        this.opts.log[m.level](m.obj, m.msg);
        break;
      case 'fatal':
        this.fail(`store: ${m.message}`);
        break;
      case 'stopped':
        this.stoppedClean = true;
        break;
    }
  }

  private onExit(w: Worker, code: number): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.gate.forget();
    this.past = this.status;
    this.current = ZERO;
    // Whoever waits for recovery must not wait for a worker that is gone.
    for (const r of this.readyWaiters.splice(0)) r();
    if (this.stopping) return;
    this.restarts++;
    this.opts.log.error({ code, retryInMs: this.restartMs }, 'capture worker stopped; printing goes on, capture restarts');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      // The new worker replays the segments before its own: what the old one had handed to the
      // spool must be in those files first (a write can still be in the thread pool).
      const start = (): void => {
        if (!this.stopping && !this.worker) this.spawn();
      };
      if (this.spool) this.spool.whenWritten(start);
      else start();
    }, this.restartMs);
    this.restartTimer.unref();
    this.restartMs = Math.min(this.restartMs * 2, RESTART_MAX_MS);
  }

  private fail(message: string): void {
    this.current = { ...this.current, storeErrors: this.current.storeErrors + (message.startsWith('store:') ? 1 : 0), lastError: message };
    this.opts.log.error({ err: message }, 'capture failed; printing goes on');
  }

  /** A monitor's change or "heard from at t": handed to the worker with the next work. */
  private healthReport(printer: string, change: HealthChange | null, heardAt: number | null, more: readonly HealthChange[] = []): void {
    let q = this.healthQueue.get(printer);
    if (!q) this.healthQueue.set(printer, (q = { changes: [], heardAt: 0 }));
    if (more.length > 0) q.changes.unshift(...more);
    if (change) q.changes.push(change);
    if (heardAt !== null && heardAt > q.heardAt) q.heardAt = heardAt;
    // Bounded while no worker runs: the state is what matters, not every flicker.
    if (q.changes.length > 1000) q.changes.splice(0, q.changes.length - 1000);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Reported by a driver: handed to the worker at the next turn, after the relay has moved on. */
  private enqueue(w: Work, bytes: number): void {
    this.idleGc.touch();
    if (!this.worker && this.queuedBytes + bytes > HOLD_LIMIT) {
      this.lost += bytes;
      return;
    }
    this.queue.push(w);
    this.queuedBytes += bytes;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    const w = this.worker;
    if (!w) {
      // What passed while no worker runs goes to the spool all the same (the next worker replays
      // the segments before its own): a SIGKILL before it starts loses none of it. Without a spool
      // it waits in memory for that worker. Health reports wait for it either way.
      if (this.spool) this.flushWork(null);
      return;
    }
    this.flushWork(w);
    if (this.healthQueue.size === 0) return;
    // After the work: the worker has the receipts' bytes before it hears how the printer is.
    const reports = [...this.healthQueue];
    this.healthQueue.clear();
    const post = (): void => {
      if (this.worker !== w) {
        // Held for the next worker, as when none runs.
        for (const [printer, q] of reports) this.healthReport(printer, null, q.heardAt, q.changes);
        return;
      }
      this.postSpooled();
      let changes = 0;
      for (const [printer, q] of reports) {
        w.postMessage({ type: 'health', printer, changes: q.changes, heardAt: q.heardAt } satisfies ToWorker);
        changes += q.changes.length;
      }
      if (changes > 0) this.opts.onStored?.();
    };
    if (this.spool) this.spool.whenWritten(post);
    else post();
  }

  private flushWork(w: Worker | null): void {
    if (this.queue.length === 0) return;
    const work: Work[] = [];
    for (const item of this.queue) this.translate(item, work);
    this.queue = [];
    this.queuedBytes = 0;
    // In the spool at once (see spool.ts; the write runs in the thread pool); the worker reads the
    // records back from the file (the page cache has them), so this thread copies nothing and
    // posts only where they are, once written.
    if (this.spool && work.length > 0) {
      const spool = this.spool;
      if (!w && this.downSpooled >= DOWN_SPOOL_LIMIT) {
        this.lost += chunkBytes(work);
        return;
      }
      if (spool.bytes >= SPOOL_SEGMENT_BYTES) spool.rotate();
      const t = wallClock();
      const at = spool.append(work, (err) => {
        if (!w) {
          // No worker to tell: the next one replays the segment. Not written: not captured.
          if (!err) return;
          if (this.spool === spool) this.spoolFailed(err);
          this.lost += chunkBytes(work);
          return;
        }
        if (this.worker !== w) return; // that worker is gone: its successor replays the segment
        if (!err) {
          this.tellSpooled(w, at.seg, at.from, at.off, t);
          return;
        }
        if (this.spool === spool) this.spoolFailed(err);
        this.postCopies(w, work);
      });
      if (!w) this.downSpooled += at.off - at.from;
      return;
    }
    if (w) this.postCopies(w, work);
  }

  /** Written to the spool: the worker hears of it now, or with what follows within SPOOLED_EVERY_MS. */
  private tellSpooled(w: Worker, seg: number, from: number, to: number, t: number): void {
    const p = this.spooled;
    if (p && p.w === w && p.seg === seg && p.to === from) {
      p.to = to;
      p.t = t;
    } else {
      this.postSpooled();
      this.spooled = { w, seg, from, to, t0: t, t };
    }
    const wait = this.spooledAt + SPOOLED_EVERY_MS - performance.now();
    if (wait <= 0) this.postSpooled();
    else if (!this.spooledTimer) {
      this.spooledTimer = setTimeout(() => this.postSpooled(), wait);
      this.spooledTimer.unref();
    }
  }

  private postSpooled(): void {
    if (this.spooledTimer) clearTimeout(this.spooledTimer);
    this.spooledTimer = null;
    const p = this.spooled;
    if (!p) return;
    this.spooled = null;
    this.spooledAt = performance.now();
    if (this.worker === p.w) p.w.postMessage({ type: 'spooled', seg: p.seg, from: p.from, to: p.to, t0: p.t0, t: p.t } satisfies ToWorker);
  }

  private postCopies(w: Worker, work: Work[]): void {
    // Without the spool: one exact copy of each chunk, transferred to the worker (the driver's
    // buffer may be a slice of a larger one — a clone would copy all of it — and is still the
    // socket's). Not from Buffer's shared pool (a small Buffer is a slice of it, and transferring
    // would take the pool away from this thread), and not zero-filled first. (It arrives as a
    // Uint8Array; the worker wraps it in a Buffer again.)
    const transfer: ArrayBuffer[] = [];
    for (let i = 0; i < work.length; i++) {
      const item = work[i]!;
      if (item.kind !== 'chunk') continue;
      const bytes = Buffer.allocUnsafeSlow(item.c.bytes.length);
      bytes.set(item.c.bytes);
      work[i] = { ...item, c: { ...item.c, bytes } };
      transfer.push(bytes.buffer as ArrayBuffer);
    }
    w.postMessage({ type: 'work', work, upTo: this.lastHanded } satisfies ToWorker, transfer);
  }

  /** The spool cannot be written (disk full, say): from now on the gate holds printing for the journal. */
  private spoolFailed(err: unknown): void {
    this.opts.log.error({ err: (err as Error).message }, 'the spool failed; each receipt now waits for the journal before the next is passed on');
    try {
      this.spool?.close(false);
    } catch {
      // Its segments stay for the next start to replay.
    }
    this.spool = null;
    if (this.spoolTimer) clearTimeout(this.spoolTimer);
  }

  /**
   * The worker journaled the spool up to `pos`: segments before it go now; once everything is
   * journaled and the line stays quiet, the current segment goes too (raw bytes do not linger).
   */
  private spoolJournaled(pos: SpoolPos): void {
    const spool = this.spool;
    if (!spool) return;
    this.journaledTo = pos;
    try {
      if (!spool.journaled(pos, false) || this.spoolTimer) return;
    } catch (err) {
      this.spoolFailed(err);
      return;
    }
    this.spoolTimer = setTimeout(() => {
      this.spoolTimer = null;
      const to = this.journaledTo;
      if (!this.spool || !to) return;
      try {
        // Not if more was spooled meanwhile and is not yet journaled (journaled() checks).
        this.spool.journaled(to, true);
      } catch (err) {
        this.spoolFailed(err);
      }
    }, SPOOL_QUIET_MS);
    this.spoolTimer.unref();
  }

  /**
   * Put a work item in the terms of the current worker. A session announced to a worker that has
   * since died continues under a new id (the new worker closed the old one while recovering).
   */
  private translate(item: Work, out: Work[]): void {
    const orig = item.kind === 'chunk' ? item.c.session : item.s.session;
    const l = this.live.get(orig);
    if (!l) return;
    if (item.kind === 'connect') {
      l.gen = this.gen;
      out.push(l.id === orig ? item : { ...item, s: { ...item.s, session: l.id } });
      return;
    }
    if (l.gen !== this.gen) {
      if (l.gen !== 0) l.id = `${orig}~${this.gen}`;
      l.gen = this.gen;
      out.push({ kind: 'connect', printer: l.printer, s: { session: l.id, peer: l.peer, t: Date.now() } });
    }
    if (item.kind === 'disconnect') {
      this.live.delete(orig);
      out.push(l.id === orig ? item : { ...item, s: { ...item.s, session: l.id } });
      return;
    }
    if (item.kind !== 'chunk') return;
    out.push(l.id === item.c.session ? item : { kind: 'chunk', printer: item.printer, c: { ...item.c, session: l.id } });
  }
}
