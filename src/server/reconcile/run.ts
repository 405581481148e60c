/**
 * A reconciliation run: for each day, read what storage holds (statement rows, receipts, printer
 * health, decisions), run the matcher (src/server/matcher/, pure), and store the day's matches and
 * discrepancies in one transaction. `tilltap reconcile` and the API call this.
 *
 * A day's rows and receipts meet candidates from the day before and after (a payment at 23:59
 * printed at 00:01), and a discrepancy's key comes out the same whether the day was run alone or
 * with others. Rows and receipts that another day's run matched are settled and left out (the
 * database would refuse them matched twice anyway).
 *
 * A day is matched in parts (partition.ts): a plan reads every candidate row and each receipt's
 * store and fields once, joins what the matcher could compare into closed sets, and packs them
 * into parts of about `partRecords` rows + receipts; each part is read, matched and its matches
 * written before the next is read, so a run holds one part, not the day, and its time grows with
 * the day's size, not faster. The whole-day facts the matcher reads across parts (scope.ts) come
 * from the plan. `partRecords: 0` runs the day as one matcher run (the reference the parts are
 * tested against: test/server/reconcile/partition.test.ts).
 */
import { compareDiscrepancies, reconcile, staleDecisions } from '../matcher/index.js';
import { DAY, formatZoned, parseDate, parseZoned } from '../matcher/time.js';
import type { Decision, Discrepancy, DiscrepancyKind, HeldReceipt, MatchFields, MatchOptions, MatchResult, StatementRow } from '../matcher/types.js';
import type { MatchScope } from '../matcher/scope.js';
import type { DayInParts, MatchInputQuery, MatchReceiptRecord, MatchRecord, MatchStatementRecord, NewDiscrepancy, Storage } from '../storage/types.js';
import { healthIntervals } from './health.js';
import { PartitionPlanner, type Part } from './partition.js';

/** China: the shops' local time, unless told otherwise. */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;

/** Rows + receipts per part of a day (a part's peak memory is roughly 2 KB a record). */
export const PART_RECORDS = 50_000;

/** Matcher options a run may set; `period` and `now` are the run's own. */
export type RunMatchOptions = Omit<MatchOptions, 'now' | 'period'>;

export interface RunOptions {
  /** The time of the run (ISO 8601 with zone); default the clock. */
  readonly now?: string;
  /** The days to reconcile; default every date with statement rows. */
  readonly days?: readonly string[];
  readonly match?: RunMatchOptions;
  /** Called before each day (for progress on a terminal). */
  readonly onDay?: (day: string, index: number, total: number) => void;
  /** Rows + receipts per part (default PART_RECORDS); 0: the whole day in one matcher run. */
  readonly partRecords?: number;
}

export interface DayCounts {
  /** Statement rows of the day (current versions). */
  readonly statement_rows: number;
  /** Receipts captured on the day. */
  readonly receipts: number;
  readonly matched: number;
  /** Rows still in their grace period: their receipt may still arrive. */
  readonly pending: number;
  readonly discrepancies: number;
  readonly by_kind: Readonly<Partial<Record<DiscrepancyKind, number>>>;
  /** Decisions on the day whose discrepancy this run did not find again (the cause went away). */
  readonly stale_decisions: readonly string[];
}

export interface DayReport {
  readonly day: string;
  readonly counts: DayCounts;
  /**
   * Wall time of the day's run, and of its parts: reading storage, matching, saving. On
   * PostgreSQL a part's save runs on the server while the next part is matched: waiting for it
   * counts as reading the part after (or as saving, for the last).
   */
  readonly ms: number;
  readonly phases_ms: { readonly read: number; readonly match: number; readonly save: number };
}

export interface RunReport {
  readonly now: string;
  readonly days: readonly DayReport[];
}

/** YYYY-MM-DD ± n days. */
export function shiftDate(date: string, days: number): string {
  return new Date(parseDate(date) + days * DAY).toISOString().slice(0, 10);
}

