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
 *
 * Printer health (src/health/): the main thread's monitor sends each printer's changes and the last
 * time it heard from the printer (`printerHealthReport()`); they are stored as health events, and every receipt
 * is committed with its print verdict (`ok | suspect | failed` and why) from that timeline and the
 * times its bytes arrived. A receipt of a printer that is polled waits (at most `settleMs`) until
 * the printer has been heard from after its last byte: the poll right after a job says how it went.
 */
import type { CaptureChunk, SessionInfo } from '../../drivers/types.js';
import { ReceiptDecoder } from '../receipt/decoder.js';
import type { DecodeOptions } from '../receipt/decoder.js';
import type { Receipt } from '../receipt/receipt.js';
import { receiptToJson } from '../receipt/render/json.js';
import type { Store } from '../store/index.js';
import { isoWithZone } from '../local-time.js';
import { printVerdict, type Span, type TimelineEntry } from '../health/print-status.js';
import { SpanClock } from '../health/span-clock.js';
import type { HealthChange, PrintVerdict } from '../health/types.js';
import { listSegments, readSegment, removeSegment, type SpoolPos } from './spool.js';

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
  /**
   * How the printer's health is watched: `active` (polled: receipts wait for the poll after them,
   * at most `settleMs`), `passive` (listened to), `none` (absent: every receipt is `ok`).
   */
  readonly health?: 'active' | 'passive' | 'none';
  readonly settleMs?: number;
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
  /** When each piece of the to-printer stream arrived: a receipt's byte range → its time span. */
  readonly clock: SpanClock;
}

/** A receipt decoded and waiting for its printer to be heard from. */
interface Waiting {
  readonly session: string;
  readonly r: Receipt;
  readonly t: number;
  readonly span: Span | null;
  readonly deadline: number;
}

/** What the pipeline knows of a printer's health. */
interface PrinterHealth {
  timeline: TimelineEntry[];
  heardAt: number;
  waiting: Waiting[];
  timer: NodeJS.Timeout | null;
}

