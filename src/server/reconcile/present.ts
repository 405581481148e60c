/**
 * Discrepancies and summaries as head office reads them: the JSON of the API and of
 * `tilltap reconcile --json`, the CSV export, the per store / terminal / operator figures.
 * Pure: the same record gives the same JSON and the same CSV line everywhere.
 */
import { formatMinor, minorExponent } from '../importers/money.js';
import { summarize, type SummaryDimension, type SummaryRow } from '../matcher/index.js';
import type { Discrepancy, Match } from '../matcher/types.js';
import type { StatementLanguage } from '../statement.js';
import type { DiscrepancyRecord, MatchRecord, StatementFileRecord, StatementImportResult } from '../storage/types.js';

/** A discrepancy as the API, the CLI and the dashboard give it. */
export interface DiscrepancyJson {
  readonly key: string;
  /** The day of the run that found it. */
  readonly date: string;
  readonly kind: Discrepancy['kind'];
  readonly cause: Discrepancy['cause'];
  readonly status: Discrepancy['status'];
  /** In `language` (the statement's), or the language asked for. */
  readonly explanation: string;
  readonly language: StatementLanguage;
  readonly explanation_zh: string;
  readonly explanation_en: string;
  readonly statement_ids: readonly string[];
  readonly receipt_ids: readonly string[];
  readonly diff: Discrepancy['diff'];
  readonly store: string | null;
  readonly merchant_id: string | null;
  readonly terminal: string | null;
  readonly operator: string | null;
  readonly at: string | null;
  readonly trans_type: Discrepancy['trans_type'];
  readonly amount_minor: number | null;
  readonly currency: string | null;
  readonly tier: Discrepancy['tier'] | null;
  readonly health: Discrepancy['health'] | null;
  readonly clock: Discrepancy['clock'] | null;
  /** Set while resolved: who, when, why. */
  readonly resolved_by: string | null;
  readonly resolved_at: string | null;
  readonly resolved_reason: string | null;
  /** The latest decision (a resolution, or a reopening), if any. */
  readonly decision: { readonly status: Discrepancy['status']; readonly by: string; readonly at: string; readonly reason: string } | null;
  readonly found_at: string;
}

export function discrepancyJson(d: DiscrepancyRecord, language?: StatementLanguage): DiscrepancyJson {
  const resolved = d.status === 'resolved' && d.decision !== null ? d.decision : null;
  const lang = language ?? d.language;
  return {
    key: d.key,
    date: d.date,
    kind: d.kind,
    cause: d.cause,
    status: d.status,
    explanation: lang === 'zh' ? d.explanationZh : d.explanationEn,
    language: lang,
    explanation_zh: d.explanationZh,
    explanation_en: d.explanationEn,
    statement_ids: d.statementIds,
    receipt_ids: d.receiptIds,
    diff: d.diff,
    store: d.store,
    merchant_id: d.merchantId,
    terminal: d.terminal,
    operator: d.operator,
    at: d.at,
    trans_type: d.transType,
    amount_minor: d.amountMinor,
    currency: d.currency,
    tier: d.tier,
    health: d.health,
    clock: d.clock,
    resolved_by: resolved?.by ?? null,
    resolved_at: resolved?.at ?? null,
    resolved_reason: resolved?.reason ?? null,
    decision: d.decision ? { status: d.decision.status, by: d.decision.by, at: d.decision.at, reason: d.decision.reason } : null,
    found_at: d.foundAt,
  };
}

// ---- summaries -----------------------------------------------------------------------------------

const asMatch = (m: MatchRecord): Match => ({
  statement_id: m.statementRowId,
  group: m.group,
  receipt_ids: m.receiptIds,
  tier: m.tier,
  confidence: m.confidence,
  type_differs: m.typeDiffers,
  delta_ms: m.deltaMs,
  store: m.store,
  terminal: m.terminal,
  operator: m.operator,
  trans_type: m.transType,
  amount_minor: m.amountMinor,
  currency: m.currency,
});

const asDiscrepancy = (d: DiscrepancyRecord): Discrepancy => ({
  key: d.key,
  kind: d.kind,
  cause: d.cause,
  status: d.status,
  language: d.language,
  explanation: d.explanation,
  explanation_zh: d.explanationZh,
  explanation_en: d.explanationEn,
  statement_ids: d.statementIds,
  receipt_ids: d.receiptIds,
  diff: d.diff,
  store: d.store,
  merchant_id: d.merchantId,
  terminal: d.terminal,
  operator: d.operator,
  at: d.at,
  trans_type: d.transType,
  amount_minor: d.amountMinor,
  currency: d.currency,
});

export const SUMMARY_DIMENSIONS: readonly SummaryDimension[] = ['store', 'terminal', 'operator'];

/** Matched and discrepant counts and amounts per store, terminal or operator (the matcher's summarize). */
export function summaries(matches: readonly MatchRecord[], discrepancies: readonly DiscrepancyRecord[], by: SummaryDimension): SummaryRow[] {
  return summarize({ matches: matches.map(asMatch), discrepancies: discrepancies.map(asDiscrepancy) }, by);
}

// ---- CSV -----------------------------------------------------------------------------------------

/**
 * One cell: quoted when it must be (RFC 4180), and a leading = + @ or tab neutralised with a quote
 * mark, so that a spreadsheet shows the text rather than running it as a formula.
 */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const DISCREPANCY_CSV_HEADER = [
  'key', 'date', 'at', 'kind', 'cause', 'status', 'store', 'terminal', 'operator', 'merchant_id', 'trans_type', 'amount', 'currency',
  'explanation', 'explanation_zh', 'explanation_en', 'statement_ids', 'receipt_ids', 'diff', 'resolved_by', 'resolved_at', 'resolved_reason',
] as const;

/** UTF-8 with a BOM (Excel then reads the Chinese right), CRLF line ends, one line per discrepancy. */
export function discrepanciesCsv(list: readonly DiscrepancyJson[]): string {
  const lines = [DISCREPANCY_CSV_HEADER.join(',')];
  for (const d of list) {
    const cells: Array<string | number | null> = [
      d.key, d.date, d.at, d.kind, d.cause, d.status, d.store, d.terminal, d.operator, d.merchant_id, d.trans_type,
      d.amount_minor === null ? null : formatMinor(d.amount_minor, minorExponent(d.currency ?? 'CNY')),
      d.currency, d.explanation, d.explanation_zh, d.explanation_en, d.statement_ids.join(' '), d.receipt_ids.join(' '),
      d.diff.map((x) => `${x.field}: ${x.statement} / ${x.receipt}`).join('; '),
      d.resolved_by, d.resolved_at, d.resolved_reason,
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

// ---- statements ----------------------------------------------------------------------------------

export function statementFileJson(f: StatementFileRecord): Record<string, unknown> {
  return {
    id: f.id,
    source: f.source,
    format: f.format,
    name: f.name,
    encoding: f.encoding,
    language: f.language,
    merchant_id: f.merchantId,
    store: f.store,
    date_from: f.dateFrom,
    date_to: f.dateTo,
    content_sha256: f.contentSha256,
    version: f.version,
    rows: f.rowCount,
    imported_at: f.importedAt,
    imported_by: f.importedBy,
    superseded_by: f.supersededBy,
  };
}

/** What an import did, as `import-statement --json` and `POST /api/v1/statements` answer. */
export function importJson(r: StatementImportResult): Record<string, unknown> {
  return r.kind === 'imported'
    ? { status: 'imported', file: statementFileJson(r.file), supersedes: r.supersedes ? statementFileJson(r.supersedes) : null }
    : { status: 'already_imported', file: statementFileJson(r.file) };
}
