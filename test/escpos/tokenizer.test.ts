/**
 * The tokenizer's invariants (src/escpos/tokenizer.ts) and the command lengths of
 * ../shared/docs/escpos-lengths.md, table by table.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { EscPosBuilder, testPattern } from '../../src/escpos/builder.js';
import {
  CLONE_TABLE,
  type CommandTable,
  commandId,
  EPSON_TABLE,
  STAR_LINE_TABLE,
} from '../../src/escpos/commands.js';
import { type Token, Tokenizer, tokenize } from '../../src/escpos/tokenizer.js';
import { corpusFiles, hasCorpus, readCorpus } from '../helpers/corpus.js';
import { int, pick, prng } from '../../scripts/lib/prng.js';

// ---- helpers ---------------------------------------------------------------------------------

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const NUL = 0x00;
const LF = 0x0a;

type Part = number | string | readonly number[] | Uint8Array;

/** Bytes from numbers, latin1 strings, arrays and byte arrays. */
function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const b of Buffer.from(p, 'latin1')) out.push(b);
    else for (const b of p) out.push(b);
  }
  return Uint8Array.from(out);
}

const fill = (n: number, v = 0x55): number[] => new Array<number>(n).fill(v);


const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** What must not depend on chunking: kind, offset, raw bytes, command id. */
function sig(t: Token): string {
  return `${t.kind}@${t.offset}:${hex(t.raw)}:${idOf(t)}`;
}

function idOf(t: Token): string {
  return t.kind === 'command' || (t.kind === 'truncated' && t.cmd) ? commandId(t.cmd!, t.raw) : '';
}

/** null when the two token lists agree in kind, offset, raw bytes and command id; else the first difference. */
function diffTokens(a: readonly Token[], b: readonly Token[]): string | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.kind !== y.kind ||
      x.offset !== y.offset ||
      x.raw.length !== y.raw.length ||
      Buffer.compare(x.raw, y.raw) !== 0 ||
      idOf(x) !== idOf(y)
    ) {
      return `token ${i}: ${sig(x).slice(0, 120)} ≠ ${sig(y).slice(0, 120)}`;
    }
  }
  return a.length === b.length ? null : `${a.length} tokens ≠ ${b.length} tokens`;
}

/** null when the tokens tile `input` exactly (offsets, non-empty raw, bytes), else what is wrong. */
function tilingError(tokens: readonly Token[], input: Uint8Array): string | null {
  let at = 0;
  for (const [i, t] of tokens.entries()) {
    if (t.offset !== at) return `token ${i} (${t.kind}) at offset ${t.offset}, expected ${at}`;
    if (t.raw.length === 0) return `token ${i} (${t.kind}) at ${at} is empty`;
    at += t.raw.length;
  }
  if (at !== input.length) return `tokens cover ${at} of ${input.length} bytes`;
  return concatRaw(tokens).equals(Buffer.from(input.buffer, input.byteOffset, input.length)) ? null : 'raw bytes differ from the input';
}

/** Tokenize `input` pushed in chunks of the given sizes (the last chunk takes the rest). */
function tokenizeChunked(input: Uint8Array, table: CommandTable, sizes: Iterable<number>): Token[] {
  const t = new Tokenizer(table);
  const out: Token[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= input.length) break;
    // A copy, as a serial port or socket would hand over fresh buffers.
    out.push(...t.push(input.slice(at, at + size)));
    at += size;
  }
  if (at < input.length) out.push(...t.push(input.slice(at)));
  out.push(...t.end());
  return out;
}

function concatRaw(tokens: readonly Token[]): Buffer {
  return Buffer.concat(tokens.map((t) => t.raw));
}

const TABLES: ReadonlyArray<readonly [string, CommandTable]> = [
  ['epson', EPSON_TABLE],
  ['clone', CLONE_TABLE],
  ['star-line', STAR_LINE_TABLE],
];

// ---- project-made inputs ---------------------------------------------------------------------

/** A receipt with most of what a POS sends: styles, code pages, CJK text, codes, images, cuts. */
function builtReceipt(): Uint8Array {
  const b = new EscPosBuilder().init().align('center').size(2, 2).bold(true).line('TILLTAP STORE');
  b.size(1, 1).bold(false).align('left').tabStops([8, 16, 24, 32]);
  for (let i = 0; i < 12; i++) b.text(`Item ${i}`).tab().text('1').tab().line(`${(i * 1.25).toFixed(2)}`);
  b.underline(1).line('TOTAL 99.00').underline(0).invert(true).line(' PAID ').invert(false);
  b.codepage(2, 'cp850').line('Crème brûlée, Straße, Øre');
  b.codepage(0, 'cp437').international(3).line('# £ sign');
  b.cjk(true).line('小票 合计：¥12.50 欢迎光临').cjk(false);
  b.barcode('code128', 'ABC-12345').barcode('ean13', '590123412345');
  b.qr('https://example.com/r/12345');
  b.raster(64, 24, testPattern(64, 24));
  b.pollStatus(1).pollStatus(4).feed(3).drawer().cut('partial');
  b.init().line('second receipt').cut('full');
  return b.build();
}

/** Every command of escpos-lengths.md once, back to back, with text between. */
function everyCommand(): Uint8Array {
  return bytes(...LENGTH_CASES.flatMap((c) => [c.bytes.subarray(0, c.len), 'txt', LF]));
}

