import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/server/errors.js';
import { idempotencyKey, parsedCanonicalJson, prepareHealthEvents, prepareReceipts, receiptsAnswer } from '../../src/server/ingest.js';
import { canonicalJson } from '../../src/store/canonical.js';
import { classifyReceipt } from '../../src/server/storage/classify.js';
import { decodedReceipts, device, item, receiptsBody } from './helpers.js';

const LIMITS = { maxReceipts: 1000, maxEvents: 1000 };

describe('prepareReceipts', () => {
  it('keeps the local date, the matching fields and the canonical JSON; the offset is receive time − clock_ms', () => {
    const [r] = decodedReceipts(1);
    const it0 = item(r!, { captured_at: '2026-11-20T23:59:00-05:00' });
    const b = prepareReceipts(receiptsBody([it0], device({ clock_ms: 1_000_000 })), LIMITS, 1_250_000);
    expect(b.device.clockOffsetMs).toBe(250_000);
    expect(b.items[0]).toMatchObject({ localDate: '2026-11-20', capturedMs: Date.parse('2026-11-21T04:59:00Z'), terminalId: '10086001', merchantId: '898310048161234' });
    expect(JSON.parse(b.items[0]!.json)).toEqual(r);
  });

  it('the fingerprint ignores the device clock and version but not the content', () => {
    const [r, s] = decodedReceipts(2);
    const a = item(r!);
    const fp = (body: unknown) => prepareReceipts(body, LIMITS, Date.now()).fingerprint;
    const base = fp(receiptsBody([a]));
    expect(fp(receiptsBody([a], device({ clock_ms: 5, clock: 'x', version: '9.0.0' })))).toBe(base);
    expect(fp(receiptsBody([a, item(s!)]))).not.toBe(base);
    expect(fp(receiptsBody([{ ...a, print_status: 'failed' }]))).not.toBe(base);
    expect(fp(receiptsBody([a], device({ id: 'other' })))).not.toBe(base);
  });

  it('a receipt whose sha256 is not its content hash is refused, with its index and id', () => {
    const [r] = decodedReceipts(1);
    const bad = { ...item(r!), receipt: { ...r!, text: `${r!.text}X` } };
    try {
      prepareReceipts(receiptsBody([item(r!), bad]), LIMITS, Date.now());
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('SCHEMA_VIOLATION');
      expect((err as ApiError).message).toContain(`receipts[1] (id ${bad.id})`);
    }
  });

  it('unknown members outside a receipt are ignored; inside a receipt they are content', () => {
    const [r] = decodedReceipts(1);
    const a = { ...item(r!), future_member: 1 };
    expect(prepareReceipts({ ...receiptsBody([a]), extra: true }, LIMITS, 0).items).toHaveLength(1);
    // Inside the receipt an extra member is content: the hash the agent sent no longer matches.
    expect(() => prepareReceipts(receiptsBody([{ ...a, receipt: { ...r!, extra: 1 } }]), LIMITS, 0)).toThrow(ApiError);
  });
});

describe('prepareHealthEvents', () => {
  it('maps the wire names and refuses a time without a zone', () => {
    const e = { id: 'e1', seq: 1, printer: 'front', at: '2026-11-20T14:01:07.120+08:00', kind: 'paper', state: 'out', previous: null, duration_ms: null, detail: 'paper end' };
    const b = prepareHealthEvents({ device: device(), events: [e] }, LIMITS, Date.now());
    expect(b.items[0]).toMatchObject({ atMs: Date.parse(e.at), durationMs: null, detail: 'paper end' });
    expect(() => prepareHealthEvents({ device: device(), events: [{ ...e, at: '2026-11-20 14:01' }] }, LIMITS, 0)).toThrow(/events\[0\]\.at/);
  });
});

