/**
 * How well are receipt fields read? A seeded set of slips made by tilltap's own encoder
 * (scripts/gen/slips.ts: UnionPay 签购单, EMV card slips, retail receipts, WeChat Pay / Alipay
 * slips, and printouts with no fields) is decoded with `decodeBuffer(bytes)` (profile auto), and
 * each receipt's `fields` (without `template`) is compared with the fields a careful reader takes
 * off the paper, field by field:
 *   - per field: slips with it in the truth, extracted exactly, missing, wrong, and invented
 *     (extracted where the truth has none);
 *   - per kind: how often the right template recognised the slip ('other' must get `{}`);
 *   - the first mismatches, with slip id, field, expected and got.
 *
 * Run: npm run build && node dist/scripts/bench/fields.js [--count 600] [--seed 1] [--show 20]
 *        [--field NAME] [--kind KIND] [--by-tag] [--dump DIR]
 * `--dump DIR` writes each slip's capture (.bin), its decoded text (.txt) and its truth beside what
 * was extracted (.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import type { Receipt } from '../../src/receipt/receipt.js';
import type { ReceiptFieldSet } from '../../src/receipt/fields/types.js';
import { checkSlip, type GeneratedSlip, generateSlips, type SlipKind, TEMPLATE_OF } from '../gen/slips.js';

/** Every field of ReceiptFieldSet but `template`, in the order the table prints them. */
export const FIELD_NAMES = [
  'merchant_name', 'merchant_id', 'terminal_id', 'operator_id', 'card_number', 'issuer', 'acquirer', 'trans_type',
  'batch_no', 'trace_no', 'auth_code', 'reference_no', 'original_trace_no', 'original_reference_no', 'datetime',
  'amount_minor', 'tip_minor', 'currency', 'reprint', 'copy', 'test', 'fault', 'entry_mode', 'aid', 'receipt_no',
  'total_minor', 'cashier', 'payment_method', 'merchant_order_no', 'transaction_id', 'items',
] as const satisfies readonly Exclude<keyof ReceiptFieldSet, 'template'>[];

export interface FieldScore {
  readonly field: string;
  /** Slips whose truth has the field. */
  readonly truth: number;
  readonly exact: number;
  /** In the truth, not extracted. */
  readonly missing: number;
  /** In the truth, extracted with another value. */
  readonly wrong: number;
  /** Extracted, but not in the truth. */
  readonly invented: number;
}

export interface KindScore {
  readonly kind: SlipKind;
  readonly slips: number;
  /** The template expected (null: no fields at all). */
  readonly template: string | null;
  readonly recognised: number;
  /** Which templates the slips got ('{}' for none). */
  readonly got: Readonly<Record<string, number>>;
  /** Slips with every field exact and nothing invented. */
  readonly exactSlips: number;
}

export interface TagScore {
  readonly tag: string;
  readonly slips: number;
  readonly exactSlips: number;
  /** Field errors (missing + wrong + invented) on those slips. */
  readonly errors: number;
}

export interface Mismatch {
  readonly id: string;
  readonly kind: SlipKind;
  readonly field: string;
  readonly problem: 'missing' | 'wrong' | 'invented';
  readonly expected: unknown;
  readonly got: unknown;
}

export interface FieldsMeasure {
  readonly count: number;
  readonly seed: number;
  readonly perField: readonly FieldScore[];
  readonly perKind: readonly KindScore[];
  readonly perTag: readonly TagScore[];
  /** All fields of all slips: in the truth, and exact. */
  readonly truthFields: number;
  readonly exactFields: number;
  readonly inventedFields: number;
  /** Slips with every field exact and nothing invented. */
  readonly exactSlips: number;
  readonly mismatches: readonly Mismatch[];
  /** Slips that do not decode to what was printed (must be 0: a generator or decoder fault). */
  readonly decodeProblems: readonly string[];
  /** Truth values the card-number guard starred in the decoded text, per field. */
  readonly guarded: Readonly<Record<string, number>>;
  readonly ms: number;
}

/** Order-independent equality of field values (items are arrays of objects). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export const sameValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** A receipt's fields as a plain record, without `template`. */
export function extracted(r: Receipt | undefined): { fields: Record<string, unknown>; template: string | null } {
  if (!r) return { fields: {}, template: null };
  const entries: [string, unknown][] = Object.entries(r.fields);
  const fields: Record<string, unknown> = {};
  let template: string | null = null;
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    if (k === 'template') template = typeof v === 'string' ? v : String(v);
    else fields[k] = v;
  }
  return { fields, template };
}

interface SlipResult {
  readonly slip: GeneratedSlip;
  readonly receipts: Receipt[];
  readonly fields: Record<string, unknown>;
  readonly template: string | null;
  readonly mismatches: Mismatch[];
}

