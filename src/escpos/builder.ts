/**
 * A small ESC/POS encoder: the project's own way to make captures for the demo, the tests and the
 * benchmarks. It writes exactly the bytes a POS would send; it knows nothing about decoding.
 */
import iconv from 'iconv-lite';

export type BuilderSymbology = 'upca' | 'upce' | 'ean13' | 'ean8' | 'code39' | 'itf' | 'codabar' | 'code93' | 'code128';

const FORM_B: Record<BuilderSymbology, number> = {
  upca: 65, upce: 66, ean13: 67, ean8: 68, code39: 69, itf: 70, codabar: 71, code93: 72, code128: 73,
};

export class EscPosBuilder {
  private parts: Uint8Array[] = [];
  private encoding = 'cp437';

  private raw(...bytes: number[]): this {
    this.parts.push(Uint8Array.from(bytes));
    return this;
  }

  bytes(data: Uint8Array): this {
    this.parts.push(data);
    return this;
  }

  init(): this {
    return this.raw(0x1b, 0x40);
  }

  /** Text in the current encoding (set with `codepage` or `cjk`). */
  text(s: string): this {
    this.parts.push(iconv.encode(s, this.encoding));
    return this;
  }

  line(s = ''): this {
    return this.text(s).raw(0x0a);
  }

  align(a: 'left' | 'center' | 'right'): this {
    return this.raw(0x1b, 0x61, a === 'left' ? 0 : a === 'center' ? 1 : 2);
  }

  bold(on: boolean): this {
    return this.raw(0x1b, 0x45, on ? 1 : 0);
  }

  underline(n: 0 | 1 | 2): this {
    return this.raw(0x1b, 0x2d, n);
  }

  invert(on: boolean): this {
    return this.raw(0x1d, 0x42, on ? 1 : 0);
  }

  size(width: number, height: number): this {
    return this.raw(0x1d, 0x21, ((width - 1) << 4) | (height - 1));
  }

  /** `ESC t n`, and the encoding the text that follows is written in. */
  codepage(n: number, encoding: string): this {
    this.encoding = encoding;
    return this.raw(0x1b, 0x74, n);
  }

  /** `FS &` into CJK mode (GB18030 by default), or `FS .` out of it. */
  cjk(on: boolean, encoding = 'gb18030'): this {
    if (on) this.encoding = encoding;
    else this.encoding = 'cp437';
    return this.raw(0x1c, on ? 0x26 : 0x2e);
  }

  /** The encoding of following text without any command: a printer that powers up in CJK mode. */
  assumeEncoding(encoding: string): this {
    this.encoding = encoding;
    return this;
  }

  international(n: number): this {
    return this.raw(0x1b, 0x52, n);
  }

  /** `FS ( C` fn 48: UTF-8 text (m = 2), or back to the 1-byte / CJK code system (m = 1). */
  utf8(on: boolean): this {
    this.encoding = on ? 'utf8' : 'cp437';
    return this.raw(0x1c, 0x28, 0x43, 2, 0, 0x30, on ? 2 : 1);
  }

  /** `ESC !`: print mode bits (1 font B, 8 bold, 16 double height, 32 double width, 128 underline). */
  printMode(n: number): this {
    return this.raw(0x1b, 0x21, n);
  }

  /** `FS !`: print mode of Kanji characters (4 double width, 8 double height, 128 underline). */
  kanjiMode(n: number): this {
    return this.raw(0x1c, 0x21, n);
  }

  feed(lines: number): this {
    return this.raw(0x1b, 0x64, lines);
  }

  /** `ESC D`: tab stops at these columns (ascending, at most 32). */
  tabStops(columns: readonly number[]): this {
    return this.raw(0x1b, 0x44, ...columns, 0);
  }

  tab(): this {
    return this.raw(0x09);
  }

  barcode(symbology: BuilderSymbology, data: string): this {
    const payload = symbology === 'code128' ? `{B${data}` : data;
    const bytes = iconv.encode(payload, 'latin1');
    return this.raw(0x1d, 0x6b, FORM_B[symbology], bytes.length).bytes(bytes);
  }

  qr(data: string, size = 6): this {
    const bytes = Buffer.from(data, 'utf8');
    const store = bytes.length + 3;
    return this.raw(0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0) // model 2
      .raw(0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x43, size)
      .raw(0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31)
      .raw(0x1d, 0x28, 0x6b, store & 0xff, store >> 8, 0x31, 0x50, 0x30)
      .bytes(bytes)
      .raw(0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30);
  }

  /** `GS v 0`: `bits` rows of ceil(width/8) bytes, MSB first, 1 = black. */
  raster(width: number, height: number, bits: Uint8Array): this {
    const x = Math.ceil(width / 8);
    if (bits.length !== x * height) throw new Error(`raster: expected ${x * height} bytes, got ${bits.length}`);
    return this.raw(0x1d, 0x76, 0x30, 0, x & 0xff, x >> 8, height & 0xff, height >> 8).bytes(bits);
  }

  /** A real-time status poll, as a POS sends between jobs. */
  pollStatus(n: 1 | 2 | 3 | 4): this {
    return this.raw(0x10, 0x04, n);
  }

  drawer(): this {
    return this.raw(0x1b, 0x70, 0, 25, 250);
  }

  cut(kind: 'full' | 'partial' = 'partial'): this {
    return this.raw(0x1d, 0x56, kind === 'full' ? 65 : 66, 3);
  }

  build(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/** A test picture: a framed checkerboard with a diagonal, `width` × `height` dots. */
export function testPattern(width: number, height: number): Uint8Array {
  const x = Math.ceil(width / 8);
  const out = new Uint8Array(x * height);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const frame = row < 2 || row >= height - 2 || col < 2 || col >= width - 2;
      const diag = Math.abs(col * height - row * width) < width * 2;
      const check = ((row >> 3) + (col >> 3)) % 2 === 0 && row % 16 < 8;
      if (frame || diag || check) out[row * x + (col >> 3)]! |= 0x80 >> (col & 7);
    }
  }
  return out;
}
