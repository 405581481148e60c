/**
 * The printed text of a stretch of raw ESC/POS bytes, as a string whose every UTF-16 unit knows the
 * bytes it came from. Redaction runs the decoder's own card-number guard (guardText) over this
 * string and writes `*` back over the bytes of the characters it masked, so the journal is masked
 * by the same rules as the decoded receipt, without needing the printer's code page state.
 *
 * Only `text` tokens contribute characters: bytes inside commands (image data, barcode and QR
 * payloads, parameters) are never part of the view and so never touched.
 *
 * Between text tokens the view puts what the decoder's line text would have there, because the
 * guard's rules look at neighbours (a run glued to letters, a label before it, one line or the
 * next): LF and FF end a line; style commands and ignored control bytes (CR, NUL…) are invisible
 * (the decoder joins the text on each side into one line, so a PAN split by `ESC E` is one run);
 * positioning commands are a tab; anything else that prints or feeds (cuts, images, codes,
 * feeds) ends the line.
 *
 * Bytes >= 0x80 are read the way a Chinese printer would most likely mean them, so that the
 * guard's Chinese labels (商户编号, 订单号…) are seen: a stretch that is valid UTF-8 as UTF-8,
 * otherwise GB18030 units (2-byte, and 4-byte with their digit bytes, which are not digits of a
 * number). In a single-byte code page this may pair two accented letters into one character: the
 * only effect is on what stands next to a digit run, and it errs towards masking.
 */
import type { Token } from '../escpos/tokenizer.js';
import iconv from 'iconv-lite';

export interface TextView {
  readonly text: string;
  /** For each UTF-16 unit of `text`: its bytes `[from[i], to[i])` in the input, or -1 if synthetic. */
  readonly from: readonly number[];
  readonly to: readonly number[];
}

/** ESC/POS (Epson and clones) commands that change no line: style, code page, settings, status. */
const EPSON_INVISIBLE = new Set([
  'ESC !', 'GS !', 'ESC E', 'ESC G', 'ESC -', 'GS B', 'ESC M', 'ESC a', 'ESC t', 'ESC R', 'ESC SP',
  'ESC {', 'ESC r', 'ESC %', 'ESC V', 'ESC 2', 'ESC 3', 'ESC =', 'ESC ?', 'ESC D', 'ESC p', 'ESC u',
  'ESC v', 'ESC c', 'ESC U', 'FS C', 'FS &', 'FS .', 'FS !', 'FS W', 'FS -', 'FS S', 'FS ?', 'GS b',
  'GS H', 'GS f', 'GS h', 'GS w', 'GS a', 'GS r', 'GS I', 'GS j', 'GS E', 'GS P', 'GS z', 'GS g',
  'DLE EOT', 'DLE ENQ', 'DLE DC4',
]);
const EPSON_POSITION = new Set(['ESC $', 'ESC \\', 'GS L', 'GS W', 'GS T', 'GS $', 'GS \\']);

const STAR_INVISIBLE = new Set([
  'ESC E', 'ESC F', 'ESC 4', 'ESC 5', 'ESC SO', 'ESC DC4', 'ESC -', 'ESC _', 'ESC W', 'ESC h', 'ESC i',
  'ESC R', 'ESC /', 'ESC 6', 'ESC 7', 'ESC M', 'ESC P', 'ESC :', 'ESC SP', 'ESC s', 'ESC 0', 'ESC 2',
  'ESC 1', 'ESC z', 'ESC D', 'ESC B', 'ESC BEL', 'ESC RS', 'ESC ACK', 'ESC C', 'ESC N', 'ESC O',
]);
const STAR_POSITION = new Set(['ESC l', 'ESC Q']);

/**
 * `map: false` builds the text alone (`from` and `to` empty): most receipts hold no card number, and
 * the text is all the guard needs to say so — the per-character map is built only when it found one.
 */
export function buildTextView(tokens: readonly Token[], base: number, dialect: string, map = true): TextView {
  const invisible = dialect === 'star-line' ? STAR_INVISIBLE : EPSON_INVISIBLE;
  const position = dialect === 'star-line' ? STAR_POSITION : EPSON_POSITION;
  const v = new ViewBuilder(map);
  for (const t of tokens) {
    switch (t.kind) {
      case 'text':
        v.text(t.raw, t.offset - base);
        break;
      case 'control':
        if (t.code === 0x0a || t.code === 0x0c) v.synthetic('\n');
        else if (t.code === 0x09) v.synthetic('\t');
        break;
      case 'command':
        if (invisible.has(t.cmd.id)) break;
        v.synthetic(position.has(t.cmd.id) ? '\t' : '\n');
        break;
      case 'unknown':
        break;
      case 'truncated':
        v.synthetic('\n');
        break;
    }
  }
  return v.done();
}