/** Edge cases: unknown commands, caps, and endings in the middle of something. */
const EDGE_INPUTS: ReadonlyArray<readonly [string, Uint8Array]> = [
  ['empty', new Uint8Array(0)],
  ['lone ESC', bytes(ESC)],
  ['lone GS', bytes(GS)],
  ['text then ESC', bytes('abc', ESC)],
  ['ESC LF', bytes(ESC, LF, 'x')],
  ['ESC ESC @', bytes(ESC, ESC, 0x40, 'x')],
  ['GS v 0 huge', bytes(GS, 'v0', 0, 0xff, 0xff, 0xff, 0xff, 'after\n')],
  ['GS 8 L 4 GiB', bytes(GS, '8L', 0xff, 0xff, 0xff, 0xff, 0x30, 0x70, 'after\n')],
  ['GS v 0 cut in its data', bytes(GS, 'v0', 0, 2, 0, 2, 0, 1, 2)],
  ['GS ( k header only', bytes(GS, '(k', 5)],
  ['GS k A no NUL', bytes(GS, 'k', 4, fill(300, 0x41), LF)],
  ['ESC D 40 stops', bytes(ESC, 'D', Array.from({ length: 40 }, (_, i) => i + 1), 'x')],
  ['text run > 8 KB', bytes(fill(20000, 0x61), LF, fill(8192, 0x62), ESC, '@', fill(8191, 0x63))],
  // Tokens carried into a chunk end within its first 256 bytes, just after them, or far later.
  ['runs about the carry peek', bytes(fill(255, 0x61), LF, fill(256, 0x62), ESC, '!', 0, fill(257, 0x63), GS, 'v0', 0, 40, 0, 8, 0, fill(320, 0x55), fill(600, 0x64), LF)],
  ['NUL padding', bytes(fill(100, 0), 'x', fill(3, 0))],
  ['all bytes', Uint8Array.from({ length: 512 }, (_, i) => i & 0xff)],
  ['introducer soup', bytes(ESC, GS, FS, DLE, ESC, '(', GS, '(', FS, '(', DLE, 4, DLE, 0x14, GS, '8', ESC)],
];

function randomInputs(): Array<readonly [string, Uint8Array]> {
  const rnd = prng(0x70c1);
  const intro = [ESC, GS, FS, DLE];
  const out: Array<readonly [string, Uint8Array]> = [];
  for (let k = 0; k < 12; k++) {
    const n = 1 + Math.floor(rnd() * 1200);
    const a = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      a[i] = r < 0.15 ? intro[Math.floor(rnd() * 4)]! : r < 0.35 ? Math.floor(rnd() * 8) : Math.floor(rnd() * 256);
    }
    out.push([`random #${k}`, a]);
  }
  return out;
}

function projectInputs(): Array<readonly [string, Uint8Array]> {
  return [['built receipt', builtReceipt()], ['every command', everyCommand()], ...EDGE_INPUTS, ...randomInputs()];
}

// ---- the lengths of escpos-lengths.md --------------------------------------------------------

interface LengthCase {
  readonly name: string;
  readonly tables: readonly CommandTable[];
  /** The command, then something that must not be part of it. */
  readonly bytes: Uint8Array;
  /** Length of the first token. */
  readonly len: number;
  /** The command id (`GS ( k`), or 'unknown' when the bytes are not a command we trust. */
  readonly id: string;
}

const ESCPOS = [EPSON_TABLE, CLONE_TABLE] as const;
const TAIL = 'OK';

const NAMED: Readonly<Record<string, number>> = { SP: 0x20, FF: 0x0c, ENQ: 0x05, EOT: 0x04, DC4: 0x14, GS: GS };

/** Parameters a printer accepts, for commands where 1 is not one (the default is 1 for each byte). */
const PARAMS: Readonly<Record<string, readonly number[]>> = {
  'ESC ?': [0x41],
  'ESC u': [0],
  'ESC p': [0, 25, 250],
  'ESC !': [0x08],
  'GS !': [0x11],
  'GS w': [3],
  'GS h': [80],
  'GS ^': [1, 0, 0],
  'FS p': [1, 0],
  'FS S': [2, 2],
  'FS ?': [0xfe, 0xa1],
};

/** `[intro, 'a b c', len]`: each listed second byte makes a fixed-size command. */
const FIXED: ReadonlyArray<readonly [string, string, number]> = [
  ['ESC', '@ 2 < L S FF i m q v', 2],
  ['ESC', 'SP ! % - 3 = ? C E G J K M R T U V a d e r t u {', 3],
  ['ESC', '$ \\ f', 4],
  ['ESC', 'p', 5],
  ['ESC', 'W', 10],
  ['GS', ': c', 2],
  ['GS', '! B E H I T a b f h j r w /', 3],
  ['GS', '$ L P W \\', 4],
  ['GS', '^', 5],
  ['FS', '& . L', 2],
  ['FS', '! - C W', 3],
  ['FS', 'S ? p', 4],
  ['DLE', 'ENQ', 3],
];
const INTRO: Readonly<Record<string, number>> = { ESC, GS, FS, DLE };

