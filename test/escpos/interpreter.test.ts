import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { EscPosBuilder, testPattern } from '../../src/escpos/builder.js';
import { decodeBuffer, ReceiptDecoder } from '../../src/receipt/decoder.js';
import type { DecodeOptions } from '../../src/receipt/decoder.js';

const bytes = (...parts: Array<number[] | string | Uint8Array>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p as number[]))));

function one(input: Uint8Array, opts: DecodeOptions = {}) {
  const r = decodeBuffer(input, opts);
  expect(r.receipts).toHaveLength(1);
  return r.receipts[0]!;
}

describe('styles', () => {
  it('keeps align, bold, underline, invert and size per line', () => {
    const b = new EscPosBuilder().init().align('center').size(2, 2).bold(true).line('SHOP');
    b.size(1, 1).bold(false).align('right').underline(2).line('right').underline(0);
    b.align('left').invert(true).line('INV').invert(false).line('plain');
    const r = one(b.build());
    expect(r.lines.map((l) => [l.text, l.align, l.bold, l.underline, l.invert, l.width, l.height])).toEqual([
      ['SHOP', 'center', true, 0, false, 2, 2],
      ['right', 'right', false, 2, false, 1, 1],
      ['INV', 'left', false, 0, true, 1, 1],
      ['plain', 'left', false, 0, false, 1, 1],
    ]);
    expect(r.text).toBe('SHOP\nright\nINV\nplain\n');
  });

  it('ESC ! sets font B, bold, double height, double width and underline at once', () => {
    const r = one(bytes([0x1b, 0x21, 0x01 | 0x08 | 0x10 | 0x20 | 0x80], 'X\n'));
    expect(r.lines[0]).toMatchObject({ text: 'X', bold: true, width: 2, height: 2, underline: 1, font: 'B' });
  });

  it('a style change inside a line gives spans; the line takes its first visible style', () => {
    const r = one(new EscPosBuilder().text('TOTAL ').bold(true).text('12.50').bold(false).line().build());
    expect(r.lines[0]!.text).toBe('TOTAL 12.50');
    expect(r.lines[0]!.bold).toBe(false);
    expect(r.lines[0]!.spans?.map((s) => [s.text, s.bold])).toEqual([
      ['TOTAL ', false],
      ['12.50', true],
    ]);
  });

  it('alignment set mid-line applies from the next line, as on the printer', () => {
    const r = one(bytes('ab', [0x1b, 0x61, 1], 'cd\nef\n'));
    expect(r.lines.map((l) => l.align)).toEqual(['left', 'center']);
  });

  it('HT moves to the next tab stop (every 8 columns, or ESC D)', () => {
    expect(one(bytes('ab\tc\n')).lines[0]!.text).toBe('ab      c');
    expect(one(bytes([0x1b, 0x44, 4, 12, 0], 'ab\tc\td\n')).lines[0]!.text).toBe('ab  c       d');
  });
});

