/**
 * Decoder throughput beside its floor, and memory while streaming.
 *
 * Streams are made in memory by tilltap's own encoder (src/escpos/builder.ts):
 *   - text-heavy receipts, tens of MB: plain ASCII (style commands every few lines, a bar code, a
 *     cut per receipt); Chinese GB18030 text in CJK mode (FS &); Latin text under ESC t 19 (CP858);
 *   - image-heavy receipts: GS v 0 rasters of a few KB each with a little text; and receipts that
 *     are two pictures of 50–170 KB each (crossing most chunk boundaries), where the payload is
 *     nearly all the work: what skipping a payload costs per byte.
 * Each is decoded by the streaming ReceiptDecoder in 64 KB chunks (receipts counted, then dropped)
 * and, in the same process and interleaved with it round by round, the floor of the same work:
 * for the text streams iconv-lite decoding, in one call, exactly the bytes the decoder decodes as
 * text (every text token's bytes, picked out before timing: no commands, control bytes or line
 * breaks); for the image stream a plain memory copy and a Buffer.compare of the whole stream.
 * Best round of several; the range of per-round ratios is printed beside.
 *
 * Memory: each stream is decoded again at two input sizes in a fresh process, the input made chunk
 * by chunk on the fly (never held whole), sampling RSS and heapUsed while streaming.
 *
 * Run: npm run build && npm run bench:decode [-- --runs 5 --mb 40 --mem 20,80]
 *
 * Last measured (Node 20, 2 shared cores under load 4–5, two runs), decode/floor: ASCII 0.60–0.70,
 * GB18030 0.54–0.57, CP858 0.56–0.58 (before this floor and these changes, with the floor on the
 * whole stream: 0.48–0.52, 0.48–0.52, 0.40–0.41); small images 0.33–0.37 of a memory copy, large
 * pictures 0.62–0.73; heap after a full collection 10–12 MB at both 20 and 80 MB of input.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { EscPosBuilder, testPattern } from '../../src/escpos/builder.js';
import type { ProfileChoice } from '../../src/escpos/profiles.js';
import { CLONE_TABLE } from '../../src/escpos/commands.js';
import { type Token, Tokenizer } from '../../src/escpos/tokenizer.js';
import { ReceiptDecoder } from '../../src/receipt/decoder.js';
import { int, pick, prng, type Rnd } from '../lib/prng.js';

const CHUNK = 64 * 1024;
const MB = 1024 * 1024;

type Kind = 'ascii' | 'gb18030' | 'latin' | 'image' | 'photo';
const KINDS: readonly Kind[] = ['ascii', 'gb18030', 'latin', 'image', 'photo'];

// ---- seeded generation -----------------------------------------------------------------------

const money = (cents: number, sep = '.'): string => `${Math.floor(cents / 100)}${sep}${String(cents % 100).padStart(2, '0')}`;

const ASCII_ITEMS = [
  'Whole milk 1L', 'Sourdough bread', 'Free range eggs 12', 'Bananas (kg)', 'Cheddar 200g', 'Orange juice 1L',
  'Coffee beans 250g', 'Dish soap', 'Paper towels x4', 'Greek yoghurt', 'Chicken breast', 'Basmati rice 1kg',
  'Tomatoes (kg)', 'Pasta fusilli 500g', 'Olive oil 500ml', 'Dark chocolate', 'Sparkling water 6x', 'Toothpaste',
  'Apples Gala (kg)', 'Butter 250g',
] as const;

const CN_ITEMS = [
  '矿泉水 550ml', '可口可乐 330ml', '全麦面包', '纯牛奶 250ml', '康师傅方便面', '绿箭口香糖', '红富士苹果',
  '香蕉（公斤）', '土鸡蛋 10枚', '五常大米 5kg', '金龙鱼食用油', '青岛啤酒', '农夫山泉', '旺仔牛奶', '乐事薯片',
  '清风纸巾', '蓝月亮洗衣液', '海天酱油', '老干妈辣酱', '三全水饺',
] as const;

const LATIN_ITEMS = [
  'Café crème', 'Croissant au beurre', 'Pain complet', 'Bière pression 0,5 l', 'Crêpe Suzette', 'Brötchen',
  'Müsli 500 g', 'Käsekuchen', 'Jalapeño', 'Piña colada', 'Smørrebrød', 'Pâté de campagne', 'Thé glacé',
  'Crème brûlée', 'Gâteau au chocolat', 'Äpfel (kg)', 'Grüner Tee', 'Açaí bowl', 'Größe M Hemd', 'Fußball',
] as const;

function asciiReceipt(rnd: Rnd, no: number): Uint8Array {
  const b = new EscPosBuilder().init().align('center').size(2, 2).bold(true).line('CORNER MARKET');
  b.size(1, 1).bold(false).line('12 High Street, Springfield').line('Tel 555-0142  VAT GB123456789');
  b.align('left').line(`Receipt ${no}      ${new Date(1.7e12 + no * 6e4).toISOString().slice(0, 16)}`).line('-'.repeat(42));
  let total = 0;
  const n = 6 + int(rnd, 24);
  for (let i = 0; i < n; i++) {
    const qty = 1 + int(rnd, 4);
    const cents = qty * (49 + int(rnd, 1500));
    total += cents;
    const styled = i % 4 === 3;
    if (styled) b.bold(true);
    b.line(`${pick(rnd, ASCII_ITEMS).padEnd(26)}${String(qty).padStart(4)}${money(cents).padStart(12)}`);
    if (styled) b.bold(false);
    if (rnd() < 0.15) b.underline(1).line(`  Promotion${'-0.50'.padStart(31)}`).underline(0);
  }
  b.line('-'.repeat(42)).bold(true).size(1, 2).line(`TOTAL${money(total).padStart(37)}`).size(1, 1).bold(false);
  const paid = Math.ceil(total / 1000) * 1000;
  b.line(`Cash${money(paid).padStart(38)}`).line(`Change${money(paid - total).padStart(36)}`);
  b.align('center').line('Thank you for shopping with us!').barcode('code128', `R${no}`).feed(3).cut('partial');
  return b.build();
}

function chineseReceipt(rnd: Rnd, no: number): Uint8Array {
  const b = new EscPosBuilder().init().cjk(true).align('center').size(2, 2).line('来钱客栈便利店').size(1, 1);
  b.line('地址：杭州市西湖区文三路 88 号').line('电话：0571-88886666').align('left');
  b.line(`单号：${no}   收银员：1001   机号：03`).line('商品名称              数量      金额').line('-'.repeat(42));
  let total = 0;
  const n = 6 + int(rnd, 24);
  for (let i = 0; i < n; i++) {
    const qty = 1 + int(rnd, 4);
    const cents = qty * (150 + int(rnd, 3000));
    total += cents;
    if (i % 4 === 3) b.bold(true);
    b.line(`${pick(rnd, CN_ITEMS)}      ${qty}      ¥${money(cents)}`);
    if (i % 4 === 3) b.bold(false);
  }
  b.line('-'.repeat(42)).size(1, 2).line(`合计：¥${money(total)}`).size(1, 1);
  b.line(`实收：¥${money(Math.ceil(total / 100) * 100)}   找零：¥${money(Math.ceil(total / 100) * 100 - total)}`);
  b.line('支付方式：微信支付').align('center').line('欢迎光临，谢谢惠顾！').line('请保留小票，七日内凭小票退换');
  b.cjk(false).feed(3).cut('full');
  return b.build();
}

function latinReceipt(rnd: Rnd, no: number): Uint8Array {
  const b = new EscPosBuilder().init().codepage(19, 'cp858').align('center').bold(true).line('BRASSERIE DU MARCHÉ');
  b.bold(false).line('Place de la République, Genève').align('left').line(`Ticket n° ${no}   Caisse 2   Servi par Zoë`);
  b.line('-'.repeat(42));
  let total = 0;
  const n = 6 + int(rnd, 24);
  for (let i = 0; i < n; i++) {
    const qty = 1 + int(rnd, 3);
    const cents = qty * (250 + int(rnd, 2500));
    total += cents;
    if (i % 5 === 4) b.underline(1);
    b.line(`${pick(rnd, LATIN_ITEMS).padEnd(26)}${String(qty).padStart(3)}${`${money(cents, ',')} €`.padStart(13)}`);
    if (i % 5 === 4) b.underline(0);
  }
  b.line('-'.repeat(42)).size(2, 2).line(`TOTAL ${money(total, ',')} €`).size(1, 1);
  b.line(`dont TVA 7,7 %${`${money(Math.round(total * 0.077), ',')} €`.padStart(28)}`);
  b.align('center').line('Merci de votre visite — à bientôt !').feed(3).cut('partial');
  return b.build();
}

function imageReceipt(rnd: Rnd, no: number): Uint8Array {
  const b = new EscPosBuilder().init().align('center');
  const images = 2 + int(rnd, 3);
  for (let i = 0; i < images; i++) {
    const width = pick(rnd, [256, 384, 512, 576]);
    const height = 24 + int(rnd, 72);
    const x = width / 8;
    let bits: Uint8Array;
    if (rnd() < 0.5) bits = testPattern(width, height);
    else {
      bits = new Uint8Array(x * height);
      for (let j = 0; j < bits.length; j++) bits[j] = int(rnd, 256);
    }
    b.raster(width, height, bits);
    if (rnd() < 0.6) b.line(`Image ${i + 1} of receipt ${no}`);
  }
  b.line(`Total ${money(100 + int(rnd, 10000))}`).feed(2).cut('partial');
  return b.build();
}

/** Two full-width pictures of 50–170 KB each and a line of text: the payload is nearly all. */
function photoReceipt(rnd: Rnd, no: number): Uint8Array {
  const b = new EscPosBuilder().init().align('center');
  for (let i = 0; i < 2; i++) {
    const height = 700 + int(rnd, 1700);
    const bits = new Uint8Array(72 * height);
    for (let j = 0; j < bits.length; j++) bits[j] = int(rnd, 256);
    b.raster(576, height, bits).line(`Photo ${i + 1} of receipt ${no}`);
  }
  return b.feed(2).cut('partial').build();
}