class ViewBuilder {
  private readonly parts: string[] = [];
  private readonly from: number[] = [];
  private readonly to: number[] = [];

  constructor(private readonly map: boolean) {}

  synthetic(ch: string): void {
    this.parts.push(ch);
    if (!this.map) return;
    this.from.push(-1);
    this.to.push(-1);
  }

  private unit(s: string, a: number, b: number): void {
    this.parts.push(s);
    if (!this.map) return;
    // An astral character is two UTF-16 units: both map to its bytes.
    for (let k = 0; k < s.length; k++) {
      this.from.push(a);
      this.to.push(b);
    }
  }

  /** ASCII bytes at `a`: one character each. */
  private ascii(s: string, a: number): void {
    this.parts.push(s);
    if (!this.map) return;
    for (let k = 0; k < s.length; k++) {
      this.from.push(a + k);
      this.to.push(a + k + 1);
    }
  }

  text(raw: Uint8Array, at: number): void {
    const n = raw.length;
    let i = 0;
    while (i < n) {
      const b = raw[i]!;
      if (b < 0x80) {
        // ASCII: digits, separators and Latin labels are what the guard reads.
        let j = i + 1;
        while (j < n && raw[j]! < 0x80) j++;
        this.ascii(Buffer.from(raw.buffer, raw.byteOffset + i, j - i).toString('latin1'), at + i);
        i = j;
        continue;
      }
      let j = i + 1;
      while (j < n && raw[j]! >= 0x80) j++;
      i = utf8Length(raw, i, j) === j - i ? this.utf8(raw, i, j, at) : this.gb(raw, i, j, at);
    }
  }

  private utf8(raw: Uint8Array, i: number, j: number, at: number): number {
    while (i < j) {
      const len = utf8Seq(raw, i, j);
      this.unit(Buffer.from(raw.buffer, raw.byteOffset + i, len).toString('utf8'), at + i, at + i + len);
      i += len;
    }
    return j;
  }

  /** GB18030 units from i; a 4-byte unit may run past j (its 2nd and 4th bytes are digits). */
  private gb(raw: Uint8Array, i: number, j: number, at: number): number {
    const n = raw.length;
    while (i < j) {
      const b = raw[i]!;
      let len = 1;
      if (b >= 0x81 && b <= 0xfe && i + 3 < n && isDigit(raw[i + 1]!) && raw[i + 2]! >= 0x81 && raw[i + 2]! <= 0xfe && isDigit(raw[i + 3]!)) len = 4;
      else if (b >= 0x81 && b <= 0xfe && i + 1 < j && raw[i + 1]! >= 0x80 && raw[i + 1]! <= 0xfe) len = 2;
      // GBK trail bytes 0x40–0x7E: ASCII letters and signs that are part of a Chinese character.
      else if (b >= 0x81 && b <= 0xfe && i + 1 < n && raw[i + 1]! >= 0x40 && raw[i + 1]! <= 0x7e) len = 2;
      const s = len === 1 ? String.fromCharCode(b) : iconv.decode(Buffer.from(raw.subarray(i, i + len)), 'gb18030') || '\ufffd';
      this.unit(s, at + i, at + i + len);
      i += len;
    }
    return i;
  }

  done(): TextView {
    return { text: this.parts.join(''), from: this.from, to: this.to };
  }
}

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

/** Length of the valid UTF-8 sequence at i (within j), 0 if there is none. */
function utf8Seq(raw: Uint8Array, i: number, j: number): number {
  const b = raw[i]!;
  const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > j) return 0;
  for (let k = 1; k < len; k++) if ((raw[i + k]! & 0xc0) !== 0x80) return 0;
  return len;
}

/** How many bytes of [i, j) are whole valid UTF-8 sequences from i on. */
function utf8Length(raw: Uint8Array, i: number, j: number): number {
  let k = i;
  while (k < j) {
    const len = utf8Seq(raw, k, j);
    if (len === 0) break;
    k += len;
  }
  return k - i;
}
