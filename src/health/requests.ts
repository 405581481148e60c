/**
 * The host → printer side: which status queries were sent (so that each reply can be given to the
 * one who asked), whether the stream stands at a command boundary (the only place another command
 * may go in), and whether automatic status back is on. Reads the stream with the project's
 * tokenizer, so a `DLE EOT` inside image data is data, not a query.
 */
import { CLONE_TABLE, type CommandDef, type CommandTable } from '../escpos/commands.js';
import { type TokenHandler, Tokenizer } from '../escpos/tokenizer.js';

/**
 * The reply a query expects, by shape:
 * - `status`: one `0xx1xx10` byte (DLE EOT);
 * - `byte`: one byte with bits 4 and 7 clear (GS I 1–3, GS r, ESC v, ESC u);
 * - `block`: `0x37|0x5F|0x3B … 0x00` (GS I 65–69/111/112, GS ( H, DLE DC4 8).
 */
export type ReplyClass = 'status' | 'byte' | 'block';

export interface Query {
  /** How a person writes it: `DLE EOT 1`, `GS I 67`, `GS r 1`. */
  readonly name: string;
  readonly cls: ReplyClass;
  /** The parameter that says what the reply means (DLE EOT n, GS r n, GS I n); null when unknown. */
  readonly n: number | null;
}

/** Something the host stream said that matters for health. */
export type HostItem =
  | { readonly kind: 'query'; readonly query: Query; readonly offset: number }
  | { readonly kind: 'asb'; readonly enabled: boolean; readonly offset: number }
  /** ESC @: initialise (also turns ASB off). */
  | { readonly kind: 'reset'; readonly offset: number };

/** The query a command token is, or null. `raw` starts at the command's first byte. */
export function queryOf(cmd: CommandDef, raw: Uint8Array): Query | null {
  const n = raw.length >= 3 ? raw[2]! : -1;
  switch (cmd.id) {
    case 'DLE EOT':
      // The 4-byte forms (n = 7, 8, 18) answer in ways not decoded here; still a status-class
      // reply that belongs to whoever asked.
      return raw.length === 3 ? { name: `DLE EOT ${n}`, cls: 'status', n } : { name: `DLE EOT ${n} ${raw[3] ?? ''}`.trim(), cls: 'status', n: null };
    case 'GS I':
      if ((n >= 1 && n <= 3) || (n >= 49 && n <= 51)) return { name: `GS I ${n}`, cls: 'byte', n };
      if ((n >= 64 && n <= 69) || n === 111 || n === 112) return { name: `GS I ${n}`, cls: 'block', n };
      return null;
    case 'GS r':
      if (n === 1 || n === 2 || n === 4 || n === 49 || n === 50 || n === 52) return { name: `GS r ${n}`, cls: 'byte', n };
      return null;
    case 'ESC v':
      return { name: 'ESC v', cls: 'byte', n: null };
    case 'ESC u':
      return { name: `ESC u ${n}`, cls: 'byte', n: null };
    case 'GS (':
      return raw[2] === 0x48 ? { name: 'GS ( H', cls: 'block', n: null } : null;
    case 'DLE DC4':
      return n === 8 ? { name: 'DLE DC4 8', cls: 'block', n: null } : null;
    default:
      return null;
  }
}

function hasIntroducer(bytes: Uint8Array): boolean {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const x of INTRODUCERS) if (b.indexOf(x) >= 0) return true;
  return false;
}

/** The queries the agent itself sends: real-time status, which changes nothing in the printer. */
export const POLL_QUERIES: readonly Query[] = [1, 2, 3, 4].map((n) => ({ name: `DLE EOT ${n}`, cls: 'status' as const, n }));
export const POLL_BYTES = Buffer.from([0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4]);

/** Bytes that start a multi-byte command in any ESC/POS table (the only way into a query). */
const INTRODUCERS = [0x10, 0x1b, 0x1c, 0x1d] as const;

