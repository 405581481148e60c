/**
 * The slip generator's tools: a paper writer over EscPosBuilder that knows the roll's width and
 * records what each line must print as, money and date formatting, Luhn, and the seeded choices.
 */
import iconv from 'iconv-lite';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { cellWidth } from '../../src/escpos/cell-width.js';
import { int, pick, type Rnd } from '../lib/prng.js';

export { int, pick, type Rnd };

/**
 * How the host sends text:
 *   ascii      — no code page command (code page 0);
 *   cp858      — `ESC t 19`, for € and accented letters;
 *   gb-fs      — GB18030 after `FS &`;
 *   gb-power   — GB18030 with no command at all (a clone printer that powers up in CJK mode);
 *   utf8       — `FS ( C` UTF-8.
 */
export type TextMode = 'ascii' | 'cp858' | 'gb-fs' | 'gb-power' | 'utf8';

export type Align = 'left' | 'center' | 'right';

export interface LineStyle {
  readonly align?: Align;
  readonly bold?: boolean;
  /** Character width and height multipliers. */
  readonly w?: 1 | 2;
  readonly h?: 1 | 2;
}

const ENCODING: Record<TextMode, string> = {
  ascii: 'cp437',
  cp858: 'cp858',
  'gb-fs': 'gb18030',
  'gb-power': 'gb18030',
  utf8: 'utf8',
};

/** True when `p` is hit, for a probability 0–1. */
export const chance = (rnd: Rnd, p: number): boolean => rnd() < p;

/** A weighted choice: `[[value, weight], …]`. */
export function weighted<T>(rnd: Rnd, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((a, [, w]) => a + w, 0);
  let x = rnd() * total;
  for (const [v, w] of table) {
    x -= w;
    if (x < 0) return v;
  }
  return table[table.length - 1]![0];
}

export const digits = (rnd: Rnd, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(int(rnd, 10));
  return s;
};

export const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A paper roll being printed on: the bytes, and the text each printed line must decode to. */
export class Paper {
  readonly b = new EscPosBuilder();
  /** Every line printed, in order, as it must read once decoded ('' for a blank line). */
  readonly lines: string[] = [];
  /** `ESC R 15` in force: `$` prints as ¥, so ¥ in the text is sent as `$`. */
  private yen = false;
  private readonly encoding: string;

  constructor(
    readonly width: number,
    readonly mode: TextMode,
  ) {
    this.encoding = ENCODING[mode];
    this.b.init();
    if (mode === 'cp858') this.b.codepage(19, 'cp858');
    else if (mode === 'gb-fs') this.b.cjk(true);
    else if (mode === 'gb-power') this.b.assumeEncoding('gb18030');
    else if (mode === 'utf8') this.b.utf8(true);
  }

  get cjk(): boolean {
    return this.mode === 'gb-fs' || this.mode === 'gb-power' || this.mode === 'utf8';
  }

  /** Whether a half-width ¥ can be printed: ESC R 15 in force, or UTF-8. */
  get halfYen(): boolean {
    return this.yen || this.mode === 'utf8';
  }

  /** `ESC R 15` (China): the printer prints `$` as ¥. */
  chinaSet(): this {
    this.yen = true;
    this.b.international(15);
    return this;
  }

  /** Columns available to a line printed `w` times wide. */
  cols(w = 1): number {
    return Math.floor(this.width / w);
  }

  fits(text: string, w = 1): boolean {
    return cellWidth(text) <= this.cols(w);
  }

  private send(text: string): void {
    let out = text;
    if (this.yen) {
      if (text.includes('$')) throw new Error(`"$" prints as ¥ under ESC R 15: ${text}`);
      out = text.replaceAll('¥', '$');
    }
    const bytes = iconv.encode(out, this.encoding);
    if (iconv.decode(bytes, this.encoding) !== out) throw new Error(`not encodable in ${this.encoding}: ${text}`);
    this.b.bytes(bytes);
  }

  /** One printed line. Lines never run past the roll: the POS lays text out itself. */
  line(text: string, st: LineStyle = {}): this {
    const w = st.w ?? 1;
    const h = st.h ?? 1;
    if (!this.fits(text, w)) throw new Error(`line wider than ${this.cols(w)} columns: "${text}"`);
    const align = st.align ?? 'left';
    if (align !== 'left') this.b.align(align);
    if (st.bold) this.b.bold(true);
    const sized = w > 1 || h > 1;
    if (sized) this.b.size(w, h);
    this.send(text);
    this.b.line();
    if (sized) this.b.size(1, 1);
    if (st.bold) this.b.bold(false);
    if (align !== 'left') this.b.align('left');
    this.lines.push(text);
    return this;
  }

