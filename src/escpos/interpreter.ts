/**
 * The interpreter: printer state over tokens → printed lines with style, barcodes, 2-D codes,
 * images, cuts, resets and status queries. Pure: no I/O, events go to a sink.
 */
import { asciiOnly, type CjkEncoding } from './codepages.js';
import { Charset } from './charset.js';
import type {
  Align,
  Barcode,
  CutKind,
  EventSink,
  PrintedImage,
  PrintedLine,
  Span,
  Symbology,
  TextStyle,
} from './events.js';
import type { PrinterProfile } from './profiles.js';
import { cellWidth } from './cell-width.js';
import { codeData, codeText, LEGACY_2D, SYMBOLOGY_2D, SYMBOLOGY_A, SYMBOLOGY_B, SYMBOLOGY_STAR } from './codes.js';
import type { CommandDef } from './commands.js';
import type { Token, TokenHandler } from './tokenizer.js';

const FONT_INDEX: Readonly<Record<TextStyle['font'], number>> = { A: 0, B: 1, C: 2 };

/**
 * One TextStyle object for each set of values: styles change every few lines, and a fresh object
 * at each change was about a seventh of what the decoder allocated on plain receipts (measured
 * with the bench's ASCII stream). Styles are never changed in place,
 * and nothing tells them apart by identity; sizes outside 1–8 (none the commands give) are made
 * fresh.
 */
const styles: Array<TextStyle | undefined> = new Array<TextStyle | undefined>(3 << 10).fill(undefined);

function styleOf(bold: boolean, underline: 0 | 1 | 2, invert: boolean, width: number, height: number, font: TextStyle['font']): TextStyle {
  const w = width - 1;
  const h = height - 1;
  if (!((w >>> 0) < 8 && (h >>> 0) < 8 && w === (w | 0) && h === (h | 0))) return { bold, underline, invert, width, height, font };
  const key = (bold ? 1 : 0) | (underline << 1) | ((invert ? 1 : 0) << 3) | (w << 4) | (h << 7) | (FONT_INDEX[font] << 10);
  return (styles[key] ??= { bold, underline, invert, width, height, font });
}

const DEFAULT_STYLE: TextStyle = styleOf(false, 0, false, 1, 1, 'A');
const DEFAULT_TABS: readonly number[] = Array.from({ length: 32 }, (_, i) => (i + 1) * 8);

const CUTS: Readonly<Record<number, CutKind>> = {
  0: 'full', 48: 'full', 65: 'full', 97: 'full', 103: 'full',
  1: 'partial', 49: 'partial', 66: 'partial', 98: 'partial', 104: 'partial',
};

const EMPTY = Buffer.alloc(0);

/**
 * A line waiting in the batch. Records are reused batch after batch, so that a printed line makes
 * no object of its own here; none outlives the flush that reads it.
 */
class BatchedLine {
  /** > 0 for blank paper (that many empty lines), 0 for a line of text. */
  feed = 0;
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  style: TextStyle = DEFAULT_STYLE;
  align: Align = 'left';
  offset = 0;
  /** No byte of the line is 0x80 or above. */
  ascii = true;
}

/** Lines batched before they are decoded and sent on together. */
const BATCH_LINES = 64;

export interface InterpreterOptions {
  /** null for `auto`: infer code pages and CJK power-on state from the text. */
  readonly profile: PrinterProfile | null;
  readonly cjkEncoding: CjkEncoding;
  readonly family: 'esc-pos' | 'star-line';
  /**
   * Where plain lines go, when given, instead of as `line` events to the sink (in the same order
   * with the other events): the common case then makes no event object per line.
   */
  readonly onLine?: (line: PrintedLine, offset: number) => void;
}

interface StoredGraphic {
  readonly width: number;
  readonly height: number;
  readonly layout: 'raster' | 'column';
  readonly data: Uint8Array;
  readonly scale: { x: number; y: number } | undefined;
}

function withScale(image: PrintedImage, scale: { x: number; y: number } | undefined): PrintedImage {
  return scale && (scale.x !== 1 || scale.y !== 1) ? { ...image, scale } : image;
}

/**
 * The command being interpreted, read in place in the tokenizer's buffer. The interpreter reuses
 * one for every command: a Buffer view (subarray) per command cost more than interpreting it.
 * Payloads that outlive the command (bitmaps, code data) are views made by `sub`, never copies.
 */
class CommandBytes {
  cmd: CommandDef | null = null;
  buf: Buffer = EMPTY;
  start = 0;
  length = 0;
  offset = 0;

  /** Byte `k` of the command; `missing` past its end (a parameter the sender left out). */
  at(k: number, missing = 0): number {
    return k < this.length ? this.buf[this.start + k]! : missing;
  }

  /** Little-endian 16-bit parameter at `k`. */
  u16(k: number): number {
    return this.at(k) | (this.at(k + 1) << 8);
  }

  /** Bytes [from, to) of the command as a view of the input (no copy). */
  sub(from: number, to: number = this.length): Uint8Array {
    return this.buf.subarray(this.start + from, this.start + Math.max(from, to));
  }

