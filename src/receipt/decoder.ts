/**
 * Bytes in, receipts out: tokenizer → interpreter → segmenter, streaming. With the `auto` profile
 * the command language (ESC/POS or Star Line mode) is chosen from the first bytes of the stream,
 * and code pages from the text (see src/escpos/charset.ts).
 */
import { type CjkEncoding } from '../escpos/codepages.js';
import { type CommandTable, type Dialect, CLONE_TABLE, STAR_LINE_TABLE, tableFor } from '../escpos/commands.js';
import type { PrintEvent } from '../escpos/events.js';
import { Interpreter } from '../escpos/interpreter.js';
import { getProfile, type PrinterProfile, type ProfileChoice } from '../escpos/profiles.js';
import { type Token, Tokenizer } from '../escpos/tokenizer.js';
import type { AutoReport } from '../escpos/charset.js';
import type { DecodeResult, Receipt, StatusRecord } from './receipt.js';
import { extractFields } from './fields/extract.js';
import { guardReceipt } from './guard.js';
import { Segmenter } from './segmenter.js';

export interface DecodeOptions {
  /** Extract fields with config/templates (default true); the card-number guard always runs. */
  readonly fields?: boolean;
  /** Printer dialect and code-page map; `auto` (default) infers them from the stream. */
  readonly profile?: ProfileChoice;
  /** Multi-byte encoding used in CJK mode; gb18030 by default. */
  readonly encoding?: CjkEncoding;
}

/** How many bytes `auto` looks at before it decides between ESC/POS and Star Line mode. */
export const SNIFF_BYTES = 4096;

/**
 * Where `auto` may decide early: the end of the first cut (`GS V`, or Star's `ESC d n`) within the
 * first SNIFF_BYTES, so that a live receipt shorter than that is decoded when it is cut, not when
 * the connection closes. A position found in the bytes themselves, so chunking changes nothing.
 */
export function sniffEnd(sample: Uint8Array): number {
  const n = Math.min(sample.length, SNIFF_BYTES);
  for (let i = 0; i + 1 < n; i++) {
    let end = -1;
    if (sample[i] === 0x1d && sample[i + 1] === 0x56) end = i + 4;
    else if (sample[i] === 0x1b && sample[i + 1] === 0x64 && i + 2 < n && sample[i + 2]! >= 0x30 && sample[i + 2]! <= 0x33) end = i + 3;
    if (end < 0) continue;
    // The same decision point whatever the chunking: wait until the bytes up to it are here.
    if (end <= SNIFF_BYTES) return end <= sample.length ? end : -1;
    break;
  }
  return sample.length >= SNIFF_BYTES ? SNIFF_BYTES : -1;
}

/**
 * Which command language explains a sample better: tokenize it both ways and count what each
 * cannot explain (unknown commands, stray control bytes such as parameters read as text).
 */
export function sniffDialect(sample: Uint8Array): 'esc-pos' | 'star-line' {
  const penalty = (table: CommandTable): number => {
    const t = new Tokenizer(table);
    let p = 0;
    const count = (tok: Token): void => {
      if (tok.kind === 'unknown') p += 4;
      else if (tok.kind === 'control' && tok.code !== 0x0a && tok.code !== 0x0d && tok.code !== 0x09 && tok.code !== 0x0c && tok.code !== 0)
        p += 1;
    };
    t.push(sample, count);
    t.end(count);
    return p;
  };
  return penalty(STAR_LINE_TABLE) < penalty(CLONE_TABLE) ? 'star-line' : 'esc-pos';
}

export class ReceiptDecoder {
  private tokenizer: Tokenizer | null = null;
  private interpreter: Interpreter | null = null;
  private readonly segmenter = new Segmenter();
  private sniffBuf: Uint8Array[] = [];
  private sniffLen = 0;
  private total = 0;
  private readonly profile: PrinterProfile | null;
  private readonly encoding: CjkEncoding;
  private dialectChosen: Dialect | null = null;
  private readonly withFields: boolean;

