/** A receipt: what one stretch of the stream between cuts put on paper. */
import type { Barcode, CutKind, PrintedImage, PrintedLine } from '../escpos/events.js';

/** The printed items in paper order, for renderers. */
export type ReceiptItem =
  | { readonly kind: 'line'; readonly line: PrintedLine }
  | { readonly kind: 'barcode'; readonly barcode: Barcode }
  | { readonly kind: 'image'; readonly image: PrintedImage };

import type { ReceiptFieldSet } from './fields/types.js';

/** Receipt fields (contract, "Receipt fields"); `{}` when no template recognised the receipt. */
export type ReceiptFields = Readonly<ReceiptFieldSet>;

export interface Receipt {
  readonly seq: number;
  readonly text: string;
  readonly lines: readonly PrintedLine[];
  readonly barcodes: readonly Barcode[];
  readonly images: readonly PrintedImage[];
  readonly cut: CutKind | null;
  /** Offsets in the input: [start, end). */
  readonly bytes: { readonly start: number; readonly end: number };
  readonly fields: ReceiptFields;
  readonly warnings: readonly string[];
  readonly items: readonly ReceiptItem[];
}

export interface StatusRecord {
  readonly offset: number;
  readonly query: string;
}

export interface DecodeResult {
  readonly receipts: Receipt[];
  readonly status: StatusRecord[];
  readonly warnings: string[];
}
