/**
 * Running the server: open the storage, build the app, listen; and stop in order (no new
 * connections, in-flight requests finish, then the database closes).
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { parseListen, type ServerConfig } from './config.js';
import { openStorage, parseDbUrl } from './storage/open.js';
import type { Storage } from './storage/types.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  /** The address actually bound (port 0 becomes the port the system chose). */
  readonly url: string;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Throws DbUrlError for a --db that names no database, DbOpenError when the database cannot be
 * opened (storage/open.ts), and the listen error (EADDRINUSE, …) as it is.
 */
export async function startServer(config: ServerConfig, log: Logger, version: string): Promise<RunningServer> {
  const { host, port } = parseListen(config.listen);
  const storage = await openStorage(parseDbUrl(config.db));
  let app: FastifyInstance;
  try {
    app = await buildApp({
      storage,
      logger: log,
      version,
      limits: {
        bodyBytes: config.limits.body_bytes,
        maxReceipts: config.limits.receipts_per_batch,
        maxEvents: config.limits.events_per_batch,
        statementBytes: config.limits.statement_bytes,
      },
    });
    await app.listen({ host, port });
  } catch (err) {
    await storage.close();
    throw err;
  }
  const bound = app.server.address();
  const url = typeof bound === 'object' && bound ? `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}` : String(bound);

  // Idempotency answers are only needed while an agent may still retry; ids deduplicate forever.
  const prune = async (): Promise<void> => {
    try {
      const gone = await storage.idempotency.prune(new Date(Date.now() - config.idempotency.keep_days * DAY_MS).toISOString());
      if (gone > 0) log.info({ keys: gone }, 'pruned idempotency keys');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'pruning idempotency keys failed');
    }
  };
  await prune();
  const pruner = setInterval(() => void prune(), 3_600_000);
  pruner.unref();

  log.info({ url, db: storage.location, backend: storage.kind, version }, 'server listening');
  let stopping: Promise<void> | undefined;
  return {
    app,
    storage,
    url,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(pruner);
        await app.close();
        await storage.close();
      })()),
  };
}