function fixedCases(): LengthCase[] {
  const out: LengthCase[] = [];
  for (const [intro, list, len] of FIXED) {
    for (const name of list.split(' ')) {
      const second = NAMED[name] ?? name.charCodeAt(0);
      out.push({
        name: `${intro} ${name} → ${len}`,
        tables: ESCPOS,
        bytes: bytes(INTRO[intro]!, second, PARAMS[`${intro} ${name}`] ?? fill(len - 2, 1), TAIL),
        len,
        id: `${intro} ${name}`,
      });
    }
  }
  return out;
}

const c = (name: string, tables: readonly CommandTable[], b: Uint8Array, len: number, id: string): LengthCase => ({
  name,
  tables,
  bytes: b,
  len,
  id,
});
const pLpH = (p: number): number[] => [p & 0xff, p >> 8];

const LENGTH_CASES: readonly LengthCase[] = [
  ...fixedCases(),
  // ESC, parameter-dependent and variable
  ...[0x30, 0x31, 0x33, 0x34, 0x35].map((m) => c(`ESC c ${String.fromCharCode(m)} n → 4`, ESCPOS, bytes(ESC, 'c', m, 1, TAIL), 4, 'ESC c')),
  c('ESC * m=0 → 5+n', ESCPOS, bytes(ESC, '*', 0, 3, 0, fill(3), TAIL), 8, 'ESC *'),
  c('ESC * m=1 → 5+n', ESCPOS, bytes(ESC, '*', 1, 0, 1, fill(256), TAIL), 261, 'ESC *'),
  c('ESC * m=32 → 5+3n', ESCPOS, bytes(ESC, '*', 32, 2, 0, fill(6), TAIL), 11, 'ESC *'),
  c('ESC * m=33 → 5+3n', ESCPOS, bytes(ESC, '*', 33, 0x40, 2, fill(3 * 576), TAIL), 5 + 3 * 576, 'ESC *'),
  c('ESC * with m=2 is not trusted', ESCPOS, bytes(ESC, '*', 2, 3, 0, fill(9), TAIL), 2, 'unknown'),
  c('ESC * with m=0x72 (PCL-style ESC * r) is not trusted', ESCPOS, bytes(ESC, '*r', 'A', 'text'), 2, 'unknown'),
  c('ESC D n1…nk NUL', ESCPOS, bytes(ESC, 'D', 8, 16, 24, NUL, TAIL), 6, 'ESC D'),
  c('ESC D NUL (clear)', ESCPOS, bytes(ESC, 'D', NUL, TAIL), 3, 'ESC D'),
  c('ESC D with 32 stops and NUL', ESCPOS, bytes(ESC, 'D', Array.from({ length: 32 }, (_, i) => 8 * (i + 1) - 7), NUL, TAIL), 35, 'ESC D'),
  c('ESC D stops after 32 stops', ESCPOS, bytes(ESC, 'D', Array.from({ length: 40 }, (_, i) => i + 1), TAIL), 34, 'ESC D'),
  c('ESC & y c1 c2 [x d(y·x)]…', ESCPOS, bytes(ESC, '&', 3, 0x41, 0x42, 2, fill(6), 1, fill(3), TAIL), 16, 'ESC &'),
  c('ESC & one glyph', ESCPOS, bytes(ESC, '&', 2, 0x20, 0x20, 12, fill(24), TAIL), 30, 'ESC &'),
  c('ESC ( A pL pH → 5+p', ESCPOS, bytes(ESC, '(A', pLpH(4), 0x30, 0x31, 0x32, 0x33, TAIL), 9, 'ESC ( A'),
  c('ESC ( Y pL pH → 5+p', ESCPOS, bytes(ESC, '(Y', pLpH(2), 0x30, 1, TAIL), 7, 'ESC ( Y'),
  // GS
  c('GS z 0 t1 t2 → 5', ESCPOS, bytes(GS, 'z0', 1, 2, TAIL), 5, 'GS z'),
  c('GS g 0 m nL nH → 6', ESCPOS, bytes(GS, 'g0', 0, 20, 0, TAIL), 6, 'GS g'),
  c('GS g 2 m nL nH → 6', ESCPOS, bytes(GS, 'g2', 0, 20, 0, TAIL), 6, 'GS g'),
  ...[0, 1, 48, 49].map((m) => c(`GS V ${m} → 3`, ESCPOS, bytes(GS, 'V', m, TAIL), 3, 'GS V')),
  ...[65, 66, 97, 98, 103, 104].map((m) => c(`GS V ${m} n → 4`, ESCPOS, bytes(GS, 'V', m, 3, TAIL), 4, 'GS V')),
  c('GS V 2 is not a cut', ESCPOS, bytes(GS, 'V', 2, TAIL), 2, 'unknown'),
  ...[0, 1, 2, 3, 4, 5, 6].map((m) =>
    c(`GS k ${m} d… NUL (form A)`, ESCPOS, bytes(GS, 'k', m, '123456', NUL, TAIL), 10, 'GS k'),
  ),
  c('GS k form A with 255 data bytes', ESCPOS, bytes(GS, 'k', 4, fill(255, 0x41), NUL, TAIL), 259, 'GS k'),
  c('GS k form A with no NUL within 255 bytes is not trusted', ESCPOS, bytes(GS, 'k', 4, fill(300, 0x41), NUL), 2, 'unknown'),
  ...[65, 69, 73, 79].map((m) => c(`GS k ${m} n d… (form B) → 4+n`, ESCPOS, bytes(GS, 'k', m, 5, '12345', TAIL), 9, 'GS k')),
  c('GS k 7 is not a bar code', ESCPOS, bytes(GS, 'k', 7, 5, '12345'), 2, 'unknown'),
  c('GS v 0 m=0 → 8+x·y', ESCPOS, bytes(GS, 'v0', 0, 2, 0, 3, 0, fill(6), TAIL), 14, 'GS v'),
  c('GS v 0 m=51 → 8+x·y', ESCPOS, bytes(GS, 'v0', 51, 0x48, 0, 0x18, 0, fill(72 * 24), TAIL), 8 + 72 * 24, 'GS v'),
  c('GS v 0 payload with DLE EOT inside stays payload', ESCPOS, bytes(GS, 'v0', 0, 3, 0, 1, 0, DLE, 4, 1, TAIL), 11, 'GS v'),
  // escpos-lengths.md knows only GS v 0: another third byte is not a raster header.
  c('GS v 1 is not GS v 0', ESCPOS, bytes(GS, 'v1', 0, 1, 0, 1, 0, 0x41, TAIL), 2, 'unknown'),
  ...[...'ABCDEGHKLMNPQkz'].map((x) =>
    c(`GS ( ${x} pL pH → 5+p`, ESCPOS, bytes(GS, `(${x}`, pLpH(3), 0x31, 0x41, 0x32, TAIL), 8, `GS ( ${x}`),
  ),
  c('GS ( k QR store, p > 255', ESCPOS, bytes(GS, '(k', pLpH(300), 0x31, 0x50, 0x30, fill(297, 0x41), TAIL), 305, 'GS ( k'),
  c('GS ( L fn 112 raster', ESCPOS, bytes(GS, '(L', pLpH(10 + 4), 0x30, 112, 0x30, 1, 1, 0x31, 2, 0, 2, 0, fill(4), TAIL), 19, 'GS ( L'),
  c('GS ( F is not an extended function', ESCPOS, bytes(GS, '(F', pLpH(3), 1, 2, 3), 2, 'unknown'),
  c('GS 8 L p1..p4 → 7+p', ESCPOS, bytes(GS, '8L', 10, 0, 0, 0, 0x30, 112, fill(8), TAIL), 17, 'GS 8'),
  c('GS 8 L with a 3-byte count', ESCPOS, bytes(GS, '8L', 0x70, 0x11, 0x01, 0, 0x30, 112, fill(70000 - 2), TAIL), 70007, 'GS 8'),
  c('GS 8 M is not GS 8 L', ESCPOS, bytes(GS, '8M', 1, 0, 0, 0, 0), 2, 'unknown'),
  c('GS Q 0 m xL xH yL yH → 8+x·y', ESCPOS, bytes(GS, 'Q0', 0, 2, 0, 3, 0, fill(6), TAIL), 14, 'GS Q'),
  c('GS * x y → 4+8xy', ESCPOS, bytes(GS, '*', 2, 3, fill(48), TAIL), 52, 'GS *'),
  // FS
  c('FS 2 c1 c2 d… → 4+72', ESCPOS, bytes(FS, '2', 0x77, 0xa1, fill(72), TAIL), 76, 'FS 2'),
  c('FS q 1 image', ESCPOS, bytes(FS, 'q', 1, 1, 0, 1, 0, fill(8), TAIL), 15, 'FS q'),
  c('FS q 2 images', ESCPOS, bytes(FS, 'q', 2, 1, 0, 1, 0, fill(8), 2, 0, 1, 0, fill(16), TAIL), 35, 'FS q'),
  ...[...'ACELefg'].map((x) =>
    c(`FS ( ${x} pL pH → 5+p`, ESCPOS, bytes(FS, `(${x}`, pLpH(2), 0x30, 1, TAIL), 7, `FS ( ${x}`),
  ),
  c('FS ( C fn 48 (UTF-8)', ESCPOS, bytes(FS, '(C', pLpH(2), 0x30, 2, TAIL), 7, 'FS ( C'),
  // DLE (real-time)
  ...[1, 2, 3, 4].map((n) => c(`DLE EOT ${n} → 3`, ESCPOS, bytes(DLE, 4, n, TAIL), 3, 'DLE EOT')),
  ...[7, 8, 18].map((n) => c(`DLE EOT ${n} a → 4`, ESCPOS, bytes(DLE, 4, n, 1, TAIL), 4, 'DLE EOT')),
  c('DLE EOT 5 is not a status request', ESCPOS, bytes(DLE, 4, 5, TAIL), 2, 'unknown'),
  c('DLE ENQ n → 3', ESCPOS, bytes(DLE, 5, 2, TAIL), 3, 'DLE ENQ'),
  ...(
    [
      [1, 5],
      [2, 5],
      [3, 8],
      [7, 4],
      [8, 10],
    ] as const
  ).map(([fn, len]) => c(`DLE DC4 ${fn} → ${len}`, ESCPOS, bytes(DLE, 0x14, fn, fill(len - 3, 1), TAIL), len, 'DLE DC4')),
  c('DLE DC4 4 is not a real-time command', ESCPOS, bytes(DLE, 0x14, 4, 1, 1), 2, 'unknown'),
  // Chinese clones
  c('clone ESC B n t → 4', [CLONE_TABLE], bytes(ESC, 'B', 2, 1, TAIL), 4, 'ESC B'),
  c('clone GS Z n → 3', [CLONE_TABLE], bytes(GS, 'Z', 2, TAIL), 3, 'GS Z'),
  c('clone ESC Z m n k dL dH d… → 7+d', [CLONE_TABLE], bytes(ESC, 'Z', 0x0a, 0x48, 6, 12, 0, 'Hello World!', TAIL), 19, 'ESC Z'),
  c('ESC B is not Epson', [EPSON_TABLE], bytes(ESC, 'B', 2, 1, TAIL), 2, 'unknown'),
  c('GS Z is not Epson', [EPSON_TABLE], bytes(GS, 'Z', 2, TAIL), 2, 'unknown'),
  c('ESC Z is not Epson', [EPSON_TABLE], bytes(ESC, 'Z', 0x0a, 0x48, 6, 12, 0, 'Hello World!'), 2, 'unknown'),
  // Star Line mode
  c('Star ESC E → 2', [STAR_LINE_TABLE], bytes(ESC, 'E', TAIL), 2, 'ESC E'),
  c('Star ESC F → 2', [STAR_LINE_TABLE], bytes(ESC, 'F', TAIL), 2, 'ESC F'),
  c('Star ESC d n (cut) → 3', [STAR_LINE_TABLE], bytes(ESC, 'd', 0x33, TAIL), 3, 'ESC d'),
  c('Star ESC b n1 n2 n3 n4 d… RS', [STAR_LINE_TABLE], bytes(ESC, 'b', 0x36, 0x32, 0x32, 0x50, '12345678', 0x1e, TAIL), 15, 'ESC b'),
  c('Star ESC GS a n → 4', [STAR_LINE_TABLE], bytes(ESC, GS, 'a', 1, TAIL), 4, 'ESC GS'),
  c('Star: GS is no introducer', [STAR_LINE_TABLE], bytes(GS, 'V', 0, TAIL), 1, 'control'),
  c('ESC/POS ESC E takes a parameter', ESCPOS, bytes(ESC, 'E', 1, TAIL), 3, 'ESC E'),
];