const MAKERS: Readonly<Record<Kind, (rnd: Rnd, no: number) => Uint8Array>> = {
  ascii: asciiReceipt,
  gb18030: chineseReceipt,
  latin: latinReceipt,
  image: imageReceipt,
  photo: photoReceipt,
};

/** A few hundred distinct receipts of one kind; streams are random sequences of them. */
function receiptPool(kind: Kind): Uint8Array[] {
  const rnd = prng(0xbe7c + KINDS.indexOf(kind));
  return Array.from({ length: kind === 'photo' ? 24 : 300 }, (_, i) => MAKERS[kind](rnd, 100000 + i));
}

/** `total` bytes of receipts drawn from the pool, as fresh 64 KB chunks (a socket's reads). */
function* chunks(pool: readonly Uint8Array[], total: number, seed: number): Generator<Uint8Array> {
  const rnd = prng(seed);
  let cur = pick(rnd, pool);
  let pos = 0;
  for (let produced = 0; produced < total; ) {
    const size = Math.min(CHUNK, total - produced);
    const out = new Uint8Array(size);
    for (let o = 0; o < size; ) {
      if (pos === cur.length) {
        cur = pick(rnd, pool);
        pos = 0;
      }
      const n = Math.min(size - o, cur.length - pos);
      out.set(cur.subarray(pos, pos + n), o);
      o += n;
      pos += n;
    }
    produced += size;
    yield out;
  }
}

