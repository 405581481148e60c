/** Serial pass-through with @serialport/binding-mock: order, backpressure, flow control, reconnects. */
import { MockBinding } from '@serialport/binding-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialEndpoint } from '../../drivers/serial-port.js';
import { SerialPassThroughDriver } from '../../drivers/serial.js';
import { parseDeviceUriOf } from '../../drivers/uri.js';
import { prng, randomBytes, randomPieces, Recorder, SpyBinding, waitFor } from './helpers.js';

const LISTEN = '/dev/pts/91';
const PRINTER = '/dev/ttyUSB0';

let spy: SpyBinding;
let driver: SerialPassThroughDriver | null = null;

beforeEach(() => {
  MockBinding.reset();
  spy = new SpyBinding();
});
afterEach(async () => {
  await driver?.stop();
  driver = null;
});

function make(printerUri = `serial:${PRINTER}?baud=19200&xonxoff=1`, listenUri = `serial:${LISTEN}`): { d: SerialPassThroughDriver; rec: Recorder } {
  const printer = new SerialEndpoint(parseDeviceUriOf(printerUri, 'serial'), { binding: spy });
  const d = new SerialPassThroughDriver({ listen: listenUri, printer, name: 'till-1', binding: spy, backoff: { initialMs: 10, maxMs: 50 } });
  driver = d;
  return { d, rec: new Recorder(d) };
}

const recording = (path: string): Buffer => spy.ports.get(path)?.recording ?? Buffer.alloc(0);

