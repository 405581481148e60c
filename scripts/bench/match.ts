/**
 * How long does head office take to reconcile a day? A seeded day (scripts/gen/reconcile.ts) of
 * ~50,000 card transactions over 100 terminals in 25 stores, plus wallet payments and till
 * receipts, with every receipt copy a counter PC would capture (~100,000 receipts) and the
 * generator's injected faults, is matched by `reconcile()`, best and median of several runs.
 *
 * Beside it, in the same run:
 *   - the floor: a bare hash join of the same rows and receipts on (MID, TID, RRN) / (MID, TID,
 *     trace) — the least any matcher must do with this data, with no grouping, clocks, windows or
 *     explanations;
 *   - a day a fifth the size, to show the time grows with the data, not faster (per-row ratio).
 * It also checks that the big day's result is exactly what was injected (so a fast wrong matcher
 * does not pass), and reports the heap the input holds and the size of a result as JSON.
 *
 * Run: npm run build && node dist/scripts/bench/match.js [--txns 50000] [--runs 5] [--seed 7]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { anchorOf, generateDay, type GeneratedDay } from '../gen/reconcile.js';
import { reconcile } from '../../src/server/matcher/index.js';
import type { MatchResult } from '../../src/server/matcher/types.js';

interface Args {
  readonly txns: number;
  readonly runs: number;
  readonly seed: number;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string, dflt: number): number => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return dflt;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} wants a positive number`);
    return v;
  };
  return { txns: get('txns', 50_000), runs: get('runs', 5), seed: get('seed', 7) };
}

/** A day of about `txns` card transactions: 25 stores × 4 terminals (fewer for small days). */
export function makeDay(txns: number, seed: number): GeneratedDay {
  const stores = txns >= 20_000 ? 25 : Math.max(3, Math.round(txns / 2000));
  const terminalsPerStore = 4;
  // Voids and refunds add about 5% on top of the sales.
  const perTerminal = Math.max(20, Math.round(txns / 1.05 / (stores * terminalsPerStore)));
  return generateDay({ seed, stores, terminalsPerStore, txnsPerTerminal: perTerminal });
}

/** The floor: one hash join on the strongest keys, nothing else. */
function floorJoin(day: GeneratedDay): number {
  const index = new Map<string, string>();
  for (const r of day.input.receipts) {
    const f = r.fields;
    if (f.merchant_id && f.terminal_id && f.reference_no) index.set(`${f.merchant_id}|${f.terminal_id}|r${f.reference_no}`, r.id);
    if (f.merchant_id && f.terminal_id && f.trace_no) index.set(`${f.merchant_id}|${f.terminal_id}|t${f.trace_no}`, r.id);
  }
  let matched = 0;
  for (const s of day.input.statements) {
    const t = s.txn;
    const hit =
      (t.reference_no && index.get(`${t.merchant_id}|${t.terminal_id}|r${t.reference_no}`)) ||
      (t.trace_no && index.get(`${t.merchant_id}|${t.terminal_id}|t${t.trace_no}`));
    if (hit) matched++;
  }
  return matched;
}

/** Wall time and CPU time (user + system) of one call: on a shared machine the CPU time is the steadier figure. */
function time<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, value };
}

/** A full collection, for heap figures that count what is held rather than garbage not yet collected. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const heapMb = (gc: () => void): number => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function exact(day: GeneratedDay, res: MatchResult): boolean {
  const got = new Set(res.discrepancies.map((d) => `${d.kind} ${anchorOf(d)}`));
  const want = new Set(day.expected.map((e) => `${e.kind} ${e.anchor}`));
  return got.size === want.size && [...want].every((k) => got.has(k)) && res.discrepancies.length === got.size;
}

/** One timed run; the result is checked and dropped here, so nothing in the caller's frame keeps it. */
function timedRun(day: GeneratedDay): { ms: number; cpuMs: number; exact: boolean } {
  const r = time(() => reconcile(day.input));
  return { ms: r.ms, cpuMs: r.cpuMs, exact: exact(day, r.value) };
}

