/** The statement, discrepancy and summary routes, and the dashboard page, on both backends. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { acquirerStatement, salesLog } from '../../../scripts/gen/statements.js';
import { DASHBOARD_SCRIPT } from '../../../src/server/dashboard/script.js';
import { DISCREPANCY_KINDS } from '../../../src/server/matcher/types.js';
import { describeBackends, tableRows } from '../backends.js';
import { afterThisTest, deviceToken, makeApp, userToken } from '../helpers.js';
import { bearer } from './helpers.js';

describeBackends('statement and discrepancy routes', (backend) => {
  it('POST /api/v1/statements: a user token; a bad file is 422 with its code, line and column and stores nothing; the same file twice is 200', async () => {
    const { app, storage } = await makeApp({ backend });
    const user = await userToken(storage);
    const device = await deviceToken(storage);
    const g = acquirerStatement(31, { language: 'zh', rows: 12 });
    const post = (url: string, body: Buffer, headers: Record<string, string> = bearer(user.secret)) =>
      app.inject({ method: 'POST', url, headers: { 'content-type': 'text/csv', ...headers }, payload: body });

    expect((await post('/api/v1/statements?format=acquirer-csv', g.bytes, {})).statusCode).toBe(401);
    const forbidden = await post('/api/v1/statements?format=acquirer-csv', g.bytes, bearer(device.secret));
    expect(forbidden.statusCode).toBe(403);

    const bad = acquirerStatement(31, { language: 'zh', rows: 12, override: { row: 4, column: '交易金额', value: 'abc' } });
    const refused = await post('/api/v1/statements?format=acquirer-csv', bad.bytes);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toEqual({
      error: { code: 'STATEMENT_BAD_AMOUNT', line: bad.expected[4]!.line, column: '交易金额', message: expect.stringContaining(`line ${bad.expected[4]!.line}, column 交易金额`) },
    });
    expect(await tableRows(storage, 'statement_rows')).toEqual([]);

    const unknown = await post('/api/v1/statements?format=paypal', g.bytes);
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, 'STATEMENT_UNKNOWN_FORMAT']);
    const mapping = await post('/api/v1/statements?format=generic&mapping=../../etc/passwd', g.bytes);
    expect([mapping.statusCode, mapping.json().error.code]).toEqual([400, 'SCHEMA_VIOLATION']);
    const noMapping = await post('/api/v1/statements?format=generic&mapping=no-such-bank', g.bytes);
    expect([noMapping.statusCode, noMapping.json().error.code]).toEqual([400, 'STATEMENT_BAD_MAPPING']);
    const empty = await post('/api/v1/statements?format=acquirer-csv', Buffer.alloc(0));
    expect([empty.statusCode, empty.json().error.code]).toEqual([422, 'STATEMENT_EMPTY_FILE']);

    // gzipped, under any content type (a JSON sales log is a file here, not a request body to parse).
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/statements?format=acquirer-csv&name=pos.csv',
      headers: { ...bearer(user.secret), 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' },
      payload: gzipSync(g.bytes),
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: 'imported', file: { rows: 12, version: 1, name: 'pos.csv', imported_by: 'finance', language: 'zh' }, supersedes: null });
    const again = await post('/api/v1/statements?format=acquirer-csv', g.bytes);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'already_imported', file: { id: first.json().file.id } });
    const log = salesLog(5, 'json');
    const json = await app.inject({
      method: 'POST',
      url: '/api/v1/statements?format=sales-log&store=S001',
      headers: { ...bearer(user.secret), 'content-type': 'application/json' },
      payload: log.bytes,
    });
    expect(json.statusCode, json.body).toBe(201);
    expect(json.json()).toMatchObject({ file: { store: 'S001', source: 'sales-log' } });

    const listed = await app.inject({ method: 'GET', url: '/api/v1/statements', headers: bearer(user.secret) });
    expect(listed.json()).toHaveLength(2);
    expect(await tableRows(storage, 'statement_rows')).toHaveLength(12 + log.expected.length);
  });

  it('POST /api/v1/statements: a file over the statement limit is 413', async () => {
    const { app, storage } = await makeApp({ backend, limits: { bodyBytes: 4096, maxReceipts: 10, maxEvents: 10, statementBytes: 2048 } });
    const user = await userToken(storage);
    const big = acquirerStatement(32, { rows: 200 }).bytes;
    const r = await app.inject({ method: 'POST', url: '/api/v1/statements?format=acquirer-csv', headers: { ...bearer(user.secret), 'content-type': 'text/csv' }, payload: big });
    expect([r.statusCode, r.json().error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('POST /api/v1/reconcile runs the matcher; PATCH needs a known key, a status and a reason; queries are checked', async () => {
    const { app, storage } = await makeApp({ backend });
    const user = await userToken(storage);
    const g = acquirerStatement(33, { rows: 6 });
    await app.inject({ method: 'POST', url: '/api/v1/statements?format=acquirer-csv', headers: { ...bearer(user.secret), 'content-type': 'text/csv' }, payload: g.bytes });
    const run = await app.inject({ method: 'POST', url: '/api/v1/reconcile', headers: bearer(user.secret), payload: { date: g.date_from } });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json()).toMatchObject({ days: [{ day: g.date_from, counts: { statement_rows: 6, receipts: 0, matched: 0 } }] });
    const list = (await app.inject({ method: 'GET', url: '/api/v1/discrepancies', headers: bearer(user.secret) })).json() as Array<{ key: string; kind: string }>;
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((d) => DISCREPANCY_KINDS.includes(d.kind as never))).toBe(true);

    const patch = (key: string, payload: unknown) =>
      app.inject({ method: 'PATCH', url: `/api/v1/discrepancies/${encodeURIComponent(key)}`, headers: bearer(user.secret), payload: payload as Record<string, unknown> });
    expect((await patch('missing:nope', { status: 'resolved', reason: 'x' })).json()).toMatchObject({ error: { code: 'DISCREPANCY_NOT_FOUND' } });
    expect((await patch(list[0]!.key, { status: 'resolved' })).statusCode).toBe(400);
    expect((await patch(list[0]!.key, { status: 'done', reason: 'x' })).statusCode).toBe(400);
    expect((await patch(list[0]!.key, { status: 'resolved', reason: '   ' })).statusCode).toBe(400);
    expect((await patch(list[0]!.key, { status: 'resolved', reason: 'ok' })).json()).toMatchObject({ status: 'resolved', resolved_by: 'finance' });

    for (const q of ['kind=weird', 'status=closed', 'date=2026-1-1', 'format=xml', 'color=red']) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/discrepancies?${q}`, headers: bearer(user.secret) });
      expect([r.statusCode, r.json().error.code], q).toEqual([400, 'SCHEMA_VIOLATION']);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/summaries?by=weekday', headers: bearer(user.secret) })).statusCode).toBe(400);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/reconcile', headers: bearer(user.secret), payload: { date: 'today' } });
    expect(bad.statusCode).toBe(400);
  });

  it('GET / serves the dashboard: self-contained, only its own script may run, and the API it calls answers (over a real socket)', async () => {
    const { app, storage } = await makeApp({ backend });
    const user = await userToken(storage);
    await app.listen({ host: '127.0.0.1', port: 0 });
    afterThisTest(() => app.close());
    const addr = app.server.address() as { port: number };
    const base = `http://127.0.0.1:${addr.port}`;

    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    const html = await page.text();
    const csp = page.headers.get('content-security-policy')!;
    const hash = createHash('sha256').update(DASHBOARD_SCRIPT).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(html).toContain(`<script>${DASHBOARD_SCRIPT}</script>`);
    // It parses as a script (a syntax error would leave a blank page and no failing test otherwise).
    expect(() => new Function(DASHBOARD_SCRIPT)).not.toThrow();
    // Nothing from elsewhere: no external scripts, styles, fonts or images.
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
    // Every element the script looks up is on the page.
    const ids = [...DASHBOARD_SCRIPT.matchAll(/\$\('([a-z-]+)'\)/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(8);
    for (const id of new Set(ids)) expect(html, id).toContain(`id="${id}"`);
    for (const f of ['date', 'store', 'kind', 'status', 'lang']) expect(html).toContain(`id="f-${f}"`);

    // The calls the script makes, with a user token.
    const calls = [...DASHBOARD_SCRIPT.matchAll(/'(\/api\/v1\/[a-z]+)/g)].map((m) => m[1]!);
    expect(new Set(calls)).toEqual(new Set(['/api/v1/discrepancies', '/api/v1/summaries', '/api/v1/statements', '/api/v1/reconcile']));
    for (const [path, method] of [
      ['/api/v1/discrepancies?status=open', 'GET'],
      ['/api/v1/discrepancies?format=csv', 'GET'],
      ['/api/v1/summaries?by=operator', 'GET'],
      ['/api/v1/statements', 'GET'],
    ] as const) {
      const r = await fetch(`${base}${path}`, { method, headers: bearer(user.secret) });
      expect(r.status, path).toBe(200);
      await r.arrayBuffer();
    }
    const run = await fetch(`${base}/api/v1/reconcile`, { method: 'POST', headers: { ...bearer(user.secret), 'content-type': 'application/json' }, body: '{}' });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ days: [] });
    const anonymous = await fetch(`${base}/api/v1/discrepancies`);
    expect(anonymous.status).toBe(401);
  });
});
