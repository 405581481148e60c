/**
 * The capture agent's pipeline: driver chunks → journal (durable first) → decoder per session →
 * receipts committed with their outbox row. Printing never waits for any of it: drivers relay
 * bytes on their own, and a failing store or decoder is logged and skipped (fail-open).
 *
 * After a crash, `start()` first finishes what the journal holds: every session with bytes not yet
 * decoded is replayed from its start (the printer state — code page, CJK mode — builds up from
 * there) and its receipts committed; receipts already committed are recognised by their byte range
 * and not doubled.
 */
import type { CaptureChunk, CaptureDriver, SessionInfo } from '../../drivers/types.js';
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

export interface AgentPrinter {
  readonly name: string;
  readonly driver: CaptureDriver;
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

/** What drivers report, queued in arrival order and handled after the relay has moved on. */
type Work =
  | { readonly kind: 'chunk'; readonly p: AgentPrinter; readonly c: CaptureChunk }
  | { readonly kind: 'connect' | 'disconnect'; readonly p: AgentPrinter; readonly s: SessionInfo };

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

export class Agent {
  private readonly sessions = new Map<string, LiveSession>();
  private health = { receipts: 0, chunks: 0, storeErrors: 0, decodeErrors: 0, lastError: null as string | null };
  private readonly detach: Array<() => void> = [];
  private queue: Work[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly printers: readonly AgentPrinter[],
    private readonly log: AgentLog,
  ) {}

  get status(): AgentHealth {
    return { ...this.health };
  }

  /** Finish what the journal holds, then start capturing. */
  async start(): Promise<void> {
    this.recover();
    for (const p of this.printers) {
      const onChunk = (c: CaptureChunk): void => this.enqueue({ kind: 'chunk', p, c });
      const onConnect = (s: SessionInfo): void => this.enqueue({ kind: 'connect', p, s });
      const onDisconnect = (s: SessionInfo): void => this.enqueue({ kind: 'disconnect', p, s });
      const onWarn = (m: string): void => this.log.warn({ printer: p.name }, m);
      p.driver.on('chunk', onChunk).on('connect', onConnect).on('disconnect', onDisconnect).on('warn', onWarn);
      this.detach.push(() => p.driver.off('chunk', onChunk).off('connect', onConnect).off('disconnect', onDisconnect).off('warn', onWarn));
      await p.driver.start();
      this.log.info({ printer: p.name, listen: p.driver.uri }, 'capturing');
    }
  }

  async stop(): Promise<void> {
    for (const p of this.printers) await p.driver.stop();
    for (const d of this.detach.splice(0)) d();
    this.drain();
    // Sessions the drivers did not close (a file replay in progress): end them here.
    for (const [id, s] of this.sessions) this.endSession(id, s, Date.now());
  }

  private printerOf(name: string): AgentPrinter | undefined {
    return this.printers.find((p) => p.name === name);
  }

  /** Replay every session the journal has not fully decoded (after a crash or a power cut). */
  private recover(): void {
    let pending;
    try {
      pending = this.store.pendingSessions();
    } catch (err) {
      this.fail('store', err);
      return;
    }
    for (const row of pending) {
      const p = this.printerOf(row.printer);
      const decoder = new ReceiptDecoder(p?.decode ?? {});
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
   * Journaling waits for the next turn of the event loop, so that the driver relays the printer's
   * reply first: the POS never waits for the disk. Chunks that arrive together are committed in
   * one transaction (one fsync), before any of them is decoded.
   */
  private enqueue(w: Work): void {
    this.queue.push(w);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    const work = this.queue;
    this.queue = [];
    let i = 0;
    while (i < work.length) {
      const w = work[i]!;
      if (w.kind === 'connect') this.onConnect(w.p, w.s);
      else if (w.kind === 'disconnect') this.onDisconnect(w.p, w.s);
      else {
        // A run of chunks: journal all of them at once, then decode them in order.
        let j = i;
        while (j < work.length && work[j]!.kind === 'chunk') j++;
        const run = work.slice(i, j) as Array<Extract<Work, { kind: 'chunk' }>>;
        this.journal(run);
        for (const r of run) this.onChunk(r.p, r.c);
        i = j;
        continue;
      }
      i++;
    }
  }

  private journal(run: ReadonlyArray<{ p: AgentPrinter; c: CaptureChunk }>): void {
    try {
      this.store.db.transaction(() => {
        for (const { p, c } of run) this.store.appendChunk(p.name, c);
      })();
    } catch (err) {
      this.fail('store', err);
    }
  }

  private onConnect(p: AgentPrinter, s: SessionInfo): void {
    this.sessions.set(s.session, { printer: p.name, decoder: new ReceiptDecoder(p.decode), idle: null });
    try {
      this.store.beginSession({ session: s.session, printer: p.name, peer: s.peer, t: s.t });
    } catch (err) {
      this.fail('store', err);
    }
  }

  /** After the chunk is journaled (durable): decode it. */
  private onChunk(p: AgentPrinter, c: CaptureChunk): void {
    this.health.chunks++;
    if (c.dir !== 'to-printer') return;
    let s = this.sessions.get(c.session);
    if (!s) {
      // A driver that reports bytes before its connect event (it should not): start a session.
      this.onConnect(p, { session: c.session, peer: 'unknown', t: c.t });
      s = this.sessions.get(c.session)!;
    }
    this.decode(s, c.session, c.t, (d) => d.push(c.bytes));
    if (s.idle) clearTimeout(s.idle);
    s.idle = setTimeout(() => {
      s!.idle = null;
      this.decode(s!, c.session, Date.now(), (d) => d.flush());
    }, p.idleMs);
    s.idle.unref();
  }

  private onDisconnect(_p: AgentPrinter, info: SessionInfo): void {
    const s = this.sessions.get(info.session);
    if (s) this.endSession(info.session, s, info.t);
  }

  private endSession(id: string, s: LiveSession, t: number): void {
    if (s.idle) clearTimeout(s.idle);
    this.decode(s, id, t, (d) => d.end());
    this.sessions.delete(id);
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
  }
}
