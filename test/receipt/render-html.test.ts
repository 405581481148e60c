import { describe, it, expect } from 'vitest';
import { crc32, inflateSync } from 'node:zlib';
import type { PrintedImage, PrintedLine, Span, TextStyle } from '../../src/escpos/events.js';
import type { Receipt, ReceiptItem } from '../../src/receipt/receipt.js';
import { bitmapToPng, renderHtml } from '../../src/receipt/render/html.js';

const PLAIN: TextStyle = { bold: false, underline: 0, invert: false, width: 1, height: 1, font: 'A' };

function line(text: string, extra: Partial<PrintedLine> = {}): PrintedLine {
  return { ...PLAIN, text, align: 'left', ...extra };
}

function span(text: string, extra: Partial<Span> = {}): Span {
  return { ...PLAIN, text, ...extra };
}

function receipt(items: ReceiptItem[], extra: Partial<Receipt> = {}): Receipt {
  const lines = items.flatMap((i) => (i.kind === 'line' ? [i.line] : []));
  return {
    seq: 0,
    text: lines.map((l) => `${l.text}\n`).join(''),
    lines,
    barcodes: items.flatMap((i) => (i.kind === 'barcode' ? [i.barcode] : [])),
    images: items.flatMap((i) => (i.kind === 'image' ? [i.image] : [])),
    cut: 'partial',
    bytes: { start: 0, end: 100 },
    fields: {},
    warnings: [],
    items,
    ...extra,
  };
}

interface Decoded {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** True when the pixel is black. */
  black(x: number, y: number): boolean;
}

/** A minimal PNG reader for 1-bit grayscale, filter type 0 rows; checks every chunk CRC. */
function decodePng(png: Buffer): Decoded {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let ihdr: Buffer | null = null;
  const idat: Buffer[] = [];
  let sawEnd = false;
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    if (type === 'IHDR') ihdr = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') sawEnd = true;
    at += 12 + len;
  }
  expect(sawEnd).toBe(true);
  expect(ihdr).not.toBeNull();
  const width = ihdr!.readUInt32BE(0);
  const height = ihdr!.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = Math.ceil(width / 8) + 1;
  expect(raw.length).toBe(stride * height);
  for (let y = 0; y < height; y++) expect(raw[y * stride]).toBe(0);
  return {
    width,
    height,
    bitDepth: ihdr![8]!,
    colorType: ihdr![9]!,
    black: (x, y) => (raw[y * stride + 1 + (x >> 3)]! & (0x80 >> (x & 7))) === 0,
  };
}

function blackPixels(d: Decoded): string[] {
  const out: string[] = [];
  for (let y = 0; y < d.height; y++) for (let x = 0; x < d.width; x++) if (d.black(x, y)) out.push(`${x},${y}`);
  return out;
}

describe('bitmapToPng', () => {
  it('encodes a raster bitmap as 1-bit grayscale with black dots black', () => {
    const image: PrintedImage = {
      width: 16,
      height: 3,
      source: 'raster',
      bitmap: { layout: 'raster', data: Uint8Array.from([0x80, 0x01, 0x00, 0x00, 0xff, 0x00]) },
    };
    const d = decodePng(bitmapToPng(image)!);
    expect([d.width, d.height, d.bitDepth, d.colorType]).toEqual([16, 3, 1, 0]);
    expect(d.black(0, 0)).toBe(true);
    expect(d.black(1, 0)).toBe(false);
    expect(d.black(15, 0)).toBe(true);
    expect(d.black(8, 2)).toBe(false);
    expect(blackPixels(d)).toEqual(['0,0', '15,0', '0,2', '1,2', '2,2', '3,2', '4,2', '5,2', '6,2', '7,2']);
  });

  it('handles raster widths that are not a multiple of 8 and short data (missing rows print white)', () => {
    const image: PrintedImage = {
      width: 10,
      height: 3,
      source: 'graphics',
      bitmap: { layout: 'raster', data: Uint8Array.from([0x00, 0x40, 0x80]) },
    };
    const d = decodePng(bitmapToPng(image)!);
    expect([d.width, d.height]).toEqual([10, 3]);
    expect(blackPixels(d)).toEqual(['9,0', '0,1']);
  });

  it('transposes column bands (8-dot bands concatenated) to raster', () => {
    // Two 8-dot bands, 3 columns each, one byte per column, MSB = top dot.
    const image: PrintedImage = {
      width: 3,
      height: 16,
      source: 'column',
      bitmap: { layout: 'column', bandHeight: 8, data: Uint8Array.from([0x80, 0x01, 0x00, 0x00, 0x00, 0x81]) },
    };
    const d = decodePng(bitmapToPng(image)!);
    expect([d.width, d.height, d.bitDepth, d.colorType]).toEqual([3, 16, 1, 0]);
    expect(blackPixels(d)).toEqual(['0,0', '1,7', '2,8', '2,15']);
  });

  it('transposes 24-dot column bands (three bytes per column)', () => {
    const image: PrintedImage = {
      width: 2,
      height: 24,
      source: 'column',
      bitmap: { layout: 'column', bandHeight: 24, data: Uint8Array.from([0x80, 0x00, 0x01, 0x00, 0x80, 0x00]) },
    };
    const d = decodePng(bitmapToPng(image)!);
    expect(blackPixels(d)).toEqual(['0,0', '1,8', '0,23']);
  });

  it('returns null for stored logos and empty sizes', () => {
    expect(bitmapToPng({ width: 0, height: 0, source: 'nv', key: 'FS p 1' })).toBeNull();
    expect(bitmapToPng({ width: 0, height: 8, source: 'raster', bitmap: { layout: 'raster', data: new Uint8Array(0) } })).toBeNull();
  });
});

