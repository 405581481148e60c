/**
 * Head office's reading of the reconciliation (a user token only; a device token is 403):
 *   GET   /api/v1/discrepancies?store=&kind=&status=&date=&terminal=&operator=[&format=csv][&lang=zh|en]
 *   PATCH /api/v1/discrepancies/:key   { "status": "resolved" | "open", "reason": "…" }
 *   GET   /api/v1/summaries?by=store|terminal|operator&date=&store=
 *   POST  /api/v1/reconcile            { "date"?: "YYYY-MM-DD" }   runs the matcher as `tilltap reconcile`
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { apiError } from '../errors.js';
import { MatcherError } from '../matcher/errors.js';
import { DISCREPANCY_KINDS } from '../matcher/types.js';
import { discrepanciesCsv, discrepancyJson, summaries } from '../reconcile/present.js';
import { runReconciliation } from '../reconcile/run.js';
import type { Storage } from '../storage/types.js';
import { describeIssues } from '../wire.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const text = z.string().min(1).max(64);

const listQuery = z
  .object({
    store: text.optional(),
    kind: z.enum(DISCREPANCY_KINDS as [string, ...string[]]).optional(),
    status: z.enum(['open', 'resolved']).optional(),
    date: date.optional(),
    terminal: text.optional(),
    operator: text.optional(),
    format: z.enum(['json', 'csv']).optional(),
    lang: z.enum(['zh', 'en']).optional(),
    limit: z.coerce.number().int().min(1).max(100_000).optional(),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict();

const decisionBody = z
  .object({
    status: z.enum(['resolved', 'open']),
    reason: z.string().trim().min(1, 'say why').max(1000),
  })
  .strict();

const summaryQuery = z
  .object({
    by: z.enum(['store', 'terminal', 'operator']).default('store'),
    date: date.optional(),
    store: text.optional(),
  })
  .strict();

const reconcileBody = z.object({ date: date.optional() }).strict();

export const discrepancyRoutes: FastifyPluginAsync<{ storage: Storage }> = async (app, { storage }) => {
  app.get('/api/v1/discrepancies', { config: { auth: 'user' } }, async (request, reply) => {
    const q = listQuery.safeParse(request.query);
    if (!q.success) throw apiError('SCHEMA_VIOLATION', describeIssues(q.error));
    const { format, lang, kind, status, ...filter } = q.data;
    const list = await storage.reconciliation.discrepancies({
      ...filter,
      ...(kind !== undefined ? { kind: kind as (typeof DISCREPANCY_KINDS)[number] } : {}),
      ...(status !== undefined ? { status } : {}),
    });
    const json = list.map((d) => discrepancyJson(d, lang));
    if (format === 'csv') {
      const name = `discrepancies${filter.date ? `-${filter.date}` : ''}${filter.store ? `-${filter.store}` : ''}.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(discrepanciesCsv(json));
    }
    return json;
  });

  app.patch<{ Params: { key: string } }>('/api/v1/discrepancies/:key', { config: { auth: 'user' } }, async (request) => {
    const principal = request.principal;
    if (principal?.role !== 'user') throw apiError('FORBIDDEN');
    const b = decisionBody.safeParse(request.body);
    if (!b.success) throw apiError('SCHEMA_VIOLATION', describeIssues(b.error));
    // Who decided is the token's user, never what the body says.
    const d = await storage.reconciliation.decide({
      key: request.params.key,
      status: b.data.status,
      by: principal.name,
      at: new Date().toISOString(),
      reason: b.data.reason,
    });
    if (!d) throw apiError('DISCREPANCY_NOT_FOUND', `No discrepancy has the key ${JSON.stringify(request.params.key.slice(0, 80))}.`);
    request.log.info({ key: d.key, status: d.status, by: principal.name }, 'discrepancy decided');
    return discrepancyJson(d);
  });

  app.get('/api/v1/summaries', { config: { auth: 'user' } }, async (request) => {
    const q = summaryQuery.safeParse(request.query);
    if (!q.success) throw apiError('SCHEMA_VIOLATION', describeIssues(q.error));
    const filter = { ...(q.data.date ? { date: q.data.date } : {}), ...(q.data.store ? { store: q.data.store } : {}) };
    const [matches, list] = await Promise.all([storage.reconciliation.matches(filter), storage.reconciliation.discrepancies(filter)]);
    return { by: q.data.by, date: q.data.date ?? null, store: q.data.store ?? null, rows: summaries(matches, list, q.data.by) };
  });

  app.post('/api/v1/reconcile', { config: { auth: 'user' } }, async (request) => {
    const b = reconcileBody.safeParse(request.body ?? {});
    if (!b.success) throw apiError('SCHEMA_VIOLATION', describeIssues(b.error));
    try {
      const report = await runReconciliation(storage, b.data.date ? { days: [b.data.date] } : {});
      request.log.info({ days: report.days.map((d) => d.day), by: request.principal?.role === 'user' ? request.principal.name : null }, 'reconciled');
      return report;
    } catch (err) {
      if (err instanceof MatcherError) throw apiError('RECONCILE_FAILED', err.message);
      throw err;
    }
  });
};
