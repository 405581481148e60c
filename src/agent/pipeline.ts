/**
 * The capture pipeline: chunks → journal (durable first) → decoder per session → receipts
 * committed with their outbox row. It runs in the agent's worker thread (src/agent/worker.ts), so
 * the fsyncs and the decoding never hold up the thread that relays bytes to the printer; a failing
 * store or decoder is logged and skipped (fail-open).
 *
 * `recover()` first finishes what the journal holds: every session with bytes not yet decoded is
 * replayed from its start (the printer state — code page, CJK mode — builds up from there) and its
 * receipts committed; receipts already committed are recognised by their byte range and not
 * doubled.
 */
import type { CaptureChunk, SessionInfo } from '../../drivers/types.js';
import { ReceiptDecoder } from '../receipt/decoder.js';
import type { DecodeOptions } from '../receipt/decoder.js';
import type { Receipt } from '../receipt/receipt.js';
import { receiptToJson } from '../receipt/render/json.js';
import type { Store } from '../store/index.js';

export interface AgentLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the pipeline needs to know of a printer (plain data: it crosses to the worker thread). */
export interface PipelinePrinter {
  readonly name: string;
  readonly decode: DecodeOptions;
  /** A receipt also ends after this long with no bytes from the POS. */
  readonly idleMs: number;
}

export interface AgentHealth {
  readonly receipts: number;
  readonly chunks: number;
  readonly storeErrors: number;
  readonly decodeErrors: number;
  readonly lastError: string | null;
}

/** What drivers report, in arrival order. */
export type Work =
  | { readonly kind: 'chunk'; readonly printer: string; readonly c: CaptureChunk }
  | { readonly kind: 'connect'; readonly printer: string; readonly s: SessionInfo }
  | { readonly kind: 'disconnect'; readonly printer: string; readonly s: SessionInfo };

interface LiveSession {
  readonly printer: string;
  decoder: ReceiptDecoder | null;
  idle: NodeJS.Timeout | null;
}

