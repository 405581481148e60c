/**
 * Issue 7 end to end: a generated day with injected faults → receipts and printer health events
 * over the agents' routes (device tokens) → statement files imported (the CLI and the route) →
 * `tilltap reconcile --json` finds exactly the injected discrepancies, each explained → a person's
 * decisions survive re-runs → the API filters and exports them, and serves the dashboard.
 */
import { expect, it } from 'vitest';
import { generateDay } from '../../../scripts/gen/reconcile.js';
import { DISCREPANCY_KINDS } from '../../../src/server/matcher/types.js';
import type { DiscrepancyJson } from '../../../src/server/reconcile/present.js';
import { describeBackends } from '../backends.js';
import { deviceToken, makeApp, openDb, userToken } from '../helpers.js';
import { bearer, compare, freshDb, sendAgentData, tilltap, writeDayFiles } from './helpers.js';

const DATE = '2026-11-20';

describeBackends('reconciliation end to end', (backend) => {
  it('a generated day: exactly the injected discrepancies, explained; decisions kept across re-runs; API, CSV, dashboard', async () => {
    const day = generateDay({ seed: 42, date: DATE });
    const now = day.input.options.now;
    const db = await freshDb(backend);
    const storage = await openDb(db);
    const { app } = await makeApp({ storage });
    const user = await userToken(storage, 'finance');
    await sendAgentData(app, storage, day);

    // The acquirer's Chinese statement through the CLI, the rest through the route.
    const files = new Map<string, string>();
    for (const f of writeDayFiles(day)) {
      if (f.key === 'F1') {
        const r = tilltap(['import-statement', '--format', f.format, f.path, '--db', db, '--by', 'finance', '--json']);
        expect(r.code, r.stderr).toBe(0);
        const doc = JSON.parse(r.stdout) as { status: string; file: { id: string; language: string; version: number } };
        expect(doc).toMatchObject({ status: 'imported', file: { language: 'zh', version: 1 } });
        files.set(doc.file.id, f.key);
        continue;
      }
      const query = new URLSearchParams({ format: f.format, name: f.name, ...(f.store ? { store: f.store } : {}) });
      const r = await app.inject({ method: 'POST', url: `/api/v1/statements?${query}`, headers: { ...bearer(user.secret), 'content-type': 'text/csv' }, payload: f.bytes });
      expect(r.statusCode, r.body).toBe(201);
      files.set((r.json() as { file: { id: string } }).file.id, f.key);
    }
    expect(files.size).toBe(4);

    const run = tilltap(['reconcile', '--date', DATE, '--now', now, '--json', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      discrepancies: DiscrepancyJson[];
      counts: { pending: number; matched: number; discrepancies: number; open: number };
      summaries: Record<'store' | 'terminal' | 'operator', Array<{ key: string | null; discrepancies: { count: number } }>>;
    };
    expect(compare(day, doc.discrepancies, files)).toEqual({ missed: [], invented: [] });
    expect(doc.discrepancies).toHaveLength(day.expected.length);
    expect(new Set(doc.discrepancies.map((d) => d.kind))).toEqual(new Set(DISCREPANCY_KINDS));
    for (const d of doc.discrepancies) {
      expect(d.explanation_zh, d.key).toMatch(/[\u4e00-\u9fff]/);
      expect(d.explanation_en.length, d.key).toBeGreaterThan(40);
      expect(d.explanation, d.key).toBe(d.language === 'zh' ? d.explanation_zh : d.explanation_en);
      expect(d.statement_ids.length + d.receipt_ids.length, d.key).toBeGreaterThan(0);
      expect(d.status).toBe('open');
    }
    // Rows of the Chinese statement are explained in Chinese, of the English one in English.
    const f2 = [...files].find(([, k]) => k === 'F2')![0];
    const missingEn = doc.discrepancies.find((d) => d.kind === 'ambiguous' && d.statement_ids[0]!.startsWith(f2));
    expect(missingEn?.language).toBe('en');
    expect(doc.counts.pending).toBe(day.pending.length);
    for (const by of ['store', 'terminal', 'operator'] as const) {
      expect(doc.summaries[by].reduce((n, r) => n + r.discrepancies.count, 0)).toBe(doc.discrepancies.length);
    }

    // Every row of the day with receipts matched exactly its receipts, in the database.
    const rename = (id: string): string => `${files.get(id.split(':')[0]!)}:${id.split(':')[1]}`;
    const stored = await storage.reconciliation.matches({ date: DATE });
    const dayRows = new Set(day.input.statements.filter((s) => s.txn.datetime.startsWith(DATE)).map((s) => s.id));
    const wantPairs = [...day.pairs].filter(([id]) => dayRows.has(id));
    expect(new Map(stored.map((m) => [rename(m.statementRowId), [...m.receiptIds].sort()]))).toEqual(new Map(wantPairs));
    expect(doc.counts.matched).toBe(wantPairs.length);

    // Decisions: one through the API (who = the token's user), one through the CLI.
    const [first, second] = [doc.discrepancies.find((d) => d.kind === 'missing_receipt')!, doc.discrepancies.find((d) => d.kind === 'reprint')!];
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/discrepancies/${encodeURIComponent(first.key)}`,
      headers: bearer(user.secret),
      payload: { status: 'resolved', reason: 'customer paid in cash, slip voided', by: 'someone else' },
    });
    expect(patched.statusCode, patched.body).toBe(400); // `by` is not the body's to say
    const ok = await app.inject({
      method: 'PATCH',
      url: `/api/v1/discrepancies/${encodeURIComponent(first.key)}`,
      headers: bearer(user.secret),
      payload: { status: 'resolved', reason: 'customer paid in cash, slip voided' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ key: first.key, status: 'resolved', resolved_by: 'finance', resolved_reason: 'customer paid in cash, slip voided' });
    const cli = tilltap(['reconcile', 'resolve', second.key, '--by', 'auditor', '--reason', 'reprint requested by the customer', '--db', db]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`resolved ${second.key}`);

    // Run again, every date with statements (the day before too): the decisions stay, the findings are the same.
    const again = tilltap(['reconcile', '--now', now, '--json', '--db', db]);
    expect(again.code, again.stderr).toBe(0);
    const doc2 = JSON.parse(again.stdout) as { dates: string[] };
    expect(doc2.dates).toEqual(['2026-11-19', DATE]);
    const listed = tilltap(['reconcile', 'list', '--date', DATE, '--json', '--db', db]);
    const after = (JSON.parse(listed.stdout) as { discrepancies: DiscrepancyJson[] }).discrepancies;
    expect(compare(day, after, files)).toEqual({ missed: [], invented: [] });
    expect(after.filter((d) => d.status === 'resolved').map((d) => [d.key, d.resolved_by, d.resolved_reason])).toEqual(
      [
        [first.key, 'finance', 'customer paid in cash, slip voided'],
        [second.key, 'auditor', 'reprint requested by the customer'],
      ].sort((a, b) => doc.discrepancies.findIndex((d) => d.key === a[0]) - doc.discrepancies.findIndex((d) => d.key === b[0])),
    );

    // The API: filters, CSV, summaries; a device token is refused.
    const get = async (q: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/discrepancies?${q}`, headers: bearer(user.secret) });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as DiscrepancyJson[];
    };
    const all = await get(`date=${DATE}`);
    expect(all.map((d) => d.key)).toEqual(after.map((d) => d.key));
    expect((await get(`date=${DATE}&status=resolved`)).map((d) => d.key).sort()).toEqual([first.key, second.key].sort());
    expect(await get(`date=${DATE}&status=open`)).toHaveLength(all.length - 2);
    const missing = await get(`date=${DATE}&kind=missing_receipt`);
    expect(missing.length).toBe(day.expected.filter((e) => e.kind === 'missing_receipt').length);
    expect(missing.every((d) => d.kind === 'missing_receipt')).toBe(true);
    const s01 = await get(`date=${DATE}&store=S01`);
    expect(s01.length).toBeGreaterThan(0);
    expect(s01).toEqual(all.filter((d) => d.store === 'S01'));
    expect((await get(`date=${DATE}&lang=en`)).every((d) => d.explanation === d.explanation_en)).toBe(true);

    const csv = await app.inject({ method: 'GET', url: `/api/v1/discrepancies?date=${DATE}&format=csv`, headers: bearer(user.secret) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.startsWith('\ufeffkey,date,at,kind,')).toBe(true);
    const csvLines = csv.body.trimEnd().split('\r\n');
    expect(csvLines).toHaveLength(all.length + 1);
    expect(csv.body).toContain(first.key);
    expect(csv.body).toContain('customer paid in cash');

    const sums = await app.inject({ method: 'GET', url: `/api/v1/summaries?by=terminal&date=${DATE}`, headers: bearer(user.secret) });
    expect(sums.statusCode).toBe(200);
    const rows = (sums.json() as { rows: Array<{ matched: { count: number }; discrepancies: { count: number }; open: number }> }).rows;
    expect(rows.reduce((n, r) => n + r.discrepancies.count, 0)).toBe(all.length);
    expect(rows.reduce((n, r) => n + r.open, 0)).toBe(all.length - 2);
    expect(rows.reduce((n, r) => n + r.matched.count, 0)).toBe(wantPairs.length);

    const device = await deviceToken(storage, 'S01');
    for (const url of [`/api/v1/discrepancies?date=${DATE}`, '/api/v1/summaries', '/api/v1/statements']) {
      const r = await app.inject({ method: 'GET', url, headers: bearer(device.secret) });
      expect(r.statusCode, url).toBe(403);
      expect(r.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    const deny = await app.inject({ method: 'PATCH', url: `/api/v1/discrepancies/${first.key}`, headers: bearer(device.secret), payload: { status: 'open', reason: 'x' } });
    expect(deny.statusCode).toBe(403);

    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/api/v1/discrepancies');
  });
});
