/**
 * Statement bytes → text, with the encoding named explicitly: statements come from Windows
 * exports in GBK as often as in UTF-8 (with or without a BOM). Without an explicit encoding the
 * bytes decide: a UTF-8 BOM, else valid UTF-8 (pure ASCII included), else GBK (read with the
 * GB18030 table, a superset, so no GBK byte pair is lost). A UTF-16 BOM (Excel's "Unicode text",
 * tab-separated) is honoured too.
 */
import iconv from 'iconv-lite';
import { StatementError } from './errors.js';

/** The encodings a caller may name. */
export const TEXT_ENCODINGS = ['auto', 'utf-8', 'gbk', 'gb18030'] as const;
export type TextEncodingOption = (typeof TEXT_ENCODINGS)[number];

/** What was found: as ParsedStatement.encoding reports it. */
export type FoundEncoding = 'utf-8' | 'utf-8-bom' | 'gbk' | 'gb18030' | 'utf-16le' | 'utf-16be';

export interface DecodedText {
  readonly text: string;
  readonly encoding: FoundEncoding;
}

const BOM = [0xef, 0xbb, 0xbf] as const;
const hasBom = (b: Uint8Array): boolean => b.length >= 3 && b[0] === BOM[0] && b[1] === BOM[1] && b[2] === BOM[2];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function tryUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The 1-based line of byte `at`, for an encoding error. */
function lineOf(bytes: Uint8Array, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The first byte offset at which `bytes` stops being valid UTF-8. */
function firstBadUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}

function decodeGb(bytes: Uint8Array, name: 'gbk' | 'gb18030'): string {
  const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030');
  const bad = text.indexOf('\ufffd');
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new StatementError('STATEMENT_ENCODING', `bytes that are not ${name.toUpperCase()} text`, { line });
  }
  return text;
}

export function decodeStatement(bytes: Uint8Array, option: TextEncodingOption = 'auto'): DecodedText {
  if (bytes.length === 0) throw new StatementError('STATEMENT_EMPTY_FILE', 'the file is empty (0 bytes)');
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(2)), encoding };
    } catch {
      throw new StatementError('STATEMENT_ENCODING', `bytes that are not ${encoding.toUpperCase()} text after a UTF-16 byte order mark`);
    }
  }
  const bom = hasBom(bytes);
  const body = bom ? bytes.subarray(3) : bytes;
  if (option === 'gbk' || option === 'gb18030') {
    // A BOM says UTF-8 whatever the caller believed: decoding it as GBK would only make mojibake.
    if (!bom) return { text: decodeGb(body, option), encoding: option };
  }
  if (option === 'utf-8' || bom) {
    const text = tryUtf8(body);
    if (text === null) {
      const at = firstBadUtf8(body);
      throw new StatementError('STATEMENT_ENCODING', 'bytes that are not UTF-8 text', { line: lineOf(body, at) });
    }
    return { text, encoding: bom ? 'utf-8-bom' : 'utf-8' };
  }
  const text = tryUtf8(body);
  if (text !== null) return { text, encoding: 'utf-8' };
  return { text: decodeGb(body, 'gbk'), encoding: 'gbk' };
}
