/**
 * The head-office server as a fastify instance: plugins for errors, bodies and tokens, then the
 * routes. No listening here (src/server/run.ts does that), so tests drive it with inject().
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { BatchLimits } from './ingest.js';
import { authPlugin } from './plugins/auth.js';
import { bodyPlugin } from './plugins/body.js';
import { errorsPlugin } from './plugins/errors.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { discrepancyRoutes } from './routes/discrepancies.js';
import { healthEventRoutes } from './routes/health-events.js';
import { healthzRoutes } from './routes/healthz.js';
import { receiptRoutes } from './routes/receipts.js';
import { statementRoutes } from './routes/statements.js';
import type { Storage } from './storage/types.js';

export interface AppLimits extends BatchLimits {
  /** The largest body, in bytes, after gunzip (and before). */
  readonly bodyBytes: number;
  /** The largest statement file (POST /api/v1/statements), in bytes after gunzip; default 64 MiB. */
  readonly statementBytes?: number;
}

export const DEFAULT_STATEMENT_BYTES = 64 * 1024 * 1024;

export const DEFAULT_LIMITS: AppLimits = { bodyBytes: 8 * 1024 * 1024, maxReceipts: 1000, maxEvents: 1000, statementBytes: DEFAULT_STATEMENT_BYTES };

export interface AppOptions {
  readonly storage: Storage;
  readonly logger: Logger | FastifyBaseLogger;
  readonly limits?: AppLimits;
  readonly version?: string;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    // One line per request (onResponse below) instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.bodyBytes,
    // Keep-alive connections of idle agents must not hold a stop up.
    forceCloseConnections: 'idle',
  });
  await app.register(errorsPlugin);
  await app.register(bodyPlugin);
  await app.register(authPlugin, { storage: opts.storage });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
  });
  await app.register(healthzRoutes, { storage: opts.storage, version: opts.version ?? '0.0.0' });
  await app.register(receiptRoutes, { storage: opts.storage, limits });
  await app.register(healthEventRoutes, { storage: opts.storage, limits });
  await app.register(statementRoutes, { storage: opts.storage, bodyBytes: limits.statementBytes ?? DEFAULT_STATEMENT_BYTES });
  await app.register(discrepancyRoutes, { storage: opts.storage });
  await app.register(dashboardRoutes);
  return app;
}
