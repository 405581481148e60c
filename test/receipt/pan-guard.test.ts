import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { decodeBuffer, ReceiptDecoder } from '../../src/receipt/decoder.js';
import { CARD_LIKE, guardText, hasCardRun, luhnValid } from '../../src/receipt/fields/pan-guard.js';
import { int, prng } from '../../scripts/lib/prng.js';
import { renderHtml } from '../../src/receipt/render/html.js';
import { toJsonDocument } from '../../src/receipt/render/json.js';
import { renderText } from '../../src/receipt/render/text.js';

const PAN = '6222021234567890128'; // UnionPay, 19 digits, Luhn-valid
const MASKED = '622202*********0128';

describe('hasCardRun', () => {
  it('answers as the CARD_LIKE regex it stands for, on many generated strings', () => {
    // Digits, separators, letters, line breaks and CJK in runs long and short, so that probes land
    // on every kind of character and runs start and end at every distance from them.
    const alphabet = ['0', '1', '7', '9', ' ', '-', 'a', '\n', '.', '号', '５'];
    const rnd = prng(0x9a1d);
    let runs = 0;
    for (let i = 0; i < 20000; i++) {
      const weights = int(rnd, 3); // 0: mostly digits, 1: mixed, 2: mostly letters
      let s = '';
      const len = int(rnd, 90);
      for (let j = 0; j < len; j++) {
        const r = rnd();
        const digit = weights === 0 ? r < 0.8 : weights === 1 ? r < 0.55 : r < 0.2;
        s += digit ? alphabet[int(rnd, 4)] : alphabet[4 + int(rnd, alphabet.length - 4)];
      }
      const expected = CARD_LIKE.test(s);
      if (expected) runs++;
      if (hasCardRun(s) !== expected) expect.unreachable(`hasCardRun(${JSON.stringify(s)}) should be ${expected}`);
    }
    expect(runs).toBeGreaterThan(2000);
    expect(runs).toBeLessThan(18000);
  });

  it('finds a run at any position and with every separator between its digits', () => {
    const pan = '4111 1111-1111 1';
    for (let pad = 0; pad < 40; pad++) {
      expect(hasCardRun(`${'x'.repeat(pad)}${pan}${'y'.repeat(pad)}`)).toBe(true);
      expect(hasCardRun(`${' '.repeat(pad)}1 2 3 4 5 6 7 8 9 0 1 2 3${' '.repeat(pad)}`)).toBe(true);
      expect(hasCardRun(`${'1'.repeat(pad)}  ${'4'.repeat(12)}  5`)).toBe(pad >= 13);
      expect(hasCardRun(`${'-'.repeat(pad)}1 2 3 4 5 6  7 8 9 0 1 2 3`)).toBe(false);
    }
  });
});

describe('guardText', () => {
  it('knows the Luhn check', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid(PAN)).toBe(true);
  });

  it('masks Luhn-valid 13–19 digit runs to first 6 + last 4, keeping separators and length', () => {
    expect(guardText(`卡号:${PAN} C`).text).toBe(`卡号:${MASKED} C`);
    expect(guardText('VISA 4111 1111 1111 1111').text).toBe('VISA 4111 11** **** 1111');
    expect(guardText('AMEX 3782-822463-10005').text).toBe('AMEX 3782-82****-*0005');
    expect(guardText('4111111111111111').pans).toBe(1);
    for (const s of [`x${PAN}y`, 'card 4111 1111 1111 1111 exp']) expect(guardText(s).text.length).toBe(s.length);
  });

  it('leaves alone what is not a card: non-Luhn runs, short runs, long ids, merchant numbers', () => {
    for (const s of [
      '4111111111111112', // fails Luhn
      '411111111111', // 12 digits
      '4200001234202611201234567890', // a 28-digit WeChat transaction id
      '898310048161234', // a UnionPay merchant number: passes Luhn, but 8 is not a card's first digit
      'REF 317080478227  TRACE 004567',
      'DATE/TIME:20261120 090000', // a compact date and time: 14 digits, Luhn-valid, but no card starts 20
      'ORDER NO:202608142043490067', // a date-based order number
      '商户单号:P4111111111111111', // glued to letters: an order number
      'MID: 4111111111111111', // labelled as another number
      '商户编号(MERCHANT NO.):\n  4111111111111111', // labelled, value on the next line
    ]) {
      expect(guardText(s).text).toBe(s);
    }
  });

  it('still masks a number labelled as a card, or unlabelled, next to such labels', () => {
    expect(guardText('MID: 123\nCARD NO: 4111111111111111').text).toBe('MID: 123\nCARD NO: 411111******1111');
    expect(guardText('TID 10086001  4111111111111111').text).toBe('TID 10086001  411111******1111');
  });

  it('finds a grouped PAN inside a longer run of digit groups', () => {
    expect(guardText('4111 1111 1111 1111 2812').text).toBe('4111 11** **** 1111 2812');
  });

  it('stars track data, security codes and expiry dates, also when the value is on the next line', () => {
    expect(guardText(`;${PAN}=28121010000012345678?`).text).not.toMatch(/\d{6}/);
    expect(guardText('%B4111111111111111^DOE/JOHN^2812101000000?').text).not.toContain('4111111111111111');
    expect(guardText('CVV2: 123').text).toBe('CVV2: ***');
    expect(guardText('有效期(EXP DATE):28/12').text).toBe('有效期(EXP DATE):**/**');
    expect(guardText('EXP DATE:2028/11').text).toBe('EXP DATE:****/**');
    expect(guardText('EXP DATE:\n2812').text).toBe('EXP DATE:\n****');
  });
});