describe('serial pass-through (MockBinding)', () => {
  it('relays both ways in order, reports the chunks, one session per open', async () => {
    MockBinding.createPort(LISTEN, { record: true });
    MockBinding.createPort(PRINTER, { record: true });
    const { d, rec } = make();
    await d.start();
    expect(rec.connects).toHaveLength(1);
    expect(rec.connects[0]!.peer).toBe(LISTEN);

    const rnd = prng(91);
    const data = randomBytes(rnd, 256 * 1024);
    const pos = spy.ports.get(LISTEN)!;
    for (const p of randomPieces(rnd, data, 3000)) pos.emitData(Buffer.from(p));
    await waitFor(() => recording(PRINTER).length === data.length, 10_000, 'the data at the printer');
    expect(recording(PRINTER).equals(data)).toBe(true);

    const replies = Buffer.from([0x16, 0x12, 0x12, 0x12, 0x5f, 0x41, 0x00]);
    spy.ports.get(PRINTER)!.emitData(replies);
    await waitFor(() => recording(LISTEN).length === replies.length, 5000, 'the replies at the POS');
    expect(recording(LISTEN).equals(replies)).toBe(true);
    await waitFor(() => rec.count('to-printer') === data.length && rec.count('from-printer') === replies.length, 5000, 'the chunks');
    expect(rec.bytes('to-printer').equals(data)).toBe(true);
    expect(rec.bytes('from-printer').equals(replies)).toBe(true);
    expect(new Set(rec.chunks.map((c) => c.session))).toEqual(new Set([rec.connects[0]!.session]));
    await d.stop();
    expect(rec.disconnects.map((s) => s.session)).toEqual([rec.connects[0]!.session]);
    expect(rec.warns).toEqual([]);
  });

  it('opens the printer with the flow control of its URI, the listen port with its own', async () => {
    MockBinding.createPort(LISTEN, {});
    MockBinding.createPort(PRINTER, {});
    const { d } = make(`serial:${PRINTER}?baud=19200&xonxoff=1&parity=even&databits=7`);
    await d.start();
    expect(spy.ports.get(PRINTER)!.openOptions).toMatchObject({ baudRate: 19200, xon: true, xoff: true, rtscts: false, parity: 'even', dataBits: 7 });
    expect(spy.ports.get(LISTEN)!.openOptions).toMatchObject({ xon: false, xoff: false, rtscts: false });
    await d.stop();

    MockBinding.reset();
    spy = new SpyBinding();
    MockBinding.createPort(LISTEN, {});
    MockBinding.createPort(PRINTER, {});
    const { d: d2 } = make(`serial:${PRINTER}?baud=38400&rtscts=1`);
    await d2.start();
    expect(spy.ports.get(PRINTER)!.openOptions).toMatchObject({ baudRate: 38400, rtscts: true, xon: false, xoff: false });
  });

  it('carries backpressure: a slow printer keeps the listen port unread instead of buffering', async () => {
    MockBinding.createPort(LISTEN, {});
    MockBinding.createPort(PRINTER, { record: true });
    spy.writeDelay.set(PRINTER, 3);
    const { d } = make();
    await d.start();
    const data = randomBytes(prng(92), 512 * 1024);
    const pos = spy.ports.get(LISTEN)!;
    for (const p of randomPieces(prng(93), data, 8192)) pos.emitData(Buffer.from(p));
    let maxInside = 0;
    let maxUnread = 0;
    while (recording(PRINTER).length < data.length) {
      const inside = (spy.reads.get(LISTEN) ?? 0) - (spy.writes.get(PRINTER) ?? 0);
      maxInside = Math.max(maxInside, inside);
      maxUnread = Math.max(maxUnread, pos.port.data.length);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(recording(PRINTER).equals(data)).toBe(true);
    // What the agent holds between reading the POS and the printer taking it stays small…
    expect(maxInside).toBeLessThan(32 * 1024);
    // …because the rest waited, unread, on the POS side.
    expect(maxUnread).toBeGreaterThan(256 * 1024);
  });

  it('holds the POS bytes while the printer is unplugged and finds it again under its new name', async () => {
    MockBinding.createPort(LISTEN, { record: true });
    MockBinding.createPort(PRINTER, { record: true, vendorId: '0416', productId: '5011' });
    spy.listing = [{ path: LISTEN }, { path: PRINTER, vendorId: '0416', productId: '5011', serialNumber: 'A1' }];
    const { d, rec } = make();
    await d.start();
    const pos = spy.ports.get(LISTEN)!;
    pos.emitData(Buffer.from('first receipt\n'));
    await waitFor(() => recording(PRINTER).toString() === 'first receipt\n', 5000, 'the first receipt');
    const first = spy.ports.get(PRINTER)!;

    spy.unplug(PRINTER);
    await waitFor(() => !first.isOpen, 5000, 'the printer port to close');
    pos.emitData(Buffer.from('second receipt, printed while the printer was away\n'));
    await waitFor(() => rec.warns.some((w) => /unreachable/.test(w)), 5000, 'an unreachable warning');

    // The adapter comes back as /dev/ttyUSB1.
    MockBinding.createPort('/dev/ttyUSB1', { record: true, vendorId: '0416', productId: '5011' });
    spy.listing = [{ path: LISTEN }, { path: '/dev/ttyUSB1', vendorId: '0416', productId: '5011', serialNumber: 'A1' }];
    await waitFor(() => recording('/dev/ttyUSB1').length > 0, 5000, 'the renamed printer to be opened');
    await waitFor(() => recording('/dev/ttyUSB1').toString() === 'second receipt, printed while the printer was away\n', 5000, 'the held bytes');
    expect(rec.warns.some((w) => /is now at \/dev\/ttyUSB1 \(was \/dev\/ttyUSB0\)/.test(w))).toBe(true);
    expect(d.stats()).toMatchObject({ printerConnected: true, pendingBytes: 0 });
    expect(rec.bytes('to-printer').toString()).toBe('first receipt\nsecond receipt, printed while the printer was away\n');
    expect(rec.connects).toHaveLength(1);
  });

  it('a listen port that goes away ends the session; reopening starts a new one', async () => {
    MockBinding.createPort(LISTEN, { record: true });
    MockBinding.createPort(PRINTER, { record: true });
    const { d, rec } = make();
    await d.start();
    spy.ports.get(LISTEN)!.emitData(Buffer.from('one'));
    await waitFor(() => recording(PRINTER).toString() === 'one', 5000, 'one');
    spy.unplug(LISTEN);
    await waitFor(() => rec.disconnects.length === 1, 5000, 'the session to end');
    spy.broken.delete(LISTEN);
    spy.missing.delete(LISTEN);
    await waitFor(() => rec.connects.length === 2, 5000, 'a new session');
    spy.ports.get(LISTEN)!.emitData(Buffer.from('two'));
    await waitFor(() => recording(PRINTER).toString() === 'onetwo', 5000, 'two');
    const [s1, s2] = rec.connects.map((c) => c.session);
    expect(s1).not.toBe(s2);
    expect(rec.bytes('to-printer', s1).toString()).toBe('one');
    expect(rec.bytes('to-printer', s2).toString()).toBe('two');
    expect(rec.disconnects[0]!.session).toBe(s1);
  });

  it('start() does not throw when the ports are missing; it warns and retries', async () => {
    const { d, rec } = make();
    await d.start();
    await waitFor(() => rec.warns.length >= 2, 5000, 'warnings');
    expect(rec.warns.some((w) => /cannot open the listen port/.test(w))).toBe(true);
    expect(rec.warns.some((w) => /printer serial:\/dev\/ttyUSB0.* unreachable/.test(w))).toBe(true);
    MockBinding.createPort(LISTEN, {});
    MockBinding.createPort(PRINTER, {});
    await waitFor(() => rec.connects.length === 1 && d.stats().printerConnected, 5000, 'both ports open');
  });
});
