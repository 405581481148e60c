/**
 * The annotated view of a live line for `tilltap trace`: each command by name with its parameters,
 * text as text, replies decoded against the query that asked for them. Pure: bytes in, entries out.
 */
import { CLONE_TABLE, type CommandTable, commandId } from '../escpos/commands.js';
import { decodeBytes } from '../escpos/codepages.js';
import { type TokenHandler, Tokenizer } from '../escpos/tokenizer.js';
import { HostStream } from './requests.js';
import { ReplyRouter, type Seen } from './router.js';
import type { StatusBits } from './types.js';

export interface TraceEntry {
  /** ms since the epoch. */
  readonly t: number;
  readonly dir: 'to-printer' | 'from-printer';
  readonly kind: 'command' | 'text' | 'control' | 'unknown' | 'truncated' | 'reply' | 'asb' | 'xon' | 'xoff' | 'other';
  /** `GS V`, `LF`, `DLE EOT 4 reply`. */
  readonly name: string;
  /** What it does / what it said, in words. */
  readonly note: string;
  /** Parameter bytes (at most 16 shown), for commands. */
  readonly params?: readonly number[];
  /** Payload bytes beyond the shown parameters (images, codes). */
  readonly dataBytes?: number;
  /** Text, decoded. */
  readonly text?: string;
  /** The raw bytes in hex (at most 32 shown). */
  readonly hex: string;
}

const CONTROL_NAMES: Record<number, string> = { 0x00: 'NUL', 0x09: 'HT', 0x0a: 'LF', 0x0c: 'FF', 0x0d: 'CR', 0x18: 'CAN' };
const CONTROL_NOTES: Record<number, string> = { 0x09: 'horizontal tab', 0x0a: 'print and line feed', 0x0c: 'print and return to standard mode / eject', 0x0d: 'carriage return', 0x18: 'cancel print data in page mode', 0x00: 'padding' };

const hexOf = (b: Uint8Array, max = 32): string => {
  const s = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, max)).toString('hex').replace(/(..)/g, '$1 ').trim();
  return b.length > max ? `${s} …(${b.length} bytes)` : s;
};

/** The conditions a reply reports, in words ("cover open, paper end"); "ok" when none. */
export function describeBits(b: StatusBits): string {
  const words: string[] = [];
  if (b.offline) words.push('offline');
  if (b.coverOpen) words.push('cover open');
  if (b.paperOut || b.paperEndStop) words.push('paper end');
  else if (b.paperNearEnd) words.push('paper near end');
  if (b.cutterError) words.push('cutter error');
  if (b.unrecoverableError) words.push('unrecoverable error');
  if (b.mechanicalError) words.push('mechanical error');
  if (b.autoRecoverableError) words.push('auto-recoverable error');
  if (b.waitingRecovery) words.push('waiting for recovery');
  if (b.errorOccurred && !b.cutterError && !b.unrecoverableError && !b.autoRecoverableError && !b.mechanicalError) words.push('error');
  if (b.feedButton) words.push('feed button pressed');
  if (b.feeding) words.push('feeding by button');
  if (b.drawerHigh !== undefined) words.push(`drawer pin 3 ${b.drawerHigh ? 'high' : 'low'}`);
  return words.length === 0 || words.every((w) => w.startsWith('drawer')) ? ['ok', ...words].join(', ') : words.join(', ');
}

/** One session of a line: what went to the printer and what came back. */
export class LineAnnotator {
  private readonly tokenizer: Tokenizer;
  private readonly host: HostStream;
  private readonly router = new ReplyRouter({ posTimeoutMs: 10_000 });
  private readonly handler: TokenHandler;
  private out: TraceEntry[] = [];
  private t = 0;

  constructor(
    private readonly encoding = 'gb18030',
    table: CommandTable = CLONE_TABLE,
  ) {
    this.tokenizer = new Tokenizer(table);
    this.host = new HostStream(table);
    this.handler = {
      text: (buf, start, end) => {
        const raw = buf.subarray(start, end);
        this.emit({ dir: 'to-printer', kind: 'text', name: 'text', note: '', text: this.decode(raw), hex: hexOf(raw) });
      },
      control: (code) => {
        this.emit({
          dir: 'to-printer',
          kind: 'control',
          name: CONTROL_NAMES[code] ?? `0x${code.toString(16).padStart(2, '0')}`,
          note: CONTROL_NOTES[code] ?? 'stray control byte',
          hex: code.toString(16).padStart(2, '0'),
        });
      },
      command: (cmd, buf, start, end) => {
        const raw = buf.subarray(start, end);
        const id = commandId(cmd, raw);
        const skip = id.split(' ').length;
        const rest = raw.subarray(skip);
        const shown = Math.min(rest.length, 16);
        this.emit({
          dir: 'to-printer',
          kind: 'command',
          name: id,
          note: cmd.name,
          params: [...rest.subarray(0, shown)],
          ...(rest.length > shown ? { dataBytes: rest.length - shown } : {}),
          hex: hexOf(raw),
        });
      },
      unknown: (buf, start, end) => {
        const raw = buf.subarray(start, end);
        this.emit({ dir: 'to-printer', kind: 'unknown', name: 'unknown', note: 'not a command tilltap knows', hex: hexOf(raw) });
      },
      truncated: (cmd, buf, start, end) => {
        const raw = buf.subarray(start, end);
        this.emit({ dir: 'to-printer', kind: 'truncated', name: cmd ? commandId(cmd, raw) : 'truncated', note: 'cut off by the end of the stream', hex: hexOf(raw) });
      },
    };
  }

