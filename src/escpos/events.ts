/** What the interpreter reports: things printed, cuts, resets and status traffic, with offsets. */

export type Align = 'left' | 'center' | 'right';

export interface TextStyle {
  readonly bold: boolean;
  /** 0 off, 1 one dot, 2 two dots. */
  readonly underline: 0 | 1 | 2;
  readonly invert: boolean;
  /** Character width and height multipliers, 1–8. */
  readonly width: number;
  readonly height: number;
  readonly font: 'A' | 'B' | 'C';
}

export interface Span extends TextStyle {
  readonly text: string;
}

export interface PrintedLine extends TextStyle {
  readonly text: string;
  readonly align: Align;
  /** Present only when the style changes within the line. */
  readonly spans?: readonly Span[];
}

export const SYMBOLOGIES = [
  'upca', 'upce', 'ean13', 'ean8', 'code39', 'itf', 'codabar', 'code93', 'code128', 'gs1-128',
  'gs1-databar', 'qr', 'pdf417', 'datamatrix', 'aztec', 'maxicode', 'composite',
] as const;
export type Symbology = (typeof SYMBOLOGIES)[number];

export interface Barcode {
  readonly symbology: Symbology;
  /** The payload as printed (no code-set prefixes). */
  readonly data: string;
}

/**
 * Bits, MSB first, 1 = black. `raster`: rows of ceil(width/8) bytes. `column`: bands
 * `bandHeight` dots high, each `width` columns of bandHeight/8 bytes (ESC *, GS ( L fn 113).
 */
export interface Bitmap {
  readonly layout: 'raster' | 'column';
  readonly data: Uint8Array;
  readonly bandHeight?: number;
}

export interface PrintedImage {
  readonly width: number;
  readonly height: number;
  /** How it was sent: a raster (`GS v 0`, `GS ( L`), column bands (`ESC *`), or a stored logo. */
  readonly source: 'raster' | 'graphics' | 'column' | 'nv' | 'download';
  /** Key of a stored (NV or downloaded) logo, when the image is a reference to one. */
  readonly key?: string;
  readonly bitmap?: Bitmap;
  /** Dot magnification on paper (`GS v 0` m, `GS ( L` bx/by, `ESC *` densities); 1×1 when absent. */
  readonly scale?: { readonly x: number; readonly y: number };
  /** Justification in force when it printed. */
  readonly align?: Align;
  /** One band of a picture sent as bands (ESC *, Star ESC X / ESC k): consecutive bands join. */
  readonly band?: boolean;
}

export type CutKind = 'full' | 'partial';

export type PrintEvent =
  | { readonly type: 'line'; readonly offset: number; readonly line: PrintedLine }
  /** Blank paper: `lines` empty lines (LF with nothing to print, ESC d n). */
  | { readonly type: 'feed'; readonly offset: number; readonly lines: number }
  | { readonly type: 'barcode'; readonly offset: number; readonly barcode: Barcode }
  | { readonly type: 'image'; readonly offset: number; readonly image: PrintedImage }
  | { readonly type: 'cut'; readonly offset: number; readonly end: number; readonly cut: CutKind }
  | { readonly type: 'reset'; readonly offset: number }
  | { readonly type: 'status'; readonly offset: number; readonly query: string }
  | { readonly type: 'warning'; readonly offset: number; readonly message: string };

export type EventSink = (event: PrintEvent) => void;