// ---- tests -----------------------------------------------------------------------------------

describe('tokenizer: text runs end at the first byte below 0x20, wherever the buffer lies', () => {
  it('at every position of a run, at every alignment of the input in memory', () => {
    // Text runs are scanned four bytes at a time where the buffer is aligned: a control byte in
    // each position of a word, high bytes (0x80–0xFF) beside it, and the input at offsets 0–3.
    const rnd = prng(32);
    for (let len = 1; len <= 40; len++) {
      for (let at = 0; at < len; at++) {
        const body = Array.from({ length: len }, () => (rnd() < 0.5 ? 0x20 + int(rnd, 0x60) : 0x80 + int(rnd, 0x80)));
        body[at] = pick(rnd, [0x0a, 0x00, 0x1f, 0x0d]);
        for (let shift = 0; shift < 4; shift++) {
          const mem = new Uint8Array(len + 8);
          mem.set(body, shift);
          const input = mem.subarray(shift, shift + len);
          const texts = tokenize(input, EPSON_TABLE)
            .filter((t) => t.kind === 'text')
            .map((t) => [t.offset, t.raw.length]);
          const want: number[][] = [];
          if (at > 0) want.push([0, at]);
          if (at + 1 < len) want.push([at + 1, len - at - 1]);
          expect(texts, `len ${len} control at ${at} shift ${shift}`).toEqual(want);
        }
      }
    }
  });
});

