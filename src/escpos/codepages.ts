/**
 * Byte runs → strings. Single-byte code pages through iconv-lite where it has them and through
 * config/codepages.json (vendor tables) where it does not; CJK multi-byte encodings and UTF-8
 * through iconv-lite. Runs are decoded whole, never a byte at a time.
 */
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { configPath } from '../paths.js';

/** Decodes `buf[start, end)`. */
export type TextDecodeFn = (buf: Buffer, start: number, end: number) => string;

export const CJK_ENCODINGS = ['gb18030', 'big5', 'shift_jis', 'euc-kr', 'utf-8'] as const;
export type CjkEncoding = (typeof CJK_ENCODINGS)[number];

const decoders = new Map<string, TextDecodeFn>();
let vendorTables: Record<string, string> | undefined;

/**
 * Whether `buf[start, end)` is all ASCII. Four bytes at a time over the aligned middle: a batch of
 * receipt lines is often all ASCII, and then this check is most of the decoding.
 */
export function asciiOnly(buf: Uint8Array, start: number, end: number): boolean {
  // Byte by byte at first: text that is not ASCII usually shows it early (then no view is made).
  const head = Math.min(end, start + 32);
  for (let i = start; i < head; i++) if (buf[i]! >= 0x80) return false;
  const first = Math.min(end, head + ((4 - ((buf.byteOffset + head) & 3)) & 3));
  for (let i = head; i < first; i++) if (buf[i]! >= 0x80) return false;
  const words = (end - first) >> 2;
  if (words > 0) {
    const view = new Uint32Array(buf.buffer, buf.byteOffset + first, words);
    for (let k = 0; k < words; k++) if ((view[k]! & 0x80808080) !== 0) return false;
  }
  for (let i = first + (words << 2); i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

function loadVendorTables(): Record<string, string> {
  if (!vendorTables) {
    vendorTables = JSON.parse(readFileSync(configPath('codepages.json'), 'utf8')) as Record<string, string>;
  }
  return vendorTables;
}

function iconvName(name: string): string {
  switch (name) {
    case 'shift_jis':
      return 'shiftjis';
    case 'euc-kr':
      return 'euckr';
    default:
      return name;
  }
}

/**
 * UTF-16 scratch space for table decoding, reused: each call's string is copied out of it by
 * `toString`, so one buffer serves every run (a fresh one per run cost as much as the decoding).
 * `scratch32` is the same memory seen two characters at a time.
 */
let scratch = new Uint16Array(4096);
let scratch32 = new Uint32Array(scratch.buffer);

/** Words are taken apart low byte first; elsewhere the byte loop does it all. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * A single-byte decoder over a 256-entry table. ASCII-only runs, the common case, come out as
 * one-byte strings (`latin1`) without going through the table. Other runs are read four bytes at
 * a time where the input is aligned, and written two characters at a time.
 */
function byteTableDecoder(codes: Uint16Array, asciiKept: boolean): TextDecodeFn {
  const fn: TextDecodeFn = (buf, start, end) => {
    if (asciiKept && asciiOnly(buf, start, end)) return buf.toString('latin1', start, end);
    const n = end - start;
    if (scratch.length < n + 1) {
      // An even length: the same memory is also seen as 32-bit words.
      scratch = new Uint16Array(Math.max((n + 2) & ~1, scratch.length * 2));
      scratch32 = new Uint32Array(scratch.buffer);
    }
    const out = scratch;
    const out32 = scratch32;
    const at = buf.byteOffset + start;
    // Bytes before the first aligned word; the output starts one character in when that count
    // is odd, so that the words' characters fall on aligned pairs.
    const head = Math.min(n, (4 - (at & 3)) & 3);
    const shift = head & 1;
    let i = 0;
    for (; i < head; i++) out[shift + i] = codes[buf[start + i]!]!;
    const words = LITTLE_ENDIAN ? (n - head) >> 2 : 0;
    if (words > 0) {
      const input = new Uint32Array(buf.buffer, at + head, words);
      let k = (shift + head) >> 1;
      for (let j = 0; j < words; j++) {
        const w = input[j]!;
        out32[k++] = codes[w & 0xff]! | (codes[(w >>> 8) & 0xff]! << 16);
        out32[k++] = codes[(w >>> 16) & 0xff]! | (codes[w >>> 24]! << 16);
      }
      i += words << 2;
    }
    for (; i < n; i++) out[shift + i] = codes[buf[start + i]!]!;
    return Buffer.from(out.buffer, shift * 2, n * 2).toString('utf16le');
  };
  oneToOne.add(fn);
  if (asciiKept) keepsAscii.add(fn);
  return fn;
}

/** Decoders that turn every byte into exactly one UTF-16 unit: text offsets are byte offsets. */
const oneToOne = new WeakSet<TextDecodeFn>();

/** Whether `fn` gives one UTF-16 unit per byte, so that a stretch may be decoded whole and cut. */
export function isOneToOne(fn: TextDecodeFn): boolean {
  return oneToOne.has(fn);
}

/** Decoders that give ASCII bytes as the same characters (every one but the 7-bit national tables). */
const keepsAscii = new WeakSet<TextDecodeFn>();

/** Whether `fn` decodes ASCII bytes to the same characters, as latin1 does. */
export function decodesAsciiAsIs(fn: TextDecodeFn): boolean {
  return keepsAscii.has(fn);
}

/**
 * A vendor table: `table` is the upper half (128 characters, ASCII below) or all 256 characters
 * (7-bit national pages whose letters sit in the ASCII range).
 */
function tableDecoder(table: string): TextDecodeFn {
  const chars = Array.from(table);
  const codes = new Uint16Array(256);
  const from = chars.length === 256 ? 0 : 128;
  for (let i = 0; i < 256; i++) codes[i] = i >= from ? chars[i - from]!.charCodeAt(0) : i;
  return byteTableDecoder(codes, from === 128);
}

/**
 * The table of an iconv-lite code page that maps each byte to one UTF-16 unit on its own, or null
 * for multi-byte and stateful encodings. Tables are read from iconv-lite itself, so a table decoder
 * gives exactly iconv-lite's text; it is faster because it writes into reused space. Every byte is
 * decoded alone and after every high byte: a multi-byte encoding joins some such pair.
 */
function iconvByteTable(enc: string): Uint16Array | null {
  const decode = iconvDecoder(enc);
  const codes = new Uint16Array(256);
  const pair = Buffer.alloc(2);
  for (let i = 0; i < 256; i++) {
    pair[0] = i;
    const one = decode(pair, 0, 1);
    if (one.length !== 1) return null;
    codes[i] = one.charCodeAt(0);
  }
  for (let hi = 0x80; hi < 0x100; hi++) {
    pair[0] = hi;
    for (let b = 0; b < 0x100; b++) {
      pair[1] = b;
      const two = decode(pair, 0, 2);
      if (two.length !== 2 || two.charCodeAt(0) !== codes[hi] || two.charCodeAt(1) !== codes[b]) return null;
    }
  }
  return codes;
}

/**
 * iconv-lite through one reused decoder: `decode()` would look the codec up and build a decoder
 * for every run. Each run is complete (`end()` flushes and resets the decoder's state).
 */
function iconvDecoder(enc: string): TextDecodeFn {
  const decoder = iconv.getDecoder(enc);
  return (buf, start, end) => {
    const text = decoder.write(buf.subarray(start, end));
    const rest = decoder.end();
    return rest ? text + rest : text;
  };
}

/**
 * Where the platform's GB18030 decoder (ICU, WHATWG) gives other text than iconv-lite on valid
 * input: the 18 two-byte codes (A6 xx, FE xx) whose code points GB18030-2022 moved out of the
 * private use area. Checked by test/escpos/codepages.test.ts over every 1-, 2- and 4-byte sequence.
 */
const MOVED_A6 = byteSet([0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xec, 0xed, 0xf3]);
const MOVED_FE = byteSet([0x59, 0x61, 0x66, 0x67, 0x6d, 0x7e, 0x90, 0xa0]);

function byteSet(bytes: readonly number[]): Uint8Array {
  const set = new Uint8Array(256);
  for (const b of bytes) set[b] = 1;
  return set;
}

/**
 * Whether `lead` is followed by one of `trails` anywhere in the run (aligned or not: a false
 * alarm only costs the slow decoder). Buffer#indexOf is memchr: cheaper than a regex over the text.
 */
function holdsMoved(run: Buffer, lead: number, trails: Uint8Array): boolean {
  for (let i = run.indexOf(lead); i >= 0 && i + 1 < run.length; i = run.indexOf(lead, i + 1)) {
    if (trails[run[i + 1]!] === 1) return true;
  }
  return false;
}

/**
 * GB18030 through the platform's decoder, about three times iconv-lite's speed, with iconv-lite's
 * text: any invalid sequence (whose replacement differs between the two) and the GB18030-2022
 * code points are decoded again by iconv-lite.
 */
function gb18030Decoder(): TextDecodeFn {
  const slow = iconvDecoder('gb18030');
  let fast: TextDecoder;
  try {
    fast = new TextDecoder('gb18030', { fatal: true });
  } catch {
    return slow; // a Node built without full ICU
  }
  return (buf, start, end) => {
    const run = buf.subarray(start, end);
    let text: string;
    try {
      text = fast.decode(run);
    } catch {
      return slow(buf, start, end);
    }
    return holdsMoved(run, 0xa6, MOVED_A6) || holdsMoved(run, 0xfe, MOVED_FE) ? slow(buf, start, end) : text;
  };
}

/** Whether tilltap can decode `name` (a code page or a CJK encoding). */
export function hasEncoding(name: string): boolean {
  return iconv.encodingExists(iconvName(name)) || name in loadVendorTables();
}

/** The decoder for a code page or multi-byte encoding; throws for a name we do not know. */
export function decoderFor(name: string): TextDecodeFn {
  let fn = decoders.get(name);
  if (fn) return fn;
  fn = makeDecoder(name);
  decoders.set(name, fn);
  return fn;
}

function makeDecoder(name: string): TextDecodeFn {
  const table = name.startsWith('_') ? undefined : loadVendorTables()[name];
  if (table !== undefined) return tableDecoder(table);
  const enc = iconvName(name);
  if (!iconv.encodingExists(enc)) throw new Error(`unknown encoding "${name}"`);
  const codes = iconvByteTable(enc);
  if (codes) return byteTableDecoder(codes, asciiKept(codes));
  const slow = enc === 'gb18030' ? gb18030Decoder() : iconvDecoder(enc);
  // Most receipt text is ASCII, which every multi-byte encoding here keeps as is: skip the codec.
  const fn: TextDecodeFn = (buf, start, end) => (asciiOnly(buf, start, end) ? buf.toString('latin1', start, end) : slow(buf, start, end));
  keepsAscii.add(fn);
  return fn;
}

/** Whether a byte table keeps ASCII as ASCII (then ASCII runs may be decoded as latin1). */
function asciiKept(codes: Uint16Array): boolean {
  for (let i = 0; i < 0x80; i++) if (codes[i] !== i) return false;
  return true;
}

export function decodeBytes(bytes: Uint8Array, name: string): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decoderFor(name)(buf, 0, buf.length);
}
