/**
 * A statement read a chunk at a time reads exactly as the whole file: files cut into 1-byte and
 * odd-size pieces (UTF-8 and GBK characters, CRLF pairs and quoted cells cut in two) give the
 * same statement, hash and encoding; the encoding is decided on the whole file even when the
 * first byte that is not UTF-8 comes chunks after the start.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { acquirerStatement, sampleStatements, wechatBill } from '../../../scripts/gen/statements.js';
import { chunksOf, scanBytes } from '../../../src/server/importers/bytes.js';
import { parseStatement } from '../../../src/server/importers/index.js';
import { readRecords, streamRecords } from '../../../src/server/importers/records.js';
import { decodeSource } from '../../../src/server/importers/text.js';
import { expectStatementError, utf8 } from './helpers.js';

const options = (mapping?: string) => (mapping ? { mapping } : {});

describe('reading a statement a chunk at a time', () => {
  it('gives every sample exactly as read whole, in 1-byte, 3-byte, 4 KiB and 1 MiB chunks', () => {
    for (const g of sampleStatements(7, 40)) {
      const whole = parseStatement(g.format, g.bytes, options(g.mapping));
      expect(whole.rows.length, g.name).toBeGreaterThan(0);
      for (const size of [1, 3, 4096]) {
        expect(parseStatement(g.format, g.bytes, options(g.mapping), size), `${g.name} in ${size}-byte chunks`).toEqual(whole);
      }
    }
  });

  it('hashes the bytes as they pass: the hash is the SHA-256 of the file whatever the chunk size', () => {
    const g = wechatBill(3, { rows: 30, bom: true });
    const sha = createHash('sha256').update(g.bytes).digest('hex');
    for (const size of [1, 5, 1 << 20]) expect(scanBytes(g.bytes, size).sha256).toBe(sha);
    expect(parseStatement('wechat', g.bytes, {}, 2).content_sha256).toBe(sha);
  });

  it('decides UTF-8 or GBK on the whole file: a GBK byte far past the first chunk makes it GBK, a UTF-8 character cut by a chunk does not', () => {
    const ascii = 'MID,Amount\n'.concat('1,2.00\n'.repeat(200));
    const late = Buffer.concat([Buffer.from(ascii), iconv.encode('商户,3.00\n', 'gbk')]);
    for (const size of [1, 7, 64]) {
      const d = decodeSource(late, scanBytes(late, size), 'auto', size);
      expect(d.encoding).toBe('gbk');
      expect([...d.pieces].join('')).toBe(`${ascii}商户,3.00\n`);
    }
    const zh = utf8('商户号,交易金额\n898310048990001,128.10\n');
    for (let size = 1; size <= 4; size++) {
      const d = decodeSource(zh, scanBytes(zh, size), 'auto', size);
      expect(d.encoding, `${size}-byte chunks`).toBe('utf-8');
      expect([...d.pieces].join('')).toBe(zh.toString('utf8'));
    }
    // A sequence cut short at the very end is not UTF-8.
    const cut = Buffer.concat([zh, utf8('商').subarray(0, 2)]);
    expect(scanBytes(cut, 3).badUtf8At).toBe(zh.length);
  });

  it('names the line of bytes that are not the encoding given, wherever the chunk ends', () => {
    const bad = Buffer.concat([Buffer.from('a,b\nc,d\ne,f\n'), iconv.encode('商户', 'gbk'), Buffer.from('\n')]);
    for (const size of [1, 2, 5, 1 << 20]) {
      expectStatementError(() => decodeSource(bad, scanBytes(bad, size), 'utf-8', size), { code: 'STATEMENT_ENCODING', line: 4 });
    }
  });

  it('finds a bad cell after many chunks with its line and column', () => {
    const g = acquirerStatement(11, { language: 'zh', encoding: 'gbk', rows: 300, override: { row: 290, column: '交易金额', value: '12.3.4' } });
    for (const size of [1 << 20, 97]) {
      expectStatementError(() => parseStatement('acquirer-csv', g.bytes, {}, size), {
        code: 'STATEMENT_BAD_AMOUNT',
        line: g.expected[290]!.line,
        column: '交易金额',
      });
    }
  });

  it('numbers records as csv-parse does: quoted cells over several lines, blank lines, records of other lengths', () => {
    const text = 'a,b,c\n\n1,"two\nlines",3\n\n\n4,5\n"x\n\ny",,\n,,\n7,8,9,10\nlast,"q""uote"';
    const whole = readRecords(text);
    expect(whole.map((r) => r.line)).toEqual([1, 3, 7, 8, 12, 13]);
    for (const size of [1, 2, 5, text.length]) {
      const pieces = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
      expect([...streamRecords(pieces)], `${size}-character pieces`).toEqual(whole);
      expect([...streamRecords(pieces, ',', 5)].map((r) => r.line)).toEqual(whole.map((r) => r.line + 4));
    }
    const bad = 'a,b\n1,2\n"open,3\n';
    expectStatementError(() => [...streamRecords([bad])], { code: 'STATEMENT_CSV_SYNTAX' });
  });

  it('reads month-first dates (11/20/2026) as the whole date column says, in any chunk size', () => {
    const g = acquirerStatement(5, { language: 'en', encoding: 'utf-8', usDates: true, rows: 60 });
    const p = parseStatement('acquirer-csv', g.bytes, {}, 13);
    expect(p.rows.map((r) => r.datetime)).toEqual(g.expected.map((e) => e.datetime));
    expect({ from: p.date_from, to: p.date_to }).toEqual({ from: g.date_from, to: g.date_to });
  });

  it('reads a file on disk a chunk at a time as it reads the same bytes in memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tilltap-stream-'));
    try {
      const g = acquirerStatement(8, { language: 'zh', encoding: 'gbk', rows: 50, crlf: true });
      const path = join(dir, g.name);
      writeFileSync(path, g.bytes);
      expect([...chunksOf({ path }, 1000)].map((c) => c.length)).toEqual(
        Array.from({ length: Math.ceil(g.bytes.length / 1000) }, (_, i) => Math.min(1000, g.bytes.length - i * 1000)),
      );
      expect(Buffer.concat([...chunksOf({ path }, 333)])).toEqual(g.bytes);
      expect(parseStatement('acquirer-csv', { path }, {}, 333)).toEqual(parseStatement('acquirer-csv', g.bytes));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
