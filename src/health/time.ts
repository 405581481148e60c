/** Times as the health records write them. */

/** ISO 8601 with the local zone offset: 2026-11-20T14:01:07.120+08:00 (the sync protocol's `at`). */
export function isoWithZone(t: number): string {
  const d = new Date(t);
  const off = -d.getTimezoneOffset();
  const local = new Date(t + off * 60_000).toISOString().slice(0, 23);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Local time of day, HH:MM:SS. */
export function clockTime(t: number): string {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
