import { describe, expect, it } from 'vitest';
import { conditionOf, healthIntervals, type HealthEventLike } from '../../../src/server/reconcile/health.js';

const ev = (at: string, kind: string, state: string, over: Partial<HealthEventLike> = {}): HealthEventLike => ({
  store: 'S01',
  printer: 'front',
  at: `2026-11-20T${at}+08:00`,
  atMs: Date.parse(`2026-11-20T${at}+08:00`),
  kind,
  state,
  previous: null,
  durationMs: null,
  ...over,
});

describe('printer health events as intervals', () => {
  it('names the conditions that stop a slip, and nothing else', () => {
    expect(conditionOf('paper', 'out')).toBe('paper_out');
    expect(conditionOf('paper', 'near_end')).toBeNull();
    expect(conditionOf('cover', 'open')).toBe('cover_open');
    expect(conditionOf('online', 'offline')).toBe('offline');
    expect(conditionOf('online', 'no_response')).toBe('no_response');
    expect(conditionOf('online', 'busy')).toBeNull();
    expect(conditionOf('cutter', 'error')).toBe('error');
    expect(conditionOf('error', 'unrecoverable')).toBe('error');
    expect(conditionOf('error', 'none')).toBeNull();
    expect(conditionOf('drawer', 'open')).toBeNull();
  });

  it('a condition lasts from the event that reports it to the next event of its kind that reports something else', () => {
    const got = healthIntervals([
      ev('14:10:00', 'paper', 'ok', { previous: 'out' }),
      ev('14:01:07', 'paper', 'out', { previous: 'ok' }),
      ev('14:05:00', 'paper', 'out'),
      ev('14:02:00', 'cover', 'open'),
      ev('14:03:00', 'drawer', 'open'),
      ev('15:00:00', 'online', 'no_response'),
      ev('15:01:00', 'online', 'offline'),
      ev('15:02:00', 'online', 'online'),
      ev('16:00:00', 'paper', 'out', { printer: 'back' }),
    ]);
    expect(got.map((i) => [i.printer, i.condition, i.start.slice(11, 19), i.end?.slice(11, 19) ?? null])).toEqual([
      ['front', 'paper_out', '14:01:07', '14:10:00'],
      ['front', 'cover_open', '14:02:00', null],
      ['front', 'no_response', '15:00:00', '15:01:00'],
      ['front', 'offline', '15:01:00', '15:02:00'],
      ['back', 'paper_out', '16:00:00', null],
    ]);
  });

  it('puts back a condition whose start was not sent, from the end event\'s previous state and duration', () => {
    const got = healthIntervals([ev('14:10:00', 'paper', 'ok', { previous: 'out', durationMs: 540_000 }), ev('14:20:00', 'paper', 'near_end')]);
    expect(got).toHaveLength(1);
    expect(Date.parse(got[0]!.start)).toBe(Date.parse('2026-11-20T14:01:00+08:00'));
    expect(got[0]).toMatchObject({ condition: 'paper_out', end: '2026-11-20T14:10:00+08:00' });
  });
});