/** The size of one result as JSON (what storage and the API carry), MB. */
function resultJsonMb(day: GeneratedDay): number {
  return Buffer.byteLength(JSON.stringify(reconcile(day.input))) / 2 ** 20;
}

export interface MatchMeasure {
  readonly rows: number;
  readonly receipts: number;
  readonly bestMs: number;
  readonly medianMs: number;
  readonly bestCpuMs: number;
  readonly floorMs: number;
  readonly floorCpuMs: number;
  readonly smallRows: number;
  readonly smallMs: number;
  readonly smallCpuMs: number;
  readonly exact: boolean;
  /** Heap held by the day's input; one result's size as JSON. */
  readonly inputMb: number;
  readonly resultMb: number;
}

export function measureMatch(args: Args): MatchMeasure {
  const gc = collector();
  const base = heapMb(gc);
  const day = makeDay(args.txns, args.seed);
  const inputMb = heapMb(gc) - base;
  const small = makeDay(Math.round(args.txns / 5), args.seed + 1);
  reconcile(small.input); // warm the JIT on other data
  const runs: number[] = [];
  const cpus: number[] = [];
  const floors: { ms: number; cpuMs: number }[] = [];
  const smalls: { ms: number; cpuMs: number }[] = [];
  let isExact = true;
  for (let i = 0; i < args.runs; i++) {
    gc();
    const r = timedRun(day);
    runs.push(r.ms);
    cpus.push(r.cpuMs);
    isExact &&= r.exact;
    floors.push(time(() => floorJoin(day)));
    smalls.push(time(() => reconcile(small.input).matches.length));
  }
  const resultMb = resultJsonMb(day);
  return {
    rows: day.counts.rows,
    receipts: day.counts.receipts,
    bestMs: Math.min(...runs),
    medianMs: median(runs),
    bestCpuMs: Math.min(...cpus),
    floorMs: Math.min(...floors.map((f) => f.ms)),
    floorCpuMs: Math.min(...floors.map((f) => f.cpuMs)),
    smallRows: small.counts.rows,
    smallMs: Math.min(...smalls.map((f) => f.ms)),
    smallCpuMs: Math.min(...smalls.map((f) => f.cpuMs)),
    exact: isExact,
    inputMb,
    resultMb,
  };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const m = measureMatch(args);
  const perRow = (ms: number, rows: number): number => (ms * 1000) / rows;
  const fmt = (n: number, d = 0): string => n.toFixed(d);
  console.log(`reconcile a day: ${m.rows} statement rows, ${m.receipts} receipts (seed ${args.seed}, ${args.runs} runs, best of each)`);
  console.log(
    `  matcher        wall ${fmt(m.bestMs)} ms (median ${fmt(m.medianMs)}), cpu ${fmt(m.bestCpuMs)} ms  → ${fmt(perRow(m.bestCpuMs, m.rows), 1)} µs/row cpu, ${fmt(m.rows / (m.bestCpuMs / 1000))} rows/s`,
  );
  console.log(`  floor (1 join) wall ${fmt(m.floorMs)} ms, cpu ${fmt(m.floorCpuMs)} ms  → matcher/floor ${fmt(m.bestCpuMs / m.floorCpuMs, 1)}× (cpu)`);
  console.log(
    `  a fifth of it  ${m.smallRows} rows: wall ${fmt(m.smallMs)} ms, cpu ${fmt(m.smallCpuMs)} ms  → per-row cpu big/small ${fmt(perRow(m.bestCpuMs, m.rows) / perRow(m.smallCpuMs, m.smallRows), 2)}×`,
  );
  console.log(`  result exactly the injected discrepancies: ${m.exact ? 'yes' : 'NO'}`);
  console.log(`  heap held by the day's input ${fmt(m.inputMb)} MB; the result as JSON ${fmt(m.resultMb, 1)} MB`);
  if (!m.exact) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
