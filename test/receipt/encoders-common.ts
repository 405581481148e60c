/**
 * Shared by the third-party encoder round-trip tests (encoders-*.test.ts): what a receipt is
 * expected to decode to, and how to compare a decoded receipt with it.
 */
import { expect } from 'vitest';
import type { Align, Symbology } from '../../src/escpos/events.js';
import type { Receipt } from '../../src/receipt/receipt.js';

export interface ExpectedLine {
  readonly kind: 'line';
  readonly text: string;
  readonly bold?: boolean;
  readonly underline?: 0 | 1 | 2;
  readonly invert?: boolean;
  readonly width?: number;
  readonly height?: number;
  readonly align?: Align;
}

export interface ExpectedCode {
  readonly kind: 'barcode';
  readonly symbology: Symbology;
  readonly data: string;
}

export type ExpectedItem = ExpectedLine | ExpectedCode;

export interface ExpectedReceipt {
  readonly items: ExpectedItem[];
  readonly cut: 'full' | 'partial' | null;
}

export interface ComparableLine {
  readonly kind: 'line';
  readonly text: string;
  readonly bold: boolean;
  readonly underline: 0 | 1 | 2;
  readonly invert: boolean;
  readonly width: number;
  readonly height: number;
  readonly align: Align;
}

export type ComparableItem = ComparableLine | ExpectedCode;

/** Fill in the defaults of an expected line. */
export function full(e: ExpectedItem): ComparableItem {
  if (e.kind === 'barcode') return e;
  return {
    kind: 'line',
    text: e.text,
    bold: e.bold ?? false,
    underline: e.underline ?? 0,
    invert: e.invert ?? false,
    width: e.width ?? 1,
    height: e.height ?? 1,
    align: e.align ?? 'left',
  };
}

/**
 * The printed items of a decoded receipt, blank lines left out: a blank line is paper feed (the
 * encoders send a line feed after every barcode and before the cut), not content.
 */
export function printed(r: Receipt): ComparableItem[] {
  const out: ComparableItem[] = [];
  for (const item of r.items) {
    if (item.kind === 'line') {
      const l = item.line;
      if (l.text.trim() === '') continue;
      out.push({
        kind: 'line',
        text: l.text,
        bold: l.bold,
        underline: l.underline,
        invert: l.invert,
        width: l.width,
        height: l.height,
        align: l.align,
      });
    } else if (item.kind === 'barcode') {
      out.push({ kind: 'barcode', symbology: item.barcode.symbology, data: item.barcode.data });
    }
  }
  return out;
}

/** Assert that the decoded receipts are exactly the expected ones. */
export function expectReceipts(got: readonly Receipt[], want: readonly ExpectedReceipt[], label = ''): void {
  expect(got.map((r) => ({ items: printed(r), cut: r.cut })), label).toEqual(
    want.map((w) => ({ items: w.items.map(full), cut: w.cut })),
  );
}

/** The text lines we expect, in order. */
export function expectedLines(want: readonly ExpectedReceipt[]): string[] {
  return want.flatMap((w) => w.items.flatMap((i) => (i.kind === 'line' ? [i.text] : [])));
}

/** The non-blank text lines decoded, in order. */
export function decodedLines(got: readonly Receipt[]): string[] {
  return got.flatMap((r) => r.lines.map((l) => l.text).filter((t) => t.trim() !== ''));
}

/**
 * Exact-line accuracy: how many expected lines were decoded to exactly their text, position by
 * position (a lost or extra line makes the rest count as wrong only where they differ).
 */
export function lineAccuracy(got: readonly Receipt[], want: readonly ExpectedReceipt[]): { exact: number; total: number } {
  const g = decodedLines(got);
  const w = expectedLines(want);
  let exact = 0;
  for (let i = 0; i < w.length; i++) if (g[i] === w[i]) exact++;
  return { exact, total: w.length };
}

export function pct(exact: number, total: number): string {
  return total === 0 ? '  -  ' : `${((100 * exact) / total).toFixed(1)}%`;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
}

/** Print an aligned table to the test output. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  console.log([title, fmt(header), sep, ...rows.map(fmt)].join('\n'));
}
