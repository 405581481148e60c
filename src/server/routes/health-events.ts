/** POST /api/v1/health-events: printer health events from an agent (docs/sync-protocol.md). */
import type { FastifyPluginAsync } from 'fastify';
import { apiError } from '../errors.js';
import { type BatchLimits, healthAnswer, idempotencyKey, prepareHealthEvents } from '../ingest.js';
import type { Storage } from '../storage/types.js';
import { sendIdempotent } from './answer.js';

export const healthEventRoutes: FastifyPluginAsync<{ storage: Storage; limits: BatchLimits }> = async (app, { storage, limits }) => {
  app.post('/api/v1/health-events', { config: { auth: 'device' } }, async (request, reply) => {
    const principal = request.principal;
    if (principal?.role !== 'device') throw apiError('FORBIDDEN');
    const receivedMs = Date.now();
    const receivedAt = new Date(receivedMs).toISOString();
    const key = idempotencyKey(request.headers['idempotency-key']);
    const batch = prepareHealthEvents(request.body, limits, receivedMs);
    const out = await storage.health.ingest(
      {
        store: principal.store,
        device: batch.device,
        receivedAt,
        idempotency: key === null ? null : { tokenId: principal.tokenId, scope: 'health-events', key, fingerprint: batch.fingerprint },
      },
      batch.items,
      (r) => healthAnswer(r, receivedAt),
    );
    if (out.kind === 'fresh') {
      request.log.info({ store: principal.store, device: batch.device.id, accepted: out.result.accepted.length, duplicates: out.result.duplicates.length }, 'health events batch');
    }
    return sendIdempotent(reply, out);
  });
};
