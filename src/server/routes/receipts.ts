/**
 * POST /api/v1/receipts (a device token: the agent's batches) and GET /api/v1/receipts (a user
 * token: what head office holds). Bodies in docs/sync-protocol.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import { apiError } from '../errors.js';
import { type BatchLimits, idempotencyKey, prepareReceipts, receiptsAnswer } from '../ingest.js';
import { listedServerReceipt } from '../listed.js';
import type { Storage } from '../storage/types.js';
import { describeIssues, receiptsQuery } from '../wire.js';
import { sendIdempotent } from './answer.js';

export const receiptRoutes: FastifyPluginAsync<{ storage: Storage; limits: BatchLimits }> = async (app, { storage, limits }) => {
  app.post('/api/v1/receipts', { config: { auth: 'device' } }, async (request, reply) => {
    const principal = request.principal;
    if (principal?.role !== 'device') throw apiError('FORBIDDEN');
    const receivedMs = Date.now();
    const receivedAt = new Date(receivedMs).toISOString();
    const key = idempotencyKey(request.headers['idempotency-key']);
    const batch = prepareReceipts(request.body, limits, receivedMs);
    const out = await storage.receipts.ingest(
      {
        store: principal.store,
        device: batch.device,
        receivedAt,
        idempotency: key === null ? null : { tokenId: principal.tokenId, scope: 'receipts', key, fingerprint: batch.fingerprint },
      },
      batch.items,
      (r) => receiptsAnswer(r, receivedAt),
    );
    if (out.kind === 'fresh') {
      const { accepted, duplicates, revised, conflicts } = out.result;
      const log = request.log.child({ store: principal.store, device: batch.device.id });
      for (const r of revised) log.info({ receipt: r.id, from: r.from, to: r.to }, 'receipt revised');
      for (const c of conflicts) {
        log.warn({ receipt: c.id, reason: c.reason, sent: c.sent, held: c.held }, 'receipt conflict: another content is held under this id (possible tampering)');
      }
      log.info({ accepted: accepted.length, duplicates: duplicates.length, revised: revised.length, conflicts: conflicts.length, clock_offset_ms: batch.device.clockOffsetMs }, 'receipts batch');
    }
    return sendIdempotent(reply, out);
  });

  app.get('/api/v1/receipts', { config: { auth: 'user' } }, async (request) => {
    const q = receiptsQuery.safeParse(request.query);
    if (!q.success) throw apiError('SCHEMA_VIOLATION', describeIssues(q.error));
    const list = await storage.receipts.list(q.data);
    return list.map(listedServerReceipt);
  });
};
