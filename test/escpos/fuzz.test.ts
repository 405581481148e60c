/**
 * Fuzzing the whole decoder (src/receipt/decoder.ts): random bytes, random bytes biased to command
 * introducers and length fields, and mutated captures go through `decodeBuffer` with every profile
 * and through the streaming `ReceiptDecoder` in random chunks. Nothing may throw, hang (a generous
 * per-input time bound) or hold memory that grows with the input.
 *
 * Seeded: a failure names its seed and input; set TILLTAP_FUZZ_SEED to try other seeds. Failing
 * inputs are written to the OS temp folder so that they can be replayed.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EscPosBuilder, testPattern } from '../../src/escpos/builder.js';
import type { ProfileChoice } from '../../src/escpos/profiles.js';
import { decodeBuffer, ReceiptDecoder } from '../../src/receipt/decoder.js';
import type { DecodeResult, Receipt } from '../../src/receipt/receipt.js';
import { corpusFiles, hasCorpus, readCorpus } from '../helpers/corpus.js';
import { int, pick, prng, type Rnd } from '../../scripts/lib/prng.js';

const SEED = Number(process.env['TILLTAP_FUZZ_SEED'] ?? 0x5eed);
const PROFILES: readonly ProfileChoice[] = ['auto', 'epson', 'star-line', 'generic-cn'];
const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const INTRODUCERS = [ESC, GS, FS, DLE] as const;

/** Per-input hang check: 2 s for 64 KB (and proportionally more above). Not a speed target. */
const boundMs = (size: number): number => 2000 * Math.max(1, size / 65536);

// ---- PRNG and generators ---------------------------------------------------------------------


/** Sizes spread evenly over the orders of magnitude from 1 byte to `max`. */
const logSize = (rnd: Rnd, max: number): number => Math.max(1, Math.floor(Math.exp(rnd() * Math.log(max))));

function randomBytes(rnd: Rnd, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const words = new Uint32Array(out.buffer, 0, n >> 2);
  for (let i = 0; i < words.length; i++) words[i] = (rnd() * 4294967296) >>> 0;
  for (let i = words.length * 4; i < n; i++) out[i] = int(rnd, 256);
  return out;
}

/** Beginnings of real commands, so that length rules see plausible headers with random parameters. */
const FRAGMENTS: readonly (readonly number[])[] = [
  [GS, 0x76, 0x30], // GS v 0
  [GS, 0x28, 0x6b], // GS ( k
  [GS, 0x28, 0x4c], // GS ( L
  [GS, 0x38, 0x4c], // GS 8 L
  [GS, 0x51, 0x30], // GS Q 0
  [GS, 0x2a], // GS *
  [GS, 0x6b], // GS k
  [GS, 0x56], // GS V
  [GS, 0x21], // GS !
  [ESC, 0x2a], // ESC *
  [ESC, 0x26], // ESC &
  [ESC, 0x44], // ESC D
  [ESC, 0x5a], // ESC Z (clone)
  [ESC, 0x62], // ESC b (Star)
  [ESC, GS, 0x79, 0x44], // ESC GS y D (Star QR)
  [ESC, 0x74], // ESC t
  [ESC, 0x52], // ESC R
  [ESC, 0x40], // ESC @
  [ESC, 0x64], // ESC d
  [FS, 0x71], // FS q
  [FS, 0x32], // FS 2
  [FS, 0x26], // FS &
  [FS, 0x2e], // FS .
  [FS, 0x28, 0x43, 2, 0, 0x30, 0x32], // FS ( C: UTF-8
  [DLE, 0x04], // DLE EOT
  [DLE, 0x14], // DLE DC4
  [0x0a],
];

/** Random bytes biased to introducers, fragments of commands, small parameters and 0xFF lengths. */
function biasedBytes(rnd: Rnd, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const r = rnd();
    if (r < 0.08) {
      for (const b of pick(rnd, FRAGMENTS)) if (i < n) out[i++] = b;
    } else if (r < 0.2) out[i++] = pick(rnd, INTRODUCERS);
    else if (r < 0.35) out[i++] = rnd() < 0.5 ? int(rnd, 9) : 0x30 + int(rnd, 4);
    else if (r < 0.42) out[i++] = 0xff;
    else if (r < 0.75) out[i++] = 0x20 + int(rnd, 0x5f);
    else out[i++] = int(rnd, 256);
  }
  return out;
}

