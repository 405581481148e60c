/**
 * How a printer answers the host: status bytes for a printer state, and a responder that finds
 * the queries in a byte stream with the project's tokenizer (so a `DLE EOT` inside image data or
 * any other length-prefixed payload is data, not a query) and produces the replies.
 *
 * Used by the TCP proxy's virtual printer (no printer behind it: answers as a healthy printer)
 * and by the printer simulator (any state, settable at any time).
 *
 * Bits are those of ../shared/docs/escpos-lengths.md, "Replies":
 *   DLE EOT n: one byte `0xx1xx10` (b & 0x93 == 0x12)
 *     n=1 bit 2 drawer pin 3, bit 3 offline, bit 5 waiting for recovery, bit 6 feed button
 *     n=2 bit 2 cover open, bit 3 feeding by button, bit 5 stopped at paper end, bit 6 error
 *     n=3 bit 2 mechanical, bit 3 cutter, bit 5 unrecoverable, bit 6 auto-recoverable
 *     n=4 bits 2+3 paper near end, bits 5+6 paper end
 *   ASB (after GS a n, n ≠ 0): 4 bytes, the first `0xx1xx00` (b & 0x93 == 0x10)
 *     byte 1 bit 2 drawer, 3 offline, 5 cover open, 6 feed button
 *     byte 2 bit 2 mechanical, 3 cutter, 5 unrecoverable, 6 auto-recoverable
 *     byte 3 bits 0+1 near end, bits 2+3 paper end; byte 4 0
 *   GS r n: one byte, b & 0x90 == 0 (n=1/49 paper sensor: bits 0+1 near end, 2+3 end;
 *     n=2/50 drawer: bit 0 pin 3)
 *   GS I n: n=1–3 / 49–51 one byte (b & 0x90 == 0); n=65–69 a block `0x5F text 0x00`.
 */
import { CLONE_TABLE, type CommandDef, type CommandTable } from '../../src/escpos/commands.js';
import { type TokenHandler, Tokenizer } from '../../src/escpos/tokenizer.js';

export type PrinterState =
  | 'healthy'
  | 'paper_near_end'
  | 'paper_out'
  | 'cover_open'
  | 'cutter_error'
  | 'offline'
  | 'unrecoverable'
  | 'overheat'
  | 'silent'
  | 'slow';

export const PRINTER_STATES: readonly PrinterState[] = [
  'healthy',
  'paper_near_end',
  'paper_out',
  'cover_open',
  'cutter_error',
  'offline',
  'unrecoverable',
  'overheat',
  'silent',
  'slow',
];

export function isPrinterState(s: string): s is PrinterState {
  return (PRINTER_STATES as readonly string[]).includes(s);
}

/** What `GS I` reports. */
export interface PrinterIdentity {
  /** GS I 66. */
  readonly maker: string;
  /** GS I 67. */
  readonly model: string;
  /** GS I 65. */
  readonly firmware: string;
  /** GS I 68. */
  readonly serial: string;
  /** GS I 69 (font of language). */
  readonly fonts: string;
  /** GS I 1 / 49: one byte, b & 0x90 == 0. */
  readonly modelId: number;
  /** GS I 2 / 50: bit 1 autocutter, bit 0 multi-byte characters. */
  readonly typeId: number;
  /** GS I 3 / 51. */
  readonly romVersionId: number;
}

export const DEFAULT_IDENTITY: PrinterIdentity = {
  maker: 'TILLTAP',
  model: 'SIM-80',
  firmware: '1.00 SIM',
  serial: 'SIM00000001',
  fonts: 'ANK',
  modelId: 0x20,
  typeId: 0x02,
  romVersionId: 0x40,
};

/** The conditions a status reply can report. */
export interface StatusFlags {
  readonly offline: boolean;
  readonly waitingRecovery: boolean;
  readonly coverOpen: boolean;
  readonly paperEndStop: boolean;
  readonly errorOccurred: boolean;
  readonly mechanicalError: boolean;
  readonly cutterError: boolean;
  readonly unrecoverableError: boolean;
  readonly autoRecoverableError: boolean;
  readonly paperNearEnd: boolean;
  readonly paperOut: boolean;
  /** Drawer kick-out connector pin 3 HIGH (DLE EOT 1 bit 2, ASB byte 1 bit 2, GS r 2 bit 0). */
  readonly drawerHigh: boolean;
}

