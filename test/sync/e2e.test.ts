/**
 * End to end: the agent's outbox worker against the real head-office server (src/server/,
 * fastify on SQLite), through a fault-injecting proxy on 127.0.0.1. Every receipt must be on the
 * server exactly once (its ids, counted there), none lost, none doubled, whatever the faults.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/store/canonical.js';
import type { Store } from '../../src/store/index.js';
import { type AttemptReport, createSyncClient, healthEventsKind, receiptsKind, receiptWire, type SyncSettings, SyncWorker } from '../../src/sync/index.js';
import { batchBody } from '../../src/sync/protocol.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type RealServer, startRealServer } from '../helpers/real-server.js';
import { addHealthEvents, addReceipts, FAST, later, memoryLog, openStore, sleep, tempDir, waitFor } from '../helpers/sync.js';

interface Rig {
  store: Store;
  real: RealServer;
  proxy: FaultProxy;
  worker: SyncWorker;
  attempts: AttemptReport[];
}

async function rig(opts: { settings?: Partial<SyncSettings>; timeoutMs?: number; store?: Store; real?: RealServer } = {}): Promise<Rig> {
  const real = opts.real ?? (await startRealServer());
  const proxy = await startFaultProxy(real.url);
  later(() => proxy.stop());
  const store = opts.store ?? openStore(tempDir());
  const client = createSyncClient({ url: proxy.url, token: real.token, connectTimeoutMs: 5000, timeoutMs: opts.timeoutMs ?? 10_000, userAgent: 'tilltap-e2e' });
  const worker = new SyncWorker({ store, kinds: [receiptsKind(store), healthEventsKind(store)], client, terminal: 'T01', version: '9.9.9', settings: { ...FAST, ...opts.settings }, log: memoryLog() });
  const attempts: AttemptReport[] = [];
  worker.on('attempt', (a) => attempts.push(a));
  later(async () => {
    await worker.stop();
    client.close();
  });
  return { store, real, proxy, worker, attempts };
}

const drained = (r: Rig): boolean => r.store.syncStatus().backlog === 0;

async function exactlyOnce(r: Rig, ids: readonly string[]): Promise<void> {
  const held = await r.real.ids();
  expect(held.length).toBe(new Set(held).size);
  expect([...held].sort()).toEqual([...ids].sort());
  expect(r.store.listReceipts({ synced: false })).toEqual([]);
}

describe('sync end to end with the real server', () => {
  it('drains a backlog: every receipt held once, as the agent stored it; the device and its clock recorded', async () => {
    const r = await rig();
    const ids = addReceipts(r.store, 230);
    r.worker.start();
    await waitFor(() => drained(r), 'the backlog');
    await exactlyOnce(r, ids);
    const one = (await r.real.server.storage.receipts.get(ids[5]!))!;
    const mine = r.store.getReceipt(ids[5]!)!;
    expect(one).toMatchObject({ store: 'S001', device: r.store.deviceId(), terminal: 'T01', revision: 0, sha256: mine.sha256, seq: mine.deviceSeq });
    expect(JSON.parse(one.json)).toEqual(mine.receipt);
    const devices = await r.real.server.storage.devices.list({ store: 'S001' });
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ id: r.store.deviceId(), version: '9.9.9' });
    // The agent learnt the server's clock (the same clock here: near zero).
    expect(Math.abs(r.store.syncStatus().clockOffsetMs!)).toBeLessThan(5000);
  });

  it('5xx, resets before and after storing, an answer that never comes, a server down for a while: each receipt once', async () => {
    const r = await rig({ timeoutMs: 1500 });
    const ids = addReceipts(r.store, 260);
    r.proxy.faults.push(
      { kind: 'status', status: 503 },
      { kind: 'reset-before' },
      { kind: 'reset-after' },
      { kind: 'hang-after' },
      { kind: 'status', status: 500 },
      { kind: 'reset-after' },
    );
    r.worker.start();
    await waitFor(() => r.proxy.faults.length === 0 && r.attempts.length >= 6, 'the faults to be used up');
    // Down: the proxy stops listening, receipts keep coming, then it is back on the same port.
    const port = Number(new URL(r.proxy.url).port);
    await r.proxy.stop();
    ids.push(...addReceipts(r.store, 40));
    await waitFor(() => r.attempts.filter((a) => a.status === null).length >= 6, 'attempts while down');
    await r.proxy.start(port);
    await waitFor(() => drained(r), 'the backlog after the outage');
    await exactlyOnce(r, ids);
    // Batches the server had stored before the agent heard of it came again: the server replayed
    // its stored answer for the same Idempotency-Key (no IDEMPOTENCY_KEY_REUSED).
    expect(r.proxy.requests.some((q) => q.replayed)).toBe(true);
    expect(r.proxy.requests.some((q) => q.status === 422)).toBe(false);
  });

  it('a 409 partial answer: the conflicts are parked, the rest is held once, and parked rows are not sent again', async () => {
    const r = await rig();
    const ids = addReceipts(r.store, 25);
    // Another store's device already sent two of these ids, with other content.
    const other = await r.real.tokenFor('S002');
    const taken = [ids[4]!, ids[20]!];
    const rows = r.store
      .takeReceiptBatch({ maxCount: 100, maxBytes: 1 << 22 })
      .filter((x) => taken.includes(x.id))
      .map((x) => {
        const json = canonicalJson({ ...(JSON.parse(x.json) as object), text: 'FORGED\n' });
        return receiptWire({ ...x, json, sha256: sha256Hex(json) });
      });
    const seeded = await fetch(`${r.real.url}api/v1/receipts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json', 'idempotency-key': 'seed' },
      body: batchBody({ id: 'other-device', terminal: null, version: '0', clock: new Date().toISOString(), clock_ms: Date.now() }, 'receipts', rows),
    });
    expect(seeded.status).toBe(200);

    r.worker.start();
    await waitFor(() => drained(r), 'the backlog');
    expect(r.attempts[0]).toMatchObject({ status: 409, action: 'settle', synced: 23, parked: 2 });
    expect(r.store.syncStatus()).toMatchObject({ backlog: 0, parked: 2 });
    expect(r.store.parkedReceipts().map((p) => p.id).sort()).toEqual([...taken].sort());
    const held = await r.real.ids('S001');
    expect([...held].sort()).toEqual(ids.filter((id) => !taken.includes(id)).sort());
    expect((await r.real.server.storage.receipts.conflicts()).map((c) => c.receiptId).sort()).toEqual([...taken].sort());

    const more = addReceipts(r.store, 3);
    await waitFor(() => drained(r) && r.attempts.length >= 2, 'the new receipts');
    await sleep(200);
    const posts = r.proxy.requests.length;
    expect((await r.real.ids('S001')).filter((id) => more.includes(id))).toHaveLength(3);
    // The parked ones went once (the 409) and not again.
    expect((await r.real.server.storage.receipts.conflicts()).length).toBe(2);
    expect(r.proxy.requests.length).toBe(posts);
  });

  it('printer health events go to their own route, each held once, through the same faults', async () => {
    const r = await rig({ timeoutMs: 1500 });
    const receipts = addReceipts(r.store, 30);
    const events = addHealthEvents(r.store, 12);
    r.proxy.faults.push({ kind: 'reset-after' }, { kind: 'reset-after' }, { kind: 'status', status: 502 });
    r.worker.start();
    await waitFor(() => drained(r) && r.store.syncStatus().kinds['health-events'].backlog === 0, 'both backlogs');
    await exactlyOnce(r, receipts);
    const held = await r.real.server.storage.health.list({ store: 'S001' });
    expect(held.map((e) => e.id).sort()).toEqual([...events].sort());
    expect(held.find((e) => e.id === events[1])).toMatchObject({ printer: 'front', kind: 'paper', state: 'ok', previous: 'out', durationMs: 60_000 });
    expect(r.store.listHealthEvents({ synced: false })).toEqual([]);
    expect(r.proxy.requests.some((q) => q.url === '/api/v1/health-events' && q.status === 200)).toBe(true);
  });

  it('a redecoded receipt goes as revision 1 and the server keeps the old revision', async () => {
    const r = await rig();
    const [id] = addReceipts(r.store, 1);
    r.worker.start();
    await waitFor(() => drained(r), 'the first send');
    const before = r.store.getReceipt(id!)!;
    r.store.updateDecoded(id!, { ...before.receipt, text: 'RECEIPT 0\nTOTAL 0.50\n' });
    await waitFor(() => drained(r), 'the correction');
    const held = (await r.real.server.storage.receipts.get(id!))!;
    expect(held).toMatchObject({ revision: 1, sha256: r.store.getReceipt(id!)!.sha256 });
    expect((await r.real.server.storage.receipts.revisions(id!)).map((x) => [x.revision, x.sha256])).toEqual([[0, before.sha256]]);
    expect(r.store.syncStatus()).toMatchObject({ backlog: 0, parked: 0 });
  });

  it('a revoked token holds sending back; nothing is lost', async () => {
    const r = await rig({ settings: { hold: { baseMs: 10_000, maxMs: 60_000 } } });
    const ids = addReceipts(r.store, 4);
    const [tok] = await r.real.server.storage.tokens.list();
    await r.real.server.storage.tokens.revoke(tok!.id, new Date().toISOString());
    r.worker.start();
    await waitFor(() => r.attempts.length === 1, 'the refused attempt');
    expect(r.attempts[0]).toMatchObject({ status: 401, action: 'hold' });
    expect(r.store.syncState('receipts').lastError?.code).toBe('SYNC_UNAUTHORIZED');
    expect(r.store.syncStatus().backlog).toBe(ids.length);
    expect(await r.real.ids()).toEqual([]);
  });
});