describe('text encodings', () => {
  it('maps ESC t n through the profile: n=16 is WPC1252 on Epson, n=6 is ISO-8859-1 on XPrinter', () => {
    const epson = one(bytes([0x1b, 0x74, 16], iconv.encode('Crème brûlée €', 'windows1252'), '\n'), { profile: 'epson' });
    expect(epson.lines[0]!.text).toBe('Crème brûlée €');
    const xp = one(bytes([0x1b, 0x74, 6], iconv.encode('Grüße', 'latin1'), '\n'), { profile: 'xprinter' });
    expect(xp.lines[0]!.text).toBe('Grüße');
  });

  it('vendors disagree above n=5: the same bytes under ESC t 17 are CP866 on Epson', () => {
    const input = bytes([0x1b, 0x74, 17], iconv.encode('Привет мир', 'cp866'), '\n');
    expect(one(input, { profile: 'epson' }).lines[0]!.text).toBe('Привет мир');
    expect(one(input).lines[0]!.text).toBe('Привет мир'); // auto
  });

  it('auto picks the plausible code page when vendors disagree (ESC t 7: Epson none, XPrinter WPC1253)', () => {
    const input = bytes([0x1b, 0x74, 7], iconv.encode('Καλημέρα κόσμε', 'windows1253'), '\n');
    expect(one(input).lines[0]!.text).toBe('Καλημέρα κόσμε');
  });

  it('ESC R 15 (China) prints $ as ¥; ESC R 3 (UK) prints # as £; ESC R 0 back to ASCII', () => {
    const r = one(bytes([0x1b, 0x52, 15], 'TOTAL $12.00\n', [0x1b, 0x52, 3], '#1\n', [0x1b, 0x52, 0], '$#\n'));
    expect(r.lines.map((l) => l.text)).toEqual(['TOTAL ¥12.00', '£1', '$#']);
  });

  it('FS & / FS . switch CJK mode; ESC t code pages apply outside it', () => {
    const input = bytes([0x1c, 0x26], iconv.encode('金额：128.00元', 'gb18030'), '\n', [0x1c, 0x2e, 0x1b, 0x74, 2], iconv.encode('Müller', 'cp850'), '\n');
    expect(one(input, { profile: 'epson' }).lines.map((l) => l.text)).toEqual(['金额：128.00元', 'Müller']);
  });

  it('--encoding chooses the multi-byte encoding of CJK mode (Big5, Shift-JIS, EUC-KR)', () => {
    for (const [enc, text] of [
      ['big5', '統一發票 金額'],
      ['shift_jis', '領収書 合計'],
      ['euc-kr', '영수증 합계'],
    ] as const) {
      const input = bytes([0x1c, 0x26], iconv.encode(text, enc === 'shift_jis' ? 'shiftjis' : enc === 'euc-kr' ? 'euckr' : enc), '\n');
      expect(one(input, { profile: 'epson', encoding: enc }).lines[0]!.text).toBe(text);
    }
  });

  it('generic-cn starts in CJK mode: GB18030 without FS &', () => {
    const input = bytes(iconv.encode('商户名称：天天便利店', 'gb18030'), '\n');
    expect(one(input, { profile: 'generic-cn' }).lines[0]!.text).toBe('商户名称：天天便利店');
    expect(one(input).lines[0]!.text).toBe('商户名称：天天便利店'); // auto infers the power-on mode
  });

  it('auto does not take Latin text for Chinese', () => {
    const input = bytes([0x1b, 0x74, 2], iconv.encode('Müller Straße Größe Ærø Ñandú', 'cp850'), '\n');
    expect(one(input).lines[0]!.text).toBe('Müller Straße Größe Ærø Ñandú');
  });

  it('FS ( C fn 48 m=2 switches to UTF-8', () => {
    const input = bytes([0x1c, 0x28, 0x43, 2, 0, 0x30, 2], Buffer.from('Ünïcödé ✓ 中文', 'utf8'), '\n');
    expect(one(input, { profile: 'epson' }).lines[0]!.text).toBe('Ünïcödé ✓ 中文');
  });

  it('ESC t switched in the middle of a word decodes each part with its own code page', () => {
    const input = bytes([0x1b, 0x74, 0], 'Gr', [0x1b, 0x74, 16], iconv.encode('üß', 'windows1252'), [0x1b, 0x74, 0], 'e\n');
    expect(one(input, { profile: 'epson' }).lines[0]!.text).toBe('Grüße');
  });
});