  /**
   * A double-size line sent the way Chinese POS software often does it: `ESC !` for the ASCII
   * characters and `FS !` for the Chinese ones, both reset after the line.
   */
  bigLineEscMode(text: string, align: Align = 'center'): this {
    if (!this.fits(text, 2)) throw new Error(`line wider than ${this.cols(2)} columns: "${text}"`);
    if (align !== 'left') this.b.align(align);
    this.b.printMode(0x38);
    if (this.cjk) this.b.kanjiMode(0x0c);
    this.send(text);
    this.b.line();
    this.b.printMode(0);
    if (this.cjk) this.b.kanjiMode(0);
    if (align !== 'left') this.b.align('left');
    this.lines.push(text);
    return this;
  }

  fitsMixed(label: string, value: string, w: number): boolean {
    return cellWidth(label) + cellWidth(value) * w <= this.width;
  }

  /** A line whose style changes mid-line: `label` plain, `value` in the given style. */
  mixed(label: string, value: string, st: { bold?: boolean; w?: 1 | 2; h?: 1 | 2 }): this {
    const w = st.w ?? 1;
    const h = st.h ?? 1;
    if (!this.fitsMixed(label, value, w)) throw new Error(`line too wide: "${label}${value}"`);
    this.send(label);
    if (st.bold) this.b.bold(true);
    if (w > 1 || h > 1) this.b.size(w, h);
    this.send(value);
    this.b.line();
    if (w > 1 || h > 1) this.b.size(1, 1);
    if (st.bold) this.b.bold(false);
    this.lines.push(label + value);
    return this;
  }

  /** `left` and `right` on one line, `right` against the right edge, or null when they do not fit. */
  lr(left: string, right: string, minGap = 1): string | null {
    const gap = this.width - cellWidth(left) - cellWidth(right);
    return gap >= minGap ? left + ' '.repeat(gap) + right : null;
  }

  /** Columns laid out with spaces: each cell padded to its width (negative: right-aligned). */
  columns(cells: readonly string[], widths: readonly number[]): string {
    let out = '';
    cells.forEach((c, i) => {
      const w = widths[i]!;
      const room = Math.abs(w) - cellWidth(c);
      const fill = ' '.repeat(Math.max(0, room));
      out += w < 0 ? fill + c : c + fill;
    });
    return out.trimEnd();
  }

  /** `ESC D` tab stops for the lines that `tabLine` prints. */
  private stops: readonly number[] = [];
  tabStops(stops: readonly number[]): this {
    this.stops = stops;
    this.b.tabStops(stops);
    return this;
  }

  /** Cells separated by HT: the printer moves to the next tab stop, as the interpreter does. */
  tabLine(cells: readonly string[]): this {
    let expect = '';
    cells.forEach((c, i) => {
      if (i > 0) {
        this.b.tab();
        const col = cellWidth(expect);
        const stop = this.stops.find((t) => t > col);
        if (stop !== undefined) expect += ' '.repeat(Math.max(1, stop - col));
      }
      this.send(c);
      expect += c;
    });
    if (!this.fits(expect)) throw new Error(`tab line wider than ${this.width}: "${expect}"`);
    this.b.line();
    this.lines.push(expect);
    return this;
  }