/** Health changes kept per printer for verdicts. */
const TIMELINE_MAX = 1000;
/** Stored changes loaded at start: an hour covers the receipts a restart can still be deciding on. */
const HISTORY_MS = 3_600_000;

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
  private readonly printerHealth = new Map<string, PrinterHealth>();

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
    // Receipts still waiting for their printer get the verdict known now.
    for (const [name, h] of this.printerHealth) this.release(name, h, Infinity);
  }

  /**
   * A printer's health monitor reported: store its changes (told against the stored state), and
   * commit the receipts that were waiting for the printer to be heard from up to `heardAt`.
   */
  printerHealthReport(printer: string, changes: readonly HealthChange[], heardAt: number): void {
    const h = this.healthOf(printer);
    if (changes.length > 0) {
      try {
        const events = this.store.appendHealthEvents(printer, changes);
        for (const e of events) {
          h.timeline.push({ kind: e.kind, state: e.state, at: e.at });
          this.log.info({ printer, kind: e.kind, state: e.state, previous: e.previous, durationMs: e.durationMs, detail: e.detail }, 'printer health');
        }
        if (h.timeline.length > TIMELINE_MAX) h.timeline = h.timeline.slice(-TIMELINE_MAX);
      } catch (err) {
        // The verdicts still see the changes; only their record is lost.
        for (const c of changes) h.timeline.push({ kind: c.kind, state: c.state, at: c.at });
        this.fail('store', err);
      }
    }
    if (heardAt > h.heardAt) h.heardAt = heardAt;
    this.release(printer, h, Date.now());
  }

  private healthOf(printer: string): PrinterHealth {
    let h = this.printerHealth.get(printer);
    if (!h) {
      let timeline: TimelineEntry[] = [];
      try {
        timeline = this.store.listHealthEvents({ printer, since: Date.now() - HISTORY_MS }).map((e) => ({ kind: e.kind, state: e.state, at: e.at }));
      } catch (err) {
        this.fail('store', err);
      }
      h = { timeline, heardAt: 0, waiting: [], timer: null };
      this.printerHealth.set(printer, h);
    }
    return h;
  }

  private verdict(printer: string, span: Span | null): PrintVerdict {
    if (!span || this.printerOf(printer).health === 'none') return { status: 'ok', reason: null };
    return printVerdict(this.healthOf(printer).timeline, span);
  }

  /** Commits, in order, the waiting receipts whose printer was heard from after them or that waited long enough. */
  private release(printer: string, h: PrinterHealth, now: number): void {
    if (h.timer) clearTimeout(h.timer);
    h.timer = null;
    while (h.waiting.length > 0) {
      const w = h.waiting[0]!;
      if (w.span && w.span.end > h.heardAt && now < w.deadline) break;
      h.waiting.shift();
      this.commitNow(printer, w.session, w.r, w.t, this.verdict(printer, w.span));
    }
    const head = h.waiting[0];
    if (head) {
      h.timer = setTimeout(() => this.release(printer, h, Date.now()), Math.max(1, head.deadline - now));
      h.timer.unref();
    }
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
        // The journal keeps when each chunk arrived: the receipts' time spans for their verdicts.
        const clock = new SpanClock();
        for (const c of this.store.chunks(row.session, 'to-printer')) clock.chunk(c.bytes.length, c.t);
        for (const r of [...decoder.push(bytes), ...decoder.end()]) {
          this.commitNow(row.printer, row.session, r, t, this.verdict(row.printer, clock.span(r.bytes.start, r.bytes.end)));
        }
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
   * wait for the busy timeout rather than fail at once), with the spool position they came from
   * (`mark`, see spool.ts). The worker journals each message as it arrives and decodes later, so
   * the journal never waits behind a decoder. `replayed`: records read back from the spool after a
   * restart; their disconnects end the sessions here (live ones end when decoded).
   */
  journal(work: readonly Work[], mark: SpoolPos | null = null, replayed = false): void {
    const live = work.filter((w) => !this.broken.has(sessionOf(w)));
    try {
      this.store.db.transaction(() => {
        for (const w of live) {
          if (w.kind === 'connect') this.begin(w.printer, w.s);
          else if (w.kind === 'chunk') {
            // A driver that reports bytes before its connect event (it should not): begin here.
            if (!this.begun.has(w.c.session)) this.begin(w.printer, { session: w.c.session, peer: 'unknown', t: w.c.t });
            this.store.appendChunk(w.printer, w.c);
          } else if (replayed && this.begun.delete(w.s.session)) this.store.endSession(w.s.session, w.s.t);
        }
        if (mark) this.store.setSpoolMark(mark.seg, mark.off);
      }).immediate();
    } catch (err) {
      // The journal of these sessions now has a gap: their later bytes would land at the wrong
      // offsets, so they are not captured further. Printing goes on; the next session is captured.
      for (const w of live) if (w.kind !== 'disconnect') this.broken.add(sessionOf(w));
      // The mark stays before them: if the agent stops before another commit, the next start
      // journals them from the spool.
      this.fail('store', err, 'journal write failed; printing goes on, capture resumes with the next session');
    }
  }

  /**
   * After a restart: journal what the spool holds beyond the journal's mark in the segments below
   * `below` (this worker's own segments start there), then delete them. `recover()` decodes it.
   */
  replaySpool(dir: string, below: number): void {
    let mark: SpoolPos;
    try {
      mark = this.store.spoolMark() ?? { seg: 0, off: 0 };
    } catch (err) {
      this.fail('store', err);
      return;
    }
    let bytes = 0;
    let records = 0;
    for (const seg of listSegments(dir)) {
      if (seg >= below) break;
      if (seg >= mark.seg) {
        const { records: recs, torn } = readSegment(dir, seg, seg === mark.seg ? mark.off : 0);
        if (torn) this.log.warn({ segment: seg }, 'spool segment ends in a partial record; replaying what precedes it');
        // In slices, each with its mark: a huge segment never makes one huge transaction.
        for (let i = 0; i < recs.length; ) {
          const slice: Work[] = [];
          let size = 0;
          let end = 0;
          for (; i < recs.length && (slice.length === 0 || size < 1 << 20); i++) {
            const r = recs[i]!;
            slice.push(r.work);
            if (r.work.kind === 'chunk') size += r.work.c.bytes.length;
            end = r.end;
          }
          this.journal(slice, { seg, off: end }, true);
          bytes += size;
          records += slice.length;
        }
      }
    }
    this.begun.clear();
    try {
      this.store.setSpoolMark(below, 0);
      for (const seg of listSegments(dir)) if (seg < below) removeSegment(dir, seg);
    } catch (err) {
      this.fail('store', err);
      return;
    }
    if (records > 0) this.log.info({ records, bytes }, 'journaled what the spool held beyond the journal');
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

  private begin(printer: string, s: SessionInfo): void {
    this.begun.add(s.session);
    this.store.beginSession({ session: s.session, printer, peer: s.peer, t: s.t });
  }

  private open(p: PipelinePrinter, session: string): LiveSession {
    const live: LiveSession = { printer: p.name, decoder: new ReceiptDecoder(p.decode), idle: null, clock: new SpanClock() };
    this.sessions.set(session, live);
    return live;
  }

  /** After the chunk is journaled (durable): decode it. */
  private onChunk(p: PipelinePrinter, c: CaptureChunk): void {
    this.health.chunks++;
    if (c.dir !== 'to-printer') return;
    const s = this.sessions.get(c.session) ?? this.open(p, c.session);
    s.clock.chunk(c.bytes.length, c.t);
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
    for (const r of receipts) this.commit(s.printer, session, r, t, s.clock.span(r.bytes.start, r.bytes.end));
    const done = receipts[receipts.length - 1];
    if (done) s.clock.forget(done.bytes.end);
  }

  /** Commit now, or once the printer has been heard from after the receipt (a polled printer). */
  private commit(printer: string, session: string, r: Receipt, t: number, span: Span | null): void {
    const p = this.printerOf(printer);
    const h = this.healthOf(printer);
    if (p.health === 'active' && (h.waiting.length > 0 || (span !== null && span.end > h.heardAt))) {
      h.waiting.push({ session, r, t, span, deadline: Date.now() + (p.settleMs ?? 3000) });
      this.release(printer, h, Date.now());
      return;
    }
    this.commitNow(printer, session, r, t, this.verdict(printer, span));
  }

  private commitNow(printer: string, session: string, r: Receipt, t: number, verdict: PrintVerdict): void {
    try {
      // One transaction: the journal keeps no full card number at rest once the receipt is cut out
      // of it, and no reader ever sees the receipt stored with its bytes not yet starred.
      const stored = this.store.db
        .transaction(() => {
          const c = this.store.commitReceipt({
            session,
            printer,
            start: r.bytes.start,
            end: r.bytes.end,
            capturedAt: isoWithZone(t),
            receipt: receiptToJson(r),
            printStatus: verdict.status,
            printReason: verdict.reason,
          });
          this.store.redactJournal(session, r.bytes.start, r.bytes.end);
          return c;
        })
        .immediate();
      if (stored) {
        this.health.receipts++;
        this.onChange();
        this.log.info(
          { printer, id: stored.id, seq: stored.deviceSeq, bytes: r.bytes, fields: r.fields.template ?? null, printStatus: verdict.status, ...(verdict.reason ? { printReason: verdict.reason } : {}) },
          'receipt',
        );
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