export class HostStream {
  private tokenizer: Tokenizer;
  private readonly table: CommandTable;
  /** Stream offset where the current tokenizer started (a fresh one after a run of plain text). */
  private base = 0;
  /** The last bytes went by the fast path (plain text, not tokenized). */
  private skippedLast = false;
  /** The tokenizer has been fed since it was made. */
  private fed = false;
  private readonly handler: TokenHandler;
  private items: HostItem[] = [];
  private total = 0;
  /** The first byte the tokenizer still carries (meaningful when it carries any). */
  private carriedFirst = -1;
  private last1 = -1;
  private last2 = -1;

  constructor(table: CommandTable = CLONE_TABLE) {
    this.table = table;
    this.tokenizer = new Tokenizer(table);
    const none = (): void => {};
    this.handler = {
      text: none,
      control: none,
      unknown: none,
      truncated: none,
      command: (cmd, buf, start, end, offset) => this.command(cmd, buf.subarray(start, end), this.base + offset),
    };
  }

  /** Feeds host bytes (in the order they reach the printer); returns what they said. */
  push(bytes: Uint8Array): HostItem[] {
    if (bytes.length === 0) return [];
    const start = this.total;
    const carried = this.total - this.consumed;
    if ((carried === 0 || this.carriedFirst >= 0x20) && !hasIntroducer(bytes)) {
      // Plain text and single control bytes only, and no command cut off before it: nothing here
      // can be a query or leave a command open. Skip the tokenizer (it is the relay's largest
      // cost on long text streams); a fresh one starts after these bytes.
      this.total += bytes.length;
      this.base = this.total;
      // A fresh tokenizer only when the current one has read something (not one per chunk of a
      // long text stream).
      if (this.fed) this.tokenizer = new Tokenizer(this.table);
      this.fed = false;
      this.carriedFirst = -1;
      this.skippedLast = true;
      this.last2 = bytes.length >= 2 ? bytes[bytes.length - 2]! : this.last1;
      this.last1 = bytes[bytes.length - 1]!;
      return [];
    }
    this.tokenizer.feed(bytes, this.handler);
    this.fed = true;
    this.total += bytes.length;
    this.skippedLast = false;
    const consumed = this.consumed;
    if (consumed < this.total && consumed >= start) {
      // The carried bytes now start in this chunk.
      this.carriedFirst = bytes[consumed - start]!;
    }
    this.last2 = bytes.length >= 2 ? bytes[bytes.length - 2]! : this.last1;
    this.last1 = bytes[bytes.length - 1]!;
    const out = this.items;
    this.items = [];
    return out;
  }

  /** Host bytes seen so far. */
  get offset(): number {
    return this.total;
  }

  /**
   * True when another command may go in here: no command is cut off, and the stream is not inside
   * a multi-byte character (text carried by the tokenizer is all right when its last two bytes are
   * ASCII: no lead byte of GBK, Big5, Shift-JIS, GB18030 or UTF-8 can be waiting for its trail).
   */
  get atBoundary(): boolean {
    if (this.consumed < this.total) return this.carriedFirst >= 0x20 && this.last1 < 0x80 && this.last2 < 0x80;
    // After skipped plain text the last bytes may be a character's first half.
    if (this.skippedLast) return this.last1 < 0x20 || (this.last1 < 0x80 && this.last2 < 0x80);
    return true;
  }

  /** Stream offset up to which the tokenizer has emitted tokens. */
  private get consumed(): number {
    return this.base + this.tokenizer.consumed;
  }

  private command(cmd: CommandDef, raw: Uint8Array, offset: number): void {
    if (cmd.id === 'ESC @') {
      this.items.push({ kind: 'reset', offset });
      return;
    }
    if (cmd.id === 'GS a') {
      this.items.push({ kind: 'asb', enabled: (raw[2] ?? 0) !== 0, offset });
      return;
    }
    const query = queryOf(cmd, raw);
    if (query) this.items.push({ kind: 'query', query, offset });
  }
}
