/**
 * Round trip through @point-of-sale/receipt-printer-encoder (v4): receipts encoded for many printer
 * models, in every code page the model's vendor maps, decode back to exactly what went in — with
 * the matching tilltap profile — and `auto` is measured against the same receipts.
 *
 * What the encoder does that matters here (read from its source, dist/receipt-printer-encoder.mjs):
 * - alignment of text is done with space padding computed from the column count, not `ESC a`
 *   (`LineComposer.fetch`): a centred line arrives as spaces + text, so the decoded line is
 *   `align: 'left'` with the padding in its text, and that is what we expect;
 * - code pages are chosen with `ESC t n` (ESC/POS) or `ESC GS t n` (Star) by the vendor's
 *   `codepageMapping`; `initialize()` sends `ESC @ FS . ESC M 0` (ESC/POS) or `ESC @ CAN` (Star);
 * - every line ends in `LF CR` (`LF` on the HP A779); barcodes and QR codes are followed by a
 *   line feed (a blank line on paper, which the comparison leaves out).
 */
import CodepageEncoder, { type Codepage } from '@point-of-sale/codepage-encoder';
import ReceiptPrinterEncoder, {
  type BarcodeSymbology,
  type ReceiptPrinterEncoderOptions,
} from '@point-of-sale/receipt-printer-encoder';
import { describe, expect, it } from 'vitest';
import type { Symbology } from '../../src/escpos/events.js';
import { getProfile, type ProfileName } from '../../src/escpos/profiles.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import {
  type ComparableItem,
  concat,
  decodedLines,
  expectedLines,
  type ExpectedItem,
  type ExpectedReceipt,
  expectReceipts,
  full,
  hex,
  lineAccuracy,
  pct,
  printed,
  printTable,
} from './encoders-common.js';

type PrinterModel = NonNullable<ReceiptPrinterEncoderOptions['printerModel']>;

interface ModelCase {
  /** Row label. */
  readonly label: string;
  readonly options: ReceiptPrinterEncoderOptions;
  /** The tilltap profile for this printer. */
  readonly profile: ProfileName;
}

const model = (id: PrinterModel, profile: ProfileName): ModelCase => ({ label: id, options: { printerModel: id }, profile });

const MODELS: readonly ModelCase[] = [
  model('epson-tm-t88vi', 'epson'),
  model('epson-tm-t20iii', 'epson'),
  model('epson-tm-m30iii', 'epson'),
  model('epson-tm-t88iv', 'epson'), // epson/legacy code page map
  model('bixolon-srp350iii', 'bixolon'),
  model('bixolon-srp350', 'bixolon'), // bixolon/legacy
  model('citizen-ct-s310ii', 'citizen'),
  model('hp-a779', 'hp'),
  model('pos-5890', 'pos-5890'),
  model('sunmi-p3mix', 'sunmi'),
  model('sunmi-p2se', 'sunmi'),
  model('xprinter-xp-n160ii', 'xprinter'),
  model('xprinter-xp-t80q', 'xprinter'),
  // Star printers in ESC/POS emulation: the encoder has no such model, but language + mapping.
  { label: 'star (esc-pos emulation)', options: { language: 'esc-pos', codepageMapping: 'star', columns: 48 }, profile: 'star' },
  model('star-tsp650ii', 'star-line'),
  model('star-tsp650', 'star-line'),
];

/**
 * Receipt text in many scripts, the most specific first: each code page prints the first sample
 * it can encode without loss, plus the French one when it can (accented Latin is on most receipts).
 */
