/**
 * Round trip through node-thermal-printer (v4.6, CommonJS): receipts built with its API — only
 * `getBuffer()`, the `tcp://127.0.0.1:1` interface is never connected — decode back to what went in.
 *
 * What node-thermal-printer does that matters here (read from lib/core.js, lib/types/epson*.js):
 * - alignment is `ESC a n`, sizes are `ESC ! n` (double height/width/quad) and `GS ! n`;
 * - text is encoded character by character: with the current character set's iconv table, and
 *   when that cannot encode a character, with the first of its other tables that can, sending that
 *   table's `ESC t n` first (so one line can switch code pages several times);
 * - `setTextSize(height, width)` puts its first argument in the high nibble of `GS ! n`, which
 *   Epson defines as the *width*; the decoder reports what the printer does;
 * - `cut()` / `partialCut()` send `ESC d 4` twice, `GS V 0|1`, then `ESC @`;
 * - `code128()` sends `GS k 73 n {B…`; `printQR()` the Epson `GS ( k` sequence; `openCashDrawer()`
 *   sends two 3-byte `ESC p m` (the command takes 5 bytes).
 */
import { createRequire } from 'node:module';
import ntp from 'node-thermal-printer';
import { describe, expect, it } from 'vitest';
import type { ProfileChoice } from '../../src/escpos/profiles.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { type ExpectedItem, type ExpectedReceipt, expectReceipts, printed } from './encoders-common.js';

const { printer: ThermalPrinter, types: PrinterTypes, CharacterSet } = ntp as unknown as {
  printer: new (config: Record<string, unknown>) => Printer;
  types: Record<'EPSON' | 'STAR', string>;
  CharacterSet: Record<string, string>;
};

/** The part of node-thermal-printer's API these tests use. */
interface Printer {
  println(text: string): void;
  print(text: string): void;
  newLine(): void;
  bold(on: boolean): void;
  underline(on: boolean): void;
  underlineThick(on: boolean): void;
  invert(on: boolean): void;
  alignLeft(): void;
  alignCenter(): void;
  alignRight(): void;
  setTextNormal(): void;
  setTextDoubleHeight(): void;
  setTextDoubleWidth(): void;
  setTextQuadArea(): void;
  setTextSize(height: number, width: number): void;
  setTypeFontA(): void;
  setTypeFontB(): void;
  setLineSpacing(n: number): void;
  resetLineSpacing(): void;
  leftRight(left: string, right: string): void;
  table(cells: string[]): void;
  tableCustom(cells: Record<string, unknown>[]): void;
  drawLine(character?: string): void;
  code128(data: string, settings?: Record<string, unknown>): void;
  printBarcode(data: string, type: number, settings?: Record<string, unknown>): void;
  printQR(data: string, settings?: Record<string, unknown>): void;
  pdf417(data: string, settings?: Record<string, unknown>): void;
  maxiCode(data: string, settings?: Record<string, unknown>): void;
  printImageBuffer(png: Buffer): Promise<Buffer>;
  openCashDrawer(): void;
  beep(n?: number, t?: number): void;
  getStatus(): Promise<void>;
  cut(): void;
  partialCut(): void;
  getBuffer(): Buffer;
  getWidth(): number;
}

const WIDTH = 42;

function printer(type: string, characterSet?: string): Printer {
  return new ThermalPrinter({ type, interface: 'tcp://127.0.0.1:1', width: WIDTH, characterSet });
}

const line = (text: string, style: Omit<Extract<ExpectedItem, { kind: 'line' }>, 'kind' | 'text'> = {}): ExpectedItem => ({
  kind: 'line',
  text,
  ...style,
});

