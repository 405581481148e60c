/**
 * From a parsed POST body to rows ready to store, and from a storage result to the answer: pure
 * functions, so the rules of docs/sync-protocol.md are testable without a server.
 */
import { canonicalJson, sha256Hex } from '../store/canonical.js';
import { apiError, ERRORS } from './errors.js';
import type {
  DeviceSighting,
  HealthIngestResult,
  IncomingHealthEvent,
  IncomingReceipt,
  ReceiptIngestResult,
  StoredAnswer,
} from './storage/types.js';
import { type DeviceBlock, describeIssues, healthEventsBody, receiptsBody } from './wire.js';

export interface BatchLimits {
  readonly maxReceipts: number;
  readonly maxEvents: number;
}

export interface PreparedBatch<T> {
  readonly device: DeviceSighting;
  readonly items: readonly T[];
  /**
   * What makes this request this request, for Idempotency-Key reuse: the device id and each
   * item's identity and content hash. Not the device's clock (it differs on every retry of the
   * same batch), version or terminal (an upgrade between two retries is not another request).
   */
  readonly fingerprint: string;
}

function sighting(d: DeviceBlock, receivedMs: number): DeviceSighting {
  return {
    id: d.id,
    terminal: d.terminal ?? null,
    version: d.version,
    clockOffsetMs: receivedMs - d.clock_ms,
    seenAt: new Date(receivedMs).toISOString(),
  };
}

/** Are the keys of every object in this parsed JSON value in canonicalJson's (sorted) order? */
function keysSorted(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!keysSorted(x)) return false;
    return true;
  }
  let prev: string | undefined;
  for (const k of Object.keys(v)) {
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
    if (!keysSorted((v as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * canonicalJson of a value that came out of JSON.parse, faster in the usual case. The agent sends
 * receipts as it stored them, already canonical (keys sorted at every level); for such a value
 * JSON.stringify writes the same text (parsed JSON holds no undefined, functions or toJSON, and
 * Object.keys order is the order JSON.stringify writes), natively and about twice as fast. Any
 * other order takes the general path. test/server/ingest.test.ts checks the two agree.
 */
export function parsedCanonicalJson(v: unknown): string {
  return keysSorted(v) ? JSON.stringify(v) : canonicalJson(v);
}

/** Text as a field holds it: trimmed, and absent when empty. */
const fieldText = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * Check a receipts body: its shape, then every receipt's sha256 against the canonical JSON of the
 * receipt it came with (computed on the body as sent, not on the validated copy, which could drop
 * members). Throws ApiError SCHEMA_VIOLATION.
 */
export function prepareReceipts(body: unknown, limits: BatchLimits, receivedMs: number): PreparedBatch<IncomingReceipt> {
  const parsed = receiptsBody(limits.maxReceipts).safeParse(body);
  if (!parsed.success) throw apiError('SCHEMA_VIOLATION', describeIssues(parsed.error));
  const raw = (body as { receipts: Array<{ receipt: unknown }> }).receipts;
  const items: IncomingReceipt[] = [];
  const identity: unknown[] = [];
  parsed.data.receipts.forEach((r, i) => {
    const json = parsedCanonicalJson(raw[i]!.receipt);
    if (sha256Hex(json) !== r.sha256) {
      throw apiError('SCHEMA_VIOLATION', `receipts[${i}] (id ${r.id}): sha256 does not match the SHA-256 of the receipt's canonical JSON`);
    }
    items.push({
      id: r.id,
      seq: r.seq,
      revision: r.revision,
      sha256: r.sha256,
      capturedAt: r.captured_at,
      capturedMs: Date.parse(r.captured_at),
      // The regex of isoWithZone puts the shop's own calendar date first.
      localDate: r.captured_at.slice(0, 10),
      printer: r.printer,
      printStatus: r.print_status,
      printReason: r.print_reason ?? null,
      terminalId: fieldText(r.receipt.fields.terminal_id),
      merchantId: fieldText(r.receipt.fields.merchant_id),
      json,
      fieldsJson: JSON.stringify((raw[i]!.receipt as { fields?: unknown }).fields ?? {}),
    });
    identity.push([r.id, r.seq, r.revision, r.sha256, r.captured_at, r.printer, r.print_status, r.print_reason ?? null]);
  });
  return {
    device: sighting(parsed.data.device, receivedMs),
    items,
    fingerprint: sha256Hex(canonicalJson({ device: parsed.data.device.id, receipts: identity })),
  };
}

export function prepareHealthEvents(body: unknown, limits: BatchLimits, receivedMs: number): PreparedBatch<IncomingHealthEvent> {
  const parsed = healthEventsBody(limits.maxEvents).safeParse(body);
  if (!parsed.success) throw apiError('SCHEMA_VIOLATION', describeIssues(parsed.error));
  const items: IncomingHealthEvent[] = parsed.data.events.map((e) => ({
    id: e.id,
    seq: e.seq,
    printer: e.printer,
    at: e.at,
    atMs: Date.parse(e.at),
    kind: e.kind,
    state: e.state,
    previous: e.previous ?? null,
    durationMs: e.duration_ms ?? null,
    detail: e.detail ?? null,
  }));
  return {
    device: sighting(parsed.data.device, receivedMs),
    items,
    fingerprint: sha256Hex(canonicalJson({ device: parsed.data.device.id, events: items })),
  };
}

/** The Idempotency-Key header: absent is allowed (ids still deduplicate); odd values are refused. */
export function idempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const v = Array.isArray(header) ? header : [header];
  if (v.length !== 1 || !/^[\x21-\x7e]{1,200}$/.test(v[0]!)) {
    throw apiError('SCHEMA_VIOLATION', 'Idempotency-Key must be one value of 1 to 200 visible ASCII characters');
  }
  return v[0]!;
}

/** 200, or 409 RECEIPT_CONFLICT when any receipt conflicts; both carry the four lists. */
export function receiptsAnswer(r: ReceiptIngestResult, serverTime: string): StoredAnswer {
  const lists = {
    accepted: r.accepted,
    duplicates: r.duplicates,
    revised: r.revised.map((x) => x.id),
    conflicts: r.conflicts.map((x) => x.id),
    server_time: serverTime,
  };
  if (r.conflicts.length === 0) return { status: 200, body: JSON.stringify(lists) };
  const n = r.conflicts.length;
  const message = `${n} receipt${n === 1 ? '' : 's'} conflict${n === 1 ? 's' : ''} with content already held under the same id; the rest were stored.`;
  return { status: ERRORS.RECEIPT_CONFLICT.status, body: JSON.stringify({ ...lists, error: { code: 'RECEIPT_CONFLICT', message } }) };
}

export function healthAnswer(r: HealthIngestResult, serverTime: string): StoredAnswer {
  return { status: 200, body: JSON.stringify({ accepted: r.accepted, duplicates: r.duplicates, server_time: serverTime }) };
}