describe('lines decoded in batches', () => {
  /** Decoded one byte at a time: every line then lies in its own buffer and decodes on its own. */
  function byteByByte(input: Uint8Array, opts: DecodeOptions): string[] {
    const d = new ReceiptDecoder(opts);
    const out = [];
    for (let i = 0; i < input.length; i++) out.push(...d.push(input.subarray(i, i + 1)));
    out.push(...d.end());
    return out.flatMap((r) => r.lines.map((l) => l.text));
  }

  it('lines with commands between them decode as they do one by one, broken sequences too', () => {
    const gb = (s: string): number[] => [...iconv.encode(s, 'gb18030')];
    const input = bytes(
      [0x1b, 0x40, 0x1c, 0x26],
      gb('合计：¥12.50'), [0x0a, 0x1b, 0x45, 0x01],
      gb('找零'), [0xb0], [0x0a, 0x1b, 0x2d, 0x01, 0x1b, 0x61, 0x01], // a lead byte with no trail
      [0x81, 0x30], gb('半'), [0x0a, 0x1d, 0x21, 0x11], // half a 4-byte sequence
      gb('欢迎光临'), [0x81], [0x0a, 0x1b, 0x45, 0x00],
      'plain ascii', [0x0a, 0x1b, 0x2d, 0x00],
      gb('谢谢'), [0x0a],
    );
    for (const opts of [{ profile: 'generic-cn' }, { profile: 'epson' }, { profile: 'auto' }] as const) {
      const whole = decodeBuffer(input, opts).receipts.flatMap((r) => r.lines.map((l) => l.text));
      expect(whole.length).toBe(6);
      expect(whole).toEqual(byteByByte(input, opts));
    }
  });

  it('single-byte lines between style commands keep their characters', () => {
    const b = new EscPosBuilder().init().codepage(19, 'cp858');
    const texts = ['Café crème 3,50 €', 'Crêpe Suzette', 'Smørrebrød 12,00 €', 'Fußball'];
    for (const [i, t] of texts.entries()) {
      if (i % 2 === 1) b.underline(1);
      b.line(t);
      if (i % 2 === 1) b.underline(0).bold(true).bold(false);
    }
    const input = b.build();
    const r = one(input, { profile: 'epson' });
    expect(r.lines.map((l) => l.text)).toEqual(texts);
    expect(byteByByte(input, { profile: 'epson' })).toEqual(texts);
  });

  it('ASCII lines between commands, under auto and in CJK mode, cut out of one stretch', () => {
    const input = bytes([0x1b, 0x40, 0x1b, 0x52, 0x0f], 'Total $12', [0x0a, 0x1b, 0x45, 0x01], 'Cash  $20', [0x0a, 0x1b, 0x45, 0x00, 0x1b, 0x61, 0x01], 'Change $8', [0x0a]);
    for (const opts of [{ profile: 'auto' }, { profile: 'generic-cn' }, { profile: 'epson' }] as const) {
      const want = ['Total ¥12', 'Cash  ¥20', 'Change ¥8'];
      expect(one(input, opts).lines.map((l) => l.text), opts.profile).toEqual(want);
      expect(byteByByte(input, opts), opts.profile).toEqual(want);
    }
  });

  it('an international set applies to lines cut out of a stretch decoded whole', () => {
    // ESC R 3 (UK) prints # as £; lines between style commands, CP850 high bytes among them.
    const input = bytes([0x1b, 0x40, 0x1b, 0x74, 0x02, 0x1b, 0x52, 0x03], 'Order #12', [0x0a, 0x1b, 0x45, 0x01], 'Caf', [0x82], ' #2', [0x0a, 0x1b, 0x45, 0x00], '#', [0x0a]);
    const want = ['Order £12', 'Café £2', '£'];
    expect(one(input, { profile: 'epson' }).lines.map((l) => l.text)).toEqual(want);
    expect(byteByByte(input, { profile: 'epson' })).toEqual(want);
  });
});