describe('tokenizer: raw bytes concatenate to the input', () => {
  describe.skipIf(!hasCorpus)('reference corpus (../shared/corpus)', () => {
    it.each(corpusFiles())('%s, every table', (name) => {
      const input = readCorpus(name);
      for (const [name, table] of TABLES) expect(tilingError(tokenize(input, table), input), name).toBeNull();
    });
  });

  it.each(projectInputs())('%s, every table', (_name, input) => {
    for (const [name, table] of TABLES) expect(tilingError(tokenize(input, table), input), name).toBeNull();
  });

  it('also when pushed in pieces', () => {
    const input = builtReceipt();
    const rnd = prng(7);
    const sizes = Array.from({ length: input.length }, () => 1 + Math.floor(rnd() * 64));
    for (const [name, table] of TABLES) expect(tilingError(tokenizeChunked(input, table, sizes), input), name).toBeNull();
  });
});

describe('tokenizer: tokens do not depend on chunking', () => {
  /** Every split point into two chunks, and 1-byte chunks. */
  function checkAllSplits(input: Uint8Array, table: CommandTable): void {
    const whole = tokenize(input, table);
    for (let split = 1; split < input.length; split++) {
      const d = diffTokens(whole, tokenizeChunked(input, table, [split]));
      if (d) expect.fail(`${table.dialect}, split at ${split}: ${d}`);
    }
    const ones = function* (): Generator<number> {
      for (;;) yield 1;
    };
    const d = diffTokens(whole, tokenizeChunked(input, table, ones()));
    if (d) expect.fail(`${table.dialect}, 1-byte chunks: ${d}`);
  }

  /** Many random chunkings: tiny, medium and large chunks. */
  function checkRandomSplits(input: Uint8Array, table: CommandTable, seed: number, runs: number): void {
    const whole = tokenize(input, table);
    const rnd = prng(seed);
    for (let run = 0; run < runs; run++) {
      const max = [4, 64, 1024, 16384, 65536][run % 5]!;
      const sizes: number[] = [];
      for (let total = 0; total < input.length; ) {
        const s = 1 + Math.floor(rnd() * max);
        sizes.push(s);
        total += s;
      }
      const d = diffTokens(whole, tokenizeChunked(input, table, sizes));
      if (d) expect.fail(`${table.dialect}, seed ${seed} run ${run} (chunks ≤ ${max}): ${d}`);
    }
  }

  const small = hasCorpus ? corpusFiles().filter((f) => readCorpus(f).length < 2048) : [];
  const large = hasCorpus ? corpusFiles().filter((f) => readCorpus(f).length >= 2048) : [];

  describe.skipIf(!hasCorpus)('reference corpus (../shared/corpus)', () => {
    it.each(small)('%s (< 2 KB): every split point and 1-byte chunks', (name) => {
      const input = readCorpus(name);
      for (const [, table] of TABLES) checkAllSplits(input, table);
    });

    it.each(large)('%s: random splits', (name) => {
      const input = readCorpus(name);
      TABLES.forEach(([, table], i) => checkRandomSplits(input, table, 1000 + name.length * 31 + i, 20));
    });
  });

  it.each(projectInputs().filter(([, b]) => b.length < 2048))('%s: every split point and 1-byte chunks', (_name, input) => {
    for (const [, table] of TABLES) checkAllSplits(input, table);
  });

  it.each(projectInputs().filter(([, b]) => b.length >= 2048))('%s: random splits', (_name, input) => {
    TABLES.forEach(([, table], i) => checkRandomSplits(input, table, 42 + i, 30));
  });

  it('a command split right after its introducer, inside its header and inside its data', () => {
    const input = bytes('ab', GS, '(k', pLpH(6), 0x31, 0x50, 0x30, 'QRQ', 'cd', GS, 'v0', 0, 1, 0, 4, 0, 1, 2, 3, 4, 'ef');
    for (const [, table] of TABLES) checkAllSplits(input, table);
  });
});

