/**
 * How fast the agent drains a backlog to head office, on 127.0.0.1, measured side by side in one
 * run against the real head-office server, `tilltap server` (fastify on SQLite, WAL,
 * synchronous=FULL), in a process of its own, a fresh database for each run:
 *   - thread: 10,000 receipts waiting in a real store (SQLite file, WAL, synchronous=FULL),
 *     drained as `tilltap run` drains them — the worker in its own thread with its own connection,
 *     production settings (500 per batch, gzip): take, body, gzip, POST, settle — until the
 *     backlog is empty;
 *   - same loop: the same backlog (a copy of the file) drained by the same worker on the main
 *     thread, to show what the thread spares the event loop that relays print jobs: the main
 *     thread's event-loop delay (p99 / max) is measured during both drains;
 *   - wire floor: the same bodies, built and gzipped beforehand, POSTed one after another by the
 *     same client: what the HTTP exchange and the server cost alone.
 * Each run ends by checking that the server holds every receipt exactly once.
 * Target (issue 6): 10,000 receipts drained in under 10 s.
 *
 * Run: npm run build && node dist/scripts/bench/sync.js [--count N]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { syncSchema } from '../../src/agent/config.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { receiptToJson, type JsonReceipt } from '../../src/receipt/render/json.js';
import { Store } from '../../src/store/index.js';
import {
  type AttemptReport,
  batchBody,
  createSyncClient,
  idempotencyKey,
  receiptsKind,
  receiptWire,
  startSync,
  syncSettings,
  SyncWorker,
} from '../../src/sync/index.js';
import { deviceBlock } from '../../src/sync/protocol.js';
import Database from 'better-sqlite3';
import { generateSlips } from '../gen/slips.js';
import { freePort } from '../lib/net.js';

const gzip = promisify(gzipCb);
const BIN = resolve(import.meta.dirname, '../../src/cli/main.js');

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

function fill(dir: string, count: number, pool: readonly JsonReceipt[]): void {
  const store = Store.open(dir);
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
  store.close();
}

/**
 * `tilltap server` (the built CLI: fastify on SQLite, WAL, synchronous=FULL) in its own process,
 * on a fresh database with a device token for store S001.
 */
class ChildServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly db: string,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(dir: string): Promise<ChildServer> {
    const db = join(dir, `server-${Math.random().toString(36).slice(2)}.db`);
    const made = spawnSync(process.execPath, [BIN, 'server', 'token', 'create', '--store', 'S001', '--db', db, '--json'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`token create failed: ${made.stderr}`);
    const token = (JSON.parse(made.stdout) as { token: string }).token;
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'server', '--listen', `127.0.0.1:${port}`, '--db', db], { stdio: ['ignore', 'ignore', 'ignore'] });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        if (i > 200) throw new Error('the server did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return new ChildServer(child, db, `${base}/`, token);
  }

  /** Stop the server, then count what its database holds against the ids the agent sent. */
  async stopAndCheck(ids: ReadonlySet<string>): Promise<string> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
    const db = new Database(this.db, { readonly: true });
    try {
      const held = db.prepare<[], { id: string }>('SELECT id FROM receipts').all().map((r) => r.id);
      const distinct = new Set(held);
      const missing = [...ids].filter((id) => !distinct.has(id)).length;
      const extra = held.length - (ids.size - missing);
      return missing === 0 && extra === 0 ? `yes (${held.length} held, none missing, none doubled)` : `NO: ${missing} missing, ${extra} extra`;
    } finally {
      db.close();
    }
  }
}

interface Drain {
  ms: number;
  /** Of which starting the worker (for the thread: spawning it, loading its modules, opening the store). */
  startMs: number;
  batches: number;
  exchangeMs: number;
  loopP99: number;
  loopMax: number;
  once: string;
}

/** Drain `dir` to a fresh server; `run` starts the worker and returns its stop function. */
async function drain(
  dir: string,
  root: string,
  ids: ReadonlySet<string>,
  run: (server: ChildServer, onAttempt: (a: AttemptReport) => void) => Promise<() => Promise<void>>,
): Promise<Drain> {
  const count = ids.size;
  const server = await ChildServer.start(root);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let synced = 0;
  let batches = 0;
  let exchangeMs = 0;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const t0 = performance.now();
  const stop = await run(server, (a) => {
    batches++;
    exchangeMs += a.ms;
    synced += a.synced;
    if (synced >= count) finished();
  });
  const startMs = performance.now() - t0;
  // From here on (the thread's start-up is a one-off when the agent starts, not a drain's cost).
  loop.enable();
  await done;
  const ms = performance.now() - t0;
  loop.disable();
  await stop();
  const backlog = (() => {
    const s = Store.open(dir);
    try {
      return s.syncStatus().backlog;
    } finally {
      s.close();
    }
  })();
  if (backlog !== 0) throw new Error(`backlog left: ${backlog}`);
  const once = await server.stopAndCheck(ids);
  return { ms, startMs, batches, exchangeMs: exchangeMs / batches, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, once };
}

const quiet = { info: () => {}, warn: (o: object, m?: string) => console.error('warn', m, o), error: (o: object, m?: string) => console.error('error', m, o) };

