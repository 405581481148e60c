/** Small hand-built days for the matcher's focused tests: one merchant, terminal 10086001 at store S01. */
import { reconcile } from '../../../src/server/matcher/index.js';
import type {
  Discrepancy,
  DiscrepancyKind,
  HeldReceipt,
  MatchFields,
  MatchInput,
  MatchOptions,
  MatchResult,
  StatementRow,
} from '../../../src/server/matcher/types.js';
import type { StatementLanguage, StatementTxn } from '../../../src/server/statement.js';

export const DATE = '2026-11-20';
export const MID = '102345678901234';
export const TID = '10086001';

/** A local time on DATE: at('14:03') → "2026-11-20T14:03:00". */
export const at = (hhmm: string): string => `${DATE}T${hhmm.length === 5 ? `${hhmm}:00` : hhmm}`;

let line = 1;

/** A card statement row at `time` (HH:MM[:SS]) on terminal 10086001; override anything. */
export function row(id: string, time: string, txn: Partial<StatementTxn> = {}, meta: { language?: StatementLanguage; store?: string } = {}): StatementRow {
  return {
    id,
    language: meta.language ?? 'en',
    ...(meta.store ? { store: meta.store } : {}),
    txn: {
      line: line++,
      source: 'acquirer',
      merchant_id: MID,
      terminal_id: TID,
      datetime: at(time),
      trans_type: 'sale',
      amount_minor: 12800,
      currency: 'CNY',
      raw: {},
      ...txn,
    },
  };
}

/** A card slip printed at `time`, captured 5 s later at store S01, printer front. */
export function slip(id: string, time: string, fields: Partial<MatchFields> = {}, meta: Partial<HeldReceipt> = {}): HeldReceipt {
  const printed = at(time);
  const captured = new Date(Date.parse(`${printed}+08:00`) + 5000);
  return {
    id,
    store: 'S01',
    device: 'dev-1',
    printer: 'front',
    terminal: 'POS1',
    captured_at: zoned(captured),
    print_status: 'ok',
    print_reason: null,
    fields: {
      merchant_id: MID,
      terminal_id: TID,
      trans_type: 'sale',
      amount_minor: 12800,
      currency: 'CNY',
      datetime: printed,
      ...fields,
    },
    ...meta,
  };
}

/** An instant as an ISO time at +08:00. */
export function zoned(d: Date): string {
  const local = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19);
  return `${local}+08:00`;
}

export interface Day {
  statements: StatementRow[];
  receipts: HeldReceipt[];
  health?: MatchInput['health'];
  terminals?: MatchInput['terminals'];
  decisions?: MatchInput['decisions'];
  options?: Partial<MatchOptions>;
}

/** Reconciles a hand-built day; `now` two days later, the period the one day. */
export function run(day: Day): MatchResult {
  return reconcile({
    statements: day.statements,
    receipts: day.receipts,
    health: day.health,
    terminals: day.terminals,
    decisions: day.decisions,
    options: { now: '2026-11-22T12:00:00+08:00', period: { from: DATE, to: DATE }, ...day.options },
  });
}

export const kinds = (r: MatchResult): DiscrepancyKind[] => r.discrepancies.map((d) => d.kind);

export function only(r: MatchResult, kind: DiscrepancyKind): Discrepancy {
  const list = r.discrepancies.filter((d) => d.kind === kind);
  if (list.length !== 1) throw new Error(`expected one ${kind}, got ${JSON.stringify(kinds(r))}`);
  return list[0]!;
}

/** Statement row id → receipt ids of the group it matched. */
export function pairs(r: MatchResult): Record<string, string[]> {
  return Object.fromEntries(r.matches.map((m) => [m.statement_id, [...m.receipt_ids].sort()]));
}

/**
 * The one-to-one invariants every result must keep: each receipt in exactly one group, each
 * row and each group with exactly one outcome, a match names a row and a group at most once, and
 * the two sides of a match agree.
 */
export function checkInvariants(input: Pick<MatchInput, 'statements' | 'receipts'>, r: MatchResult): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const g of r.groups) {
    for (const id of g.receipt_ids) {
      if (seen.has(id)) problems.push(`receipt ${id} in groups ${seen.get(id)} and ${g.id}`);
      seen.set(id, g.id);
    }
  }
  for (const rc of input.receipts) if (!seen.has(rc.id)) problems.push(`receipt ${rc.id} in no group`);
  if (seen.size !== input.receipts.length) problems.push(`groups hold ${seen.size} receipts, input ${input.receipts.length}`);

  const rowIds = r.statements.map((s) => s.id);
  if (new Set(rowIds).size !== rowIds.length || rowIds.length !== input.statements.length) problems.push('statement outcomes not one per row');
  const groupIds = r.group_outcomes.map((g) => g.group);
  if (new Set(groupIds).size !== groupIds.length || groupIds.length !== r.groups.length) problems.push('group outcomes not one per group');

  const matchedRows = r.matches.map((m) => m.statement_id);
  const matchedGroups = r.matches.map((m) => m.group);
  if (new Set(matchedRows).size !== matchedRows.length) problems.push('a statement row matched twice');
  if (new Set(matchedGroups).size !== matchedGroups.length) problems.push('a receipt group matched twice');
  const matchedReceipts = r.matches.flatMap((m) => m.receipt_ids);
  if (new Set(matchedReceipts).size !== matchedReceipts.length) problems.push('a receipt matched twice');

  const byRow = new Map(r.statements.map((s) => [s.id, s]));
  const byGroup = new Map(r.group_outcomes.map((g) => [g.group, g]));
  for (const m of r.matches) {
    const s = byRow.get(m.statement_id);
    const g = byGroup.get(m.group);
    if (s?.state !== 'matched' || s.group !== m.group) problems.push(`row ${m.statement_id} outcome disagrees with its match`);
    if (g?.state !== 'matched' || g.statement !== m.statement_id) problems.push(`group ${m.group} outcome disagrees with its match`);
  }
  for (const s of r.statements) if (s.state === 'matched' && !matchedRows.includes(s.id)) problems.push(`row ${s.id} matched without a match`);
  const keys = r.discrepancies.map((d) => d.key);
  if (new Set(keys).size !== keys.length) problems.push('two discrepancies share a key');
  if (problems.length) throw new Error(problems.join('\n'));
}