const SAMPLES: readonly { readonly lang: string; readonly text: string; readonly word: string }[] = [
  { lang: 'he', text: 'שלום, תודה רבה', word: 'תודה' },
  { lang: 'ar', text: 'شكرا لكم، المجموع', word: 'شكرا' },
  { lang: 'ar-forms', text: 'ﺷﻛﺭﺍ ١٢٣', word: 'ﺷﻛﺭﺍ' }, // cp864 has presentation forms only
  { lang: 'fa', text: 'دفتر و قلم', word: 'قلم' }, // cp1098 has few isolated forms
  { lang: 'th', text: 'ขอบคุณครับ ราคา', word: 'ขอบคุณ' },
  { lang: 'th-42', text: 'ขอบคุณ ราคา', word: 'ราคา' }, // thai42 has no mai han-akat
  { lang: 'km', text: 'ដប ទឹក ការ ទិញ', word: 'ទឹក' },
  { lang: 'vi', text: 'Cảm ơn quý khách', word: 'Cảm ơn' },
  { lang: 'vi-caps', text: 'CẢM ƠN QUÝ KHÁCH', word: 'CẢM ƠN' }, // tcvn3capitals
  { lang: 'el', text: 'Καλημέρα, ευχαριστώ', word: 'Καφές' },
  { lang: 'el-caps', text: 'ΚΑΛΗΜΕΡΑ ΚΑΦΕΣ', word: 'ΚΑΦΕΣ' },
  { lang: 'kk', text: 'Қазақстан, өнім', word: 'Қазақ' },
  { lang: 'uk', text: 'Їжак, ґанок, Євген', word: 'Їжак' },
  { lang: 'ru', text: 'Борщ, пельмени, квас', word: 'Борщ' },
  { lang: 'mt', text: 'Għawdex, ħobż, żejt', word: 'ħobż' },
  { lang: 'tr', text: 'Şişli, Çağdaş, ılık su', word: 'Şişli' },
  { lang: 'lv', text: 'Rīga, ķēķis, ģimene', word: 'Rīga' },
  { lang: 'lt', text: 'Ąžuolas, ūkis, čiuožti', word: 'ūkis' },
  { lang: 'pl', text: 'Zażółć gęślą jaźń', word: 'gęślą' },
  { lang: 'cs', text: 'Příliš žluťoučký kůň', word: 'kůň' },
  { lang: 'hu', text: 'Árvíztűrő tükörfúrógép', word: 'tűrő' },
  { lang: 'is', text: 'Þórður á Íslandi, ðé', word: 'Þórður' },
  { lang: 'pt', text: 'Pão de açúcar, São João', word: 'Pão' },
  { lang: 'da', text: 'Smørrebrød, blåbær, Æble', word: 'blåbær' },
  { lang: 'de', text: 'Größe: Äpfel, Öl, Übermaß', word: 'Größe' },
  { lang: 'eur', text: 'Café crème 3,50 €', word: '12 €' },
  { lang: 'fr', text: 'Crème brûlée, café à emporter', word: 'Crème' },
  { lang: 'ja', text: 'ｱﾘｶﾞﾄｳ ｺﾞｻﾞｲﾏｼﾀ', word: 'ｱﾘｶﾞﾄｳ' },
];

/**
 * Whether `cp` can print `text` without loss, and it has something beyond ASCII to show. (Some
 * pages put letters in the lower half: cp3041 has the Maltese ġ ż ħ ċ where ASCII has [ \ ] and `.)
 */
function encodable(text: string, cp: Codepage): boolean {
  const points = CodepageEncoder.getEncoding(cp).codepoints;
  let nonAscii = false;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const at = points.indexOf(c);
    if (at < 0) return false;
    if (c < 0x80 && at !== c) return false;
    if (c >= 0x80) nonAscii = true;
  }
  return nonAscii;
}

/** The samples a code page prints: its most specific one and French, when it has them. */
function samplesFor(cp: Codepage): (typeof SAMPLES)[number][] {
  const ok = SAMPLES.filter((s) => encodable(s.text, cp) && encodable(s.word, cp));
  const first = ok[0];
  if (!first) return [];
  const fr = ok.find((s) => s.lang === 'fr');
  return fr && fr !== first ? [first, fr] : [first];
}

/** Barcode payloads; what tilltap should report is the payload as printed. */
const BARCODES: Record<string, { data: string; symbology: Symbology; decoded?: string }> = {
  ean13: { data: '4006381333931', symbology: 'ean13' },
  ean8: { data: '96385074', symbology: 'ean8' },
  upca: { data: '042100005264', symbology: 'upca' },
  upce: { data: '01234565', symbology: 'upce' },
  code39: { data: 'TILL-42', symbology: 'code39' },
  itf: { data: '1234567890', symbology: 'itf' },
  codabar: { data: 'A40156B', symbology: 'codabar' },
  code93: { data: 'CODE-93', symbology: 'code93' },
  code128: { data: 'Tilltap-128', symbology: 'code128' },
  'code128-auto': { data: 'AUTO128x', symbology: 'code128' },
  // The encoder strips the parentheses of GS1 element strings (for ESC/POS only).
  'gs1-128': { data: '(01)04012345123456', symbology: 'gs1-128', decoded: '0104012345123456' },
  'gs1-databar-omni': { data: '0104012345123456', symbology: 'gs1-databar' },
  'gs1-databar-truncated': { data: '0104012345123456', symbology: 'gs1-databar' },
  'gs1-databar-limited': { data: '0104012345123456', symbology: 'gs1-databar' },
  'gs1-databar-expanded': { data: '0104012345123456', symbology: 'gs1-databar' },
};