describe('tokenizer: declared lengths are capped', () => {
  const memory = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };

  it('GS v 0 with xL=xH=yL=yH=0xFF is an unknown command; the text after it is text', () => {
    const text = 'TOTAL 12.50\n'.repeat(4096);
    const input = bytes(GS, 'v0', 0, 0xff, 0xff, 0xff, 0xff, text);
    const before = memory();
    const tokens = tokenize(input);
    const grown = memory() - before;
    // Trusting the header would mean waiting for (or allocating) 4 GB.
    expect(grown).toBeLessThan(32 * 1024 * 1024);
    expect(tokens[0]).toMatchObject({ kind: 'unknown', offset: 0 });
    expect(hex(tokens[0]!.raw)).toBe('1d76');
    expect(tokens.some((t) => t.kind === 'truncated' || t.kind === 'command')).toBe(false);
    const texts = tokens.filter((t) => t.kind === 'text').map((t) => Buffer.from(t.raw).toString('latin1'));
    // The 0xFF parameter bytes are printable: they start the first text run.
    expect(texts[0]).toBe('0');
    expect(texts[1]).toBe('\xff\xff\xff\xffTOTAL 12.50');
    expect(texts.slice(2).filter((t) => t === 'TOTAL 12.50')).toHaveLength(4095);
    expect(concatRaw(tokens).equals(Buffer.from(input))).toBe(true);
  });

  it('GS v 0 streamed: nothing is held back waiting for the declared 4 GB', () => {
    const t = new Tokenizer(EPSON_TABLE);
    const before = memory();
    const out: Token[] = [];
    const head = bytes(GS, 'v0', 0, 0xff, 0xff, 0xff, 0xff);
    for (const b of head) out.push(...t.push(Uint8Array.of(b)));
    const line = Buffer.from('hello world\n', 'latin1');
    for (let i = 0; i < 20000; i++) out.push(...t.push(line));
    expect(t.consumed).toBe(head.length + 20000 * line.length);
    out.push(...t.end());
    expect(memory() - before).toBeLessThan(64 * 1024 * 1024);
    expect(out[0]!.kind).toBe('unknown');
    const texts = out.filter((x) => x.kind === 'text').map((x) => Buffer.from(x.raw).toString('latin1'));
    expect(texts.slice(0, 2)).toEqual(['0', '\xff\xff\xff\xffhello world']);
    expect(texts.slice(2).filter((x) => x === 'hello world')).toHaveLength(19999);
  });

  it('GS 8 L with a 4 GiB p is an unknown command; the text after it is text', () => {
    const input = bytes(GS, '8L', 0xff, 0xff, 0xff, 0xff, 0x30, 0x70, 'after the header\n');
    const before = memory();
    const tokens = tokenize(input);
    expect(memory() - before).toBeLessThan(32 * 1024 * 1024);
    expect(tokens[0]).toMatchObject({ kind: 'unknown' });
    expect(hex(tokens[0]!.raw)).toBe('1d38');
    const text = tokens.filter((t) => t.kind === 'text').map((t) => Buffer.from(t.raw).toString('latin1')).join('');
    expect(text).toContain('after the header');
    expect(tokens.at(-1)).toMatchObject({ kind: 'control', code: LF });
  });

  it('GS 8 L with 4 GiB streamed in pieces does not wait for the data', () => {
    const t = new Tokenizer(EPSON_TABLE);
    const input = bytes(GS, '8L', 0xff, 0xff, 0xff, 0xff, 0x30, 0x70, 'x\n'.repeat(1000));
    const out: Token[] = [];
    for (let i = 0; i < input.length; i += 3) out.push(...t.push(input.slice(i, i + 3)));
    expect(t.consumed).toBe(input.length);
    out.push(...t.end());
    expect(out.filter((x) => x.kind === 'control' && x.code === LF)).toHaveLength(1000);
  });

  it('a header just over the cap (GS ( L p = 65535 is fine; GS 8 L just over 16 MiB is not)', () => {
    const ok = tokenize(bytes(GS, '(L', 0xff, 0xff, fill(65535), 'z'));
    expect(ok[0]).toMatchObject({ kind: 'command' });
    expect(ok[0]!.raw.length).toBe(65540);
    const p = 16 * 1024 * 1024;
    const big = tokenize(bytes(GS, '8L', p & 0xff, (p >> 8) & 0xff, (p >> 16) & 0xff, p >>> 24, 0x30, 0x70, 'z'));
    expect(big[0]).toMatchObject({ kind: 'unknown' });
  });
});

