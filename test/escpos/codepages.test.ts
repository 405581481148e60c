/**
 * The decoders of src/escpos/codepages.ts give exactly iconv-lite's text: byte tables read from
 * iconv-lite, and GB18030 through the platform's decoder with iconv-lite behind it.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decoderFor } from '../../src/escpos/codepages.js';
import { allProfiles } from '../../src/escpos/profiles.js';
import { int, prng } from '../../scripts/lib/prng.js';

const ICONV_NAME: Readonly<Record<string, string>> = { shift_jis: 'shiftjis', 'euc-kr': 'euckr' };
const reference = (buf: Buffer, name: string): string => iconv.decode(buf, ICONV_NAME[name] ?? name);
const decode = (buf: Buffer, name: string): string => decoderFor(name)(buf, 0, buf.length);

/** Random text bytes (≥ 0x20, as text runs are), mostly high: multi-byte sequences, broken ones too. */
function randomRun(rnd: () => number, max: number): Buffer {
  const n = 1 + int(rnd, max);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rnd() < 0.3 ? 0x20 + int(rnd, 0x60) : 0x80 + int(rnd, 0x80);
  return b;
}

describe('decoders agree with iconv-lite', () => {
  const iconvPages = [...new Set(allProfiles().flatMap((p) => [...p.codepages.values()]))].filter((n) => iconv.encodingExists(ICONV_NAME[n] ?? n));
  const multiByte = ['gb18030', 'big5', 'shift_jis', 'euc-kr', 'utf-8'];

  it('every code page of the profiles, on every byte and on random runs', () => {
    expect(iconvPages.length).toBeGreaterThan(10);
    const rnd = prng(858);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (const name of iconvPages) {
      expect(decode(all, name), name).toBe(reference(all, name));
      for (let k = 0; k < 200; k++) {
        const run = randomRun(rnd, 40);
        expect(decode(run, name), `${name} ${run.toString('hex')}`).toBe(reference(run, name));
      }
    }
  });

  it('ASCII runs with one high byte anywhere, at every alignment in memory', () => {
    // ASCII-only runs skip the codec, checked four bytes at a time: the high byte must be seen
    // at every position, whatever the run's alignment.
    for (const name of ['cp437', 'cp858', 'gb18030']) {
      for (let len = 1; len <= 80; len += 3) {
        for (let at = 0; at < len; at++) {
          for (let shift = 0; shift < 4; shift++) {
            const mem = Buffer.alloc(len + 8, 0x41);
            mem[shift + at] = 0xe9;
            const run = mem.subarray(shift, shift + len);
            expect(decode(run, name), `${name} ${len} ${at} ${shift}`).toBe(reference(run, name));
          }
        }
      }
    }
  });

  it('single-byte code pages read four bytes at a time give what byte by byte gives, at every alignment', () => {
    const names = [...new Set(allProfiles().flatMap((p) => [...p.codepages.values()]))];
    const rnd = prng(0x5b1e);
    let tables = 0;
    for (const name of names) {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const each = Array.from({ length: 256 }, (_, i) => decode(all.subarray(i, i + 1), name));
      if (each.some((c) => c.length !== 1)) continue; // a multi-byte encoding
      tables++;
      // Short runs at every length; long ones make the reused output space grow (to odd sizes too).
      for (const len of [...Array.from({ length: 23 }, (_, i) => i + 1), 9000, 30001]) {
        for (let shift = 0; shift < 4; shift++) {
          const mem = Buffer.alloc(len + 8);
          for (let i = 0; i < mem.length; i++) mem[i] = rnd() < 0.5 ? 0x20 + int(rnd, 0x60) : 0x80 + int(rnd, 0x80);
          const run = mem.subarray(shift, shift + len);
          const expected = Array.from(run, (b) => each[b]!).join('');
          expect(decoderFor(name)(mem, shift, shift + len), `${name} ${len} ${shift}`).toBe(expected);
        }
      }
    }
    expect(tables).toBeGreaterThan(10);
  });

  it('multi-byte encodings on random runs, valid and broken', () => {
    const rnd = prng(18030);
    for (const name of multiByte) {
      for (let k = 0; k < 3000; k++) {
        const run = randomRun(rnd, 12);
        expect(decode(run, name), `${name} ${run.toString('hex')}`).toBe(reference(run, name));
      }
    }
  });

  it('GB18030: every 2-byte sequence alone, every 4-byte sequence in runs', () => {
    const pair = Buffer.alloc(2);
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        pair[0] = lead;
        pair[1] = trail;
        expect(decode(pair, 'gb18030'), pair.toString('hex')).toBe(reference(pair, 'gb18030'));
      }
    }
    // One run per first two bytes: 1260 sequences of 4 bytes, decoded whole (a broken one anywhere
    // sends the run to iconv-lite, so the ranges that are all valid test the platform's decoder).
    for (let a = 0x81; a <= 0xfe; a++) {
      for (let b = 0x30; b <= 0x39; b++) {
        const run = Buffer.alloc(126 * 10 * 4);
        let at = 0;
        for (let c = 0x81; c <= 0xfe; c++) {
          for (let d = 0x30; d <= 0x39; d++) {
            run[at++] = a;
            run[at++] = b;
            run[at++] = c;
            run[at++] = d;
          }
        }
        expect(decode(run, 'gb18030') === reference(run, 'gb18030'), `${a.toString(16)} ${b.toString(16)}`).toBe(true);
      }
    }
  });

  it('GB18030: the code points GB18030-2022 moved decode as iconv-lite has them', () => {
    for (const hex of ['a6d9', 'a6df', 'a6ec', 'a6f3', 'fe59', 'fe7e', 'fea0']) {
      const buf = Buffer.concat([Buffer.from('合计 '), Buffer.from(hex, 'hex')]);
      expect(decode(buf, 'gb18030')).toBe(reference(buf, 'gb18030'));
    }
  });
});
