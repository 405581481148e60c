/**
 * Statement dates and times → ISO 8601 local without zone ("2026-11-20T09:10:00"), the receipt
 * fields' format. Two readers: a tolerant one for the fixed formats (the spellings wallets and
 * banks export: 2026-11-20 09:10:00, 2026/11/20 9:10, 20261120 091000, 2026年11月20日…) and one
 * driven by a declared pattern for generic mappings (DD.MM.YYYY, YYYYMMDD, HHmmss…).
 */

export interface DateParts {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}
export interface TimeParts {
  readonly h: number;
  readonly mi: number;
  readonly s: number;
}

/** Which way round a date with the year last is written. */
export type DayOrder = 'dmy' | 'mdy';

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function date(y: number, m: number, d: number): DateParts | null {
  if (y < 1970 || y > 2199 || m < 1 || m > 12 || d < 1) return null;
  const max = m === 2 && leap(y) ? 29 : DAYS[m - 1]!;
  return d <= max ? { y, m, d } : null;
}

function time(h: number, mi: number, s: number): TimeParts | null {
  return h <= 23 && mi <= 59 && s <= 59 ? { h, mi, s } : null;
}

const two = (n: number): string => String(n).padStart(2, '0');

export function isoDate(d: DateParts): string {
  return `${String(d.y).padStart(4, '0')}-${two(d.m)}-${two(d.d)}`;
}

export function isoLocal(d: DateParts, t: TimeParts | null): string {
  const x = t ?? { h: 0, mi: 0, s: 0 };
  return `${isoDate(d)}T${two(x.h)}:${two(x.mi)}:${two(x.s)}`;
}

const YMD = /^(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)/u;
const YMD_COMPACT = /^(\d{4})(\d{2})(\d{2})/;
const YEAR_LAST = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})/;
const TIME = /^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?(?:[.,]\d{1,9})?$/u;
const TIME_COMPACT = /^(\d{2})(\d{2})(\d{2})?$/;

/** A date at the start of `text`, and the rest of the text after it. */
function leadingDate(text: string, order: DayOrder): { date: DateParts | null; rest: string } | null {
  let m = YMD.exec(text);
  if (m) {
    const d = m[2] !== undefined ? date(+m[1]!, +m[2], +m[3]!) : date(+m[1]!, +m[4]!, +m[5]!);
    return { date: d, rest: text.slice(m[0].length) };
  }
  m = YMD_COMPACT.exec(text);
  if (m) return { date: date(+m[1]!, +m[2]!, +m[3]!), rest: text.slice(8) };
  m = YEAR_LAST.exec(text);
  if (m) {
    const [a, b] = [+m[1]!, +m[2]!];
    return { date: order === 'dmy' ? date(+m[3]!, b, a) : date(+m[3]!, a, b), rest: text.slice(m[0].length) };
  }
  return null;
}

/** A time of day on its own: 09:10:00, 9:10, 091000, 0910, 09:10:00.000. */
export function parseTimeText(text: string): TimeParts | null {
  const s = text.trim();
  let m = TIME.exec(s);
  if (m) return time(+m[1]!, +m[2]!, m[3] !== undefined ? +m[3] : 0);
  m = TIME_COMPACT.exec(s);
  if (m) return time(+m[1]!, +m[2]!, m[3] !== undefined ? +m[3] : 0);
  return null;
}

/** A date on its own (no time after it). */
export function parseDateText(text: string, order: DayOrder = 'dmy'): DateParts | null {
  const r = leadingDate(text.trim(), order);
  return r && r.rest.trim() === '' ? r.date : null;
}

/**
 * A date with an optional time after it ("2026-11-20 09:10:00", "2026-11-20T09:10",
 * "20261120091000", "20/11/2026 09:10"), or null. A date alone is midnight.
 */
export function parseDateTimeText(text: string, order: DayOrder = 'dmy'): string | null {
  const s = text.trim();
  const r = leadingDate(s, order);
  if (!r || !r.date) return null;
  const rest = r.rest.replace(/^(?:\s+|T)/, '').trim();
  if (rest === '') return isoLocal(r.date, null);
  // A zone would change the moment; statements give local time, and one that does not is refused.
  const t = parseTimeText(rest);
  return t ? isoLocal(r.date, t) : null;
}