/** Bit flips, insertions, deletions, splices from other seeds, duplications, truncation. */
function mutate(rnd: Rnd, seeds: readonly Uint8Array[]): Uint8Array {
  let cur: Uint8Array = Uint8Array.from(pick(rnd, seeds));
  const ops = 1 + int(rnd, 16);
  const at = (): number => int(rnd, cur.length + 1);
  const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
  for (let k = 0; k < ops; k++) {
    const op = int(rnd, 8);
    const p = at();
    switch (op) {
      case 0: // bit flips
        for (let j = 0, m = 1 + int(rnd, 8); j < m && cur.length > 0; j++) cur[int(rnd, cur.length)]! ^= 1 << int(rnd, 8);
        break;
      case 1: // insert random bytes or an introducer
        cur = join(cur.subarray(0, p), rnd() < 0.5 ? Uint8Array.of(pick(rnd, INTRODUCERS)) : randomBytes(rnd, 1 + int(rnd, 16)), cur.subarray(p));
        break;
      case 2: // delete a range
        cur = join(cur.subarray(0, p), cur.subarray(Math.min(cur.length, p + 1 + int(rnd, 64))));
        break;
      case 3: {
        // splice in a slice of another seed
        const other = pick(rnd, seeds);
        const q = int(rnd, other.length + 1);
        cur = join(cur.subarray(0, p), other.subarray(q, q + 1 + int(rnd, 4096)), cur.subarray(Math.min(cur.length, p + int(rnd, 256))));
        break;
      }
      case 4: {
        // duplicate a range
        const q = Math.min(cur.length, p + 1 + int(rnd, 2048));
        cur = join(cur.subarray(0, q), cur.subarray(p, q), cur.subarray(q));
        break;
      }
      case 5: // a length field blown up, or zeroed
        for (let j = 0, m = 1 + int(rnd, 4); j < m && cur.length > 0; j++) cur[int(rnd, cur.length)] = rnd() < 0.7 ? 0xff : 0;
        break;
      case 6: // insert a command fragment
        cur = join(cur.subarray(0, p), Uint8Array.from(pick(rnd, FRAGMENTS)), cur.subarray(p));
        break;
      default: // truncate
        if (rnd() < 0.3) cur = cur.slice(0, p);
    }
    if (cur.length > 256 * 1024) cur = cur.slice(0, 256 * 1024);
  }
  return cur;
}

// ---- project-made captures (seeds that exist without ../shared/corpus) ------------------------

function projectSeeds(): Uint8Array[] {
  const english = new EscPosBuilder().init().align('center').size(2, 2).line('CORNER SHOP').size(1, 1).align('left');
  for (let i = 0; i < 20; i++) english.text(`Item ${i}`).tab().line(`${(i * 0.75).toFixed(2)}`);
  english.bold(true).line('TOTAL 14.25').bold(false).barcode('code128', 'R-000123').qr('https://example.com/r/123').cut();

  const cjk = new EscPosBuilder().init().cjk(true).line('来钱客栈 收银：1001').line('商品名称  数量  金额').line('合计：¥12.50').cjk(false).cut('full');
  const cn = new EscPosBuilder().init().assumeEncoding('gb18030').line('欢迎光临！').line('金额 8.00').feed(2).cut();
  const latin = new EscPosBuilder().init().codepage(19, 'cp858').line('Crème brûlée 4,50 €').codepage(2, 'cp850').line('Straße, Øre').cut();
  const image = new EscPosBuilder().init().line('LOGO').raster(384, 48, testPattern(384, 48)).line('after').cut();
  const status = new EscPosBuilder().pollStatus(1).pollStatus(2).pollStatus(3).pollStatus(4).init().line('x').drawer().cut();
  const star = Buffer.concat([
    Buffer.from([ESC, 0x40, ESC, GS, 0x61, 1, ESC, 0x45]),
    Buffer.from('STAR LINE MODE\n', 'latin1'),
    Buffer.from([ESC, 0x46, ESC, 0x62, 0x36, 0x32, 0x32, 0x50]),
    Buffer.from('12345678', 'latin1'),
    Buffer.from([0x1e, ESC, GS, 0x79, 0x44, 0x31, 0, 5, 0]),
    Buffer.from('hello', 'latin1'),
    Buffer.from([ESC, GS, 0x79, 0x50, 0x0a, ESC, 0x64, 0x33]),
  ]);
  return [english.build(), cjk.build(), cn.build(), latin.build(), image.build(), status.build(), star];
}

