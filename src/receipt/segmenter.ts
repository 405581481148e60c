/**
 * The segmenter: interpreter events → receipts. A receipt ends on any cut, on `ESC @` after printed
 * content, and at the end of input. A stretch in which nothing was printed is not a receipt.
 */
import type { Barcode, PrintEvent, PrintedImage, PrintedLine } from '../escpos/events.js';
import type { Receipt, ReceiptItem, StatusRecord } from './receipt.js';

export class Segmenter {
  private items: ReceiptItem[] = [];
  private warnings: string[] = [];
  private start = 0;
  private seq = 0;
  /** The last item was an `ESC *` band that the next band of the same width continues. */
  private openBand = false;
  readonly status: StatusRecord[] = [];
  readonly docWarnings: string[] = [];

  /** Feed an event; a receipt that it completes is returned. */
  event(e: PrintEvent): Receipt | null {
    switch (e.type) {
      case 'line':
        this.items.push({ kind: 'line', line: e.line });
        if (e.line.text !== '') this.openBand = false;
        return null;
      case 'barcode':
        this.items.push({ kind: 'barcode', barcode: e.barcode });
        this.openBand = false;
        return null;
      case 'image':
        this.addImage(e.image);
        return null;
      case 'cut':
        return this.close(e.end, e.cut);
      case 'reset':
        return this.hasContent() ? this.close(e.offset, null) : null;
      case 'status':
        this.status.push({ offset: e.offset, query: e.query });
        return null;
      case 'warning':
        this.warnings.push(e.message);
        return null;
    }
  }

  /** End of input at `end`: the last receipt, if anything was printed. */
  finish(end: number): Receipt | null {
    const r = this.close(end, null);
    // Warnings outside any receipt (e.g. after the last cut) still reach the user.
    this.docWarnings.push(...this.warnings);
    this.warnings = [];
    return r;
  }

  private addImage(image: PrintedImage): void {
    const last = this.items[this.items.length - 1];
    // ESC * prints a picture as bands 8 or 24 dots high: one picture, not dozens.
    if (
      image.source === 'column' &&
      this.openBand &&
      last?.kind === 'image' &&
      last.image.source === 'column' &&
      last.image.width === image.width &&
      last.image.bitmap?.bandHeight === image.bitmap?.bandHeight
    ) {
      this.items[this.items.length - 1] = { kind: 'image', image: joinBands(last.image, image) };
      return;
    }
    this.items.push({ kind: 'image', image });
    this.openBand = image.source === 'column';
  }

  private hasContent(): boolean {
    for (const i of this.items) if (printed(i)) return true;
    return false;
  }

  private close(end: number, cut: Receipt['cut']): Receipt | null {
    const all = this.items;
    const start = this.start;
    this.start = end;
    this.items = [];
    this.openBand = false;
    // Leading and trailing blank lines are paper feed, not printed lines.
    let a = 0;
    let b = all.length;
    while (a < b && !printed(all[a]!)) a++;
    while (b > a && !printed(all[b - 1]!)) b--;
    if (a === b) {
      this.docWarnings.push(...this.warnings);
      this.warnings = [];
      return null;
    }
    const items = a === 0 && b === all.length ? all : all.slice(a, b);
    const lines: PrintedLine[] = [];
    const barcodes: Barcode[] = [];
    const images: PrintedImage[] = [];
    let text = '';
    for (const i of items) {
      if (i.kind === 'line') {
        lines.push(i.line);
        text += `${i.line.text}\n`;
      } else if (i.kind === 'barcode') barcodes.push(i.barcode);
      else images.push(i.image);
    }
    const receipt: Receipt = {
      seq: this.seq++,
      text,
      lines,
      barcodes,
      images,
      cut,
      bytes: { start, end },
      fields: {},
      warnings: this.warnings,
      items,
    };
    this.warnings = [];
    return receipt;
  }
}

/** Whether an item put something on paper (a blank line is only feed). */
function printed(i: ReceiptItem): boolean {
  return i.kind !== 'line' || !isBlank(i.line.text);
}

function isBlank(text: string): boolean {
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) !== 0x20) return false;
  return true;
}

function joinBands(a: PrintedImage, b: PrintedImage): PrintedImage {
  const da = a.bitmap?.data;
  const db = b.bitmap?.data;
  if (!da || !db) return { ...a, height: a.height + b.height };
  // Column bands are kept as a list of bands: bytes per column = height / 8 of each band.
  const data = new Uint8Array(da.length + db.length);
  data.set(da, 0);
  data.set(db, da.length);
  return { ...a, height: a.height + b.height, bitmap: { ...a.bitmap!, data } };
}