function compare(slip: GeneratedSlip, receipts: Receipt[]): SlipResult {
  const { fields, template } = extracted(receipts[0]);
  const truth: Record<string, unknown> = { ...slip.truth };
  const mismatches: Mismatch[] = [];
  const names = new Set<string>([...Object.keys(truth), ...Object.keys(fields)]);
  for (const f of names) {
    const want = truth[f];
    const got = fields[f];
    if (want === undefined && got === undefined) continue;
    if (want === undefined) mismatches.push({ id: slip.id, kind: slip.kind, field: f, problem: 'invented', expected: undefined, got });
    else if (got === undefined) mismatches.push({ id: slip.id, kind: slip.kind, field: f, problem: 'missing', expected: want, got });
    else if (!sameValue(want, got)) mismatches.push({ id: slip.id, kind: slip.kind, field: f, problem: 'wrong', expected: want, got });
  }
  return { slip, receipts, fields, template, mismatches };
}

function run(count: number, seed: number): { results: SlipResult[]; ms: number } {
  const slips = generateSlips(count, seed);
  const t0 = performance.now();
  const results = slips.map((s) => compare(s, decodeBuffer(s.bytes).receipts));
  return { results, ms: performance.now() - t0 };
}

function score(results: readonly SlipResult[], count: number, seed: number, ms: number): FieldsMeasure {
  const known = new Set<string>(FIELD_NAMES);
  const extra = new Set<string>();
  for (const r of results) for (const k of Object.keys(r.fields)) if (!known.has(k)) extra.add(k);
  const perField: FieldScore[] = [...FIELD_NAMES, ...[...extra].sort()].map((field) => {
    let truth = 0;
    let exact = 0;
    let missing = 0;
    let wrong = 0;
    let invented = 0;
    for (const r of results) {
      const want = (r.slip.truth as Record<string, unknown>)[field];
      const got = r.fields[field];
      if (want !== undefined) {
        truth++;
        if (got === undefined) missing++;
        else if (sameValue(want, got)) exact++;
        else wrong++;
      } else if (got !== undefined) invented++;
    }
    return { field, truth, exact, missing, wrong, invented };
  });

  const kinds = [...new Set(results.map((r) => r.slip.kind))].sort();
  const perKind: KindScore[] = kinds.map((kind) => {
    const rs = results.filter((r) => r.slip.kind === kind);
    const template = TEMPLATE_OF[kind];
    const got: Record<string, number> = {};
    let recognised = 0;
    for (const r of rs) {
      const name = Object.keys(r.fields).length === 0 && r.template === null ? '{}' : (r.template ?? '(no template)');
      got[name] = (got[name] ?? 0) + 1;
      if (template === null ? name === '{}' : r.template === template) recognised++;
    }
    return { kind, slips: rs.length, template, recognised, got, exactSlips: rs.filter((r) => r.mismatches.length === 0).length };
  });

  const tags = new Map<string, { slips: number; exactSlips: number; errors: number }>();
  for (const r of results) {
    for (const tag of new Set([`kind:${r.slip.kind}`, ...r.slip.tags])) {
      const t = tags.get(tag) ?? { slips: 0, exactSlips: 0, errors: 0 };
      t.slips++;
      if (r.mismatches.length === 0) t.exactSlips++;
      t.errors += r.mismatches.length;
      tags.set(tag, t);
    }
  }
  const perTag = [...tags].map(([tag, t]) => ({ tag, ...t })).sort((a, b) => a.tag.localeCompare(b.tag));

  const decodeProblems: string[] = [];
  const guarded: Record<string, number> = {};
  for (const r of results) {
    const c = checkSlip(r.slip, r.receipts);
    for (const p of c.problems) decodeProblems.push(`${r.slip.id}: ${p}`);
    for (const g of c.guarded) guarded[g] = (guarded[g] ?? 0) + 1;
  }

  const sum = (f: (s: FieldScore) => number): number => perField.reduce((a, s) => a + f(s), 0);
  return {
    count,
    seed,
    perField,
    perKind,
    perTag,
    truthFields: sum((s) => s.truth),
    exactFields: sum((s) => s.exact),
    inventedFields: sum((s) => s.invented),
    exactSlips: results.filter((r) => r.mismatches.length === 0).length,
    mismatches: results.flatMap((r) => r.mismatches),
    decodeProblems,
    guarded,
    ms,
  };
}

/** The figures of the benchmark for a generated set (600 slips, seed 1 by default). */
export function measureFields(count = 600, seed = 1): FieldsMeasure {
  const { results, ms } = run(count, seed);
  return score(results, count, seed, ms);
}

