/**
 * The worker as `tilltap run` runs it: in a worker thread of its own (the built dist/ code), with
 * its own connection on the data directory, logs and attempt reports sent to the main thread.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncSchema } from '../../src/agent/config.js';
import { DB_FILE, Store } from '../../src/store/index.js';
import { type AttemptReport, startSync } from '../../src/sync/index.js';
import { startSyncTestServer } from '../helpers/sync-server.js';
import { addReceipts, later, memoryLog, tempDir, waitFor } from '../helpers/sync.js';

describe('sync thread', () => {
  it('drains the data directory from its own thread and stops on request', async () => {
    const server = await startSyncTestServer();
    later(() => server.stop());
    const dir = tempDir();
    const store = Store.open(dir);
    later(() => store.close());
    const ids = addReceipts(store, 120);
    const log = memoryLog();
    const sync = await startSync(dir, { url: server.url, token: 'test-token', terminal: 'T7' }, syncSchema.parse({ interval_ms: 100 }), log);
    later(() => sync.stop());
    const reports: AttemptReport[] = [];
    sync.on('attempt', (a) => reports.push(a));
    await waitFor(() => store.syncStatus().backlog === 0, 'the backlog');
    // The reports come by message, after the commit the agent's connection already sees.
    await waitFor(() => reports.reduce((n, r) => n + r.synced, 0) === 120, 'the attempt reports');
    // The agent's connection sees what the thread's connection committed.
    expect(store.listReceipts({ synced: false })).toEqual([]);
    for (const id of ids) expect(server.stored.get(id)).toBe(1);
    expect(log.lines.some((l) => l.level === 'info' && /batch sent/.test(l.msg))).toBe(true);
    expect(server.requests[0]!.device).toMatchObject({ id: store.deviceId(), terminal: 'T7' });

    // New receipts from the agent's side reach the server through the thread.
    const more = addReceipts(store, 3);
    await waitFor(() => more.every((id) => server.stored.get(id) === 1), 'the new receipts');
    await sync.stop();
    const after = addReceipts(store, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(after.some((id) => server.stored.has(id))).toBe(false);
  });

  it('a store it cannot open now is logged and tried again: sync starts when it can', async () => {
    const server = await startSyncTestServer();
    later(() => server.stop());
    const dir = tempDir();
    // Something that is not a database where the database must be.
    mkdirSync(join(dir, DB_FILE));
    const log = memoryLog();
    const sync = await startSync(dir, { url: server.url, token: 'test-token' }, syncSchema.parse({ interval_ms: 100 }), log, { restartMs: 200 });
    later(() => sync.stop());
    expect(log.lines.find((l) => l.level === 'error')?.msg).toMatch(/cannot open the store/);
    rmSync(join(dir, DB_FILE), { recursive: true });
    const store = Store.open(dir);
    later(() => store.close());
    const ids = addReceipts(store, 7);
    await waitFor(() => ids.every((id) => server.stored.get(id) === 1), 'the receipts after the restart');
    await waitFor(() => sync.deviceId === store.deviceId(), 'the device id from the new thread');
  });

  it('ends its thread when there is nothing to send, and starts again on a nudge, on a retry falling due and on its periodic wake', async () => {
    const server = await startSyncTestServer();
    later(() => server.stop());
    const dir = tempDir();
    const store = Store.open(dir);
    later(() => store.close());
    const first = addReceipts(store, 5);
    const log = memoryLog();
    const sync = await startSync(dir, { url: server.url, token: 'test-token' }, syncSchema.parse({ interval_ms: 100, idle_exit_ms: 300, retry_min_ms: 2000, retry_max_ms: 2000 }), log, { wakeEveryMs: 1500 });
    later(() => sync.stop());
    let sleeps = 0;
    let wakes = 0;
    sync.on('sleep', () => sleeps++);
    sync.on('wake', () => wakes++);
    await waitFor(() => first.every((id) => server.stored.get(id) === 1), 'the first receipts');
    await waitFor(() => !sync.awake && sleeps === 1, 'the thread to end while idle');

    // A nudge (what the agent does when it stores a receipt) starts it again at once.
    const nudged = addReceipts(store, 2);
    sync.nudge();
    await waitFor(() => nudged.every((id) => server.stored.get(id) === 1), 'the nudged receipts');
    expect(wakes).toBe(1);
    await waitFor(() => sleeps === 2, 'sleep after the nudged batch');

    // Rows written without a nudge (another process) go at the periodic wake.
    const quiet = addReceipts(store, 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(server.stored.has(quiet[0]!)).toBe(false);
    await waitFor(() => server.stored.get(quiet[0]!) === 1, 'the periodic wake', 5000);
    await waitFor(() => sleeps === 3, 'sleep again');

    // Asleep while a retry is pending: it wakes when the retry falls due, not only on a nudge.
    // (Backoff 2 s with equal jitter: due 1–2 s later, well past the 300 ms idle exit.)
    server.faults.push({ kind: 'status', status: 503 });
    const retried = addReceipts(store, 1);
    sync.nudge();
    await waitFor(() => sleeps === 4, 'sleep while the retry waits', 5000);
    expect(server.stored.has(retried[0]!)).toBe(false);
    await waitFor(() => server.stored.get(retried[0]!) === 1, 'the retried receipt', 5000);
    expect(log.lines.some((l) => l.level === 'error' && /thread ended/.test(l.msg))).toBe(false);
  });

  it('does not start with an unreadable CA file, and says why', async () => {
    const dir = tempDir();
    const missing = join(dir, 'missing-ca.pem');
    await expect(startSync(dir, { url: 'https://127.0.0.1:9/', token: 't' }, syncSchema.parse({ ca_file: missing }), memoryLog())).rejects.toThrow(
      /missing-ca\.pem/,
    );
  });
});
