/**
 * Serial pass-through: the POS prints to one end of a virtual COM pair (com0com on Windows,
 * socat or tty0tty on Linux); the agent owns the other end (`listen`, e.g. `serial:/dev/pts/5`)
 * and relays to the real printer (`serial:/dev/ttyUSB0?baud=…&rtscts=1`, `usblp:…` or `tcp://…`),
 * byte-exact and in order, with backpressure (small highWaterMark: when the printer side is
 * full the listen port is not read, so the POS's writes block in the OS) and the printer's flow
 * control from its URI (RTS/CTS or XON/XOFF, done by the OS).
 *
 * One session per open of the listen port. When either port goes away the driver warns and
 * reopens it with exponential backoff; a USB serial printer whose device name changed is found
 * again by its hardware identity. While the printer is away, POS bytes are held (bounded, the
 * oldest dropped with a warn) and passed on when it is back. A session's `disconnect` comes after
 * the last of its bytes was passed on or given up.
 *
 * Line hook (a health monitor, `setLineHook`): while both ports are open it sees the POS bytes as
 * they are handed to the printer, filters the printer's replies (the answers to its own polls
 * never reach the POS) and may inject polls when the line is idle. The printer link stays open,
 * so the hook polls through it; `probe()` has nothing to add and answers false.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { SerialPort } from 'serialport';
import { Backoff, type BackoffOptions, sleep, worthReporting } from './backoff.js';
import { DriverEmitter, message } from './emitter.js';
import type { PrinterEndpoint, PrinterLink } from './endpoint.js';
import { DEFAULT_MAX_HOLD, Pump } from './pump.js';
import { closeSerialPort, type SerialBinding, SerialDevice, SERIAL_HIGH_WATER_MARK } from './serial-port.js';
import type { HookableDriver, LineTap, PrinterLine, PrinterLineHook, SessionInfo } from './types.js';
import { parseDeviceUriOf, type SerialUri } from './uri.js';

export interface SerialPassThroughOptions {
  /** The agent's end of the virtual pair: `serial:PATH?…`. */
  readonly listen: string | SerialUri;
  /** The real printer. */
  readonly printer: PrinterEndpoint;
  readonly name?: string;
  /** serialport binding for the listen port (tests: MockBinding). */
  readonly binding?: SerialBinding;
  /** Stream buffers of the listen port (bytes). Default 4096. */
  readonly highWaterMark?: number;
  readonly backoff?: BackoffOptions;
  /** POS bytes held while the printer is away. Default 8 MiB. */
  readonly maxHoldBytes?: number;
}

interface Session extends SessionInfo {
  closing: boolean;
}

export interface SerialStats {
  readonly session: string | null;
  readonly listenOpen: boolean;
  readonly printerConnected: boolean;
  readonly toPrinterBytes: number;
  readonly fromPrinterBytes: number;
  readonly pendingBytes: number;
  readonly droppedBytes: number;
}

export class SerialPassThroughDriver extends DriverEmitter implements HookableDriver {
  readonly kind = 'serial';
  readonly hookable = true;
  private lineHook: PrinterLineHook | null = null;
  /** The hook's tap on the current (link, session) pair. */
  private tap: { readonly tap: LineTap; readonly link: PrinterLink; readonly session: string } | null = null;
  readonly uri: string;
  readonly name: string;
  private readonly listenDevice: SerialDevice;
  private readonly up: Pump;
  private readonly down: Pump;
  private listenPort: SerialPort | null = null;
  private session: Session | null = null;
  private readonly sessions = new Map<string, Session>();
  private link: PrinterLink | null = null;
  private abortCtl = new AbortController();
  private loops: Promise<void>[] = [];
  private running = false;
  // What the pumps are wired to now.
  private wired = { upSource: null as Duplex | null, upSession: '', upSink: null as Duplex | null, downSource: null as Duplex | null, downSession: '', downSink: null as Duplex | null };

