/**
 * HTTPS with a company CA: the agent trusts the server only through `sync.ca_file`. A CA and a
 * certificate for 127.0.0.1 are made with openssl for the test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSyncClient, receiptsKind, SyncWorker } from '../../src/sync/index.js';
import { startSyncTestServer } from '../helpers/sync-server.js';
import { addReceipts, FAST, later, memoryLog, openStore, tempDir, waitFor } from '../helpers/sync.js';

function makeCa(dir: string): { ca: string; key: Buffer; cert: Buffer } {
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=tilltap test CA');
  ssl('req', ...ec, '-keyout', f('srv.key'), '-out', f('srv.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('srv.pem'), '-days', '2', '-extfile', f('san.ext'));
  return { ca: f('ca.pem'), key: readFileSync(f('srv.key')), cert: readFileSync(f('srv.pem')) };
}

describe('sync over TLS', () => {
  it('trusts the server through the CA file, and refuses it without', async () => {
    const dir = tempDir();
    const { ca, key, cert } = makeCa(dir);
    const server = await startSyncTestServer({ tls: { key, cert } });
    later(() => server.stop());
    expect(server.url).toMatch(/^https:/);

    const run = async (caFile: string | undefined) => {
      const store = openStore(tempDir());
      const ids = addReceipts(store, 5);
      const client = createSyncClient({ url: server.url, token: 'test-token', caFile, connectTimeoutMs: 2000, timeoutMs: 5000, userAgent: 't' });
      const log = memoryLog();
      const worker = new SyncWorker({ store, kinds: [receiptsKind(store)], client, terminal: null, version: '0', settings: FAST, log });
      later(async () => {
        await worker.stop();
        client.close();
      });
      const attempts: string[] = [];
      worker.on('attempt', (a) => attempts.push(a.action));
      worker.start();
      await waitFor(() => attempts.length > 0, 'an attempt');
      await worker.stop();
      return { store, ids, attempts };
    };

    const trusted = await run(ca);
    expect(trusted.attempts[0]).toBe('settle');
    expect(trusted.store.syncStatus().backlog).toBe(0);
    for (const id of trusted.ids) expect(server.stored.get(id)).toBe(1);

    const untrusted = await run(undefined);
    expect(untrusted.attempts[0]).toBe('retry');
    expect(untrusted.store.syncStatus().backlog).toBe(5);
    expect(untrusted.store.syncState('receipts').lastError).toMatchObject({ code: 'SYNC_NETWORK' });
    expect(untrusted.store.syncState('receipts').lastError!.message).toMatch(/certificate/i);
  });
});