const corpusSeeds = (): Uint8Array[] => (hasCorpus ? corpusFiles().map((f) => Uint8Array.from(readCorpus(f))) : []);

// ---- running one input -----------------------------------------------------------------------

/** What must come out the same whether the input arrives whole or in chunks. */
function summary(r: DecodeResult): string {
  const receipt = (x: Receipt): unknown => [
    x.seq,
    x.text,
    x.bytes,
    x.cut,
    x.barcodes,
    x.images.map((i) => [i.width, i.height, i.source, i.key ?? '', i.bitmap?.layout ?? '', i.bitmap?.data.length ?? -1]),
    x.warnings,
  ];
  return JSON.stringify([r.receipts.map(receipt), r.status, r.warnings]);
}

function streamDecode(input: Uint8Array, profile: ProfileChoice, rnd: Rnd): DecodeResult {
  const d = new ReceiptDecoder({ profile });
  const receipts: Receipt[] = [];
  const max = pick(rnd, [8, 512, 65536]);
  for (let at = 0; at < input.length; ) {
    const size = 1 + int(rnd, max);
    // Fresh copies, as a socket or serial port hands them over.
    for (const r of d.push(input.slice(at, at + size))) receipts.push(r);
    at += size;
  }
  for (const r of d.end()) receipts.push(r);
  return { receipts, status: [...d.status], warnings: [...d.warnings] };
}

class Fuzz {
  readonly failures: string[] = [];
  inputs = 0;
  bytes = 0;
  slowest = { ms: 0, what: '' };

  constructor(private readonly name: string) {}

  private fail(i: number, input: Uint8Array, what: string): void {
    if (this.failures.length >= 5) return;
    const file = join(tmpdir(), `tilltap-fuzz-${this.name}-${SEED}-${i}.bin`);
    try {
      writeFileSync(file, input);
    } catch {
      // the message still names the seed and input index
    }
    this.failures.push(`${this.name} #${i} (seed ${SEED}, ${input.length} B, saved as ${file}): ${what}`);
  }

  private timed<T>(i: number, input: Uint8Array, label: string, run: () => T): T | undefined {
    const t0 = performance.now();
    let out: T;
    try {
      out = run();
    } catch (e) {
      const err = e instanceof Error ? `${e.name}: ${e.message} ${e.stack?.split('\n')[1]?.trim() ?? ''}` : String(e);
      this.fail(i, input, `${label} threw ${err}`);
      return undefined;
    }
    const ms = performance.now() - t0;
    if (ms > this.slowest.ms) this.slowest = { ms, what: `#${i} ${label} ${input.length} B` };
    if (ms > boundMs(input.length)) this.fail(i, input, `${label} took ${ms.toFixed(0)} ms`);
    return out;
  }