interface Built {
  readonly bytes: Uint8Array;
  readonly expected: ExpectedReceipt;
  readonly codepage: string;
}

interface Capabilities {
  readonly barcodes: { readonly symbologies: readonly string[] };
  readonly qrcode: { readonly supported: boolean };
}

/**
 * Known tilltap gaps, each pinned by an `it.fails` case under "known tilltap gaps" below. They are
 * left out of the matrix so that the matrix stays a strict check of everything else.
 */
const STAR_LINE_GS1 = new Set(['gs1-128', 'gs1-databar-omni', 'gs1-databar-truncated', 'gs1-databar-limited', 'gs1-databar-expanded']);
const SEVEN_BIT_PAGES = new Set(['cp3041']);

/**
 * One receipt in code page `cp`; null when the encoder or the code page cannot print it. The
 * barcodes rotate through `symbologyList` (default: what the model supports, known gaps aside).
 */
function buildReceipt(m: ModelCase, cp: Codepage, index: number, symbologyList?: readonly string[]): Built | null {
  const samples = samplesFor(cp);
  if (samples.length === 0) return null;
  const enc = new ReceiptPrinterEncoder(m.options);
  try {
    enc.codepage(cp);
  } catch {
    return null; // not in this encoder's map for the model
  }
  const cols = enc.columns;
  const caps = enc.printerCapabilities as Capabilities;
  const items: ExpectedItem[] = [];
  const line = (text: string, style: Omit<Extract<ExpectedItem, { kind: 'line' }>, 'kind' | 'text'> = {}): void => {
    items.push({ kind: 'line', text, ...style });
  };
  const center = (text: string, width = 1): string => ' '.repeat(Math.max(0, cols - text.length * width) >> 1) + text;
  const right = (text: string): string => ' '.repeat(Math.max(0, cols - text.length)) + text;

  enc.initialize().codepage(cp);
  enc.align('center').bold(true).size(2, 2).line('TILLTAP');
  line(center('TILLTAP', 2), { bold: true, width: 2, height: 2 });
  enc.size(1, 1).bold(false).align('left');
  enc.line(`Code page ${cp}`);
  line(`Code page ${cp}`);
  for (const s of samples) {
    enc.line(s.text);
    line(s.text);
  }
  const s0 = samples[0]!;
  enc.bold(true).line(s0.text).bold(false);
  line(s0.text, { bold: true });
  enc.underline(true).line(s0.text).underline(false);
  line(s0.text, { underline: 1 });
  enc.invert(true).line(s0.text).invert(false);
  line(s0.text, { invert: true });
  enc.size(1, 2).line(s0.text).size(1, 1);
  line(s0.text, { height: 2 });
  enc.size(2, 1).line(s0.word).size(1, 1);
  line(s0.word, { width: 2 });
  enc.align('center').line(s0.word).align('left');
  line(center(s0.word));
  enc.align('right').line('TOTAL 12.50').align('left');
  line(right('TOTAL 12.50'));

  // Two barcodes, rotating through what the model supports, then a QR code where it has them.
  const symbologies =
    symbologyList ?? caps.barcodes.symbologies.filter((s) => s in BARCODES && !(enc.language === 'star-line' && STAR_LINE_GS1.has(s)));
  for (const k of [0, 1]) {
    const name = symbologies[(2 * index + k) % symbologies.length]!;
    const b = BARCODES[name]!;
    enc.barcode(b.data, name as BarcodeSymbology, { height: 60, text: 'below' });
    // The ESC/POS side of the encoder strips the parentheses of GS1 element strings; Star keeps them.
    items.push({ kind: 'barcode', symbology: b.symbology, data: enc.language === 'esc-pos' ? (b.decoded ?? b.data) : b.data });
  }
  if (caps.qrcode.supported) {
    const url = `https://tilltap.example/r/${m.label.replace(/[^a-z0-9-]/g, '')}/${index}?cp=${cp}`;
    enc.qrcode(url, { model: 2, size: 6, errorlevel: 'm' });
    items.push({ kind: 'barcode', symbology: 'qr', data: url });
  }
  enc.align('center').line('Thank you!');
  line(center('Thank you!'));
  const cut = index % 2 === 0 ? 'full' : 'partial';
  enc.cut(cut);
  return { bytes: enc.encode(), expected: { items, cut }, codepage: cp };
}

