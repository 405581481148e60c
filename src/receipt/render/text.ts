/**
 * Paper-like text: each receipt as it would look on the roll, alignment and double width kept,
 * codes and pictures shown as labelled boxes, a scissors line at each cut.
 */
import { cellWidth } from '../../escpos/cell-width.js';
import type { Receipt, ReceiptItem } from '../receipt.js';

export interface TextRenderOptions {
  /** Paper width in font-A columns; by default 32 or 48, whichever the receipt fits. */
  readonly columns?: number;
}

function paperColumns(r: Receipt): number {
  let widest = 0;
  for (const l of r.lines) widest = Math.max(widest, cellWidth(l.text) * l.width);
  // Wider lines wrap on an 80 mm roll, as the printer wraps them.
  return widest <= 32 ? 32 : widest <= 42 ? 42 : 48;
}

/** Cut a line into pieces of at most `columns` cells (wide characters count two). */
function wrap(text: string, columns: number): string[] {
  if (cellWidth(text) <= columns) return [text];
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of text) {
    const cw = cellWidth(ch);
    if (w + cw > columns) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  if (cur) out.push(cur);
  return out;
}

/** Double width is shown by spacing the characters out, so that alignment stays true. */
function widen(text: string, width: number): string {
  if (width <= 1) return text;
  const pad = ' '.repeat(width - 1);
  return Array.from(text, (ch) => ch + (cellWidth(ch) === 1 ? pad : ' '.repeat(Math.max(0, 2 * width - 2)))).join('').trimEnd();
}

function place(text: string, align: string, columns: number): string {
  const w = cellWidth(text);
  if (w >= columns || align === 'left') return text;
  const gap = columns - w;
  return ' '.repeat(align === 'center' ? Math.floor(gap / 2) : gap) + text;
}

function itemLines(item: ReceiptItem, columns: number): string[] {
  switch (item.kind) {
    case 'line': {
      const l = item.line;
      const parts = l.spans ?? [l];
      const text = parts.map((s) => widen(s.text, s.width)).join('');
      return wrap(text, columns).map((piece) => place(piece, l.align, columns).trimEnd());
    }
    case 'barcode':
      return [place(`[${item.barcode.symbology}: ${item.barcode.data}]`, 'center', columns)];
    case 'image': {
      const i = item.image;
      const label = i.width > 0 ? `[image ${i.width}x${i.height}]` : `[stored logo ${i.key ?? ''}]`;
      return [place(label, 'center', columns)];
    }
  }
}

export function renderReceiptText(r: Receipt, opts: TextRenderOptions = {}): string {
  const columns = opts.columns ?? paperColumns(r);
  const out = r.items.flatMap((item) => itemLines(item, columns));
  const tear = r.cut ? `${'- '.repeat(Math.floor(columns / 2) - 2)}8< ${r.cut} cut` : '~'.repeat(columns);
  return `${out.join('\n')}\n${tear}\n`;
}

export function renderText(receipts: readonly Receipt[], opts: TextRenderOptions = {}): string {
  return receipts.map((r) => renderReceiptText(r, opts)).join('\n');
}
