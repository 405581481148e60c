/**
 * The outbox worker against a real HTTP server on 127.0.0.1 (test/helpers/sync-server.ts) that
 * injects faults. After every fault the same question: did every receipt arrive, and was each one
 * stored exactly once (counted by id on the server side)?
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { createSyncClient, healthEventsKind, idempotencyKey, receiptsKind, type AttemptReport, type SyncSettings, SyncWorker } from '../../src/sync/index.js';
import { type SyncTestServer, startSyncTestServer } from '../helpers/sync-server.js';
import { addHealthEvents, addReceipts, FAST, later, memoryLog, openStore, sleep, tempDir, waitFor } from '../helpers/sync.js';

interface Rig {
  store: Store;
  server: SyncTestServer;
  worker: SyncWorker;
  log: ReturnType<typeof memoryLog>;
  attempts: AttemptReport[];
}

async function rig(
  opts: {
    settings?: Partial<SyncSettings>;
    token?: string;
    endpoint?: string;
    server?: SyncTestServer;
    store?: Store;
    timeoutMs?: number;
    start?: boolean;
    /** Send printer health events too. */
    health?: boolean;
  } = {},
): Promise<Rig> {
  const server = opts.server ?? (await startSyncTestServer({ clockSkewMs: 60_000 }));
  later(() => server.stop());
  const store = opts.store ?? openStore(tempDir());
  const client = createSyncClient({
    url: server.url,
    token: opts.token ?? 'test-token',
    // Generous: a loaded CI machine must not turn the good path into timeouts.
    connectTimeoutMs: 5000,
    timeoutMs: opts.timeoutMs ?? 10_000,
    userAgent: 'tilltap-test',
  });
  const log = memoryLog();
  const worker = new SyncWorker({
    store,
    kinds: opts.health ? [receiptsKind(store), healthEventsKind(store)] : [receiptsKind(store)],
    client,
    terminal: 'T01',
    version: '9.9.9',
    settings: { ...FAST, ...opts.settings },
    log,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  });
  const attempts: AttemptReport[] = [];
  worker.on('attempt', (a) => attempts.push(a));
  later(async () => {
    await worker.stop();
    client.close();
  });
  if (opts.start !== false) worker.start();
  return { store, server, worker, log, attempts };
}

/** Every id on the server, each stored once, none other; the agent's outbox empty. */
function exactlyOnce(r: Rig, ids: readonly string[]): void {
  expect(r.server.doubled()).toEqual([]);
  expect([...r.server.stored.keys()].sort()).toEqual([...ids].sort());
  for (const id of ids) expect(r.server.stored.get(id)).toBe(1);
  expect(r.store.syncStatus().backlog).toBe(0);
  expect(r.store.listReceipts({ synced: false })).toEqual([]);
}

const drained = (r: Rig): boolean => r.store.syncStatus().backlog === 0;