  /** Every profile whole, one of them streamed in random chunks and compared. */
  run(i: number, input: Uint8Array, rnd: Rnd): void {
    this.inputs++;
    this.bytes += input.length;
    const results = new Map<ProfileChoice, DecodeResult>();
    for (const profile of PROFILES) {
      const r = this.timed(i, input, `decodeBuffer(${profile})`, () => decodeBuffer(input, { profile }));
      if (!r) continue;
      results.set(profile, r);
      for (const x of r.receipts) {
        if (!(x.bytes.start >= 0 && x.bytes.start < x.bytes.end && x.bytes.end <= input.length)) {
          this.fail(i, input, `decodeBuffer(${profile}): receipt ${x.seq} has bytes ${x.bytes.start}..${x.bytes.end}`);
        }
      }
    }
    const profile = PROFILES[i % PROFILES.length]!;
    const streamed = this.timed(i, input, `ReceiptDecoder(${profile}) in chunks`, () => streamDecode(input, profile, rnd));
    const whole = results.get(profile);
    if (streamed && whole && summary(streamed) !== summary(whole)) {
      this.fail(i, input, `ReceiptDecoder(${profile}) in chunks decodes differently from decodeBuffer`);
    }
  }

  check(): void {
    expect(this.failures).toEqual([]);
    expect(this.inputs).toBeGreaterThan(0);
  }
}

// ---- the fuzz runs ---------------------------------------------------------------------------

describe('fuzz: decodeBuffer and ReceiptDecoder survive any input', () => {
  it('random bytes (1 B – 64 KB)', () => {
    const rnd = prng(SEED ^ 0x01);
    const f = new Fuzz('random');
    for (let i = 0; i < 2500; i++) f.run(i, randomBytes(rnd, logSize(rnd, 65536)), rnd);
    f.run(2500, randomBytes(rnd, 65536), rnd);
    f.check();
  });

  it('random bytes biased to introducers, command headers and 0xFF lengths', () => {
    const rnd = prng(SEED ^ 0x02);
    const f = new Fuzz('biased');
    for (let i = 0; i < 3000; i++) f.run(i, biasedBytes(rnd, logSize(rnd, 65536)), rnd);
    f.run(3000, biasedBytes(rnd, 65536), rnd);
    f.check();
  });

  it('mutated project-made captures', () => {
    const rnd = prng(SEED ^ 0x03);
    const seeds = projectSeeds();
    const f = new Fuzz('mutated-project');
    for (let i = 0; i < 2000; i++) f.run(i, mutate(rnd, seeds), rnd);
    f.check();
  });

  it.skipIf(!hasCorpus)('mutated corpus files (../shared/corpus)', () => {
    const rnd = prng(SEED ^ 0x04);
    const seeds = [...corpusSeeds(), ...projectSeeds()];
    const f = new Fuzz('mutated-corpus');
    for (let i = 0; i < 2000; i++) f.run(i, mutate(rnd, seeds), rnd);
    f.check();
  });
});

describe('fuzz: memory stays bounded while streaming', () => {
  /**
   * Stream `total` bytes made by `make` through a ReceiptDecoder in 64 KB chunks, receipts discarded;
   * the peak growth of RSS and of live JS memory (heapUsed + arrayBuffers), sampled between chunks.
   */
  function streamGrowth(
    profile: ProfileChoice,
    total: number,
    make: (chunk: number) => Uint8Array,
  ): { growth: number; heapGrowth: number; receipts: number } {
    const d = new ReceiptDecoder({ profile });
    const heap = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const start = process.memoryUsage.rss();
    const heapStart = heap();
    let peak = start;
    let heapPeak = heapStart;
    let receipts = 0;
    for (let at = 0, k = 0; at < total; at += 65536, k++) {
      receipts += d.push(make(k)).length;
      if ((k & 7) === 0) {
        peak = Math.max(peak, process.memoryUsage.rss());
        heapPeak = Math.max(heapPeak, heap());
      }
    }
    receipts += d.end().length;
    peak = Math.max(peak, process.memoryUsage.rss());
    heapPeak = Math.max(heapPeak, heap());
    return { growth: peak - start, heapGrowth: heapPeak - heapStart, receipts };
  }

  it('50 MB of random bytes in 64 KB chunks (auto profile): RSS grows by less than 200 MB', () => {
    const rnd = prng(SEED ^ 0x05);
    const { growth } = streamGrowth('auto', 50 * 1024 * 1024, () => randomBytes(rnd, 65536));
    expect(growth).toBeLessThan(200 * 1024 * 1024);
  });

  it('40 MB of biased bytes in 64 KB chunks (epson profile): RSS grows by less than 200 MB', () => {
    const rnd = prng(SEED ^ 0x06);
    const { growth, receipts } = streamGrowth('epson', 40 * 1024 * 1024, () => biasedBytes(rnd, 65536));
    expect(receipts).toBeGreaterThan(0);
    expect(growth).toBeLessThan(200 * 1024 * 1024);
  });

  // A POS polls `DLE EOT n` between jobs all day long; a capture agent streams for weeks. The README
  // promises that memory does not grow with the size of the capture.
  it('12 MB of status polls (DLE EOT 1) in 64 KB chunks: live memory grows < 100 MB, RSS < 200 MB', () => {
    const poll = new Uint8Array(65535);
    for (let i = 0; i < poll.length; i += 3) poll.set([DLE, 0x04, 1], i);
    const { growth, heapGrowth } = streamGrowth('epson', 12 * 1024 * 1024, () => poll.slice());
    expect(heapGrowth).toBeLessThan(100 * 1024 * 1024);
    expect(growth).toBeLessThan(200 * 1024 * 1024);
  });
});

