/** GET /healthz: liveness, with the database's answer. */
import type { FastifyPluginAsync } from 'fastify';
import { apiError } from '../errors.js';
import type { Storage } from '../storage/types.js';

export const healthzRoutes: FastifyPluginAsync<{ storage: Storage; version: string }> = async (app, { storage, version }) => {
  app.get('/healthz', async () => {
    if (!(await storage.ping())) throw apiError('UNAVAILABLE', 'The database does not answer.');
    return { status: 'ok', version, db: storage.kind };
  });
};
