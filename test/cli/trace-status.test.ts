/** `tilltap trace` (a live relay that annotates, byte-exact) and `tilltap status` (the agent's own health). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../drivers/simulator/index.js';
import { Store } from '../../src/store/index.js';
import { freePort, PosClient, waitFor } from '../drivers/helpers.js';
import { jsonReceipt } from '../store/helpers.js';
import { runCli, startCli } from './run-cli.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(): Promise<Simulator> {
  const s = await startSimulator({ tcp: { port: 0 }, state: 'paper_near_end' });
  cleanups.push(() => s.stop());
  return s;
}

describe('tilltap trace', () => {
  it('relays byte-exactly while it prints each command, text and decoded replies', async () => {
    const s = await sim();
    const port = await freePort();
    const run = startCli(['trace', '--listen', `tcp://127.0.0.1:${port}`, '--printer', `tcp://127.0.0.1:${s.tcpPort}`, '--jsonl']);
    cleanups.push(() => void run.child.kill('SIGKILL'));
    await waitFor(() => run.stderr().includes('listening on'), 20_000, 'trace to listen');
    const job = Buffer.concat([
      Buffer.from('\x1b@HELLO ', 'latin1'),
      Buffer.from([0xb2, 0xe2, 0xca, 0xd4]), // 测试 in GB18030
      Buffer.from('\n\x10\x04\x04\x1dI\x43', 'latin1'),
      Buffer.from([0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x03, 0x00, 0x10, 0x04, 0x01]), // image with DLE EOT as data
      Buffer.from('\x1dV\x00', 'latin1'),
    ]);
    const pos = await PosClient.connect(port);
    cleanups.push(() => void pos.socket.destroy());
    await pos.send([job]);
    await waitFor(() => pos.received >= 1 + 8, 5000, 'the replies');
    pos.end();
    await waitFor(() => pos.closed, 5000, 'closed');
    // Byte-exact both ways: the printer got the job, the POS got exactly what the printer sent.
    expect(s.received().equals(job)).toBe(true);
    expect(pos.data().equals(s.sent())).toBe(true);
    await waitFor(() => run.stdout().includes('GS I 67 reply'), 5000, 'the trace of the replies');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(0);
    const entries = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const names = entries.map((e) => `${e.dir === 'to-printer' ? '>' : '<'} ${e.name}`);
    expect(names).toEqual(['> ESC @', '> text', '> LF', '> DLE EOT', '> GS I', '> GS v', '> GS V', '< DLE EOT 4 reply', '< GS I 67 reply']);
    expect(entries[1]).toMatchObject({ kind: 'text', text: 'HELLO 测试' });
    expect(entries[3]).toMatchObject({ kind: 'command', params: [4], note: 'transmit real-time status' });
    expect(entries[5]).toMatchObject({ params: [48, 0, 1, 0, 3, 0, 16, 4, 1] });
    expect(entries[7]).toMatchObject({ kind: 'reply', note: 'paper near end', hex: '1e' });
    expect(entries[8]).toMatchObject({ kind: 'reply', text: 'SIM-80' });
    for (const e of entries) expect(typeof e.t).toBe('number');
  });

  it('text mode: times, arrows, names', async () => {
    const s = await sim();
    const port = await freePort();
    const run = startCli(['trace', '--listen', `tcp://127.0.0.1:${port}`, '--printer', `tcp://127.0.0.1:${s.tcpPort}`, '--duration', '3000']);
    cleanups.push(() => void run.child.kill('SIGKILL'));
    await waitFor(() => run.stderr().includes('listening on'), 20_000, 'trace to listen');
    const pos = await PosClient.connect(port);
    cleanups.push(() => void pos.socket.destroy());
    await pos.send([Buffer.from('TOTAL 1.00\n\x10\x04\x02\x1dV\x42\x00', 'latin1')]);
    await waitFor(() => pos.received === 1, 5000, 'the reply');
    pos.end();
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[[0-9a-f]{8}\] → "TOTAL 1\.00"$/m);
    expect(r.stdout).toMatch(/→ GS V 66 0 {2}cut paper$/m);
    expect(r.stdout).toMatch(/← DLE EOT 2 reply {2}ok \[12\]$/m);
  });

  it('bad usage is exit 2', async () => {
    expect((await runCli(['trace', '--printer', 'tcp://127.0.0.1:1'])).code).toBe(2);
    expect((await runCli(['trace', '--listen', 'tcp://127.0.0.1:0', '--encoding', 'klingon'])).code).toBe(2);
  });
});

describe('tilltap status', () => {
  it('shows captures, printer states, recent health events and the sync backlog', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tilltap-status-'));
    const store = Store.open(dir);
    const t0 = Date.now() - 600_000;
    store.beginSession({ session: 's1', printer: 'front', peer: 'pos', t: t0 });
    store.appendChunk('front', { dir: 'to-printer', bytes: Buffer.from('TOTAL 1.00\n'), t: t0, session: 's1' });
    store.commitReceipt({ session: 's1', printer: 'front', start: 0, end: 11, capturedAt: new Date(t0).toISOString(), receipt: jsonReceipt(0, 11), printStatus: 'failed', printReason: 'paper end reported 14:01:07' });
    store.appendHealthEvents('front', [
      { kind: 'paper', state: 'ok', previous: null, at: t0, durationMs: null, detail: null },
      { kind: 'online', state: 'online', previous: null, at: t0, durationMs: null, detail: null },
    ]);
    store.appendHealthEvents('front', [{ kind: 'paper', state: 'out', previous: 'ok', at: t0 + 60_000, durationMs: 60_000, detail: null }]);
    store.close();

    const j = await runCli(['status', '--data', dir, '--json']);
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ receipts: 1, unsynced_receipts: 1, print_failures: { failed: 1, suspect: 0 }, sessions: 1, sync: { backlog: 1, unsynced_health_events: 3 } });
    expect(doc.printers).toHaveLength(1);
    expect(doc.printers[0]).toMatchObject({ name: 'front', paper: { state: 'out' }, online: { state: 'online' }, cover: null });
    expect(doc.recent_health_events.map((e: { state: string }) => e.state)).toEqual(['ok', 'online', 'out']);
    expect(doc.recent_health_events[2]).toMatchObject({ kind: 'paper', previous: 'ok', duration_ms: 60_000, synced: false });

    const t = await runCli(['status', '--data', dir]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^Receipts +1 \(1 not synced yet\)$/m);
    expect(t.stdout).toMatch(/^Print flags +1 probably not printed \(failed\), 0 suspect$/m);
    expect(t.stdout).toMatch(/^Sync backlog +1 receipt\(s\) in the outbox, 3 health event\(s\) not sent$/m);
    expect(t.stdout).toMatch(/^ {2}front: online \(\d+m\d\ds\), paper end \(9m\d\ds\)$/m);
    expect(t.stdout).toMatch(/paper: ok → out after 1m00s/);
  });

  it('a directory without agent data is a runtime error', async () => {
    const r = await runCli(['status', '--data', mkdtempSync(join(tmpdir(), 'tilltap-empty-'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tilltap: no agent data in /);
  });
});