  constructor(opts: DecodeOptions = {}) {
    const choice = opts.profile ?? 'auto';
    this.withFields = opts.fields ?? true;
    this.profile = choice === 'auto' ? null : getProfile(choice);
    this.encoding = opts.encoding ?? this.profile?.cjkEncoding ?? 'gb18030';
    if (this.profile) this.start(this.profile.dialect);
  }

  get status(): readonly StatusRecord[] {
    return this.segmenter.status;
  }

  /** The dialect in use (after `auto` has decided). */
  get dialect(): Dialect | null {
    return this.dialectChosen;
  }

  autoReport(): AutoReport | null {
    return this.profile ? null : (this.interpreter?.charset.autoReport() ?? null);
  }

  /** Receipts completed by the current push, handed back when it returns. */
  private done: Receipt[] = [];
  private readonly onEvent = (e: PrintEvent): void => {
    const r = this.segmenter.event(e);
    if (r) this.done.push(this.finishReceipt(r));
  };

  /** Every receipt leaves through here: card numbers masked first, then its fields read. */
  private finishReceipt(r: Receipt): Receipt {
    const guarded = guardReceipt(r);
    if (!this.withFields) return guarded;
    return { ...guarded, fields: extractFields(guarded.lines.map((l) => l.text), undefined, guarded.text) };
  }

  private start(dialect: Dialect): void {
    this.dialectChosen = dialect;
    this.tokenizer = new Tokenizer(tableFor(dialect));
    this.interpreter = new Interpreter(
      {
        profile: this.profile,
        cjkEncoding: this.encoding,
        family: dialect === 'star-line' ? 'star-line' : 'esc-pos',
        onLine: (line, offset) => {
          const r = this.segmenter.line(line, offset);
          if (r) this.done.push(this.finishReceipt(r));
        },
      },
      this.onEvent,
    );
  }

  private take(): Receipt[] {
    const out = this.done;
    this.done = [];
    return out;
  }

  push(chunk: Uint8Array): Receipt[] {
    this.total += chunk.length;
    if (!this.tokenizer) {
      this.sniffBuf.push(chunk);
      this.sniffLen += chunk.length;
      const sample = this.sniffBuf.length === 1 ? this.sniffBuf[0]! : Buffer.concat(this.sniffBuf);
      this.sniffBuf = [sample];
      const end = sniffEnd(sample);
      if (end >= 0 && sample.length >= end) this.startFromSniff(end);
      return this.take();
    }
    this.tokenizer.feed(chunk, this.interpreter!);
    return this.take();
  }

  /**
   * End the receipt in progress without ending the stream: a live capture does this after an
   * idle gap (the POS stopped sending, the receipt is done even with no cut). Bytes of an
   * unfinished command stay pending.
   */
  flush(): Receipt[] {
    if (!this.tokenizer) this.startFromSniff();
    this.interpreter!.finish();
    const r = this.segmenter.cut(this.tokenizer!.consumed);
    if (r) this.done.push(this.finishReceipt(r));
    return this.take();
  }

  end(): Receipt[] {
    if (!this.tokenizer) this.startFromSniff();
    this.tokenizer!.finish(this.interpreter!);
    this.interpreter!.finish();
    const last = this.segmenter.finish(this.total);
    if (last) this.done.push(this.finishReceipt(last));
    return this.take();
  }

  get warnings(): readonly string[] {
    return this.segmenter.docWarnings;
  }

  private startFromSniff(upTo: number = SNIFF_BYTES): void {
    const sample = Buffer.concat(this.sniffBuf);
    this.sniffBuf = [];
    this.sniffLen = 0;
    this.start(sniffDialect(sample.subarray(0, upTo)) === 'star-line' ? 'star-line' : 'clone');
    if (sample.length > 0) this.tokenizer!.feed(sample, this.interpreter!);
  }
}

/** Decode a whole capture. */
export function decodeBuffer(input: Uint8Array, opts: DecodeOptions = {}): DecodeResult {
  const d = new ReceiptDecoder(opts);
  const receipts = [...d.push(input), ...d.end()];
  return { receipts, status: [...d.status], warnings: [...d.warnings] };
}
