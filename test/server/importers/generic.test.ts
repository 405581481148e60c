import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { genericStatement } from '../../../scripts/gen/statements.js';
import { compileMapping, loadMapping, mappingNames, parseMapping, parseStatement } from '../../../src/server/importers/index.js';
import { expectRoundTrip, expectStatementError, importFile, importGenerated, utf8 } from './helpers.js';

describe('generic: statements read through a column mapping', () => {
  it('ships example mappings that validate', () => {
    expect(mappingNames()).toEqual(expect.arrayContaining(['bank-pos-gbk', 'processor-eu']));
    for (const name of mappingNames()) expect(loadMapping(name).spec.name).toBe(name);
  });

  it.each(['bank-pos-gbk', 'processor-eu'])('round-trips files written by what %s declares', (name) => {
    for (const seed of [1, 2, 3]) expectRoundTrip(genericStatement(seed * 19, name, { rows: 40, crlf: seed === 2 }));
  });

  it('takes --mapping as a name, a path, or a loaded mapping alike', () => {
    const g = genericStatement(4, 'processor-eu');
    const byName = importGenerated(g);
    const path = loadMapping('processor-eu').origin;
    const byPath = parseStatement('generic', g.bytes, { mapping: path });
    const loaded = parseStatement('generic', g.bytes, { mapping: loadMapping('processor-eu') });
    expect(byPath).toEqual(byName);
    expect(loaded).toEqual(byName);
  });

  it('reads decimal commas, grouped thousands and currencies as the mapping says', () => {
    const g = genericStatement(5, 'processor-eu', { rows: 30 });
    const text = g.bytes.toString('utf8');
    expect(text).toMatch(/;\d{1,3}(\.\d{3})+,\d\d;/);
    const p = importGenerated(g);
    expect(p.rows.some((r) => r.amount_minor >= 100_000)).toBe(true);
    expect(new Set(p.rows.map((r) => r.currency)).size).toBe(1);
    expect(p.language).toBe('en');
  });

  it('refuses a type value the mapping does not list (unknown_type: error), naming line and column', () => {
    const g = genericStatement(6, 'bank-pos-gbk', { rows: 8, override: { row: 5, column: '交易码', value: 'X99' } });
    expectStatementError(() => importGenerated(g), { code: 'STATEMENT_BAD_TYPE', line: 3 + 6, column: '交易码', message: /X99/ });
    const eu = genericStatement(6, 'processor-eu', { rows: 8, override: { row: 5, column: 'Type', value: 'CASHBACK' } });
    expect(importGenerated(eu).rows[5]!.trans_type).toBe('other');
  });

  it('names the line and column of a malformed amount and of a date that does not fit the pattern', () => {
    const g = genericStatement(7, 'bank-pos-gbk', { rows: 8, override: { row: 2, column: '交易金额', value: '12.345' } });
    expectStatementError(() => importGenerated(g), { code: 'STATEMENT_BAD_AMOUNT', line: 6, column: '交易金额' });
    const d = genericStatement(7, 'bank-pos-gbk', { rows: 8, override: { row: 0, column: '交易日期', value: '2026-11-20' } });
    expectStatementError(() => importGenerated(d), { code: 'STATEMENT_BAD_DATE', line: 4, column: '交易日期', message: /YYYYMMDD/ });
  });

  it('refuses a header that is not on the declared line, or lacks a mapped column', () => {
    const g = genericStatement(8, 'bank-pos-gbk', { rows: 3 });
    const lines = iconv.decode(g.bytes, 'gbk').split('\n');
    const shifted = iconv.encode(['extra title', ...lines].join('\n'), 'gbk');
    expectStatementError(() => importFile('generic', 'shifted.txt', shifted, { mapping: 'bank-pos-gbk' }), { code: 'STATEMENT_MISSING_COLUMN', line: 3 });
    const eu = genericStatement(8, 'processor-eu', { rows: 3 });
    const noNet = utf8(eu.bytes.toString('utf8').replace(';Net;', ';Netto;'));
    expectStatementError(() => importFile('generic', 'nonet.txt', noNet, { mapping: 'processor-eu' }), { code: 'STATEMENT_MISSING_COLUMN', line: 1, column: 'Net' });
  });

  it('validates mappings with a one-line error naming the file and key', () => {
    const base = { name: 'm', columns: { Amount: 'amount', When: 'datetime' } };
    expect(compileMapping(base, 'inline').fields.get('amount')).toEqual(['Amount']);
    const bad = (raw: unknown, key: RegExp): void => {
      expectStatementError(() => compileMapping(raw, 'x.yaml'), { code: 'STATEMENT_BAD_MAPPING', message: key });
    };
    bad({ ...base, columns: { When: 'datetime' } }, /x\.yaml: columns: no column maps to amount/);
    bad({ ...base, columns: { Amount: 'amount' } }, /datetime or date/);
    bad({ ...base, columns: { Amount: 'amount', When: 'datetime', X: 'colour' } }, /columns\.X/);
    bad({ ...base, formats: { datetime: 'MM/DD HH:mm' } }, /formats\.datetime: .*year/);
    bad({ ...base, formats: { date: 'YYYY-MM-DD HH:mm' } }, /not a date pattern/);
    bad({ ...base, types: { '01': 'sale' } }, /types/);
    bad({ ...base, amount: { decimal: ',', group: ',' } }, /amount\.group/);
    bad({ ...base, delimiter: ';;' }, /delimiter/);
    bad({ ...base, surprise: 1 }, /surprise|Unrecognized/i);
    expectStatementError(() => parseMapping('name: [unclosed', 'y.yaml'), { code: 'STATEMENT_BAD_MAPPING', message: /y\.yaml: not valid YAML/ });
    expectStatementError(() => loadMapping('no-such-mapping'), { code: 'STATEMENT_BAD_MAPPING', message: /shipped mappings: .*bank-pos-gbk/ });
    expectStatementError(() => parseStatement('generic', utf8('a\n')), { code: 'STATEMENT_BAD_MAPPING' });
  });

  it('reads a mapping file from a path: minor-unit amounts, magnitudes, a tab delimiter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tilltap-mapping-'));
    const path = join(dir, 'shop.yaml');
    writeFileSync(
      path,
      [
        'name: shop',
        'delimiter: "\\t"',
        'columns: { Ref: reference_no, When: datetime, Cents: amount, Kind: trans_type }',
        'amount: { unit: minor, sign: magnitude }',
      ].join('\n'),
    );
    const text = 'Ref\tWhen\tCents\tKind\n000123\t2026-11-20 09:10:00\t12810\tsale\n000124\t2026-11-20 09:12:00\t500\trefund\n';
    const p = parseStatement('generic', utf8(text), { mapping: path });
    expect(p.rows.map((r) => [r.reference_no, r.amount_minor, r.trans_type])).toEqual([
      ['000123', 12810, 'sale'],
      ['000124', 500, 'refund'],
    ]);
    expectStatementError(() => parseStatement('generic', utf8(text.replace('\t500\t', '\t-500\t')), { mapping: path }), {
      code: 'STATEMENT_BAD_AMOUNT',
      line: 3,
      column: 'Cents',
      message: /magnitudes/,
    });
    expectStatementError(() => parseStatement('generic', utf8(text.replace('12810', '128.10')), { mapping: path }), {
      code: 'STATEMENT_BAD_AMOUNT',
      line: 2,
      column: 'Cents',
    });
  });
});
