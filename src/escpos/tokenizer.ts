/**
 * The incremental, length-aware ESC/POS tokenizer: a pure state machine over bytes.
 *
 * Invariants (each has a test): the raw bytes of all tokens concatenate to the input; the tokens do
 * not depend on how the input was split into chunks; declared lengths are capped; unknown commands
 * never swallow following text; an unfinished command at the end is `truncated`.
 *
 * Tokens borrow their `raw` bytes from the chunks pushed in (no copy where a token lies within one
 * chunk), so callers must not reuse a chunk's memory while its tokens are alive.
 */
import { type CommandDef, type CommandTable, EPSON_TABLE } from './commands.js';
import { INVALID, NEED_MORE } from './lengths.js';

interface TokenBase {
  /** Offset of the first byte in the whole stream. */
  readonly offset: number;
  readonly raw: Uint8Array;
}
/** A run of printable bytes (≥ 0x20), still undecoded: the code page is the interpreter's business. */
export interface TextToken extends TokenBase {
  readonly kind: 'text';
}
/** A single byte below 0x20 that is not an introducer: LF, CR, HT, FF, CAN, NUL, strays. */
export interface ControlToken extends TokenBase {
  readonly kind: 'control';
  readonly code: number;
}
export interface CommandToken extends TokenBase {
  readonly kind: 'command';
  readonly cmd: CommandDef;
}
/** An introducer and the byte after it that make no command we know; nothing more is consumed. */
export interface UnknownToken extends TokenBase {
  readonly kind: 'unknown';
}
/** A command cut off by the end of the input. */
export interface TruncatedToken extends TokenBase {
  readonly kind: 'truncated';
  readonly cmd: CommandDef | null;
}
export type Token = TextToken | ControlToken | CommandToken | UnknownToken | TruncatedToken;
export type TokenSink = (token: Token) => void;

/**
 * The allocation-free way to receive tokens: each token as a range `[start, end)` of `buf`, with
 * its stream offset. The interpreter takes tokens this way; `push()` without a handler builds
 * Token objects from the same calls.
 */
export interface TokenHandler {
  /** `ascii`: no byte of the run is 0x80 or above (found while the run's end was looked for). */
  text(buf: Buffer, start: number, end: number, offset: number, ascii: boolean): void;
  control(code: number, offset: number): void;
  command(cmd: CommandDef, buf: Buffer, start: number, end: number, offset: number): void;
  unknown(buf: Buffer, start: number, end: number, offset: number): void;
  truncated(cmd: CommandDef | null, buf: Buffer, start: number, end: number, offset: number): void;
}

