/**
 * Local times as tilltap writes them: ISO 8601 with the machine's zone offset (receipts'
 * `captured_at`, health events' `at`, the sync protocol's `clock`), and a time of day for sentences.
 */

/** 2026-11-20T09:10:00+08:00, or with milliseconds 2026-11-20T09:10:00.120+08:00. */
function zoned(t: number, withMs: boolean): string {
  const d = new Date(t);
  const off = -d.getTimezoneOffset();
  const local = new Date(t + off * 60_000).toISOString().slice(0, withMs ? 23 : 19);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** 2026-11-20T09:10:00+08:00 (seconds). */
export function isoWithZone(t: number): string {
  return zoned(t, false);
}

/** 2026-11-20T14:01:07.120+08:00 (milliseconds). */
export function isoWithZoneMs(t: number): string {
  return zoned(t, true);
}

/** Local time of day, HH:MM:SS. */
export function clockTime(t: number): string {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