/**
 * Inputs that once hung, blew up or threw. Decoding each takes milliseconds when the work is
 * linear; the bounds are far above that.
 */
describe('fuzz: inputs found by fuzzing', () => {
  const repeat = (unit: readonly number[], times: number): Uint8Array => {
    const out = new Uint8Array(unit.length * times);
    for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
    return out;
  };
  const timeMs = (run: () => unknown): number => {
    const t0 = performance.now();
    run();
    return performance.now() - t0;
  };

  it("'x' ESC @ 200 000 times (each ESC @ drops unprinted text with a warning) decodes without an exception", () => {
    const input = repeat([0x78, ESC, 0x40], 200_000);
    let r: DecodeResult | undefined;
    expect(() => (r = decodeBuffer(input, { profile: 'epson' }))).not.toThrow();
    expect(r?.receipts).toEqual([]);
  });

  it('LF ESC @ repeated (blank feed between resets) decodes in linear time', () => {
    const input = repeat([0x0a, ESC, 0x40], 32_000); // 96 KB
    expect(timeMs(() => decodeBuffer(input, { profile: 'epson' }))).toBeLessThan(1000);
  });

  it("a tab after every character of one long line ('a' HT …) decodes in linear time", () => {
    const input = repeat([0x61, 0x09], 32 * 1024); // 64 KB
    expect(timeMs(() => decodeBuffer(input, { profile: 'epson' }))).toBeLessThan(1000);
  });

  it('ESC d 255 repeated (blank paper, nothing printed) takes neither time nor memory', () => {
    const input = repeat([ESC, 0x64, 0xff], 5000); // 15 KB that feed 1 275 000 blank lines
    const live = (): number => process.memoryUsage().heapUsed;
    const d = new ReceiptDecoder({ profile: 'epson' });
    const before = live();
    let peak = before;
    const out: Receipt[] = [];
    const ms = timeMs(() => {
      // Whatever the decoder keeps is live between chunks: sample there.
      for (let at = 0; at < input.length; at += 1024) {
        out.push(...d.push(input.subarray(at, at + 1024)));
        peak = Math.max(peak, live());
      }
      out.push(...d.end());
    });
    expect(ms).toBeLessThan(1000);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
    expect(out).toEqual([]);
  });

  it('a tall ESC * picture (7 MB of 24-dot column bands, no cut) streams in linear time', () => {
    const dots = 576;
    const band = [ESC, 0x2a, 33, dots & 0xff, dots >> 8, ...new Array<number>(3 * dots).fill(0x5a), 0x0a];
    const input = repeat(band, 4000);
    const ms = timeMs(() => {
      const d = new ReceiptDecoder({ profile: 'epson' });
      for (let at = 0; at < input.length; at += 65536) d.push(input.subarray(at, at + 65536));
      const out = d.end();
      expect(out).toHaveLength(1);
      expect(out[0]!.images).toHaveLength(1);
    });
    expect(ms).toBeLessThan(1000);
  });
});
