/**
 * Printer faults through the TCP proxy with the health monitor on the line, against the printer
 * simulator on 127.0.0.1: the right state, the right stored events, receipts sent during the fault
 * flagged, and the POS's bytes relayed exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PrinterState } from '../../drivers/simulator/index.js';
import { clockTime } from '../../src/local-time.js';
import type { HealthKind } from '../../src/health/types.js';
import { type Cleanup, countPolls, printJob, receiptBytes, tcpRig, waitFor, withoutPolls } from './helpers.js';

const cleanups: Cleanup[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Fault {
  readonly state: PrinterState;
  /** What the snapshot must say once the fault is seen. */
  readonly expect: Partial<Record<HealthKind, string>>;
  readonly verdict: 'failed' | 'suspect' | 'ok';
  readonly reason: RegExp | null;
}

const FAULTS: Fault[] = [
  { state: 'paper_near_end', expect: { paper: 'near_end', online: 'online' }, verdict: 'ok', reason: null },
  { state: 'paper_out', expect: { paper: 'out', online: 'offline' }, verdict: 'failed', reason: /^paper end reported \d\d:\d\d:\d\d$/ },
  { state: 'cover_open', expect: { cover: 'open', online: 'offline' }, verdict: 'failed', reason: /^cover open reported/ },
  { state: 'cutter_error', expect: { cutter: 'error', online: 'offline' }, verdict: 'failed', reason: /^cutter error reported/ },
  { state: 'offline', expect: { online: 'offline', paper: 'ok', cover: 'closed' }, verdict: 'failed', reason: /^printer offline reported/ },
  { state: 'unrecoverable', expect: { error: 'unrecoverable', online: 'offline' }, verdict: 'failed', reason: /^unrecoverable error reported/ },
  { state: 'overheat', expect: { error: 'auto_recoverable', online: 'offline' }, verdict: 'failed', reason: /^auto-recoverable error/ },
  { state: 'silent', expect: { online: 'no_response' }, verdict: 'suspect', reason: /^printer not answering status polls since/ },
];