  get id(): string {
    return this.cmd!.id;
  }

  /** The first two bytes as one number: see CommandDef.code. */
  get code(): number {
    return this.cmd!.code;
  }
}

export class Interpreter implements TokenHandler {
  readonly charset: Charset;
  private style: TextStyle = DEFAULT_STYLE;
  /** FS ! / FS W: Kanji print mode, applied while in CJK mode. */
  private kanjiWidth = 1;
  private kanjiHeight = 1;
  private kanjiUnderline: 0 | 1 | 2 = 0;
  private align: Align = 'left';
  private tabs: readonly number[] = DEFAULT_TABS;

  private spans: Span[] = [];
  /** Columns taken by `spans` so far (for HT), kept as spans are added. */
  private spansCol = 0;
  private lineAlign: Align | null = null;
  private lineStart = -1;
  private lineHasImage = false;
  /** The pending text run: one range of one buffer, or (rarely) several pieces. */
  private runBuf: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;
  private runMore: Buffer[] | null = null;
  private runLen = 0;
  private runKey = -1;
  /** No byte of the pending run is 0x80 or above. */
  private runAscii = true;
  private runStyle: TextStyle = DEFAULT_STYLE;

  private stored2d = new Map<number, Uint8Array>();
  private legacy2d = 2;
  private graphic: StoredGraphic | null = null;
  private logos = new Map<string, { width: number; height: number }>();
  private starQr: Uint8Array | null = null;
  private starPdf: Uint8Array | null = null;

  /**
   * Plain lines waiting to be decoded together: one codec call for many short lines instead of
   * one each (the codec's per-call cost dominates on receipt-length lines).
   */
  private readonly batch: BatchedLine[] = [];
  private batchLen = 0;
  private batchKey = -1;
  /** Feed records in the batch. */
  private batchFeeds = 0;
  /** The text lines of a batch with feeds in it (the feeds left out), reused. */
  private readonly batchText: BatchedLine[] = [];
  /** The texts of a batch's lines cut from one decoded stretch, reused. */
  private readonly lineTexts: string[] = [];
  private readonly emit: EventSink;
  private readonly current = new CommandBytes();

  constructor(
    private readonly opts: InterpreterOptions,
    private readonly out: EventSink,
  ) {
    this.charset = new Charset(opts.profile, opts.cjkEncoding, opts.family);
    // Anything printed goes out after the lines batched before it; status and warnings are not
    // part of the paper's order.
    this.emit = (e) => {
      if (e.type !== 'status' && e.type !== 'warning') this.flushBatch();
      out(e);
    };
  }

  /** The next free batch record (the caller fills every field). */
  private batchRecord(): BatchedLine {
    let r = this.batch[this.batchLen];
    if (r === undefined) this.batch.push((r = new BatchedLine()));
    this.batchLen++;
    return r;
  }

  private flushBatch(): void {
    const n = this.batchLen;
    if (n === 0) return;
    this.batchLen = 0;
    const batch = this.batch;
    let lines = batch;
    let count = n;
    if (this.batchFeeds > 0) {
      this.batchFeeds = 0;
      lines = this.batchText;
      count = 0;
      for (let i = 0; i < n; i++) if (batch[i]!.feed === 0) lines[count++] = batch[i]!;
    }
    let ascii = true;
    for (let i = 0; i < count; i++) ascii &&= lines[i]!.ascii;
    const texts = this.decodeLines(lines, count, ascii);
    const onLine = this.opts.onLine;
    let k = 0;
    // The sink must not feed this interpreter while it is flushing (it would reuse the records).
    for (let i = 0; i < n; i++) {
      const l = batch[i]!;
      if (l.feed > 0) {
        this.out({ type: 'feed', offset: l.offset, lines: l.feed });
        continue;
      }
      const text = texts ? texts[k]! : this.charset.decode(l.buf, l.start, l.end);
      k++;
      const line = makeLine(text, l.align, l.style, undefined);
      if (onLine) onLine(line, l.offset);
      else this.out({ type: 'line', offset: l.offset, line });
      l.buf = EMPTY; // a record left holding a chunk would keep the chunk alive
    }
  }