async function main(): Promise<void> {
  const count = arg('--count', 10_000);
  const config = syncSchema.parse({});
  const settings = syncSettings(config);
  const root = mkdtempSync(join(tmpdir(), 'tilltap-bench-sync-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  let t0 = performance.now();
  fill(dirA, count, samples(200));
  const fillMs = performance.now() - t0;
  cpSync(dirA, dirB, { recursive: true });

  // ---- wire floor: prebuilt bodies, same client ----
  const store = Store.open(dirA);
  const all = store.takeReceiptBatch({ maxCount: count, maxBytes: Number.MAX_SAFE_INTEGER });
  const bodies: Array<{ body: Buffer; key: string; raw: number }> = [];
  for (let i = 0; i < all.length; i += settings.batchSize) {
    const rows = all.slice(i, i + settings.batchSize);
    const json = batchBody(deviceBlock(store.deviceId(), null, 'bench', Date.now()), 'receipts', rows.map(receiptWire));
    bodies.push({ body: await gzip(json), key: idempotencyKey(store.deviceId(), rows.map((r) => `${r.id}:${r.revision}:${r.sha256}`)), raw: json.length });
  }
  store.close();
  const ids = new Set(all.map((r) => r.id));
  const floorServer = await ChildServer.start(root);
  const floorClient = createSyncClient({ url: floorServer.url, token: floorServer.token, connectTimeoutMs: 10_000, timeoutMs: 60_000, userAgent: 'bench' });
  t0 = performance.now();
  for (const b of bodies) {
    const x = await floorClient.post('api/v1/receipts', { body: b.body, gzip: true, idempotencyKey: b.key });
    if (x.kind !== 'answer' || x.status !== 200) throw new Error(`floor: unexpected ${JSON.stringify(x).slice(0, 200)}`);
  }
  const floorMs = performance.now() - t0;
  floorClient.close();
  const floorOnce = await floorServer.stopAndCheck(ids);

  // ---- the main thread's event-loop delay doing nothing, for scale (a shared machine) ----
  const idle = monitorEventLoopDelay({ resolution: 5 });
  idle.enable();
  await new Promise((r) => setTimeout(r, 2000));
  idle.disable();

  // ---- the worker in its thread, as `tilltap run` has it ----
  const threaded = await drain(dirA, root, ids, async (server, onAttempt) => {
    const sync = await startSync(dirA, { url: server.url, token: server.token, terminal: 'T01' }, config, quiet);
    sync.on('attempt', onAttempt);
    return () => sync.stop();
  });

  // ---- the same worker on this (main) thread ----
  const sameLoop = await drain(dirB, root, ids, async (server, onAttempt) => {
    const s = Store.open(dirB);
    const client = createSyncClient({ url: server.url, token: server.token, connectTimeoutMs: 10_000, timeoutMs: 60_000, userAgent: 'bench' });
    const worker = new SyncWorker({ store: s, kinds: [receiptsKind(s)], client, terminal: 'T01', version: 'bench', settings, log: quiet });
    worker.on('attempt', onAttempt);
    worker.start();
    return async () => {
      await worker.stop();
      client.close();
      s.close();
    };
  });
  rmSync(root, { recursive: true, force: true });

  const rawAvg = bodies.reduce((s, b) => s + b.raw, 0) / bodies.length;
  const gzAvg = bodies.reduce((s, b) => s + b.body.length, 0) / bodies.length;
  const rate = (ms: number): string => `${Math.round(count / (ms / 1000)).toLocaleString('en')} receipts/s`;
  const line = (name: string, d: Drain): string =>
    `  ${name} ${(d.ms / 1000).toFixed(2)} s  ${rate(d.ms)}  (start ${d.startMs.toFixed(0)} ms, ${d.batches} batches, ${d.exchangeMs.toFixed(0)} ms each; ` +
    `main event loop delay p99 ${d.loopP99.toFixed(1)} ms, max ${d.loopMax.toFixed(1)} ms)`;
  console.log(`sync drain: ${count.toLocaleString('en')} receipts, batches of ${settings.batchSize}, gzip, \`tilltap server\` (SQLite) in another process on 127.0.0.1`);
  console.log(`  store filled in ${(fillMs / 1000).toFixed(2)} s (not measured)`);
  console.log(`  body per batch: ${(rawAvg / 1024).toFixed(0)} KiB JSON, ${(gzAvg / 1024).toFixed(0)} KiB gzipped`);
  console.log(line('worker thread:', threaded));
  console.log(line('same loop:    ', sameLoop));
  console.log(`  (main event loop delay with nothing running: p99 ${(idle.percentile(99) / 1e6).toFixed(1)} ms, max ${(idle.max / 1e6).toFixed(1)} ms)`);
  console.log(`  wire floor:    ${(floorMs / 1000).toFixed(2)} s  ${rate(floorMs)}  (same bodies prebuilt, same client)`);
  console.log(`  worker thread / floor: ${(threaded.ms / floorMs).toFixed(2)}×`);
  console.log(`  exactly once on the server: thread ${threaded.once}; same loop ${sameLoop.once}; floor ${floorOnce}`);
  console.log(`  target: ${count.toLocaleString('en')} drained in under ${(count / 1000).toFixed(0)} s: ${threaded.ms < count ? 'met' : 'NOT met'}`);
}

if (process.argv[1]?.endsWith('sync.js')) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