export function nowIso(utcOffsetMinutes = DEFAULT_UTC_OFFSET_MINUTES): string {
  return formatZoned(Date.now() + utcOffsetMinutes * 60_000, utcOffsetMinutes);
}

export async function runReconciliation(storage: Storage, opts: RunOptions = {}): Promise<RunReport> {
  const utc = opts.match?.utc_offset_minutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const now = opts.now ?? nowIso(utc);
  // Checked before any work: a bad --now fails the run, not day 3 of it.
  parseZoned(now, utc);
  const days = opts.days ? [...new Set(opts.days)].sort() : await storage.statements.dates();
  const reports: DayReport[] = [];
  const partRecords = opts.partRecords ?? PART_RECORDS;
  for (const [i, day] of days.entries()) {
    opts.onDay?.(day, i, days.length);
    const match = opts.match ?? {};
    reports.push(partRecords > 0 ? await runDayInParts(storage, day, now, match, partRecords) : await runWholeDay(storage, day, now, match));
  }
  return { now, days: reports };
}

/** What a day's run needs of storage's records, once they are turned into the matcher's input. */
interface DayInput {
  readonly statements: StatementRow[];
  readonly receipts: HeldReceipt[];
  readonly health: ReturnType<typeof healthIntervals>;
  readonly decisions: Decision[];
  /** Each row's date (the matches stored are the day's rows'). */
  readonly rowDate: ReadonlyMap<string, string>;
  readonly receiptsOfDay: number;
}

/** The day's candidate window: the day and its neighbours. */
function queryOf(day: string, utc: number): MatchInputQuery {
  const from = shiftDate(day, -1);
  const to = shiftDate(day, 1);
  // Wall ms of local midnight, back to UTC instants.
  return { day, from, to, fromMs: parseDate(from) - utc * 60_000, toMs: parseDate(to) + DAY - utc * 60_000 };
}

const decisionOf = (d: { key: string; status: Decision['status']; by: string; at: string; reason: string }): Decision => ({
  key: d.key,
  status: d.status,
  by: d.by,
  at: d.at,
  reason: d.reason,
});

/**
 * Reads and converts in a function of its own: storage's records (each receipt's fields as JSON
 * text beside the parsed copy) are garbage once it returns, not held through the match. At 100k+
 * receipts a day they are hundreds of MB of the run's peak.
 */
async function readDay(storage: Storage, day: string, utc: number): Promise<DayInput> {
  const stored = await storage.reconciliation.input(queryOf(day, utc));
  let receiptsOfDay = 0;
  for (const r of stored.receipts) if (r.localDate === day) receiptsOfDay++;
  return {
    // Each receipt's JSON parsed once.
    statements: stored.rows.map(statementRowOf),
    receipts: stored.receipts.map(heldReceiptOf),
    health: healthIntervals(stored.health),
    decisions: stored.decisions.map(decisionOf),
    rowDate: new Map(stored.rows.map((r) => [r.id, r.date])),
    receiptsOfDay,
  };
}

async function runWholeDay(storage: Storage, day: string, now: string, match: RunMatchOptions): Promise<DayReport> {
  const started = performance.now();
  const utc = match.utc_offset_minutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  // Reading includes turning rows into the matcher's input.
  const { statements, receipts, health, decisions, rowDate, receiptsOfDay } = await readDay(storage, day, utc);
  const read = performance.now();
  const result = reconcile({ statements, receipts, health, decisions, options: { ...match, now, period: { from: day, to: day } } });
  const matched = performance.now();
  const foundAt = new Date().toISOString();
  const matches = dayMatches(result, rowDate, day, foundAt);
  const discrepancies = dayDiscrepancies(result.discrepancies, day, foundAt);
  await storage.reconciliation.save({ day, matches, discrepancies });
  const saved = performance.now();

  const dayRows = new Set<string>();
  for (const [id, date] of rowDate) if (date === day) dayRows.add(id);
  const byKind = countByKind(discrepancies);
  return {
    day,
    counts: {
      statement_rows: dayRows.size,
      receipts: receiptsOfDay,
      matched: matches.length,
      pending: result.statements.filter((s) => s.state === 'pending' && dayRows.has(s.id)).length,
      discrepancies: discrepancies.length,
      by_kind: byKind,
      stale_decisions: result.stale_decisions,
    },
    ms: Math.round(saved - started),
    phases_ms: { read: Math.round(read - started), match: Math.round(matched - read), save: Math.round(saved - matched) },
  };
}

