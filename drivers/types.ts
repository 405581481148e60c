/**
 * The one interface every capture driver implements (TCP 9100 proxy, serial pass-through, serial
 * tap, USB printer class, file replay). A driver moves bytes and reports them; it never decodes.
 *
 *   POS software ──to-printer──▶ driver ──▶ real printer (when there is one)
 *                ◀─from-printer──        ◀──
 *
 * Every byte in either direction is reported as a chunk, in order, after it was passed on.
 */

/** `to-printer`: what the POS sent (receipts, commands, polls); `from-printer`: replies. */
export type Direction = 'to-printer' | 'from-printer';

export interface CaptureChunk {
  readonly dir: Direction;
  readonly bytes: Buffer;
  /** Milliseconds since the epoch when the driver read the bytes. */
  readonly t: number;
  /**
   * The stream the bytes belong to: a TCP connection from the POS, or one run of a serial /
   * USB / file stream. Receipts never span sessions; a session's end ends its last receipt.
   */
  readonly session: string;
}

export interface SessionInfo {
  readonly session: string;
  /** The POS side, e.g. `127.0.0.1:53122` or `/dev/pts/5`. */
  readonly peer: string;
  readonly t: number;
}

export interface DriverEvents {
  chunk: (chunk: CaptureChunk) => void;
  /** A session began (a POS connected, a port opened). */
  connect: (info: SessionInfo) => void;
  /** A session ended (connection closed, port gone). */
  disconnect: (info: SessionInfo) => void;
  /** A fault the driver survives (printer unreachable, port lost): it keeps running and retries. */
  warn: (message: string) => void;
}

/**
 * Lets the capture side hold the relay back while the journal is behind: a pass-through writes a
 * new piece to the printer only while the gate is open, so a crash can lose at most what was
 * passed on since the journal last caught up. The capture side opens it again by itself when the
 * journal is stuck (fail-open: printing never waits long).
 */
export interface RelayGate {
  readonly closed: boolean;
  /** Calls `cb` once, when the gate next opens. */
  whenOpen(cb: () => void): void;
}

export interface CaptureDriver {
  /** `tcp`, `serial`, `serial-tap`, `usblp`, `file`. */
  readonly kind: string;
  /** What it listens on / reads, as a URI (contract: tcp://HOST:PORT, serial:PATH?…, usblp:…, file:…). */
  readonly uri: string;
  start(): Promise<void>;
  /** Stops accepting, closes everything; resolves when all sessions have ended. */
  stop(): Promise<void>;
  on<E extends keyof DriverEvents>(event: E, listener: DriverEvents[E]): this;
  /** Pass-through drivers honour it for the POS → printer direction; the others ignore it. */
  setRelayGate(gate: RelayGate | null): void;
  off<E extends keyof DriverEvents>(event: E, listener: DriverEvents[E]): this;
}

// ---- the line hook: how a health monitor sits on a pass-through's printer link ---------------

/** The agent's side of one printer link. */
export interface PrinterLine {
  /**
   * Writes the agent's own bytes to the printer now, behind every POS byte handed over so far.
   * Refused (false, nothing written) while POS bytes wait to be handed over. Never reported as a
   * chunk: the journal is what the POS sent.
   */
  inject(bytes: Buffer): boolean;
  /** POS bytes accepted and not yet handed to the printer. */
  readonly pendingBytes: number;
}

/** What the driver tells the hook about one link, and asks it. */
export interface LineTap {
  /** POS bytes, just before they are handed to the printer (in order). */
  toPrinter(bytes: Buffer, t: number): void;
  /** Bytes read from the printer; returns the bytes the POS gets (in order, byte-exact). */
  fromPrinter(bytes: Buffer, t: number): Buffer;
  /**
   * The POS has finished and all of its bytes were handed over: the driver ends the printer side
   * once this resolves (the hook may ask one last thing first; it bounds its own wait).
   */
  finish(): Promise<void>;
  /** The link is gone. */
  close(): void;
}

export interface PrinterLineHook {
  /** A link to the printer is up: for a POS session, or for a probe of the hook's own (session null). */
  attach(line: PrinterLine, session: string | null): LineTap;
  /** A link could not be opened. */
  unreachable(reason: string, t: number): void;
}

/** A driver that passes bytes on to a real printer and lets a hook on the link. */
export interface HookableDriver extends CaptureDriver {
  /** Null: no printer behind it (virtual printer); the hook would have nothing to watch. */
  readonly hookable: boolean;
  setLineHook(hook: PrinterLineHook | null): void;
  /**
   * Opens a link of the hook's own when no POS session holds one, hands it to the hook as a probe,
   * and closes it when the hook's `finish()` resolves (a POS that connects meanwhile cuts it
   * short). Resolves false when a session is live (poll through it), there is no hook, or the
   * printer could not be reached (the hook was told).
   */
  probe(): Promise<boolean>;
}

export function isHookable(d: CaptureDriver): d is HookableDriver {
  return typeof (d as Partial<HookableDriver>).setLineHook === 'function' && (d as HookableDriver).hookable;
}