/** ISO 8601 with the local zone offset: 2026-11-20T09:10:00+08:00. */
export function isoWithZone(t: number): string {
  const d = new Date(t);
  const off = -d.getTimezoneOffset();
  const local = new Date(t + off * 60_000).toISOString().slice(0, 19);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function sessionOf(w: Work): string {
  return w.kind === 'chunk' ? w.c.session : w.s.session;
}

export class Pipeline {
  private readonly sessions = new Map<string, LiveSession>();
  private health = { receipts: 0, chunks: 0, storeErrors: 0, decodeErrors: 0, lastError: null as string | null };
  private readonly printers = new Map<string, PipelinePrinter>();
  /** Sessions begun in the journal and not yet ended. */
  private readonly begun = new Set<string>();
  /** Sessions whose journal write failed: not captured further (see `journal`). */
  private readonly broken = new Set<string>();

  constructor(
    private readonly store: Store,
    printers: readonly PipelinePrinter[],
    private readonly log: AgentLog,
    /** Called when the status changed (a receipt committed, a failure): the worker reports it. */
    private readonly onChange: () => void = () => {},
  ) {
    for (const p of printers) this.printers.set(p.name, p);
  }

  get status(): AgentHealth {
    return { ...this.health };
  }

  /** End the sessions still open (the agent is stopping): their last receipts are committed. */
  endAll(t: number): void {
    for (const [id, s] of this.sessions) this.endSession(id, s, t);
  }

  private printerOf(name: string): PipelinePrinter {
    // A printer the config no longer names (journal of an older run): decode with defaults.
    return this.printers.get(name) ?? { name, decode: {}, idleMs: 3000 };
  }

  /** Replay every session the journal has not fully decoded (after a crash or a power cut). */
  recover(): void {
    let pending;
    try {
      pending = this.store.pendingSessions();
    } catch (err) {
      this.fail('store', err);
      return;
    }
    for (const row of pending) {
      const p = this.printerOf(row.printer);
      const decoder = new ReceiptDecoder(p.decode);
      try {
        const bytes = this.store.readStream(row.session, 'to-printer', 0);
        const t = row.endedAt ?? Date.now();
        for (const r of [...decoder.push(bytes), ...decoder.end()]) this.commit(row.printer, row.session, r, t);
        this.store.markDecoded(row.session, row.bytes);
        if (row.endedAt === null) this.store.endSession(row.session, Date.now());
        this.log.info({ printer: row.printer, session: row.session, bytes: row.bytes }, 'recovered session from the journal');
      } catch (err) {
        this.fail('decode', err);
      }
    }
  }

  /**
   * Make what the drivers reported durable: sessions begun and chunks appended, all in one
   * IMMEDIATE transaction (one fsync; the write lock taken first, so a competing writer makes it
   * wait for the busy timeout rather than fail at once). The worker journals each message as it arrives and decodes later, so
   * the journal never waits behind a decoder.
   */
  journal(work: readonly Work[]): void {
    const live = work.filter((w) => !this.broken.has(sessionOf(w)));
    try {
      this.store.db.transaction(() => {
        for (const w of live) {
          if (w.kind === 'connect') this.begin(w.printer, w.s);
          else if (w.kind === 'chunk') {
            // A driver that reports bytes before its connect event (it should not): begin here.
            if (!this.begun.has(w.c.session)) this.begin(w.printer, { session: w.c.session, peer: 'unknown', t: w.c.t });
            this.store.appendChunk(w.printer, w.c);
          }
        }
      }).immediate();
    } catch (err) {
      // The journal of these sessions now has a gap: their later bytes would land at the wrong
      // offsets, so they are not captured further. Printing goes on; the next session is captured.
      for (const w of live) if (w.kind !== 'disconnect') this.broken.add(sessionOf(w));
      this.fail('store', err, 'journal write failed; printing goes on, capture resumes with the next session');
    }
  }

  /** After `journal`: decode, in arrival order, and commit the receipts that end. */
  decodeWork(work: readonly Work[]): void {
    for (const w of work) {
      const id = sessionOf(w);
      if (this.broken.has(id)) {
        const s = this.sessions.get(id);
        if (s?.idle) clearTimeout(s.idle);
        this.sessions.delete(id);
        this.begun.delete(id);
        if (w.kind === 'disconnect') this.broken.delete(id);
        continue;
      }
      if (w.kind === 'connect') this.open(this.printerOf(w.printer), w.s.session);
      else if (w.kind === 'disconnect') this.onDisconnect(w.s);
      else this.onChunk(this.printerOf(w.printer), w.c);
    }
  }

  /** Both steps at once (tests, and callers without a thread of their own). */
  handle(work: readonly Work[]): void {
    this.journal(work);
    this.decodeWork(work);
  }

  /** Decode once before capture starts: loading code pages and templates takes a while the first time. */
  warmUp(sample: Uint8Array): void {
    for (const p of this.printers.values()) {
      try {
        const d = new ReceiptDecoder(p.decode);
        d.push(sample);
        d.end();
      } catch {
        // A decoder that fails here fails on live data too, where it is logged.
      }
    }
  }

  private begin(printer: string, s: SessionInfo): void {
    this.begun.add(s.session);
    this.store.beginSession({ session: s.session, printer, peer: s.peer, t: s.t });
  }

  private open(p: PipelinePrinter, session: string): LiveSession {
    const live: LiveSession = { printer: p.name, decoder: new ReceiptDecoder(p.decode), idle: null };
    this.sessions.set(session, live);
    return live;
  }

  /** After the chunk is journaled (durable): decode it. */
  private onChunk(p: PipelinePrinter, c: CaptureChunk): void {
    this.health.chunks++;
    if (c.dir !== 'to-printer') return;
    const s = this.sessions.get(c.session) ?? this.open(p, c.session);
    this.decode(s, c.session, c.t, (d) => d.push(c.bytes));
    if (s.idle) clearTimeout(s.idle);
    s.idle = setTimeout(() => {
      s.idle = null;
      this.decode(s, c.session, Date.now(), (d) => d.flush());
    }, p.idleMs);
    s.idle.unref();
  }

  private onDisconnect(info: SessionInfo): void {
    const s = this.sessions.get(info.session);
    if (s) this.endSession(info.session, s, info.t);
  }

  private endSession(id: string, s: LiveSession, t: number): void {
    if (s.idle) clearTimeout(s.idle);
    this.decode(s, id, t, (d) => d.end());
    this.sessions.delete(id);
    this.begun.delete(id);
    try {
      this.store.endSession(id, t);
    } catch (err) {
      this.fail('store', err);
    }
  }

  /** Run the decoder (fail-open: a decoder bug loses no bytes, the journal has them). */
  private decode(s: LiveSession, session: string, t: number, step: (d: ReceiptDecoder) => Receipt[]): void {
    if (!s.decoder) return;
    let receipts: Receipt[];
    try {
      receipts = step(s.decoder);
    } catch (err) {
      s.decoder = null;
      this.fail('decode', err, 'decoding stopped for this session; `tilltap receipts redecode` recovers it from the journal');
      return;
    }
    for (const r of receipts) this.commit(s.printer, session, r, t);
  }

  private commit(printer: string, session: string, r: Receipt, t: number): void {
    try {
      const stored = this.store.commitReceipt({
        session,
        printer,
        start: r.bytes.start,
        end: r.bytes.end,
        capturedAt: isoWithZone(t),
        receipt: receiptToJson(r),
        printStatus: 'ok',
      });
      // The journal keeps no full card number at rest once the receipt is cut out of it.
      this.store.redactJournal(session, r.bytes.start, r.bytes.end);
      if (stored) {
        this.health.receipts++;
        this.onChange();
        this.log.info({ printer, id: stored.id, seq: stored.deviceSeq, bytes: r.bytes, fields: r.fields.template ?? null }, 'receipt');
      }
    } catch (err) {
      this.fail('store', err);
    }
  }

  private fail(where: 'store' | 'decode', err: unknown, hint?: string): void {
    const message = err instanceof Error ? err.message : String(err);
    if (where === 'store') this.health.storeErrors++;
    else this.health.decodeErrors++;
    this.health.lastError = `${where}: ${message}`;
    this.log.error({ where, err: message }, hint ?? `${where} failed; printing goes on`);
    this.onChange();
  }
}
