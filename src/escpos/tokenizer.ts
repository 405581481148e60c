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
 * Text runs are cut into pieces of at most this many bytes so that memory stays bounded on a
 * stream with no control bytes at all. The cut depends only on the run's start, never on chunking.
 */
export const TEXT_MAX = 8192;

export class Tokenizer {
  private readonly rows: ReadonlyArray<ReadonlyArray<CommandDef | undefined> | undefined>;
  private parts: Uint8Array[] = [];
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
    if (this.ended) throw new Error('Tokenizer.push after end()');
    const out: Token[] | undefined = sink ? undefined : [];
    const emit: TokenSink = sink ?? ((t) => out!.push(t));
    if (chunk.length === 0) return out;
    if (this.partsLen > 0) {
      this.parts.push(chunk);
      this.partsLen += chunk.length;
      // A long command arriving in small pieces is gathered, not re-scanned each time.
      if (this.need > 0 && this.partsLen < this.need) return out;
      const work = concat(this.parts, this.partsLen);
      this.parts = [];
      this.partsLen = 0;
      this.run(work, false, emit);
    } else {
      this.run(chunk, false, emit);
    }
    return out;
  }

  /** Flush: whatever is carried becomes a text or `truncated` token. */
  end(): Token[];
  end(sink: TokenSink): void;
  end(sink?: TokenSink): Token[] | void {
    const out: Token[] | undefined = sink ? undefined : [];
    const emit: TokenSink = sink ?? ((t) => out!.push(t));
    if (!this.ended && this.partsLen > 0) {
      const work = concat(this.parts, this.partsLen);
      this.parts = [];
      this.partsLen = 0;
      this.run(work, true, emit);
    }
    this.ended = true;
    return out;
  }

  /** Absolute offset up to which all bytes have been emitted as tokens. */
  get consumed(): number {
    return this.offset;
  }

  private run(work: Uint8Array, atEnd: boolean, emit: TokenSink): void {
    const rows = this.rows;
    const n = work.length;
    const base = this.offset;
    let i = 0;
    this.need = 0;
    while (i < n) {
      const b = work[i]!;
      if (b >= 0x20) {
        const lim = i + TEXT_MAX < n ? i + TEXT_MAX : n;
        let j = i + 1;
        while (j < lim && work[j]! >= 0x20) j++;
        if (j === n && j - i < TEXT_MAX && !atEnd) break;
        emit({ kind: 'text', offset: base + i, raw: work.subarray(i, j) });
        i = j;
        continue;
      }
      const row = rows[b];
      if (row === undefined) {
        emit({ kind: 'control', offset: base + i, raw: work.subarray(i, i + 1), code: b });
        i++;
        continue;
      }
      if (i + 1 >= n) {
        if (atEnd) emit({ kind: 'truncated', offset: base + i, raw: work.subarray(i, n), cmd: null });
        else break;
        i = n;
        continue;
      }
      const b1 = work[i + 1]!;
      const def = row[b1];
      if (def === undefined) {
        // An introducer followed by a control byte or another introducer is a stray on its own.
        const len = b1 < 0x20 ? 1 : 2;
        emit({ kind: 'unknown', offset: base + i, raw: work.subarray(i, i + len) });
        i += len;
        continue;
      }
      const len = def.len(work, i, n - i);
      if (len === INVALID) {
        emit({ kind: 'unknown', offset: base + i, raw: work.subarray(i, i + 2) });
        i += 2;
        continue;
      }
      if (len === NEED_MORE || i + len > n) {
        if (!atEnd) {
          this.need = len === NEED_MORE ? 0 : len;
          break;
        }
        emit({ kind: 'truncated', offset: base + i, raw: work.subarray(i, n), cmd: def });
        i = n;
        continue;
      }
      emit({ kind: 'command', offset: base + i, raw: work.subarray(i, i + len), cmd: def });
      i += len;
    }
    this.offset = base + i;
    if (i < n) {
      this.parts = [work.subarray(i)];
      this.partsLen = n - i;
    }
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Tokenize a whole buffer at once. */
export function tokenize(input: Uint8Array, table?: CommandTable): Token[] {
  const t = new Tokenizer(table);
  return [...t.push(input), ...t.end()];
}
