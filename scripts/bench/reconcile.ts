/**
 * How long does finance wait for a day? A seeded day of ~50,000 card transactions (the match
 * benchmark's day: 25 stores × 4 terminals, wallet payments, till receipts, ~100,000 captured
 * receipts, the generator's injected faults) is loaded into the server's database, and then timed
 * for each storage backend asked for, side by side in one run:
 *
 *   - import: its four statement files (scripts/gen/day-files.ts: acquirer CSV in GBK and in
 *     English, a WeChat bill, a sales log) parsed and stored, each one transaction — beside the
 *     parse alone (the importers without storage), in the same run;
 *   - reconcile: one day's run (read rows, receipts and health; match; save matches and
 *     discrepancies), with its phases — beside the matcher alone on the same data in memory;
 *   - the CLI as finance runs it: `tilltap import-statement` and `tilltap reconcile --date D --json`
 *     (process start and output included), on the same database.
 *
 * It checks that the stored discrepancies are exactly the injected ones (a fast wrong run does not
 * pass). The receipts are put into storage directly (ingest is the sync-ingest benchmark's), with
 * the size a decoded slip has as JSON (text and styled lines).
 *
 * Run: npm run build && node dist/scripts/bench/reconcile.js [--txns 50000] [--db sqlite] [--db postgres] [--seed 7]
 * At scale (100k … 1M rows, peak memory per step, time per row beside issue 7's targets):
 * reconcile-scale.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { parseStatement } from '../../src/server/importers/index.js';
import { reconcile } from '../../src/server/matcher/index.js';
import type { HeldReceipt } from '../../src/server/matcher/types.js';
import { importStatement } from '../../src/server/reconcile/import.js';
import { runReconciliation } from '../../src/server/reconcile/run.js';
import { openStorage, parseDbUrl } from '../../src/server/storage/open.js';
import type { IncomingHealthEvent, IncomingReceipt, Storage } from '../../src/server/storage/types.js';
import { makeToken } from '../../src/server/tokens.js';
import { canonicalJson, sha256Hex } from '../../src/store/canonical.js';
import { dayFiles, decodedOf, healthBatches, type DayFile } from '../gen/day-files.js';
import { anchorOf, type GeneratedDay } from '../gen/reconcile.js';
import { startPgCluster, type PgCluster } from '../lib/pg-cluster.js';
import { makeDay } from './match.js';

const BIN = resolve(import.meta.dirname, '../../src/cli/main.js');

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

/** A slip's decoded JSON at its real size: ~24 styled lines of text, as `decode --json` gives them. */
function realistic(r: HeldReceipt, seq: number): Record<string, unknown> {
  const d = decodedOf(r, seq);
  const lines = Array.from({ length: 24 }, (_, i) => ({
    text: i % 3 === 0 ? `商户名称(MERCHANT NAME): 测试商户${i}` : `LINE ${String(i).padStart(2, '0')} ${'·'.repeat(20)}`,
    align: i < 2 ? 'center' : 'left',
    bold: i === 0,
    underline: 0,
    invert: false,
    width: i === 0 ? 2 : 1,
    height: i === 0 ? 2 : 1,
  }));
  return { ...d, lines, text: `${lines.map((l) => l.text).join('\n')}\n` };
}

