/**
 * Background sync from the agent to head office: `startSync` is what `tilltap run` calls when a
 * server is configured.
 *
 *   backoff.ts    delays (pure)                 protocol.ts  bodies, keys, answers (pure)
 *   classify.ts   outcome → what to do (pure)   kinds.ts     what is sent where (receipts, health events)
 *   client.ts     got: timeouts, TLS, auth      worker.ts    the loop: take, send, settle, back off
 *
 *   host.ts       the worker's thread, seen from the main thread; thread.ts: its entry point
 *
 * `tilltap run` runs the worker in a thread of its own with its own Store connection on the data
 * directory, not the agent's: a connection cannot cross threads, and the synchronous part of a
 * batch (reading 500 rows, building a 2 MB body, committing the answer: tens of ms) must not run
 * on the event loop that relays print jobs. With WAL the two connections only meet on the write
 * lock, which each holds for one short transaction: capture's commits wait at most for one
 * settle of a batch, never for the network.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncConfig } from '../agent/config.js';
import { packageRoot } from '../paths.js';
import { Store } from '../store/index.js';
import { createSyncClient } from './client.js';
import { SyncThread } from './host.js';
import { healthEventsKind, receiptsKind } from './kinds.js';
import { type SyncLog, type SyncSettings, SyncWorker } from './worker.js';

export { backoffDelay, retryAfterMs, type BackoffPolicy } from './backoff.js';
export { classify, type Decision, type Exchange } from './classify.js';
export { createSyncClient, type SyncClient, type SyncClientOptions } from './client.js';
export { SYNC_ERRORS, type SyncErrorCode } from './errors.js';
export { healthEventsKind, receiptsKind, receiptWire, type OutboxKind, type SyncItem } from './kinds.js';
export { batchBody, idempotencyKey, isoWithZoneMs } from './protocol.js';
export { SyncThread } from './host.js';
export { SyncWorker, type AttemptReport, type SyncLog, type SyncSettings, type SyncWorkerOptions } from './worker.js';

export interface SyncServerConfig {
  readonly url: string;
  readonly token: string;
  readonly terminal?: string | undefined;
}

export function tilltapVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Which server and token: a hash (the token itself is never written to the database). */
export function endpointOf(server: SyncServerConfig): string {
  return createHash('sha256').update(`${server.url}\n${server.token}`).digest('hex').slice(0, 16);
}

export function syncSettings(c: SyncConfig): SyncSettings {
  return {
    intervalMs: c.interval_ms,
    batchSize: c.batch_size,
    batchBytes: c.batch_bytes,
    gzip: c.gzip,
    backoff: { baseMs: c.retry_min_ms, maxMs: Math.max(c.retry_min_ms, c.retry_max_ms) },
    hold: { baseMs: c.hold_ms, maxMs: Math.max(c.hold_ms, c.hold_max_ms) },
  };
}

/** A configuration that can never work (an unreadable CA file): bad usage, not a passing fault. */
export class SyncConfigError extends Error {
  override readonly name = 'SyncConfigError';
}

/** What the sync thread is started with (structured-cloned into it). */
export interface SyncThreadInit {
  readonly dataDir: string;
  readonly server: SyncServerConfig;
  readonly config: SyncConfig;
}

export interface RunningSync {
  readonly worker: SyncWorker;
  readonly deviceId: string;
  /** Stop the worker (a POST in flight is aborted, its rows stay queued), close its connection. */
  stop(): Promise<void>;
}

/**
 * In this thread: open a second connection on the data directory and start the worker. Throws
 * (before anything starts) a SyncConfigError when the CA file cannot be read, the store's error
 * when the data directory cannot be opened. The sync thread calls this.
 */
export function openSync(dataDir: string, server: SyncServerConfig, config: SyncConfig, log: SyncLog): RunningSync {
  const version = tilltapVersion();
  let client;
  try {
    client = createSyncClient({
      url: server.url,
      token: server.token,
      caFile: config.ca_file,
      connectTimeoutMs: config.connect_timeout_ms,
      timeoutMs: config.timeout_ms,
      userAgent: `tilltap/${version}`,
    });
  } catch (err) {
    throw new SyncConfigError((err as Error).message);
  }
  let store: Store;
  try {
    store = Store.open(dataDir);
  } catch (err) {
    client.close();
    throw err;
  }
  const worker = new SyncWorker({
    store,
    kinds: [receiptsKind(store), healthEventsKind(store)],
    client,
    terminal: server.terminal ?? null,
    version,
    settings: syncSettings(config),
    log,
    endpoint: endpointOf(server),
  });
  worker.start();
  return {
    worker,
    deviceId: store.deviceId(),
    async stop(): Promise<void> {
      await worker.stop();
      client.close();
      store.close();
    },
  };
}

export { startSync } from './host.js';