export function makeStream(kind: Kind, total: number): Buffer {
  return Buffer.concat([...chunks(receiptPool(kind), total, 7)]);
}

// ---- measuring -------------------------------------------------------------------------------

interface DecodeRun {
  readonly ms: number;
  readonly receipts: number;
  readonly chars: number;
}

function decodeStream(input: Uint8Array, profile: ProfileChoice, fields = false): DecodeRun {
  const t0 = performance.now();
  const d = new ReceiptDecoder({ profile, fields });
  let receipts = 0;
  let chars = 0;
  const take = (list: readonly { readonly text: string }[]): void => {
    receipts += list.length;
    for (const r of list) chars += r.text.length;
  };
  for (let at = 0; at < input.length; at += CHUNK) take(d.push(input.subarray(at, at + CHUNK)));
  take(d.end());
  return { ms: performance.now() - t0, receipts, chars };
}

/** Keeps results alive so that no measured work can be optimised away. */
let sink = 0;

/**
 * The floor of a stream: the least work that any decoder of it must do, measured on the bytes
 * `prepare` picks out of the input (outside the timing), run over them whole in one call.
 */
interface Floor {
  readonly label: string;
  readonly prepare: (input: Buffer) => Buffer;
  readonly run: (bytes: Buffer) => void;
}

