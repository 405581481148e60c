/**
 * Wall-clock time: milliseconds of the merchant's local clock counted as if it were UTC. Statement
 * times and printed receipt times are local without a zone; zoned times (captured_at, health, now)
 * are moved onto the same clock with the merchant's UTC offset. One number line for both sides.
 */
import { MatcherError } from './errors.js';

export type WallMs = number;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/** "2026-11-20T14:03:00" → wall ms. */
export function parseLocal(s: string): WallMs {
  const m = LOCAL.exec(s);
  if (!m) throw new MatcherError('MATCH_BAD_TIME', `not a local ISO 8601 time: ${JSON.stringify(s)}`);
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0, ms);
}

/** "2026-11-20T14:03:00+08:00" → wall ms at the merchant's offset. */
export function parseZoned(s: string, utcOffsetMinutes: number): WallMs {
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

/** wall ms → "2026-11-20". */
export const localDate = (t: WallMs): string => formatLocal(t).slice(0, 10);

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
