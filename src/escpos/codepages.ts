/**
 * Byte runs → strings. Single-byte code pages through iconv-lite where it has them and through
 * config/codepages.json (vendor tables) where it does not; CJK multi-byte encodings and UTF-8
 * through iconv-lite. Runs are decoded whole, never a byte at a time.
 */
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { configPath } from '../paths.js';

export type TextDecodeFn = (bytes: Uint8Array) => string;

export const CJK_ENCODINGS = ['gb18030', 'big5', 'shift_jis', 'euc-kr', 'utf-8'] as const;
export type CjkEncoding = (typeof CJK_ENCODINGS)[number];

const decoders = new Map<string, TextDecodeFn>();
let vendorTables: Record<string, string> | undefined;

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

function asciiOnly(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
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

/** A table decoder for a code page whose upper half is a 128-character string. */
function tableDecoder(upper: string): TextDecodeFn {
  const chars = Array.from(upper);
  const codes = new Uint16Array(256);
  for (let i = 0; i < 128; i++) codes[i] = i;
  for (let i = 0; i < 128; i++) codes[128 + i] = chars[i]!.charCodeAt(0);
  return (bytes) => {
    const out = new Uint16Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = codes[bytes[i]!]!;
    return Buffer.from(out.buffer, 0, out.byteLength).toString('utf16le');
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
  const table = loadVendorTables()[name];
  if (table !== undefined && !name.startsWith('_')) {
    const slow = tableDecoder(table);
    fn = (bytes) => (asciiOnly(bytes) ? latin1(bytes) : slow(bytes));
  } else {
    const enc = iconvName(name);
    if (!iconv.encodingExists(enc)) throw new Error(`unknown encoding "${name}"`);
    // Most receipt text is ASCII: skip iconv for it (every encoding here keeps ASCII as is,
    // Shift-JIS's ¥ at 0x5C aside, which printers print as a backslash anyway).
    fn = (bytes) => (asciiOnly(bytes) ? latin1(bytes) : iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), enc));
  }
  decoders.set(name, fn);
  return fn;
}

export function decodeBytes(bytes: Uint8Array, name: string): string {
  return decoderFor(name)(bytes);
}