export async function loadAgentData(storage: Storage, day: GeneratedDay): Promise<void> {
  const receivedAt = new Date().toISOString();
  const stores = new Set(day.input.receipts.map((r) => r.store));
  for (const store of stores) {
    const t = makeToken('device');
    await storage.tokens.create({ id: t.id, hash: t.hash, role: 'device', store, createdAt: receivedAt });
  }
  const byDevice = new Map<string, HeldReceipt[]>();
  for (const r of day.input.receipts) {
    const list = byDevice.get(r.device);
    if (list) list.push(r);
    else byDevice.set(r.device, [r]);
  }
  for (const [dev, list] of byDevice) {
    for (let i = 0; i < list.length; i += 1000) {
      const part = list.slice(i, i + 1000);
      const items: IncomingReceipt[] = part.map((r, k) => {
        const json = canonicalJson(realistic(r, i + k));
        return {
          id: r.id, seq: i + k + 1, revision: 0, sha256: sha256Hex(json), capturedAt: r.captured_at, capturedMs: Date.parse(r.captured_at),
          localDate: r.captured_at.slice(0, 10), printer: r.printer, printStatus: r.print_status, printReason: r.print_reason,
          terminalId: r.fields.terminal_id ?? null, merchantId: r.fields.merchant_id ?? null, json, fieldsJson: JSON.stringify(r.fields),
        };
      });
      const ctx = { store: part[0]!.store, device: { id: dev, terminal: part[0]!.terminal, version: '0.1.0', clockOffsetMs: 0, seenAt: receivedAt }, receivedAt, idempotency: null };
      await storage.receipts.ingest(ctx, items, () => ({ status: 200, body: '{}' }));
    }
  }
  for (const b of healthBatches(day)) {
    const events: IncomingHealthEvent[] = (b.body.events as Array<Record<string, unknown>>).map((e) => ({
      id: e.id as string, seq: e.seq as number, printer: e.printer as string, at: e.at as string, atMs: Date.parse(e.at as string),
      kind: e.kind as string, state: e.state as string, previous: e.previous as string, durationMs: (e.duration_ms as number | null) ?? null, detail: null,
    }));
    const dev = b.body.device as { id: string; terminal: string };
    await storage.health.ingest(
      { store: b.store, device: { id: dev.id, terminal: dev.terminal, version: '0.1.0', clockOffsetMs: 0, seenAt: receivedAt }, receivedAt, idempotency: null },
      events,
      () => ({ status: 200, body: '{}' }),
    );
  }
}

const ms = (t0: number): number => performance.now() - t0;

interface Measured {
  readonly label: string;
  readonly importMs: number;
  readonly parseMs: number;
  readonly rows: number;
  readonly reconcileMs: number;
  readonly phases: { read: number; match: number; save: number };
  readonly matcherAloneMs: number;
  readonly cliImportMs: number;
  readonly cliReconcileMs: number;
  readonly exact: boolean;
  readonly found: number;
}