const HEALTHY: StatusFlags = {
  offline: false,
  waitingRecovery: false,
  coverOpen: false,
  paperEndStop: false,
  errorOccurred: false,
  mechanicalError: false,
  cutterError: false,
  unrecoverableError: false,
  autoRecoverableError: false,
  paperNearEnd: false,
  paperOut: false,
  drawerHigh: true,
};

/** The status a printer in `state` reports (`silent` and `slow` report healthy when they answer). */
export function flagsFor(state: PrinterState, drawerHigh = true): StatusFlags {
  const base = { ...HEALTHY, drawerHigh };
  switch (state) {
    case 'healthy':
    case 'slow':
    case 'silent':
      return base;
    case 'paper_near_end':
      return { ...base, paperNearEnd: true };
    case 'paper_out':
      // The near-end sensor sees no paper either; printing stops at paper end and goes offline.
      return { ...base, offline: true, paperEndStop: true, paperNearEnd: true, paperOut: true };
    case 'cover_open':
      return { ...base, offline: true, coverOpen: true };
    case 'cutter_error':
      return { ...base, offline: true, waitingRecovery: true, errorOccurred: true, cutterError: true };
    case 'offline':
      return { ...base, offline: true };
    case 'unrecoverable':
      return { ...base, offline: true, errorOccurred: true, unrecoverableError: true };
    case 'overheat':
      // Auto-recoverable: the head cools down and the printer goes on by itself.
      return { ...base, offline: true, errorOccurred: true, autoRecoverableError: true };
  }
}

const bit = (on: boolean, mask: number): number => (on ? mask : 0);

/** The one-byte reply to `DLE EOT n` (n 1–4), or null for other n. */
export function dleEotByte(f: StatusFlags, n: number): number | null {
  switch (n) {
    case 1:
      return 0x12 | bit(f.drawerHigh, 0x04) | bit(f.offline, 0x08) | bit(f.waitingRecovery, 0x20);
    case 2:
      return 0x12 | bit(f.coverOpen, 0x04) | bit(f.paperEndStop, 0x20) | bit(f.errorOccurred, 0x40);
    case 3:
      return (
        0x12 |
        bit(f.mechanicalError, 0x04) |
        bit(f.cutterError, 0x08) |
        bit(f.unrecoverableError, 0x20) |
        bit(f.autoRecoverableError, 0x40)
      );
    case 4:
      return 0x12 | bit(f.paperNearEnd, 0x0c) | bit(f.paperOut, 0x60);
    default:
      return null;
  }
}

/** The 4-byte automatic status back frame. */
export function asbFrame(f: StatusFlags): Buffer {
  return Buffer.from([
    0x10 | bit(f.drawerHigh, 0x04) | bit(f.offline, 0x08) | bit(f.coverOpen, 0x20),
    bit(f.mechanicalError, 0x04) | bit(f.cutterError, 0x08) | bit(f.unrecoverableError, 0x20) | bit(f.autoRecoverableError, 0x40),
    bit(f.paperNearEnd, 0x03) | bit(f.paperOut, 0x0c),
    0x00,
  ]);
}

/** The one-byte reply to `GS r n`, or null for an n the simulator does not answer. */
export function gsrByte(f: StatusFlags, n: number): number | null {
  switch (n) {
    case 1:
    case 49:
      return bit(f.paperNearEnd, 0x03) | bit(f.paperOut, 0x0c);
    case 2:
    case 50:
      return bit(f.drawerHigh, 0x01);
    case 4:
    case 52:
      return 0x00;
    default:
      return null;
  }
}

/** The reply to `GS I n`, or null for an n the simulator does not answer. */
export function gsIReply(id: PrinterIdentity, n: number): Buffer | null {
  const one = (b: number): Buffer => Buffer.of(b & 0x6f);
  const block = (s: string): Buffer => Buffer.concat([Buffer.of(0x5f), Buffer.from(s.replace(/\0/g, ''), 'latin1'), Buffer.of(0x00)]);
  switch (n) {
    case 1:
    case 49:
      return one(id.modelId);
    case 2:
    case 50:
      return one(id.typeId);
    case 3:
    case 51:
      return one(id.romVersionId);
    case 65:
      return block(id.firmware);
    case 66:
      return block(id.maker);
    case 67:
      return block(id.model);
    case 68:
      return block(id.serial);
    case 69:
      return block(id.fonts);
    default:
      return null;
  }
}