/**
 * The bytes the decoder decodes as text: every text token's bytes, joined (no commands, no
 * control bytes, no line breaks). The decoder also cuts them into lines and reads the commands
 * between them; the floor only turns the text into a string.
 */
export function textBytes(input: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const t = new Tokenizer(CLONE_TABLE);
  const take = (tok: Token): void => {
    if (tok.kind === 'text') parts.push(Buffer.from(tok.raw));
  };
  for (let at = 0; at < input.length; at += CHUNK) t.push(input.subarray(at, at + CHUNK), take);
  t.end(take);
  return Buffer.concat(parts);
}

const iconvFloor = (encoding: string): Floor => ({
  label: `iconv-lite ${encoding}, text bytes`,
  prepare: textBytes,
  run: (bytes) => {
    sink += iconv.decode(bytes, encoding).length;
  },
});

function copyFloors(): Floor[] {
  let target = Buffer.alloc(0);
  const ensure = (n: number): Buffer => (target.length === n ? target : (target = Buffer.alloc(n)));
  const whole = (input: Buffer): Buffer => input;
  return [
    {
      label: 'memory copy, whole stream',
      prepare: whole,
      run: (input) => {
        const t = ensure(input.length);
        input.copy(t);
        sink += t[t.length - 1]!;
      },
    },
    {
      label: 'Buffer.compare, whole stream',
      prepare: whole,
      run: (input) => {
        const t = ensure(input.length);
        if (t[0] !== input[0]) input.copy(t); // filled once, before the first timed run
        sink += Buffer.compare(input, t);
      },
    },
  ];
}

interface StreamSpec {
  readonly kind: Kind;
  readonly label: string;
  readonly profiles: readonly ProfileChoice[];
  readonly floors: readonly Floor[];
}

const SPECS: readonly StreamSpec[] = [
  { kind: 'ascii', label: 'text: ASCII receipts', profiles: ['auto', 'epson'], floors: [iconvFloor('cp437')] },
  { kind: 'gb18030', label: 'text: GB18030 (FS &)', profiles: ['auto', 'generic-cn'], floors: [iconvFloor('gb18030')] },
  { kind: 'latin', label: 'text: CP858 (ESC t 19)', profiles: ['auto', 'epson'], floors: [iconvFloor('cp858')] },
  { kind: 'image', label: 'images: GS v 0 rasters', profiles: ['auto', 'epson'], floors: copyFloors() },
  { kind: 'photo', label: 'images: 50–170 KB rasters', profiles: ['auto', 'epson'], floors: copyFloors() },
];

/** Best, and every, time of one measured thing across the rounds. */
class Times {
  readonly all: number[] = [];
  add(ms: number): void {
    this.all.push(ms);
  }
  get best(): number {
    return Math.min(...this.all);
  }
}

function timeOnce(work: () => void): number {
  const t0 = performance.now();
  work();
  return performance.now() - t0;
}

interface StreamResult {
  readonly spec: StreamSpec;
  readonly bytes: number;
  readonly floorBytes: readonly number[];
  readonly floors: readonly Times[];
  readonly decode: readonly Times[];
  readonly fields: readonly Times[];
  readonly receipts: readonly number[];
}

/**
 * One stream, measured in rounds: each round runs every floor, then the decoder under each
 * profile, then with fields, one after the other, so that the machine's load at any moment
 * falls on all of them alike. Each figure is the best of its rounds; each round also gives a
 * ratio of its own, and their range shows the noise.
 */
