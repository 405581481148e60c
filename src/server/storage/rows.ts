/**
 * Rows as both backends read them (the same column names and JS types: the PostgreSQL pool parses
 * BIGINT to number, see postgres/pool.ts), and their mapping to the storage interface's records.
 * Pure: one mapping, so that the backends cannot drift apart in what they return.
 */
import type { TransType } from '../../receipt/fields/types.js';
import type { DiscrepancyCause, DiscrepancyKind, DiscrepancyStatus, FieldDiff, HealthInterval, MatchTier } from '../matcher/types.js';
import type { StatementLanguage, StatementSource } from '../statement.js';
import { STATEMENT_ROW_COLUMNS, TXN_COLUMNS } from './statement-files.js';
import type {
  ConflictRecord,
  DecisionRecord,
  DeviceRecord,
  DiscrepancyFilter,
  DiscrepancyRecord,
  HealthEventRecord,
  IncomingReceipt,
  MatchReceiptRecord,
  MatchRecord,
  MatchStatementRecord,
  NewDiscrepancy,
  PrintStatus,
  ReceiptRevision,
  ServerReceipt,
  StatementFileRecord,
  StatementRowRecord,
  TokenRecord,
} from './types.js';

// ---- tokens ------------------------------------------------------------------------------------

export interface TokenRow {
  id: string;
  role: 'device' | 'user';
  store: string | null;
  name: string | null;
  created_at: string;
  revoked_at: string | null;
}

export const TOKEN_COLUMNS = 'id, role, store, name, created_at, revoked_at';

export function toToken(r: TokenRow): TokenRecord {
  // The table's CHECK constraint guarantees the pairing of role with store / name.
  return r.role === 'device'
    ? { id: r.id, role: 'device', store: r.store!, name: null, createdAt: r.created_at, revokedAt: r.revoked_at }
    : { id: r.id, role: 'user', store: null, name: r.name!, createdAt: r.created_at, revokedAt: r.revoked_at };
}

// ---- devices -----------------------------------------------------------------------------------

export interface DeviceRow {
  store: string;
  id: string;
  terminal: string | null;
  version: string;
  first_seen: string;
  last_seen: string;
  clock_offset_ms: number;
  clock_at: string;
}

export const DEVICE_COLUMNS = 'store, id, terminal, version, first_seen, last_seen, clock_offset_ms, clock_at';

export const toDevice = (r: DeviceRow): DeviceRecord => ({
  store: r.store,
  id: r.id,
  terminal: r.terminal,
  version: r.version,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  clockOffsetMs: r.clock_offset_ms,
  clockAt: r.clock_at,
});

// ---- receipts ----------------------------------------------------------------------------------

export interface ReceiptRow {
  id: string;
  store: string;
  device: string;
  terminal: string | null;
  seq: number;
  revision: number;
  sha256: string;
  captured_at: string;
  local_date: string;
  printer: string;
  print_status: PrintStatus;
  print_reason: string | null;
  terminal_id: string | null;
  merchant_id: string | null;
  json: string;
  received_at: string;
}

export const RECEIPT_COLUMNS =
  'id, store, device, terminal, seq, revision, sha256, captured_at, local_date, printer, print_status, print_reason, terminal_id, merchant_id, json, received_at';

/** The order of `receipts.list` (oldest first: the capture instant, then the device's sequence). */
export const RECEIPT_ORDER = 'captured_ms, device, seq, id';

export const toReceipt = (r: ReceiptRow): ServerReceipt => ({
  id: r.id,
  store: r.store,
  device: r.device,
  terminal: r.terminal,
  seq: r.seq,
  revision: r.revision,
  sha256: r.sha256,
  capturedAt: r.captured_at,
  localDate: r.local_date,
  printer: r.printer,
  printStatus: r.print_status,
  printReason: r.print_reason,
  terminalId: r.terminal_id,
  merchantId: r.merchant_id,
  json: r.json,
  receivedAt: r.received_at,
});

export interface RevisionRow {
  receipt_id: string;
  revision: number;
  sha256: string;
  device: string;
  print_status: PrintStatus;
  print_reason: string | null;
  json: string;
  received_at: string;
  replaced_at: string;
}

export const REVISION_COLUMNS = 'receipt_id, revision, sha256, device, print_status, print_reason, json, received_at, replaced_at';

export const toRevision = (r: RevisionRow): ReceiptRevision => ({
  id: r.receipt_id,
  revision: r.revision,
  sha256: r.sha256,
  device: r.device,
  printStatus: r.print_status,
  printReason: r.print_reason,
  json: r.json,
  receivedAt: r.received_at,
  replacedAt: r.replaced_at,
});

