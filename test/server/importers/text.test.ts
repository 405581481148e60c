import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { StatementError } from '../../../src/server/importers/errors.js';
import { decodeStatement } from '../../../src/server/importers/text.js';

const text = '商户号,交易金额\n898310048990001,128.10\n';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe('statement encodings, found or given', () => {
  it('finds UTF-8 with a BOM, UTF-8 without, and GBK', () => {
    expect(decodeStatement(Buffer.concat([BOM, Buffer.from(text)]))).toEqual({ text, encoding: 'utf-8-bom' });
    expect(decodeStatement(Buffer.from(text))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeStatement(iconv.encode(text, 'gbk'))).toEqual({ text, encoding: 'gbk' });
    expect(decodeStatement(Buffer.from('MID,Amount\n1,2.00\n'))).toEqual({ text: 'MID,Amount\n1,2.00\n', encoding: 'utf-8' });
  });

  it('takes the encoding the caller names, and names the line of bytes that do not fit it', () => {
    expect(decodeStatement(iconv.encode(text, 'gbk'), 'gbk').text).toBe(text);
    const bad = Buffer.concat([Buffer.from('a,b\nc,d\n'), iconv.encode('商户', 'gbk'), Buffer.from('\n')]);
    let err: unknown;
    try {
      decodeStatement(bad, 'utf-8');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatementError);
    expect((err as StatementError).code).toBe('STATEMENT_ENCODING');
    expect((err as StatementError).line).toBe(3);
    // A BOM says UTF-8 whatever the caller guessed.
    expect(decodeStatement(Buffer.concat([BOM, Buffer.from(text)]), 'gbk').encoding).toBe('utf-8-bom');
  });

  it('refuses an empty file', () => {
    expect(() => decodeStatement(Buffer.alloc(0))).toThrow(StatementError);
  });
});

describe('UTF-16 with a byte order mark (Excel "Unicode text")', () => {
  it('is read as UTF-16', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(decodeStatement(le)).toEqual({ text, encoding: 'utf-16le' });
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeStatement(be)).toEqual({ text, encoding: 'utf-16be' });
  });
});
