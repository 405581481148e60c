import { describe, expect, it } from 'vitest';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { decodeBuffer, ReceiptDecoder } from '../../src/receipt/decoder.js';
import { MAX_ITEMS, MAX_RECEIPT_BYTES } from '../../src/receipt/segmenter.js';

const bytes = (...parts: Array<number[] | string>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('segmenter', () => {
  it('splits a stream that never cuts after MAX_ITEMS printed items, at a line boundary, the same however it is chunked', () => {
    const n = MAX_ITEMS * 2 + 5;
    const text = Array.from({ length: n }, (_, i) => `LINE ${String(i).padStart(6, '0')} 4111 1111 1111 1111\n`).join('');
    const input = Buffer.concat([Buffer.from([0x1b, 0x40]), Buffer.from(text, 'latin1')]);
    const whole = decodeBuffer(input).receipts;
    expect(whole.map((r) => r.lines.length)).toEqual([MAX_ITEMS, MAX_ITEMS, 5]);
    expect(whole[1]!.lines[0]!.text).toMatch(new RegExp(`^LINE ${String(MAX_ITEMS).padStart(6, '0')} `));
    const L = 'LINE 000000 4111 1111 1111 1111\n'.length;
    expect(whole.map((r) => r.bytes)).toEqual([
      { start: 0, end: 2 + L * MAX_ITEMS },
      { start: 2 + L * MAX_ITEMS, end: 2 + L * 2 * MAX_ITEMS },
      { start: 2 + L * 2 * MAX_ITEMS, end: input.length },
    ]);
    expect(whole[0]!.warnings.some((w) => /split here/.test(w))).toBe(true);
    // Streamed in pieces that end mid-line: the same receipts.
    const d = new ReceiptDecoder();
    const streamed = [];
    for (let i = 0; i < input.length; i += 4093) streamed.push(...d.push(input.subarray(i, i + 4093)));
    streamed.push(...d.end());
    expect(streamed.map((r) => [r.bytes, r.lines.length])).toEqual(whole.map((r) => [r.bytes, r.lines.length]));
  });

  it('splits a stream that never cuts after MAX_RECEIPT_BYTES, before the picture that starts past it', () => {
    // 1.5 MiB pictures (GS v 0, 2048 dots × 6144 rows), each with a caption line.
    const bits = new Uint8Array((2048 / 8) * 6144).fill(0x55);
    const b = new EscPosBuilder().init();
    for (let i = 0; i < 6; i++) b.line(`PICTURE ${i}`).raster(2048, 6144, bits);
    const input = b.build();
    const r = decodeBuffer(input).receipts;
    expect(r.length).toBeGreaterThan(1);
    for (const x of r) expect(x.bytes.end - x.bytes.start).toBeLessThan(MAX_RECEIPT_BYTES + bits.length + 64);
    expect(r.flatMap((x) => x.images)).toHaveLength(6);
    expect(r.flatMap((x) => x.lines.map((l) => l.text))).toEqual([0, 1, 2, 3, 4, 5].map((i) => `PICTURE ${i}`));
    expect(r[0]!.bytes.start).toBe(0);
    expect(r.at(-1)!.bytes.end).toBe(input.length);
    for (let i = 1; i < r.length; i++) expect(r[i]!.bytes.start).toBe(r[i - 1]!.bytes.end);
    expect(r[0]!.warnings.some((w) => /bytes without a cut/.test(w))).toBe(true);
  });

  it('ends a receipt on every form of cut', () => {
    const cuts = [[0x1d, 0x56, 0], [0x1d, 0x56, 49], [0x1d, 0x56, 65, 3], [0x1d, 0x56, 66, 0], [0x1d, 0x56, 97, 1], [0x1d, 0x56, 104, 1], [0x1b, 0x69], [0x1b, 0x6d]];
    const input = bytes(...cuts.flatMap((c, i) => [`R${i}\n`, c]));
    const r = decodeBuffer(input);
    expect(r.receipts.map((x) => [x.text, x.cut])).toEqual([
      ['R0\n', 'full'], ['R1\n', 'partial'], ['R2\n', 'full'], ['R3\n', 'partial'],
      ['R4\n', 'full'], ['R5\n', 'partial'], ['R6\n', 'partial'], ['R7\n', 'partial'],
    ]);
  });

  it('ends a receipt on ESC @ after printed content, not on ESC @ before it', () => {
    const r = decodeBuffer(bytes([0x1b, 0x40, 0x1b, 0x40], 'one\n', [0x1b, 0x40], 'two\n'));
    expect(r.receipts.map((x) => [x.text, x.cut, x.bytes])).toEqual([
      ['one\n', null, { start: 0, end: 8 }],
      ['two\n', null, { start: 8, end: 14 }],
    ]);
  });

  it('ends the last receipt at the end of input; byte ranges tile the input', () => {
    const input = new EscPosBuilder().line('a').cut().line('b').build();
    const r = decodeBuffer(input);
    expect(r.receipts.map((x) => x.bytes)).toEqual([
      { start: 0, end: 6 },
      { start: 6, end: input.length },
    ]);
  });

  it('a stretch that prints nothing (set-up, feeds, polls, a newline after a cut) is not a receipt', () => {
    const input = bytes('x\n', [0x1d, 0x56, 0], '\n\n', [0x1b, 0x40, 0x10, 0x04, 1, 0x1b, 0x64, 4, 0x1d, 0x56, 1], '\n');
    const r = decodeBuffer(input);
    expect(r.receipts).toHaveLength(1);
    expect(r.status).toHaveLength(1);
  });

  it('leading and trailing feed lines are not printed lines; inner blank lines are', () => {
    const r = decodeBuffer(bytes('\n\nA\n\nB\n', [0x1b, 0x64, 5]));
    expect(r.receipts[0]!.text).toBe('A\n\nB\n');
  });

  it('text cleared by ESC @ before it printed is dropped with a warning', () => {
    const r = decodeBuffer(bytes('kept\nlost', [0x1b, 0x40], 'next\n'));
    expect(r.receipts.map((x) => x.text)).toEqual(['kept\n', 'next\n']);
    expect(r.receipts[0]!.warnings.join(' ')).toMatch(/never printed/);
  });

  it('an input ending inside a command warns that it was truncated', () => {
    const r = decodeBuffer(bytes('A\n', [0x1d, 0x76, 0x30, 0, 10, 0, 10, 0, 1, 2, 3]));
    expect(r.receipts[0]!.warnings.join(' ')).toMatch(/ends inside GS v/);
  });
});
