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