/** One receipt per code page of the profile's map that the encoder also has for the model. */
function buildModel(m: ModelCase): { built: Built[]; skipped: string[] } {
  const names = [...new Set(getProfile(m.profile).codepages.values())];
  const built: Built[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const r = CodepageEncoder.supports(name) && !SEVEN_BIT_PAGES.has(name) ? buildReceipt(m, name as Codepage, built.length) : null;
    if (r) built.push(r);
    else skipped.push(name);
  }
  return { built, skipped };
}

const MODEL_RECEIPTS = new Map(MODELS.map((m) => [m.label, buildModel(m)]));
const BUILT = new Map([...MODEL_RECEIPTS].map(([k, v]) => [k, v.built]));

describe('@point-of-sale/receipt-printer-encoder → tilltap, matching profile', () => {
  it('covers a useful set of code pages per model', () => {
    const rows = MODELS.map((m) => {
      const { built, skipped } = MODEL_RECEIPTS.get(m.label)!;
      return [m.label, m.profile, String(built.length), built.map((b) => b.codepage).join(' '), skipped.join(' ')];
    });
    printTable(
      'Code pages encoded per model (one receipt each); skipped: not in the encoder\'s map for the model, no sample text, or a known gap',
      ['model', 'profile', 'receipts', 'code pages', 'skipped'],
      rows,
    );
    for (const m of MODELS) expect(BUILT.get(m.label)!.length, m.label).toBeGreaterThanOrEqual(5);
  });

  for (const m of MODELS) {
    describe(m.label, () => {
      it.each(BUILT.get(m.label)!.map((b) => [b.codepage, b] as const))(`%s decodes exactly with profile ${m.profile}`, (_cp, b) => {
        const r = decodeBuffer(b.bytes, { profile: m.profile });
        expectReceipts(r.receipts, [b.expected], `${m.label} ${b.codepage}`);
        expect(r.warnings).toEqual([]);
      });

      it(`the whole stream of ${BUILT.get(m.label)!.length} receipts decodes exactly with profile ${m.profile}`, () => {
        const built = BUILT.get(m.label)!;
        const r = decodeBuffer(concat(built.map((b) => b.bytes)), { profile: m.profile });
        expectReceipts(
          r.receipts,
          built.map((b) => b.expected),
          m.label,
        );
      });
    });
  }
});

/**
 * Lines `auto` got wrong when this test was written, [whole stream, receipt by receipt], per model.
 * The misses are code pages that two vendors put at the same `ESC t n` and whose text scores alike
 * (see the table the test prints, and the report that came with this file).
 */
const AUTO_MEASURED: Record<string, readonly [number, number]> = {
  'epson-tm-t88vi': [0, 0],
  'epson-tm-t20iii': [0, 0],
  'epson-tm-m30iii': [0, 0],
  'epson-tm-t88iv': [0, 0],
  'bixolon-srp350iii': [5, 5], // khmer (ESC t 42) read as Epson's cp774
  'bixolon-srp350': [0, 0],
  'citizen-ct-s310ii': [0, 0],
  'hp-a779': [0, 8], // cp858 (ESC t 6) Icelandic read as Citizen's cp852
  'pos-5890': [0, 14], // cp862 (ESC t 8) read as Citizen's cp857; windows1257 (25) as Bixolon's windows1254
  'sunmi-p3mix': [0, 0],
  'sunmi-p2se': [0, 0],
  'xprinter-xp-n160ii': [0, 21], // xprinter/hebrew (8) → cp857, windows1255 (11) → HP's cp874, windows1257 (25)
  'xprinter-xp-t80q': [0, 21],
  'star (esc-pos emulation)': [7, 7], // thai14 (ESC t 23) read as Bixolon's thai42
  'star-tsp650ii': [0, 0],
  'star-tsp650': [0, 0],
};

