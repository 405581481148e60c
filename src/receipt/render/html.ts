/**
 * A self-contained HTML preview: each receipt as a strip of thermal paper (1 dot = 1 CSS px,
 * font A 12×24, font B 9×17), styles and size multipliers kept, pictures embedded as 1-bit PNGs,
 * codes and stored logos shown as labelled boxes, a scissors line at each cut. No scripts, no
 * external resources; all receipt text is escaped.
 */
import { deflateSync } from 'node:zlib';
import type { Barcode, PrintedImage, PrintedLine, Span, TextStyle } from '../../escpos/events.js';
import { cellWidth } from '../../escpos/cell-width.js';
import type { Receipt, ReceiptItem } from '../receipt.js';

export interface HtmlRenderOptions {
  /** Document title; "tilltap receipts" by default. */
  readonly title?: string;
}

/** Largest picture converted to PNG, in dots; bigger ones are shown as a placeholder. */
const MAX_PIXELS = 1 << 26;

// ---------------------------------------------------------------------------------------------
// PNG

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array, crc = 0xffffffff): number {
  for (let i = 0; i < buf.length; i++) crc = CRC_TABLE[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  const crc = crc32(out.subarray(4, 8 + data.length)) ^ 0xffffffff;
  out.writeUInt32BE(crc >>> 0, 8 + data.length);
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The picture as a grayscale 1-bit PNG (black dots black), or null when there is no bitmap to
 * draw (stored logos) or the size is empty or absurd. Missing data at the end prints white.
 */
export function bitmapToPng(image: PrintedImage): Buffer | null {
  const bm = image.bitmap;
  const width = image.width;
  const height = image.height;
  if (!bm || !(width > 0) || !(height > 0) || !Number.isInteger(width) || !Number.isInteger(height)) return null;
  if (width * height > MAX_PIXELS) return null;
  const rowBytes = (width + 7) >> 3;
  const stride = rowBytes + 1; // filter byte + row
  // PNG grayscale 1-bit: 0 = black, 1 = white. Start all white, filter bytes 0 (None).
  const raw = Buffer.alloc(stride * height, 0xff);
  for (let y = 0; y < height; y++) raw[y * stride] = 0;
  const data = bm.data;
  if (bm.layout === 'raster') {
    for (let y = 0; y < height; y++) {
      const src = y * rowBytes;
      if (src >= data.length) break;
      const dst = y * stride + 1;
      const n = Math.min(rowBytes, data.length - src);
      for (let i = 0; i < n; i++) raw[dst + i] = ~data[src + i]! & 0xff;
    }
  } else {
    const band = bm.bandHeight && bm.bandHeight > 0 ? bm.bandHeight : 8;
    const perCol = (band + 7) >> 3;
    const bandSize = width * perCol;
    const bands = Math.ceil(height / band);
    for (let b = 0; b < bands; b++) {
      const base = b * bandSize;
      if (base >= data.length) break;
      for (let x = 0; x < width; x++) {
        const dstCol = 1 + (x >> 3);
        const mask = ~(0x80 >> (x & 7)) & 0xff;
        for (let k = 0; k < perCol; k++) {
          const v = data[base + x * perCol + k] ?? 0;
          if (v === 0) continue;
          for (let j = 0; j < 8; j++) {
            if (!(v & (0x80 >> j))) continue;
            const dy = k * 8 + j;
            const y = b * band + dy;
            if (dy >= band || y >= height) break;
            raw[y * stride + dstCol] &= mask;
          }
        }
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Text

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape for text and attribute values; control characters shown as control pictures. */
export function escapeHtml(s: string): string {
  return s
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[\x00-\x1f\x7f]/g, (c) => String.fromCharCode(c === '\x7f' ? 0x2421 : 0x2400 + c.charCodeAt(0)))
    .replace(/[\x80-\x9f]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Dot size of one character cell of a font. */
function cell(font: TextStyle['font']): { w: number; h: number } {
  return font === 'A' ? { w: 12, h: 24 } : { w: 9, h: 17 };
}

function clampMul(n: number): number {
  return Number.isFinite(n) ? Math.min(8, Math.max(1, Math.round(n))) : 1;
}

function parts(l: PrintedLine): readonly (Span | PrintedLine)[] {
  return l.spans && l.spans.length > 0 ? l.spans : [l];
}

function lineDots(l: PrintedLine): number {
  let w = 0;
  for (const s of parts(l)) w += cellWidth(s.text) * cell(s.font).w * clampMul(s.width);
  return w;
}

/** 384 dots (58 mm, 32 columns) when everything fits, else 576 (80 mm, 48 columns) or wider. */
function paperWidth(r: Receipt): number {
  let widest = 0;
  for (const item of r.items) {
    if (item.kind === 'line') widest = Math.max(widest, lineDots(item.line));
    else if (item.kind === 'image' && item.image.width <= MAX_PIXELS) widest = Math.max(widest, item.image.width);
  }
  return widest <= 384 ? 384 : Math.max(576, Math.ceil(widest));
}

function spanHtml(s: Span | PrintedLine): string {
  if (s.text === '') return '';
  const w = clampMul(s.width);
  const h = clampMul(s.height);
  const c = cell(s.font);
  const outer: string[] = [];
  const deco: string[] = [];
  if (s.font !== 'A') outer.push(`font-size:15px;line-height:${c.h}px`);
  if (s.bold) outer.push('font-weight:bold');
  if (s.invert) outer.push('background:#000;color:#fff');
  if (s.underline) deco.push(`text-decoration:underline;text-decoration-thickness:${s.underline}px`);
  const text = escapeHtml(s.text);
  if (w === 1 && h === 1) {
    if (s.font !== 'A') outer.push(`height:${c.h}px`);
    const style = [...outer, ...deco].join(';');
    return `<span class="s"${style ? ` style="${style}"` : ''}>${text}</span>`;
  }
  outer.push(`width:${cellWidth(s.text) * c.w * w}px;height:${c.h * h}px`);
  deco.push(`transform:scale(${w},${h})`);
  return `<span class="s x" style="${outer.join(';')}"><span class="t" style="${deco.join(';')}">${text}</span></span>`;
}

function lineHtml(l: PrintedLine): string {
  const inner = parts(l).map(spanHtml).join('');
  const align = l.align === 'center' || l.align === 'right' ? ` style="text-align:${l.align}"` : '';
  return `<div class="l"${align}>${inner}</div>`;
}

const TWO_D = new Set<Barcode['symbology']>(['qr', 'pdf417', 'datamatrix', 'aztec', 'maxicode', 'composite']);

function barcodeHtml(b: Barcode): string {
  const kind = TWO_D.has(b.symbology) ? 'c2' : 'c1';
  return (
    `<div class="code ${kind}"><div class="sym">${escapeHtml(b.symbology.toUpperCase())}</div>` +
    `<div class="data">${escapeHtml(b.data)}</div></div>`
  );
}

function imageHtml(i: PrintedImage): string {
  const png = bitmapToPng(i);
  const size = i.width > 0 && i.height > 0 ? `${i.width}×${i.height}` : '';
  if (png) {
    const alt = escapeHtml(`image ${size} (${i.source})`);
    // Shown at its size on paper: magnified dots (double width/height, single density) included.
    const w = i.width * (i.scale?.x ?? 1);
    const h = i.height * (i.scale?.y ?? 1);
    const align = i.align === 'left' || i.align === 'right' ? ` style="text-align:${i.align}"` : '';
    return `<div class="g"${align}><img src="data:image/png;base64,${png.toString('base64')}" width="${w}" height="${h}" alt="${alt}"></div>`;
  }
  const label = i.key !== undefined ? `stored logo ${i.key}` : `image (${i.source}, no data)`;
  const w = i.width > 0 && i.width <= 4096 ? i.width : 240;
  const h = i.height > 0 && i.height <= 4096 ? i.height : 72;
  return (
    `<div class="g"><div class="logo" style="width:${w}px;height:${h}px">` +
    `<span>${escapeHtml(label)}${size ? ` <small>${size}</small>` : ''}</span></div></div>`
  );
}

function itemHtml(item: ReceiptItem): string {
  switch (item.kind) {
    case 'line':
      return lineHtml(item.line);
    case 'barcode':
      return barcodeHtml(item.barcode);
    case 'image':
      return imageHtml(item.image);
  }
}

export function renderReceiptHtml(r: Receipt): string {
  const width = paperWidth(r);
  const cols = width / 12;
  const meta =
    `Receipt ${r.seq} · bytes ${r.bytes.start}–${r.bytes.end} · ${cols % 1 === 0 ? cols : cols.toFixed(1)} columns` +
    (r.warnings.length ? ` · ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}` : '');
  const cut = r.cut
    ? `<div class="cut"><span>✂ ${escapeHtml(r.cut)} cut</span></div>`
    : '<div class="tear"><span>end of data, no cut</span></div>';
  const warnings = r.warnings.length
    ? `<ul class="warn">${r.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`
    : '';
  return (
    `<section class="receipt" id="receipt-${r.seq}">` +
    `<div class="meta">${escapeHtml(meta)}</div>` +
    `<div class="paper" style="width:${width}px">\n${r.items.map(itemHtml).join('\n')}\n</div>` +
    `${cut}${warnings}</section>`
  );
}

const CSS = `
*{box-sizing:content-box}
body{margin:0;padding:24px;background:#d8d8d8;font-family:system-ui,sans-serif;color:#222}
h1{font-size:16px;font-weight:600;margin:0 0 16px}
.receipt{margin:0 auto 40px;width:max-content}
.meta{font-size:12px;color:#555;margin:0 0 6px}
.paper{background:#fff;color:#000;padding:24px 16px;box-shadow:0 1px 4px rgba(0,0,0,.3);
 font-family:"DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,monospace;font-size:20px;overflow:hidden}
.l{white-space:pre;min-height:30px;line-height:30px}
.s{display:inline-block;vertical-align:bottom;height:24px;line-height:24px}
.x{position:relative}
.t{position:absolute;left:0;bottom:0;transform-origin:0 100%;white-space:pre}
.g{text-align:center;margin:4px 0;line-height:0}
.g img{max-width:100%;height:auto;image-rendering:pixelated;image-rendering:crisp-edges}
.logo{display:inline-flex;align-items:center;justify-content:center;max-width:100%;border:2px dashed #888;
 color:#666;font:13px/1.3 system-ui,sans-serif;text-align:center;box-sizing:border-box;padding:4px}
.code{margin:8px auto;border:2px solid #000;padding:8px;text-align:center;box-sizing:border-box;
 font:13px/1.3 system-ui,sans-serif;overflow-wrap:anywhere;white-space:pre-wrap}
.code.c1{width:320px;max-width:100%;min-height:72px}
.code.c2{width:200px;min-height:200px;max-width:100%}
.code .sym{font-weight:700;letter-spacing:.08em;margin-bottom:6px}
.code .data{font-family:"DejaVu Sans Mono","Liberation Mono",monospace}
.cut,.tear{position:relative;height:0;margin:14px 0 0;border-top:2px dashed #555;font-size:12px;color:#444}
.tear{border-top-style:dotted;border-color:#999}
.cut span,.tear span{position:absolute;left:0;top:-10px;background:#d8d8d8;padding:0 6px 0 0;line-height:18px}
.warn{font-size:12px;color:#8a4b00;margin:20px 0 0;padding-left:18px;max-width:560px}
`;

/** One HTML5 document previewing all receipts. */
/** The start of the document, up to where the receipts go (for writing receipts as they come). */
export function htmlDocumentStart(opts: HtmlRenderOptions = {}): string {
  const title = escapeHtml(opts.title ?? 'tilltap receipts');
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">\n' +
    `<title>${title}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    `<h1>${title}</h1>\n`
  );
}

/** The end of the document, with the number of receipts. */
export function htmlDocumentEnd(count: number): string {
  return `\n<p class="meta">${count} receipt${count === 1 ? '' : 's'}</p>\n</body>\n</html>\n`;
}

export function renderHtml(receipts: readonly Receipt[], opts: HtmlRenderOptions = {}): string {
  return htmlDocumentStart(opts) + receipts.map(renderReceiptHtml).join('\n') + htmlDocumentEnd(receipts.length);
}