describe('sync worker: the good path', () => {
  it('drains a backlog in batches, gzipped, authorised, keyed by content, with the device clock', async () => {
    const r = await rig({ start: false });
    const ids = addReceipts(r.store, 250);
    const first = r.store.takeReceiptBatch({ maxCount: 100, maxBytes: FAST.batchBytes });
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog to drain');
    exactlyOnce(r, ids);

    const posts = r.server.requests;
    expect(posts.map((p) => p.rows)).toEqual([100, 100, 50]);
    expect(posts.every((p) => p.gzip && p.status === 200 && p.route === '/api/v1/receipts')).toBe(true);
    // The key is the batch's content: device id and id:revision:sha256 of each row.
    expect(posts[0]!.key).toBe(idempotencyKey(r.store.deviceId(), first.map((x) => `${x.id}:${x.revision}:${x.sha256}`)));
    expect(new Set(posts.map((p) => p.key)).size).toBe(3);
    const device = posts[0]!.device!;
    expect(device).toMatchObject({ id: r.store.deviceId(), terminal: 'T01', version: '9.9.9' });
    expect(Math.abs(device.clock_ms! - Date.now())).toBeLessThan(30_000);
    expect(Date.parse(device.clock!)).toBe(device.clock_ms);
    expect(device.clock).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    // Server clock 60 s ahead: the agent learns the offset.
    const status = r.store.syncStatus();
    expect(status.clockOffsetMs).toBeGreaterThan(55_000);
    expect(status.clockOffsetMs).toBeLessThan(65_000);
    expect(status.lastSuccessAt).not.toBeNull();
    expect(status.lastError).toBeNull();
    // The server holds exactly what the agent hashed.
    const held = r.server.receipts.get(ids[7]!)!;
    expect(held.sha256).toBe(r.store.getReceipt(ids[7]!)!.sha256);
    expect(held.receipt).toEqual(r.store.getReceipt(ids[7]!)!.receipt);
  });

  it('sends new receipts as they come, uncompressed when gzip is off', async () => {
    const r = await rig({ settings: { gzip: false } });
    const ids = addReceipts(r.store, 3);
    await waitFor(() => drained(r), 'the first receipts');
    ids.push(...addReceipts(r.store, 2));
    await waitFor(() => drained(r), 'the next receipts');
    exactlyOnce(r, ids);
    expect(r.server.requests.every((p) => !p.gzip)).toBe(true);
  });

  it('cuts batches by bytes', async () => {
    const r = await rig({ settings: { batchBytes: 16_384 }, start: false });
    const ids = addReceipts(r.store, 120);
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog');
    exactlyOnce(r, ids);
    expect(r.server.requests.length).toBeGreaterThan(2);
    expect(Math.max(...r.server.requests.map((p) => p.rows))).toBeLessThan(100);
  });
});

describe('sync worker: two kinds', () => {
  it('sends health events to their own route; a kind that fails does not hold the other back', async () => {
    const r = await rig({ health: true, start: false, settings: { hold: { baseMs: 60_000, maxMs: 60_000 } } });
    const receipts = addReceipts(r.store, 20);
    const events = addHealthEvents(r.store, 6);
    // The first request (receipts, the first kind) is refused for long; health events still go.
    r.server.faults.push({ kind: 'status', status: 404, code: 'NOT_FOUND' });
    r.worker.start();
    await waitFor(() => r.store.syncStatus().kinds['health-events'].backlog === 0, 'the health events');
    expect([...r.server.events.keys()].sort()).toEqual([...events].sort());
    for (const id of events) expect(r.server.stored.get(id)).toBe(1);
    expect(r.store.syncStatus()).toMatchObject({ backlog: 20, lastError: { code: 'SYNC_REFUSED' } });
    expect(r.store.syncState('health-events')).toMatchObject({ failures: 0, lastError: null });
    const sent = r.server.requests.find((q) => q.route === '/api/v1/health-events')!;
    expect(sent).toMatchObject({ rows: 6, status: 200, gzip: true });
    expect(sent.device).toMatchObject({ id: r.store.deviceId(), terminal: 'T01' });
    expect(receipts.some((id) => r.server.stored.has(id))).toBe(false);
  });
});