function measureStream(spec: StreamSpec, input: Buffer, rounds: number): StreamResult {
  const prepared = spec.floors.map((f) => f.prepare(input));
  const floors = spec.floors.map(() => new Times());
  const decode = spec.profiles.map(() => new Times());
  const fields = spec.profiles.map(() => new Times());
  const receipts = spec.profiles.map(() => 0);
  // One untimed pass of each to warm the JIT up.
  spec.floors.forEach((f, i) => f.run(prepared[i]!));
  for (const profile of spec.profiles) decodeStream(input, profile);
  for (let r = 0; r < rounds; r++) {
    spec.floors.forEach((f, i) => floors[i]!.add(timeOnce(() => f.run(prepared[i]!))));
    spec.profiles.forEach((profile, i) => {
      const run = decodeStream(input, profile);
      decode[i]!.add(run.ms);
      receipts[i] = run.receipts;
    });
    spec.profiles.forEach((profile, i) => fields[i]!.add(decodeStream(input, profile, true).ms));
  }
  return { spec, bytes: input.length, floorBytes: prepared.map((b) => b.length), floors, decode, fields, receipts };
}

// ---- memory (child process) ------------------------------------------------------------------

interface MemoryResult {
  readonly kind: Kind;
  readonly mb: number;
  readonly baselineRss: number;
  readonly peakRss: number;
  readonly baselineHeap: number;
  readonly peakHeap: number;
  readonly peakHeapTotal: number;
  /** heapUsed after a full collection at the end, the decoder still alive: what it holds on to. */
  readonly retainedHeap: number;
  readonly receipts: number;
  readonly ms: number;
}

/** In a fresh process: stream `mb` MB made on the fly, sampling memory every 1 MB. */
function memoryChild(kind: Kind, mb: number): MemoryResult {
  const pool = receiptPool(kind);
  const d = new ReceiptDecoder({ profile: 'auto' });
  const m0 = process.memoryUsage();
  let peakRss = m0.rss;
  let peakHeap = m0.heapUsed;
  let peakHeapTotal = m0.heapTotal;
  let receipts = 0;
  let k = 0;
  const t0 = performance.now();
  for (const chunk of chunks(pool, mb * MB, 11)) {
    receipts += d.push(chunk).length;
    if ((++k & 15) === 0) {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakHeapTotal = Math.max(peakHeapTotal, m.heapTotal);
    }
  }
  receipts += d.end().length;
  const m = process.memoryUsage();
  const ms = performance.now() - t0;
  // The child runs with --expose-gc: what stays after a full collection (the peak above also
  // counts garbage not yet collected, which depends on when the collector ran).
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const retainedHeap = process.memoryUsage().heapUsed;
  if (d.dialect === null) throw new Error('unreachable: the decoder is kept alive until here');
  return {
    kind,
    mb,
    baselineRss: m0.rss,
    peakRss: Math.max(peakRss, m.rss),
    baselineHeap: m0.heapUsed,
    peakHeap: Math.max(peakHeap, m.heapUsed),
    peakHeapTotal: Math.max(peakHeapTotal, m.heapTotal),
    retainedHeap,
    receipts,
    ms,
  };
}

function isMemoryResult(v: unknown): v is MemoryResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return ['mb', 'baselineRss', 'peakRss', 'baselineHeap', 'peakHeap', 'peakHeapTotal', 'retainedHeap', 'receipts', 'ms'].every(
    (k) => typeof r[k] === 'number',
  );
}

function measureMemory(kind: Kind, mb: number): MemoryResult {
  const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--memory-child', kind, String(mb)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const parsed: unknown = JSON.parse(out);
  if (!isMemoryResult(parsed)) throw new Error(`memory child gave ${out}`);
  return parsed;
}

// ---- output ----------------------------------------------------------------------------------

const mbs = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);
const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const mib = (bytes: number): string => `${(bytes / MB).toFixed(0)} MB`;

