/** The pure parts of sync: backoff delays, what each answer means, the wire format. */
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/store/index.js';
import { backoffDelay, batchBody, classify, idempotencyKey, isoWithZoneMs, receiptWire, retryAfterMs } from '../../src/sync/index.js';
import { clockOffset, freshKey } from '../../src/sync/protocol.js';
import { jsonReceipt } from '../helpers/sync.js';

const answer = (status: number, body: unknown, retryAfter?: string) =>
  ({ kind: 'answer', status, body: typeof body === 'string' ? body : JSON.stringify(body), retryAfter }) as const;
const err = (code: string) => ({ error: { code, message: 'm' } });
const NOW = Date.parse('2026-11-28T08:00:00Z');

describe('backoff', () => {
  const p = { baseMs: 1000, maxMs: 60_000 };
  it('doubles from the base, half of it jitter, and stops at the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, p, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, p, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(50, p, () => 1)).toBe(60_000);
    expect(backoffDelay(1e9, p, () => 0.5)).toBe(45_000);
    expect(backoffDelay(0, p, () => 1)).toBe(1000); // treated as the first failure
  });
  it('spreads agents that failed together', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(5, p)));
    expect(seen.size).toBeGreaterThan(10);
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(8000);
  });
  it('reads Retry-After in seconds or as a date, capped at a day', () => {
    expect(retryAfterMs('30', NOW)).toBe(30_000);
    expect(retryAfterMs(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
    expect(retryAfterMs('999999', NOW)).toBe(86_400_000);
    expect(retryAfterMs('soon', NOW)).toBeNull();
    expect(retryAfterMs(undefined, NOW)).toBeNull();
  });
});

describe('classify', () => {
  const lists = { accepted: ['a'], duplicates: [], revised: [], conflicts: [], server_time: '2026-11-28T08:00:00.000Z' };
  it('settles the protocol answer, 200 or a 409 with conflicts', () => {
    expect(classify(answer(200, lists), 3, NOW)).toMatchObject({ action: 'settle', status: 200, answer: { accepted: ['a'], conflicts: [] } });
    expect(classify(answer(409, { ...err('RECEIPT_CONFLICT'), ...lists, conflicts: ['b'] }), 3, NOW)).toMatchObject({
      action: 'settle',
      status: 409,
      answer: { conflicts: ['b'] },
    });
    // A health-events answer has no revised / conflicts.
    expect(classify(answer(200, { accepted: ['e'], duplicates: [] }), 1, NOW)).toMatchObject({ action: 'settle', answer: { revised: [], conflicts: [] } });
  });
  it('retries what may pass later: network, timeouts, 5xx, 408, 429, unreadable answers', () => {
    expect(classify({ kind: 'failed', timeout: false, message: 'ECONNRESET' }, 3, NOW)).toMatchObject({ action: 'retry', code: 'SYNC_NETWORK' });
    expect(classify({ kind: 'failed', timeout: true, message: 'ETIMEDOUT' }, 3, NOW)).toMatchObject({ action: 'retry', code: 'SYNC_TIMEOUT' });
    expect(classify(answer(503, err('INTERNAL'), '120'), 3, NOW)).toMatchObject({ action: 'retry', code: 'SYNC_SERVER_ERROR', notBeforeMs: 120_000 });
    expect(classify(answer(429, '', '5'), 3, NOW)).toMatchObject({ action: 'retry', code: 'SYNC_THROTTLED', notBeforeMs: 5000 });
    expect(classify(answer(408, ''), 3, NOW)).toMatchObject({ action: 'retry', code: 'SYNC_THROTTLED' });
    expect(classify(answer(200, '<html>proxy</html>'), 3, NOW)).toMatchObject({ action: 'retry', code: 'SYNC_BAD_ANSWER' });
    expect(classify(answer(409, err('CONFLICT')), 3, NOW)).toMatchObject({ action: 'retry', code: 'SYNC_BAD_ANSWER' });
  });
  it('never retries other 4xx blindly: holds the kind (loud for 401 / 403), or isolates a bad row', () => {
    expect(classify(answer(401, err('UNAUTHORIZED')), 3, NOW)).toMatchObject({ action: 'hold', code: 'SYNC_UNAUTHORIZED', loud: true, detail: '401 UNAUTHORIZED (m)' });
    expect(classify(answer(403, err('FORBIDDEN')), 3, NOW)).toMatchObject({ action: 'hold', code: 'SYNC_FORBIDDEN', loud: true });
    expect(classify(answer(404, 'Not Found'), 3, NOW)).toMatchObject({ action: 'hold', code: 'SYNC_REFUSED', loud: false });
    expect(classify(answer(415, err('UNSUPPORTED_MEDIA_TYPE')), 3, NOW)).toMatchObject({ action: 'hold' });
    expect(classify(answer(302, ''), 3, NOW)).toMatchObject({ action: 'hold', code: 'SYNC_BAD_ANSWER' });
    expect(classify(answer(400, err('SCHEMA_VIOLATION')), 3, NOW)).toMatchObject({ action: 'split' });
    expect(classify(answer(413, err('PAYLOAD_TOO_LARGE')), 2, NOW)).toMatchObject({ action: 'split' });
    expect(classify(answer(400, err('SCHEMA_VIOLATION')), 1, NOW)).toMatchObject({ action: 'reject-row', code: 'SYNC_ROW_REJECTED' });
    expect(classify(answer(400, err('BAD_JSON')), 3, NOW)).toMatchObject({ action: 'hold', code: 'SYNC_REFUSED' });
    expect(classify(answer(422, err('IDEMPOTENCY_KEY_REUSED')), 3, NOW)).toMatchObject({ action: 'rekey' });
    expect(classify(answer(422, err('OTHER')), 3, NOW)).toMatchObject({ action: 'hold' });
  });
});

