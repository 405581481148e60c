/** The `decode --json` document of the contract (shared/docs/contract.md). */
import type { Barcode, PrintedLine, Span } from '../../escpos/events.js';
import type { DecodeResult, Receipt, ReceiptFields } from '../receipt.js';

export interface JsonSpan {
  text: string;
  bold: boolean;
  underline: number;
  invert: boolean;
  width: number;
  height: number;
}
export interface JsonLine extends JsonSpan {
  align: string;
  spans?: JsonSpan[];
}
export interface JsonImage {
  width: number;
  height: number;
  source: string;
  key?: string;
  scale?: { x: number; y: number };
}
export interface JsonReceipt {
  seq: number;
  text: string;
  lines: JsonLine[];
  barcodes: Barcode[];
  images: JsonImage[];
  cut: 'full' | 'partial' | null;
  bytes: { start: number; end: number };
  fields: ReceiptFields;
  warnings: string[];
}
export interface JsonDocument {
  receipts: JsonReceipt[];
  status: { offset: number; query: string }[];
  warnings: string[];
}

function span(s: Span | PrintedLine): JsonSpan {
  return { text: s.text, bold: s.bold, underline: s.underline, invert: s.invert, width: s.width, height: s.height };
}

export function receiptToJson(r: Receipt): JsonReceipt {
  return {
    seq: r.seq,
    text: r.text,
    lines: r.lines.map((l) => {
      const line: JsonLine = { ...span(l), align: l.align };
      if (l.spans) line.spans = l.spans.map(span);
      return line;
    }),
    barcodes: r.barcodes.map((b) => ({ symbology: b.symbology, data: b.data })),
    images: r.images.map((i) => {
      const img: JsonImage = { width: i.width, height: i.height, source: i.source };
      if (i.key) img.key = i.key;
      if (i.scale) img.scale = { x: i.scale.x, y: i.scale.y };
      return img;
    }),
    cut: r.cut,
    bytes: { start: r.bytes.start, end: r.bytes.end },
    fields: r.fields,
    warnings: [...r.warnings],
  };
}

export function toJsonDocument(result: DecodeResult): JsonDocument {
  return {
    receipts: result.receipts.map(receiptToJson),
    status: result.status.map((s) => ({ offset: s.offset, query: s.query })),
    warnings: [...result.warnings],
  };
}