/** A receipt that uses every formatting and symbol call node-thermal-printer has for Epson. */
function epsonReceipt(): { bytes: Uint8Array; expected: ExpectedReceipt[] } {
  const p = printer(PrinterTypes.EPSON, CharacterSet.PC852_LATIN2);
  const items: ExpectedItem[] = [];
  p.alignCenter();
  p.setTextQuadArea();
  p.bold(true);
  p.println('TILLTAP');
  items.push(line('TILLTAP', { bold: true, width: 2, height: 2, align: 'center' }));
  p.bold(false);
  p.setTextNormal();
  p.println('Market street 1');
  items.push(line('Market street 1', { align: 'center' }));
  p.alignLeft();
  p.println('Zażółć gęślą jaźń');
  items.push(line('Zażółć gęślą jaźń'));
  p.setTextDoubleHeight();
  p.println('Tall');
  items.push(line('Tall', { height: 2 }));
  p.setTextDoubleWidth();
  p.println('Wide');
  items.push(line('Wide', { width: 2 }));
  p.setTextNormal();
  p.setTextSize(2, 1); // GS ! 0x21: high nibble 2 → width 3, low nibble 1 → height 2
  p.println('Size');
  items.push(line('Size', { width: 3, height: 2 }));
  p.setTextSize(0, 0);
  p.underline(true);
  p.println('Underlined');
  items.push(line('Underlined', { underline: 1 }));
  p.underline(false);
  p.underlineThick(true);
  p.println('Thick underline');
  items.push(line('Thick underline', { underline: 2 }));
  p.underline(false);
  p.invert(true);
  p.println('Inverted');
  items.push(line('Inverted', { invert: true }));
  p.invert(false);
  p.setLineSpacing(40);
  p.leftRight('Coffee', '3.50');
  items.push(line(`Coffee${' '.repeat(WIDTH - 10)}3.50`));
  p.resetLineSpacing();
  p.table(['One', 'Two', 'Three']);
  items.push(line(['One', 'Two', 'Three'].map((c) => c.padEnd(WIDTH / 3)).join('')));
  p.drawLine();
  items.push(line('-'.repeat(WIDTH)));
  p.alignRight();
  p.println('Total 12.50');
  items.push(line('Total 12.50', { align: 'right' }));
  p.alignLeft();
  // Three scripts in one line: node-thermal-printer switches ESC t 17 (cp866), 14 (cp737) and
  // 13 (cp857) between the words.
  p.println('Борщ Καλημέρα Şişli');
  items.push(line('Борщ Καλημέρα Şişli'));
  p.newLine();
  p.code128('Tilltap-128');
  items.push({ kind: 'barcode', symbology: 'code128', data: 'Tilltap-128' });
  const barcodes: [string, number, ExpectedItem & { kind: 'barcode' }][] = [
    ['042100005264', 65, { kind: 'barcode', symbology: 'upca', data: '042100005264' }],
    ['4006381333931', 67, { kind: 'barcode', symbology: 'ean13', data: '4006381333931' }],
    ['96385074', 68, { kind: 'barcode', symbology: 'ean8', data: '96385074' }],
    ['TILL-42', 69, { kind: 'barcode', symbology: 'code39', data: 'TILL-42' }],
    ['1234567890', 70, { kind: 'barcode', symbology: 'itf', data: '1234567890' }],
    ['A40156B', 71, { kind: 'barcode', symbology: 'codabar', data: 'A40156B' }],
    ['CODE-93', 72, { kind: 'barcode', symbology: 'code93', data: 'CODE-93' }],
  ];
  for (const [data, type, want] of barcodes) {
    p.printBarcode(data, type, { hriPos: 2, height: 60 });
    items.push(want);
  }
  p.printQR('https://tilltap.example/q/1', { cellSize: 6, correction: 'Q', model: 2 });
  items.push({ kind: 'barcode', symbology: 'qr', data: 'https://tilltap.example/q/1' });
  p.pdf417('TILLTAP PDF417');
  items.push({ kind: 'barcode', symbology: 'pdf417', data: 'TILLTAP PDF417' });
  p.maxiCode('TILLTAP MAXI');
  items.push({ kind: 'barcode', symbology: 'maxicode', data: 'TILLTAP MAXI' });
  p.setTypeFontB();
  p.println('Font B line');
  items.push(line('Font B line'));
  p.setTypeFontA();
  p.beep();
  p.openCashDrawer();
  p.println('After the drawer kick');
  items.push(line('After the drawer kick'));
  void p.getStatus();
  p.cut();
  const first: ExpectedReceipt = { items, cut: 'full' };

  p.println('Second receipt');
  p.partialCut();
  const second: ExpectedReceipt = { items: [line('Second receipt')], cut: 'partial' };
  return { bytes: p.getBuffer(), expected: [first, second] };
}