  /**
   * The texts of batched lines from one decoder call, or null when they must be decoded one by
   * one (a broken multi-byte sequence ate a separator).
   */
  private decodeLines(lines: readonly BatchedLine[], n: number, ascii: boolean): string[] | null {
    if (n < 2) return null;
    const first = lines[0]!;
    const span = spanOf(lines, n);
    const base = first.start;
    const last = lines[n - 1]!.end;
    // A single-byte code page or ASCII: decode the stretch whole (the commands between the
    // lines too) and cut each line out by its byte offsets. No copy, no separators.
    const whole = span === 'scattered' ? null : this.charset.decodeOneToOne(first.buf, base, last, ascii);
    if (whole !== null) {
      const texts = this.lineTexts;
      for (let i = 0; i < n; i++) texts[i] = whole.slice(lines[i]!.start - base, lines[i]!.end - base);
      return texts;
    }
    if (span === 'lf') {
      // One after the other, LF-separated, in one buffer: decode them in place.
      const texts = this.charset.decode(first.buf, first.start, lines[n - 1]!.end).split('\n');
      return texts.length === n ? texts : null;
    }
    if (span === 'gaps') return this.decodeSpan(lines, n);
    let total = n - 1;
    for (let i = 0; i < n; i++) total += lines[i]!.end - lines[i]!.start;
    const all = this.scratch(total);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const l = lines[i]!;
      if (i > 0) all[at++] = 0x0a;
      // Receipt lines are short: a plain loop beats Buffer#copy's per-call checks.
      const src = l.buf;
      for (let j = l.start; j < l.end; j++) all[at++] = src[j]!;
    }
    const texts = this.charset.decode(all, 0, total).split('\n');
    return texts.length === n ? texts : null;
  }

  /**
   * Lines of one buffer with commands between them: the whole stretch is copied at once and each
   * gap becomes LF + unit separators (0x1F, never in text), which every code page decodes one
   * character a byte; each line's text then follows its gap's fillers. Cheaper than gathering the
   * lines byte by byte; any doubt (a broken sequence ate a filler) sends them the slow way.
   */
  private decodeSpan(lines: readonly BatchedLine[], n: number): string[] | null {
    const first = lines[0]!;
    const base = first.start;
    const total = lines[n - 1]!.end - base;
    const all = this.scratch(total);
    first.buf.copy(all, 0, base, base + total);
    for (let i = 1; i < n; i++) {
      const from = lines[i - 1]!.end - base;
      all[from] = 0x0a;
      all.fill(0x1f, from + 1, lines[i]!.start - base);
    }
    const texts = this.charset.decode(all, 0, total).split('\n');
    if (texts.length !== n) return null;
    for (let i = 1; i < n; i++) {
      const fillers = lines[i]!.start - lines[i - 1]!.end - 1;
      if (fillers === 0) continue;
      const t = texts[i]!;
      if (t.length < fillers || t.charCodeAt(fillers - 1) !== 0x1f || t.charCodeAt(fillers) === 0x1f) return null;
      texts[i] = t.slice(fillers);
    }
    return texts;
  }

  /** Reused space for gathering line bytes: decoding copies them out, so one buffer serves all. */
  private scratchBuf = Buffer.alloc(4096);
  private scratch(n: number): Buffer {
    if (this.scratchBuf.length < n) this.scratchBuf = Buffer.alloc(Math.max(n, this.scratchBuf.length * 2));
    return this.scratchBuf;
  }

  /** Blank paper: `lines` empty lines, merged with blank lines just before. */
  private feed(lines: number, offset: number): void {
    if (lines <= 0) return;
    const last = this.batchLen > 0 ? this.batch[this.batchLen - 1]! : undefined;
    if (last && last.feed > 0) {
      last.feed += lines;
      return;
    }
    const r = this.batchRecord();
    this.batchFeeds++;
    r.feed = lines;
    r.buf = EMPTY;
    r.start = 0;
    r.end = 0;
    r.style = DEFAULT_STYLE;
    r.align = 'left';
    r.offset = offset;
    r.ascii = true;
    if (this.batchLen >= BATCH_LINES) this.flushBatch();
  }

  // ---- tokens in (TokenHandler) ---------------------------------------------------------------

  text(buf: Buffer, start: number, end: number, offset: number, ascii: boolean): void {
    const key = this.charset.key;
    if (this.runLen > 0 && key !== this.runKey) this.flushRun();
    if (this.lineAlign === null) {
      this.lineAlign = this.align;
      this.lineStart = offset;
    }
    if (this.runLen === 0) {
      this.runKey = key;
      this.runStyle = this.effectiveStyle();
      this.runBuf = buf;
      this.runStart = start;
      this.runEnd = end;
      this.runAscii = ascii;
    } else {
      // A run longer than TEXT_MAX or split across chunks: rare, so copying is fine.
      (this.runMore ??= []).push(Buffer.from(buf.subarray(start, end)));
      this.runAscii &&= ascii;
    }
    this.runLen += end - start;
  }

  control(code: number, offset: number): void {
    this.controlByte(code, offset, this.emit);
  }

  command(cmd: CommandDef, buf: Buffer, start: number, end: number, offset: number): void {
    const t = this.current;
    t.cmd = cmd;
    t.buf = buf;
    t.start = start;
    t.length = end - start;
    t.offset = offset;
    if (this.opts.family === 'star-line') this.starCommand(t, this.emit);
    else this.escposCommand(t, this.emit);
  }

  unknown(): void {
    // Nothing printed; the tokenizer kept the bytes so that nothing is lost.
  }

  truncated(cmd: CommandDef | null, _buf: Buffer, start: number, end: number, offset: number): void {
    this.emit({
      type: 'warning',
      offset,
      message: `input ends inside ${cmd ? cmd.id : 'a command'} at byte ${offset} (${end - start} bytes of it)`,
    });
  }

  /** Feed one Token object (for callers holding tokens from `Tokenizer.push`). */
  token(t: Token): void {
    const buf = Buffer.from(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
    switch (t.kind) {
      case 'text':
        return this.text(buf, 0, buf.length, t.offset, asciiOnly(buf, 0, buf.length));
      case 'control':
        return this.control(t.code, t.offset);
      case 'command':
        return this.command(t.cmd, buf, 0, buf.length, t.offset);
      case 'unknown':
        return this.unknown();
      case 'truncated':
        return this.truncated(t.cmd, buf, 0, buf.length, t.offset);
    }
  }

  /** End of input: text still in the buffer is printed (the next job would push it out). */
  finish(): void {
    this.printLine(this.emit, false);
    this.flushBatch();
  }

  // ---- text ----------------------------------------------------------------------------------

  private effectiveStyle(): TextStyle {
    if (!this.charset.inCjk || (this.kanjiWidth === 1 && this.kanjiHeight === 1 && this.kanjiUnderline === 0)) {
      return this.style;
    }
    const s = this.style;
    return styleOf(
      s.bold,
      s.underline || this.kanjiUnderline,
      s.invert,
      Math.max(s.width, this.kanjiWidth),
      Math.max(s.height, this.kanjiHeight),
      s.font,
    );
  }

  /** Decode the pending bytes as one run. */
  private takeRun(): string {
    const buf = this.runBuf!;
    let text: string;
    if (this.runMore === null) text = this.charset.decode(buf, this.runStart, this.runEnd);
    else {
      const all = Buffer.concat([buf.subarray(this.runStart, this.runEnd), ...this.runMore]);
      text = this.charset.decode(all, 0, all.length);
    }
    this.runBuf = null;
    this.runMore = null;
    this.runLen = 0;
    return text;
  }

  /** Text already received decodes under the state it was sent in. */
  private beforeCharsetChange(): void {
    this.flushRun();
    this.flushBatch();
  }

  /** Decode the pending bytes and append them to the line as a span. */
  private flushRun(): void {
    if (this.runLen === 0) return;
    const style = this.runStyle;
    this.appendSpan(this.takeRun(), style);
  }

  private appendSpan(text: string, style: TextStyle): void {
    this.spansCol += cellWidth(text) * style.width;
    const last = this.spans[this.spans.length - 1];
    if (last && sameStyle(last, style)) this.spans[this.spans.length - 1] = makeSpan(last.text + text, last);
    else this.spans.push(makeSpan(text, style));
  }

  /** A style change splits the run so that each span keeps its own style. */
  private setStyle(patch: Partial<TextStyle>): void {
    this.flushRun();
    const s = this.style;
    this.style = styleOf(
      patch.bold ?? s.bold,
      patch.underline ?? s.underline,
      patch.invert ?? s.invert,
      patch.width ?? s.width,
      patch.height ?? s.height,
      patch.font ?? s.font,
    );
  }

  private column(): number {
    return this.spansCol;
  }

  private tab(offset: number): void {
    this.flushRun();
    if (this.lineAlign === null) {
      this.lineAlign = this.align;
      this.lineStart = offset;
    }
    const col = this.column();
    const stop = this.tabs.find((t) => t > col);
    if (stop === undefined) return;
    const w = this.style.width;
    this.appendSpan(' '.repeat(Math.max(1, Math.ceil((stop - col) / w))), this.effectiveStyle());
  }

  /** Print the line buffer. With `blank`, an empty buffer still prints an empty line (LF). */
  private printLine(emit: EventSink, blank: boolean): void {
    const align = this.lineAlign ?? this.align;
    const offset = this.lineStart;
    const hasImage = this.lineHasImage;
    this.lineAlign = null;
    this.lineStart = -1;
    this.lineHasImage = false;
    if (this.spans.length === 0) {
      if (this.runLen > 0 && this.runMore === null) {
        // The common case: one run in one style is the whole line. Batch it.
        if (this.runKey !== this.batchKey || this.batchLen >= BATCH_LINES) {
          this.flushBatch();
          this.batchKey = this.runKey;
        }
        const r = this.batchRecord();
        r.feed = 0;
        r.buf = this.runBuf!;
        r.start = this.runStart;
        r.end = this.runEnd;
        r.style = this.runStyle;
        r.align = align;
        r.offset = offset;
        r.ascii = this.runAscii;
        this.runBuf = null;
        this.runLen = 0;
      } else if (this.runLen > 0) {
        emit({ type: 'line', offset, line: makeLine(this.takeRun(), align, this.runStyle, undefined) });
      } else if (blank && !hasImage) {
        this.feed(1, offset);
      }
      return;
    }
    this.flushRun();
    const spans = this.spans;
    this.spans = [];
    this.spansCol = 0;
    let text = '';
    for (const sp of spans) text += sp.text;
    const main = spans.find((sp) => sp.text.trim() !== '') ?? spans[0]!;
    emit({ type: 'line', offset, line: makeLine(text, align, main, spans.length > 1 ? spans : undefined) });
  }

  private discardLine(offset: number, emit: EventSink): void {
    this.flushRun();
    if (this.spans.some((s) => s.text.trim() !== '')) {
      emit({ type: 'warning', offset, message: `ESC @ at byte ${offset} cleared text that was never printed` });
    }
    this.spans = [];
    this.spansCol = 0;
    this.lineAlign = null;
    this.lineStart = -1;
    this.lineHasImage = false;
  }

  private feedLines(n: number, emit: EventSink): void {
    const hadContent = this.spans.length > 0 || this.runLen > 0;
    const offset = this.lineStart;
    this.printLine(emit, false);
    this.feed(hadContent ? n - 1 : n, offset);
  }

  // ---- control bytes and commands ------------------------------------------------------------

  private controlByte(code: number, offset: number, emit: EventSink): void {
    switch (code) {
      case 0x0a: // LF
        this.printLine(emit, true);
        return;
      case 0x0c: // FF: print (page mode) / eject
        this.printLine(emit, false);
        return;
      case 0x09:
        this.tab(offset);
        return;
      case 0x0e: // Star Line mode SO / DC4: double width on/off
        if (this.opts.family === 'star-line') this.setStyle({ width: 2 });
        return;
      case 0x14:
        if (this.opts.family === 'star-line') this.setStyle({ width: 1 });
        return;
      default:
        return; // CR (no auto line feed), NUL padding, CAN, strays: nothing printed
    }
  }

  private reset(offset: number, emit: EventSink): void {
    this.discardLine(offset, emit);
    this.flushBatch();
    this.style = DEFAULT_STYLE;
    this.kanjiWidth = 1;
    this.kanjiHeight = 1;
    this.kanjiUnderline = 0;
    this.align = 'left';
    this.tabs = DEFAULT_TABS;
    this.charset.reset();
    emit({ type: 'reset', offset });
  }

  private status(t: CommandBytes, query: string, emit: EventSink): void {
    emit({ type: 'status', offset: t.offset, query });
  }

  private image(offset: number, image: PrintedImage, emit: EventSink): void {
    this.printLine(emit, false);
    emit({ type: 'image', offset, image });
  }

  /**
   * One band of a picture sent in bands (ESC *, Star ESC X / ESC k): it sits in the line buffer and
   * prints with the next LF (which then prints no blank line); the segmenter joins the bands.
   */
  private bandImage(offset: number, image: PrintedImage, emit: EventSink): void {
    this.flushRun();
    if (this.lineAlign === null) {
      this.lineAlign = this.align;
      this.lineStart = offset;
    }
    this.lineHasImage = true;
    emit({ type: 'image', offset, image: { ...image, align: this.align, band: true } });
  }

  private barcode(offset: number, barcode: Barcode, emit: EventSink): void {
    this.printLine(emit, false);
    emit({ type: 'barcode', offset, barcode });
  }

  private cut(t: CommandBytes, cut: CutKind, emit: EventSink): void {
    this.printLine(emit, false);
    emit({ type: 'cut', offset: t.offset, end: t.offset + t.length, cut });
  }

  private escposCommand(t: CommandBytes, emit: EventSink): void {
    const p2 = t.at(2);
    switch (t.code) {
      case 0x1b40: // ESC @
        this.reset(t.offset, emit);
        return;
      case 0x1b21: // ESC !
        this.setStyle({
          font: p2 & 1 ? 'B' : 'A',
          bold: (p2 & 8) !== 0,
          height: p2 & 16 ? 2 : 1,
          width: p2 & 32 ? 2 : 1,
          underline: p2 & 128 ? 1 : 0,
        });
        return;
      case 0x1d21: // GS !
        this.setStyle({ width: ((p2 >> 4) & 7) + 1, height: (p2 & 7) + 1 });
        return;
      case 0x1b45: // ESC E
      case 0x1b47: // ESC G
        this.setStyle({ bold: (p2 & 1) === 1 });
        return;
      case 0x1b2d: // ESC -
        this.setStyle({ underline: underlineOf(p2) });
        return;
      case 0x1d42: // GS B
        this.setStyle({ invert: (p2 & 1) === 1 });
        return;
      case 0x1b4d: // ESC M
        this.setStyle({ font: p2 === 1 || p2 === 49 ? 'B' : p2 === 2 || p2 === 50 ? 'C' : 'A' });
        return;
      case 0x1b61: // ESC a
        this.align = alignOf(p2);
        if (this.lineAlign !== null && this.spans.length === 0 && this.runLen === 0) this.lineAlign = this.align;
        return;
      case 0x1b74: // ESC t
        this.beforeCharsetChange();
        this.charset.setCodepage(p2);
        return;
      case 0x1b52: // ESC R
        this.beforeCharsetChange();
        this.charset.setInternational(p2);
        return;
      case 0x1c43: // FS C
        // Kanji code system: with Shift JIS selected, Kanji print without FS &.
        this.beforeCharsetChange();
        this.charset.setShiftJis(p2 === 1 || p2 === 49 || p2 === 2 || p2 === 50);
        return;
      case 0x1c26: // FS &
        this.beforeCharsetChange();
        this.charset.setCjk(true);
        return;
      case 0x1c2e: // FS .
        this.beforeCharsetChange();
        this.charset.setCjk(false);
        return;
      case 0x1c21: // FS !
        this.flushRun();
        this.kanjiWidth = p2 & 4 ? 2 : 1;
        this.kanjiHeight = p2 & 8 ? 2 : 1;
        this.kanjiUnderline = p2 & 128 ? 1 : 0;
        return;
      case 0x1c57: // FS W
        this.flushRun();
        this.kanjiWidth = this.kanjiHeight = p2 & 1 ? 2 : 1;
        return;
      case 0x1c2d: // FS -
        this.flushRun();
        this.kanjiUnderline = underlineOf(p2);
        return;
      case 0x1b44: { // ESC D
        const stops: number[] = [];
        for (let i = 2; i < t.length && t.at(i) !== 0; i++) stops.push(t.at(i));
        this.tabs = stops.length > 0 ? stops : DEFAULT_TABS;
        return;
      }
      case 0x1b64: // ESC d
        this.feedLines(p2, emit);
        return;
      case 0x1b4a: // ESC J
      case 0x1b4b: // ESC K
      case 0x1b65: // ESC e
        // Print and feed (forward or back): the line ends here.
        this.printLine(emit, false);
        return;
      case 0x1d56: // GS V
        this.cut(t, CUTS[p2] ?? 'full', emit);
        return;
      case 0x1b69: // ESC i
      case 0x1b6d: // ESC m
        this.cut(t, 'partial', emit);
        return;
      case 0x1d6b: // GS k
        this.gsk(t, emit);
        return;
      case 0x1d28: // GS (
        this.gsParen(t, emit);
        return;
      case 0x1d38: // GS 8
        this.graphics(t, t.at(7), t.at(8), 9, emit);
        return;
      case 0x1d76: // GS v
      case 0x1d51: { // GS Q
        const x = t.u16(4);
        const y = t.u16(6);
        // GS v 0 m: bit 0 double width, bit 1 double height (m 0–3 or 48–51).
        const m = t.code === 0x1d76 ? t.at(3) & 3 : 0; // GS v 0 (GS Q 0 has no m)
        const scale = m ? { x: m & 1 ? 2 : 1, y: m & 2 ? 2 : 1 } : undefined;
        this.image(t.offset, withScale({ width: x * 8, height: y, source: 'raster', bitmap: { layout: 'raster', data: t.sub(8) }, align: this.align }, scale), emit);
        return;
      }
      case 0x1b2a: { // ESC *
        const tall = p2 === 32 || p2 === 33;
        // Single density doubles each dot's width; 8-dot modes print each dot three dots tall.
        const scale = p2 === 33 ? undefined : { x: p2 === 0 || p2 === 32 ? 2 : 1, y: tall ? 1 : 3 };
        const band: PrintedImage = {
          width: t.u16(3),
          height: tall ? 24 : 8,
          source: 'column',
          bitmap: { layout: 'column', data: t.sub(5), bandHeight: tall ? 24 : 8 },
        };
        this.bandImage(t.offset, withScale(band, scale), emit);
        return;
      }
      case 0x1c70: // FS p
        this.image(t.offset, { width: 0, height: 0, source: 'nv', key: `FS p ${p2}` }, emit);
        return;
      case 0x1d2f: // GS /
        this.image(t.offset, { width: 0, height: 0, source: 'download', key: 'GS *' }, emit);
        return;
      case 0x1d5a: // GS Z
        this.legacy2d = p2;
        return;
      case 0x1b5a: // ESC Z
        this.barcode(t.offset, { symbology: LEGACY_2D[this.legacy2d] ?? 'qr', data: codeData(t.sub(7), this.charset.inCjk) }, emit);
        return;
      case 0x1c28: // FS (
        // FS ( C fn 48: select character encoding; m 2/50 is UTF-8, 1/49 the 1-byte/CJK system.
        if (p2 === 0x43 && t.at(5) === 0x30) {
          this.beforeCharsetChange();
          this.charset.setUtf8(t.at(6) === 2 || t.at(6) === 50);
        }
        return;
      case 0x1004: // DLE EOT
        this.status(t, `DLE EOT ${p2}`, emit);
        return;
      case 0x1005: // DLE ENQ
        this.status(t, `DLE ENQ ${p2}`, emit);
        return;
      case 0x1014: // DLE DC4
        this.status(t, `DLE DC4 ${p2}`, emit);
        return;
      case 0x1d72: // GS r
      case 0x1d49: // GS I
      case 0x1d61: // GS a
      case 0x1d6a: // GS j
      case 0x1b75: // ESC u
        this.status(t, `${t.id} ${p2}`, emit);
        return;
      case 0x1b76: // ESC v
        this.status(t, 'ESC v', emit);
        return;
      case 0x1b4c: // ESC L
      case 0x1b53: // ESC S
        this.printLine(emit, false);
        return;
      case 0x1b0c: // ESC FF
        this.printLine(emit, false);
        return;
      default:
        return; // spacing, margins, peripheral selection, drawer kick, beeper: nothing printed
    }
  }

  private gsk(t: CommandBytes, emit: EventSink): void {
    const m = t.at(2);
    let symbology: Symbology | undefined;
    let data: Uint8Array;
    if (m <= 6) {
      symbology = SYMBOLOGY_A[m];
      data = t.sub(3, t.length - 1);
    } else {
      symbology = SYMBOLOGY_B[m];
      data = t.sub(4);
    }
    if (!symbology) return;
    const text = codeText(symbology, data);
    this.barcode(t.offset, { symbology, data: text }, emit);
  }

  private gsParen(t: CommandBytes, emit: EventSink): void {
    switch (t.at(2)) {
      case 0x6b: {
        // GS ( k pL pH cn fn …
        const cn = t.at(5);
        const fn = t.at(6);
        if (fn === 80) this.stored2d.set(cn, t.sub(8));
        else if (fn === 81) {
          const data = this.stored2d.get(cn);
          const symbology = SYMBOLOGY_2D[cn];
          if (data && symbology) this.barcode(t.offset, { symbology, data: codeData(data, this.charset.inCjk) }, emit);
        } else if (fn === 82) this.status(t, `GS ( k ${cn} 82`, emit);
        return;
      }
      case 0x4c: // GS ( L
        this.graphics(t, t.at(5), t.at(6), 7, emit);
        return;
      case 0x48: // GS ( H: request transmission of response or status
        this.status(t, 'GS ( H', emit);
        return;
      default:
        return;
    }
  }

  /** `GS ( L` / `GS 8 L` graphics functions; `at` is where the parameters after fn start. */
  private graphics(t: CommandBytes, _m: number, fn: number, at: number, emit: EventSink): void {
    switch (fn) {
      case 112: // store raster graphics in the print buffer: a bx by c xL xH yL yH d…
      case 113: {
        const width = t.u16(at + 4);
        const height = t.u16(at + 6);
        const bx = t.at(at + 1) === 2 || t.at(at + 1) === 50 ? 2 : 1;
        const by = t.at(at + 2) === 2 || t.at(at + 2) === 50 ? 2 : 1;
        this.graphic = { width, height, layout: fn === 112 ? 'raster' : 'column', data: t.sub(at + 8), scale: bx * by > 1 ? { x: bx, y: by } : undefined };
        return;
      }
      case 50: // print the stored graphics
      case 2: {
        const g = this.graphic;
        if (g) {
          const image: PrintedImage = {
            width: g.width,
            height: g.height,
            source: 'graphics',
            bitmap: { layout: g.layout, data: g.data, bandHeight: g.height },
            align: this.align,
          };
          this.image(t.offset, withScale(image, g.scale), emit);
        }
        this.graphic = null;
        return;
      }
      case 67: // define NV graphics: a kc1 kc2 b xL xH yL yH …
      case 83: {
        const key = `${fn === 67 ? 'NV' : 'DL'} ${String.fromCharCode(t.at(at + 1, 32), t.at(at + 2, 32))}`;
        this.logos.set(key, { width: t.u16(at + 4), height: t.u16(at + 6) });
        return;
      }
      case 69: // print NV graphics: kc1 kc2 x y
      case 85: {
        const key = `${fn === 69 ? 'NV' : 'DL'} ${String.fromCharCode(t.at(at, 32), t.at(at + 1, 32))}`;
        const size = this.logos.get(key) ?? { width: 0, height: 0 };
        this.image(t.offset, { ...size, source: fn === 69 ? 'nv' : 'download', key }, emit);
        return;
      }
      case 48:
      case 51:
      case 52:
      case 64:
      case 80:
        this.status(t, `${t.id} L ${fn}`, emit);
        return;
      default:
        return;
    }
  }

  private starCommand(t: CommandBytes, emit: EventSink): void {
    const p2 = t.at(2);
    const digit = (v: number): number => (v >= 0x30 && v <= 0x39 ? v - 0x30 : v);
    switch (t.code) {
      case 0x1b40: // ESC @
        this.reset(t.offset, emit);
        return;
      case 0x1b45: // ESC E
        this.setStyle({ bold: true });
        return;
      case 0x1b46: // ESC F
        this.setStyle({ bold: false });
        return;
      case 0x1b34: // ESC 4
        this.setStyle({ invert: true });
        return;
      case 0x1b35: // ESC 5
        this.setStyle({ invert: false });
        return;
      case 0x1b2d: // ESC -
        this.setStyle({ underline: underlineOf(p2) });
        return;
      case 0x1b0e: // ESC SO
        this.setStyle({ width: 2 });
        return;
      case 0x1b14: // ESC DC4
        this.setStyle({ width: 1 });
        return;
      case 0x1b57: // ESC W
        this.setStyle({ width: Math.min(6, digit(p2) + 1) });
        return;
      case 0x1b68: // ESC h
        this.setStyle({ height: Math.min(6, digit(p2) + 1) });
        return;
      case 0x1b69: // ESC i
        this.setStyle({ height: Math.min(6, digit(p2) + 1), width: Math.min(6, digit(t.at(3)) + 1) });
        return;
      case 0x1b61: // ESC a
        this.feedLines(p2, emit);
        return;
      case 0x1b64: // ESC d
        this.cut(t, digit(p2) % 2 === 0 ? 'full' : 'partial', emit);
        return;
      case 0x1b52: // ESC R
        this.beforeCharsetChange();
        this.charset.setInternational(p2);
        return;
      case 0x1b62: { // ESC b
        const symbology = SYMBOLOGY_STAR[digit(p2)];
        const data = t.sub(6, t.length - 1);
        if (symbology) {
          this.barcode(t.offset, { symbology, data: codeText(symbology, data) }, emit);
        }
        return;
      }
      case 0x1b4b: // ESC K
      case 0x1b4c: { // ESC L
        const dots = t.u16(2);
        this.image(t.offset, { width: dots, height: 8, source: 'column', bitmap: { layout: 'column', data: t.sub(4), bandHeight: 8 } }, emit);
        return;
      }
      case 0x1b58: // ESC X
        // 24-dot columns, like ESC/POS ESC *.
        this.bandImage(t.offset, { width: t.u16(2), height: 24, source: 'column', bitmap: { layout: 'column', data: t.sub(4), bandHeight: 24 } }, emit);
        return;
      case 0x1b6b: // ESC k
        // A raster band 24 rows high, n1 bytes a row.
        this.bandImage(t.offset, { width: p2 * 8, height: 24, source: 'raster', bitmap: { layout: 'raster', data: t.sub(4) } }, emit);
        return;
      case 0x1b1d: // ESC GS
        this.starEscGs(t, emit);
        return;
      default:
        return;
    }
  }

  private starEscGs(t: CommandBytes, emit: EventSink): void {
    const sub = t.at(2);
    const p3 = t.at(3);
    if (sub === 0x61) {
      this.align = alignOf(p3);
      return;
    }
    if (sub === 0x74) {
      this.beforeCharsetChange();
      this.charset.setCodepage(p3);
      return;
    }
    if (sub === 0x79 || sub === 0x78) {
      const qr = sub === 0x79;
      if (p3 === 0x44) {
        const data = qr ? t.sub(8) : t.sub(6);
        if (qr) this.starQr = data;
        else this.starPdf = data;
      } else if (p3 === 0x50) {
        const data = qr ? this.starQr : this.starPdf;
        if (data) this.barcode(t.offset, { symbology: qr ? 'qr' : 'pdf417', data: codeData(data, this.charset.inCjk) }, emit);
      }
    }
  }
}

