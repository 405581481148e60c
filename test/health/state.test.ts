/** The state machine, the poll policy and the print verdicts: pure, time given. */
import { describe, expect, it } from 'vitest';
import { decidePoll, type LineView } from '../../src/health/poller.js';
import { printVerdict, type TimelineEntry } from '../../src/health/print-status.js';
import { HealthState } from '../../src/health/state.js';
import { clockTime } from '../../src/local-time.js';
import { EMPTY_SNAPSHOT, type HealthChange } from '../../src/health/types.js';

const brief = (cs: HealthChange[]): string[] => cs.map((c) => `${c.kind} ${c.previous ?? '∅'}→${c.state}${c.durationMs === null ? '' : ` after ${c.durationMs}`}`);

const healthy = { offline: false, coverOpen: false, paperEndStop: false, cutterError: false, mechanicalError: false, unrecoverableError: false, autoRecoverableError: false, paperNearEnd: false, paperOut: false, drawerHigh: true };

describe('health state machine', () => {
  it('reports every condition once when it first becomes known, then only changes, with the duration of the state before', () => {
    const s = new HealthState();
    expect(brief(s.status(healthy, 1000))).toEqual(['online ∅→online', 'paper ∅→ok', 'cover ∅→closed', 'cutter ∅→ok', 'error ∅→none', 'drawer ∅→closed']);
    expect(s.status(healthy, 2000)).toEqual([]);
    expect(brief(s.status({ paperNearEnd: true, paperOut: false }, 5000))).toEqual(['paper ok→near_end after 4000']);
    expect(brief(s.status({ paperNearEnd: true, paperOut: true }, 9000))).toEqual(['paper near_end→out after 4000']);
    expect(brief(s.status({ offline: true }, 9000))).toEqual(['online online→offline after 8000']);
    expect(brief(s.status({ ...healthy }, 12_000))).toEqual(['online offline→online after 3000', 'paper out→ok after 3000']);
  });

  it('keeps “no answer” apart from offline, and leaves it at the next reply', () => {
    const s = new HealthState();
    s.status(healthy, 0);
    const silent = s.noResponse(100, 'no reply to 4 status polls within 1000 ms');
    expect(brief(silent)).toEqual(['online online→no_response after 100']);
    expect(silent[0]!.detail).toMatch(/no reply/);
    expect(s.noResponse(200)).toEqual([]);
    // A printer that answers again, and says it is offline (its last offline bit was clear).
    expect(brief(s.status({ paperNearEnd: false, paperOut: false }, 300))).toEqual(['online no_response→online after 200']);
    expect(brief(s.status({ offline: true }, 400))).toEqual(['online online→offline after 100']);
    expect(brief(s.noResponse(500))).toEqual(['online offline→no_response after 100']);
  });

  it('tells cover, cutter and the error classes apart', () => {
    const s = new HealthState();
    s.status(healthy, 0);
    expect(brief(s.status({ coverOpen: true, offline: true }, 10))).toEqual(['online online→offline after 10', 'cover closed→open after 10']);
    expect(brief(s.status({ cutterError: true, mechanicalError: false, unrecoverableError: false, autoRecoverableError: false }, 20))).toEqual(['cutter ok→error after 20']);
    expect(brief(s.status({ autoRecoverableError: true }, 30))).toEqual(['error none→auto_recoverable after 30']);
    // A reply that tells all error bits at once: unrecoverable wins.
    expect(brief(s.status({ mechanicalError: true, unrecoverableError: true, autoRecoverableError: true }, 40))).toEqual(['error auto_recoverable→unrecoverable after 10']);
    // DLE EOT 2 bit 5 (stopped at paper end) alone says the paper is out.
    expect(brief(s.status({ paperEndStop: true }, 50))).toEqual(['paper ok→out after 50']);
  });

  it('is busy only when told (XOFF long enough) and not over offline; XON ends it', () => {
    const s = new HealthState();
    s.status(healthy, 0);
    expect(brief(s.busy(100))).toEqual(['online online→busy after 100']);
    // A status reply while busy keeps it busy (real-time status is answered with a full buffer).
    expect(s.status({ offline: false }, 150)).toEqual([]);
    expect(brief(s.ready(200))).toEqual(['online busy→online after 100']);
    expect(s.ready(300)).toEqual([]);
    s.status({ offline: true }, 400);
    expect(s.busy(500)).toEqual([]);
  });

  it('tells changes against the state it starts from (after a restart)', () => {
    const s = new HealthState({ ...EMPTY_SNAPSHOT, paper: { state: 'out', since: 1000 } });
    expect(brief(s.status({ paperNearEnd: false, paperOut: false }, 61_000)).filter((x) => x.startsWith('paper'))).toEqual(['paper out→ok after 60000']);
  });

  it('reads the drawer pin as the drawer says', () => {
    expect(brief(new HealthState(EMPTY_SNAPSHOT, { drawerOpenWhen: 'high' }).status({ drawerHigh: true }, 0)).filter((x) => x.startsWith('drawer'))).toEqual(['drawer ∅→open']);
    expect(brief(new HealthState().status({ drawerHigh: false }, 0)).filter((x) => x.startsWith('drawer'))).toEqual(['drawer ∅→open']);
  });
});

