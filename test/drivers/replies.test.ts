/** Status replies of drivers/simulator/replies.ts against ../shared/docs/escpos-lengths.md "Replies". */
import { describe, expect, it } from 'vitest';
import {
  asbFrame,
  dleEotByte,
  flagsFor,
  gsIReply,
  gsrByte,
  PRINTER_STATES,
  type PrinterState,
  StatusResponder,
} from '../../drivers/simulator/replies.js';

const DLE_EOT = (n: number): Buffer => Buffer.of(0x10, 0x04, n);
const GS_V0 = (x: number, y: number, data: Buffer): Buffer => Buffer.concat([Buffer.of(0x1d, 0x76, 0x30, 0, x, 0, y, 0), data]);

describe('status bytes', () => {
  it.each(PRINTER_STATES)('%s: every reply has the documented shape', (state) => {
    const f = flagsFor(state);
    for (const n of [1, 2, 3, 4]) expect(dleEotByte(f, n)! & 0x93).toBe(0x12);
    const asb = asbFrame(f);
    expect(asb.length).toBe(4);
    expect(asb[0]! & 0x93).toBe(0x10);
    for (const n of [1, 2, 49, 50]) expect(gsrByte(f, n)! & 0x90).toBe(0);
  });

  it('healthy: DLE EOT 1–4 → 16 12 12 12, ASB 14 00 00 00', () => {
    const f = flagsFor('healthy');
    expect([1, 2, 3, 4].map((n) => dleEotByte(f, n))).toEqual([0x16, 0x12, 0x12, 0x12]);
    expect([...asbFrame(f)]).toEqual([0x14, 0, 0, 0]);
    expect(gsrByte(f, 1)).toBe(0);
  });

  const cases: Array<[PrinterState, number[], number[]]> = [
    // state, DLE EOT 1..4, ASB
    ['paper_near_end', [0x16, 0x12, 0x12, 0x1e], [0x14, 0x00, 0x03, 0]],
    ['paper_out', [0x1e, 0x32, 0x12, 0x7e], [0x1c, 0x00, 0x0f, 0]],
    ['cover_open', [0x1e, 0x16, 0x12, 0x12], [0x3c, 0x00, 0x00, 0]],
    ['cutter_error', [0x3e, 0x52, 0x1a, 0x12], [0x1c, 0x08, 0x00, 0]],
    ['offline', [0x1e, 0x12, 0x12, 0x12], [0x1c, 0x00, 0x00, 0]],
    ['unrecoverable', [0x1e, 0x52, 0x32, 0x12], [0x1c, 0x20, 0x00, 0]],
  ];
  it.each(cases)('%s sets the documented bits', (state, eot, asb) => {
    const f = flagsFor(state);
    expect([1, 2, 3, 4].map((n) => dleEotByte(f, n))).toEqual(eot);
    expect([...asbFrame(f)]).toEqual(asb);
  });

  it('GS I: one-byte ids and 0x5F … NUL blocks', () => {
    const id = { maker: 'ACME', model: 'TM-X', firmware: '2.01', serial: 'S1', fonts: 'ANK', modelId: 0xff, typeId: 2, romVersionId: 0x40 };
    expect(gsIReply(id, 1)![0]! & 0x90).toBe(0);
    expect([...gsIReply(id, 50)!]).toEqual([2]);
    expect(gsIReply(id, 66)!.toString('latin1')).toBe('_ACME\0');
    expect(gsIReply(id, 67)!.toString('latin1')).toBe('_TM-X\0');
    expect(gsIReply(id, 65)!.toString('latin1')).toBe('_2.01\0');
    expect(gsIReply(id, 99)).toBeNull();
  });
});

describe('StatusResponder', () => {
  it('answers queries found by the tokenizer, split anywhere', () => {
    const stream = Buffer.concat([
      Buffer.from('\x1b@SHOP\n', 'latin1'),
      DLE_EOT(1),
      Buffer.from('TOTAL 12.50\n', 'latin1'),
      DLE_EOT(4),
      Buffer.of(0x1d, 0x49, 0x43), // GS I 67
      Buffer.of(0x1d, 0x72, 0x01), // GS r 1
    ]);
    const whole = new StatusResponder().push(stream);
    expect(whole.toString('latin1')).toBe('\x16\x12_SIM-80\0\x00');
    const r = new StatusResponder();
    const parts: Buffer[] = [];
    for (const b of stream) parts.push(r.push(Buffer.of(b)));
    expect(Buffer.concat(parts)).toEqual(whole);
  });

  it('does not answer a DLE EOT inside GS v 0 image data', () => {
    const r = new StatusResponder();
    const image = Buffer.alloc(2 * 8, 0);
    DLE_EOT(1).copy(image, 3);
    DLE_EOT(2).copy(image, 9);
    expect(r.push(GS_V0(2, 8, image)).length).toBe(0);
    expect([...r.push(DLE_EOT(2))]).toEqual([0x12]);
  });

  it('GS a turns ASB on (frame at once, and on state change); ESC @ and GS a 0 turn it off', () => {
    let state: PrinterState = 'healthy';
    const r = new StatusResponder({ state: () => state });
    expect(r.stateChanged()).toBeNull();
    expect([...r.push(Buffer.of(0x1d, 0x61, 0xff))]).toEqual([0x14, 0, 0, 0]);
    state = 'cover_open';
    expect([...r.stateChanged()!]).toEqual([0x3c, 0, 0, 0]);
    r.push(Buffer.of(0x1b, 0x40));
    expect(r.asbEnabled).toBe(false);
    expect(r.stateChanged()).toBeNull();
    r.push(Buffer.of(0x1d, 0x61, 0x01));
    expect(r.asbEnabled).toBe(true);
    expect(r.push(Buffer.of(0x1d, 0x61, 0x00)).length).toBe(0);
    expect(r.asbEnabled).toBe(false);
  });

  it('silent answers nothing but still notes the queries', () => {
    const asked: string[] = [];
    const r = new StatusResponder({ state: 'silent', onQuery: (q) => asked.push(q.query) });
    expect(r.push(Buffer.concat([DLE_EOT(1), Buffer.of(0x1d, 0x61, 0xff), Buffer.of(0x1d, 0x49, 0x01)])).length).toBe(0);
    expect(asked).toEqual(['DLE EOT 1', 'GS a 255', 'GS I 1']);
  });
});
