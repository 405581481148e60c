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

function asciiOnly(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
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
 * A table decoder: `table` is the upper half (128 characters, ASCII below) or all 256 characters
 * (7-bit national pages whose letters sit in the ASCII range).
 */
function tableDecoder(table: string): TextDecodeFn {
  const chars = Array.from(table);
  const codes = new Uint16Array(256);
  const from = chars.length === 256 ? 0 : 128;
  for (let i = 0; i < 256; i++) codes[i] = i >= from ? chars[i - from]!.charCodeAt(0) : i;
  return (buf, start, end) => {
    const out = new Uint16Array(end - start);
    for (let i = start; i < end; i++) out[i - start] = codes[buf[i]!]!;
    return Buffer.from(out.buffer, 0, out.byteLength).toString('utf16le');
  };
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

/** Whether tilltap can decode `name` (a code page or a CJK encoding). */
export function hasEncoding(name: string): boolean {
  return iconv.encodingExists(iconvName(name)) || name in loadVendorTables();
}

/** The decoder for a code page or multi-byte encoding; throws for a name we do not know. */
export function decoderFor(name: string): TextDecodeFn {
  let fn = decoders.get(name);
  if (fn) return fn;
  const table = name.startsWith('_') ? undefined : loadVendorTables()[name];
  let slow: TextDecodeFn;
  if (table !== undefined) {
    slow = tableDecoder(table);
    // A 7-bit page changes ASCII positions: no fast path for it.
    if (Array.from(table).length === 256) {
      decoders.set(name, slow);
      return slow;
    }
  } else {
    const enc = iconvName(name);
    if (!iconv.encodingExists(enc)) throw new Error(`unknown encoding "${name}"`);
    slow = iconvDecoder(enc);
  }
  // Most receipt text is ASCII, which every encoding here keeps as is: skip the codec for it.
  fn = (buf, start, end) => (asciiOnly(buf, start, end) ? buf.toString('latin1', start, end) : slow(buf, start, end));
  decoders.set(name, fn);
  return fn;
}

export function decodeBytes(bytes: Uint8Array, name: string): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decoderFor(name)(buf, 0, buf.length);
}
