/**
 * The head-office server's ingest rate, over real HTTP on 127.0.0.1, for each storage backend
 * asked for (SQLite, PostgreSQL), measured side by side in one run with the same batches:
 *   - fresh receipts, one agent sending batch after batch (what one shop catching up does);
 *   - fresh receipts, several agents at once (many shops syncing together);
 *   - the first batches sent again under new Idempotency-Keys (all duplicates: the dedupe path).
 * The server is `tilltap server` (the built CLI) in its own process, with its defaults (SQLite:
 * WAL, synchronous=FULL; PostgreSQL: a pool of 10; info logs); bodies are gzipped JSON made
 * beforehand from realistic slips (the project's generated UnionPay / EMV / retail / wallet set,
 * decoded as the agent decodes them). Target (issue 6): ≥ 2,000 receipts/s.
 *
 * --db, repeatable (default: sqlite):
 *   sqlite          a new file in a temp directory;
 *   postgres        a throwaway cluster (scripts/lib/pg-cluster.ts) with a real server's
 *                   durability (fsync and synchronous_commit on), on 127.0.0.1;
 *   postgres://…    an existing, empty database (it is written to).
 *
 * Run: npm run build && node dist/scripts/bench/sync-ingest.js [--db sqlite --db postgres] [--receipts 20000] [--batch 250] [--agents 4]
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { receiptToJson, type JsonReceipt } from '../../src/receipt/render/json.js';
import { canonicalJson, sha256Hex } from '../../src/store/canonical.js';
import { generateSlips } from '../gen/slips.js';
import pg from 'pg';
import { freePort } from '../lib/net.js';
import { startPgCluster, type PgCluster } from '../lib/pg-cluster.js';
import { procStat } from '../lib/proc.js';

const BIN = resolve(import.meta.dirname, '../../src/cli/main.js');
const TARGET = 2000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && process.argv[i + 1] !== undefined) out.push(process.argv[i + 1]!);
  });
  return out;
}

interface Batch {
  readonly key: string;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly count: number;
  readonly rawBytes: number;
}

/** The decoded receipts of the generated slip set: content to give each uploaded receipt. */
function sampleReceipts(n: number): JsonReceipt[] {
  const out: JsonReceipt[] = [];
  for (const slip of generateSlips(n, 7)) out.push(...decodeBuffer(slip.bytes).receipts.map(receiptToJson));
  return out;
}

/** `count` receipts from one agent, in batches of `size`, each body gzipped like the agent sends it. */
function makeBatches(samples: readonly JsonReceipt[], count: number, size: number, deviceId: string, t0: number): Batch[] {
  const batches: Batch[] = [];
  for (let start = 0; start < count; start += size) {
    const receipts = [];
    for (let i = start; i < Math.min(count, start + size); i++) {
      const base = samples[i % samples.length]!;
      // Each receipt its own content (a sequence number in it), as real receipts are; as the agent
      // sends it: parsed back from the canonical JSON it stored.
      const receipt = JSON.parse(canonicalJson({ ...base, seq: i })) as JsonReceipt;
      const at = new Date(t0 + i * 7_000);
      receipts.push({
        id: randomUUID(),
        seq: i + 1,
        revision: 0,
        sha256: sha256Hex(canonicalJson(receipt)),
        captured_at: `${new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`,
        printer: 'front',
        print_status: 'ok',
        print_reason: null,
        receipt,
      });
    }
    const now = Date.now();
    const json = JSON.stringify({ device: { id: deviceId, terminal: 'T01', version: '0.1.0', clock: new Date(now).toISOString(), clock_ms: now }, receipts });
    batches.push({ key: sha256Hex(`${deviceId}:${start}:${receipts.map((r) => r.id).join(',')}`), body: new Uint8Array(gzipSync(json)), count: receipts.length, rawBytes: Buffer.byteLength(json) });
  }
  return batches;
}