function table(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

function main(): void {
  if (process.argv[2] === '--memory-child') {
    const kind = process.argv[3] as Kind;
    if (!KINDS.includes(kind)) throw new Error(`unknown stream kind ${process.argv[3]}`);
    process.stdout.write(JSON.stringify(memoryChild(kind, Number(process.argv[4]))));
    return;
  }
  const runs = Math.max(1, Number(arg('--runs', '5')));
  const textMb = Number(arg('--mb', '40'));
  const memSizes = arg('--mem', '20,80').split(',').map(Number);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`tilltap decode benchmark — Node ${process.version}, ${cpus().length} × ${cpu}`);
  console.log(`ReceiptDecoder in ${CHUNK / 1024} KB chunks, receipts counted then dropped; ${runs} rounds, each running the floor and the decoder one after the other; best round shown.`);
  console.log('MB = 2^20 bytes; decode = the decoder (bytes → receipts); +fields = with field extraction, as `tilltap decode` runs; decode/floor = decode MB/s ÷ floor MB/s.\n');

  const rows: string[][] = [];
  const summary: string[] = [];
  for (const spec of SPECS) {
    const input = makeStream(spec.kind, textMb * MB);
    const res = measureStream(spec, input, runs);
    spec.profiles.forEach((profile, p) => {
      const decodeMs = res.decode[p]!;
      res.floors.forEach((floor, i) => {
        // Per-round ratios: the floor and the decoder of the same round.
        const perRound = decodeMs.all.map((ms, r) => floor.all[r]! / ms);
        rows.push([
          i === 0 && p === 0 ? spec.label : '',
          i === 0 && p === 0 ? mib(res.bytes) : '',
          i === 0 ? profile : '',
          i === 0 ? String(res.receipts[p]) : '',
          i === 0 ? fmt(mbs(res.bytes, decodeMs.best)) : '',
          i === 0 ? fmt(mbs(res.bytes, res.fields[p]!.best)) : '',
          spec.floors[i]!.label,
          `${((100 * res.floorBytes[i]!) / res.bytes).toFixed(0)}%`,
          fmt(mbs(res.bytes, floor.best)),
          fmt(floor.best / decodeMs.best, 3),
          `${fmt(Math.min(...perRound), 2)}–${fmt(Math.max(...perRound), 2)}`,
        ]);
        if (i === 0) summary.push(`${spec.kind}/${profile} ${fmt(floor.best / decodeMs.best, 2)}`);
      });
    });
  }
  console.log(
    table(
      ['stream', 'size', 'profile', 'receipts', 'decode MB/s', '+fields MB/s', 'floor', 'floor input', 'floor MB/s', 'decode/floor', 'per round'],
      rows,
      new Set([1, 3, 4, 5, 7, 8, 9, 10]),
    ),
  );
  console.log(
    '\nMB/s are of the whole stream for every column (floor MB/s = stream MB ÷ floor seconds), so decode/floor is the floor\'s' +
      '\ntime over the decoder\'s; "floor input" is the share of the stream the floor reads. Target: decode/floor ≥ 0.5 on text.',
  );
  console.log(`decode/floor: ${summary.join(', ')}`);

  console.log(`\nMemory while streaming (fresh process per row, profile auto, fields on as tilltap decode runs, input made on the fly, never held whole):\n`);
  const memRows: string[][] = [];
  for (const kind of KINDS) {
    for (const mb of memSizes) {
      const r = measureMemory(kind, mb);
      memRows.push([
        SPECS.find((s) => s.kind === kind)!.label,
        `${mb} MB`,
        String(r.receipts),
        fmt(mbs(mb * MB, r.ms)),
        mib(r.baselineRss),
        mib(r.peakRss),
        mib(r.baselineHeap),
        mib(r.peakHeap),
        mib(r.peakHeapTotal),
        mib(r.retainedHeap),
      ]);
    }
  }
  console.log(
    table(
      ['stream', 'input', 'receipts', 'MB/s*', 'RSS before', 'peak RSS', 'heapUsed before', 'peak heapUsed', 'peak heapTotal', 'after full GC'],
      memRows,
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ),
  );
  console.log('* including making the input on the fly and field extraction; the throughput table above is the measure.');
  console.log('Peak figures include garbage not yet collected; "after full GC" is what the decoder keeps (the same at every size).');
  if (sink === 0.5) console.log(''); // keeps `sink` observable
}

if (process.argv[1]?.endsWith("decode.js")) main();
