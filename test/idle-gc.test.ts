import { describe, expect, it } from 'vitest';
import { IdleGc } from '../src/idle-gc.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('IdleGc', () => {
  it('collects once, after the quiet time following the last touch, never while work goes on', async () => {
    const collected: number[] = [];
    const idle = new IdleGc(1500, () => collected.push(Date.now()));
    try {
      // Work every 20 ms for half a second: never quiet for 1.5 s.
      for (let i = 0; i < 25; i++) {
        idle.touch();
        await sleep(20);
      }
      expect(collected).toEqual([]);
      const last = Date.now();
      idle.touch();
      for (let i = 0; i < 150 && collected.length === 0; i++) await sleep(20);
      expect(collected).toHaveLength(1);
      expect(collected[0]! - last).toBeGreaterThanOrEqual(1500);
      // Quiet with no work since: nothing more to collect.
      await sleep(1700);
      expect(collected).toHaveLength(1);
      // More work: one more collection after it.
      idle.touch();
      for (let i = 0; i < 150 && collected.length === 1; i++) await sleep(20);
      expect(collected).toHaveLength(2);
    } finally {
      idle.stop();
    }
  });

  it('collects nothing when nothing happened, or once stopped', async () => {
    let n = 0;
    const untouched = new IdleGc(50, () => n++);
    const stopped = new IdleGc(50, () => n++);
    stopped.touch();
    stopped.stop();
    await sleep(200);
    untouched.stop();
    expect(n).toBe(0);
  });
});
