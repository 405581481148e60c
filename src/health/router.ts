/**
 * Printer → host bytes, told apart and given to whoever asked.
 *
 * The printer's replies come on one line for two askers: the POS (its own status polling, its
 * `GS I`) and the agent (health polls). Each query is queued, in the order it reached the printer,
 * in the queue of its reply's shape (status / one byte / block); a reply goes to the head of the
 * queue of its shape. Real-time queries (`DLE EOT`) are answered in order among themselves, and
 * the agent only ever asks those, so the shapes never need to be ordered against each other.
 *
 * What the classifier knows (../shared/docs/escpos-lengths.md, "Replies"):
 *   `0xx1xx10`           a DLE EOT reply (status)
 *   `0xx1xx00` + 3 bytes an ASB frame (bytes 2–4 have bits 4 and 7 clear; a byte that does not
 *                        abandons the frame, so a status reply is never swallowed)
 *   0x11 / 0x13          XON / XOFF
 *   0x37 | 0x5F | 0x3B … 0x00  a block reply, when a block query is waiting (at most 255 bytes)
 *   bits 4 and 7 clear   a one-byte reply, when one is waiting
 *   anything else        other (passed on untouched)
 *
 * The POS gets every byte except the replies to the agent's own queries, in order: nothing of its
 * own is lost, reordered or delayed (a byte's owner is known when it arrives).
 */
import { asbBits, dleEotBits, gsrBits, isAsbHead, isBlockHead, isPlainByte, isStatusByte, XOFF, XON } from './bits.js';
import type { Query, ReplyClass } from './requests.js';
import type { StatusBits } from './types.js';

export type Owner = 'pos' | 'agent';

/** One reply or signal seen on the printer → host line. */
export type Seen =
  | { readonly kind: 'status'; readonly owner: Owner | null; readonly query: Query | null; readonly byte: number; readonly bits: StatusBits | null; readonly t: number }
  | { readonly kind: 'byte'; readonly owner: Owner; readonly query: Query; readonly byte: number; readonly bits: StatusBits | null; readonly t: number }
  | { readonly kind: 'block'; readonly owner: Owner; readonly query: Query; readonly bytes: Buffer; readonly t: number }
  | { readonly kind: 'asb'; readonly frame: Buffer; readonly bits: StatusBits; readonly t: number }
  | { readonly kind: 'xon' | 'xoff'; readonly t: number }
  | { readonly kind: 'other'; readonly byte: number; readonly t: number };

/** A query nobody answered in time. */
export interface Expired {
  readonly owner: Owner;
  readonly query: Query;
  readonly sentAt: number;
}

interface Pending {
  readonly owner: Owner;
  readonly query: Query;
  readonly sentAt: number;
}

export interface RouterOptions {
  /** A query unanswered this long is given up (ms). Default: agent 1000, POS 10 000. */
  readonly agentTimeoutMs?: number;
  readonly posTimeoutMs?: number;
  /** A reply to an agent query given up may still arrive this long after (ms); it is kept from the POS. Default 30 000. */
  readonly lateWindowMs?: number;
}

/** Block replies are short (GS I: at most 80 bytes); a longer one was not a block. */
const MAX_BLOCK = 255;

export interface Routed {
  /** The bytes that go on to the POS, in order. */
  readonly forward: Buffer;
  readonly seen: Seen[];
}

export class ReplyRouter {
  private readonly queues: Record<ReplyClass, Pending[]> = { status: [], byte: [], block: [] };
  /** Agent status queries given up, newest last, whose late replies still belong to the agent. */
  private late: number[] = [];
  private readonly agentTimeoutMs: number;
  private readonly posTimeoutMs: number;
  private readonly lateWindowMs: number;
  // Classifier state: inside an ASB frame or a block.
  private asb: number[] | null = null;
  private asbAt = 0;
  private block: { owner: Owner; query: Query; bytes: number[]; t: number } | null = null;

  constructor(opts: RouterOptions = {}) {
    this.agentTimeoutMs = opts.agentTimeoutMs ?? 1000;
    this.posTimeoutMs = opts.posTimeoutMs ?? 10_000;
    this.lateWindowMs = opts.lateWindowMs ?? 30_000;
  }

  /** A query handed to the printer now (call it before the bytes are written). */
  sent(owner: Owner, query: Query, t: number): void {
    this.queues[query.cls].push({ owner, query, sentAt: t });
  }

  /** Takes back the last `n` status queries of `owner` (their bytes could not be written after all). */
  withdraw(owner: Owner, n: number): void {
    const q = this.queues.status;
    for (let i = q.length - 1; i >= 0 && n > 0; i--) {
      if (q[i]!.owner === owner) {
        q.splice(i, 1);
        n--;
      }
    }
  }

