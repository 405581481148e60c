/**
 * Round trip through receiptline (v4): `transform(doc, { command, encoding })` writes ESC/POS (or
 * Star Line mode) and tilltap decodes it back.
 *
 * What receiptline does that matters here (read from lib/receiptline.js):
 * - it lays text out itself: a line is `GS L / GS W` (print area), `ESC a 0`, then each column is
 *   placed with `ESC $` (absolute) and `ESC \` (relative position). tilltap does not model the
 *   horizontal position, so the columns of a line arrive next to each other ("Borscht5.00"); we
 *   compare the trimmed content of every column, in order;
 * - code pages: `multilingual` switches `ESC t n` per character (Epson numbers: 0 cp437, 16
 *   cp1252, 17 cp866, 18 cp852, 19 cp858); the CJK encodings prefix every text run with
 *   `ESC t 0 FS &` (cp936/gb18030, cp950/big5), `ESC t 0 FS & ESC R 13` (cp949/ksc5601) or
 *   `ESC t 1 FS C 1 ESC R 8` (shiftjis/cp932: Shift JIS selected with FS C, no FS &); rules are
 *   drawn with `FS C 0 FS . ESC t 1` and katakana-page box glyphs;
 * - barcodes are `GS k` function B; for EAN-13 it sends 12 digits and lets the printer add the
 *   check digit;
 * - QR codes are not `GS ( k`: receiptline draws the matrix itself and sends it as a raster
 *   graphic (`GS 8 L … fn 112` + `GS ( L fn 50`; `GS v 0` for the `generic` command), so the QR
 *   comes back as an image whose pixels must be the matrix of `receiptline.qrcode.generate`;
 * - the receipt ends with `GS V 66 0` (partial cut after feed) and `GS r 1` (status request).
 */
import receiptline from 'receiptline';
import { describe, expect, it } from 'vitest';
import type { PrintedImage } from '../../src/escpos/events.js';
import type { CjkEncoding } from '../../src/escpos/codepages.js';
import type { ProfileChoice } from '../../src/escpos/profiles.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import type { Receipt } from '../../src/receipt/receipt.js';
import { hex } from './encoders-common.js';

type RlPrinter = NonNullable<Parameters<typeof receiptline.transform>[1]>;
type RlEncoding = RlPrinter['encoding'];
type RlCommand = Extract<RlPrinter['command'], string>;

function transform(doc: string, command: RlCommand, encoding: RlEncoding, cpl = 42): Uint8Array {
  return Uint8Array.from(Buffer.from(receiptline.transform(doc, { cpl, encoding, command }), 'binary'));
}

