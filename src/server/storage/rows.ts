/**
 * Rows as both backends read them (the same column names and JS types: the PostgreSQL pool parses
 * BIGINT to number, see postgres/pool.ts), and their mapping to the storage interface's records.
 * Pure: one mapping, so that the backends cannot drift apart in what they return.
 */
import type {
  ConflictRecord,
  DeviceRecord,
  HealthEventRecord,
  PrintStatus,
  ReceiptRevision,
  ServerReceipt,
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