  /** Queries waiting for a reply. */
  pending(owner?: Owner, cls?: ReplyClass): number {
    let n = 0;
    for (const c of cls ? [cls] : (['status', 'byte', 'block'] as const)) {
      for (const p of this.queues[c]) if (owner === undefined || p.owner === owner) n++;
    }
    return n;
  }

  /** The earliest time a pending query times out, or null. */
  nextDeadline(): number | null {
    let d: number | null = null;
    for (const q of Object.values(this.queues)) {
      for (const p of q) {
        const at = p.sentAt + (p.owner === 'agent' ? this.agentTimeoutMs : this.posTimeoutMs);
        if (d === null || at < d) d = at;
      }
    }
    return d;
  }

  /**
   * Gives up queries unanswered past their timeout. Queries are answered in order within a shape,
   * so everything ahead of an expired one in its queue is expired too.
   */
  expire(now: number): Expired[] {
    const out: Expired[] = [];
    for (const cls of ['status', 'byte', 'block'] as const) {
      const q = this.queues[cls];
      let last = -1;
      for (let i = 0; i < q.length; i++) {
        const p = q[i]!;
        if (now - p.sentAt >= (p.owner === 'agent' ? this.agentTimeoutMs : this.posTimeoutMs)) last = i;
      }
      for (const p of q.splice(0, last + 1)) {
        out.push(p);
        if (p.owner === 'agent' && cls === 'status') this.late.push(p.sentAt);
      }
    }
    this.late = this.late.filter((at) => now - at < this.lateWindowMs);
    return out;
  }

  /** Bytes from the printer: who gets them, and what they were. */
  received(bytes: Uint8Array, t: number): Routed {
    const seen: Seen[] = [];
    let keep: number[] | null = null; // indexes of bytes that stay with the agent
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.step(b, t, seen) === 'agent') (keep ??= []).push(i);
    }
    if (!keep) return { forward: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), seen };
    const out = Buffer.allocUnsafe(bytes.length - keep.length);
    let o = 0;
    let k = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (k < keep.length && keep[k] === i) {
        k++;
        continue;
      }
      out[o++] = bytes[i]!;
    }
    return { forward: out, seen };
  }

  /** Classifies one byte; returns whose it is. */
  private step(b: number, t: number, seen: Seen[]): Owner {
    if (this.block) {
      const blk = this.block;
      blk.bytes.push(b);
      if (b === 0x00 || blk.bytes.length >= MAX_BLOCK) {
        this.block = null;
        seen.push({ kind: 'block', owner: blk.owner, query: blk.query, bytes: Buffer.from(blk.bytes), t: blk.t });
      }
      return blk.owner;
    }
    if (this.asb) {
      if (isPlainByte(b)) {
        this.asb.push(b);
        if (this.asb.length === 4) {
          const frame = Buffer.from(this.asb);
          this.asb = null;
          seen.push({ kind: 'asb', frame, bits: asbBits(frame), t: this.asbAt });
        }
        return 'pos';
      }
      // Not an ASB frame after all: its head was something else, and this byte is read afresh.
      this.asb = null;
    }
    if (isStatusByte(b)) {
      const p = this.queues.status.shift();
      if (p) {
        const bits = p.query.n === null ? null : dleEotBits(p.query.n, b);
        seen.push({ kind: 'status', owner: p.owner, query: p.query, byte: b, bits, t });
        return p.owner;
      }
      const late = this.late.shift();
      if (late !== undefined) {
        // A reply to an agent query given up: the agent's, but what it answers is not known for sure.
        seen.push({ kind: 'status', owner: 'agent', query: null, byte: b, bits: null, t });
        return 'agent';
      }
      seen.push({ kind: 'status', owner: null, query: null, byte: b, bits: null, t });
      return 'pos';
    }
    if (isAsbHead(b)) {
      this.asb = [b];
      this.asbAt = t;
      return 'pos';
    }
    if (b === XON || b === XOFF) {
      seen.push({ kind: b === XON ? 'xon' : 'xoff', t });
      return 'pos';
    }
    if (isBlockHead(b) && this.queues.block.length > 0) {
      const p = this.queues.block.shift()!;
      this.block = { owner: p.owner, query: p.query, bytes: [b], t };
      return p.owner;
    }
    if (isPlainByte(b) && this.queues.byte.length > 0) {
      const p = this.queues.byte.shift()!;
      const bits = p.query.n !== null && p.query.name.startsWith('GS r') ? gsrBits(p.query.n, b) : null;
      seen.push({ kind: 'byte', owner: p.owner, query: p.query, byte: b, bits, t });
      return p.owner;
    }
    seen.push({ kind: 'other', byte: b, t });
    return 'pos';
  }
}