describe('sync worker: faults', () => {
  it('retries 500s and 503s with backoff, then delivers everything once', async () => {
    const r = await rig({ start: false });
    const ids = addReceipts(r.store, 150);
    r.server.faults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 502 }, { kind: 'status', status: 503, headers: { 'retry-after': '0' } });
    r.worker.start();
    await waitFor(() => r.attempts.length >= 3, 'three failed attempts');
    // Failed attempts are on record: the kind's state and the rows' own attempts.
    const state = r.store.syncState('receipts');
    expect(state.lastError?.code).toBe('SYNC_SERVER_ERROR');
    await waitFor(() => drained(r), 'the backlog');
    exactlyOnce(r, ids);
    expect(r.attempts.slice(0, 3).map((a) => a.status)).toEqual([500, 502, 503]);
    expect(r.store.syncState('receipts').failures).toBe(0);
    // The retried batch was the same batch, under the same key.
    expect(r.server.requests[3]!.key).toBe(r.server.requests[0]!.key);
  });

  it('survives connections reset before and after the server stored the batch', async () => {
    const r = await rig({ start: false });
    const ids = addReceipts(r.store, 150);
    r.server.faults.push({ kind: 'reset-before' }, { kind: 'reset-after' }, { kind: 'status', status: 200 }, { kind: 'reset-after' });
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog');
    exactlyOnce(r, ids);
    // The batch stored before its answer was lost came again, and was recognised.
    expect(r.server.redelivered().length).toBeGreaterThanOrEqual(100);
    expect(r.attempts.some((a) => a.action === 'retry' && a.status === null)).toBe(true);
  });

  it('gives up on a server that never answers (timeout), and on one that answers late', async () => {
    const r = await rig({ timeoutMs: 300, start: false });
    const ids = addReceipts(r.store, 120);
    r.server.faults.push({ kind: 'hang' }, { kind: 'hang-after' });
    r.worker.start();
    await waitFor(() => r.attempts.length >= 2, 'two timed-out attempts');
    expect(r.store.syncState('receipts').lastError?.code).toBe('SYNC_TIMEOUT');
    await waitFor(() => drained(r), 'the backlog');
    exactlyOnce(r, ids);
  });

  it('waits out a long outage with growing delays, then delivers what piled up', async () => {
    const server = await startSyncTestServer();
    const port = Number(new URL(server.url).port);
    await server.stop();
    const r = await rig({ server, settings: { backoff: { baseMs: 20, maxMs: 300 } }, start: false });
    // The delay each failure set, as persisted.
    const delays: number[] = [];
    r.worker.on('attempt', () => {
      const st = r.store.syncState('receipts');
      delays.push(st.nextAttemptAt - st.lastAttemptAt!);
    });
    r.worker.start();
    const ids = addReceipts(r.store, 40);
    await waitFor(() => r.attempts.length >= 6, 'six failed attempts while the server is down');
    expect(r.attempts.every((a) => a.action === 'retry' && a.status === null)).toBe(true);
    // 20·2^(n−1) capped at 300, half of it jitter: 10–20, 20–40, 40–80, 80–160, 150–300, 150–300.
    expect(delays[0]).toBeLessThanOrEqual(20);
    expect(delays[1]).toBeGreaterThanOrEqual(20);
    expect(delays[3]).toBeGreaterThanOrEqual(80);
    expect(delays[5]).toBeGreaterThanOrEqual(150);
    expect(Math.max(...delays)).toBeLessThanOrEqual(300);
    const st = r.store.syncState('receipts');
    expect(st.failures).toBeGreaterThanOrEqual(6);
    expect(st.lastError?.code).toBe('SYNC_NETWORK');
    expect(st.nextAttemptAt).toBeGreaterThan(st.lastAttemptAt!);
    // Receipts keep coming while the server is away.
    ids.push(...addReceipts(r.store, 30));
    expect(r.store.syncStatus()).toMatchObject({ backlog: 70 });
    expect(r.store.syncStatus().oldestUnsyncedAt).not.toBeNull();
    await server.start(port);
    await waitFor(() => drained(r), 'the backlog after the outage');
    exactlyOnce(r, ids);
  });

  it('an Idempotency-Key the server says was used with another body: the same rows once more under a fresh key', async () => {
    const r = await rig({ start: false });
    const ids = addReceipts(r.store, 10);
    r.server.faults.push({ kind: 'status', status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog');
    exactlyOnce(r, ids);
    expect(r.server.requests.map((q) => q.status)).toEqual([422, 200]);
    expect(r.server.requests[1]!.key).not.toBe(r.server.requests[0]!.key);
    expect(r.log.lines.some((l) => l.level === 'warn' && /fresh key/.test(l.msg))).toBe(true);
  });

  it('a batch retried after the server stored it gets the stored answer (same key, new clock)', async () => {
    const r = await rig({ start: false });
    const ids = addReceipts(r.store, 10);
    r.server.faults.push({ kind: 'reset-after' });
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog');
    exactlyOnce(r, ids);
    expect(r.server.requests.map((q) => [q.status, q.replayed])).toEqual([
      ['reset', false],
      [200, true],
    ]);
    expect(r.server.requests[1]!.key).toBe(r.server.requests[0]!.key);
    expect(r.server.requests[1]!.device!.clock_ms).toBeGreaterThan(r.server.requests[0]!.device!.clock_ms!);
  });

  it('answers to a duplicate delivery are duplicates, not doubles', async () => {
    const r = await rig({ start: false });
    const ids = addReceipts(r.store, 20);
    // The server already holds half of them with the same content (an earlier, unrecorded send).
    for (const id of ids.slice(0, 10)) r.server.seed(id, r.store.getReceipt(id)!.receipt, r.store.deviceId());
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog');
    expect(r.server.doubled()).toEqual([]);
    expect(r.server.requests).toHaveLength(1);
    expect(r.store.listReceipts({ synced: false })).toEqual([]);
    expect([...r.server.stored.keys()].sort()).toEqual(ids.slice(10).sort());
  });

  it('parks the conflicts of a 409 and syncs the rest; parked rows are not sent again', async () => {
    const r = await rig({ start: false });
    const ids = addReceipts(r.store, 30);
    const [a, b] = [ids[3]!, ids[17]!];
    r.server.seed(a, { other: 'content' });
    r.server.seed(b, { other: 'content too' });
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog');
    expect(r.attempts[0]).toMatchObject({ status: 409, action: 'settle', synced: 28, parked: 2 });
    const status = r.store.syncStatus();
    expect(status).toMatchObject({ backlog: 0, parked: 2 });
    expect(r.store.parkedReceipts().map((p) => p.id).sort()).toEqual([a, b].sort());
    expect(r.store.parkedReceipts()[0]!.reason).toMatch(/other content/);
    for (const id of ids.filter((x) => x !== a && x !== b)) expect(r.server.stored.get(id)).toBe(1);
    expect(r.store.getReceipt(a)!.synced).toBe(false);
    // New receipts flow; the parked ones stay where they are.
    const more = addReceipts(r.store, 5);
    await waitFor(() => more.every((id) => r.server.stored.get(id) === 1), 'the new receipts');
    await sleep(200);
    expect(r.server.deliveries.get(a)).toBe(1);
    expect(r.server.deliveries.get(b)).toBe(1);
    expect(r.server.doubled()).toEqual([]);
    expect(r.log.lines.some((l) => l.level === 'warn' && /parked/.test(l.msg))).toBe(true);
  });

  it('sends a redecoded receipt as a new revision, which the server takes as a correction', async () => {
    const r = await rig();
    const [id] = addReceipts(r.store, 1);
    await waitFor(() => drained(r), 'the first send');
    const before = r.store.getReceipt(id!)!;
    expect(r.store.updateDecoded(id!, { ...before.receipt, text: 'RECEIPT 0\nTOTAL 0.50\n' })).toBe(true);
    expect(r.store.getReceipt(id!)!.revision).toBe(1);
    await waitFor(() => drained(r), 'the correction');
    expect(r.attempts.at(-1)).toMatchObject({ status: 200, synced: 1, parked: 0 });
    expect(r.server.receipts.get(id!)).toMatchObject({ revision: 1, sha256: r.store.getReceipt(id!)!.sha256 });
    expect(r.server.receipts.get(id!)!.history).toEqual([{ revision: 0, sha256: before.sha256 }]);
    expect(r.server.stored.get(id!)).toBe(1);
  });

  it('holds back long on a refused token, loudly, and sends nothing blindly', async () => {
    const r = await rig({ token: 'revoked', endpoint: 'url+revoked', settings: { hold: { baseMs: 10_000, maxMs: 60_000 } } });
    addReceipts(r.store, 5);
    await waitFor(() => r.attempts.length >= 1, 'one attempt');
    await sleep(250);
    expect(r.server.requests).toHaveLength(1);
    expect(r.attempts[0]).toMatchObject({ status: 401, action: 'hold' });
    const loud = r.log.lines.find((l) => l.level === 'error');
    expect(loud?.msg).toMatch(/refused the device token/);
    expect(loud?.obj).toMatchObject({ code: 'SYNC_UNAUTHORIZED' });
    const st = r.store.syncState('receipts');
    expect(st.lastError?.code).toBe('SYNC_UNAUTHORIZED');
    expect(st.nextAttemptAt - st.lastAttemptAt!).toBeGreaterThanOrEqual(5_000);
    expect(r.store.syncStatus()).toMatchObject({ backlog: 5, parked: 0 });

    // Restarted with the same token: the hold is kept. With a new token: sending resumes at once.
    await r.worker.stop();
    const again = await rig({ store: r.store, server: r.server, token: 'revoked', endpoint: 'url+revoked' });
    await sleep(200);
    expect(again.attempts).toEqual([]);
    await again.worker.stop();
    const fixed = await rig({ store: r.store, server: r.server, token: 'test-token', endpoint: 'url+fixed' });
    await waitFor(() => drained(fixed), 'the backlog with the new token');
    expect(fixed.log.lines.some((l) => /backoff dropped/.test(l.msg))).toBe(true);
  });

  it('finds the one row the server rejects by halving the batch; the rest goes through', async () => {
    const r = await rig({ start: false });
    const ids = addReceipts(r.store, 40);
    const bad = ids[22]!;
    // Its hash no longer matches its content: the server refuses any batch holding it (400).
    r.store.db.prepare("UPDATE receipts SET sha256 = 'not-the-hash' WHERE id = ?").run(bad);
    r.worker.start();
    await waitFor(() => r.server.stored.size === 39, 'the 39 good receipts');
    expect(r.server.doubled()).toEqual([]);
    expect(r.server.stored.has(bad)).toBe(false);
    expect(r.attempts.some((a) => a.action === 'split')).toBe(true);
    await waitFor(() => r.attempts.some((a) => a.action === 'reject-row'), 'the bad row isolated');
    const row = r.store.db.prepare<[string], { attempts: number; last_error: string; next_attempt_at: number }>(
      'SELECT attempts, last_error, next_attempt_at FROM outbox WHERE receipt_id = ?',
    ).get(bad)!;
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/^SYNC_ROW_REJECTED: .*400 SCHEMA_VIOLATION/);
    expect(row.next_attempt_at).toBeGreaterThan(Date.now());
    // The server stores a batch before the worker commits its answer: wait for the last answers.
    await waitFor(() => r.store.syncStatus().backlog <= 1, 'the good rows marked synced');
    expect(r.store.syncStatus()).toMatchObject({ backlog: 1, parked: 0 });
    // The kind itself is not held back: new receipts still flow.
    const more = addReceipts(r.store, 3);
    await waitFor(() => more.every((id) => r.server.stored.get(id) === 1), 'receipts after the bad one');
  });

  it('keeps its backoff across a restart: a new worker waits for the persisted next attempt', async () => {
    const dir = tempDir();
    const first = await rig({ store: openStore(dir), settings: { backoff: { baseMs: 60_000, maxMs: 60_000 } }, start: false });
    addReceipts(first.store, 5);
    first.server.faults.push({ kind: 'status', status: 503 });
    first.worker.start();
    await waitFor(() => first.attempts.length === 1, 'the failed attempt');
    await first.worker.stop();
    const persisted = first.store.syncState('receipts');
    expect(persisted.nextAttemptAt).toBeGreaterThan(Date.now() + 20_000);

    // Another process, another connection, the same file: nothing is sent before that time.
    const second = await rig({ store: openStore(dir), server: first.server });
    await sleep(300);
    expect(first.server.requests).toHaveLength(1);
    expect(second.store.syncState('receipts').nextAttemptAt).toBe(persisted.nextAttemptAt);
    expect(second.store.syncStatus().nextAttemptAt).toBe(persisted.nextAttemptAt);
  });

  it('stop() aborts a request in flight and leaves its rows queued', async () => {
    const r = await rig({ timeoutMs: 30_000, start: false });
    const ids = addReceipts(r.store, 10);
    r.server.faults.push({ kind: 'hang' });
    r.worker.start();
    await waitFor(() => r.server.requests.length === 1, 'the request');
    const t0 = Date.now();
    await r.worker.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.attempts).toEqual([]);
    expect(r.store.syncStatus().backlog).toBe(10);
    expect(r.store.syncState('receipts').failures).toBe(0);
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog after a restart');
    exactlyOnce(r, ids);
  });
});