describe('@point-of-sale/receipt-printer-encoder → tilltap, profile auto', () => {
  it('measures exact-line accuracy of auto against the matching profile', () => {
    const rows: string[][] = [];
    let autoExact = 0;
    let autoSingleExact = 0;
    let total = 0;
    const misses: string[][] = [];
    for (const m of MODELS) {
      const built = BUILT.get(m.label)!;
      const want = built.map((b) => b.expected);
      const stream = concat(built.map((b) => b.bytes));
      const fixed = lineAccuracy(decodeBuffer(stream, { profile: m.profile }).receipts, want);
      const autoReceipts = decodeBuffer(stream, { profile: 'auto' }).receipts;
      const auto = lineAccuracy(autoReceipts, want);
      // Whatever auto makes of the code pages, everything else — the dialect, styles, barcodes,
      // QR codes, cuts, receipt boundaries — must be exact.
      const shape = (items: ComparableItem[]): unknown[] => items.map((i) => (i.kind === 'line' ? { ...i, text: i.text.length } : i));
      expect(
        autoReceipts.map((r) => ({ items: shape(printed(r)), cut: r.cut })),
        `${m.label}: auto, all but the text`,
      ).toEqual(want.map((w) => ({ items: shape(w.items.map(full)), cut: w.cut })));
      // Each receipt on its own: auto has only that receipt's text to go on.
      let single = 0;
      for (const b of built) {
        const got = decodeBuffer(b.bytes, { profile: 'auto' }).receipts;
        single += lineAccuracy(got, [b.expected]).exact;
        const g = decodedLines(got);
        const w = expectedLines([b.expected]);
        const bad = w.flatMap((t, i) => (g[i] === t ? [] : [`${JSON.stringify(t.trim())} → ${JSON.stringify(g[i]?.trim())}`]));
        if (bad.length > 0) misses.push([m.label, b.codepage, String(bad.length), bad[0]!]);
      }
      rows.push([
        m.label,
        m.profile,
        String(fixed.total),
        pct(fixed.exact, fixed.total),
        pct(auto.exact, auto.total),
        pct(single, auto.total),
      ]);
      autoExact += auto.exact;
      autoSingleExact += single;
      total += auto.total;
      expect(fixed.exact, m.label).toBe(fixed.total);
      // Auto is a heuristic: hold it to what it achieved when this test was written.
      const [streamFloor, singleFloor] = AUTO_MEASURED[m.label] ?? [0, 0];
      expect(fixed.total - auto.exact, `${m.label}: lines auto gets wrong in the stream`).toBeLessThanOrEqual(streamFloor);
      expect(fixed.total - single, `${m.label}: lines auto gets wrong receipt by receipt`).toBeLessThanOrEqual(singleFloor);
    }
    rows.push(['ALL', '', String(total), '100.0%', pct(autoExact, total), pct(autoSingleExact, total)]);
    printTable(
      'Exact-line accuracy, receipt-printer-encoder output',
      ['model', 'profile', 'lines', 'profile', 'auto (stream)', 'auto (per receipt)'],
      rows,
    );
    printTable('Receipts that auto gets wrong when decoded on their own', ['model', 'code page', 'lines wrong', 'first'], misses);
  });
});