describe('node-thermal-printer (EPSON) → tilltap', () => {
  const { bytes, expected } = epsonReceipt();

  for (const profile of ['epson', 'auto'] as ProfileChoice[]) {
    it(`text, styles, alignment, code pages, barcodes, 2-D codes and cuts decode exactly with profile ${profile}`, () => {
      const r = decodeBuffer(bytes, { profile });
      expectReceipts(r.receipts, expected, profile);
      // Font B, and the status request getStatus() sends (GS r 1).
      const fontB = r.receipts[0]!.lines.find((l) => l.text === 'Font B line');
      expect(fontB?.font).toBe('B');
      expect(r.status.map((s) => s.query)).toEqual(['GS r 1']);
      expect(r.warnings).toEqual([]);
    });
  }

  it('tableCustom: columns, alignment and a bold cell decode as one line with spans', () => {
    const p = printer(PrinterTypes.EPSON);
    p.tableCustom([
      { text: 'Left', align: 'LEFT', width: 0.5 },
      { text: 'Center', align: 'CENTER', width: 0.25, bold: true },
      { text: 'Right', align: 'RIGHT', cols: 8 },
    ]);
    const r = decodeBuffer(p.getBuffer(), { profile: 'epson' });
    const l = r.receipts[0]!.lines[0]!;
    // 21 columns for "Left", 10.5 for "Center" (3 spaces before, 2 after, as its loops count), 8 for "Right".
    expect(l.text).toBe(`${'Left'.padEnd(21)}   Center  ${'Right'.padStart(8)}`);
    expect(l.spans?.find((s) => s.bold)?.text.trim()).toBe('Center');
    expect(l.bold).toBe(false);
  });

  it('printImageBuffer: the GS v 0 raster comes back pixel for pixel', async () => {
    const { PNG } = createRequire(createRequire(import.meta.url).resolve('node-thermal-printer'))('pngjs') as {
      PNG: { sync: { write(png: unknown): Buffer } } & (new (o: { width: number; height: number }) => { data: Buffer });
    };
    const width = 20;
    const height = 12;
    const png = new PNG({ width, height });
    const black = (x: number, y: number): boolean => (x + y) % 3 === 0 || x === y;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const v = black(x, y) ? 0 : 255;
        png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
        png.data[i + 3] = 255;
      }
    }
    const p = printer(PrinterTypes.EPSON);
    p.println('Logo below');
    await p.printImageBuffer(PNG.sync.write(png));
    p.cut();
    const r = decodeBuffer(p.getBuffer(), { profile: 'epson' });
    expect(r.receipts).toHaveLength(1);
    const img = r.receipts[0]!.images[0]!;
    expect(img.source).toBe('raster');
    expect(img.width).toBe(24); // padded to whole bytes
    expect(img.height).toBe(height);
    const data = img.bitmap!.data;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bit = (data[y * 3 + (x >> 3)]! >> (7 - (x & 7))) & 1;
        expect(bit, `pixel ${x},${y}`).toBe(black(x, y) ? 1 : 0);
      }
    }
  });
});

/** A sample each character set can print, in its own script. */
const CHARSET_SAMPLES: Record<string, string> = {
  PC437_USA: 'Café, naïve, Ångström',
  PC850_MULTILINGUAL: 'Crème brûlée, Ærø',
  PC860_PORTUGUESE: 'Pão de açúcar, São João',
  PC863_CANADIAN_FRENCH: 'Crème, où, déjà, Noël',
  PC865_NORDIC: 'Smørrebrød, blåbær',
  PC851_GREEK: 'Καλημέρα', // node-thermal-printer encodes PC851 with CP860, so it falls back to PC737
  PC857_TURKISH: 'Şişli, Çağdaş, ılık',
  PC737_GREEK: 'Καλημέρα, ευχαριστώ',
  ISO8859_7_GREEK: 'Καλημέρα, ευχαριστώ',
  WPC1252: 'Größe: 12 € – Übermaß',
  PC866_CYRILLIC2: 'Борщ, пельмени',
  PC852_LATIN2: 'Zażółć gęślą jaźń',
  SLOVENIA: 'Čevapčiči, žlica',
  PC858_EURO: 'Crème 3,50 €',
  WPC775_BALTIC_RIM: 'Ąžuolas, ūkis',
  PC855_CYRILLIC: 'Борщ, пельмени',
  PC861_ICELANDIC: 'Þórður, ðé',
  PC862_HEBREW: 'שלום, תודה',
  PC864_ARABIC: 'شكرا', // iconv's CP864 has presentation forms only: falls back to WPC1256
  PC869_GREEK: 'Καλημέρα',
  ISO8859_2_LATIN2: 'Zażółć gęślą jaźń',
  ISO8859_15_LATIN9: 'Œuvre 3,50 €',
  PC1125_UKRANIAN: 'Їжак, ґанок',
  WPC1250_LATIN2: 'Příliš žluťoučký kůň',
  WPC1251_CYRILLIC: 'Борщ, пельмени',
  WPC1253_GREEK: 'Καλημέρα',
  WPC1254_TURKISH: 'Şişli, Çağdaş',
  WPC1255_HEBREW: 'שלום, תודה',
  WPC1256_ARABIC: 'شكرا لكم',
  WPC1257_BALTIC_RIM: 'Rīga, ķēķis',
  WPC1258_VIETNAMESE: 'Cà phê đá, bơ', // precomposed letters windows-1258 has
  KZ1048_KAZAKHSTAN: 'Қазақстан, өнім',
};

