/**
 * How fast the agent drains a backlog to head office, on 127.0.0.1, measured side by side in one
 * run:
 *   - worker: 10,000 receipts waiting in a real store (SQLite file, WAL, synchronous=FULL),
 *     drained by the outbox worker as `tilltap run` runs it (its own thread and connection,
 *     production settings: 500 per batch, gzip) — take, body, gzip, POST, settle — until the
 *     backlog is empty;
 *   - wire floor: the same bodies, built and gzipped beforehand, POSTed one after another by the
 *     same client to a fresh server: what the HTTP exchange and the server cost alone.
 * Then checks that the server holds every receipt exactly once.
 * Target (issue 6): 10,000 receipts drained in under 10 s.
 *
 * The server runs in this process (it shares the CPU with the worker, a conservative set-up).
 *
 * Run: npm run build && node dist/scripts/bench/sync.js [--count N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { receiptToJson, type JsonReceipt } from '../../src/receipt/render/json.js';
import { Store } from '../../src/store/index.js';
import { batchBody, createSyncClient, idempotencyKey, receiptWire, startSync, syncSettings } from '../../src/sync/index.js';
import { deviceBlock } from '../../src/sync/protocol.js';
import { syncSchema } from '../../src/agent/config.js';
import { generateSlips } from '../gen/slips.js';
import { startSyncTestServer, type SyncTestServer } from '../lib/sync-server.js';

const gzip = promisify(gzipCb);
const TOKEN = 'bench-token';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Real decoded receipts (card slips, retail receipts, wallet slips) to fill the store with. */
function samples(n: number): JsonReceipt[] {
  const out: JsonReceipt[] = [];
  for (const slip of generateSlips(n, 6)) for (const r of decodeBuffer(slip.bytes).receipts) out.push(receiptToJson(r));
  return out;
}

function fill(store: Store, count: number, pool: readonly JsonReceipt[]): void {
  const session = 'bench';
  const t = Date.now();
  store.db.transaction(() => {
    store.beginSession({ session, printer: 'front', peer: '127.0.0.1:1', t });
    store.appendChunk('front', { session, dir: 'to-printer', bytes: Buffer.alloc(count, 0x41), t });
    for (let k = 0; k < count; k++) {
      store.commitReceipt({
        session,
        printer: 'front',
        start: k,
        end: k + 1,
        capturedAt: new Date(t - (count - k) * 1000).toISOString(),
        receipt: { ...pool[k % pool.length]!, seq: k, bytes: { start: k, end: k + 1 } },
        printStatus: 'ok',
      });
    }
    store.endSession(session, t);
  })();
}

function checkOnce(server: SyncTestServer, count: number): string {
  const doubled = server.doubled().length;
  const held = server.stored.size;
  return held === count && doubled === 0 ? `yes (${held} held, none doubled)` : `NO: ${held} held, ${doubled} doubled`;
}

async function main(): Promise<void> {
  const count = arg('--count', 10_000);
  const settings = syncSettings(syncSchema.parse({}));
  // The store below is this thread's connection; the worker opens its own.
  const dir = mkdtempSync(join(tmpdir(), 'tilltap-bench-sync-'));
  const pool = samples(200);
  let t0 = performance.now();
  const store = Store.open(dir);
  fill(store, count, pool);
  const fillMs = performance.now() - t0;

  // ---- wire floor: prebuilt bodies, same client, fresh server ----
  const floorServer = await startSyncTestServer({ tokens: { [TOKEN]: 'S001' } });
  const floorClient = createSyncClient({ url: floorServer.url, token: TOKEN, connectTimeoutMs: 10_000, timeoutMs: 60_000, userAgent: 'bench' });
  const all = store.takeReceiptBatch({ maxCount: count, maxBytes: Number.MAX_SAFE_INTEGER });
  const bodies: Array<{ body: Buffer; key: string; raw: number }> = [];
  for (let i = 0; i < all.length; i += settings.batchSize) {
    const rows = all.slice(i, i + settings.batchSize);
    const json = batchBody(deviceBlock(store.deviceId(), null, 'bench', Date.now()), 'receipts', rows.map(receiptWire));
    bodies.push({ body: await gzip(json), key: idempotencyKey(store.deviceId(), rows.map((r) => `${r.id}:${r.revision}:${r.sha256}`)), raw: json.length });
  }
  t0 = performance.now();
  for (const b of bodies) {
    const x = await floorClient.post('api/v1/receipts', { body: b.body, gzip: true, idempotencyKey: b.key });
    if (x.kind !== 'answer' || x.status !== 200) throw new Error(`floor: unexpected ${JSON.stringify(x).slice(0, 200)}`);
  }
  const floorMs = performance.now() - t0;
  floorClient.close();
  const floorOnce = checkOnce(floorServer, count);
  await floorServer.stop();

  // ---- the worker draining the store, in its thread as `tilltap run` has it ----
  const server = await startSyncTestServer({ tokens: { [TOKEN]: 'S001' } });
  const log = { info: () => {}, warn: (o: object, m?: string) => console.error('warn', m, o), error: (o: object, m?: string) => console.error('error', m, o) };
  let synced = 0;
  let batches = 0;
  let batchMs = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  t0 = performance.now();
  const sync = await startSync(dir, { url: server.url, token: TOKEN, terminal: 'T01' }, syncSchema.parse({}), log);
  sync.on('attempt', (a) => {
    batches++;
    batchMs += a.ms;
    synced += a.synced;
    if (synced >= count) finished();
  });
  await done;
  const workerMs = performance.now() - t0;
  await sync.stop();
  const backlog = store.syncStatus().backlog;
  const once = checkOnce(server, count);
  await server.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });

  const rawAvg = bodies.reduce((s, b) => s + b.raw, 0) / bodies.length;
  const gzAvg = bodies.reduce((s, b) => s + b.body.length, 0) / bodies.length;
  const rate = (ms: number): string => `${Math.round(count / (ms / 1000)).toLocaleString('en')} receipts/s`;
  console.log(`sync drain: ${count.toLocaleString('en')} receipts, batches of ${settings.batchSize}, gzip, 127.0.0.1`);
  console.log(`  store filled in ${(fillMs / 1000).toFixed(2)} s (not measured below)`);
  console.log(`  body per batch: ${(rawAvg / 1024).toFixed(0)} KiB JSON, ${(gzAvg / 1024).toFixed(0)} KiB gzipped`);
  console.log(`  worker:     ${(workerMs / 1000).toFixed(2)} s  ${rate(workerMs)}  (${batches} batches, ${(batchMs / batches).toFixed(0)} ms per exchange)`);
  console.log(`  wire floor: ${(floorMs / 1000).toFixed(2)} s  ${rate(floorMs)}  (same bodies prebuilt, same client)`);
  console.log(`  worker / floor: ${(workerMs / floorMs).toFixed(2)}×`);
  console.log(`  backlog after: ${backlog}; exactly once on the server: ${once} (floor run: ${floorOnce})`);
  console.log(`  target < 10 s for 10,000: ${workerMs < 10_000 * (count / 10_000) ? 'met' : 'NOT met'}`);
}

if (process.argv[1]?.endsWith('sync.js')) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