describe('tokenizer: unknown commands never swallow text', () => {
  const kinds = (tokens: readonly Token[]): string[] => tokens.map((t) => `${t.kind}:${Buffer.from(t.raw).toString('latin1')}`);

  it("ESC 'Z' in the Epson table", () => {
    const tokens = tokenize(bytes(ESC, 'Z', 'Hello\n'), EPSON_TABLE);
    expect(kinds(tokens)).toEqual(['unknown:\x1bZ', 'text:Hello', 'control:\n']);
  });

  it("ESC 'Z' followed at once by a command", () => {
    const tokens = tokenize(bytes(ESC, 'Z', ESC, 'E', 1, 'Hi'), EPSON_TABLE);
    expect(kinds(tokens)).toEqual(['unknown:\x1bZ', 'command:\x1bE\x01', 'text:Hi']);
  });

  it('GS ( with an unknown function byte', () => {
    const tokens = tokenize(bytes(GS, '(F', 3, 0, 'Bread 2.10\n'), EPSON_TABLE);
    expect(tokens[0]).toMatchObject({ kind: 'unknown' });
    expect(hex(tokens[0]!.raw)).toBe('1d28');
    const text = tokens.filter((t) => t.kind === 'text').map((t) => Buffer.from(t.raw).toString('latin1')).join('');
    expect(text).toContain('Bread 2.10');
  });

  it('ESC followed by LF: the LF is still a line feed', () => {
    for (const [, table] of TABLES) {
      const tokens = tokenize(bytes('a', ESC, LF, 'b', LF), table);
      expect(kinds(tokens)).toEqual(['text:a', 'unknown:\x1b', 'control:\n', 'text:b', 'control:\n']);
    }
  });

  it('an introducer followed by another introducer: the second one starts its own command', () => {
    const tokens = tokenize(bytes(ESC, GS, 'V', 0, 'x'), EPSON_TABLE);
    expect(kinds(tokens)).toEqual(['unknown:\x1b', 'command:\x1dV\x00', 'text:x']);
  });

  it('an invalid parameter (ESC * m=7) consumes only the introducer and the command byte', () => {
    const tokens = tokenize(bytes(ESC, '*', 7, 'item'), EPSON_TABLE);
    expect(tokens[0]).toMatchObject({ kind: 'unknown' });
    expect(tokens[0]!.raw.length).toBe(2);
    expect(kinds(tokens).slice(1)).toEqual(['control:\x07', 'text:item']);
  });

  it('unknown in every table: at most 2 bytes, and the rest tokenizes as if it were not there', () => {
    const rest = bytes('Milk 1.20', LF, ESC, '@', 'Tea', LF);
    for (const [, table] of TABLES) {
      for (const intro of table.introducers) {
        const row = table.byIntro.get(intro)!;
        for (let second = 0x20; second < 0x100; second++) {
          if (row[second] !== undefined) continue;
          const tokens = tokenize(bytes(intro, second, rest), table);
          expect(tokens[0]!.kind).toBe('unknown');
          expect(tokens[0]!.raw.length).toBe(2);
          expect(tokens.slice(1).map(sig).join()).toBe(
            tokenize(rest, table)
              .map((t) => sig({ ...t, offset: t.offset + 2 } as Token))
              .join(),
          );
        }
      }
    }
  });
});

