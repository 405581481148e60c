/**
 * Length rules for commands whose size is not fixed. Each rule looks at the bytes of a command
 * from its first byte (`p` in `b`, `n` bytes available) and answers with the total length, or
 * NEED_MORE when the header is not all there yet, or INVALID when the parameters are not a
 * command a printer would accept (then the tokenizer emits an `unknown` token and does not trust
 * the declared length).
 *
 * The facts are those of shared/docs/escpos-lengths.md.
 */

export const NEED_MORE = -1;
export const INVALID = -2;
// A rule may also answer with a length greater than the bytes available: "at least this many".
// The tokenizer then waits for that many bytes before it asks again, so that a long command made
// of many parts (FS q, ESC &) arriving in small chunks is not re-scanned for every chunk.

/**
 * The largest command we accept. A header declaring more is not trusted: a 16 MiB raster would be
 * tens of metres of paper, so it is far more likely to be another language or binary noise.
 */
export const MAX_COMMAND_BYTES = 16 * 1024 * 1024;

export type LengthRule = (b: Uint8Array, p: number, n: number) => number;

const u16 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);

function capped(total: number): number {
  return total > MAX_COMMAND_BYTES ? INVALID : total;
}

/** A command of a fixed size. */
export function fixed(size: number): LengthRule {
  return () => size;
}

/** `X Y pL pH …` with `pL pH` at offset `at`: total = at + 2 + p. */
export function pLpH(at = 3): LengthRule {
  return (b, p, n) => (n < at + 2 ? NEED_MORE : capped(at + 2 + u16(b, p + at)));
}

/** `GS 8 L p1 p2 p3 p4 …`: total = 7 + p (32-bit count). */
export const p1p4: LengthRule = (b, p, n) => {
  if (n < 7) return NEED_MORE;
  const len = b[p + 3]! + b[p + 4]! * 0x100 + b[p + 5]! * 0x10000 + b[p + 6]! * 0x1000000;
  return capped(7 + len);
};

/** A fixed size chosen by the parameter byte at `at`; parameters not listed are invalid. */
export function byParam(at: number, sizes: Readonly<Record<number, number>>): LengthRule {
  return (b, p, n) => {
    if (n <= at) return NEED_MORE;
    return sizes[b[p + at]!] ?? INVALID;
  };
}

/**
 * A 3-byte command whose parameter must be one of `values`. A byte outside them is not taken as
 * the parameter: it is usually the start of the next command (drivers' odd trailers such as
 * `ESC r` `GS T` without parameters), so the command is invalid rather than swallowing it.
 */
export function param3(values: readonly number[]): LengthRule {
  const ok = new Uint8Array(256);
  for (const v of values) ok[v] = 1;
  return (b, p, n) => (n < 3 ? NEED_MORE : ok[b[p + 2]!] ? 3 : INVALID);
}

/**
 * Data up to and including a NUL, starting at `from`; at most `max` data bytes. A stream with no
 * NUL within the cap is not a well-formed command.
 */
export function nulTerminated(from: number, max: number): LengthRule {
  return (b, p, n) => {
    const limit = Math.min(n, from + max + 1);
    for (let i = from; i < limit; i++) if (b[p + i] === 0) return i + 1;
    return n >= from + max + 1 ? INVALID : NEED_MORE;
  };
}

/** `GS v 0 m xL xH yL yH d…` → 8 + x·y (x in bytes, y in dots). */
export const gsv0: LengthRule = (b, p, n) => {
  if (n < 3) return NEED_MORE;
  if (b[p + 2] !== 0x30) return INVALID;
  if (n < 8) return NEED_MORE;
  const m = b[p + 3]!;
  if (!(m <= 3 || (m >= 48 && m <= 51))) return INVALID;
  return rasterSize(b, p);
};

/** `GS Q 0 m xL xH yL yH d…` → 8 + x·y. */
export const gsQ0: LengthRule = (b, p, n) => {
  if (n < 8) return NEED_MORE;
  if (b[p + 2] !== 0x30 && b[p + 2] !== 0) return INVALID;
  return rasterSize(b, p);
};

/** The size of a raster whose `xL xH yL yH` (bytes per row, rows) follow at offset 4. */
function rasterSize(b: Uint8Array, p: number): number {
  const x = u16(b, p + 4);
  const y = u16(b, p + 6);
  // x is bytes per row: 4256 is the widest any model documents; beyond that it is not a raster.
  if (x === 0 || y === 0 || x > 4256) return INVALID;
  return capped(8 + x * y);
}

/** `GS * x y d…` → 4 + 8·x·y. */
export const gsStar: LengthRule = (b, p, n) => {
  if (n < 4) return NEED_MORE;
  const x = b[p + 2]!;
  const y = b[p + 3]!;
  if (x === 0 || y === 0) return INVALID;
  return 4 + 8 * x * y;
};