export interface ConflictRow {
  seq: number;
  receipt_id: string;
  store: string;
  device: string;
  reason: ConflictRecord['reason'];
  revision: number;
  sha256: string;
  held_store: string;
  held_device: string;
  held_revision: number;
  held_sha256: string;
  json: string;
  received_at: string;
}

export const CONFLICT_COLUMNS =
  'seq, receipt_id, store, device, reason, revision, sha256, held_store, held_device, held_revision, held_sha256, json, received_at';

export const toConflict = (r: ConflictRow): ConflictRecord => ({
  seq: r.seq,
  receiptId: r.receipt_id,
  store: r.store,
  device: r.device,
  reason: r.reason,
  revision: r.revision,
  sha256: r.sha256,
  heldStore: r.held_store,
  heldDevice: r.held_device,
  heldRevision: r.held_revision,
  heldSha256: r.held_sha256,
  json: r.json,
  receivedAt: r.received_at,
});

// ---- health events -----------------------------------------------------------------------------

export interface HealthRow {
  id: string;
  store: string;
  device: string;
  seq: number;
  printer: string;
  at: string;
  at_ms: number;
  kind: string;
  state: string;
  previous: string | null;
  duration_ms: number | null;
  detail: string | null;
  received_at: string;
}

export const HEALTH_COLUMNS = 'id, store, device, seq, printer, at, at_ms, kind, state, previous, duration_ms, detail, received_at';

export const HEALTH_ORDER = 'at_ms, device, seq, id';

export const toHealth = (r: HealthRow): HealthEventRecord => ({
  id: r.id,
  store: r.store,
  device: r.device,
  seq: r.seq,
  printer: r.printer,
  at: r.at,
  atMs: r.at_ms,
  kind: r.kind,
  state: r.state,
  previous: r.previous,
  durationMs: r.duration_ms,
  detail: r.detail,
  receivedAt: r.received_at,
});

/** A receipt as the matcher reads it; `fields` is selected by each backend's own JSON function. */
export interface MatchReceiptRow {
  id: string;
  store: string;
  device: string;
  terminal: string | null;
  printer: string;
  captured_at: string;
  local_date: string;
  print_status: PrintStatus;
  print_reason: string | null;
  fields: string | null;
}

export const MATCH_RECEIPT_COLUMNS = 'x.id, x.store, x.device, x.terminal, x.printer, x.captured_at, x.local_date, x.print_status, x.print_reason, x.fields';

/** receipt_fields, in the order ingest writes it; and its upsert's SET for a revised receipt. */
export const FIELDS_COLUMNS = 'id, store, local_date, device, terminal, printer, captured_at, print_status, print_reason, fields';
export const FIELDS_UPDATE = FIELDS_COLUMNS.split(', ')
  .filter((c) => c !== 'id')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/** The `fields` column of an incoming receipt: given by ingest, else cut out of its JSON. */
export function fieldsJsonOf(r: IncomingReceipt): string {
  if (r.fieldsJson !== undefined) return r.fieldsJson;
  const fields = (JSON.parse(r.json) as { fields?: unknown }).fields;
  return fields === undefined || fields === null ? '{}' : JSON.stringify(fields);
}

export const toMatchReceipt = (r: MatchReceiptRow): MatchReceiptRecord => ({
  id: r.id,
  store: r.store,
  device: r.device,
  terminal: r.terminal,
  printer: r.printer,
  capturedAt: r.captured_at,
  localDate: r.local_date,
  printStatus: r.print_status,
  printReason: r.print_reason,
  fields: r.fields ?? '{}',
});

// ---- statements --------------------------------------------------------------------------------

export interface StatementFileRow {
  id: string;
  identity: string;
  source: StatementSource;
  format: string;
  name: string | null;
  encoding: string;
  language: StatementLanguage;
  merchant_id: string | null;
  store: string | null;
  date_from: string;
  date_to: string;
  content_sha256: string;
  version: number;
  row_count: number;
  summary: string | null;
  imported_at: string;
  imported_by: string | null;
  superseded_by: string | null;
}

export const STATEMENT_FILE_COLUMNS =
  'id, identity, source, format, name, encoding, language, merchant_id, store, date_from, date_to, content_sha256, version, row_count, summary, imported_at, imported_by, superseded_by';