describe('no full card number leaves tilltap', () => {
  // A preauth slip that prints the whole card number (some terminals do), in a QR too.
  const slip = new EscPosBuilder()
    .init()
    .cjk(true)
    .align('center')
    .line('POS签购单')
    .line('持卡人存根 CARDHOLDER COPY')
    .align('left')
    .line('商户编号(MERCHANT NO.):898310048161234')
    .line('终端编号(TERMINAL NO.):10086001')
    .line('卡号(CARD NO.):')
    .bold(true)
    .text(PAN.slice(0, 8))
    .bold(false)
    .line(`${PAN.slice(8)} I`)
    .line('有效期(EXP DATE):2812')
    .line('交易类型(TRANS TYPE):预授权/AUTH')
    .line('凭证号(VOUCHER NO.):000321')
    .line('参考号(REFER NO.):317080478299')
    .line('金额(AMOUNT):RMB 500.00')
    .qr(`card=${PAN}`)
    .cut()
    .build();
  const digitsOnly = (s: string) => s.replace(/[^0-9]/g, '');

  it('in the receipt: text, lines, spans, codes, fields, with a warning', () => {
    const r = decodeBuffer(slip).receipts[0]!;
    const all = JSON.stringify(r);
    expect(digitsOnly(all)).not.toContain(PAN);
    expect(all).not.toContain('2812');
    expect(r.text).toContain(`卡号(CARD NO.):\n${MASKED} I`);
    expect(r.lines.find((l) => l.text.startsWith('622202'))!.spans!.map((s) => s.text).join('')).toBe(`${MASKED} I`);
    expect(r.barcodes[0]!.data).toBe(`card=${MASKED}`);
    expect(r.fields.card_number).toBe(MASKED);
    expect(r.fields.trans_type).toBe('preauth');
    expect(r.fields.merchant_id).toBe('898310048161234');
    expect(r.warnings.join(' ')).toMatch(/card number.* masked/);
  });

  it('in the text, JSON and HTML renderers, and streaming in small chunks', () => {
    const result = decodeBuffer(slip);
    for (const out of [renderText(result.receipts), JSON.stringify(toJsonDocument(result)), renderHtml(result.receipts)]) {
      expect(out).not.toContain(PAN);
      expect(digitsOnly(out)).not.toContain(PAN);
    }
    const d = new ReceiptDecoder();
    const got = [];
    for (let i = 0; i < slip.length; i += 3) got.push(...d.push(slip.subarray(i, i + 3)));
    got.push(...d.end());
    expect(JSON.stringify(got)).not.toContain(PAN);
  });

  it('in every format of `tilltap decode`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tilltap-pan-'));
    const file = join(dir, 'slip.bin');
    writeFileSync(file, slip);
    const bin = resolve(import.meta.dirname, '../../dist/src/cli/main.js');
    for (const format of ['text', 'json', 'html']) {
      const r = spawnSync(process.execPath, [bin, 'decode', file, '--format', format], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(PAN);
      expect(r.stdout).toContain('622202');
    }
  });
});

describe('product codes', () => {
  it('an EAN-13 that happens to pass the Luhn check is a product number, not a card', () => {
    // 4000000000006 is 13 digits, starts with 4 and passes Luhn: as text it would be starred.
    const input = new EscPosBuilder().line('Item').barcode('ean13', '4000000000006').qr('4000000000006').cut().build();
    const r = decodeBuffer(input).receipts[0]!;
    expect(r.barcodes).toEqual([
      { symbology: 'ean13', data: '4000000000006' },
      { symbology: 'qr', data: '400000***0006' },
    ]);
  });
});