interface Row {
  /** The columns' text as written in the document (markup removed). */
  readonly columns: readonly string[];
  readonly bold?: boolean;
  readonly underline?: 0 | 1 | 2;
  readonly invert?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** A document and the rows it prints, in order. */
interface Doc {
  readonly doc: string;
  readonly rows: readonly Row[];
  readonly barcodes: readonly { symbology: string; data: string | readonly string[] }[];
  readonly qr?: { data: string; cell: number; level: 'l' | 'm' | 'q' | 'h' };
}

const QR_DATA = 'https://tilltap.example/r/42?x=1';

/** Western, Central European and Cyrillic text with every decoration receiptline has. */
const MULTILINGUAL: Doc = {
  doc: [
    '^^^TILLTAP^^^',
    '"Bold line"',
    '_Underlined_',
    '`Inverted`',
    '^Wide^',
    '^^Tall^^',
    'Crème brûlée | 4.50',
    'Zażółć gęślą | 3.00',
    'Борщ, пельмени | 5.00',
    'Größe 12 € | 1.00',
    'Smørrebrød | Ærø | 2.00',
    '{code:4006381333931;option:ean,hri}',
    '{code:Tilltap-128;option:code128,hri}',
    '{code:TILL-42;option:code39,hri}',
    '{code:1234567890;option:itf,hri}',
    '{code:A40156B;option:codabar,hri}',
    `{code:${QR_DATA};option:qrcode,4,m}`,
    'Thank you!',
  ].join('\n'),
  rows: [
    { columns: ['TILLTAP'], width: 2, height: 2 },
    { columns: ['Bold line'], bold: true },
    { columns: ['Underlined'], underline: 2 },
    { columns: ['Inverted'], invert: true },
    { columns: ['Wide'], width: 2 },
    { columns: ['Tall'], height: 2 },
    { columns: ['Crème brûlée', '4.50'] },
    { columns: ['Zażółć gęślą', '3.00'] },
    { columns: ['Борщ, пельмени', '5.00'] },
    { columns: ['Größe 12 €', '1.00'] },
    { columns: ['Smørrebrød', 'Ærø', '2.00'] },
    { columns: ['Thank you!'] },
  ],
  barcodes: [
    // receiptline sends the 12 digits and leaves the check digit to the printer.
    { symbology: 'ean13', data: ['400638133393', '4006381333931'] },
    { symbology: 'code128', data: 'Tilltap-128' },
    { symbology: 'code39', data: 'TILL-42' },
    { symbology: 'itf', data: '1234567890' },
    { symbology: 'codabar', data: 'A40156B' },
  ],
  qr: { data: QR_DATA, cell: 4, level: 'm' },
};

/** The text lines of a receipt, blank ones left out. */
function textLines(r: Receipt): Receipt['lines'][number][] {
  return r.lines.filter((l) => l.text.trim() !== '');
}

/** Assert that `text` holds the columns, in order, each exactly. */
function expectColumns(text: string, columns: readonly string[], label: string): void {
  let at = 0;
  for (const c of columns) {
    const i = text.indexOf(c, at);
    expect(i, `${label}: ${JSON.stringify(c)} in ${JSON.stringify(text)}`).toBeGreaterThanOrEqual(0);
    at = i + c.length;
  }
  // Nothing but layout (spaces) around and between the columns.
  expect(text.replace(/\s+/g, ''), label).toBe(columns.join('').replace(/\s+/g, ''));
}

function expectRows(r: Receipt, rows: readonly Row[], label: string): void {
  const lines = textLines(r);
  expect(lines.map((l) => l.text.trim()), label).toHaveLength(rows.length);
  rows.forEach((row, i) => {
    const l = lines[i]!;
    expectColumns(l.text, row.columns, `${label} row ${i}`);
    expect(
      { bold: l.bold, underline: l.underline, invert: l.invert, width: l.width, height: l.height },
      `${label} row ${i} style`,
    ).toEqual({
      bold: row.bold ?? false,
      underline: row.underline ?? 0,
      invert: row.invert ?? false,
      width: row.width ?? 1,
      height: row.height ?? 1,
    });
  });
}

function expectBarcodes(r: Receipt, want: Doc['barcodes'], label: string): void {
  expect(r.barcodes.map((b) => b.symbology), label).toEqual(want.map((b) => b.symbology));
  want.forEach((w, i) => {
    const got = r.barcodes[i]!.data;
    if (typeof w.data === 'string') expect(got, label).toBe(w.data);
    else expect(w.data, label).toContain(got);
  });
}

/** The QR image's pixels are the matrix receiptline generated, each module `cell` dots square. */
function expectQrImage(img: PrintedImage | undefined, qr: NonNullable<Doc['qr']>, label: string): void {
  const matrix = receiptline.qrcode.generate({ data: qr.data, level: qr.level, quietZone: false } as never) as Uint8Array[];
  const size = matrix.length * qr.cell;
  expect(img, label).toBeDefined();
  expect(img!.bitmap?.layout, label).toBe('raster');
  expect(img!.height, label).toBe(size);
  // GS v 0 counts the width in bytes, so a raster there is padded to a multiple of 8 dots.
  expect([size, Math.ceil(size / 8) * 8], label).toContain(img!.width);
  const rowBytes = Math.ceil(size / 8);
  const data = img!.bitmap!.data;
  let wrong = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const bit = (data[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
      if (bit !== matrix[Math.floor(y / qr.cell)]![Math.floor(x / qr.cell)]) wrong++;
    }
  }
  expect(wrong, `${label}: QR pixels that differ from the matrix`).toBe(0);
}

describe('receiptline → tilltap, multilingual (single-byte code pages)', () => {
  // The ESC/POS command sets that differ from each other in what they send for these documents:
  // `escpos`/`epson` and `fit` (GS 8 L graphics), `generic` (GS v 0 rasters).
  for (const command of ['escpos', 'epson', 'fit', 'generic'] as RlCommand[]) {
    for (const profile of ['epson', 'auto'] as const) {
      it(`${command}: text, styles, barcodes, QR and cut decode with profile ${profile}`, () => {
        const r = decodeBuffer(transform(MULTILINGUAL.doc, command, 'multilingual'), { profile });
        expect(r.receipts).toHaveLength(1);
        const receipt = r.receipts[0]!;
        expectRows(receipt, MULTILINGUAL.rows, `${command}/${profile}`);
        expectBarcodes(receipt, MULTILINGUAL.barcodes, `${command}/${profile}`);
        expect(receipt.images, `${command}/${profile}`).toHaveLength(1);
        expectQrImage(receipt.images[0], MULTILINGUAL.qr!, `${command}/${profile}`);
        expect(receipt.cut).toBe('partial');
        // open() turns automatic status back off (GS a 0), close() asks for the paper status (GS r).
        expect(r.status.map((s) => s.query.split(' ').slice(0, 2).join(' '))).toEqual(['GS a', 'GS r']);
        expect(r.warnings).toEqual([]);
      });
    }
  }

  it('each single-byte encoding of its own decodes with the epson profile', () => {
    const cases: [RlEncoding, string][] = [
      ['cp437', 'Café, naïve, Ångström'],
      ['cp852', 'Zażółć gęślą jaźń'],
      ['cp858', 'Crème brûlée 3,50 €'],
      ['cp860', 'Pão de açúcar, São João'],
      ['cp863', 'Crème, où, déjà, Noël'],
      ['cp865', 'Smørrebrød, blåbær'],
      ['cp866', 'Борщ, пельмени, квас'],
      ['cp1252', 'Größe: 12 € – Übermaß'],
    ];
    for (const [encoding, text] of cases) {
      const r = decodeBuffer(transform(`${text}\n"${text}"`, 'escpos', encoding), { profile: 'epson' });
      expect(r.receipts, encoding!).toHaveLength(1);
      expectRows(r.receipts[0]!, [{ columns: [text] }, { columns: [text], bold: true }], encoding!);
    }
  });
});

/** CJK documents: receiptline encoding → tilltap --encoding. */
const CJK: readonly { encodings: RlEncoding[]; tilltap: CjkEncoding; doc: Doc }[] = [
  {
    encodings: ['cp936', 'gb18030'],
    tilltap: 'gb18030',
    doc: {
      doc: '^^^欢迎光临^^^\n中文测试 | 12.50\n收银台：一号\n合计 | ￥30.00\n"谢谢惠顾"\n{code:Tilltap-128;option:code128,hri}\n',
      rows: [
        { columns: ['欢迎光临'], width: 2, height: 2 },
        { columns: ['中文测试', '12.50'] },
        { columns: ['收银台：一号'] },
        { columns: ['合计', '￥30.00'] },
        { columns: ['谢谢惠顾'], bold: true },
      ],
      barcodes: [{ symbology: 'code128', data: 'Tilltap-128' }],
    },
  },
  {
    encodings: ['cp950', 'big5'],
    tilltap: 'big5',
    doc: {
      doc: '^^^歡迎光臨^^^\n中文測試 | 12.50\n合計 | NT$30\n"謝謝惠顧"\n{code:Tilltap-128;option:code128,hri}\n',
      rows: [
        { columns: ['歡迎光臨'], width: 2, height: 2 },
        { columns: ['中文測試', '12.50'] },
        { columns: ['合計', 'NT$30'] },
        { columns: ['謝謝惠顧'], bold: true },
      ],
      barcodes: [{ symbology: 'code128', data: 'Tilltap-128' }],
    },
  },
  {
    encodings: ['cp949', 'ksc5601'],
    tilltap: 'euc-kr',
    doc: {
      doc: '^^^감사합니다^^^\n한국어 테스트 | 12.50\n합계 | 30,000원\n"영수증"\n{code:Tilltap-128;option:code128,hri}\n',
      rows: [
        { columns: ['감사합니다'], width: 2, height: 2 },
        { columns: ['한국어 테스트', '12.50'] },
        { columns: ['합계', '30,000원'] },
        { columns: ['영수증'], bold: true },
      ],
      barcodes: [{ symbology: 'code128', data: 'Tilltap-128' }],
    },
  },
];

describe('receiptline → tilltap, CJK (FS & with the matching --encoding)', () => {
  for (const { encodings, tilltap, doc } of CJK) {
    for (const encoding of encodings) {
      for (const profile of ['epson', 'auto'] as ProfileChoice[]) {
        it(`${encoding} decodes with --encoding ${tilltap}, profile ${profile}`, () => {
          const bytes = transform(doc.doc, 'escpos', encoding);
          // How receiptline enters CJK mode: ESC t 0 FS & before every text run.
          expect(hex(bytes)).toContain('1b 74 00 1c 26');
          const r = decodeBuffer(bytes, { profile, encoding: tilltap });
          expect(r.receipts).toHaveLength(1);
          expectRows(r.receipts[0]!, doc.rows, `${encoding}/${profile}`);
          expectBarcodes(r.receipts[0]!, doc.barcodes, `${encoding}/${profile}`);
          expect(r.receipts[0]!.cut).toBe('partial');
        });
      }
    }
  }
});

const JAPANESE: Doc = {
  doc: '^^^ありがとう^^^\n日本語テスト | 12.50\n合計 | 3,000円\nｶﾀｶﾅ ﾃｽﾄ\n',
  rows: [
    { columns: ['ありがとう'], width: 2, height: 2 },
    { columns: ['日本語テスト', '12.50'] },
    { columns: ['合計', '3,000円'] },
    { columns: ['ｶﾀｶﾅ ﾃｽﾄ'] },
  ],
  barcodes: [],
};

describe('receiptline → tilltap, Shift JIS (FS C 1, no FS &)', () => {
  it('shiftjis / cp932 select Shift JIS with FS C 1 and never send FS &', () => {
    for (const encoding of ['shiftjis', 'cp932'] as RlEncoding[]) {
      const h = hex(transform(JAPANESE.doc, 'escpos', encoding));
      expect(h).toContain('1b 74 01 1c 43 31 1b 52 08');
      expect(h).not.toContain('1c 26');
    }
  });

  // Epson: "When SHIFT JIS code system is selected [FS C 1], if the printer processes a character
  // code that corresponds to the first byte of the Kanji code, the printer processes a consecutive
  // byte as the second byte" — no FS & needed (FS & is for the JIS code system). tilltap reads
  // FS C but ignores it, so the Kanji bytes are decoded one by one in the ESC t 1 katakana page.
  for (const encoding of ['shiftjis', 'cp932'] as RlEncoding[]) {
    it(`${encoding} decodes with --encoding shift_jis`, () => {
      const r = decodeBuffer(transform(JAPANESE.doc, 'escpos', encoding), { profile: 'epson', encoding: 'shift_jis' });
      expect(r.receipts).toHaveLength(1);
      expectRows(r.receipts[0]!, JAPANESE.rows, encoding!);
    });
  }
});

describe('receiptline → tilltap, Star Line mode (starlinesbcs)', () => {
  const doc = [
    '^^^TILLTAP^^^',
    '"Bold line"',
    'Crème brûlée | 4.50',
    'Борщ | 5.00',
    '{code:4006381333931;option:ean,hri}',
    '{code:Tilltap-128;option:code128,hri}',
  ].join('\n');
  const bytes = transform(doc, 'starlinesbcs', 'multilingual');
  const qrBytes = transform(`{code:${QR_DATA};option:qrcode,4,m}`, 'starlinesbcs', 'multilingual');

  it('is told apart from ESC/POS by auto, and its barcodes and cut decode', () => {
    for (const profile of ['star-line', 'auto'] as const) {
      const r = decodeBuffer(bytes, { profile });
      expect(r.receipts, profile).toHaveLength(1);
      // Star Line ESC b sends the whole EAN-13, check digit included.
      expect(r.receipts[0]!.barcodes, profile).toEqual([
        { symbology: 'ean13', data: '4006381333931' },
        { symbology: 'code128', data: 'Tilltap-128' },
      ]);
      expect(r.receipts[0]!.cut, profile).toBe('partial');
    }
  });

  // receiptline's Star Line output uses three commands tilltap's Star Line table does not know
  // (or knows with the wrong length), so parameter bytes are printed as text:
  // - `ESC s n1 n2` (Kanji left/right spacing, 4 bytes; tilltap: 3) in open(): a stray "0";
  // - `ESC GS A n1 n2` / `ESC GS R n1 n2` (absolute / relative position, 5 bytes): "A", "R" + noise.
  it('its text lines decode exactly with profile star-line', () => {
    const r = decodeBuffer(bytes, { profile: 'star-line' });
    expectRows(
      r.receipts[0]!,
      [
        { columns: ['TILLTAP'], width: 2, height: 2 },
        { columns: ['Bold line'], bold: true },
        { columns: ['Crème brûlée', '4.50'] },
        { columns: ['Борщ', '5.00'] },
      ],
      'starlinesbcs',
    );
  });

  // The QR code is drawn as an image in 24-dot bands of `ESC k n1 n2 d1…d(24·n1)` (Star Line "fine
  // density bit image"); tilltap's Star Line table has no ESC k, so the pixels come out as lines
  // of text (ÿ ð …) and there is no image.
  it('its QR code decodes as an image, not as text', () => {
    expect(hex(qrBytes)).toContain('1b 6b 0f 00 ff ff ff f0');
    const r = decodeBuffer(qrBytes, { profile: 'star-line' });
    expect(r.receipts[0]!.images).toHaveLength(1);
    expect(r.receipts[0]!.lines.some((l) => /[ÿð]{8}/.test(l.text))).toBe(false);
  });
});