describe('renderHtml', () => {
  it('produces one HTML5 document with no scripts or external resources', () => {
    const html = renderHtml([receipt([{ kind: 'line', line: line('Hello') }])], { title: 'T & <x>' });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>T &amp; &lt;x&gt;</title>');
    expect(html).not.toMatch(/<script|<link|https?:\/\/|@import|url\(/i);
    expect(html).toContain('Hello');
  });

  it('escapes receipt text, barcode data, warnings and attribute-breaking quotes', () => {
    const evil = '<script>alert("x")</script> & \'q\'';
    const html = renderHtml([
      receipt(
        [
          { kind: 'line', line: line(evil) },
          { kind: 'barcode', barcode: { symbology: 'qr', data: '"><img src=x onerror=alert(1)>' } },
          { kind: 'image', image: { width: 0, height: 0, source: 'nv', key: '"><b>' } },
        ],
        { warnings: ['<b>warn</b>'] },
      ),
    ]);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;warn&lt;/b&gt;');
  });

  it('shows control characters as visible symbols, not raw bytes', () => {
    const html = renderHtml([receipt([{ kind: 'barcode', barcode: { symbology: 'gs1-128', data: '\x1d0101234' } }])]);
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    expect(html).toContain('\u241d0101234');
  });

  it('carries alignment, bold, underline, invert and size multipliers as styles', () => {
    const html = renderHtml([
      receipt([
        { kind: 'line', line: line('TOTAL', { align: 'center', bold: true }) },
        { kind: 'line', line: line('right', { align: 'right', invert: true }) },
        {
          kind: 'line',
          line: line('Big under', {
            spans: [span('Big', { width: 2, height: 2 }), span(' under', { underline: 2 })],
          }),
        },
        { kind: 'line', line: line('') },
        { kind: 'line', line: line('small', { font: 'B' }) },
      ]),
    ]);
    expect(html).toMatch(/<div class="l" style="text-align:center"><span class="s" style="font-weight:bold">TOTAL<\/span><\/div>/);
    expect(html).toMatch(/<div class="l" style="text-align:right"><span class="s" style="background:#000;color:#fff">right<\/span>/);
    expect(html).toMatch(/style="width:72px;height:48px"><span class="t" style="transform:scale\(2,2\)">Big<\/span>/);
    expect(html).toMatch(/text-decoration:underline;text-decoration-thickness:2px"> under</);
    expect(html).toContain('<div class="l"></div>'); // empty line kept (min-height in CSS)
    expect(html).toMatch(/\.l\{[^}]*min-height:30px/);
    expect(html).toMatch(/font-size:15px[^"]*">small</);
  });

  it('chooses 384 px paper for narrow receipts and 576 px for 48-column ones', () => {
    const narrow = renderHtml([receipt([{ kind: 'line', line: line('x'.repeat(32)) }])]);
    expect(narrow).toContain('class="paper" style="width:384px"');
    const wide = renderHtml([receipt([{ kind: 'line', line: line('x'.repeat(33)) }])]);
    expect(wide).toContain('class="paper" style="width:576px"');
    const doubled = renderHtml([receipt([{ kind: 'line', line: line('x'.repeat(17), { width: 2 }) }])]);
    expect(doubled).toContain('class="paper" style="width:576px"');
  });

  it('embeds bitmaps as PNG data URLs with their size and draws stored logos as dashed boxes', () => {
    const html = renderHtml([
      receipt([
        {
          kind: 'image',
          image: { width: 8, height: 1, source: 'raster', bitmap: { layout: 'raster', data: Uint8Array.from([0xaa]) } },
        },
        { kind: 'image', image: { width: 0, height: 0, source: 'nv', key: 'FS p 1' } },
      ]),
    ]);
    const m = /<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)" width="8" height="1"/.exec(html);
    expect(m).not.toBeNull();
    const d = decodePng(Buffer.from(m![1]!, 'base64'));
    expect(blackPixels(d)).toEqual(['0,0', '2,0', '4,0', '6,0']);
    expect(html).toMatch(/<div class="logo" style="[^"]*"><span>stored logo FS p 1<\/span><\/div>/);
    expect(html).toMatch(/\.logo\{[^}]*dashed/);
  });

  it('labels barcodes and 2-D codes with symbology and payload', () => {
    const html = renderHtml([
      receipt([
        { kind: 'barcode', barcode: { symbology: 'ean13', data: '3130630574613' } },
        { kind: 'barcode', barcode: { symbology: 'qr', data: 'https://x.y/z' } },
      ]),
    ]);
    expect(html).toContain('<div class="code c1"><div class="sym">EAN13</div><div class="data">3130630574613</div></div>');
    expect(html).toContain('<div class="code c2"><div class="sym">QR</div><div class="data">https://x.y/z</div></div>');
  });

  it('marks each cut with a scissors line and its kind', () => {
    const html = renderHtml([
      receipt([{ kind: 'line', line: line('one') }], { cut: 'full' }),
      receipt([{ kind: 'line', line: line('two') }], { seq: 1, cut: null }),
    ]);
    expect(html).toContain('<div class="cut"><span>✂ full cut</span></div>');
    expect(html).toContain('end of data, no cut');
    expect(html.match(/<section class="receipt"/g)).toHaveLength(2);
  });
});