describe('node-thermal-printer (EPSON) character sets → tilltap', () => {
  // Left out: JAPAN, KOREA, CHINA, HK_TW send ESC R n (an international character set) and then
  // EUC / Big5 bytes without FS &, which no printer prints as CJK; TCVN_VIETNAMESE and VISCII send
  // ESC t 52 (windows-1258 on Epson) and encode in another table; the PC1118/PC1119, PC720, PC853
  // sets have no iconv table in node-thermal-printer.
  it('covers every character set that has a sample', () => {
    expect(Object.keys(CHARSET_SAMPLES).every((k) => k in CharacterSet)).toBe(true);
  });

  for (const [set, text] of Object.entries(CHARSET_SAMPLES)) {
    it(`${set}: "${text}" decodes exactly with profiles epson and auto`, () => {
      const p = printer(PrinterTypes.EPSON, CharacterSet[set]);
      p.println(text);
      p.bold(true);
      p.println(text);
      p.bold(false);
      p.cut();
      const bytes = p.getBuffer();
      for (const profile of ['epson', 'auto'] as ProfileChoice[]) {
        const r = decodeBuffer(bytes, { profile });
        expectReceipts(r.receipts, [{ items: [line(text), line(text, { bold: true })], cut: 'full' }], `${set} ${profile}`);
      }
    });
  }
});

describe('node-thermal-printer (STAR, Star Line mode) → tilltap', () => {
  function starReceipt(): Printer {
    const p = printer(PrinterTypes.STAR, CharacterSet.PC852_LATIN2);
    p.alignCenter();
    p.setTextQuadArea();
    p.bold(true);
    p.println('TILLTAP');
    p.bold(false);
    p.setTextNormal();
    p.alignLeft();
    p.println('Zażółć gęślą jaźń');
    p.setTextDoubleHeight();
    p.println('Tall');
    p.setTextDoubleWidth();
    p.println('Wide');
    p.setTextNormal();
    p.underline(true);
    p.println('Underlined');
    p.underline(false);
    p.invert(true);
    p.println('Inverted');
    p.invert(false);
    p.leftRight('Coffee', '3.50');
    p.alignRight();
    p.println('Total 12.50');
    p.alignLeft();
    p.code128('Tilltap-128');
    p.cut();
    return p;
  }

  for (const profile of ['star-line', 'auto'] as ProfileChoice[]) {
    it(`text, styles, alignment, code page, Code 128 and cut decode exactly with profile ${profile}`, () => {
      const r = decodeBuffer(starReceipt().getBuffer(), { profile });
      expectReceipts(
        r.receipts,
        [
          {
            items: [
              line('TILLTAP', { bold: true, width: 2, height: 2, align: 'center' }),
              line('Zażółć gęślą jaźń'),
              line('Tall', { height: 2 }),
              line('Wide', { width: 2 }),
              line('Underlined', { underline: 1 }),
              line('Inverted', { invert: true }),
              line(`Coffee${' '.repeat(WIDTH - 10)}3.50`),
              line('Total 12.50', { align: 'right' }),
              { kind: 'barcode', symbology: 'code128', data: 'Tilltap-128' },
            ],
            cut: 'full',
          },
        ],
        profile,
      );
    });
  }

  it("printQR: node-thermal-printer's Star QR lacks the ESC GS y D header, so the data prints as text", () => {
    // Its star.js appends model, correction and cell size, then nL nH data LF ESC GS y P: the
    // `ESC GS y D 1 0` that should precede nL nH is never sent. A printer prints the URL as text,
    // and that is what tilltap reports.
    const p = printer(PrinterTypes.STAR);
    p.printQR('https://tilltap.example/q/1');
    p.cut();
    const bytes = p.getBuffer();
    expect(Buffer.from(bytes).includes(Buffer.from([0x1b, 0x1d, 0x79, 0x44]))).toBe(false);
    const r = decodeBuffer(bytes, { profile: 'star-line' });
    expect(printed(r.receipts[0]!).filter((i) => i.kind === 'barcode')).toEqual([]);
    expect(r.receipts[0]!.lines.map((l) => l.text.trim())).toContain('https://tilltap.example/q/1');
  });
});
