/**
 * The main thread's handle on the sync worker, which runs in a worker thread of its own: building a
 * batch body, reading the due rows and committing an answer are synchronous work (tens of ms for
 * a batch of 500), and on the main thread they would hold up the drivers' relay of print jobs
 * while a backlog drains. In its own thread nothing of sync runs on the capture's event loop.
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

export type HostMessage = { readonly type: 'stop' } | { readonly type: 'nudge' };

export type ThreadMessage =
  | { readonly type: 'started'; readonly deviceId: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string; readonly config: boolean }
  | { readonly type: 'attempt'; readonly report: AttemptReport }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly obj: object; readonly msg: string };

/** How long after its thread ended the worker is started again. */
export const RESTART_MS = 10_000;
const STOP_GRACE_MS = 10_000;

export class SyncThread extends EventEmitter<{ attempt: [AttemptReport] }> {
  private worker: Worker | null = null;
  private stopping = false;
  private device = '';
  private restart: NodeJS.Timeout | null = null;

  private constructor(
    private readonly init: SyncThreadInit,
    private readonly log: SyncLog,
    private readonly restartMs: number,
  ) {
    super();
  }

  /**
   * Start the thread; rejects (nothing left running) on a configuration that can never work, e.g.
   * an unreadable CA file.
   */
  static async start(init: SyncThreadInit, log: SyncLog, restartMs = RESTART_MS): Promise<SyncThread> {
    const t = new SyncThread(init, log, restartMs);
    await t.spawn();
    return t;
  }

  /** The data directory's device id, as the thread read it from the store ('' until it could). */
  get deviceId(): string {
    return this.device;
  }

  nudge(): void {
    this.worker?.postMessage({ type: 'nudge' } satisfies HostMessage);
  }

  /** Stop the worker (a POST in flight is aborted; its rows stay queued) and end the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restart) clearTimeout(this.restart);
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
        if (!started || this.stopping) return;
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
  opts: { readonly restartMs?: number } = {},
): Promise<SyncThread> {
  // Plain data only: it is copied into the thread.
  const init: SyncThreadInit = { dataDir, server: { url: server.url, token: server.token, terminal: server.terminal }, config: { ...config } };
  return SyncThread.start(init, log, opts.restartMs);
}