  constructor(private readonly opts: SerialPassThroughOptions) {
    super();
    const listen = typeof opts.listen === 'string' ? parseDeviceUriOf(opts.listen, 'serial') : opts.listen;
    this.uri = listen.uri;
    this.name = opts.name ?? this.uri;
    this.listenDevice = new SerialDevice(listen, {
      ...(opts.binding ? { binding: opts.binding } : {}),
      highWaterMark: opts.highWaterMark ?? SERIAL_HIGH_WATER_MARK,
      onWarn: (m) => this.warn(m),
    });
    opts.printer.setWarn?.((m) => this.warn(m));
    const maxHold = opts.maxHoldBytes ?? DEFAULT_MAX_HOLD;
    this.up = new Pump({
      dir: 'to-printer',
      maxHold,
      label: `${this.uri} → ${opts.printer.uri}`,
      onChunk: (b, t, s) => this.emitChunk('to-printer', b, t, s),
      onWarn: (m) => this.warn(m),
      onSessionSettled: (s) => this.maybeEndSession(s),
      gate: () => this.gate,
    });
    this.down = new Pump({
      dir: 'from-printer',
      maxHold: 64 * 1024,
      label: `${opts.printer.uri} → ${this.uri}`,
      onChunk: (b, t, s) => this.emitChunk('from-printer', b, t, s),
      onWarn: (m) => this.warn(m),
      onSessionSettled: (s) => this.maybeEndSession(s),
    });
  }

  stats(): SerialStats {
    return {
      session: this.session?.session ?? null,
      listenOpen: this.listenPort !== null,
      printerConnected: this.link !== null,
      toPrinterBytes: this.up.written,
      fromPrinterBytes: this.down.written,
      pendingBytes: this.up.pendingBytes,
      droppedBytes: this.up.dropped,
    };
  }

  setLineHook(hook: PrinterLineHook | null): void {
    this.lineHook = hook;
    this.retap();
  }

  probe(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** Opens both sides (first attempts awaited; failures are warned and retried in the background). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abortCtl = new AbortController();
    const listenReady = deferred();
    const printerReady = deferred();
    this.loops = [this.listenLoop(listenReady.resolve), this.printerLoop(printerReady.resolve)];
    await Promise.all([listenReady.promise, printerReady.promise]);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abortCtl.abort();
    const closing: Promise<void>[] = [];
    if (this.listenPort) closing.push(closeSerialPort(this.listenPort));
    if (this.link) closing.push(this.link.close());
    await Promise.all(closing);
    await Promise.all(this.loops);
    const held = this.up.discard() + this.down.discard();
    if (held > 0) this.warn(`${this.uri}: stopping with ${held} bytes not passed on`);
    for (const s of [...this.sessions.values()]) this.endSession(s);
  }

  // ---- listen side -----------------------------------------------------------------------

  private async listenLoop(ready: () => void): Promise<void> {
    const backoff = new Backoff(this.opts.backoff);
    const signal = this.abortCtl.signal;
    while (!signal.aborted) {
      const port = await this.listenDevice.openRetrying(backoff, signal, 'listen port', (m) => this.warn(`${this.uri}: ${m}`), ready);
      if (!port) return;
      const closed = waitClosed(port, () => closeSerialPort(port), (m) => this.warn(`${this.uri}: ${m}`));
      this.listenPort = port;
      const session: Session = { session: randomUUID(), peer: this.listenDevice.path, t: Date.now(), closing: false };
      this.session = session;
      this.sessions.set(session.session, session);
      this.emitConnect({ session: session.session, peer: session.peer, t: session.t });
      this.rewire();
      ready();
      await closed;
      await closeSerialPort(port);
      this.listenPort = null;
      this.session = null;
      this.rewire();
      // Replies for a POS that is gone are not kept for the next one.
      this.down.discard();
      session.closing = true;
      this.maybeEndSession(session.session);
      if (!signal.aborted) this.warn(`${this.uri}: the listen port closed; reopening`);
    }
  }

  // ---- printer side ----------------------------------------------------------------------

