/**
 * Wall-clock time: milliseconds of the merchant's local clock counted as if it were UTC. Statement
 * times and printed receipt times are local without a zone; zoned times (captured_at, health, now)
 * are moved onto the same clock with the merchant's UTC offset. One number line for both sides.
 */
import { MatcherError } from './errors.js';

export type WallMs = number;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

const d2 = (s: string, i: number): number => {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
};

/**
 * "YYYY-MM-DDTHH:MM:SS" at the start of `s`, read without a regex (this runs for every row and
 * receipt); NaN when `s` is not in exactly that form.
 */
function fastLocal(s: string): number {
  if (s.length < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 32) return NaN;
  const y = d2(s, 0) * 100 + d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  const se = d2(s, 17);
  if (Number.isNaN(y + mo + d + h + mi + se) || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) return NaN;
  return daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + se) * 1000;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): no Date object per row. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** "2026-11-20T14:03:00" → wall ms. */
export function parseLocal(s: string): WallMs {
  if (s.length === 19) {
    const t = fastLocal(s);
    if (!Number.isNaN(t)) return t;
  }
  const m = LOCAL.exec(s);
  const [mo, d, h, mi, se] = m ? [+m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0] : [];
  // Date.UTC would roll 25:99 over into the next day: a misread time must fail, not move.
  if (!m || mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth(+m[1]!, mo!) || h! > 23 || mi! > 59 || se! > 59) {
    throw new MatcherError('MATCH_BAD_TIME', `not a local ISO 8601 time: ${JSON.stringify(s)}`);
  }
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return daysFromCivil(+m[1]!, mo!, d!) * 86_400_000 + ((h! * 60 + mi!) * 60 + se!) * 1000 + ms;
}

/** "2026-11-20T14:03:00+08:00" → wall ms at the merchant's offset. */
export function parseZoned(s: string, utcOffsetMinutes: number): WallMs {
  // Fast path: "2026-11-20T14:03:00+08:00" / "…Z", the form the agents send.
  if (s.length === 25 || s.length === 20) {
    const local = fastLocal(s);
    if (!Number.isNaN(local)) {
      if (s.length === 20 && s.charCodeAt(19) === 90) return local + utcOffsetMinutes * 60_000;
      const sign = s.charCodeAt(19);
      const oh = d2(s, 20);
      const om = d2(s, 23);
      if ((sign === 43 || sign === 45) && s.charCodeAt(22) === 58 && !Number.isNaN(oh + om)) {
        const offset = (sign === 43 ? 1 : -1) * (oh * 60 + om);
        return local + (utcOffsetMinutes - offset) * 60_000;
      }
    }
  }
  const t = /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(t)) throw new MatcherError('MATCH_BAD_TIME', `not an ISO 8601 time with zone: ${JSON.stringify(s)}`);
  return t + utcOffsetMinutes * 60_000;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** wall ms → "2026-11-20T14:03:00". */
export function formatLocal(t: WallMs): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const dateCache = new Map<number, string>();

/** wall ms → "2026-11-20" (cached per day: it runs for every row and receipt). */
export function localDate(t: WallMs): string {
  const day = Math.floor(t / DAY);
  let s = dateCache.get(day);
  if (s === undefined) {
    s = formatLocal(day * DAY).slice(0, 10);
    if (dateCache.size > 10_000) dateCache.clear();
    dateCache.set(day, s);
  }
  return s;
}

/** wall ms → "14:03". */
export const clockTime = (t: WallMs): string => formatLocal(t).slice(11, 16);

/** wall ms → an ISO time with the merchant's zone: "2026-11-20T14:03:00+08:00". */
export function formatZoned(t: WallMs, utcOffsetMinutes: number): string {
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return `${formatLocal(t)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "YYYY-MM-DD" checked; the wall ms of its first instant. */
export function parseDate(s: string): WallMs {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new MatcherError('MATCH_BAD_PERIOD', `not a date (YYYY-MM-DD): ${JSON.stringify(s)}`);
  return parseLocal(`${s}T00:00:00`);
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