function cli(argv: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tilltap ${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { ms: ms(t0), stdout: r.stdout };
}

async function measure(label: string, db: string, dbForCli: string, day: GeneratedDay, files: readonly DayFile[], dir: string): Promise<Measured> {
  const date = day.input.options.period!.from;
  const now = day.input.options.now;
  const storage = await openStorage(parseDbUrl(db));
  try {
    await loadAgentData(storage, day);

    // Import: all four files, each parsed and stored in one transaction; the parse alone beside it
    // (after a first parse, so that neither side pays for warming the code up).
    for (const f of files) parseStatement(f.format, f.bytes);
    let t0 = performance.now();
    for (const f of files) parseStatement(f.format, f.bytes);
    const parseMs = ms(t0);
    const keyOf = new Map<string, string>();
    t0 = performance.now();
    for (const f of files) {
      const r = await importStatement(storage, { format: f.format, bytes: f.bytes, store: f.store ?? null, name: f.name });
      keyOf.set(r.file.id, f.key);
    }
    const importMs = ms(t0);
    const rows = files.reduce((n, f) => n + (parseStatement(f.format, f.bytes).rows.length), 0);

    t0 = performance.now();
    const report = await runReconciliation(storage, { days: [date], now });
    const reconcileMs = ms(t0);
    const phases = report.days[0]!.phases_ms;
    t0 = performance.now();
    reconcile(day.input);
    const matcherAloneMs = ms(t0);

    const found = await storage.reconciliation.discrepancies({ date });
    const rename = (id: string): string => `${keyOf.get(id.split(':')[0]!)}:${id.split(':')[1]}`;
    const got = new Set(
      found.map((d) =>
        `${d.kind} ${anchorOf({ kind: d.kind, statement_ids: d.statementIds.map(rename), receipt_ids: d.receiptIds, merchant_id: d.merchantId, terminal: d.terminal } as never)}`,
      ),
    );
    const want = new Set(day.expected.map((e) => `${e.kind} ${e.anchor}`));
    const exact = got.size === want.size && [...want].every((w) => got.has(w)) && found.length === want.size;

    // The CLI on a second copy of the data: the same statements imported by `import-statement`, then `reconcile`.
    await storage.close();
    const cliStorage = await openStorage(parseDbUrl(dbForCli));
    await loadAgentData(cliStorage, day);
    await cliStorage.close();
    let cliImportMs = 0;
    for (const f of files) {
      const path = join(dir, f.name);
      writeFileSync(path, f.bytes);
      cliImportMs += cli(['import-statement', '--format', f.format, path, '--db', dbForCli, ...(f.store ? ['--store', f.store] : [])]).ms;
    }
    const run = cli(['reconcile', '--date', date, '--now', now, '--json', '--db', dbForCli]);
    const cliFound = (JSON.parse(run.stdout) as { discrepancies: unknown[] }).discrepancies.length;
    if (cliFound !== found.length) throw new Error(`the CLI found ${cliFound} discrepancies, the library ${found.length}`);
    return { label, importMs, parseMs, rows, reconcileMs, phases, matcherAloneMs, cliImportMs, cliReconcileMs: run.ms, exact, found: found.length };
  } finally {
    await storage.close();
  }
}

async function main(): Promise<void> {
  const txns = arg('txns', 50_000);
  const seed = arg('seed', 7);
  const dbs = args('db');
  if (dbs.length === 0) dbs.push('sqlite');
  const day = makeDay(txns, seed);
  const files = dayFiles(day);
  const mb = files.reduce((n, f) => n + f.bytes.length, 0) / 1e6;
  console.log(
    `a generated day: ${day.counts.transactions} transactions, ${day.counts.rows} statement rows in ${files.length} files (${mb.toFixed(1)} MB), ${day.counts.receipts} receipts, ${day.expected.length} injected discrepancies (seed ${seed})`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'tilltap-bench-reconcile-'));
  let cluster: PgCluster | undefined;
  const results: Measured[] = [];
  try {
    for (const [i, db] of dbs.entries()) {
      if (db === 'sqlite') {
        results.push(await measure('SQLite (WAL, synchronous=FULL)', join(dir, `a${i}.db`), join(dir, `b${i}.db`), day, files, dir));
      } else if (db === 'postgres') {
        cluster ??= await startPgCluster({ durable: true });
        const admin = new pg.Client({ connectionString: cluster.url() });
        await admin.connect();
        await admin.query(`CREATE DATABASE bench_a${i}`);
        await admin.query(`CREATE DATABASE bench_b${i}`);
        const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
        await admin.end();
        results.push(await measure(`PostgreSQL ${version} (fsync, synchronous_commit on)`, cluster.url(`bench_a${i}`), cluster.url(`bench_b${i}`), day, files, dir));
      } else throw new Error(`--db ${db}: sqlite or postgres`);
    }
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const f = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  for (const m of results) {
    console.log(`\n${m.label}`);
    console.log(`  import 4 files, ${m.rows} rows   ${f(m.importMs)} ms (parse alone ${f(m.parseMs)} ms: storing adds ${f(m.importMs - m.parseMs)} ms, ${f((m.rows / m.importMs) * 1000)} rows/s)`);
    console.log(
      `  reconcile the day              ${f(m.reconcileMs)} ms = read ${m.phases.read} + match ${m.phases.match} + save ${m.phases.save} (the matcher alone in memory: ${f(m.matcherAloneMs)} ms)`,
    );
    console.log(`  as the CLI: import-statement ×4 ${f(m.cliImportMs)} ms, reconcile --date --json ${f(m.cliReconcileMs)} ms (process start and output included)`);
    console.log(`  stored discrepancies exactly the injected ones: ${m.exact ? 'yes' : 'NO'} (${m.found})`);
    if (!m.exact) process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
