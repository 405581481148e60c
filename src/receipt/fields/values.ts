/**
 * Printed values → field values: amounts to integer minor units with an ISO 4217 currency, dates
 * and times to ISO 8601 local, card numbers to their masked form, ids without spaces.
 */

const CURRENCIES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:RMB|CNY|人民币|元|¥|￥)$/iu, 'CNY'],
  [/^(?:US\$|USD)$/i, 'USD'],
  [/^(?:HK\$|HKD)$/i, 'HKD'],
  [/^(?:S\$|SGD)$/i, 'SGD'],
  [/^(?:NT\$|TWD)$/i, 'TWD'],
  [/^(?:MOP|MOP\$)$/i, 'MOP'],
  [/^(?:€|EUR)$/i, 'EUR'],
  [/^(?:£|GBP)$/i, 'GBP'],
  [/^(?:JPY|円)$/iu, 'JPY'],
  [/^(?:KRW|₩)$/iu, 'KRW'],
  [/^(?:CHF)$/i, 'CHF'],
  [/^(?:RM|MYR)$/i, 'MYR'],
  [/^(?:THB|฿)$/iu, 'THB'],
];

const SYMBOL = String.raw`RMB|CNY|USD|EUR|HKD|SGD|GBP|JPY|TWD|MOP|CHF|KRW|MYR|THB|RM|US\$|HK\$|S\$|NT\$|MOP\$|人民币|\$|€|£|¥|￥|₩|฿`;
// The amount stands at the start of the value: "交易金额未超过1000.00元" is a sentence, not an amount.
const AMOUNT = new RegExp(
  String.raw`^\s*(?:(${SYMBOL})\s*)?([-−])?\s*(?:(${SYMBOL})\s*)?([-−])?\s*(\d[\d.,，' ]*\d|\d)(?!\d)\s*(${SYMBOL}|元|円)?`,
  'iu',
);

export interface Money {
  readonly minor: number;
  /** ISO 4217, or null when nothing printed says which. */
  readonly currency: string | null;
  readonly negative: boolean;
}

function currencyOf(symbol: string | undefined, fallback: string): string | null {
  if (!symbol) return null;
  if (symbol === '$') return fallback === 'CNY' ? 'USD' : fallback;
  for (const [re, code] of CURRENCIES) if (re.test(symbol)) return code;
  return null;
}

/**
 * A printed number → minor units. The last `.` or `,` followed by one or two digits is the
 * decimal point (1,280.00; 13.462,45; 12,50); separators followed by three digits group
 * thousands (1,280; 1 280).
 */
function minorUnits(num: string): number | null {
  // Plain loops: this runs for every amount and item line of every receipt.
  let end = num.length;
  while (end > 0 && num.charCodeAt(end - 1) === 32) end--;
  let frac = -1;
  let cut = end;
  for (let k = end - 1; k >= end - 3 && k > 0; k--) {
    const c = num.charCodeAt(k);
    if (c === 46 || c === 44 || c === 0xff0c) {
      if (end - k - 1 >= 1 && end - k - 1 <= 2) {
        frac = Number(num.slice(k + 1, end).padEnd(2, '0'));
        cut = k;
      }
      break;
    }
    if (c < 48 || c > 57) break;
  }
  // The whole part: digits, in groups of three after a separator when it has separators.
  let value = 0;
  let group = -1;
  for (let k = 0; k < cut; k++) {
    const c = num.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (group >= 0) group++;
    } else if (c === 46 || c === 44 || c === 0xff0c || c === 39 || c === 32) {
      if (group >= 0 && group !== 3) return null;
      if (k === 0) return null;
      group = 0;
    } else return null;
  }
  if (group >= 0 && group !== 3) return null;
  const minor = value * 100 + (frac >= 0 ? frac : 0);
  return Number.isSafeInteger(minor) ? minor : null;
}

/** `RMB 1,280.00`, `￥128.00`, `128.00元`, `12,50 €`, `€13.462,45`, `-128.00` → minor units. */
export function parseAmount(text: string, fallbackCurrency: string): Money | null {
  const m = AMOUNT.exec(text);
  if (!m) return null;
  const [, pre, sign, pre2, sign2, num, post] = m;
  const minor = minorUnits(num!.trim());
  if (minor === null) return null;
  // "USD$" prints the code and the sign: the code says more.
  const currency = currencyOf(pre ?? pre2 ?? post, fallbackCurrency);
  return { minor, currency, negative: (sign ?? sign2) !== undefined };
}

const MONTHS: Readonly<Record<string, number>> = {
  JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, SEPT: 9, OCT: 10, NOV: 11, DEC: 12,
};

export interface DateParts {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}
export interface TimeParts {
  readonly h: number;
  readonly min: number;
  readonly s: number;
}