describe('wire format', () => {
  it('a receipt row carries the stored canonical JSON, so the server hashes what the agent hashed', () => {
    const receipt = jsonReceipt(7);
    const json = canonicalJson(receipt);
    const row = {
      id: 'r-1',
      seq: 3,
      revision: 1,
      sha256: sha256Hex(json),
      capturedAt: '2026-11-20T09:10:00+08:00',
      printer: 'front "A"',
      printStatus: 'suspect' as const,
      printReason: 'paper near end reported 14:01:07',
      json,
      attempts: 0,
    };
    const body = batchBody(
      { id: 'dev', terminal: null, version: '0.1.0', clock: '2026-11-28T16:00:00.123+08:00', clock_ms: 1 },
      'receipts',
      [receiptWire(row)],
    );
    const parsed = JSON.parse(body) as { device: object; receipts: Array<Record<string, unknown>> };
    expect(parsed.device).toEqual({ id: 'dev', terminal: null, version: '0.1.0', clock: '2026-11-28T16:00:00.123+08:00', clock_ms: 1 });
    expect(parsed.receipts[0]).toEqual({
      id: 'r-1',
      seq: 3,
      revision: 1,
      sha256: row.sha256,
      captured_at: row.capturedAt,
      printer: 'front "A"',
      print_status: 'suspect',
      print_reason: 'paper near end reported 14:01:07',
      receipt,
    });
    expect(sha256Hex(canonicalJson(parsed.receipts[0]!.receipt))).toBe(row.sha256);
  });

  it('the Idempotency-Key depends on the device and every row\'s content, not on when it is sent', () => {
    const k = idempotencyKey('dev', ['a:0:h1', 'b:0:h2']);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyKey('dev', ['a:0:h1', 'b:0:h2'])).toBe(k);
    expect(idempotencyKey('dev2', ['a:0:h1', 'b:0:h2'])).not.toBe(k);
    expect(idempotencyKey('dev', ['a:1:h3', 'b:0:h2'])).not.toBe(k);
    expect(idempotencyKey('dev', ['a:0:h1'])).not.toBe(k);
    expect(freshKey(k, 5)).not.toBe(k);
    expect(freshKey(k, 5)).toBe(freshKey(k, 5));
  });

  it('the device clock is local time with milliseconds and zone; the offset is taken mid-exchange', () => {
    const t = Date.parse('2026-11-28T08:00:00.123Z');
    const iso = isoWithZoneMs(t);
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123[+-]\d\d:\d\d$/);
    expect(Date.parse(iso)).toBe(t);
    expect(clockOffset('2026-11-28T08:00:10.000Z', t - 1000, t + 1000)).toBe(10_000 - 123);
    expect(clockOffset(undefined, 0, 0)).toBeNull();
    expect(clockOffset('garbage', 0, 0)).toBeNull();
  });
});
