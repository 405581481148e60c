import { describe, expect, it } from 'vitest';
import { sampleStatements, wechatBill } from '../../../scripts/gen/statements.js';
import {
  IMPORTERS,
  parseStatement,
  STATEMENT_ERROR_CODES,
  STATEMENT_ERRORS,
  STATEMENT_FORMATS,
  StatementError,
} from '../../../src/server/importers/index.js';
import { expectRoundTrip, expectStatementError, utf8 } from './helpers.js';

describe('parseStatement: the one entry point', () => {
  it('has one importer per format name the CLI takes', () => {
    expect(Object.keys(IMPORTERS).sort()).toEqual([...STATEMENT_FORMATS].sort());
    for (const f of STATEMENT_FORMATS) expect(IMPORTERS[f].format).toBe(f);
    expectStatementError(() => parseStatement('ofx', utf8('x')), { code: 'STATEMENT_UNKNOWN_FORMAT', message: /acquirer-csv/ });
  });

  it('reads every sample the generator writes', () => {
    const samples = sampleStatements(42);
    expect(new Set(samples.map((s) => s.format))).toEqual(new Set(STATEMENT_FORMATS));
    for (const s of samples) expectRoundTrip(s);
  });

  it('is a pure function of the bytes: the same file gives the same statement, another file another hash', () => {
    const a = wechatBill(1);
    expect(parseStatement('wechat', a.bytes)).toEqual(parseStatement('wechat', Buffer.from(a.bytes)));
    const bom = wechatBill(1, { bom: true });
    const pa = parseStatement('wechat', a.bytes);
    const pb = parseStatement('wechat', bom.bytes);
    expect(pb.rows.map((r) => r.amount_minor)).toEqual(pa.rows.map((r) => r.amount_minor));
    expect(pb.content_sha256).not.toBe(pa.content_sha256);
    expect(pa.content_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('declares every error code once, with a description, and serialises errors with code, line and column', () => {
    expect(STATEMENT_ERROR_CODES.length).toBe(Object.keys(STATEMENT_ERRORS).length);
    for (const code of STATEMENT_ERROR_CODES) {
      expect(code).toMatch(/^STATEMENT_[A-Z_]+$/);
      expect(STATEMENT_ERRORS[code].length).toBeGreaterThan(5);
    }
    const e = new StatementError('STATEMENT_BAD_AMOUNT', 'not an amount: "x"', { line: 7, column: '交易金额' });
    expect(e.message).toBe('line 7, column 交易金额: not an amount: "x"');
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'STATEMENT_BAD_AMOUNT', message: e.message, line: 7, column: '交易金额' });
    expect(e.statusCode).toBe(422);
    expect(new StatementError('STATEMENT_BAD_MAPPING', 'x').statusCode).toBe(400);
  });
});