describe('tokenizer: an unfinished command at the end is truncated', () => {
  it('input ending in the middle of GS v 0 data', () => {
    const input = bytes('x', LF, GS, 'v0', 0, 4, 0, 4, 0, fill(10));
    const tokens = tokenize(input);
    const last = tokens.at(-1)!;
    expect(last.kind).toBe('truncated');
    expect(last.offset).toBe(2);
    expect(last.raw.length).toBe(18);
    expect(last.kind === 'truncated' && last.cmd?.id).toBe('GS v');
  });

  it('input ending in the middle of a GS v 0 header', () => {
    const tokens = tokenize(bytes(GS, 'v0', 0, 4));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ kind: 'truncated', offset: 0 });
    expect(tokens[0]!.raw.length).toBe(5);
  });

  it('just ESC, in every table', () => {
    for (const [, table] of TABLES) {
      const tokens = tokenize(bytes(ESC), table);
      expect(tokens).toHaveLength(1);
      expect(tokens[0]).toMatchObject({ kind: 'truncated', offset: 0, cmd: null });
    }
  });

  it('text then ESC at the end, streamed', () => {
    const t = new Tokenizer();
    const out = [...t.push(bytes('total'))];
    expect(out).toHaveLength(0); // the text run could go on in the next chunk
    out.push(...t.push(bytes(ESC)));
    expect(out.map((x) => x.kind)).toEqual(['text']); // ESC could start a command with the next chunk
    out.push(...t.end());
    expect(out.map((x) => x.kind)).toEqual(['text', 'truncated']);
  });

  it('GS k form A without its NUL, GS ( k without all its data, ESC & cut in a glyph', () => {
    for (const input of [
      bytes(GS, 'k', 4, 'ABC'),
      bytes(GS, '(k', pLpH(10), 0x31, 0x50),
      bytes(ESC, '&', 3, 0x41, 0x43, 2, fill(6), 2, fill(2)),
      bytes(FS, 'q', 2, 1, 0, 1, 0, fill(8), 1, 0),
      bytes(DLE, 4),
    ]) {
      const tokens = tokenize(input);
      expect(tokens).toHaveLength(1);
      expect(tokens[0]!.kind).toBe('truncated');
      expect(tokens[0]!.raw.length).toBe(input.length);
    }
  });

  it('truncation is also what streaming gives, whatever the chunks', () => {
    const input = bytes('hello', LF, GS, 'v0', 0, 4, 0, 4, 0, fill(10));
    for (const size of [1, 2, 3, 7, 100]) {
      const tokens = tokenizeChunked(input, EPSON_TABLE, new Array<number>(input.length).fill(size));
      expect(tokens.at(-1)!.kind).toBe('truncated');
      expect(tokens.at(-1)!.offset).toBe(6);
    }
  });
});

describe('tokenizer: command lengths of escpos-lengths.md', () => {
  const tableName = (t: CommandTable): string => t.dialect;
  const rows = LENGTH_CASES.flatMap((lc) => lc.tables.map((table) => [`${tableName(table)}: ${lc.name}`, lc, table] as const));

  it.each(rows)('%s', (_name, lc, table) => {
    const tokens = tokenize(lc.bytes, table);
    const first = tokens[0]!;
    if (lc.id === 'unknown' || lc.id === 'control') {
      expect(first.kind).toBe(lc.id);
    } else {
      expect(first.kind).toBe('command');
      expect(first.kind === 'command' && commandId(first.cmd, first.raw)).toBe(lc.id);
    }
    expect(first.raw.length).toBe(lc.len);
    // What follows is not part of the command, and nothing is lost.
    expect(tokens[1]?.offset ?? lc.bytes.length).toBe(lc.len);
    expect(concatRaw(tokens).equals(Buffer.from(lc.bytes))).toBe(true);
  });

  it('GB18030 text in CJK mode is one text token (no byte of it is an introducer)', () => {
    const gb = iconv.encode('合计：¥12.50 欢迎光临', 'gb18030');
    const tokens = tokenize(bytes(FS, '&', gb, LF));
    expect(tokens.map((t) => t.kind)).toEqual(['command', 'text', 'control']);
    expect(Buffer.from(tokens[1]!.raw).equals(gb)).toBe(true);
  });
});

describe('tokenizer: streaming a long command costs time linear in its size', () => {
  /** Push `input` in `size`-byte chunks; ms taken and the tokens. */
  function streamed(input: Uint8Array, size: number): { ms: number; tokens: Token[] } {
    const t = new Tokenizer(EPSON_TABLE);
    const tokens: Token[] = [];
    const t0 = performance.now();
    for (let at = 0; at < input.length; at += size) tokens.push(...t.push(input.subarray(at, at + size)));
    tokens.push(...t.end());
    return { ms: performance.now() - t0, tokens };
  }

  it('FS q with several NV images (14 MB) in 4 KB chunks: about as fast as a GS 8 L of the same size', () => {
    const image = [0xff, 0x03, 0x20, 0x01]; // 1023 × 288: 8·x·y = 2 357 M bytes each
    const imageBytes = 8 * 1023 * 288;
    const parts: Uint8Array[] = [bytes(FS, 'q', 6)];
    for (let i = 0; i < 6; i++) parts.push(bytes(image), new Uint8Array(imageBytes).fill(0x55));
    const fsq = Buffer.concat([...parts, bytes('ok', LF)]);
    const p = fsq.length - 3 - 7;
    const gs8 = Buffer.concat([bytes(GS, '8L', p & 0xff, (p >> 8) & 0xff, p >> 16, 0), new Uint8Array(p).fill(0x55), bytes('ok', LF)]);
    const reference = streamed(gs8, 4096);
    expect(reference.tokens[0]).toMatchObject({ kind: 'command', offset: 0 });
    expect(reference.tokens[0]!.raw.length).toBe(7 + p);
    const run = streamed(fsq, 4096);
    expect(run.tokens[0]).toMatchObject({ kind: 'command', offset: 0 });
    expect(run.tokens[0]!.raw.length).toBe(fsq.length - 3);
    // Re-reading everything gathered so far on every chunk is quadratic: seconds instead of ms.
    expect(run.ms).toBeLessThan(5 * reference.ms + 250);
  });
});
