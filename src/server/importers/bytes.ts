/**
 * A statement file's bytes as a source read a chunk at a time, never whole: a file on disk
 * (`tilltap import-statement`) or bytes already in memory (an HTTP body). Read once before parsing
 * (scanBytes: the content hash, the byte order mark, whether it is all valid UTF-8 — what the
 * encoding detection of text.ts decides on) and then again, chunk by chunk, by the parse.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** Bytes in memory, or a file read a chunk at a time. */
export type ByteSource = Uint8Array | { readonly path: string };

/** Read size: large enough to keep the per-chunk work small, small enough to be no memory at all. */
export const CHUNK_BYTES = 1 << 20;

/** The source's bytes in order, `size` at a time (the last chunk shorter); each call reads afresh. */
export function* chunksOf(source: ByteSource, size = CHUNK_BYTES): Generator<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let at = 0; at < source.length; at += size) yield source.subarray(at, Math.min(at + size, source.length));
    return;
  }
  const fd = openSync(source.path, 'r');
  try {
    for (;;) {
      // A fresh buffer per chunk: a consumer may keep a view of the previous one.
      const buf = Buffer.allocUnsafe(size);
      const n = readSync(fd, buf, 0, size, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

export type ByteOrderMark = 'utf-8' | 'utf-16le' | 'utf-16be' | null;

export interface ByteScan {
  readonly size: number;
  readonly sha256: string;
  readonly bom: ByteOrderMark;
  /** The offset of the first byte (after a UTF-8 BOM) where the file stops being valid UTF-8; null when it all is. */
  readonly badUtf8At: number | null;
}

/** Bytes a UTF-8 sequence led by `b` takes (0 for a continuation byte or one never valid). */
function seqLength(b: number): number {
  return b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
}

/** How many bytes at the end of `b` start a UTF-8 sequence that the next chunk completes. */
function openTail(b: Uint8Array): number {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const c = b[b.length - k]!;
    if ((c & 0xc0) === 0x80) continue;
    const n = seqLength(c);
    return n > k ? k : 0;
  }
  return 0;
}

/** The first byte offset at which `bytes` stops being valid UTF-8 (its length when it never does). */
export function firstBadUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const n = seqLength(bytes[i]!) - 1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}

/** The byte order mark that `head` (the file's first bytes, at least 3 unless the file is shorter) starts with. */
function bomOf(head: Uint8Array): ByteOrderMark {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/** The source's chunks with the first one at least `min` bytes long (unless the source is shorter). */
export function* withHead(chunks: Iterable<Uint8Array>, min: number): Generator<Uint8Array> {
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let through = false;
  for (const chunk of chunks) {
    if (through) {
      yield chunk;
      continue;
    }
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes >= min) {
      through = true;
      yield held.length === 1 ? chunk : Buffer.concat(held);
    }
  }
  if (!through && heldBytes > 0) yield Buffer.concat(held);
}

/** One read of the whole source: its hash, its byte order mark and its UTF-8 validity. */
export function scanBytes(source: ByteSource, chunkBytes = CHUNK_BYTES): ByteScan {
  const hash = createHash('sha256');
  let size = 0;
  let bom: ByteOrderMark = null;
  let badUtf8At: number | null = null;
  // Bytes of a sequence cut by the chunk boundary, checked with the next chunk.
  let carry: Uint8Array = new Uint8Array(0);
  let carryAt = 0;
  let first = true;
  for (const chunk of withHead(chunksOf(source, chunkBytes), 3)) {
    hash.update(chunk);
    let body = chunk;
    let bodyAt = size;
    if (first) {
      first = false;
      bom = bomOf(chunk);
      if (bom === 'utf-8') {
        body = chunk.subarray(3);
        bodyAt = 3;
      }
    }
    size += chunk.length;
    if (badUtf8At !== null || bom === 'utf-16le' || bom === 'utf-16be') continue;
    let part = body;
    let partAt = bodyAt;
    if (carry.length > 0) {
      part = Buffer.concat([carry, body]);
      partAt = carryAt;
    }
    const tail = openTail(part);
    const whole = part.subarray(0, part.length - tail);
    if (!isUtf8(whole)) badUtf8At = partAt + firstBadUtf8(whole);
    carry = part.slice(part.length - tail);
    carryAt = partAt + part.length - tail;
  }
  // A sequence still open at the end of the file is cut short.
  if (badUtf8At === null && carry.length > 0) badUtf8At = carryAt;
  return { size, sha256: hash.digest('hex'), bom, badUtf8At };
}

/** The 1-based line of byte `at` of the source (an error path: reads up to it again). */
export function lineAtByte(source: ByteSource, at: number, chunkBytes = CHUNK_BYTES): number {
  let line = 1;
  let pos = 0;
  for (const chunk of chunksOf(source, chunkBytes)) {
    const end = Math.min(chunk.length, at - pos);
    for (let i = chunk.indexOf(0x0a); i >= 0 && i < end; i = chunk.indexOf(0x0a, i + 1)) line++;
    pos += chunk.length;
    if (pos >= at) break;
  }
  return line;
}
