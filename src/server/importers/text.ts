/**
 * Statement bytes → text, with the encoding named explicitly: statements come from Windows
 * exports in GBK as often as in UTF-8 (with or without a BOM). Without an explicit encoding the
 * bytes decide: a UTF-8 BOM, else valid UTF-8 (pure ASCII included), else GBK (read with the
 * GB18030 table, a superset, so no GBK byte pair is lost). A UTF-16 BOM (Excel's "Unicode text",
 * tab-separated) is honoured too.
 */
import iconv from 'iconv-lite';
import { chunksOf, CHUNK_BYTES, lineAtByte, scanBytes, withHead, type ByteScan, type ByteSource } from './bytes.js';
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

/** Decoded text, a piece at a time, and the encoding it was read with. */
export interface DecodedStream {
  readonly encoding: FoundEncoding;
  /** The text as the file holds it (line endings untouched), in pieces of about a chunk. */
  readonly pieces: Iterable<string>;
}

function* utf16(chunks: Iterable<Uint8Array>, encoding: 'utf-16le' | 'utf-16be'): Generator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let first = true;
  try {
    for (const chunk of chunks) {
      yield decoder.decode(first ? chunk.subarray(2) : chunk, { stream: true });
      first = false;
    }
    yield decoder.decode();
  } catch (err) {
    if (err instanceof StatementError) throw err;
    throw new StatementError('STATEMENT_ENCODING', `bytes that are not ${encoding.toUpperCase()} text after a UTF-16 byte order mark`);
  }
}

/** Known valid (scanBytes said so): decoded without checks. */
function* utf8(chunks: Iterable<Uint8Array>, bom: boolean): Generator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let first = bom;
  for (const chunk of chunks) {
    yield decoder.decode(first ? chunk.subarray(3) : chunk, { stream: true });
    first = false;
  }
  yield decoder.decode();
}

/** GBK read with the GB18030 table (a superset, so no GBK byte pair is lost); a byte it cannot read is refused with its line. */
function* gb(chunks: Iterable<Uint8Array>, name: 'gbk' | 'gb18030'): Generator<string> {
  const decoder = iconv.getDecoder('gb18030');
  let lines = 1;
  const checked = (text: string): string => {
    const bad = text.indexOf('\ufffd');
    if (bad >= 0) {
      for (let i = text.indexOf('\n'); i >= 0 && i < bad; i = text.indexOf('\n', i + 1)) lines++;
      throw new StatementError('STATEMENT_ENCODING', `bytes that are not ${name.toUpperCase()} text`, { line: lines });
    }
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    return text;
  };
  for (const chunk of chunks) yield checked(decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  const rest = decoder.end();
  if (rest) yield checked(rest);
}

/**
 * The source's text, decoded a chunk at a time with the encoding `option` names or the bytes
 * decide (as the module comment says). `scan` is the source's scanBytes; the encoding is decided
 * on it before any text is read, so a file is never half read in one encoding and then another.
 */
export function decodeSource(source: ByteSource, scan: ByteScan, option: TextEncodingOption = 'auto', chunkBytes = CHUNK_BYTES): DecodedStream {
  if (scan.size === 0) throw new StatementError('STATEMENT_EMPTY_FILE', 'the file is empty (0 bytes)');
  const chunks = (): Iterable<Uint8Array> => withHead(chunksOf(source, chunkBytes), 3);
  if (scan.bom === 'utf-16le' || scan.bom === 'utf-16be') return { encoding: scan.bom, pieces: utf16(chunks(), scan.bom) };
  const bom = scan.bom === 'utf-8';
  // A BOM says UTF-8 whatever the caller believed: decoding it as GBK would only make mojibake.
  if ((option === 'gbk' || option === 'gb18030') && !bom) return { encoding: option, pieces: gb(chunks(), option) };
  if (option === 'utf-8' || bom) {
    if (scan.badUtf8At !== null) {
      throw new StatementError('STATEMENT_ENCODING', 'bytes that are not UTF-8 text', { line: lineAtByte(source, scan.badUtf8At, chunkBytes) });
    }
    return { encoding: bom ? 'utf-8-bom' : 'utf-8', pieces: utf8(chunks(), bom) };
  }
  if (scan.badUtf8At === null) return { encoding: 'utf-8', pieces: utf8(chunks(), false) };
  return { encoding: 'gbk', pieces: gb(chunks(), 'gbk') };
}

/** The whole text of `bytes` at once (decodeSource joined). */
export function decodeStatement(bytes: Uint8Array, option: TextEncodingOption = 'auto'): DecodedText {
  const { encoding, pieces } = decodeSource(bytes, scanBytes(bytes), option);
  let text = '';
  for (const p of pieces) text += p;
  return { text, encoding };
}