  /** POS → printer bytes. */
  toPrinter(bytes: Uint8Array, t: number): TraceEntry[] {
    this.t = t;
    for (const item of this.host.push(bytes)) if (item.kind === 'query') this.router.sent('pos', item.query, t);
    this.tokenizer.feed(bytes, this.handler);
    return this.take();
  }

  /** Printer → POS bytes. */
  fromPrinter(bytes: Uint8Array, t: number): TraceEntry[] {
    this.t = t;
    this.router.expire(t);
    for (const s of this.router.received(bytes, t).seen) this.reply(s);
    return this.take();
  }

  /** The session ended: whatever is cut off. */
  end(t: number): TraceEntry[] {
    this.t = t;
    this.tokenizer.finish(this.handler);
    return this.take();
  }

  private reply(s: Seen): void {
    const f = 'from-printer' as const;
    switch (s.kind) {
      case 'status':
        this.emit({
          dir: f,
          kind: 'reply',
          name: s.query ? `${s.query.name} reply` : 'status reply',
          note: s.bits ? describeBits(s.bits) : 'a status byte nobody asked for',
          hex: s.byte.toString(16).padStart(2, '0'),
        });
        return;
      case 'byte':
        this.emit({ dir: f, kind: 'reply', name: `${s.query.name} reply`, note: s.bits ? describeBits(s.bits) : `value ${s.byte}`, hex: s.byte.toString(16).padStart(2, '0') });
        return;
      case 'block': {
        const body = s.bytes.subarray(1, s.bytes[s.bytes.length - 1] === 0 ? -1 : undefined);
        this.emit({ dir: f, kind: 'reply', name: `${s.query.name} reply`, note: '', text: body.toString('latin1'), hex: hexOf(s.bytes) });
        return;
      }
      case 'asb':
        this.emit({ dir: f, kind: 'asb', name: 'ASB', note: describeBits(s.bits), hex: hexOf(s.frame) });
        return;
      case 'xon':
      case 'xoff':
        this.emit({ dir: f, kind: s.kind, name: s.kind.toUpperCase(), note: s.kind === 'xoff' ? 'printer buffer full: stop sending' : 'printer ready again', hex: s.kind === 'xon' ? '11' : '13' });
        return;
      case 'other':
        this.emit({ dir: f, kind: 'other', name: 'byte', note: 'not a reply to any query seen', hex: s.byte.toString(16).padStart(2, '0') });
        return;
    }
  }

  private decode(raw: Uint8Array): string {
    try {
      return decodeBytes(raw, this.encoding);
    } catch {
      return Buffer.from(raw).toString('latin1');
    }
  }

  private emit(e: Omit<TraceEntry, 't'>): void {
    this.out.push({ t: this.t, ...e });
  }

  private take(): TraceEntry[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/** One entry as a line of text: `14:01:07.120 → GS V 0  cut paper`. */
export function formatEntry(e: TraceEntry, session?: string): string {
  const d = new Date(e.t);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  const arrow = e.dir === 'to-printer' ? '→' : '←';
  const who = session ? ` [${session.slice(0, 8)}]` : '';
  let body: string;
  if (e.kind === 'text') body = `"${(e.text ?? '').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  else if (e.kind === 'command') {
    const params = e.params && e.params.length > 0 ? ` ${e.params.join(' ')}` : '';
    body = `${e.name}${params}${e.dataBytes ? ` (+${e.dataBytes} bytes of data)` : ''}  ${e.note}`;
  } else if (e.kind === 'reply' && e.text !== undefined) body = `${e.name}: "${e.text}"`;
  else body = `${e.name}${e.note ? `  ${e.note}` : ''}${e.kind === 'reply' || e.kind === 'asb' || e.kind === 'other' || e.kind === 'unknown' ? ` [${e.hex}]` : ''}`;
  return `${time}${who} ${arrow} ${body}`;
}
