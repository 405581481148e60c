/**
 * The segmenter: interpreter events → receipts. A receipt ends on any cut, on `ESC @` after printed
 * content, and at the end of input. A stretch in which nothing was printed is not a receipt.
 */
import type { PrintEvent, PrintedImage } from '../escpos/events.js';
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
    return this.items.some((i) => i.kind !== 'line' || i.line.text.trim() !== '');
  }

  private close(end: number, cut: Receipt['cut']): Receipt | null {
    const items = trimBlank(this.items);
    const start = this.start;
    this.start = end;
    this.items = [];
    this.openBand = false;
    if (!items.some((i) => i.kind !== 'line' || i.line.text.trim() !== '')) {
      this.docWarnings.push(...this.warnings);
      this.warnings = [];
      return null;
    }
    const lines = items.flatMap((i) => (i.kind === 'line' ? [i.line] : []));
    const receipt: Receipt = {
      seq: this.seq++,
      text: lines.map((l) => `${l.text}\n`).join(''),
      lines,
      barcodes: items.flatMap((i) => (i.kind === 'barcode' ? [i.barcode] : [])),
      images: items.flatMap((i) => (i.kind === 'image' ? [i.image] : [])),
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

/** Leading and trailing blank lines are paper feed, not printed lines. */
function trimBlank(items: ReceiptItem[]): ReceiptItem[] {
  const blank = (i: ReceiptItem): boolean => i.kind === 'line' && i.line.text.trim() === '';
  let a = 0;
  let b = items.length;
  while (a < b && blank(items[a]!)) a++;
  while (b > a && blank(items[b - 1]!)) b--;
  return items.slice(a, b);
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
