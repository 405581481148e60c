/**
 * The main thread's handle on the sync worker, which runs in a worker thread of its own: building a
 * batch body, reading the due rows and committing an answer are synchronous work (tens of ms for
 * a batch of 500), and on the main thread they would hold up the drivers' relay of print jobs
 * while a backlog drains. In its own thread nothing of sync runs on the capture's event loop.
 *
 * The thread runs only while there is something to send: after `idleExitMs` with nothing queued
 * (or with the next retry further away than that) it ends, and its isolate's memory — about a
 * quarter of an idle agent's — goes back to the system. It starts again when the agent stores
 * something (`nudge()`), when the retry falls due, and at least every `wakeEveryMs` (rows written
 * by another process, such as `tilltap receipts redecode`).
 *
 * If the thread dies (a bug), it is logged and started again after a pause: sync must not stop for
 * the rest of the agent's life because of one bad moment.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { builtSibling } from '../paths.js';
import type { SyncConfig } from '../agent/config.js';
import type { SyncServerConfig, SyncThreadInit } from './index.js';
import type { AttemptReport, SyncLog } from './worker.js';
import { trimAllocator } from '../memory-trim.js';

export type HostMessage = { readonly type: 'stop' } | { readonly type: 'nudge' };

export type ThreadMessage =
  | { readonly type: 'started'; readonly deviceId: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string; readonly config: boolean }
  | { readonly type: 'attempt'; readonly report: AttemptReport }
  /** A cycle ended; the earliest queued row is due then (epoch ms), or nothing is queued (null). */
  | { readonly type: 'settled'; readonly due: number | null }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly obj: object; readonly msg: string };

/** How long after its thread ended the worker is started again. */
export const RESTART_MS = 10_000;
/** Asleep, the thread still looks at the store this often. */
export const WAKE_EVERY_MS = 15 * 60_000;
const STOP_GRACE_MS = 10_000;

export interface SyncThreadOptions {
  readonly restartMs?: number;
  /** Nothing to send for this long: the thread ends until there is. 0: it never ends. */
  readonly idleExitMs?: number;
  readonly wakeEveryMs?: number;
}

export class SyncThread extends EventEmitter<{ attempt: [AttemptReport]; sleep: []; wake: [] }> {
  private worker: Worker | null = null;
  private stopping = false;
  private device = '';
  private restart: NodeJS.Timeout | null = null;
  /** Armed while the running thread has nothing to send soon; firing puts it to sleep. */
  private idleTimer: NodeJS.Timeout | null = null;
  /** Asleep: when to start the thread again. */
  private wakeTimer: NodeJS.Timeout | null = null;
  /** The thread is being ended for sleep (not a crash, not the final stop). */
  private sleeping: Promise<void> | null = null;
  /** A nudge came while the thread was going to sleep: start it again at once. */
  private wakeAfterSleep = false;
  private readonly restartMs: number;
  private readonly idleExitMs: number;
  private readonly wakeEveryMs: number;

  private constructor(
    private readonly init: SyncThreadInit,
    private readonly log: SyncLog,
    opts: SyncThreadOptions,
  ) {
    super();
    this.restartMs = opts.restartMs ?? RESTART_MS;
    this.idleExitMs = opts.idleExitMs ?? 0;
    this.wakeEveryMs = opts.wakeEveryMs ?? WAKE_EVERY_MS;
  }

  /**
   * Start the thread; rejects (nothing left running) on a configuration that can never work, e.g.
   * an unreadable CA file.
   */
  static async start(init: SyncThreadInit, log: SyncLog, opts: SyncThreadOptions = {}): Promise<SyncThread> {
    const t = new SyncThread(init, log, opts);
    await t.spawn();
    return t;
  }

  /** The data directory's device id, as the thread read it from the store ('' until it could). */
  get deviceId(): string {
    return this.device;
  }

  /** Is the thread running now (false while asleep or between restarts)? */
  get awake(): boolean {
    return this.worker !== null && this.sleeping === null;
  }

  /** Something new is stored: look for due rows now (starting the thread if it sleeps). */
  nudge(): void {
    if (this.stopping) return;
    this.disarmIdle();
    if (this.sleeping) {
      this.wakeAfterSleep = true;
      return;
    }
    if (this.worker) {
      this.worker.postMessage({ type: 'nudge' } satisfies HostMessage);
      return;
    }
    if (this.wakeTimer) this.wake();
  }