describe('health monitor on the TCP proxy', () => {
  it.each(FAULTS)('$state: state, stored events, flagged receipt, byte-exact relay', async (f) => {
    const { sim, driver, rec, store, watched, changes } = await tcpRig(cleanups);
    const m = watched.monitor;
    // The first probe (between sessions, on a link of its own) finds a healthy printer.
    await waitFor(() => m.snapshot().paper?.state === 'ok' && m.snapshot().online?.state === 'online', 5000, 'the first probe');
    const healthyJob = await printJob(cleanups, driver.port, receiptBytes('BEFORE\n'));
    expect((await m.settle(healthyJob)).status).toBe('ok');

    sim.setState(f.state);
    const bytes = receiptBytes('DURING THE FAULT\n');
    const job = await printJob(cleanups, driver.port, bytes);
    const verdict = await m.settle(job);
    const snap = m.snapshot();
    for (const [kind, state] of Object.entries(f.expect)) expect(snap[kind as HealthKind]?.state, `${f.state}: ${kind}`).toBe(state);
    expect(verdict.status).toBe(f.verdict);
    if (f.reason) expect(verdict.reason).toMatch(f.reason);
    else expect(verdict.reason).toBeNull();

    // The POS asked nothing and got nothing: every reply was the agent's.
    expect(job.pos.data().length).toBe(0);
    expect(rec.bytes('from-printer').length).toBe(0);
    // The printer got the POS's bytes exactly, with the agent's polls only between commands.
    const atPrinter = sim.received();
    expect(withoutPolls(atPrinter).equals(Buffer.concat([receiptBytes('BEFORE\n'), bytes]))).toBe(true);
    expect(countPolls(atPrinter)).toBeGreaterThanOrEqual(3);
    // The journal (the chunks) holds what the POS sent, no poll.
    expect(rec.bytes('to-printer').equals(Buffer.concat([receiptBytes('BEFORE\n'), bytes]))).toBe(true);
    // Polls never landed inside the raster image (its DLE EOT bytes are data).
    expect(sim.queries().every((q) => q.query.startsWith('DLE EOT'))).toBe(true);

    // Stored as events, in order, with the previous state and its duration.
    await waitFor(() => store.listHealthEvents().length === changes.length, 2000, 'events stored');
    const events = store.listHealthEvents({ printer: 'front' });
    const faultEvents = events.filter((e) => e.previous !== null);
    expect(faultEvents.length).toBeGreaterThan(0);
    for (const e of faultEvents) {
      expect(e.durationMs).not.toBeNull();
      expect(e.durationMs!).toBeGreaterThanOrEqual(0);
    }
    for (const [kind, state] of Object.entries(f.expect)) {
      const last = events.filter((e) => e.kind === kind).pop();
      expect(last?.state, `stored ${kind}`).toBe(state);
    }
    expect(store.printerStates().get('front')!.online?.state).toBe(f.expect.online ?? 'online');
    if (f.state === 'silent') expect(events.find((e) => e.state === 'no_response')!.detail).toMatch(/no reply to 4 status polls/);

    // Back to healthy: the next job is ok again, and the recovery is an event.
    sim.setState('healthy');
    const after = await printJob(cleanups, driver.port, receiptBytes('AFTER\n'));
    expect((await m.settle(after)).status).toBe('ok');
    expect(m.snapshot().online?.state).toBe('online');
    const reason = verdict.reason;
    if (f.verdict === 'failed' && reason) {
      // The reason's time is when the printer reported it (a stored event's time).
      const t = reason.match(/(\d\d:\d\d:\d\d)$/)![1];
      expect(events.some((e) => clockTime(e.at) === t)).toBe(true);
    }
  });

  it('a POS that polls DLE EOT itself gets exactly its own replies, in order, while the agent polls too', async () => {
    const { sim, driver, watched } = await tcpRig(cleanups, {}, { policy: { quietMs: 1, intervalMs: 60_000 }, pollTimeoutMs: 300 });
    const m = watched.monitor;
    await waitFor(() => m.snapshot().online !== null, 5000, 'the first probe');
    const { PosClient } = await import('./helpers.js');
    const pos = await PosClient.connect(driver.port);
    cleanups.push(() => void pos.socket.destroy());
    const expected: number[] = [];
    const states: PrinterState[] = ['healthy', 'paper_near_end', 'cover_open', 'paper_out', 'healthy'];
    const replies: Record<string, number[]> = {
      healthy: [0x16, 0x12, 0x12, 0x12],
      paper_near_end: [0x16, 0x12, 0x12, 0x1e],
      cover_open: [0x1e, 0x16, 0x12, 0x12],
      paper_out: [0x1e, 0x32, 0x12, 0x7e],
    };
    const pollsBefore = m.counters.polls;
    for (const [i, st] of states.entries()) {
      sim.setState(st);
      // The POS's own status loop: one query at a time, waiting for each answer, text between.
      for (const n of [1, 2, 3, 4]) {
        const want = pos.received + 1;
        await pos.send([Buffer.from(`LINE ${i}.${n}\n`), Buffer.of(0x10, 0x04, n)]);
        await waitFor(() => pos.received >= want, 3000, `the POS's reply to DLE EOT ${n}`);
        expected.push(replies[st]![n - 1]!);
        // Give the agent a quiet moment to poll in between.
        await new Promise((r) => setTimeout(r, 15));
      }
    }
    expect([...pos.data()]).toEqual(expected);
    // The agent polled in between (its replies were kept back) and saw the states change.
    expect(m.counters.polls - pollsBefore).toBeGreaterThan(0);
    expect(m.counters.answered).toBeGreaterThan(0);
    expect(m.counters.posReplies).toBe(expected.length);
    // The printer answered more DLE EOTs than the POS asked: the rest were the agent's.
    const asked = sim.queries().filter((q) => q.query.startsWith('DLE EOT')).length;
    expect(asked).toBeGreaterThan(expected.length);
    pos.end();
    await waitFor(() => pos.closed, 5000, 'closed');
    expect([...pos.data()]).toEqual(expected);
  });

  it('on a connection the POS keeps open, every burst of bytes is followed by a poll once the line is quiet', async () => {
    // Between bursts the monitor waits for its long interval (60 s): the first bytes of the next
    // burst must bring the poll forward again, although later bytes of a burst only put it off.
    const { driver, watched } = await tcpRig(cleanups, {}, { policy: { quietMs: 30, intervalMs: 60_000 }, pollTimeoutMs: 300 });
    const m = watched.monitor;
    await waitFor(() => m.snapshot().online !== null, 5000, 'the first probe');
    const { PosClient } = await import('./helpers.js');
    const pos = await PosClient.connect(driver.port);
    cleanups.push(() => void pos.socket.destroy());
    for (let burst = 1; burst <= 3; burst++) {
      const polls = m.counters.polls;
      const answered = m.counters.answered;
      for (let i = 0; i < 20; i++) await pos.send([Buffer.from(`BURST ${burst} LINE ${i}\n`)]);
      await waitFor(() => m.counters.polls > polls && m.counters.answered > answered, 3000, `a poll after burst ${burst}, answered`);
      // The poll's replies were kept from the POS.
      expect(pos.received).toBe(0);
    }
    pos.end();
    await waitFor(() => pos.closed, 5000, 'closed');
  });

  it('XOFF from a slow printer: busy while it lasts, online after XON; the relay loses nothing', async () => {
    const { sim, driver, rec, watched, store } = await tcpRig(cleanups, { state: 'slow', slow: { bufferBytes: 2048, drainBytesPerSecond: 64 * 1024 } });
    const m = watched.monitor;
    await waitFor(() => m.snapshot().online?.state === 'online', 5000, 'the first probe');
    const data = Buffer.alloc(96 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = 0x20 + (i % 95);
    const bytes = Buffer.concat([data, Buffer.from('\n\x1dV\x00', 'latin1')]);
    const job = await printJob(cleanups, driver.port, bytes);
    await waitFor(() => withoutPolls(sim.received()).length === bytes.length, 15_000, 'all bytes at the printer');
    expect(withoutPolls(sim.received()).equals(bytes)).toBe(true);
    expect(sim.xoffCount).toBeGreaterThan(0);
    expect(m.counters.xoff).toBeGreaterThan(0);
    await waitFor(() => store.listHealthEvents().some((e) => e.kind === 'online' && e.state === 'busy'), 5000, 'busy stored');
    await waitFor(() => m.snapshot().online?.state === 'online', 5000, 'online again after XON');
    const busy = store.listHealthEvents().find((e) => e.state === 'busy')!;
    expect(busy.detail).toMatch(/XOFF/);
    // XON/XOFF are the printer's flow control on the POS's line: the POS got them unchanged.
    expect(job.pos.data().every((b) => b === 0x11 || b === 0x13)).toBe(true);
    expect(rec.bytes('from-printer').equals(job.pos.data())).toBe(true);
    // A slow printer prints: not flagged.
    expect((await m.settle(job)).status).toBe('ok');
  });

  it('an unreachable printer is no_response (not offline), and a job sent meanwhile is suspect', async () => {
    const { sim, driver, watched } = await tcpRig(cleanups);
    const m = watched.monitor;
    await waitFor(() => m.snapshot().online?.state === 'online', 5000, 'the first probe');
    await sim.stop();
    const start = Date.now();
    const pos = await (await import('./helpers.js')).PosClient.connect(driver.port);
    cleanups.push(() => void pos.socket.destroy());
    await pos.send([receiptBytes('NOBODY THERE\n')]);
    await waitFor(() => m.snapshot().online?.state === 'no_response', 5000, 'no_response');
    const v = m.verdict({ start, end: Date.now() });
    expect(v.status).toBe('suspect');
    pos.socket.destroy();
  });
});
