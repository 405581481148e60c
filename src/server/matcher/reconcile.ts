/**
 * reconcile(input): statement rows against receipt groups, then every difference classified and
 * explained. The order of the passes is the design:
 *
 *   1. group copies and reprints of one slip (group.ts);
 *   2. key tiers: RRN, voucher, wallet order number, till receipt number (keys.ts);
 *   3. each terminal's clock offset from the RRN / voucher matches (clock.ts);
 *   4. window tiers at the corrected time: auth code, then amount (window.ts);
 *   5. void / refund links (links.ts);
 *   6. what is left: ambiguous clusters, missing receipts (after the grace period; print_failed
 *      when a printer condition covers the time), orphan receipts (when a statement covers them);
 *      pair differences, reprints, duplicates, clock drift;
 *   7. prior decisions applied by key.
 *
 * Inputs are sorted first (rows by time then id, receipts by capture time then id), so the result
 * does not depend on the order storage hands them over.
 */
import type { TransType } from '../../receipt/fields/types.js';
import type { StatementLanguage } from '../statement.js';
import { learnClocks, terminalKey, type ClockView } from './clock.js';
import { diffPair, mismatchKind } from './compare.js';
import { MatcherError } from './errors.js';
import { explain, type Body, type Head, type TimeStyle } from './explain.js';
import { fingerprint } from './fingerprint.js';
import { groupReceipts, publicGroup, type GroupView } from './group.js';
import { KEY_TIERS, matchByKeys } from './keys.js';
import { Ledger } from './ledger.js';
import { linkReversals } from './links.js';
import { receiptViews, rowViews, type RowView } from './normalize.js';
import { Placements } from './placement.js';
import { ScopeBuilder, type Coverage, type MatchScope } from './scope.js';
import { DAY, formatLocal, formatZoned, localDate, MINUTE, parseDate, parseZoned, type WallMs } from './time.js';
import type {
  Decision,
  Discrepancy,
  DiscrepancyCause,
  DiscrepancyKind,
  FieldDiff,
  GroupOutcome,
  HealthInterval,
  Match,
  MatchInput,
  MatchResult,
  MatchTier,
  StatementOutcome,
  TerminalClock,
} from './types.js';
import { DISCREPANCY_KINDS } from './types.js';
import { matchByWindow, type Cluster } from './window.js';

export const DEFAULT_OPTIONS = {
  utc_offset_minutes: 480,
  grace_ms: DAY,
  window_ms: 5 * MINUTE,
  key_window_ms: DAY,
  time_tolerance_ms: 10 * MINUTE,
  amount_tolerance_minor: 0,
  drift_threshold_ms: 2 * MINUTE,
  drift_min_samples: 3,
  health_slack_ms: 2 * MINUTE,
} as const;

/** How much a tier's match can be trusted, for the reviewer's eye and for sorting. */
export const TIER_CONFIDENCE: Readonly<Record<MatchTier, number>> = {
  rrn: 0.99,
  wallet_order: 0.99,
  voucher: 0.97,
  receipt_no: 0.9,
  auth_window: 0.9,
  amount_window: 0.75,
};

const KIND_ORDER = new Map(DISCREPANCY_KINDS.map((k, i) => [k, i]));

/** The order of a result's discrepancies: by time (none first), kind, key. Parts of a day merge by it. */
export function compareDiscrepancies(a: Pick<Discrepancy, 'at' | 'kind' | 'key'>, b: Pick<Discrepancy, 'at' | 'kind' | 'key'>): number {
  return (
    (a.at ?? '').localeCompare(b.at ?? '') ||
    KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)! ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

interface Facts {
  readonly statement_ids: readonly string[];
  readonly receipt_ids: readonly string[];
  readonly diff?: readonly FieldDiff[];
  readonly store: string | null;
  readonly merchant_id: string | null;
  readonly terminal: string | null;
  readonly operator: string | null;
  readonly at: WallMs | null;
  readonly trans_type: TransType | null;
  readonly amount_minor: number | null;
  readonly currency: string | null;
  readonly tier?: MatchTier;
  readonly health?: HealthInterval;
  readonly clock?: { readonly offset_ms: number; readonly samples: number };
}

/** The options with defaults; an option given as undefined keeps its default. */
function resolveOptions(given: MatchInput['options']): typeof DEFAULT_OPTIONS & MatchInput['options'] {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_OPTIONS, ...defined } as typeof DEFAULT_OPTIONS & MatchInput['options'];
}