  /** Stop the worker (a POST in flight is aborted; its rows stay queued) and end the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restart) clearTimeout(this.restart);
    this.disarmIdle();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    await this.sleeping;
    await this.end();
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** A cycle ended with the next row due at `due`: arm the idle exit if that is far enough away. */
  private settled(due: number | null): void {
    if (this.idleExitMs <= 0 || this.stopping || this.sleeping) return;
    if (due !== null && due - Date.now() <= this.idleExitMs) {
      this.disarmIdle();
      return;
    }
    if (this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.sleep(due);
    }, this.idleExitMs);
    this.idleTimer.unref();
  }

  private sleep(due: number | null): void {
    this.sleeping = this.end().finally(() => {
      this.sleeping = null;
      if (this.stopping) return;
      // The thread's heap went back to the C allocator, which keeps it unless told.
      trimAllocator();
      this.emit('sleep');
      if (this.wakeAfterSleep) {
        this.wake();
        return;
      }
      const at = Math.min(due ?? Infinity, Date.now() + this.wakeEveryMs);
      this.wakeTimer = setTimeout(() => this.wake(), Math.max(0, at - Date.now()));
      this.wakeTimer.unref();
    });
  }

  private wake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeAfterSleep = false;
    this.spawn().then(
      () => this.emit('wake'),
      (err: unknown) => this.log.error({ err: (err as Error).message }, 'sync: could not start the worker thread again'),
    );
  }

  /** Ends the running thread, if any, letting a batch in flight finish or abort cleanly. */
  private async end(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_GRACE_MS);
      w.on('message', (m: ThreadMessage) => {
        if (m.type === 'stopped' || m.type === 'failed') {
          clearTimeout(timer);
          resolve();
        }
      });
      w.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      w.postMessage({ type: 'stop' } satisfies HostMessage);
    });
    await w.terminate();
    this.worker = null;
  }

  private spawn(): Promise<void> {
    // A small young generation, as for the capture worker: about 14 MB less resident memory.
    const w = new Worker(builtSibling(import.meta.url, 'thread.js'), { workerData: this.init, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    this.worker = w;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      w.on('message', (m: ThreadMessage) => {
        switch (m.type) {
          case 'started':
            started = true;
            this.device = m.deviceId;
            resolve();
            break;
          case 'failed':
            if (started) this.log.error({ err: m.message }, 'sync: the worker failed to stop cleanly');
            else if (m.config) {
              reject(new Error(m.message));
              void w.terminate();
            } else {
              // The data directory cannot be opened now (locked, disk full…): capture goes on,
              // sync starts again when the thread ends (restart below).
              started = true;
              this.log.error({ err: m.message }, 'sync: cannot open the store; trying again later');
              resolve();
              void w.terminate();
            }
            break;
          case 'attempt':
            this.emit('attempt', m.report);
            break;
          case 'settled':
            this.settled(m.due);
            break;
          case 'log':
            this.log[m.level](m.obj, m.msg);
            break;
          case 'stopped':
            break;
        }
      });
      w.on('error', (err) => {
        if (!started) reject(err);
        else this.log.error({ err: err.message }, 'sync: the worker thread crashed');
      });
      w.on('exit', (code) => {
        if (this.worker === w) this.worker = null;
        if (!started || this.stopping || this.sleeping) return;
        this.log.error({ code, restartInMs: this.restartMs }, 'sync: the worker thread ended; starting it again');
        this.restart = setTimeout(() => {
          this.restart = null;
          if (!this.stopping) this.spawn().catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'sync: could not start the worker thread again'));
        }, this.restartMs);
        this.restart.unref();
      });
    });
  }
}

/**
 * What `tilltap run` calls: the worker in a thread of its own (host.ts), so nothing of sync runs
 * on the event loop that relays print jobs. Rejects on a configuration that can never work (an
 * unreadable CA file); a store that cannot be opened now is logged and tried again later.
 */
export function startSync(
  dataDir: string,
  server: SyncServerConfig,
  config: SyncConfig,
  log: SyncLog,
  opts: Omit<SyncThreadOptions, 'idleExitMs'> = {},
): Promise<SyncThread> {
  // Plain data only: it is copied into the thread.
  const init: SyncThreadInit = { dataDir, server: { url: server.url, token: server.token, terminal: server.terminal }, config: { ...config } };
  return SyncThread.start(init, log, { ...opts, idleExitMs: config.idle_exit_ms });
}