describe('codes and images', () => {
  it('GS k forms A and B, with code 128 code sets removed', () => {
    const input = bytes(
      [0x1d, 0x6b, 2], '4006381333931', [0],
      [0x1d, 0x6b, 73, 11], '{BAB-12{C', [34, 56],
      [0x1d, 0x6b, 69, 4], 'CODE',
    );
    expect(one(input).barcodes).toEqual([
      { symbology: 'ean13', data: '4006381333931' },
      { symbology: 'code128', data: 'AB-123456' },
      { symbology: 'code39', data: 'CODE' },
    ]);
  });

  it('GS ( k stores and prints QR, PDF417 and DataMatrix with their payloads', () => {
    const store = (cn: number, data: string) => {
      const d = Buffer.from(data, 'utf8');
      return bytes([0x1d, 0x28, 0x6b, (d.length + 3) & 0xff, (d.length + 3) >> 8, cn, 80, 48], d, [0x1d, 0x28, 0x6b, 3, 0, cn, 81, 48]);
    };
    const r = one(bytes(store(49, 'https://example.com/r/1?x=中文'), store(48, 'PDF DATA'), store(54, 'DM-1')));
    expect(r.barcodes).toEqual([
      { symbology: 'qr', data: 'https://example.com/r/1?x=中文' },
      { symbology: 'pdf417', data: 'PDF DATA' },
      { symbology: 'datamatrix', data: 'DM-1' },
    ]);
  });

  it('images: GS v 0, GS ( L store+print, ESC * bands joined, NV logo references', () => {
    const raster = new EscPosBuilder().raster(64, 48, testPattern(64, 48)).build();
    const gl = bytes([0x1d, 0x28, 0x4c, 10 + 4 * 16, 0, 48, 112, 48, 1, 1, 49, 32, 0, 16, 0], new Uint8Array(4 * 16), [0x1d, 0x28, 0x4c, 2, 0, 48, 50]);
    const band = bytes([0x1b, 0x2a, 33, 20, 0], new Uint8Array(60), '\n');
    const nv = bytes([0x1c, 0x70, 1, 0]);
    const r = one(bytes(raster, gl, band, band, band, nv));
    expect(r.images.map((i) => [i.width, i.height, i.source])).toEqual([
      [64, 48, 'raster'],
      [32, 16, 'graphics'],
      [20, 72, 'column'],
      [0, 0, 'nv'],
    ]);
    expect(r.images[3]!.key).toBe('FS p 1');
    expect(r.text).toBe('');
  });

  it('images keep their magnification: GS v 0 m, GS ( L bx/by, ESC * densities', () => {
    const raster = (m: number) => bytes([0x1d, 0x76, 0x30, m, 1, 0, 8, 0], new Uint8Array(8));
    const gl = bytes([0x1d, 0x28, 0x4c, 10 + 8, 0, 48, 112, 48, 2, 1, 49, 8, 0, 8, 0], new Uint8Array(8), [0x1d, 0x28, 0x4c, 2, 0, 48, 50]);
    const band = (m: number) => bytes([0x1b, 0x2a, m, 4, 0], new Uint8Array(m >= 32 ? 12 : 4), '\n');
    const r = one(bytes(raster(0), raster(3), raster(49), gl, band(0), 'x\n', band(33)));
    expect(r.images.map((i) => i.scale ?? null)).toEqual([null, { x: 2, y: 2 }, { x: 2, y: 1 }, { x: 2, y: 1 }, { x: 2, y: 3 }, null]);
  });

  it('ESC e and ESC J print the line before feeding', () => {
    expect(one(bytes('DEF', [0x1b, 0x65, 3], 'GHI\n')).lines.map((l) => l.text)).toEqual(['DEF', 'GHI']);
  });

  it('FS p with an impossible mode is not a stored-logo print', () => {
    const r = decodeBuffer(bytes('A\n', [0x1c, 0x70, 0xe0, 0x99], 'B\n'));
    expect(r.receipts[0]!.images).toEqual([]);
  });

  it('status queries are recorded, never printed', () => {
    const r = decodeBuffer(bytes([0x10, 0x04, 1], 'A\n', [0x1d, 0x72, 1, 0x1d, 0x49, 0x43, 0x1d, 0x61, 0xff]));
    expect(r.status).toEqual([
      { offset: 0, query: 'DLE EOT 1' },
      { offset: 5, query: 'GS r 1' },
      { offset: 8, query: 'GS I 67' },
      { offset: 11, query: 'GS a 255' },
    ]);
    expect(r.receipts[0]!.text).toBe('A\n');
  });

  it('a status poll inside image data is image data, not a query', () => {
    const data = new Uint8Array(16).fill(0x10);
    data[1] = 0x04;
    data[2] = 0x01;
    const r = decodeBuffer(bytes([0x1d, 0x76, 0x30, 0, 2, 0, 8, 0], data, '\n'));
    expect(r.status).toEqual([]);
    expect(r.receipts[0]!.images).toHaveLength(1);
  });
});

describe('Star Line mode', () => {
  it('decodes ESC E / ESC F bold, ESC GS a alignment, ESC b barcode and ESC d cut', () => {
    const input = bytes(
      [0x1b, 0x40, 0x1b, 0x1d, 0x61, 1, 0x1b, 0x45], 'STAR SHOP', [0x1b, 0x46], '\n',
      [0x1b, 0x1d, 0x61, 0], 'Item 1.00\n',
      [0x1b, 0x62, 3, 2, 1, 80], '4006381333931', [0x1e],
      [0x1b, 0x64, 3],
    );
    for (const profile of ['star-line', 'auto'] as const) {
      const r = decodeBuffer(input, { profile });
      expect(r.receipts).toHaveLength(1);
      const receipt = r.receipts[0]!;
      expect(receipt.lines.map((l) => [l.text, l.align, l.bold])).toEqual([
        ['STAR SHOP', 'center', true],
        ['Item 1.00', 'left', false],
      ]);
      expect(receipt.barcodes).toEqual([{ symbology: 'ean13', data: '4006381333931' }]);
      expect(receipt.cut).toBe('partial');
    }
  });
});