describe('poll policy', () => {
  const base: LineView = {
    now: 10_000,
    writable: true,
    pendingPosBytes: 0,
    atBoundary: true,
    lastTrafficAt: 0,
    posSentSincePoll: false,
    xoff: false,
    pendingStatusQueries: 0,
    lastPollAt: 5_000,
  };
  const P = { quietMs: 150, intervalMs: 30_000 };

  it('never polls a line it may not write, inside a command, with POS bytes waiting, during XOFF, or with a status query pending', () => {
    for (const v of [{ writable: false }, { atBoundary: false }, { pendingPosBytes: 1 }, { xoff: true }, { pendingStatusQueries: 1 }]) {
      expect(decidePoll({ ...base, posSentSincePoll: true, ...v }, P)).toEqual({ action: 'idle' });
    }
  });

  it('polls soon after the POS sent something, once the line is quiet', () => {
    expect(decidePoll({ ...base, posSentSincePoll: true, lastTrafficAt: 9_900 }, P)).toEqual({ action: 'wait', ms: 50 });
    expect(decidePoll({ ...base, posSentSincePoll: true, lastTrafficAt: 9_850 }, P)).toEqual({ action: 'poll' });
  });

  it('otherwise polls every interval, and at once on a line never polled', () => {
    expect(decidePoll(base, P)).toEqual({ action: 'wait', ms: 25_000 });
    expect(decidePoll({ ...base, now: 35_000 }, P)).toEqual({ action: 'poll' });
    expect(decidePoll({ ...base, lastPollAt: null }, P)).toEqual({ action: 'poll' });
  });
});

describe('print verdict', () => {
  const T = Date.parse('2026-11-20T06:00:00Z');
  const tl = (...e: Array<[TimelineEntry['kind'], string, number]>): TimelineEntry[] => e.map(([kind, state, at]) => ({ kind, state, at: T + at }));

  it('ok when nothing bad is known, or nothing is known at all', () => {
    expect(printVerdict([], { start: T, end: T + 500 })).toEqual({ status: 'ok', reason: null });
    expect(printVerdict(tl(['paper', 'ok', 0], ['online', 'online', 0], ['paper', 'near_end', 100]), { start: T + 200, end: T + 500 })).toEqual({ status: 'ok', reason: null });
  });

  it('failed when sent while paper end was in force, with when it was reported', () => {
    const v = printVerdict(tl(['paper', 'ok', 0], ['paper', 'out', 67_000], ['online', 'offline', 67_000]), { start: T + 90_000, end: T + 91_000 });
    expect(v).toEqual({ status: 'failed', reason: `paper end reported ${clockTime(T + 67_000)}` });
  });

  it('failed when the poll right after the receipt reports the fault, not when it came later', () => {
    const t = tl(['paper', 'ok', 0], ['cover', 'open', 1_500]);
    expect(printVerdict(t, { start: T + 100, end: T + 1_000 }).status).toBe('failed');
    expect(printVerdict(t, { start: T + 100, end: T + 1_000 }).reason).toBe(`cover open reported ${clockTime(T + 1_500)}`);
    expect(printVerdict(t, { start: T + 100, end: T + 1_000 }, { graceMs: 100 }).status).toBe('ok');
  });

  it('not failed for a fault that was over before the receipt', () => {
    expect(printVerdict(tl(['paper', 'out', 0], ['paper', 'ok', 1000]), { start: T + 2000, end: T + 2100 }).status).toBe('ok');
  });

  it('names the most telling fault: paper end before the offline it causes; cutter and errors', () => {
    expect(printVerdict(tl(['online', 'offline', 0], ['paper', 'out', 0]), { start: T + 10, end: T + 20 }).reason).toMatch(/^paper end/);
    expect(printVerdict(tl(['online', 'offline', 0]), { start: T + 10, end: T + 20 }).reason).toMatch(/^printer offline/);
    expect(printVerdict(tl(['cutter', 'error', 0]), { start: T + 10, end: T + 20 }).reason).toMatch(/^cutter error/);
    expect(printVerdict(tl(['error', 'unrecoverable', 0]), { start: T + 10, end: T + 20 }).reason).toMatch(/^unrecoverable error/);
  });

  it('suspect when the printer did not answer', () => {
    const v = printVerdict(tl(['online', 'online', 0], ['online', 'no_response', 500]), { start: T + 1000, end: T + 1100 });
    expect(v).toEqual({ status: 'suspect', reason: `printer not answering status polls since ${clockTime(T + 500)}` });
    // A busy printer prints, slowly.
    expect(printVerdict(tl(['online', 'busy', 500]), { start: T + 1000, end: T + 1100 }).status).toBe('ok');
  });
});

describe('span clock', () => {
  it('gives a byte range the arrival times of its first and last bytes, and forgets what is done', async () => {
    const { SpanClock } = await import('../../src/health/span-clock.js');
    const c = new SpanClock();
    c.chunk(10, 1000); // 0..9
    c.chunk(5, 2000); // 10..14
    c.chunk(0, 2500);
    c.chunk(20, 3000); // 15..34
    expect(c.span(0, 10)).toEqual({ start: 1000, end: 1000 });
    expect(c.span(3, 12)).toEqual({ start: 1000, end: 2000 });
    expect(c.span(14, 35)).toEqual({ start: 2000, end: 3000 });
    expect(c.span(14, 36)).toBeNull();
    expect(c.span(5, 5)).toBeNull();
    c.forget(15);
    expect(c.span(3, 12)).toBeNull();
    expect(c.span(15, 20)).toEqual({ start: 3000, end: 3000 });
    expect(c.length).toBe(35);
  });
});
