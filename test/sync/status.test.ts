/** `tilltap status` shows the sync state: backlog, oldest waiting, parked, last success and error. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { addHealthEvents, addReceipts, tempDir } from '../helpers/sync.js';

const BIN = resolve(import.meta.dirname, '../../dist/src/cli/main.js');
const run = promisify(execFile);

describe('tilltap status: sync', () => {
  it('says what waits, what is parked, when sync last worked and what went wrong', async () => {
    const dir = tempDir();
    const store = Store.open(dir);
    const ids = addReceipts(store, 4);
    addHealthEvents(store, 2);
    const oldest = store.getReceipt(ids[1]!)!.capturedAt;
    const at = Date.now() - 120_000;
    store.settleReceipts([{ id: ids[0]!, sha256: store.getReceipt(ids[0]!)!.sha256 }], [{ id: ids[3]!, reason: 'the server holds other content for this id' }], at);
    store.recordSyncSuccess('receipts', { at, clockOffsetMs: 1500 });
    store.recordSyncFailure('receipts', ids.slice(1, 3), { code: 'SYNC_UNAUTHORIZED', message: 'the server refused the device token: 401 UNAUTHORIZED', at: at + 60_000, nextAttemptAt: Date.now() + 600_000 });
    const device = store.deviceId();
    store.close();

    const j = await run(process.execPath, [BIN, 'status', '--data', dir, '--json']);
    const doc = JSON.parse(j.stdout) as { sync: Record<string, unknown> };
    expect(doc.sync).toMatchObject({
      backlog: 2,
      unsynced_health_events: 2,
      parked: 1,
      parked_receipts: [{ id: ids[3], reason: 'the server holds other content for this id' }],
      oldest_unsynced_at: oldest,
      last_error: { code: 'SYNC_UNAUTHORIZED', message: 'the server refused the device token: 401 UNAUTHORIZED' },
      clock_offset_ms: 1500,
      device_id: device,
    });
    expect(Date.parse(doc.sync.last_success_at as string)).toBe(at);
    expect(Date.parse(doc.sync.next_attempt_at as string)).toBeGreaterThan(Date.now());

    const t = await run(process.execPath, [BIN, 'status', '--data', dir]);
    expect(t.stdout).toMatch(/^Sync backlog +2 receipt\(s\) in the outbox, 2 health event\(s\) not sent, 1 receipt\(s\) parked: the server holds other content for their ids$/m);
    expect(t.stdout).toMatch(/^Last sync +\S+ \(2m0\ds ago\)$/m);
    expect(t.stdout).toMatch(/^Last error +SYNC_UNAUTHORIZED at \S+: the server refused the device token: 401 UNAUTHORIZED$/m);
    expect(t.stdout).toMatch(/^Next attempt +\S+ \(in \d+m\d\ds\)$/m);
    expect(t.stdout).toMatch(/^Server clock +1\.5 s ahead of this PC$/m);
  });
});