async function runDayInParts(storage: Storage, day: string, now: string, match: RunMatchOptions, partRecords: number): Promise<DayReport> {
  const started = performance.now();
  const utc = match.utc_offset_minutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const phases = { read: 0, match: 0, save: 0 };
  let last = started;
  const lap = (phase: keyof typeof phases): void => {
    const t = performance.now();
    phases[phase] += t - last;
    last = t;
  };
  const out = await storage.reconciliation.inParts(queryOf(day, utc), async (tx) => {
    const { scope, parts } = await planDay(tx, match, partRecords);
    const health = healthIntervals(await tx.health());
    const decisions = (await tx.decisions()).map(decisionOf);
    lap('read');

    const options = { ...match, now, period: { from: day, to: day } };
    const foundAt = new Date().toISOString();
    const found: Discrepancy[] = [];
    let dayRows = 0;
    let receiptsOfDay = 0;
    let matched = 0;
    let pending = 0;
    // A part's read is asked for before the part before it is matched, and a part's save is not
    // waited for: on PostgreSQL the server reads the next part and writes the last one's matches
    // while the matcher runs here (its one connection runs the calls in the order asked). SQLite's
    // calls are done when they return. A failed call fails the run when it is waited for.
    const readPart = (i: number): Promise<Awaited<ReturnType<DayInParts['part']>>> | undefined => {
      const part = parts[i];
      return part ? quiet(tx.part(part.stores, part.rowIds)) : undefined;
    };
    const saves: Promise<void>[] = [];
    let next = readPart(0);
    for (let i = 0; next; i++) {
      const stored = await next;
      next = readPart(i + 1);
      const statements = stored.rows.map((r) => r.row);
      const receipts = stored.receipts.map((r) => r.receipt);
      const rowDate = new Map(stored.rows.map((r) => [r.row.id, r.date]));
      for (const r of stored.receipts) if (r.localDate === day) receiptsOfDay++;
      for (const r of stored.rows) if (r.date === day) dayRows++;
      lap('read');
      const result = reconcile({ statements, receipts, health, decisions, scope, options });
      lap('match');
      const matches = dayMatches(result, rowDate, day, foundAt);
      saves.push(quiet(tx.saveMatches(matches)));
      matched += matches.length;
      for (const s of result.statements) if (s.state === 'pending' && rowDate.get(s.id) === day) pending++;
      for (const d of result.discrepancies) found.push(d);
      lap('save');
    }
    for (const saved of saves) await saved;
    found.sort(compareDiscrepancies);
    const discrepancies = dayDiscrepancies(found, day, foundAt);
    await tx.saveDiscrepancies(discrepancies);
    const stale = staleDecisions(
      decisions.map((d) => d.key),
      new Set(discrepancies.map((d) => d.key)),
    );
    return { dayRows, receiptsOfDay, matched, pending, discrepancies, stale };
  });
  // Writing the discrepancies and the commit.
  lap('save');
  const byKind = countByKind(out.discrepancies);
  return {
    day,
    counts: {
      statement_rows: out.dayRows,
      receipts: out.receiptsOfDay,
      matched: out.matched,
      pending: out.pending,
      discrepancies: out.discrepancies.length,
      by_kind: byKind,
      stale_decisions: out.stale,
    },
    ms: Math.round(last - started),
    phases_ms: { read: Math.round(phases.read), match: Math.round(phases.match), save: Math.round(phases.save) },
  };
}

