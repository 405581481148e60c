import { describe, expect, it } from 'vitest';
import { SpoolHold } from '../../src/agent/spool-hold.js';

const times = { quietMs: 100, maxMs: 1000 };

describe('SpoolHold', () => {
  it('the first piece after a quiet line is due at once', () => {
    const h = new SpoolHold(times);
    expect(h.add(1, 0, 80, 5000)).toBe(true);
    expect(h.take()).toEqual({ seg: 1, from: 0, to: 80 });
    expect(h.wait(5000)).toBeNull();
  });

  it('while data streams nothing is due; once the line has been quiet for quietMs it all is', () => {
    const h = new SpoolHold(times);
    h.add(1, 0, 10, 0);
    h.take();
    // Data every 5 ms for 500 ms, across a segment change.
    let off = 10;
    for (let t = 5; t <= 500; t += 5) {
      const seg = t <= 250 ? 1 : 2;
      const from = seg === 2 && t === 255 ? 0 : off;
      expect(h.add(seg, from, from + 100, t)).toBe(false);
      off = from + 100;
      expect(h.wait(t)).toBeGreaterThan(0);
      expect(h.streaming(t)).toBe(true);
    }
    expect(h.size).toBe(2); // contiguous ranges merged, one per segment
    expect(h.wait(599)).toBe(1);
    expect(h.wait(600)).toBe(0);
    expect(h.streaming(600)).toBe(false);
    expect(h.take()).toEqual({ seg: 1, from: 10, to: 10 + 50 * 100 });
    expect(h.take()).toEqual({ seg: 2, from: 0, to: 50 * 100 });
    expect(h.take()).toBeUndefined();
  });

  it('a stream that never pauses is journaled after maxMs anyway', () => {
    const h = new SpoolHold(times);
    h.add(3, 0, 10, 0);
    h.take();
    let t = 10;
    for (let off = 10; t < 2000; t += 10, off += 10) {
      h.add(3, off, off + 10, t);
      if (h.wait(t)! <= 0) break;
    }
    expect(t).toBe(1010); // held since 10, due 1,000 ms later though data still comes
    expect(h.streaming(t)).toBe(true);
    expect(h.take()!.from).toBe(10);
  });

  it('a gap in a segment (the relay wrote elsewhere meanwhile) keeps the ranges apart', () => {
    const h = new SpoolHold(times);
    expect(h.add(4, 0, 10, 0)).toBe(true);
    expect(h.add(4, 20, 30, 1)).toBe(false);
    expect(h.size).toBe(2);
    expect(h.take()).toEqual({ seg: 4, from: 0, to: 10 });
    expect(h.take()).toEqual({ seg: 4, from: 20, to: 30 });
  });

  it('a message that gathers several writes (first … last) counts from its first for quiet and its last for streaming', () => {
    const h = new SpoolHold(times);
    expect(h.add(5, 0, 10, 0)).toBe(true);
    h.take();
    // Data from 40 to 90 ms, told in one message: not quiet (40 ms after the last data), and the
    // line streams until 100 ms after 90.
    expect(h.add(5, 10, 500, 40, 90)).toBe(false);
    expect(h.streaming(189)).toBe(true);
    expect(h.wait(189)).toBe(1);
    expect(h.wait(190)).toBe(0);
  });
});
