/** The printer simulator over TCP and over a socat pty pair. */
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { hasSocat, PRINTER_STATES, type Simulator, startSimulator } from '../../drivers/simulator/index.js';
import { closeSerialPort, openSerialPort } from '../../drivers/serial-port.js';
import { parseDeviceUriOf } from '../../drivers/uri.js';
import { delay, PosClient, waitFor } from './helpers.js';

const socat = hasSocat();
const skipPty = !socat && !process.env.CI;
if (skipPty) console.warn('socat is not installed: skipping the pty simulator tests (apt-get install socat; CI always runs them)');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(opts: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
  const s = await startSimulator(opts);
  cleanups.push(() => s.stop());
  return s;
}

async function client(port: number): Promise<PosClient> {
  const c = await PosClient.connect(port);
  cleanups.push(() => void c.socket.destroy());
  return c;
}

const POLL = Buffer.of(0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04);

describe('printer simulator over TCP', () => {
  it('answers each state with the documented status bytes, and reports state changes by ASB', async () => {
    const s = await sim({ tcp: { port: 0 } });
    const c = await client(s.tcpPort!);
    const expected: Record<string, number[]> = {
      healthy: [0x16, 0x12, 0x12, 0x12],
      paper_near_end: [0x16, 0x12, 0x12, 0x1e],
      paper_out: [0x1e, 0x32, 0x12, 0x7e],
      cover_open: [0x1e, 0x16, 0x12, 0x12],
      cutter_error: [0x3e, 0x52, 0x1a, 0x12],
      offline: [0x1e, 0x12, 0x12, 0x12],
      unrecoverable: [0x1e, 0x52, 0x32, 0x12],
      overheat: [0x1e, 0x52, 0x52, 0x12],
      slow: [0x16, 0x12, 0x12, 0x12],
      silent: [],
    };
    for (const state of PRINTER_STATES) {
      s.setState(state);
      const before = c.received;
      await c.send([POLL]);
      if (state === 'silent') await delay(50);
      else await waitFor(() => c.received === before + 4, 2000, `replies in state ${state}`);
      expect([...c.data().subarray(before)], state).toEqual(expected[state]);
    }
    // ASB on: a frame at once, then one per state change.
    s.setState('healthy');
    const before = c.received;
    await c.send([Buffer.of(0x1d, 0x61, 0xff)]);
    await waitFor(() => c.received === before + 4, 2000, 'the first ASB frame');
    s.setState('paper_out');
    await waitFor(() => c.received === before + 8, 2000, 'the ASB frame of the change');
    expect([...c.data().subarray(before)]).toEqual([0x14, 0, 0, 0, 0x1c, 0x00, 0x0f, 0]);
    // The drawer switch moves: another frame, pin 3 low.
    s.setDrawerHigh(false);
    await waitFor(() => c.received === before + 12, 2000, 'the ASB frame of the drawer');
    expect([...c.data().subarray(before + 8)]).toEqual([0x18, 0x00, 0x0f, 0]);
    expect(s.queries().map((q) => q.query)).toContain('GS a 255');
    expect(s.received().subarray(-3)).toEqual(Buffer.of(0x1d, 0x61, 0xff));
  });

  it('slow: says XOFF past its buffer, stops reading, drains, says XON, and loses nothing', async () => {
    const s = await sim({ tcp: { port: 0 }, state: 'slow', slow: { bufferBytes: 8192, drainBytesPerSecond: 256 * 1024 } });
    const c = await client(s.tcpPort!);
    const data = Buffer.alloc(128 * 1024, 0x41);
    await c.send([data]);
    await waitFor(() => s.received().length === data.length, 10_000, 'all bytes');
    await waitFor(() => c.data().includes(0x11), 5000, 'XON');
    expect(s.xoffCount).toBeGreaterThan(0);
    expect(c.data()[0]).toBe(0x13);
    expect([...new Set(c.data())].sort()).toEqual([0x11, 0x13]);
  });
});

describe.skipIf(skipPty)('printer simulator on a pty (socat)', () => {
  it('owns one end; the other end gets the replies', async () => {
    const s = await sim({ pty: true, state: 'cover_open' });
    expect(s.ptyPath).toMatch(/^\/dev\//);
    const port: SerialPort = await openSerialPort(s.ptyPath!, parseDeviceUriOf(`serial:${s.ptyPath}?baud=115200`, 'serial'));
    cleanups.push(() => closeSerialPort(port));
    const got: Buffer[] = [];
    port.on('data', (b: Buffer) => got.push(b));
    port.write(Buffer.concat([Buffer.from('\x1b@hello\n', 'latin1'), POLL]));
    await waitFor(() => Buffer.concat(got).length === 4, 5000, 'replies');
    expect([...Buffer.concat(got)]).toEqual([0x1e, 0x16, 0x12, 0x12]);
    expect(s.received().toString('latin1')).toBe(`\x1b@hello\n${POLL.toString('latin1')}`);
  });
});