async function send(url: string, token: string, b: Batch, key = b.key): Promise<{ ms: number; accepted: number; duplicates: number }> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip', 'idempotency-key': key },
    body: b.body,
  });
  const answer = (await res.json()) as { accepted: string[]; duplicates: string[]; error?: { code: string } };
  if (res.status !== 200) throw new Error(`batch refused: ${res.status} ${answer.error?.code}`);
  return { ms: performance.now() - t0, accepted: answer.accepted.length, duplicates: answer.duplicates.length };
}

interface Run {
  readonly receipts: number;
  readonly seconds: number;
  readonly latencies: number[];
  readonly stored: number;
}

/** Each agent sends its batches one after another (as the agent's outbox does); agents run at once. */
async function run(url: string, agents: ReadonlyArray<{ token: string; batches: readonly Batch[] }>, fresh: boolean): Promise<Run> {
  const latencies: number[] = [];
  let receipts = 0;
  let stored = 0;
  const t0 = performance.now();
  await Promise.all(
    agents.map(async (a) => {
      for (const b of a.batches) {
        const r = await send(url, a.token, b, fresh ? b.key : randomUUID());
        latencies.push(r.ms);
        receipts += b.count;
        stored += r.accepted;
      }
    }),
  );
  return { receipts, seconds: (performance.now() - t0) / 1000, latencies: latencies.sort((x, y) => x - y), stored };
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function createToken(db: string, store: string): string {
  const r = spawnSync(process.execPath, [BIN, 'server', 'token', 'create', '--store', store, '--db', db, '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { token: string }).token;
}

interface Workload {
  readonly total: number;
  readonly size: number;
  readonly agentCount: number;
  readonly perAgent: number;
  readonly single: readonly Batch[];
  readonly many: ReadonlyArray<{ store: string; batches: readonly Batch[] }>;
  readonly warm: readonly Batch[];
}

interface Measured {
  readonly label: string;
  readonly one: Run;
  readonly concurrent: Run;
  readonly dup: Run;
  readonly rss: number;
  readonly dbBytes: number;
}

/** One backend: tokens through the CLI, the server in its own process, the three runs. */
async function measure(label: string, db: string, w: Workload, sizeOf: () => Promise<number>): Promise<Measured> {
  const singleToken = createToken(db, 'S001');
  const manyAgents = w.many.map((m) => ({ token: createToken(db, m.store), batches: m.batches }));
  const port = await freePort();
  // BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server.
  const flags = process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const server = spawn(process.execPath, [...flags, BIN, 'server', '--listen', `127.0.0.1:${port}`, '--db', db], { stdio: ['ignore', 'ignore', 'ignore'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      if (i > 200) throw new Error(`the server on ${label} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const url = `${base}/api/v1/receipts`;

  process.stderr.write(`measuring ${label}…\n`);
  // Warm-up: a few batches of their own store, not counted.
  await run(url, [{ token: createToken(db, 'WARM'), batches: w.warm }], true);

  const one = await run(url, [{ token: singleToken, batches: w.single }], true);
  const concurrent = await run(url, manyAgents, true);
  const dup = await run(url, [{ token: singleToken, batches: w.single }], false);
  const rss = procStat(server.pid!).rss;

  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  return { label, one, concurrent, dup, rss, dbBytes: await sizeOf() };
}

async function pgDatabaseSize(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size')).rows[0]!.size);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const total = arg('receipts', 20_000);
  const size = arg('batch', 250);
  const agentCount = arg('agents', 4);
  const backends = args('db');
  if (backends.length === 0) backends.push('sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'tilltap-bench-ingest-'));

  process.stderr.write('making receipts…\n');
  const samples = sampleReceipts(600);
  const t0 = Date.parse('2026-11-20T00:00:00Z');
  const perAgent = Math.ceil(total / agentCount);
  const stores = Array.from({ length: agentCount }, (_, i) => `S${String(i + 2).padStart(3, '0')}`);
  // The same bodies for every backend (each on an empty database of its own).
  const w: Workload = {
    total,
    size,
    agentCount,
    perAgent,
    single: makeBatches(samples, total, size, randomUUID(), t0),
    many: stores.map((s) => ({ store: s, batches: makeBatches(samples, perAgent, size, randomUUID(), t0) })),
    warm: makeBatches(samples, size * 4, size, randomUUID(), t0),
  };
  const rawPerReceipt = w.single.reduce((n, b) => n + b.rawBytes, 0) / total;
  const gzPerReceipt = w.single.reduce((n, b) => n + b.body.length, 0) / total;

  const results: Measured[] = [];
  let cluster: PgCluster | undefined;
  try {
    for (const [i, db] of backends.entries()) {
      if (db === 'sqlite') {
        const file = join(dir, `server-${i}.db`);
        results.push(await measure('SQLite (WAL, synchronous=FULL)', file, w, async () => statSync(file).size));
      } else if (db === 'postgres') {
        cluster ??= await startPgCluster({ durable: true });
        const admin = new pg.Client({ connectionString: cluster.url() });
        await admin.connect();
        await admin.query(`CREATE DATABASE bench_${i}`);
        const version = (await admin.query<{ v: string }>("SELECT split_part(current_setting('server_version'), ' ', 1) AS v")).rows[0]!.v;
        await admin.end();
        const url = cluster.url(`bench_${i}`);
        results.push(await measure(`PostgreSQL ${version} (fsync, synchronous_commit on)`, url, w, () => pgDatabaseSize(url)));
      } else if (/^postgres(ql)?:\/\//.test(db)) {
        results.push(await measure(`PostgreSQL at ${db.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@')}`, db, w, () => pgDatabaseSize(db)));
      } else {
        throw new Error(`--db ${db}: sqlite, postgres or a postgres:// URL`);
      }
    }
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const rate = (r: Run): number => r.receipts / r.seconds;
  const line = (name: string, r: Run): string =>
    `  ${name.padEnd(32)} ${rate(r).toFixed(0).padStart(7)} receipts/s  ${(r.latencies.length / r.seconds).toFixed(1).padStart(6)} batches/s  ` +
    `p50 ${pct(r.latencies, 50).toFixed(1).padStart(6)} ms  p99 ${pct(r.latencies, 99).toFixed(1).padStart(6)} ms  ` +
    `ratio to target ${(rate(r) / TARGET).toFixed(2)}`;
  console.log(
    `tilltap sync ingest benchmark — Node ${process.version}, HTTP on 127.0.0.1\n` +
      `${total} receipts per run in batches of ${size}; ${rawPerReceipt.toFixed(0)} B JSON per receipt (${gzPerReceipt.toFixed(0)} B gzipped)\n`,
  );
  let ok = true;
  for (const m of results) {
    console.log(m.label);
    console.log(line('fresh, 1 agent', m.one));
    console.log(line(`fresh, ${agentCount} agents at once`, m.concurrent));
    console.log(line('sent again (all duplicates)', m.dup));
    const good = m.one.stored === total && m.concurrent.stored === perAgent * agentCount && m.dup.stored === 0;
    ok &&= good;
    console.log(`  stored: ${m.one.stored} + ${m.concurrent.stored} fresh, ${m.dup.stored} from the re-send${good ? ' (as expected)' : ' — UNEXPECTED'}`);
    const held = m.one.stored + m.concurrent.stored + w.warm.length * size;
    console.log(`  server RSS at the end ${(m.rss / 1048576).toFixed(0)} MB; database ${(m.dbBytes / 1048576).toFixed(1)} MB (${(m.dbBytes / held).toFixed(0)} B per receipt)\n`);
  }
  if (results.length > 1) {
    const [a, ...rest] = results;
    for (const b of rest) {
      console.log(`${b.label} ÷ ${a!.label}:`);
      for (const [name, x, y] of [
        ['fresh, 1 agent', b.one, a!.one],
        [`fresh, ${agentCount} agents at once`, b.concurrent, a!.concurrent],
        ['sent again (all duplicates)', b.dup, a!.dup],
      ] as const) {
        console.log(`  ${name.padEnd(32)} ${(rate(x) / rate(y)).toFixed(2)}`);
      }
    }
  }
  console.log(`\ntarget ≥ ${TARGET} receipts/s`);
  if (!ok) process.exitCode = 1;
}

await main();