/** Newest first. */
export const STATEMENT_FILE_ORDER = 'imported_at DESC, id DESC';

export const toStatementFile = (r: StatementFileRow): StatementFileRecord => ({
  id: r.id,
  source: r.source,
  format: r.format,
  name: r.name,
  encoding: r.encoding,
  language: r.language,
  merchantId: r.merchant_id,
  store: r.store,
  dateFrom: r.date_from,
  dateTo: r.date_to,
  contentSha256: r.content_sha256,
  version: r.version,
  rowCount: r.row_count,
  summary: r.summary === null ? null : (JSON.parse(r.summary) as Record<string, string>),
  importedAt: r.imported_at,
  importedBy: r.imported_by,
  supersededBy: r.superseded_by,
});

/** statement_rows' columns, each prefixed (`r.`) for a join with the file's language and store. */
export const STATEMENT_ROW_SELECT = `${STATEMENT_ROW_COLUMNS.map((c) => `r.${c}`).join(', ')}, f.language AS file_language, f.store AS file_store`;

export function toStatementRow(r: Record<string, unknown>): StatementRowRecord {
  const m = toMatchStatement(r);
  return { ...m, txn: { ...m.txn, raw: JSON.parse(r.raw as string) as Record<string, string> } };
}

/** statement_rows' columns but `raw`, for the matcher (`r.`, joined with the file as above). */
export const MATCH_ROW_SELECT = `${STATEMENT_ROW_COLUMNS.filter((c) => c !== 'raw')
  .map((c) => `r.${c}`)
  .join(', ')}, f.language AS file_language, f.store AS file_store`;

/** Null columns are absent members, as the importers leave them. */
export function toMatchStatement(r: Record<string, unknown>): MatchStatementRecord {
  const txn: Record<string, unknown> = { line: r.line };
  for (const c of TXN_COLUMNS) {
    const v = r[c];
    if (v !== null && v !== undefined) txn[c] = v;
  }
  return {
    id: r.id as string,
    fileId: r.file_id as string,
    line: r.line as number,
    date: r.date as string,
    language: r.file_language as StatementLanguage,
    store: (r.file_store as string | null) ?? null,
    txn: txn as unknown as MatchStatementRecord['txn'],
  };
}

// ---- reconciliation ------------------------------------------------------------------------------

export interface MatchRow {
  statement_row_id: string;
  date: string;
  receipt_group: string;
  tier: MatchTier;
  confidence: number;
  type_differs: number;
  delta_ms: number;
  store: string | null;
  terminal: string | null;
  operator: string | null;
  trans_type: TransType;
  amount_minor: number;
  currency: string;
  matched_at: string;
  /** The group's receipt ids, space-separated (string_agg / group_concat). */
  receipt_ids: string | null;
}

export const MATCH_COLUMNS =
  'statement_row_id, date, receipt_group, tier, confidence, type_differs, delta_ms, store, terminal, operator, trans_type, amount_minor, currency, matched_at';

export const toMatch = (r: MatchRow): MatchRecord => ({
  statementRowId: r.statement_row_id,
  date: r.date,
  group: r.receipt_group,
  receiptIds: r.receipt_ids ? r.receipt_ids.split(' ').sort() : [],
  tier: r.tier,
  confidence: r.confidence,
  typeDiffers: r.type_differs === 1,
  deltaMs: r.delta_ms,
  store: r.store,
  terminal: r.terminal,
  operator: r.operator,
  transType: r.trans_type,
  amountMinor: r.amount_minor,
  currency: r.currency,
  matchedAt: r.matched_at,
});

export const matchValues = (m: MatchRecord): Array<string | number | null> => [
  m.statementRowId,
  m.date,
  m.group,
  m.tier,
  m.confidence,
  m.typeDiffers ? 1 : 0,
  m.deltaMs,
  m.store,
  m.terminal,
  m.operator,
  m.transType,
  m.amountMinor,
  m.currency,
  m.matchedAt,
];

export const DISCREPANCY_COLUMNS =
  'key, date, seq, kind, cause, language, explanation, explanation_zh, explanation_en, statement_ids, receipt_ids, diff, store, merchant_id, terminal, operator, at, trans_type, amount_minor, currency, tier, health, clock, found_at';