  private async printerLoop(ready: () => void): Promise<void> {
    const endpoint = this.opts.printer;
    const backoff = new Backoff(this.opts.backoff);
    const signal = this.abortCtl.signal;
    while (!signal.aborted) {
      let link: PrinterLink;
      try {
        link = await endpoint.open(signal);
      } catch (err) {
        ready();
        if (signal.aborted) return;
        this.lineHook?.unreachable(message(err), Date.now());
        const delay = backoff.next();
        if (worthReporting(backoff.attempts)) {
          this.warn(
            `${this.uri}: printer ${endpoint.uri} unreachable (${message(err)}); attempt ${backoff.attempts}, ` +
              `holding ${this.up.pendingBytes} bytes, retrying in ${delay} ms`,
          );
        }
        await sleep(delay, signal);
        continue;
      }
      if (signal.aborted) {
        await link.close();
        return;
      }
      if (backoff.attempts > 0) this.warn(`${this.uri}: printer ${endpoint.uri} is back (${link.description}); passing on ${this.up.pendingBytes} held bytes`);
      backoff.reset();
      const closed = waitClosed(link.stream, () => link.close(), (m) => this.warn(`${endpoint.uri}: ${m}`));
      this.link = link;
      this.rewire();
      ready();
      await closed;
      await link.close();
      this.link = null;
      this.rewire();
      if (this.up.lost > 0) {
        this.warn(`${endpoint.uri}: ${this.up.lost} bytes in flight to the printer when it went away were lost`);
        this.up.lost = 0;
      }
      if (!signal.aborted) this.warn(`${endpoint.uri}: the printer link closed; reopening`);
    }
  }

  /** Puts the hook on the link while both sides are open (a new tap per link and session). */
  private retap(): void {
    const link = this.link;
    const sid = this.session?.session ?? null;
    const cur = this.tap;
    const want = this.lineHook && link && sid && this.listenPort ? { link, session: sid } : null;
    if (cur && (!want || cur.link !== want.link || cur.session !== want.session)) {
      this.tap = null;
      this.up.setTap(null);
      this.down.setTap(null);
      try {
        cur.tap.close();
      } catch (err) {
        this.warn(`${this.uri}: health hook: ${message(err)}`);
      }
    }
    if (!want || this.tap || !this.lineHook) return;
    const up = this.up;
    const line: PrinterLine = {
      inject: (b) => up.inject(b),
      get pendingBytes() {
        return up.pendingBytes;
      },
    };
    try {
      const tap = this.lineHook.attach(line, want.session);
      this.tap = { tap, ...want };
      this.up.setTap({ beforeWrite: (b, t) => tap.toPrinter(b, t) });
      this.down.setTap({ filter: (b, t) => tap.fromPrinter(b, t) });
    } catch (err) {
      this.warn(`${this.uri}: health hook failed (${message(err)}); relaying goes on without it`);
    }
  }

  /** Connects the pumps to whatever is open now. */
  private rewire(): void {
    this.retap();
    const pos = this.listenPort;
    const printer = this.link?.stream ?? null;
    const sid = this.session?.session ?? '';
    const w = this.wired;
    if (w.upSink !== printer) {
      if (printer) this.up.setSink(printer);
      else this.up.clearSink();
      w.upSink = printer;
    }
    if (w.upSource !== pos || w.upSession !== sid) {
      if (pos) this.up.setSource(pos, sid);
      else this.up.clearSource();
      w.upSource = pos;
      w.upSession = sid;
    }
    if (w.downSink !== pos) {
      if (pos) this.down.setSink(pos);
      else this.down.clearSink();
      w.downSink = pos;
    }
    // Replies are read only while a session can take them (otherwise they wait in the OS).
    const downSource = pos ? printer : null;
    if (w.downSource !== downSource || w.downSession !== sid) {
      if (downSource) this.down.setSource(downSource, sid);
      else this.down.clearSource();
      w.downSource = downSource;
      w.downSession = sid;
    }
  }

  private maybeEndSession(id: string): void {
    const s = this.sessions.get(id);
    if (!s || !s.closing) return;
    if (this.up.pendingFor(id) > 0 || this.down.pendingFor(id) > 0) return;
    this.endSession(s);
  }

  private endSession(s: Session): void {
    if (!this.sessions.delete(s.session)) return;
    this.emitDisconnect({ session: s.session, peer: s.peer, t: Date.now() });
  }
}

/**
 * Resolves when `stream` has closed. An error or end of stream closes it (with `close`); errors
 * are reported through `onWarn`.
 */
export function waitClosed(stream: Duplex, close: () => Promise<void>, onWarn: (m: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve();
    };
    stream.once('close', finish);
    stream.on('error', (err: Error) => {
      onWarn(message(err));
      void close().then(finish);
    });
    stream.once('end', () => void close().then(finish));
  });
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
