/**
 * On a serial tap the monitor only listens: it reads the POS's own queries and the printer's
 * replies off the Y-cable, and never writes (no poll, so no "no answer" either).
 */
import { MockBinding } from '@serialport/binding-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialTapDriver } from '../../drivers/serial-tap.js';
import { asbFrame, flagsFor } from '../../drivers/simulator/replies.js';
import { HealthMonitor } from '../../src/health/monitor.js';
import type { HealthChange } from '../../src/health/types.js';
import { SpyBinding, waitFor } from '../drivers/helpers.js';

let driver: SerialTapDriver | null = null;
let monitor: HealthMonitor | null = null;
let spy: SpyBinding;
beforeEach(() => {
  MockBinding.reset();
  spy = new SpyBinding();
});
afterEach(async () => {
  monitor?.stop();
  await driver?.stop();
  driver = null;
});

describe('health monitor on a serial tap', () => {
  it('learns the state from the POS’s polls and ASB frames, and never writes', async () => {
    MockBinding.createPort('/dev/ttyS0', { record: true });
    MockBinding.createPort('/dev/ttyS1', { record: true });
    driver = new SerialTapDriver({ listen: 'serial:/dev/ttyS0?baud=9600', replies: 'serial:/dev/ttyS1?baud=9600', binding: spy, backoff: { initialMs: 10, maxMs: 50 } });
    const changes: HealthChange[] = [];
    monitor = new HealthMonitor({ printer: 'tap', onChange: (c) => changes.push(c), pollTimeoutMs: 50, policy: { quietMs: 1, intervalMs: 20 } });
    monitor.watch(driver);
    await driver.start();
    const toPrinter = spy.ports.get('/dev/ttyS0')!;
    const fromPrinter = spy.ports.get('/dev/ttyS1')!;

    // The POS asks DLE EOT 4 and turns ASB on; the printer answers "paper end", then an ASB frame.
    toPrinter.emitData(Buffer.from('RECEIPT\n\x10\x04\x04\x1da\xff', 'latin1'));
    await new Promise((r) => setTimeout(r, 30));
    fromPrinter.emitData(Buffer.of(0x7e));
    await waitFor(() => monitor!.snapshot().paper?.state === 'out', 3000, 'paper end from the POS’s poll');
    fromPrinter.emitData(asbFrame(flagsFor('cover_open')));
    await waitFor(() => monitor!.snapshot().cover?.state === 'open', 3000, 'cover open from ASB');
    expect(monitor.snapshot().paper?.state).toBe('ok');
    expect(changes.find((c) => c.kind === 'paper' && c.state === 'out')!.detail).toBe("reply to the POS's DLE EOT 4");

    // Time passes: a listener never polls and never calls the printer silent.
    await new Promise((r) => setTimeout(r, 200));
    expect(monitor.counters.polls).toBe(0);
    expect(monitor.snapshot().online?.state).not.toBe('no_response');
    for (const port of [toPrinter, fromPrinter]) {
      expect(port.lastWrite).toBeNull();
      expect(port.recording.length).toBe(0);
    }
    // A listener has nothing to wait for: the verdict comes at once.
    const v = await monitor.settle({ start: Date.now() - 10, end: Date.now() });
    expect(v.status).toBe('failed');
    expect(v.reason).toMatch(/^cover open reported/);
  });
});