export function reconcile(input: MatchInput): MatchResult {
  const o = resolveOptions(input.options);
  const utc = o.utc_offset_minutes;
  const now = parseZoned(o.now, utc);
  const period = o.period ? { from: parseDate(o.period.from), end: parseDate(o.period.to) + DAY } : undefined;
  if (period && period.end <= period.from) throw new MatcherError('MATCH_BAD_PERIOD', `period ends before it starts: ${o.period!.from}..${o.period!.to}`);
  const inPeriod = (t: WallMs): boolean => !period || (t >= period.from && t < period.end);

  // 1–4: match.
  const rows = rowViews(input.statements);
  const groups = groupReceipts(receiptViews(input.receipts, utc), o.key_window_ms);
  const ledger = new Ledger(rows.length, groups.length);
  for (const tier of KEY_TIERS) matchByKeys(rows, groups, ledger, tier, o.key_window_ms);
  const clocks = learnClocks(rows, groups, ledger, o.drift_min_samples);
  // Each group's offset once: the window tiers, the period and coverage checks all ask for it.
  const offsets = new Float64Array(groups.length);
  for (let gAt = 0; gAt < groups.length; gAt++) {
    const g = groups[gAt]!;
    if (!g.printedClock || !g.mid || !g.tid) continue;
    const c = clocks.get(terminalKey(g.mid, g.tid));
    if (c?.applied) offsets[g.idx] = c.offsetMs;
  }
  const offsetOf = (g: GroupView): number => offsets[g.idx]!;
  const corrected = (g: GroupView): WallMs => g.t - offsets[g.idx]!;
  matchByWindow(rows, groups, ledger, 'auth_window', corrected, o.window_ms);
  const clusters = matchByWindow(rows, groups, ledger, 'amount_window', corrected, o.window_ms);
  const reversals = linkReversals(rows, groups);
  const scope = input.scope ?? scopeOf(rows, groups, o.language);
  const placements = new Placements(groups, input.terminals ?? [], input.health ?? [], scope.merchantStore, utc);

  // Context for what follows: languages, coverage, how to show times.
  const ctx = new Context(rows, groups, scope, corrected);
  const style: TimeStyle = { withDate: o.period ? o.period.from !== o.period.to : ctx.spansDays() };
  const discrepancies: Discrepancy[] = [];
  const add = (kind: DiscrepancyKind, cause: DiscrepancyCause, anchor: readonly string[], language: StatementLanguage, head: Head, body: Body, f: Facts): string => {
    const key = fingerprint(kind, anchor);
    const text = explain(head, body, style);
    discrepancies.push({
      key,
      kind,
      cause,
      status: 'open',
      language,
      explanation: language === 'zh' ? text.zh : text.en,
      explanation_zh: text.zh,
      explanation_en: text.en,
      statement_ids: f.statement_ids,
      receipt_ids: f.receipt_ids,
      diff: f.diff ?? [],
      store: f.store,
      merchant_id: f.merchant_id,
      terminal: f.terminal,
      operator: f.operator,
      at: f.at === null ? null : formatLocal(f.at),
      trans_type: f.trans_type,
      amount_minor: f.amount_minor,
      currency: f.currency,
      ...(f.tier ? { tier: f.tier } : {}),
      ...(f.health ? { health: f.health } : {}),
      ...(f.clock ? { clock: f.clock } : {}),
    });
    return key;
  };

  const rowOutcome = new Array<StatementOutcome | undefined>(rows.length);
  const groupOutcome = new Array<GroupOutcome | undefined>(groups.length);
  const matches: Match[] = [];

  // Matched pairs and their differences.
  for (let rAt = 0; rAt < rows.length; rAt++) {
    const r = rows[rAt]!;
    if (!ledger.rowMatched(r.idx)) continue;
    const g = groups[ledger.groupOf(r.idx)]!;
    const tier = ledger.tierOf(r.idx)!;
    const confidence = TIER_CONFIDENCE[tier];
    rowOutcome[r.idx] = { id: r.id, state: 'matched', group: g.id, tier, confidence };
    groupOutcome[g.idx] = { group: g.id, state: 'matched', statement: r.id, tier, confidence };
    const currency = r.txn.currency || ctx.currency;
    const operator = r.txn.operator_id ?? g.operator ?? null;
    const terminal = r.txn.terminal_id ?? g.printedTid ?? g.agentTerminal ?? null;
    matches.push({
      statement_id: r.id,
      group: g.id,
      receipt_ids: g.receiptIds,
      tier,
      confidence,
      type_differs: ledger.typeDiffersAt(r.idx),
      delta_ms: g.t - r.t,
      store: g.store,
      terminal,
      operator,
      trans_type: r.txn.trans_type,
      amount_minor: r.txn.amount_minor,
      currency,
    });
    if (!inPeriod(r.t)) continue;
    const diff = diffPair(r, g, { offsetMs: offsetOf(g), timeToleranceMs: o.time_tolerance_ms, amountToleranceMinor: o.amount_tolerance_minor });
    if (diff.length === 0) continue;
    const kind = mismatchKind(diff);
    add(
      kind,
      kind === 'data_mismatch' ? 'unknown' : 'staff',
      [r.id],
      r.row.language,
      ctx.rowHead(r, g),
      { kind, diffs: diff, currency, operator },
      {
        statement_ids: [r.id],
        receipt_ids: g.receiptIds,
        diff,
        store: g.store,
        merchant_id: r.txn.merchant_id ?? null,
        terminal,
        operator,
        at: r.t,
        trans_type: r.txn.trans_type,
        amount_minor: r.txn.amount_minor,
        currency,
        tier,
      },
    );
  }

  // Reprints and second prints, whether or not a statement covers the slip: they are facts of the counter.
  for (let gAt = 0; gAt < groups.length; gAt++) {
    const g = groups[gAt]!;
    if (g.excluded || (g.reprints.length === 0 && g.duplicates.length === 0) || !inPeriod(corrected(g))) continue;
    const matchedRow = ledger.groupMatched(g.idx) ? rows[ledger.rowOf(g.idx)]! : undefined;
    const language = matchedRow ? matchedRow.row.language : ctx.languageOf(g);
    const head = matchedRow ? ctx.rowHead(matchedRow, g) : ctx.groupHead(g);
    const base = ctx.groupFacts(g, matchedRow);
    for (const m of g.reprints) {
      add('reprint', 'staff', [m.id], language, head, { kind: 'reprint', at: m.captured, printer: m.r.printer }, {
        ...base,
        receipt_ids: [m.id],
      });
    }
    for (const d of g.duplicates) {
      add(
        'duplicate',
        'staff',
        [d.receipt.id],
        language,
        head,
        { kind: 'duplicate', copy: d.receipt.f.copy ?? null, at: d.receipt.captured, firstAt: d.first.captured, printer: d.receipt.r.printer },
        { ...base, receipt_ids: [d.receipt.id, d.first.id] },
      );
    }
  }

  // Clusters the amount tier could not decide.
  for (const c of clusters) {
    const cr = c.rows.map((i) => rows[i]!);
    const cg = c.groups.map((i) => groups[i]!);
    if (!cr.some((r) => inPeriod(r.t)) && !cg.some((g) => inPeriod(corrected(g)))) continue;
    const key = addAmbiguous(c, cr, cg);
    for (const r of cr) rowOutcome[r.idx] = { id: r.id, state: 'ambiguous', key };
    for (const g of cg) groupOutcome[g.idx] = { group: g.id, state: 'ambiguous', key };
  }

  function addAmbiguous(c: Cluster, cr: readonly RowView[], cg: readonly GroupView[]): string {
    const r0 = cr[0]!;
    // A loop, not Math.min(...): a busy terminal on a statement without ids can make a big cluster.
    let first = Infinity;
    let last = -Infinity;
    for (const t of [...cr.map((r) => r.t), ...cg.map(corrected)]) {
      if (t < first) first = t;
      if (t > last) last = t;
    }
    const head: Head = { ...ctx.rowHead(r0), at: first, until: last, ref: null };
    const receiptIds = cg.flatMap((g) => g.receiptIds);
    const rowIds = cr.map((r) => r.id);
    const operators = [...new Set(cg.map((g) => g.operator).filter((x): x is string => !!x))];
    return add(
      'ambiguous',
      'unknown',
      [...rowIds].sort().concat('|', [...receiptIds].sort()),
      r0.row.language,
      head,
      { kind: 'ambiguous', rows: c.rows.length, groups: c.groups.length, windowMs: o.window_ms },
      {
        statement_ids: rowIds,
        receipt_ids: receiptIds,
        store: cg[0]?.store ?? placements.placeOfRow(r0)?.store ?? null,
        merchant_id: r0.txn.merchant_id ?? null,
        terminal: r0.txn.terminal_id ?? null,
        operator: operators.length === 1 ? operators[0]! : null,
        at: head.at,
        trans_type: r0.txn.trans_type,
        amount_minor: r0.txn.amount_minor,
        currency: r0.txn.currency || ctx.currency,
      },
    );
  }

  // Statement rows with no receipt.
  for (let rAt = 0; rAt < rows.length; rAt++) {
    const r = rows[rAt]!;
    if (rowOutcome[r.idx]) continue;
    if (!inPeriod(r.t)) {
      rowOutcome[r.idx] = { id: r.id, state: 'out_of_period' };
      continue;
    }
    if (now - r.t < o.grace_ms) {
      rowOutcome[r.idx] = { id: r.id, state: 'pending', due: formatZoned(r.t + o.grace_ms, utc) };
      continue;
    }
    const place = placements.placeOfRow(r);
    const hit = place ? placements.conditionAt(place, r.t, o.health_slack_ms) : undefined;
    const kind = hit ? 'print_failed' : 'missing_receipt';
    const body: Body = hit
      ? { kind: 'print_failed', condition: hit.interval.condition, start: hit.start, end: hit.end, store: hit.interval.store, printer: hit.interval.printer }
      : { kind: 'missing_receipt', store: place?.store ?? null };
    const key = add(kind, hit ? 'printer' : 'not_captured', [r.id], r.row.language, ctx.rowHead(r), body, {
      statement_ids: [r.id],
      receipt_ids: [],
      store: place?.store ?? null,
      merchant_id: r.txn.merchant_id ?? null,
      terminal: r.txn.terminal_id ?? null,
      operator: r.txn.operator_id ?? null,
      at: r.t,
      trans_type: r.txn.trans_type,
      amount_minor: r.txn.amount_minor,
      currency: r.txn.currency || ctx.currency,
      ...(hit ? { health: hit.interval } : {}),
    });
    rowOutcome[r.idx] = { id: r.id, state: kind, key };
  }

  // Receipt groups with no statement row.
  const unmatched = (g: GroupView): boolean => !ledger.groupMatched(g.idx);
  for (let gAt = 0; gAt < groups.length; gAt++) {
    const g = groups[gAt]!;
    if (groupOutcome[g.idx]) continue;
    if (g.excluded) {
      groupOutcome[g.idx] = { group: g.id, state: 'excluded' };
      continue;
    }
    if (!inPeriod(corrected(g))) {
      groupOutcome[g.idx] = { group: g.id, state: 'out_of_period' };
      continue;
    }
    if (!ctx.covers(g)) {
      groupOutcome[g.idx] = { group: g.id, state: 'not_covered' };
      continue;
    }
    // A void and its sale both off the statement cancel out: say so rather than call either forged.
    const reversedBy = (reversals.groupReversedBy.get(g.idx) ?? []).map((i) => groups[i]!).filter(unmatched);
    const originalIdx = reversals.groupOriginal.get(g.idx);
    const original = originalIdx !== undefined && unmatched(groups[originalIdx]!) ? groups[originalIdx]! : undefined;
    const partner = reversedBy[0] ?? original;
    const cause: DiscrepancyCause = g.fault ? 'declined' : partner ? 'voided' : 'unknown';
    const body: Body = {
      kind: 'orphan_receipt',
      store: g.store,
      printer: g.printer,
      cause: cause === 'declined' || cause === 'voided' ? cause : 'unknown',
      ...(cause === 'voided' && partner
        ? { link: { role: reversedBy[0] ? ('reversed_by' as const) : ('reverses' as const), type: partner.type ?? null, ref: ctx.groupRef(partner), at: partner.t } }
        : {}),
    };
    const key = add('orphan_receipt', cause, [g.id], ctx.languageOf(g), ctx.groupHead(g), body, ctx.groupFacts(g));
    groupOutcome[g.idx] = { group: g.id, state: 'orphan_receipt', key };
  }

  // One clock_drift per terminal: the offset, the samples behind it.
  const clockList: TerminalClock[] = [];
  const [firstDate, lastDate] = o.period ? [o.period.from, o.period.to] : ctx.dateRange();
  for (const c of [...clocks.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    clockList.push({ merchant_id: c.merchantId, terminal_id: c.terminalId, offset_ms: c.offsetMs, samples: c.samples, applied: c.applied });
    if (!c.applied || Math.abs(c.offsetMs) <= o.drift_threshold_ms) continue;
    if (!c.sampleRows.some((i) => inPeriod(rows[i]!.t))) continue;
    addDrift(c);
  }

  function addDrift(c: ClockView): void {
    const sampleRows = c.sampleRows.map((i) => rows[i]!);
    const sampleGroups = sampleRows.map((r) => groups[ledger.groupOf(r.idx)]!);
    const place = placements.placeOfRow(sampleRows[0]!);
    add(
      'clock_drift',
      'terminal_clock',
      [c.mid, c.tid, firstDate, lastDate],
      sampleRows[0]!.row.language,
      { subject: { kind: 'terminal', id: c.terminalId }, at: null, type: null, amount: null, currency: ctx.currency, ref: null },
      { kind: 'clock_drift', offsetMs: c.offsetMs, samples: c.samples },
      {
        statement_ids: sampleRows.map((r) => r.id),
        receipt_ids: sampleGroups.map((g) => g.primary.id),
        store: place?.store ?? null,
        merchant_id: c.merchantId,
        terminal: c.terminalId,
        operator: null,
        at: null,
        trans_type: null,
        amount_minor: null,
        currency: null,
        clock: { offset_ms: c.offsetMs, samples: c.samples },
      },
    );
  }

  // Decisions, by key.
  const decisions = new Map<string, Decision>();
  for (const d of input.decisions ?? []) decisions.set(d.key, d);
  const used = new Set<string>();
  const decided = discrepancies.map((d): Discrepancy => {
    const decision = decisions.get(d.key);
    if (!decision) return d;
    used.add(d.key);
    return { ...d, status: decision.status, decision };
  });
  decided.sort(compareDiscrepancies);

  return {
    groups: groups.map(publicGroup),
    statements: rows.map((r) => rowOutcome[r.idx]!),
    group_outcomes: groups.map((g) => groupOutcome[g.idx]!),
    matches,
    discrepancies: decided,
    links: reversals.links,
    clocks: clockList,
    stale_decisions: staleDecisions(decisions.keys(), used),
  };
}

/** Decided keys that no discrepancy found now has (the cause went away), sorted. */
export function staleDecisions(decided: Iterable<string>, found: ReadonlySet<string>): string[] {
  return [...new Set(decided)].filter((k) => !found.has(k)).sort();
}

/** The scope of a whole-day input, from the input itself. */
function scopeOf(rows: readonly RowView[], groups: readonly GroupView[], language: StatementLanguage | undefined): MatchScope {
  const b = new ScopeBuilder();
  for (const r of rows) {
    b.addRow({ id: r.id, t: r.t, date: r.date, language: r.row.language, channel: r.channel, source: r.txn.source, mid: r.mid, store: r.row.store, currency: r.txn.currency });
  }
  for (const g of groups) {
    if (g.excluded) continue;
    for (const m of g.members) b.addReceipt(m.mid, m.r.store);
  }
  return b.build(language);
}

/** What the explanations and scope checks read from the whole input (see scope.ts). */
class Context {
  readonly currency: string;

  constructor(
    private readonly rows: readonly RowView[],
    private readonly groups: readonly GroupView[],
    private readonly facts: MatchScope,
    private readonly corrected: (g: GroupView) => WallMs,
  ) {
    this.currency = facts.currency;
  }

  private scope(g: GroupView): Coverage | undefined {
    if (g.channel === 'card' && g.mid) return this.facts.card.get(g.mid);
    if (g.channel === 'wallet') return this.facts.wallet.get(g.walletSource ?? '*');
    if (g.channel === 'sales') return this.facts.sales.get(g.store) ?? this.facts.sales.get('*');
    return undefined;
  }

  /** A statement in the input speaks for this receipt's merchant / wallet / store on its date. */
  covers(g: GroupView): boolean {
    const c = this.scope(g);
    if (!c) return false;
    const date = localDate(this.corrected(g));
    return date >= c.from && date <= c.to;
  }

  languageOf(g: GroupView): StatementLanguage {
    return this.scope(g)?.language ?? this.facts.language;
  }

  dateRange(): [string, string] {
    if (this.rows.length) return [this.rows[0]!.date, this.rows[this.rows.length - 1]!.date];
    if (this.groups.length) return [localDate(this.groups[0]!.t), localDate(this.groups[this.groups.length - 1]!.t)];
    return ['', ''];
  }

  spansDays(): boolean {
    const [a, b] = this.dateRange();
    return a !== b;
  }

  rowHead(r: RowView, g?: GroupView): Head {
    const t = r.txn;
    return {
      subject: t.terminal_id
        ? { kind: 'terminal', id: t.terminal_id }
        : r.row.store
          ? { kind: 'store', id: r.row.store }
          : g
            ? this.groupSubject(g)
            : t.merchant_id
              ? { kind: 'merchant', id: t.merchant_id }
              : null,
      at: r.t,
      type: t.trans_type,
      amount: t.amount_minor,
      currency: t.currency || this.currency,
      ref: t.reference_no
        ? { kind: 'rrn', value: t.reference_no }
        : t.trace_no
          ? { kind: 'voucher', value: t.trace_no }
          : t.transaction_id
            ? { kind: 'transaction', value: t.transaction_id }
            : t.merchant_order_no
              ? { kind: 'order', value: t.merchant_order_no }
              : t.receipt_no
                ? { kind: 'receipt_no', value: t.receipt_no }
                : g
                  ? this.groupRef(g)
                  : null,
    };
  }

  private groupSubject(g: GroupView): Head['subject'] {
    if (g.printedTid) return { kind: 'terminal', id: g.printedTid };
    return { kind: 'store', id: g.store };
  }

  groupRef(g: GroupView): Head['ref'] {
    if (g.printedRrn) return { kind: 'rrn', value: g.printedRrn };
    if (g.printedTrace) return { kind: 'voucher', value: g.printedTrace };
    if (g.printedTxid) return { kind: 'transaction', value: g.printedTxid };
    if (g.printedOrder) return { kind: 'order', value: g.printedOrder };
    if (g.printedReceiptNo) return { kind: 'receipt_no', value: g.printedReceiptNo };
    return null;
  }

  groupHead(g: GroupView): Head {
    return {
      subject: this.groupSubject(g),
      at: g.t,
      type: g.type ?? null,
      amount: g.amount ?? null,
      currency: g.currency ?? this.currency,
      ref: this.groupRef(g),
    };
  }

  groupFacts(g: GroupView, matchedRow?: RowView): Facts {
    const t = matchedRow?.txn;
    return {
      statement_ids: matchedRow ? [matchedRow.id] : [],
      receipt_ids: g.receiptIds,
      store: g.store,
      merchant_id: t?.merchant_id ?? g.printedMid ?? null,
      terminal: t?.terminal_id ?? g.printedTid ?? g.agentTerminal ?? null,
      operator: t?.operator_id ?? g.operator ?? null,
      at: matchedRow ? matchedRow.t : g.t,
      trans_type: t?.trans_type ?? g.type ?? null,
      amount_minor: t?.amount_minor ?? g.amount ?? null,
      currency: t?.currency || g.currency || this.currency,
    };
  }
}