function objectHandler(sink: TokenSink): TokenHandler {
  return {
    text: (buf, start, end, offset) => sink({ kind: 'text', offset, raw: buf.subarray(start, end) }),
    control: (code, offset) => sink({ kind: 'control', offset, raw: Uint8Array.of(code), code }),
    command: (cmd, buf, start, end, offset) => sink({ kind: 'command', offset, raw: buf.subarray(start, end), cmd }),
    unknown: (buf, start, end, offset) => sink({ kind: 'unknown', offset, raw: buf.subarray(start, end) }),
    truncated: (cmd, buf, start, end, offset) => sink({ kind: 'truncated', offset, raw: buf.subarray(start, end), cmd }),
  };
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * Text runs are cut into pieces of at most this many bytes so that memory stays bounded on a
 * stream with no control bytes at all. The cut depends only on the run's start, never on chunking.
 */
export const TEXT_MAX = 8192;

/** How much of a chunk is joined to a carried token of unknown length at first. */
const CARRY_PEEK = 256;

export class Tokenizer {
  private readonly rows: ReadonlyArray<ReadonlyArray<CommandDef | undefined> | undefined>;
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Total bytes the carried command needs, when its header told us; 0 when unknown yet. */
  private need = 0;
  /** Absolute offset of the first carried byte (or of the next byte when nothing is carried). */
  private offset = 0;
  private ended = false;

  constructor(table: CommandTable = EPSON_TABLE) {
    const rows = new Array<ReadonlyArray<CommandDef | undefined> | undefined>(256).fill(undefined);
    for (const [intro, row] of table.byIntro) rows[intro] = row;
    this.rows = rows;
  }

  /** Feed a chunk; complete tokens go to `sink` (or are returned when no sink is given). */
  push(chunk: Uint8Array): Token[];
  push(chunk: Uint8Array, sink: TokenSink): void;
  push(chunk: Uint8Array, sink?: TokenSink): Token[] | void {
    const out: Token[] = [];
    this.feed(chunk, objectHandler(sink ?? ((t) => out.push(t))));
    return sink ? undefined : out;
  }

  /** Flush: whatever is carried becomes a text or `truncated` token. */
  end(): Token[];
  end(sink: TokenSink): void;
  end(sink?: TokenSink): Token[] | void {
    const out: Token[] = [];
    this.finish(objectHandler(sink ?? ((t) => out.push(t))));
    return sink ? undefined : out;
  }

  /** `push` without Token objects. */
  feed(chunk: Uint8Array, h: TokenHandler): void {
    if (this.ended) throw new Error('Tokenizer.push after end()');
    if (chunk.length === 0) return;
    const buf = asBuffer(chunk);
    if (this.partsLen === 0) {
      this.run(buf, false, h);
      return;
    }
    // A command of known length takes only the bytes it still needs: the rest of the chunk is
    // read in place, not copied along with it (an image across every chunk boundary would
    // otherwise copy every chunk).
    if (this.need > 0) {
      const take = Math.min(buf.length, this.need - this.partsLen);
      this.parts.push(take === buf.length ? buf : buf.subarray(0, take));
      this.partsLen += take;
      // A long command arriving in small pieces is gathered, not re-scanned each time.
      if (this.partsLen < this.need) return;
      this.runCarried(h);
      if (take < buf.length) this.feed(buf.subarray(take), h);
      return;
    }
    // A token of unknown length (a text run, a command header) is finished by the first bytes of
    // the chunk, almost always: those are joined to it, and once the tokens reach into the chunk
    // the rest is read in place. Copying the whole chunk along with the carry cost a copy of
    // nearly every chunk of a stream (most chunks end inside a line of text).
    const chunkAt = this.offset + this.partsLen;
    if (buf.length > CARRY_PEEK) {
      this.parts.push(buf.subarray(0, CARRY_PEEK));
      this.partsLen += CARRY_PEEK;
      this.runCarried(h);
      const into = this.offset - chunkAt;
      if (into >= 0) {
        // The carried bytes are all in tokens now; what was carried again lies in this chunk.
        this.parts = [];
        this.partsLen = 0;
        if (into < buf.length) this.feed(buf.subarray(into), h);
        return;
      }
      // Still inside the carried token. A command whose length is known now takes what it needs;
      // anything else is joined to the whole chunk, as a short chunk is.
      if (this.need > 0) {
        this.feed(buf.subarray(CARRY_PEEK), h);
        return;
      }
      this.parts.push(buf.subarray(CARRY_PEEK));
      this.partsLen += buf.length - CARRY_PEEK;
    } else {
      this.parts.push(buf);
      this.partsLen += buf.length;
    }
    this.runCarried(h);
  }

  /** Tokenize the carried bytes joined (they end where the input so far ends). */
  private runCarried(h: TokenHandler): void {
    const work = concat(this.parts, this.partsLen);
    this.parts = [];
    this.partsLen = 0;
    this.run(work, false, h);
  }

  /** `end` without Token objects. */
  finish(h: TokenHandler): void {
    if (!this.ended && this.partsLen > 0) {
      const work = concat(this.parts, this.partsLen);
      this.parts = [];
      this.partsLen = 0;
      this.run(work, true, h);
    }
    this.ended = true;
  }

  /** Absolute offset up to which all bytes have been emitted as tokens. */
  get consumed(): number {
    return this.offset;
  }

  private run(work: Buffer, atEnd: boolean, h: TokenHandler): void {
    const rows = this.rows;
    const n = work.length;
    const base = this.offset;
    const words = new WordView(work);
    let i = 0;
    this.need = 0;
    while (i < n) {
      const b = work[i]!;
      if (b >= 0x20) {
        const lim = i + TEXT_MAX < n ? i + TEXT_MAX : n;
        const j = words.textEnd(i + 1, lim);
        if (j === n && j - i < TEXT_MAX && !atEnd) break;
        h.text(work, i, j, base + i, b < 0x80 && words.ascii);
        i = j;
        continue;
      }
      const row = rows[b];
      if (row === undefined) {
        h.control(b, base + i);
        i++;
        continue;
      }
      if (i + 1 >= n) {
        if (!atEnd) break;
        h.truncated(null, work, i, n, base + i);
        i = n;
        continue;
      }
      const b1 = work[i + 1]!;
      const def = row[b1];
      if (def === undefined) {
        // An introducer followed by a control byte or another introducer is a stray on its own.
        const len = b1 < 0x20 ? 1 : 2;
        h.unknown(work, i, i + len, base + i);
        i += len;
        continue;
      }
      const len = def.len(work, i, n - i);
      if (len === INVALID) {
        h.unknown(work, i, i + 2, base + i);
        i += 2;
        continue;
      }
      if (len === NEED_MORE || i + len > n) {
        if (!atEnd) {
          this.need = len === NEED_MORE ? 0 : len;
          break;
        }
        h.truncated(def, work, i, n, base + i);
        i = n;
        continue;
      }
      h.command(def, work, i, i + len, base + i);
      i += len;
    }
    this.offset = base + i;
    if (i < n) {
      this.parts = [work.subarray(i)];
      this.partsLen = n - i;
    }
  }
}

const NO_WORDS = new Uint32Array(0);

/**
 * A buffer read four bytes at a time where it is aligned: finding where a text run ends is the
 * tokenizer's hottest loop (text is most of a receipt), and a word with no byte below 0x20 is
 * skipped with one test.
 */
class WordView {
  private readonly words: Uint32Array;
  /** Bytes of the buffer before its first aligned word. */
  private readonly head: number;

  constructor(private readonly bytes: Buffer) {
    const at = bytes.byteOffset;
    const aligned = (at + 3) & ~3;
    this.head = Math.min(aligned - at, bytes.length);
    const count = Math.max(0, (bytes.length - this.head) >> 2);
    // `aligned` may lie past the end of a short buffer's memory: then there are no words at all.
    this.words = count > 0 ? new Uint32Array(bytes.buffer, aligned, count) : NO_WORDS;
  }

  /** Whether the bytes the last `textEnd` passed over were all below 0x80. */
  ascii = true;

  /**
   * The first index in [from, lim) of a byte below 0x20, or `lim`. On the way it notes whether
   * the bytes it passed are ASCII: the interpreter then decodes them without looking again.
   */
  textEnd(from: number, lim: number): number {
    const bytes = this.bytes;
    const head = this.head;
    let high = 0;
    let j = from;
    while (j < lim && ((j - head) & 3) !== 0) {
      const b = bytes[j]!;
      if (b < 0x20) {
        this.ascii = high < 0x80;
        return j;
      }
      high |= b;
      j++;
    }
    if (j < lim) {
      // j is aligned here: (j - head) is a multiple of 4.
      const words = this.words;
      let k = (j - head) >> 2;
      const last = (lim - head) >> 2; // words wholly before lim
      let highWords = 0;
      // Some byte of w is below 0x20 iff this is non-zero ("haszero" with 0x20 for 0; exact for < 0x80).
      while (k < last) {
        const w = words[k]!;
        if (((w - 0x20202020) & ~w & 0x80808080) !== 0) break;
        highWords |= w;
        k++;
      }
      if ((highWords & 0x80808080) !== 0) high = 0x80;
      j = head + (k << 2);
    }
    for (; j < lim; j++) {
      const b = bytes[j]!;
      if (b < 0x20) break;
      high |= b;
    }
    this.ascii = high < 0x80;
    return j;
  }
}

function concat(parts: Buffer[], total: number): Buffer {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** Tokenize a whole buffer at once. */
export function tokenize(input: Uint8Array, table?: CommandTable): Token[] {
  const t = new Tokenizer(table);
  return [...t.push(input), ...t.end()];
}
