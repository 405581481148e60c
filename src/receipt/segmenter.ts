/**
 * The segmenter: interpreter events → receipts. A receipt ends on any cut, on `ESC @` after printed
 * content, and at the end of input. A stretch in which nothing was printed is not a receipt.
 */
import type { Barcode, PrintEvent, PrintedImage, PrintedLine } from '../escpos/events.js';
import type { Receipt, ReceiptItem, StatusRecord } from './receipt.js';

/** At most this many warnings are kept per receipt (and for the document); the rest are counted. */
export const MAX_WARNINGS = 50;
/** A run of blank lines longer than this between printed items is kept at this length. */
export const MAX_BLANK_RUN = 64;
/**
 * Status traffic kept for the document: a POS polls all day, so a live stream keeps only the
 * first this many (the agent's health monitor reads status live, not from here) and counts the rest.
 */
export const MAX_STATUS = 10_000;
/**
 * A receipt ends after this many printed items (lines, codes, pictures) even without a cut: that
 * is some 20 m of paper, and a stream that never cuts (a report of hours, a runaway POS) must not
 * become one receipt whose decoding, storing and sending grow without bound.
 */
export const MAX_ITEMS = 5_000;
/**
 * … or after this many bytes of input (pictures are large): one receipt stays well within what a
 * sync batch and the server take (8 MiB of JSON).
 */
export const MAX_RECEIPT_BYTES = 4 * 1024 * 1024;

const BLANK: ReceiptItem = {
  kind: 'line',
  line: { text: '', align: 'left', bold: false, underline: 0, invert: false, width: 1, height: 1, font: 'A' },
};

export class Segmenter {
  private items: ReceiptItem[] = [];
  // The receipt's lines, their texts, bar codes and images, kept as items are added (one pass
  // per receipt fewer than sorting the items out when it closes).
  private lines: PrintedLine[] = [];
  private texts: string[] = [];
  private barcodes: Barcode[] = [];
  private images: PrintedImage[] = [];
  private warnings: string[] = [];
  private warningsDropped = 0;
  /** Blank lines after the last printed item: paper feed until something prints after them. */
  private blankRun = 0;
  /** A picture arriving in bands (ESC *): its bands, joined once it is complete. */
  private band: { first: PrintedImage; parts: Uint8Array[]; height: number } | null = null;
  private docDropped = 0;
  private statusDropped = 0;
  private start = 0;
  private seq = 0;
  readonly status: StatusRecord[] = [];
  readonly docWarnings: string[] = [];

  /** Feed an event; a receipt that it completes is returned. */
  event(e: PrintEvent): Receipt | null {
    switch (e.type) {
      case 'feed':
        // Feed before anything printed is dropped at once; feed after it is counted, not kept,
        // so that a stream of feeds costs no memory.
        if (this.items.length > 0 || this.band) this.blankRun += e.lines;
        return null;
      case 'line':
        return this.line(e.line, e.offset);
      case 'barcode': {
        const r = this.splitIfFull(e.offset);
        this.push({ kind: 'barcode', barcode: e.barcode });
        return r;
      }
      case 'image': {
        const r = this.splitIfFull(e.offset);
        this.addImage(e.image);
        return r;
      }
      case 'cut':
        return this.close(e.end, e.cut);
      case 'reset':
        return this.hasContent() ? this.close(e.offset, null) : null;
      case 'status':
        if (this.status.length < MAX_STATUS) this.status.push({ offset: e.offset, query: e.query });
        else this.statusDropped++;
        return null;
      case 'warning':
        if (this.warnings.length < MAX_WARNINGS) this.warnings.push(e.message);
        else this.warningsDropped++;
        return null;
    }
  }

  /** A printed line starting at `offset`: the same as a `line` event. */
  line(line: PrintedLine, offset: number): Receipt | null {
    if (isBlank(line.text)) {
      if (this.items.length > 0 || this.band) this.blankRun++;
      return null;
    }
    const r = this.splitIfFull(offset);
    this.push({ kind: 'line', line });
    return r;
  }

  /**
   * Before a printed item at `offset`: with MAX_ITEMS already held, the receipt so far ends where
   * this item begins, and the item starts the next one.
   */
  private splitIfFull(offset: number): Receipt | null {
    if (this.items.length === 0 || (this.items.length < MAX_ITEMS && offset - this.start < MAX_RECEIPT_BYTES)) return null;
    this.warnings.push(
      this.items.length >= MAX_ITEMS
        ? `more than ${MAX_ITEMS} printed items without a cut: the receipt is split here`
        : `more than ${MAX_RECEIPT_BYTES} bytes without a cut: the receipt is split here`,
    );
    return this.close(offset, null);
  }

  /** Add a printed item, after the picture in progress and the blank lines that came before it. */
  private push(item: ReceiptItem): void {
    this.beforeItem();
    this.add(item);
  }