/**
 * The plan: every candidate row and receipt once, none held; the planner is garbage when it
 * returns (its maps of keys are not carried through the parts).
 */
async function planDay(tx: DayInParts, match: RunMatchOptions, partRecords: number): Promise<{ scope: MatchScope; parts: Part[] }> {
  const planner = new PartitionPlanner();
  await tx.planRows((batch) => {
    for (const r of batch) planner.addRow(r);
  });
  await tx.planReceipts((batch) => {
    for (const r of batch) planner.addReceipt(r);
  });
  return { scope: planner.scopeOf(match.language), parts: planner.plan(partRecords) };
}

/** The promise, marked handled: it is waited for later, and may fail before that. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function countByKind(list: readonly { readonly kind: DiscrepancyKind }[]): Partial<Record<DiscrepancyKind, number>> {
  const byKind: Partial<Record<DiscrepancyKind, number>> = {};
  for (const d of list) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  return byKind;
}

export function statementRowOf(r: MatchStatementRecord): StatementRow {
  // The row as read (`raw`) is evidence for people; the matcher never reads it, so it is not loaded.
  return { id: r.id, language: r.language, ...(r.store !== null ? { store: r.store } : {}), txn: { ...r.txn, raw: {} } };
}

/** The receipt as the matcher reads it: its decoded fields, where and when it was captured. */
export function heldReceiptOf(r: MatchReceiptRecord): HeldReceipt {
  return {
    id: r.id,
    store: r.store,
    device: r.device,
    printer: r.printer,
    terminal: r.terminal,
    captured_at: r.capturedAt,
    print_status: r.printStatus,
    print_reason: r.printReason,
    fields: JSON.parse(r.fields) as MatchFields,
  };
}

/** The matches whose statement row is of the day: a neighbour's rows are its own run's to store. */
function dayMatches(result: MatchResult, rowDate: ReadonlyMap<string, string>, day: string, at: string): MatchRecord[] {
  return result.matches
    .filter((m) => rowDate.get(m.statement_id) === day)
    .map((m) => ({
      statementRowId: m.statement_id,
      date: day,
      group: m.group,
      receiptIds: m.receipt_ids,
      tier: m.tier,
      confidence: m.confidence,
      typeDiffers: m.type_differs,
      deltaMs: m.delta_ms,
      store: m.store,
      terminal: m.terminal,
      operator: m.operator,
      transType: m.trans_type,
      amountMinor: m.amount_minor,
      currency: m.currency,
      matchedAt: at,
    }));
}

function dayDiscrepancies(list: readonly Discrepancy[], day: string, at: string): NewDiscrepancy[] {
  const seen = new Set<string>();
  const out: NewDiscrepancy[] = [];
  for (const d of list) {
    // Keys are unique within a run; the guard keeps one multi-row upsert from touching a key twice.
    if (seen.has(d.key)) continue;
    seen.add(d.key);
    out.push({
      key: d.key,
      date: day,
      seq: out.length,
      kind: d.kind,
      cause: d.cause,
      language: d.language,
      explanation: d.explanation,
      explanationZh: d.explanation_zh,
      explanationEn: d.explanation_en,
      statementIds: d.statement_ids,
      receiptIds: d.receipt_ids,
      diff: d.diff,
      store: d.store,
      merchantId: d.merchant_id,
      terminal: d.terminal,
      operator: d.operator,
      at: d.at,
      transType: d.trans_type,
      amountMinor: d.amount_minor,
      currency: d.currency,
      tier: d.tier ?? null,
      health: d.health ?? null,
      clock: d.clock ?? null,
      foundAt: at,
    });
  }
  return out;
}
