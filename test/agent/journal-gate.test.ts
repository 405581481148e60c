import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Pump } from '../../drivers/pump.js';
import { JournalGate } from '../../src/agent/journal-gate.js';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('JournalGate', () => {
  it('is closed while a piece handed over is not journaled, and opens when it is', () => {
    const g = new JournalGate(10_000, () => {});
    expect(g.closed).toBe(false);
    const n1 = g.handOver();
    const n2 = g.handOver();
    expect(g.closed).toBe(true);
    let opened = 0;
    g.whenOpen(() => opened++);
    g.caughtUp(n1);
    expect(g.closed).toBe(true);
    expect(opened).toBe(0);
    g.caughtUp(n2);
    expect(g.closed).toBe(false);
    expect(opened).toBe(1);
  });

  it('opens by itself when the journal is stuck, and closes again once it has caught up', async () => {
    let stuck = 0;
    const g = new JournalGate(30, () => stuck++);
    const n = g.handOver();
    let opened = false;
    g.whenOpen(() => (opened = true));
    await tick(80);
    expect(opened).toBe(true);
    expect(stuck).toBe(1);
    // Stuck: more pieces pass without waiting…
    g.handOver();
    expect(g.closed).toBe(false);
    // …until the journal has caught up with all of them; then it holds again.
    g.caughtUp(n);
    expect(g.closed).toBe(false);
    g.forget();
    g.handOver();
    expect(g.closed).toBe(true);
  });
});

describe('Pump with a gate', () => {
  it('writes nothing new while the gate is closed, pauses the source, and resumes in order', async () => {
    const g = new JournalGate(10_000, () => {});
    const src = new PassThrough();
    const sink = new PassThrough();
    const got: Buffer[] = [];
    sink.on('data', (d: Buffer) => got.push(d));
    const reported: number[] = [];
    const pump = new Pump({
      dir: 'to-printer',
      maxHold: 1 << 20,
      label: 'test',
      onChunk: (b) => reported.push(g.handOver() && b.length),
      onWarn: () => {},
      gate: () => g,
    });
    pump.setSink(sink);
    pump.setSource(src, 's');
    src.write(Buffer.from('one'));
    await tick(10);
    expect(Buffer.concat(got).toString()).toBe('one');
    expect(g.closed).toBe(true); // "one" is not journaled yet
    src.write(Buffer.from('two'));
    src.write(Buffer.from('three'));
    await tick(10);
    expect(Buffer.concat(got).toString()).toBe('one');
    expect(src.isPaused()).toBe(true);
    // Each piece waits for the one before it to be journaled.
    g.caughtUp(1);
    await tick(10);
    expect(Buffer.concat(got).toString()).toBe('onetwo');
    expect(g.closed).toBe(true);
    g.caughtUp(2);
    await tick(10);
    expect(Buffer.concat(got).toString()).toBe('onetwothree');
    expect(reported).toEqual([3, 3, 5]);
  });
});

describe('mayEndReceipt (which pieces close the gate)', () => {
  const b = (...x: number[]): Buffer => Buffer.from(x);
  it('finds cuts and initialise, also split across two pieces', async () => {
    const { mayEndReceipt } = await import('../../src/agent/agent.js');
    expect(mayEndReceipt(Buffer.from('TOTAL 12.50\n'), -1)).toBe(false);
    expect(mayEndReceipt(b(0x41, 0x1d, 0x56, 0x42, 0x00), -1)).toBe(true); // GS V B 0
    expect(mayEndReceipt(b(0x1b, 0x69), -1)).toBe(true); // ESC i
    expect(mayEndReceipt(b(0x1b, 0x40, 0x41), -1)).toBe(true); // ESC @
    expect(mayEndReceipt(b(0x56, 0x00), 0x1d)).toBe(true); // GS | V 0
    expect(mayEndReceipt(b(0x1d, 0x21, 0x11, 0x41), -1)).toBe(false); // GS ! (size) is no cut
    expect(mayEndReceipt(b(0x1d), -1)).toBe(false); // the V comes in the next piece
  });
});