describe('classifyReceipt', () => {
  const held = { store: 'S1', device: 'd1', revision: 1, sha256: 'h' };
  const never = () => {
    throw new Error('history must not be asked');
  };
  it('follows the protocol', () => {
    expect(classifyReceipt(null, { ...held, sha256: 'x' }, never)).toEqual({ kind: 'accept' });
    expect(classifyReceipt(held, { ...held, revision: 7 }, never)).toEqual({ kind: 'duplicate' });
    expect(classifyReceipt(held, { ...held, revision: 2, sha256: 'x' }, never)).toEqual({ kind: 'revise', from: 1 });
    expect(classifyReceipt(held, { ...held, revision: 1, sha256: 'x' }, () => false)).toEqual({ kind: 'conflict', reason: 'revision-not-higher' });
    expect(classifyReceipt(held, { ...held, revision: 0, sha256: 'old' }, () => true)).toEqual({ kind: 'duplicate' });
    expect(classifyReceipt(held, { ...held, device: 'd2', revision: 9, sha256: 'x' }, never)).toEqual({ kind: 'conflict', reason: 'other-device' });
    expect(classifyReceipt(held, { ...held, store: 'S2', revision: 9, sha256: 'x' }, never)).toEqual({ kind: 'conflict', reason: 'other-device' });
  });
});

describe('answers and headers', () => {
  it('200 without conflicts, 409 RECEIPT_CONFLICT with the four lists otherwise', () => {
    const ok = receiptsAnswer({ accepted: ['a'], duplicates: [], revised: [{ id: 'r', from: 0, to: 1 }], conflicts: [] }, 'T');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ accepted: ['a'], duplicates: [], revised: ['r'], conflicts: [], server_time: 'T' });
    const c = receiptsAnswer(
      { accepted: [], duplicates: [], revised: [], conflicts: [{ id: 'c', reason: 'other-device', sent: { revision: 0, sha256: 's' }, held: { store: 'S', device: 'd', revision: 0, sha256: 'h' } }] },
      'T',
    );
    expect(c.status).toBe(409);
    expect(JSON.parse(c.body)).toMatchObject({ conflicts: ['c'], error: { code: 'RECEIPT_CONFLICT' } });
  });

  it('Idempotency-Key: absent is fine, a repeated or odd header is refused', () => {
    expect(idempotencyKey(undefined)).toBeNull();
    expect(idempotencyKey('3f2a-9c')).toBe('3f2a-9c');
    expect(() => idempotencyKey(['a', 'b'])).toThrow(ApiError);
    expect(() => idempotencyKey('has space')).toThrow(ApiError);
    expect(() => idempotencyKey('')).toThrow(ApiError);
  });
});

describe('parsedCanonicalJson', () => {
  it('is canonicalJson for parsed JSON, sorted or not', () => {
    const [r] = decodedReceipts(1);
    const values: unknown[] = [
      r,
      JSON.parse(canonicalJson(r)),
      { b: 1, a: 2 },
      { a: { d: [1, { z: 0, y: null }], c: 'é' }, b: [] },
      { '10': 1, '9': 2, a: 3 },
      { '1': 1, '2': 2 },
      { é: 1, e: 2, Z: 3, '': 4 },
      JSON.parse('{"n":1e999,"m":-0,"big":1e21,"s":"\\u2028\\ud800"}'),
      [],
      'x',
      null,
    ];
    // Random objects: keys in random order, nested.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const make = (depth: number): unknown => {
      const k = rnd();
      if (depth > 3 || k < 0.3) return rnd() < 0.5 ? Math.round(rnd() * 1000) - 500 : `s${Math.floor(rnd() * 100)}`;
      if (k < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => make(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 5; i++) o[rnd() < 0.2 ? String(Math.floor(rnd() * 20)) : String.fromCharCode(97 + Math.floor(rnd() * 26))] = make(depth + 1);
      return rnd() < 0.5 ? JSON.parse(canonicalJson(o)) : o;
    };
    for (let i = 0; i < 300; i++) values.push(JSON.parse(JSON.stringify(make(0))));
    for (const v of values) expect(parsedCanonicalJson(v)).toBe(canonicalJson(v));
  });
});
