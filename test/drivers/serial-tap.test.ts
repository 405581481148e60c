/** The passive serial tap never writes, and captures both lines of a Y-cable. */
import { MockBinding } from '@serialport/binding-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialTapDriver } from '../../drivers/serial-tap.js';
import { prng, randomBytes, randomPieces, Recorder, SpyBinding, waitFor } from './helpers.js';

let spy: SpyBinding;
let driver: SerialTapDriver | null = null;

beforeEach(() => {
  MockBinding.reset();
  spy = new SpyBinding();
});
afterEach(async () => {
  await driver?.stop();
  driver = null;
});

describe('serial tap (MockBinding)', () => {
  it('captures both lines, one session, and never writes, sets lines, flushes or enables flow control', async () => {
    MockBinding.createPort('/dev/ttyS0', { record: true });
    MockBinding.createPort('/dev/ttyS1', { record: true });
    const d = new SerialTapDriver({
      listen: 'serial:/dev/ttyS0?baud=9600&xonxoff=1',
      replies: 'serial:/dev/ttyS1?baud=9600&rtscts=1',
      binding: spy,
      backoff: { initialMs: 10, maxMs: 50 },
    });
    driver = d;
    const rec = new Recorder(d);
    await d.start();
    expect(d.kind).toBe('serial-tap');
    expect(rec.connects).toHaveLength(1);

    const rnd = prng(5);
    const toPrinter = randomBytes(rnd, 64 * 1024);
    const fromPrinter = Buffer.from([0x16, 0x12, 0x13, 0x11, 0x12, 0x12]); // XOFF/XON too: data to a tap
    for (const p of randomPieces(rnd, toPrinter, 2000)) spy.ports.get('/dev/ttyS0')!.emitData(Buffer.from(p));
    spy.ports.get('/dev/ttyS1')!.emitData(fromPrinter);
    await waitFor(() => rec.count('to-printer') === toPrinter.length && rec.count('from-printer') === fromPrinter.length, 5000, 'the chunks');
    expect(rec.bytes('to-printer').equals(toPrinter)).toBe(true);
    expect(rec.bytes('from-printer').equals(fromPrinter)).toBe(true);
    expect(new Set(rec.chunks.map((c) => c.session)).size).toBe(1);

    for (const path of ['/dev/ttyS0', '/dev/ttyS1']) {
      const port = spy.ports.get(path)!;
      expect(port.openOptions).toMatchObject({ xon: false, xoff: false, rtscts: false });
      expect(port.lastWrite).toBeNull();
      expect(port.recording.length).toBe(0);
    }
    await d.stop();
    expect(spy.calls.filter((c) => !c.startsWith('open '))).toEqual([]);
    expect(rec.disconnects).toHaveLength(1);
  });

  it('with one port it captures the POS line; a lost port is reopened as a new session', async () => {
    MockBinding.createPort('/dev/ttyS0', {});
    const d = new SerialTapDriver({ listen: 'serial:/dev/ttyS0', binding: spy, backoff: { initialMs: 10, maxMs: 50 } });
    driver = d;
    const rec = new Recorder(d);
    await d.start();
    spy.ports.get('/dev/ttyS0')!.emitData(Buffer.from('A'));
    await waitFor(() => rec.count('to-printer') === 1, 5000, 'A');
    spy.unplug('/dev/ttyS0');
    await waitFor(() => rec.disconnects.length === 1, 5000, 'the session to end');
    spy.broken.delete('/dev/ttyS0');
    spy.missing.delete('/dev/ttyS0');
    await waitFor(() => rec.connects.length === 2, 5000, 'a new session');
    spy.ports.get('/dev/ttyS0')!.emitData(Buffer.from('B'));
    await waitFor(() => rec.count('to-printer') === 2, 5000, 'B');
    expect(rec.bytes('to-printer', rec.connects[1]!.session).toString()).toBe('B');
    expect(spy.calls.some((c) => c.startsWith('write'))).toBe(false);
  });
});