/** Write each slip's capture, decoded text and truth beside the extraction into `dir`. */
export function dumpSlips(dir: string, count = 600, seed = 1): number {
  mkdirSync(dir, { recursive: true });
  const { results } = run(count, seed);
  for (const r of results) {
    writeFileSync(join(dir, `${r.slip.id}.bin`), r.slip.bytes);
    writeFileSync(join(dir, `${r.slip.id}.txt`), r.receipts.map((x) => x.text).join('\n--- cut ---\n'));
    const doc = {
      id: r.slip.id,
      kind: r.slip.kind,
      description: r.slip.description,
      truth: r.slip.truth,
      template: r.template,
      fields: r.fields,
      mismatches: r.mismatches.map(({ field, problem, expected, got }) => ({ field, problem, expected, got })),
    };
    writeFileSync(join(dir, `${r.slip.id}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  }
  return results.length;
}

// ---- report ----------------------------------------------------------------------------------

const pct = (a: number, b: number): string => (b === 0 ? '    -  ' : `${((100 * a) / b).toFixed(1).padStart(6)}%`);
const show = (v: unknown): string => (v === undefined ? '—' : JSON.stringify(v));

export function report(m: FieldsMeasure, opts: { show?: number; field?: string; kind?: string; byTag?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`fields benchmark: ${m.count} slips, seed ${m.seed}, decoded and extracted in ${(m.ms / 1000).toFixed(2)} s`);
  out.push('');
  out.push('field                  in truth    exact   exact%  missing    wrong  invented');
  for (const s of m.perField) {
    if (s.truth === 0 && s.invented === 0) continue;
    out.push(
      `${s.field.padEnd(22)} ${String(s.truth).padStart(8)} ${String(s.exact).padStart(8)} ${pct(s.exact, s.truth)} ${String(s.missing).padStart(8)} ${String(s.wrong).padStart(8)} ${String(s.invented).padStart(9)}`,
    );
  }
  out.push(
    `${'all fields'.padEnd(22)} ${String(m.truthFields).padStart(8)} ${String(m.exactFields).padStart(8)} ${pct(m.exactFields, m.truthFields)} ${' '.repeat(17)} ${String(m.inventedFields).padStart(9)}`,
  );
  const inv = m.perField.filter((s) => s.invented > 0);
  out.push('');
  out.push(`invented (extracted, not on the slip): ${inv.length === 0 ? 'none' : inv.map((s) => `${s.field} ${s.invented}`).join(', ')}`);
  out.push('');
  out.push('kind        slips  template     recognised   all fields exact   templates given');
  for (const k of m.perKind) {
    const given = Object.entries(k.got)
      .sort((a, b) => b[1] - a[1])
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    out.push(
      `${k.kind.padEnd(10)} ${String(k.slips).padStart(6)}  ${(k.template ?? '{}').padEnd(10)} ${pct(k.recognised, k.slips).padStart(12)} ${pct(k.exactSlips, k.slips).padStart(18)}   ${given}`,
    );
  }
  out.push(`${'all'.padEnd(10)} ${String(m.count).padStart(6)}  ${''.padEnd(10)} ${pct(m.perKind.reduce((a, k) => a + k.recognised, 0), m.count).padStart(12)} ${pct(m.exactSlips, m.count).padStart(18)}`);
  const guarded = Object.entries(m.guarded);
  if (guarded.length > 0) {
    out.push('');
    out.push(`truth values starred by the card-number guard in the decoded text: ${guarded.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  if (m.decodeProblems.length > 0) {
    out.push('');
    out.push(`!! ${m.decodeProblems.length} slips do not decode to what was printed (generator or decoder fault):`);
    for (const p of m.decodeProblems.slice(0, 10)) out.push(`   ${p}`);
  }
  if (opts.byTag) {
    out.push('');
    out.push('variation                         slips  all fields exact  field errors');
    for (const t of m.perTag) out.push(`${t.tag.padEnd(32)} ${String(t.slips).padStart(6)} ${pct(t.exactSlips, t.slips).padStart(17)} ${String(t.errors).padStart(13)}`);
  }
  const n = opts.show ?? 20;
  const list = m.mismatches.filter((x) => (!opts.field || x.field === opts.field) && (!opts.kind || x.kind === opts.kind));
  if (n > 0 && list.length > 0) {
    out.push('');
    out.push(`first ${Math.min(n, list.length)} of ${list.length} mismatches${opts.field ? ` in ${opts.field}` : ''}${opts.kind ? ` on ${opts.kind}` : ''}:`);
    for (const x of list.slice(0, n)) out.push(`  ${x.id.padEnd(14)} ${x.field.padEnd(22)} ${x.problem.padEnd(8)} expected ${show(x.expected)}  got ${show(x.got)}`);
  }
  return out.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const args = process.argv.slice(2);
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (name: string, dflt: number): number => {
    const v = value(name);
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`${name} needs a whole number, got ${v}`);
      process.exit(2);
    }
    return n;
  };
  const count = num('--count', 600);
  const seed = num('--seed', 1);
  const dir = value('--dump');
  if (dir) console.log(`wrote ${dumpSlips(dir, count, seed)} slips (.bin, .txt, .json) to ${dir}`);
  const m = measureFields(count, seed);
  console.log(report(m, { show: num('--show', 20), field: value('--field'), kind: value('--kind'), byTag: args.includes('--by-tag') }));
}