/** `ESC * m nL nH d…`: m 0/1 → 5+n; m 32/33 → 5+3n; any other m is not an ESC * at all. */
export const escStar: LengthRule = (b, p, n) => {
  if (n < 5) return NEED_MORE;
  const m = b[p + 2]!;
  const dots = u16(b, p + 3);
  // 3072 dots is wider than any roll paper at any density: wider headers are other languages
  // (Custom's PCL-style `ESC * r…`, `ESC * b…`) whose "length" would swallow the stream.
  if (dots === 0 || dots > 3072) return INVALID;
  if (m === 0 || m === 1) return 5 + dots;
  if (m === 32 || m === 33) return 5 + 3 * dots;
  return INVALID;
};

/** `GS k m …`: m 0–6 → data up to NUL (at most 255 bytes); m 65–79 → 4 + n. */
export const gsk: LengthRule = (b, p, n) => {
  if (n < 3) return NEED_MORE;
  const m = b[p + 2]!;
  if (m <= 6) return nulTerminated(3, 255)(b, p, n);
  if (m >= 65 && m <= 79) return n < 4 ? NEED_MORE : 4 + b[p + 3]!;
  return INVALID;
};

/**
 * `ESC D n1…nk NUL`: at most 32 tab stops. A printer also ends the list at a value not greater
 * than the one before it; that byte is then ordinary data, so it is not part of the command.
 */
export const escD: LengthRule = (b, p, n) => {
  let prev = 0;
  for (let i = 2; i < 2 + 33; i++) {
    if (i >= n) return NEED_MORE;
    const v = b[p + i]!;
    if (v === 0) return i + 1;
    if (i > 2 && v <= prev) return i;
    if (i === 2 + 32) return i;
    prev = v;
  }
  return INVALID;
};

/** `ESC & y c1 c2 [x d1…d(y·x)]…`: user-defined glyphs. */
export const escAmp: LengthRule = (b, p, n) => {
  if (n < 5) return NEED_MORE;
  const y = b[p + 2]!;
  const c1 = b[p + 3]!;
  const c2 = b[p + 4]!;
  if (y < 1 || y > 4 || c1 < 32 || c2 > 126 || c1 > c2) return INVALID;
  let at = 5;
  for (let c = c1; c <= c2; c++) {
    if (n <= at) return at + 1;
    const x = b[p + at]!;
    if (x > 64) return INVALID;
    at += 1 + y * x;
  }
  return at;
};

/** `FS q n [xL xH yL yH d(8·x·y)]…`: NV bit images. */
export const fsq: LengthRule = (b, p, n) => {
  if (n < 3) return NEED_MORE;
  const count = b[p + 2]!;
  if (count === 0) return INVALID;
  let at = 3;
  for (let i = 0; i < count; i++) {
    if (n < at + 4) return at + 4;
    const x = u16(b, p + at);
    const y = u16(b, p + at + 2);
    if (x === 0 || y === 0 || x > 1023 || y > 288) return INVALID;
    at += 4 + 8 * x * y;
    if (at > MAX_COMMAND_BYTES) return INVALID;
  }
  return at;
};

/** Chinese clones' legacy 2-D code: `ESC Z m n k dL dH d…` → 7 + d. */
export const escZ: LengthRule = (b, p, n) => (n < 7 ? NEED_MORE : 7 + u16(b, p + 5));

/** `DLE EOT n` → 3 (n 1–4); some models take `DLE EOT 7|8|18 a` → 4. */
export const dleEot: LengthRule = (b, p, n) => {
  if (n < 3) return NEED_MORE;
  const k = b[p + 2]!;
  if (k >= 1 && k <= 4) return 3;
  if (k === 7 || k === 8 || k === 18) return 4;
  return INVALID;
};

/** `DLE DC4 fn …`: fn 1 → 5, fn 2 → 5, fn 3 → 8, fn 7 → 4, fn 8 → 10. */
export const dleDc4 = byParam(2, { 1: 5, 2: 5, 3: 8, 7: 4, 8: 10 });

/** Star Line mode `ESC b n1 n2 n3 n4 d… RS`: barcode data ends at RS (0x1E). */
export const starBarcode: LengthRule = (b, p, n) => {
  const limit = Math.min(n, 6 + 256);
  for (let i = 6; i < limit; i++) if (b[p + i] === 0x1e) return i + 1;
  return n >= 6 + 256 ? INVALID : NEED_MORE;
};

/** Star Line mode `ESC * r X …`: A/B/C (enter/quit/clear raster) are 4 bytes, others end at NUL. */
export const starRaster: LengthRule = (b, p, n) => {
  if (n < 4) return NEED_MORE;
  const x = b[p + 3]!;
  if (x === 0x41 || x === 0x42 || x === 0x43) return 4;
  return nulTerminated(4, 16)(b, p, n);
};