  /** What goes before a printed item: the picture in progress, then the blank lines. */
  private beforeItem(): void {
    this.endBand();
    if (this.blankRun > 0) {
      for (let i = Math.min(this.blankRun, MAX_BLANK_RUN); i > 0; i--) this.add(BLANK);
      this.blankRun = 0;
    }
  }

  private add(item: ReceiptItem): void {
    this.items.push(item);
    if (item.kind === 'line') {
      this.lines.push(item.line);
      this.texts.push(item.line.text);
    } else if (item.kind === 'barcode') this.barcodes.push(item.barcode);
    else this.images.push(item.image);
  }

  private endBand(): void {
    const b = this.band;
    if (!b) return;
    this.band = null;
    const image: PrintedImage =
      b.parts.length === 1
        ? b.first
        : { ...b.first, height: b.height, bitmap: { ...b.first.bitmap!, data: Buffer.concat(b.parts) } };
    this.add({ kind: 'image', image });
  }

  private takeWarnings(): string[] {
    const w = this.warnings;
    if (this.warningsDropped > 0) w.push(`… and ${this.warningsDropped} more warnings`);
    this.warnings = [];
    this.warningsDropped = 0;
    return w;
  }

  private toDocument(warnings: string[]): void {
    for (const w of warnings) {
      if (this.docWarnings.length < MAX_WARNINGS) this.docWarnings.push(w);
      else this.docDropped++;
    }
  }

  /** End the receipt in progress at `end` (an idle gap), if anything was printed. */
  cut(end: number): Receipt | null {
    return this.close(end, null);
  }

  /** End of input at `end`: the last receipt, if anything was printed. */
  finish(end: number): Receipt | null {
    const r = this.close(end, null);
    // Warnings outside any receipt (e.g. after the last cut) still reach the user.
    this.toDocument(this.takeWarnings());
    if (this.docDropped > 0) this.docWarnings.push(`… and ${this.docDropped} more warnings`);
    this.docDropped = 0;
    if (this.statusDropped > 0) {
      this.docWarnings.push(`${this.statusDropped} more status queries after the first ${MAX_STATUS} are not listed`);
      this.statusDropped = 0;
    }
    return r;
  }

  private addImage(image: PrintedImage): void {
    // ESC * (and Star's ESC X / ESC k) print a picture as bands 8 or 24 dots high: one picture,
    // not dozens. Bands are gathered and joined once, when the picture ends.
    const b = this.band;
    if (
      b &&
      image.band &&
      this.blankRun === 0 &&
      b.first.width === image.width &&
      b.first.bitmap?.layout === image.bitmap?.layout &&
      b.first.bitmap?.bandHeight === image.bitmap?.bandHeight &&
      b.first.scale?.x === image.scale?.x &&
      b.first.scale?.y === image.scale?.y &&
      image.bitmap
    ) {
      b.parts.push(image.bitmap.data);
      b.height += image.height;
      return;
    }
    if (image.band && image.bitmap) {
      this.beforeItem(); // ends a previous band, places blank lines
      this.band = { first: image, parts: [image.bitmap.data], height: image.height };
      return;
    }
    this.push({ kind: 'image', image });
  }

  private hasContent(): boolean {
    if (this.band) return true;
    for (const i of this.items) if (printed(i)) return true;
    return false;
  }

  private close(end: number, cut: Receipt['cut']): Receipt | null {
    this.endBand();
    const all = this.items;
    let lines = this.lines;
    let texts = this.texts;
    let barcodes = this.barcodes;
    let images = this.images;
    const start = this.start;
    this.start = end;
    this.items = [];
    this.lines = [];
    this.texts = [];
    this.barcodes = [];
    this.images = [];
    this.blankRun = 0;
    // Leading and trailing blank lines are paper feed, not printed lines.
    let a = 0;
    let b = all.length;
    while (a < b && !printed(all[a]!)) a++;
    while (b > a && !printed(all[b - 1]!)) b--;
    if (a === b) {
      this.toDocument(this.takeWarnings());
      return null;
    }
    let items = all;
    if (a > 0 || b < all.length) {
      // Blank lines are only placed before a printed item, so this does not happen; if it ever
      // did, the lists are made again from what is kept.
      items = all.slice(a, b);
      lines = [];
      texts = [];
      barcodes = [];
      images = [];
      for (const i of items) {
        if (i.kind === 'line') {
          lines.push(i.line);
          texts.push(i.line.text);
        } else if (i.kind === 'barcode') barcodes.push(i.barcode);
        else images.push(i.image);
      }
    }
    // Each line ends with LF. One join makes a flat string: the card-number guard then scans it
    // without first flattening a chain of concatenations.
    texts.push('');
    const text = texts.join('\n');
    const receipt: Receipt = {
      seq: this.seq++,
      text,
      lines,
      barcodes,
      images,
      cut,
      bytes: { start, end },
      fields: {},
      warnings: this.takeWarnings(),
      items,
    };
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
