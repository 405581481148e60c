/**
 * Applies the card-number guard to a whole receipt (text, lines, spans, code payloads) before it
 * leaves the decoder: every output of tilltap is made from guarded receipts.
 *
 * The receipt text is guarded whole (a label on one line and its value on the next are seen
 * together), and masking keeps every length, so each line's masked text is cut back out of it and
 * spans keep their boundaries.
 */
import type { PrintedLine, Span } from '../escpos/events.js';
import { guardText } from './fields/pan-guard.js';
import type { Receipt, ReceiptItem } from './receipt.js';

function withText(l: PrintedLine, text: string): PrintedLine {
  if (text === l.text) return l;
  if (!l.spans) return { ...l, text };
  let at = 0;
  const spans = l.spans.map((s): Span => {
    const piece = text.slice(at, at + s.text.length);
    at += s.text.length;
    return { ...s, text: piece };
  });
  return { ...l, text, spans };
}

/** Product numbers (EAN, UPC, ITF) are never card numbers, though some pass the Luhn check. */
const PRODUCT_CODES = new Set(['ean13', 'ean8', 'upca', 'upce', 'itf']);

const CLEAN_CODE = { pans: 0, secrets: 0 };

export function guardReceipt(r: Receipt): Receipt {
  const whole = guardText(r.text);
  let codesFound = false;
  for (const b of r.barcodes) {
    if (PRODUCT_CODES.has(b.symbology)) continue;
    const g = guardText(b.data);
    if (g.pans + g.secrets > 0) codesFound = true;
  }
  // Nearly every receipt: nothing found, and nothing more is made.
  if (!codesFound && whole.pans + whole.secrets === 0) return r;
  const codes = r.barcodes.map((b) => (PRODUCT_CODES.has(b.symbology) ? { text: b.data, ...CLEAN_CODE } : guardText(b.data)));
  const pans = whole.pans + codes.reduce((a, c) => a + c.pans, 0);
  const secrets = whole.secrets + codes.reduce((a, c) => a + c.secrets, 0);

  const texts = whole.text.split('\n');
  const lineOf = new Map<PrintedLine, PrintedLine>();
  const lines = r.lines.map((l, i) => {
    const g = withText(l, texts[i] ?? l.text);
    lineOf.set(l, g);
    return g;
  });
  const codeOf = new Map(r.barcodes.map((b, i) => [b, { ...b, data: codes[i]!.text }]));
  // Items hold the same objects as lines and barcodes, in paper order.
  let li = 0;
  const items = r.items.map((i): ReceiptItem => {
    if (i.kind === 'line') return { kind: 'line', line: lines[li++] ?? lineOf.get(i.line) ?? i.line };
    if (i.kind === 'barcode') return { kind: 'barcode', barcode: codeOf.get(i.barcode) ?? i.barcode };
    return i;
  });
  const warnings = [...r.warnings];
  if (pans > 0) warnings.push(`${pans} card number${pans > 1 ? 's' : ''} masked (first 6 + last 4 kept)`);
  if (secrets > 0) warnings.push(`${secrets} expiry date, security code or track data value${secrets > 1 ? 's' : ''} masked`);
  return { ...r, text: whole.text, lines, barcodes: r.barcodes.map((b) => codeOf.get(b)!), items, warnings };
}