  /** A sentence laid out over as many lines as the roll needs (words kept whole; CJK breaks anywhere). */
  wrapped(text: string, st: LineStyle = {}): this {
    const cols = this.cols(st.w ?? 1);
    let line = '';
    const tokens = text.match(/[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+/g) ?? [];
    for (const tok of tokens) {
      if (/^\s+$/.test(tok)) {
        if (line !== '') line += ' ';
        continue;
      }
      if (cellWidth(line + tok) > cols && line.trim() !== '') {
        this.line(line.trimEnd(), st);
        line = '';
      }
      line += tok;
    }
    if (line.trim() !== '') this.line(line.trimEnd(), st);
    return this;
  }

  blank(n = 1): this {
    for (let i = 0; i < n; i++) {
      this.b.line();
      this.lines.push('');
    }
    return this;
  }

  rule(ch = '-'): this {
    return this.line(ch.repeat(Math.floor(this.width / cellWidth(ch))));
  }

  centered(text: string, st: LineStyle = {}): this {
    return this.line(text, { ...st, align: 'center' });
  }

  /** Feed and cut: the end of the slip. */
  finish(rnd: Rnd): Uint8Array {
    this.b.feed(2 + int(rnd, 4));
    if (chance(rnd, 0.1)) this.b.pollStatus(1);
    this.b.cut(chance(rnd, 0.7) ? 'partial' : 'full');
    return this.b.build();
  }
}

// ---- money -----------------------------------------------------------------------------------

/** 128000 → "1280.00", or with thousands "1,280.00"; European style "1.280,00". */
export function money(minor: number, opts: { thousands?: boolean; comma?: boolean } = {}): string {
  const units = Math.floor(minor / 100);
  const cents = pad(minor % 100, 2);
  let u = String(units);
  if (opts.thousands) u = u.replace(/\B(?=(\d{3})+(?!\d))/g, opts.comma ? '.' : ',');
  return `${u}${opts.comma ? ',' : '.'}${cents}`;
}

/** A realistic amount in minor units: mostly tens to hundreds, now and then thousands. */
export function amount(rnd: Rnd, big = false): number {
  const r = rnd();
  if (big || r < 0.05) return 100_000 + int(rnd, 1_500_000); // 1,000.00 – 16,000.00
  if (r < 0.3) return 100 + int(rnd, 4_900); // 1.00 – 50.00
  if (r < 0.45) return 100 * (5 + int(rnd, 300)); // whole yuan / dollars
  return 1_000 + int(rnd, 49_000); // 10.00 – 500.00
}

// ---- dates -----------------------------------------------------------------------------------

export interface When {
  readonly y: number;
  readonly mo: number;
  readonly d: number;
  readonly h: number;
  readonly mi: number;
  readonly s: number;
}

export function when(rnd: Rnd): When {
  const y = pick(rnd, [2025, 2026, 2026, 2026, 2027]);
  const mo = 1 + int(rnd, 12);
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { y, mo, d: 1 + int(rnd, dim), h: 7 + int(rnd, 16), mi: int(rnd, 60), s: int(rnd, 60) };
}

/** ISO 8601 local time, seconds ":00" when the slip does not print them. */
export function iso(t: When, withSeconds = true): string {
  return `${t.y}-${pad(t.mo, 2)}-${pad(t.d, 2)}T${pad(t.h, 2)}:${pad(t.mi, 2)}:${withSeconds ? pad(t.s, 2) : '00'}`;
}

export const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

export const hms = (t: When): string => `${pad(t.h, 2)}:${pad(t.mi, 2)}:${pad(t.s, 2)}`;
export const hm = (t: When): string => `${pad(t.h, 2)}:${pad(t.mi, 2)}`;
export const ymd = (t: When, sep: string): string => `${t.y}${sep}${pad(t.mo, 2)}${sep}${pad(t.d, 2)}`;
/** 12-hour clock: "9:10 PM". */
export const ampm = (t: When, seconds: boolean): string =>
  `${((t.h + 11) % 12) + 1}:${pad(t.mi, 2)}${seconds ? `:${pad(t.s, 2)}` : ''} ${t.h < 12 ? 'AM' : 'PM'}`;

// ---- cards -----------------------------------------------------------------------------------

export function luhnValid(num: string): boolean {
  let sum = 0;
  for (let i = 0; i < num.length; i++) {
    let d = num.charCodeAt(num.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A full card number: prefix, random body, Luhn check digit. */
export function pan(rnd: Rnd, prefix: string, length: number): string {
  const body = prefix + digits(rnd, length - prefix.length - 1);
  for (let c = 0; c < 10; c++) if (luhnValid(body + c)) return body + c;
  throw new Error('unreachable');
}

/** The masked form head office keeps: first 6 and last 4 digits, `*` between. */
export const maskPan = (p: string): string => p.slice(0, 6) + '*'.repeat(p.length - 10) + p.slice(-4);

/** Groups of four, as many slips print card numbers. */
export const group4 = (s: string): string => s.replace(/(.{4})(?=.)/g, '$1 ');
