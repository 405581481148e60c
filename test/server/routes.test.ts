import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/server/app.js';
import { canonicalJson, sha256Hex } from '../../src/store/canonical.js';
import { describeBackends } from './backends.js';
import { decodedReceipts, device, deviceToken, item, makeApp as makeAppOn, receiptsBody, userToken } from './helpers.js';

const json = (b: unknown) => JSON.stringify(b);
const auth = (secret: string) => ({ authorization: `Bearer ${secret}` });
const post = (secret: string, body: string | Buffer, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: '/api/v1/receipts',
  headers: { ...auth(secret), 'content-type': 'application/json', ...headers },
  payload: body,
});

function errorOf(res: { statusCode: number; body: string }): { status: number; code: string; message: string } {
  const b = JSON.parse(res.body) as { error: { code: string; message: string } };
  expect(typeof b.error.message).toBe('string');
  expect(b.error.message.length).toBeGreaterThan(0);
  return { status: res.statusCode, code: b.error.code, message: b.error.message };
}

// Every route test through storage, once per backend.
describeBackends('HTTP routes', (backend) => {
  const makeApp = () => makeAppOn({ backend });

  describe('GET /healthz and unknown routes', () => {
    it('answers liveness with the database kind', async () => {
      const { app } = await makeApp();
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', version: '9.9.9', db: backend.name });
    });

    it('an unknown route is 404 NOT_FOUND in the error shape', async () => {
      const { app } = await makeApp();
      expect(errorOf(await app.inject({ method: 'GET', url: '/api/v1/nothing' }))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    });
  });

  describe('tokens', () => {
    it('401 without a token, with a malformed header, with an unknown token, with a revoked one', async () => {
      const { app, storage } = await makeApp();
      const body = json(receiptsBody([]));
      const none = await app.inject({ method: 'POST', url: '/api/v1/receipts', headers: { 'content-type': 'application/json' }, payload: body });
      expect(errorOf(none)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      const basic = await app.inject({ ...post('x', body), headers: { authorization: 'Basic dXNlcjpwdw==', 'content-type': 'application/json' } });
      expect(errorOf(basic)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      expect(errorOf(await app.inject(post('ttd_not-a-real-token', body)))).toMatchObject({ status: 401, code: 'UNAUTHORIZED', message: 'Unknown token.' });
      const t = await deviceToken(storage);
      expect((await app.inject(post(t.secret, body))).statusCode).toBe(200);
      expect(await storage.tokens.revoke(t.id, new Date().toISOString())).toBe('revoked');
      expect(errorOf(await app.inject(post(t.secret, body)))).toMatchObject({ status: 401, code: 'UNAUTHORIZED', message: 'This token was revoked.' });
    });

    it('403 for a user token on the agent routes and a device token on the user route', async () => {
      const { app, storage } = await makeApp();
      const u = await userToken(storage);
      const d = await deviceToken(storage);
      expect(errorOf(await app.inject(post(u.secret, json(receiptsBody([])))))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      const ev = await app.inject({ ...post(u.secret, json({ device: device(), events: [] })), url: '/api/v1/health-events' });
      expect(errorOf(ev)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(errorOf(await app.inject({ method: 'GET', url: '/api/v1/receipts', headers: auth(d.secret) }))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect((await app.inject({ method: 'GET', url: '/api/v1/receipts', headers: auth(u.secret) })).statusCode).toBe(200);
    });
  });

  describe('POST /api/v1/receipts: bodies refused', () => {
    it('400 BAD_JSON for broken JSON, an empty body and a __proto__ key', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      expect(errorOf(await app.inject(post(t.secret, '{"device":')))).toMatchObject({ status: 400, code: 'BAD_JSON' });
      expect(errorOf(await app.inject(post(t.secret, '')))).toMatchObject({ status: 400, code: 'BAD_JSON' });
      expect(errorOf(await app.inject(post(t.secret, '{"__proto__":{"x":1},"receipts":[]}')))).toMatchObject({ status: 400, code: 'BAD_JSON' });
      expect(errorOf(await app.inject(post(t.secret, Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })))).toMatchObject({
        status: 400,
        code: 'BAD_JSON',
      });
    });

    it('400 SCHEMA_VIOLATION names the member that is wrong', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const [r] = decodedReceipts(1);
      const cases: Array<[unknown, RegExp]> = [
        [{ receipts: [] }, /^device/],
        [receiptsBody([item(r!, { sha256: 'ABC' })]), /receipts\[0\]\.sha256/],
        [receiptsBody([item(r!, { captured_at: '2026-11-20T09:10:00' })]), /receipts\[0\]\.captured_at/],
        [receiptsBody([item(r!, { print_status: 'printed' as 'ok' })]), /receipts\[0\]\.print_status/],
        [receiptsBody([{ ...item(r!), receipt: { ...r!, lines: 'x' } } as never]), /receipts\[0\]\.receipt\.lines/],
        [receiptsBody([item(r!)], device({ clock_ms: 'now' })), /device\.clock_ms/],
        [[1, 2], /body/],
      ];
      for (const [body, where] of cases) {
        const e = errorOf(await app.inject(post(t.secret, json(body))));
        expect(e).toMatchObject({ status: 400, code: 'SCHEMA_VIOLATION' });
        expect(e.message).toMatch(where);
      }
      expect(await storage.receipts.list()).toEqual([]);
    });

    it('400 SCHEMA_VIOLATION when sha256 is not the hash of the receipt, and nothing of the batch is stored', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const [a, b] = decodedReceipts(2);
      const tampered = item(b!);
      tampered.receipt = { ...b!, fields: { ...b!.fields, total_minor: 999_999 } };
      const e = errorOf(await app.inject(post(t.secret, json(receiptsBody([item(a!), tampered])))));
      expect(e).toMatchObject({ status: 400, code: 'SCHEMA_VIOLATION' });
      expect(e.message).toContain(tampered.id);
      expect(await storage.receipts.list()).toEqual([]);
    });

    it('more than 1000 receipts in one batch is a SCHEMA_VIOLATION', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const [r] = decodedReceipts(1);
      const items = Array.from({ length: DEFAULT_LIMITS.maxReceipts + 1 }, (_, i) => item(r!, { seq: i }));
      const e = errorOf(await app.inject(post(t.secret, json(receiptsBody(items)))));
      expect(e).toMatchObject({ status: 400, code: 'SCHEMA_VIOLATION' });
      expect(e.message).toMatch(/at most 1000/);
    });

    it('413 PAYLOAD_TOO_LARGE over the limit, also when only the inflated gzip body is (a gzip bomb)', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const big = json({ device: device(), receipts: [], pad: ' '.repeat(DEFAULT_LIMITS.bodyBytes) });
      expect(errorOf(await app.inject(post(t.secret, big)))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      const bomb = gzipSync(big);
      expect(bomb.length).toBeLessThan(100_000);
      expect(errorOf(await app.inject(post(t.secret, bomb, { 'content-encoding': 'gzip' })))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      // Just under the limit inflates and is read (then refused for its shape, not its size).
      const fits = json({ device: device(), receipts: [], pad: ' '.repeat(DEFAULT_LIMITS.bodyBytes - 200) });
      const ok = await app.inject(post(t.secret, gzipSync(fits), { 'content-encoding': 'gzip' }));
      expect(ok.statusCode).toBe(200);
    });

    it('415 for another media type or content encoding', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const body = json(receiptsBody([]));
      expect(errorOf(await app.inject(post(t.secret, body, { 'content-type': 'text/plain' })))).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(errorOf(await app.inject(post(t.secret, body, { 'content-type': 'application/x-www-form-urlencoded' })))).toMatchObject({ status: 415 });
      expect(errorOf(await app.inject(post(t.secret, body, { 'content-encoding': 'br' })))).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('400 for an Idempotency-Key that is not one short visible token', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const e = errorOf(await app.inject(post(t.secret, json(receiptsBody([])), { 'idempotency-key': 'x'.repeat(201) })));
      expect(e).toMatchObject({ status: 400, code: 'SCHEMA_VIOLATION' });
    });
  });

  describe('POST /api/v1/receipts: ingest', () => {
    it('stores a batch under the token\'s store, gzip or not, and lists it for a user token', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage, 'S001');
      const u = await userToken(storage);
      const rs = decodedReceipts(4);
      const items = rs.map((r, i) => item(r, { seq: i + 1, captured_at: `2026-11-20T0${i}:10:00+08:00` }));
      // A store named in the body is ignored: the token says which store this is.
      const res = await app.inject(post(t.secret, json({ ...receiptsBody(items.slice(0, 2)), store: 'S999' })));
      expect(res.statusCode).toBe(200);
      const answer = res.json();
      expect(answer).toMatchObject({ accepted: [items[0]!.id, items[1]!.id], duplicates: [], revised: [], conflicts: [] });
      expect(Number.isFinite(Date.parse(answer.server_time))).toBe(true);
      const gz = await app.inject(post(t.secret, gzipSync(json(receiptsBody(items.slice(2)))), { 'content-encoding': 'gzip' }));
      expect(gz.statusCode).toBe(200);
      expect(gz.json().accepted).toEqual([items[2]!.id, items[3]!.id]);

      const list = await app.inject({ method: 'GET', url: '/api/v1/receipts?store=S001&date=2026-11-20', headers: auth(u.secret) });
      expect(list.statusCode).toBe(200);
      const got = list.json() as Array<Record<string, unknown>>;
      expect(got.map((r) => r.id)).toEqual(items.map((i) => i.id));
      expect(got[0]).toMatchObject({
        store: 'S001',
        terminal: 'T01',
        device: device().id,
        revision: 0,
        synced: true,
        print_status: 'ok',
        printer: 'front',
        captured_at: '2026-11-20T00:10:00+08:00',
        device_seq: 1,
        seq: rs[0]!.seq,
        text: rs[0]!.text,
        fields: rs[0]!.fields,
      });
      // The content came back exactly: its hash is the one the agent sent.
      const { id: _i, captured_at: _c, printer: _p, print_status: _s, synced: _y, device_seq: _d, store: _st, terminal: _t, device: _dv, revision: _r, received_at: _ra, print_reason: _pr, ...receipt } = got[0]!;
      expect(sha256Hex(canonicalJson(receipt))).toBe(items[0]!.sha256);
      expect((await app.inject({ method: 'GET', url: '/api/v1/receipts?store=S002', headers: auth(u.secret) })).json()).toEqual([]);
      expect((await app.inject({ method: 'GET', url: '/api/v1/receipts?date=2026-11-21', headers: auth(u.secret) })).json()).toEqual([]);
      expect(errorOf(await app.inject({ method: 'GET', url: '/api/v1/receipts?date=20.11.2026', headers: auth(u.secret) }))).toMatchObject({ status: 400, code: 'SCHEMA_VIOLATION' });
      expect(errorOf(await app.inject({ method: 'GET', url: '/api/v1/receipts?shop=S001', headers: auth(u.secret) }))).toMatchObject({ status: 400 });
    });

    it('a receipt sent again is a duplicate, a no-op', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const [r] = decodedReceipts(1);
      const it1 = item(r!);
      await app.inject(post(t.secret, json(receiptsBody([it1]))));
      const before = await storage.receipts.get(it1.id);
      const again = await app.inject(post(t.secret, json(receiptsBody([it1]))));
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ accepted: [], duplicates: [it1.id], revised: [], conflicts: [] });
      expect(await storage.receipts.get(it1.id)).toEqual(before);
    });

    it('Idempotency-Key: a retry gets the first answer (also with a new clock); another body under the key is 422', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const [a, b] = decodedReceipts(2);
      const ia = item(a!);
      const first = await app.inject(post(t.secret, json(receiptsBody([ia])), { 'idempotency-key': 'k-1' }));
      expect(first.json().accepted).toEqual([ia.id]);
      const retry = await app.inject(post(t.secret, json(receiptsBody([ia], device({ clock_ms: Date.now() + 5000 }))), { 'idempotency-key': 'k-1' }));
      expect(retry.statusCode).toBe(200);
      expect(retry.body).toBe(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const reused = await app.inject(post(t.secret, json(receiptsBody([ia, item(b!)])), { 'idempotency-key': 'k-1' }));
      expect(errorOf(reused)).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await storage.receipts.list()).toHaveLength(1);
      // Keys are per token: another store's agent may use the same key.
      const other = await deviceToken(storage, 'S002');
      const ib = item(b!);
      const elsewhere = await app.inject(post(other.secret, json(receiptsBody([ib], device({ id: 'dev-2' }))), { 'idempotency-key': 'k-1' }));
      expect(elsewhere.json().accepted).toEqual([ib.id]);
    });

    it('a higher revision from the same device replaces the receipt and keeps the old one; re-sending the old one is a duplicate', async () => {
      const { app, storage, logs } = await makeApp();
      const t = await deviceToken(storage);
      const [r] = decodedReceipts(1);
      const v0 = item(r!);
      await app.inject(post(t.secret, json(receiptsBody([v0]))));
      const redecoded = { ...r!, fields: { ...r!.fields, trace_no: '000777' } };
      const v1 = item(redecoded, { id: v0.id, revision: 1 });
      const res = await app.inject(post(t.secret, json(receiptsBody([v1]))));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ accepted: [], duplicates: [], revised: [v0.id], conflicts: [] });
      const now = await storage.receipts.get(v0.id);
      expect(now).toMatchObject({ revision: 1, sha256: v1.sha256 });
      expect(JSON.parse(now!.json).fields.trace_no).toBe('000777');
      const history = await storage.receipts.revisions(v0.id);
      expect(history.map((h) => [h.revision, h.sha256])).toEqual([[0, v0.sha256]]);
      expect(logs.lines.some((l) => l.msg === 'receipt revised' && l.level === 30 && l.receipt === v0.id)).toBe(true);
      const old = await app.inject(post(t.secret, json(receiptsBody([v0]))));
      expect(old.json()).toMatchObject({ duplicates: [v0.id], conflicts: [] });
      expect((await storage.receipts.get(v0.id))!.revision).toBe(1);
    });

    it('409 RECEIPT_CONFLICT for another content under a held id (same revision, or another device); the rest is stored; logged at warn', async () => {
      const { app, storage, logs } = await makeApp();
      const t = await deviceToken(storage);
      const [r, s, x] = decodedReceipts(3);
      const held = item(r!);
      await app.inject(post(t.secret, json(receiptsBody([held]))));
      const forged = item({ ...r!, fields: { ...r!.fields, amount_minor: 1 } }, { id: held.id });
      const fresh = item(s!);
      const fromElsewhere = item(x!, { id: held.id, revision: 5 });
      const res = await app.inject(post(t.secret, json(receiptsBody([forged, fresh]))));
      expect(res.statusCode).toBe(409);
      const body = res.json();
      expect(body).toMatchObject({ accepted: [fresh.id], duplicates: [], revised: [], conflicts: [held.id], error: { code: 'RECEIPT_CONFLICT' } });
      expect(await storage.receipts.get(fresh.id)).not.toBeNull();
      expect((await storage.receipts.get(held.id))!.sha256).toBe(held.sha256);
      const other = await app.inject(post(t.secret, json(receiptsBody([fromElsewhere], device({ id: 'another-device' })))));
      expect(other.statusCode).toBe(409);
      const log = await storage.receipts.conflicts();
      expect(log.map((c) => [c.receiptId, c.reason, c.sha256, c.heldSha256])).toEqual([
        [held.id, 'revision-not-higher', forged.sha256, held.sha256],
        [held.id, 'other-device', fromElsewhere.sha256, held.sha256],
      ]);
      const warns = logs.lines.filter((l) => l.level === 40);
      expect(warns).toHaveLength(2);
      expect(warns[0]!.msg).toMatch(/tampering/);
      expect(warns[0]).toMatchObject({ receipt: held.id, reason: 'revision-not-higher' });
    });

    it('records the device, its version and its clock offset', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage, 'S001');
      const behind = Date.now() - 90_000;
      await app.inject(post(t.secret, json(receiptsBody([], device({ clock_ms: behind, version: '0.2.0', terminal: 'T07' })))));
      const [d] = await storage.devices.list({ store: 'S001' });
      expect(d).toMatchObject({ id: device().id, store: 'S001', version: '0.2.0', terminal: 'T07' });
      // Server time minus the agent's clock: about 90 s (the test itself takes a little).
      expect(d!.clockOffsetMs).toBeGreaterThanOrEqual(90_000);
      expect(d!.clockOffsetMs).toBeLessThan(90_000 + 30_000);
    });
  });

  describe('POST /api/v1/health-events', () => {
    const event = (over: Record<string, unknown> = {}) => ({
      id: crypto.randomUUID(),
      seq: 1,
      printer: 'front',
      at: '2026-11-20T14:01:07.120+08:00',
      kind: 'paper',
      state: 'out',
      previous: 'ok',
      duration_ms: 540000,
      detail: null,
      ...over,
    });

    it('stores new events and answers held ones as duplicates; checks the shape', async () => {
      const { app, storage } = await makeApp();
      const t = await deviceToken(storage);
      const e1 = event();
      const e2 = event({ seq: 2, state: 'ok', previous: 'out' });
      const send = (events: unknown[], headers: Record<string, string> = {}) =>
        app.inject({ ...post(t.secret, json({ device: device(), events }), headers), url: '/api/v1/health-events' });
      const first = await send([e1]);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ accepted: [e1.id], duplicates: [] });
      expect((await send([e1, e2])).json()).toMatchObject({ accepted: [e2.id], duplicates: [e1.id] });
      const stored = await storage.health.list({ store: 'S001' });
      expect(stored.map((e) => [e.id, e.kind, e.state, e.previous, e.durationMs])).toEqual([
        [e1.id, 'paper', 'out', 'ok', 540000],
        [e2.id, 'paper', 'ok', 'out', 540000],
      ]);
      expect(errorOf(await send([event({ at: 'yesterday' })]))).toMatchObject({ status: 400, code: 'SCHEMA_VIOLATION' });
      expect(errorOf(await send([event({ kind: 'Paper Out!' })]))).toMatchObject({ status: 400, code: 'SCHEMA_VIOLATION' });
      const e3 = event({ seq: 3 });
      const keyed = await send([e3], { 'idempotency-key': 'h-1' });
      const replay = await send([e3], { 'idempotency-key': 'h-1' });
      expect(replay.statusCode).toBe(200);
      expect(replay.body).toBe(keyed.body);
      expect(errorOf(await send([event({ seq: 3 })], { 'idempotency-key': 'h-1' }))).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      // A key is per route: the same key on the receipts route is another key.
      expect((await app.inject(post(t.secret, json(receiptsBody([])), { 'idempotency-key': 'h-1' }))).statusCode).toBe(200);
    });
  });

  describe('failures inside the server', () => {
    it('500 INTERNAL without the details when storage fails; /healthz says 503', async () => {
      const { app, storage, logs } = await makeApp();
      const t = await deviceToken(storage);
      const [r] = decodedReceipts(1);
      // The database goes away under the running app.
      await storage.close();
      const e = errorOf(await app.inject(post(t.secret, json(receiptsBody([item(r!)])))));
      expect(e).toMatchObject({ status: 500, code: 'INTERNAL' });
      expect(e.message).not.toMatch(/database|sqlite|postgres|pool|connection/i);
      expect(logs.lines.some((l) => l.level === 50 && l.msg === 'request failed')).toBe(true);
      expect(errorOf(await app.inject({ method: 'GET', url: '/healthz' }))).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    });
  });
});