/**
 * How batched lines lie in their buffers: `lf` one after the other with an LF between, `gaps` in
 * one buffer in order with other bytes between (commands), `scattered` otherwise.
 */
function spanOf(lines: readonly BatchedLine[], n: number): 'lf' | 'gaps' | 'scattered' {
  let lf = true;
  let gaps = 0;
  for (let i = 1; i < n; i++) {
    const p = lines[i - 1]!;
    const l = lines[i]!;
    if (l.buf !== p.buf || l.start <= p.end) return 'scattered';
    if (l.start !== p.end + 1 || p.buf[p.end] !== 0x0a) lf = false;
    gaps += l.start - p.end;
  }
  // A long stretch of commands (a logo being stored) is not worth copying and decoding.
  return lf ? 'lf' : gaps <= MAX_GAPS ? 'gaps' : 'scattered';
}

const MAX_GAPS = 4096;

// Explicit object shapes (no spread): lines and spans are made once per printed line, so they
// stay on V8's fast path.
function makeSpan(text: string, s: TextStyle): Span {
  return { text, bold: s.bold, underline: s.underline, invert: s.invert, width: s.width, height: s.height, font: s.font };
}

function makeLine(text: string, align: Align, s: TextStyle, spans: readonly Span[] | undefined): PrintedLine {
  const line = { text, align, bold: s.bold, underline: s.underline, invert: s.invert, width: s.width, height: s.height, font: s.font };
  return spans ? { ...line, spans } : line;
}

function sameStyle(a: TextStyle, b: TextStyle): boolean {
  return (
    a.bold === b.bold &&
    a.underline === b.underline &&
    a.invert === b.invert &&
    a.width === b.width &&
    a.height === b.height &&
    a.font === b.font
  );
}

function underlineOf(n: number): 0 | 1 | 2 {
  const v = n >= 48 ? n - 48 : n;
  return v === 1 ? 1 : v === 2 ? 2 : 0;
}

function alignOf(n: number): Align {
  const v = n >= 48 ? n - 48 : n;
  return v === 1 ? 'center' : v === 2 ? 'right' : 'left';
}