/** A query the responder recognised, for diagnostics and tests. */
export interface AnsweredQuery {
  /** `DLE EOT 1`, `GS I 67`, `GS a 255`, `GS r 1`. */
  readonly query: string;
  /** Offset of the query in the stream the responder was fed. */
  readonly offset: number;
  readonly reply: Buffer;
}

export interface ResponderOptions {
  /** The printer's state now (a function: the state may change at any time). Default healthy. */
  readonly state?: PrinterState | (() => PrinterState);
  readonly identity?: Partial<PrinterIdentity>;
  /** Command table of the stream. Default CLONE_TABLE (Epson plus the Chinese clones). */
  readonly table?: CommandTable;
  /** Drawer pin 3 HIGH in replies (a function: the drawer may move at any time). Default true (DLE EOT 1 → 0x16). */
  readonly drawerHigh?: boolean | (() => boolean);
  /** Called for each query answered (or, when silent, not answered: reply empty). */
  readonly onQuery?: (q: AnsweredQuery) => void;
}

/**
 * Feeds the host → printer stream through the tokenizer and answers the status queries in it the
 * way a printer in the current state would. Keeps the ASB setting (`GS a n`; `ESC @` turns it off).
 */
export class StatusResponder {
  private readonly tokenizer: Tokenizer;
  private readonly stateOf: () => PrinterState;
  private readonly identity: PrinterIdentity;
  private readonly drawerHigh: () => boolean;
  private readonly onQuery: ((q: AnsweredQuery) => void) | undefined;
  private asb = false;
  private out: Buffer[] = [];
  private readonly handler: TokenHandler;

  constructor(opts: ResponderOptions = {}) {
    const st = opts.state ?? 'healthy';
    this.stateOf = typeof st === 'function' ? st : () => st;
    this.identity = { ...DEFAULT_IDENTITY, ...opts.identity };
    const dh = opts.drawerHigh ?? true;
    this.drawerHigh = typeof dh === 'function' ? dh : () => dh;
    this.onQuery = opts.onQuery;
    this.tokenizer = new Tokenizer(opts.table ?? CLONE_TABLE);
    const none = (): void => {};
    this.handler = {
      text: none,
      control: none,
      unknown: none,
      truncated: none,
      command: (cmd, buf, start, end, offset) => this.command(cmd, buf, start, end, offset),
    };
  }

  /** Whether automatic status back is on. */
  get asbEnabled(): boolean {
    return this.asb;
  }

  /** The current status flags. */
  flags(): StatusFlags {
    return flagsFor(this.stateOf(), this.drawerHigh());
  }

  /** Feeds host bytes; returns the replies to the queries completed by them (often empty). */
  push(bytes: Uint8Array): Buffer {
    this.tokenizer.feed(bytes, this.handler);
    if (this.out.length === 0) return EMPTY;
    const r = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    return r;
  }

  /** The ASB frame a printer sends on its own when its state changed, or null (ASB off, silent). */
  stateChanged(): Buffer | null {
    if (!this.asb || this.stateOf() === 'silent') return null;
    return asbFrame(this.flags());
  }

  private command(cmd: CommandDef, buf: Buffer, start: number, end: number, offset: number): void {
    const n = end - start >= 3 ? buf[start + 2]! : -1;
    let query: string | null = null;
    let reply: Buffer | null = null;
    switch (cmd.id) {
      case 'DLE EOT': {
        if (end - start !== 3) return; // the 4-byte forms (n = 7, 8, 18) are not answered
        query = `DLE EOT ${n}`;
        const b = dleEotByte(this.flags(), n);
        reply = b === null ? null : Buffer.of(b);
        break;
      }
      case 'GS I':
        query = `GS I ${n}`;
        reply = gsIReply(this.identity, n);
        break;
      case 'GS r': {
        query = `GS r ${n}`;
        const b = gsrByte(this.flags(), n);
        reply = b === null ? null : Buffer.of(b);
        break;
      }
      case 'GS a':
        query = `GS a ${n}`;
        this.asb = n !== 0;
        reply = this.asb ? asbFrame(this.flags()) : null;
        break;
      case 'ESC @':
        this.asb = false;
        return;
      default:
        return;
    }
    if (reply === null) return;
    if (this.stateOf() === 'silent') reply = EMPTY;
    if (reply.length > 0) this.out.push(reply);
    this.onQuery?.({ query, offset, reply });
  }
}

const EMPTY = Buffer.alloc(0);
