/**
 * The health monitor on the serial pass-through, end to end on socat pty pairs: POS → virtual COM
 * pair → agent → simulator's pty. The printer link stays open, so the monitor polls through it
 * when the line is idle. Skipped with a message when socat is missing outside CI.
 */
import type { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { createDriver } from '../../drivers/index.js';
import { closeSerialPort, openSerialPort } from '../../drivers/serial-port.js';
import { hasSocat, openPtyPair, type PrinterState, type Simulator, startSimulator } from '../../drivers/simulator/index.js';
import { parseDeviceUriOf } from '../../drivers/uri.js';
import { watchPrinter, type WatchedPrinter } from '../../src/health/watch.js';
import type { HealthKind } from '../../src/health/types.js';
import { Store } from '../../src/store/index.js';
import { type Cleanup, countPolls, receiptBytes, Recorder, tempDir, waitFor, withoutPolls } from './helpers.js';

const skip = !hasSocat() && !process.env.CI;
if (skip) console.warn('socat is not installed: skipping the serial health tests (apt-get install socat; CI always runs them)');

const cleanups: Cleanup[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  sim: Simulator;
  pos: SerialPort;
  posData: () => Buffer;
  rec: Recorder;
  store: Store;
  watched: WatchedPrinter;
}

async function rig(simOpts: Parameters<typeof startSimulator>[0] = {}): Promise<Rig> {
  const sim = await startSimulator({ pty: true, ...simOpts });
  cleanups.push(() => sim.stop());
  const pair = await openPtyPair();
  cleanups.push(() => pair.stop());
  const driver = createDriver({
    listen: `serial:${pair.b}?baud=115200`,
    printer: `serial:${sim.ptyPath}?baud=115200`,
    name: 'till',
    options: { backoff: { initialMs: 20, maxMs: 200 } },
  });
  const rec = new Recorder(driver);
  await driver.start();
  cleanups.push(() => driver.stop());
  const store = Store.open(tempDir(cleanups));
  cleanups.push(() => store.close());
  const watched = watchPrinter(store, 'till', driver, { policy: { quietMs: 30, intervalMs: 200 }, pollTimeoutMs: 300, busyAfterMs: 50 });
  cleanups.push(() => watched.stop());
  const pos = await openSerialPort(pair.a, parseDeviceUriOf(`serial:${pair.a}?baud=115200`, 'serial'), { highWaterMark: 64 * 1024 });
  cleanups.push(() => closeSerialPort(pos));
  pos.on('error', () => {});
  const got: Buffer[] = [];
  pos.on('data', (b: Buffer) => got.push(b));
  return { sim, pos, posData: () => Buffer.concat(got), rec, store, watched };
}

async function write(port: SerialPort, bytes: Buffer): Promise<number> {
  const t = Date.now();
  if (!port.write(bytes)) await new Promise<void>((r) => port.once('drain', () => r()));
  return t;
}

const FAULTS: Array<[PrinterState, Partial<Record<HealthKind, string>>, 'failed' | 'suspect' | 'ok']> = [
  ['paper_near_end', { paper: 'near_end' }, 'ok'],
  ['paper_out', { paper: 'out', online: 'offline' }, 'failed'],
  ['cover_open', { cover: 'open', online: 'offline' }, 'failed'],
  ['cutter_error', { cutter: 'error' }, 'failed'],
  ['offline', { online: 'offline' }, 'failed'],
  ['silent', { online: 'no_response' }, 'suspect'],
];

describe.skipIf(skip)('health monitor on the serial pass-through (pty)', () => {
  it.each(FAULTS)('%s: the state, stored events and the receipt flag', async (state, expected, verdict) => {
    const { sim, pos, posData, rec, store, watched } = await rig();
    const m = watched.monitor;
    await waitFor(() => m.snapshot().online?.state === 'online' && m.snapshot().paper?.state === 'ok', 5000, 'the first poll');
    sim.setState(state);
    const bytes = receiptBytes('SERIAL RECEIPT\n');
    const start = await write(pos, bytes);
    await waitFor(() => withoutPolls(sim.received()).length === bytes.length, 5000, 'the receipt at the printer');
    const end = Date.now();
    const v = await m.settle({ start, end });
    if (process.env.DEBUG_H) console.log(end % 100000, Date.now() % 100000, m.counters, sim.queries().map((q) => q.query + ' ' + q.reply.toString('hex')), m.timeline().map((e) => [e.kind, e.state, e.at % 100000]));
    for (const [kind, st] of Object.entries(expected)) expect(m.snapshot()[kind as HealthKind]?.state, kind).toBe(st);
    expect(v.status).toBe(verdict);
    expect(withoutPolls(sim.received()).equals(bytes)).toBe(true);
    expect(countPolls(sim.received())).toBeGreaterThan(0);
    expect(rec.bytes('to-printer').equals(bytes)).toBe(true);
    // Nothing of the agent's reached the POS.
    expect(posData().length).toBe(0);
    await waitFor(() => store.listHealthEvents().some((e) => e.kind === (Object.keys(expected)[0] as HealthKind) && e.state === Object.values(expected)[0]), 2000, 'stored');
  });

  it('a POS polling DLE EOT gets exactly its replies in order while the agent polls', async () => {
    const { sim, pos, posData, watched } = await rig();
    const m = watched.monitor;
    await waitFor(() => m.snapshot().online !== null, 5000, 'the first poll');
    const expected: number[] = [];
    const replies: Record<string, number[]> = { healthy: [0x16, 0x12, 0x12, 0x12], paper_near_end: [0x16, 0x12, 0x12, 0x1e], cover_open: [0x1e, 0x16, 0x12, 0x12] };
    for (const st of ['healthy', 'paper_near_end', 'cover_open', 'healthy'] as const) {
      sim.setState(st);
      for (const n of [1, 2, 3, 4]) {
        const want = posData().length + 1;
        await write(pos, Buffer.concat([Buffer.from(`L${n}\n`), Buffer.of(0x10, 0x04, n)]));
        await waitFor(() => posData().length >= want, 3000, `reply to DLE EOT ${n}`);
        expected.push(replies[st]![n - 1]!);
        await new Promise((r) => setTimeout(r, 40));
      }
    }
    expect([...posData()]).toEqual(expected);
    expect(m.counters.answered).toBeGreaterThan(0);
    expect(m.counters.posReplies).toBe(expected.length);
  });

  it('XOFF on the serial line (the OS not doing flow control): busy, then online after XON', async () => {
    const { sim, pos, watched, store } = await rig({ state: 'slow', slow: { bufferBytes: 2048, drainBytesPerSecond: 32 * 1024 } });
    const m = watched.monitor;
    await waitFor(() => m.snapshot().online?.state === 'online', 5000, 'the first poll');
    const data = Buffer.alloc(24 * 1024, 0x41);
    await write(pos, data);
    await waitFor(() => store.listHealthEvents().some((e) => e.state === 'busy'), 5000, 'busy');
    await waitFor(() => m.snapshot().online?.state === 'online', 5000, 'online after XON');
    await waitFor(() => withoutPolls(sim.received()).length === data.length, 10_000, 'all bytes');
    expect(withoutPolls(sim.received()).equals(data)).toBe(true);
  });
});
