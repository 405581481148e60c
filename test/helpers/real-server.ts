/**
 * The real head-office server (src/server/: fastify, SQLite storage) listening on 127.0.0.1 in
 * this process, on a temp database, with a device token for store S001: what the sync end-to-end
 * tests send to.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { serverConfigSchema } from '../../src/server/config.js';
import { type RunningServer, startServer } from '../../src/server/run.js';
import { makeToken } from '../../src/server/tokens.js';
import { later, tempDir } from './sync.js';

export interface RealServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly token: string;
  /** A device token for another store. */
  tokenFor(store: string): Promise<string>;
  /** Ids the server holds for the store, oldest first. */
  ids(store?: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startRealServer(): Promise<RealServer> {
  const db = join(tempDir('tilltap-sync-server-'), 'server.db');
  const server = await startServer(serverConfigSchema.parse({ listen: '127.0.0.1:0', db, log: { level: 'silent' } }), pino({ level: 'silent' }), 'test');
  later(() => server.stop());
  const tokenFor = async (store: string): Promise<string> => {
    const t = makeToken('device');
    await server.storage.tokens.create({ id: t.id, hash: t.hash, role: 'device', store, createdAt: new Date().toISOString() });
    return t.secret;
  };
  const token = await tokenFor('S001');
  return {
    server,
    url: `${server.url}/`,
    token,
    tokenFor,
    ids: async (store = 'S001') => (await server.storage.receipts.list({ store })).map((r) => r.id),
    stop: () => server.stop(),
  };
}