const fullYear = (y: number): number => (y < 100 ? 2000 + y : y);
const validDate = (y: number, m: number, d: number): DateParts | null =>
  m >= 1 && m <= 12 && d >= 1 && d <= 31 && y >= 1990 && y <= 2099 ? { y, m, d } : null;

/** A printed date: 2026/11/20, 2026-11-20, 2026年11月20日, 20261120, 20/11/2026, NOV 20, 26, 20 NOV 2026. */
export function parseDate(text: string, order: 'dmy' | 'mdy'): DateParts | null {
  let m = /(\d{4})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})/u.exec(text);
  if (m) return validDate(+m[1]!, +m[2]!, +m[3]!);
  m = /(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)/.exec(text);
  if (m) return validDate(+m[1]!, +m[2]!, +m[3]!);
  m = /(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)/.exec(text);
  if (m) {
    const a = +m[1]!;
    const b = +m[2]!;
    const y = fullYear(+m[3]!);
    // Day-first unless the template says month-first, or the numbers allow only one reading.
    const dayFirst = a > 12 ? true : b > 12 ? false : order === 'dmy';
    return dayFirst ? validDate(y, b, a) : validDate(y, a, b);
  }
  m = /\b([A-Z]{3,4})\.?\s*(\d{1,2})(?!\d),?\s*'?(\d{4}|\d{2})\b/i.exec(text);
  if (m && MONTHS[m[1]!.toUpperCase()]) return validDate(fullYear(+m[3]!), MONTHS[m[1]!.toUpperCase()]!, +m[2]!);
  m = /\b(\d{1,2})\s*[- ]?([A-Z]{3,4})[- ]?\s*'?(\d{4}|\d{2})\b/i.exec(text);
  if (m && MONTHS[m[2]!.toUpperCase()]) return validDate(fullYear(+m[3]!), MONTHS[m[2]!.toUpperCase()]!, +m[1]!);
  return null;
}

/** A printed time: 09:10:00, 09:10, 091000 (after a date), 9:10 PM. */
export function parseTime(text: string): TimeParts | null {
  let m = /(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AP])\.?M\.?)?(?!\d)/i.exec(text);
  if (!m) {
    m = /(?<!\d)([01]\d|2[0-3])([0-5]\d)([0-5]\d)(?!\d)/.exec(text);
    if (!m) return null;
  }
  let h = +m[1]!;
  const min = +m[2]!;
  const s = m[3] !== undefined ? +m[3] : 0;
  const ampm = m[4]?.toUpperCase();
  if (ampm === 'P' && h < 12) h += 12;
  if (ampm === 'A' && h === 12) h = 0;
  return h < 24 && min < 60 && s < 60 ? { h, min, s } : null;
}

const two = (n: number): string => String(n).padStart(2, '0');

export function isoLocal(d: DateParts, t: TimeParts | null): string {
  const time = t ?? { h: 0, min: 0, s: 0 };
  return `${d.y}-${two(d.m)}-${two(d.d)}T${two(time.h)}:${two(time.min)}:${two(time.s)}`;
}

/** Date and time printed together; the time is looked for after the date. */
export function parseDateTime(text: string, order: 'dmy' | 'mdy'): string | null {
  const d = parseDate(text, order);
  if (!d) return null;
  // Skip the date itself before looking for the time (20261120 091000 has no colons).
  const rest = text.replace(/(\d{4})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})日?|(?<!\d)20\d{6}(?!\d)|(?<!\d)\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)/u, ' ');
  return isoLocal(d, parseTime(rest));
}

const CARD = /(?<![0-9A-Z*])([0-9*Xx•#]{4,6}(?:[ -]?[0-9*Xx•#]{1,6}){1,6})(?![0-9*])/;

/** A card number as printed (already masked by the guard), masked to first 6 + last 4 at most. */
export function parseCard(text: string): string | null {
  const m = CARD.exec(text);
  if (!m) return null;
  const chars = m[1]!.replace(/[ -]/g, '').replace(/[Xx•#]/g, '*');
  if (chars.length < 12 || chars.length > 19 || !chars.includes('*') && !/^\d+$/.test(chars)) return null;
  const digits = chars.replace(/\*/g, '').length;
  if (digits < 4) return null;
  let out = '';
  for (let i = 0; i < chars.length; i++) out += i < 6 || i >= chars.length - 4 ? chars[i] : '*';
  return out;
}

/** An id: the first match of `pattern` (default: a run of letters and digits), spaces removed. */
export function parseId(text: string, pattern: RegExp | null): string | null {
  const m = (pattern ?? /[0-9A-Z][0-9A-Z-]*/i).exec(text);
  return m ? m[0].replace(/\s+/g, '') : null;
}