/** A 16 × 30 test picture: black where (x + y) % 3 === 0. */
const PIC = { width: 16, height: 30 };
const picBlack = (x: number, y: number): boolean => x < PIC.width && y < PIC.height && (x + y) % 3 === 0;
function picture(): { width: number; height: number; data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(PIC.width * PIC.height * 4);
  for (let y = 0; y < PIC.height; y++) {
    for (let x = 0; x < PIC.width; x++) {
      const i = (y * PIC.width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = picBlack(x, y) ? 0 : 255;
      data[i + 3] = 255;
    }
  }
  return { ...PIC, data };
}

function encodeWithPicture(options: ReceiptPrinterEncoderOptions): Uint8Array {
  const enc = new ReceiptPrinterEncoder(options);
  return enc
    .initialize()
    .line('Above')
    .image(picture() as never, PIC.width, PIC.height, 'threshold')
    .line('Below')
    .cut()
    .encode();
}

describe('@point-of-sale/receipt-printer-encoder → tilltap, images', () => {
  // ESC/POS: `ESC *` 24-dot column bands (imageMode column, the default) or `GS v 0` (raster). The
  // encoder pads the picture to 24 (column) or 8 (raster) rows.
  for (const mode of ['column', 'raster'] as const) {
    it(`esc-pos ${mode}: one image, pixel for pixel, between the two lines`, () => {
      const r = decodeBuffer(encodeWithPicture({ printerModel: 'epson-tm-t88vi', imageMode: mode }), { profile: 'epson' });
      expect(r.receipts).toHaveLength(1);
      const receipt = r.receipts[0]!;
      expect(printed(receipt).map((i) => (i.kind === 'line' ? i.text : i.kind))).toEqual(['Above', 'Below']);
      expect(receipt.items.map((i) => i.kind).filter((k) => k !== 'line')).toEqual(['image']);
      const img = receipt.images[0]!;
      expect(img.source).toBe(mode);
      expect(img.width).toBe(PIC.width);
      expect(img.height).toBe(mode === 'column' ? 48 : 32);
      const data = img.bitmap!.data;
      for (let y = 0; y < img.height; y++) {
        for (let x = 0; x < img.width; x++) {
          const bit =
            mode === 'raster'
              ? (data[y * (img.width / 8) + (x >> 3)]! >> (7 - (x & 7))) & 1
              : (data[Math.floor(y / 24) * img.width * 3 + x * 3 + ((y % 24) >> 3)]! >> (7 - (y & 7))) & 1;
          expect(bit, `${mode} pixel ${x},${y}`).toBe(picBlack(x, y) ? 1 : 0);
        }
      }
    });
  }
});

describe('@point-of-sale/receipt-printer-encoder → tilltap, known tilltap gaps', () => {
  // Star Line mode `ESC b n1 …`: n1 9 is GS1-128, 10–13 GS1 DataBar (Omnidirectional, Truncated,
  // Limited, Expanded), after 0–8 UPC-E … NW-7. The encoder sends them for the TSP650II, whose
  // definition lists them; tilltap's Star symbology table stops at 8 and drops the barcode.
  it('star-line: GS1-128 and GS1 DataBar barcodes (ESC b n1 = 9…13) are reported', () => {
    const m = MODELS.find((x) => x.label === 'star-tsp650ii')!;
    const b = buildReceipt(m, 'cp437', 0, ['gs1-128', 'gs1-databar-omni'])!;
    const h = hex(b.bytes);
    expect(h).toContain('1b 62 09 02 02 3c 28 30 31 29 30 34 30 31 32 33 34 35 31 32 33 34 35 36 1e'); // (01)0401…
    expect(h).toContain('1b 62 0a 02 02 3c 30 31 30 34 30 31 32 33 34 35 31 32 33 34 35 36 1e');
    expectReceipts(decodeBuffer(b.bytes, { profile: 'star-line' }).receipts, [b.expected]);
  });

  // Star Line `ESC X n1 n2 d1…d(3·n)` (fine density bit image, 24-pin compatible): the encoder's
  // images for Star. tilltap's Star Line table has no ESC X, so the bands print as text.
  it('star-line: an ESC X bit image decodes as an image, not as text', () => {
    const bytes = encodeWithPicture({ printerModel: 'star-tsp650ii' });
    expect(hex(bytes)).toContain('1b 58 10 00');
    const r = decodeBuffer(bytes, { profile: 'star-line' });
    expect(printed(r.receipts[0]!).map((i) => (i.kind === 'line' ? i.text : i.kind))).toEqual(['Above', 'Below']);
    expect(r.receipts[0]!.images).toHaveLength(1);
  });

  // cp3041 is Maltese ISO 646: a 7-bit page whose ġ ż ħ ċ Ġ Ż Ħ Ċ sit where ASCII has [ \ ] ` { | } ~.
  // config/codepages.json only holds upper halves, so tilltap prints ASCII there.
  for (const label of ['pos-5890', 'star-tsp650ii']) {
    it(`${label}: cp3041 (Maltese, letters in the lower half) decodes`, () => {
      const m = MODELS.find((x) => x.label === label)!;
      const b = buildReceipt(m, 'cp3041', 0)!;
      expectReceipts(decodeBuffer(b.bytes, { profile: m.profile }).receipts, [b.expected]);
    });
  }
});