export const discrepancyValues = (d: NewDiscrepancy): Array<string | number | null> => [
  d.key,
  d.date,
  d.seq,
  d.kind,
  d.cause,
  d.language,
  d.explanation,
  d.explanationZh,
  d.explanationEn,
  JSON.stringify(d.statementIds),
  JSON.stringify(d.receiptIds),
  JSON.stringify(d.diff),
  d.store,
  d.merchantId,
  d.terminal,
  d.operator,
  d.at,
  d.transType,
  d.amountMinor,
  d.currency,
  d.tier,
  d.health === null ? null : JSON.stringify(d.health),
  d.clock === null ? null : JSON.stringify(d.clock),
  d.foundAt,
];

/** The discrepancy's columns (`d.`) and its decision's (`c.`), for a LEFT JOIN on the key. */
export const DISCREPANCY_SELECT = `${DISCREPANCY_COLUMNS.split(', ')
  .map((c) => `d.${c}`)
  .join(', ')}, c.status AS decision_status, c.decided_by, c.decided_at, c.reason AS decision_reason`;

export const DISCREPANCY_FROM = 'discrepancies d LEFT JOIN discrepancy_decisions c ON c.key = d.key';

export const DISCREPANCY_ORDER = 'd.date, d.seq, d.key';

export interface DiscrepancyRow {
  key: string;
  date: string;
  seq: number;
  kind: DiscrepancyKind;
  cause: DiscrepancyCause;
  language: StatementLanguage;
  explanation: string;
  explanation_zh: string;
  explanation_en: string;
  statement_ids: string;
  receipt_ids: string;
  diff: string;
  store: string | null;
  merchant_id: string | null;
  terminal: string | null;
  operator: string | null;
  at: string | null;
  trans_type: TransType | null;
  amount_minor: number | null;
  currency: string | null;
  tier: MatchTier | null;
  health: string | null;
  clock: string | null;
  found_at: string;
  decision_status: DiscrepancyStatus | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

export const toDiscrepancy = (r: DiscrepancyRow): DiscrepancyRecord => ({
  key: r.key,
  date: r.date,
  seq: r.seq,
  kind: r.kind,
  cause: r.cause,
  language: r.language,
  explanation: r.explanation,
  explanationZh: r.explanation_zh,
  explanationEn: r.explanation_en,
  statementIds: JSON.parse(r.statement_ids) as string[],
  receiptIds: JSON.parse(r.receipt_ids) as string[],
  diff: JSON.parse(r.diff) as FieldDiff[],
  store: r.store,
  merchantId: r.merchant_id,
  terminal: r.terminal,
  operator: r.operator,
  at: r.at,
  transType: r.trans_type,
  amountMinor: r.amount_minor,
  currency: r.currency,
  tier: r.tier,
  health: r.health === null ? null : (JSON.parse(r.health) as HealthInterval),
  clock: r.clock === null ? null : (JSON.parse(r.clock) as { offset_ms: number; samples: number }),
  foundAt: r.found_at,
  status: r.decision_status ?? 'open',
  decision:
    r.decision_status === null
      ? null
      : { key: r.key, status: r.decision_status, by: r.decided_by!, at: r.decided_at!, reason: r.decision_reason! },
});

export interface DecisionRow {
  key: string;
  status: DiscrepancyStatus;
  decided_by: string;
  decided_at: string;
  reason: string;
}

export const DECISION_COLUMNS = 'key, status, decided_by, decided_at, reason';

export const toDecision = (r: DecisionRow): DecisionRecord => ({ key: r.key, status: r.status, by: r.decided_by, at: r.decided_at, reason: r.reason });

// ---- filters -----------------------------------------------------------------------------------

/**
 * `WHERE a = ? AND b = ?` for the conditions that are set, with each backend's placeholder
 * (`?` for SQLite, `$n` for PostgreSQL; `first` is the number of the first one).
 */
export function whereEqual(
  conditions: ReadonlyArray<readonly [column: string, value: string | undefined]>,
  placeholder: (n: number) => string,
  first = 1,
): { readonly sql: string; readonly params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  for (const [column, value] of conditions) {
    if (value === undefined) continue;
    params.push(value);
    parts.push(`${column} = ${placeholder(first + params.length - 1)}`);
  }
  return { sql: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

/** A discrepancy filter's conditions on the joined discrepancy (d.) and decision (c.). */
export function discrepancyWhere(f: DiscrepancyFilter, placeholder: (n: number) => string): { readonly sql: string; readonly params: string[] } {
  return whereEqual(
    [
      ['d.date', f.date],
      ['d.store', f.store],
      ['d.kind', f.kind],
      ['d.terminal', f.terminal],
      ['d.operator', f.operator],
      ["coalesce(c.status, 'open')", f.status],
    ],
    placeholder,
  );
}