/** Whether a date cell is written with the year last, and what its first two numbers say. */
export function yearLastParts(text: string): readonly [number, number] | null {
  const m = YEAR_LAST.exec(text.trim());
  return m ? [+m[1]!, +m[2]!] : null;
}

/** D/M/Y or M/D/Y for dates written with the year last: the file's own days > 12 decide. */
export function dayOrderOf(cells: Iterable<string | undefined>): DayOrder {
  let dmy = false;
  let mdy = false;
  for (const c of cells) {
    const p = c === undefined ? null : yearLastParts(c);
    if (!p) continue;
    if (p[0] > 12) dmy = true;
    if (p[1] > 12) mdy = true;
  }
  return mdy && !dmy ? 'mdy' : 'dmy';
}

// --- declared patterns (generic mappings) -------------------------------------------------

const TOKENS: ReadonlyArray<readonly [string, string, string]> = [
  ['YYYY', 'y', '\\d{4}'],
  ['YY', 'yy', '\\d{2}'],
  ['MM', 'm', '\\d{2}'],
  ['M', 'm', '\\d{1,2}'],
  ['DD', 'd', '\\d{2}'],
  ['D', 'd', '\\d{1,2}'],
  ['HH', 'h', '\\d{2}'],
  ['H', 'h', '\\d{1,2}'],
  ['mm', 'mi', '\\d{2}'],
  ['ss', 's', '\\d{2}'],
];

/** A compiled date / time pattern such as "YYYY-MM-DD HH:mm:ss" or "DD.MM.YYYY". */
export interface DatePattern {
  readonly source: string;
  readonly re: RegExp;
  readonly hasDate: boolean;
  readonly hasTime: boolean;
}

/** Compile a pattern; throws an Error naming the problem (for mapping validation). */
export function compilePattern(source: string): DatePattern {
  let re = '';
  const seen = new Set<string>();
  let i = 0;
  outer: while (i < source.length) {
    for (const [tok, group, digits] of TOKENS) {
      if (source.startsWith(tok, i)) {
        if (seen.has(group)) throw new Error(`"${source}" names ${tok} twice`);
        seen.add(group);
        re += `(?<${group}>${digits})`;
        i += tok.length;
        continue outer;
      }
    }
    const ch = source[i]!;
    re += /\s/.test(ch) ? '\\s+' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    i++;
  }
  const hasDate = seen.has('y') || seen.has('yy') || seen.has('m') || seen.has('d');
  if (hasDate && !((seen.has('y') || seen.has('yy')) && seen.has('m') && seen.has('d'))) {
    throw new Error(`"${source}" needs a year, a month and a day`);
  }
  const hasTime = seen.has('h') || seen.has('mi') || seen.has('s');
  if (hasTime && !(seen.has('h') && seen.has('mi'))) throw new Error(`"${source}" needs hours and minutes`);
  if (!hasDate && !hasTime) throw new Error(`"${source}" has no date or time tokens (YYYY MM DD HH mm ss)`);
  return { source, re: new RegExp(`^${re}$`, 'u'), hasDate, hasTime };
}

export interface PatternMatch {
  readonly date: DateParts | null;
  readonly time: TimeParts | null;
}

/** Read `text` by a compiled pattern; null when it does not fit or names an impossible day. */
export function matchPattern(p: DatePattern, text: string): PatternMatch | null {
  const m = p.re.exec(text.trim());
  if (!m?.groups) return null;
  const g = m.groups;
  let d: DateParts | null = null;
  if (p.hasDate) {
    const y = g['y'] !== undefined ? +g['y'] : 2000 + +g['yy']!;
    d = date(y, +g['m']!, +g['d']!);
    if (!d) return null;
  }
  let t: TimeParts | null = null;
  if (p.hasTime) {
    t = time(+g['h']!, +g['mi']!, g['s'] !== undefined ? +g['s'] : 0);
    if (!t) return null;
  }
  return { date: d, time: t };
}
