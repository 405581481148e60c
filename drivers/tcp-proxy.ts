/**
 * TCP 9100 proxy: the POS prints to the agent's port; for each POS connection (one session) the
 * agent opens a link to the real printer (a network printer, or a serial / USB printer endpoint)
 * and relays both ways, byte-exact and in order, with backpressure.
 *
 * - Each piece is reported as a chunk once it was written on: `to-printer` for POS → printer,
 *   `from-printer` for replies.
 * - Half-open: when the POS ends its side, the printer side is ended once everything was written,
 *   and replies keep flowing until the printer closes (and the other way round). A device link
 *   (serial, usblp) has no end of stream: it is closed `lingerMs` after the POS finished.
 * - Printer unreachable: warn, retry with exponential backoff, hold the POS's bytes meanwhile (up
 *   to `maxHoldBytes`, then the oldest are dropped with a warn). Nothing is thrown.
 * - An error on one side closes the pair with a warn; what the POS had sent is still delivered
 *   when the POS side is the one that failed.
 * - No printer: a virtual printer that answers status queries as a healthy printer would
 *   (drivers/simulator/replies.ts), found with the tokenizer so a `DLE EOT` inside image data is
 *   not answered.
 * - Line hook (a health monitor, `setLineHook`): sees each session's POS bytes as they are handed
 *   to the printer, filters the printer's replies (its own polls' answers never reach the POS), may
 *   inject polls on an idle link, and is asked to `finish()` before the printer side is ended.
 *   Between sessions `probe()` opens a short link of its own; a POS that connects meanwhile cuts
 *   the probe short and then connects as usual.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Backoff, type BackoffOptions, sleep, worthReporting } from './backoff.js';
import { DriverEmitter, message } from './emitter.js';
import type { PrinterEndpoint, PrinterLink } from './endpoint.js';
import { DEFAULT_MAX_HOLD, Pump } from './pump.js';
import { type PrinterIdentity, StatusResponder } from './simulator/replies.js';
import type { Direction, HookableDriver, LineTap, PrinterLine, PrinterLineHook, RelayGate, SessionInfo } from './types.js';
import { parseDeviceUriOf, type TcpUri } from './uri.js';

export interface TcpProxyOptions {
  /** Where the POS prints to: `tcp://HOST:PORT` (port 0: any free port, see `port`). */
  readonly listen: string | TcpUri;
  /** The real printer; null or absent: the virtual printer. */
  readonly printer?: PrinterEndpoint | null;
  /** The capture's name (for messages). */
  readonly name?: string;
  readonly backoff?: BackoffOptions;
  /** POS bytes held per session while the printer is unreachable. Default 8 MiB. */
  readonly maxHoldBytes?: number;
  /**
   * Once one side has ended and the other has not closed, give up after this long without
   * traffic (ms). Default 30 000.
   */
  readonly halfCloseTimeoutMs?: number;
  /** Device links (serial, usblp): wait this long for replies after the POS finished (ms). Default 500. */
  readonly lingerMs?: number;
  /** What the virtual printer says to `GS I`. */
  readonly identity?: Partial<PrinterIdentity>;
}

/** A live session, for `status` and tests. */
export interface TcpSessionStats {
  readonly session: string;
  readonly peer: string;
  readonly printerConnected: boolean;
  readonly toPrinterBytes: number;
  readonly fromPrinterBytes: number;
  /** POS bytes accepted and not yet written on to the printer (held or in flight). */
  readonly pendingBytes: number;
  readonly droppedBytes: number;
}

interface SessionHost {
  readonly name: string;
  readonly endpoint: PrinterEndpoint | null;
  readonly opts: TcpProxyOptions;
  readonly gate: RelayGate | null;
  chunk(dir: Direction, bytes: Buffer, t: number, session: string): void;
  warn(msg: string): void;
  connect(info: SessionInfo): void;
  disconnect(info: SessionInfo): void;
  hook(): PrinterLineHook | null;
  /** Resolves when no probe holds the printer (a probe in progress is cut short). */
  beforeConnect(): Promise<void>;
}

export class TcpProxyDriver extends DriverEmitter implements HookableDriver {
  readonly kind = 'tcp';
  readonly uri: string;
  readonly name: string;
  private readonly listenUri: TcpUri;
  private readonly endpoint: PrinterEndpoint | null;
  private server: net.Server | null = null;
  private readonly live = new Set<ProxySession>();
  private boundPort = 0;
  private stopping = false;
  private lineHook: PrinterLineHook | null = null;
  private probing: { readonly ctl: AbortController; readonly done: Promise<void> } | null = null;

  constructor(private readonly opts: TcpProxyOptions) {
    super();
    this.listenUri = typeof opts.listen === 'string' ? parseDeviceUriOf(opts.listen, 'tcp') : opts.listen;
    this.uri = this.listenUri.uri;
    this.name = opts.name ?? this.uri;
    this.endpoint = opts.printer ?? null;
    this.endpoint?.setWarn?.((m) => this.warn(m));
  }

  /** The port it listens on (after `start()`; the real one when the URI said 0). */
  get port(): number {
    return this.boundPort;
  }

  /** True when there is no printer behind it. */
  get virtual(): boolean {
    return this.endpoint === null;
  }

  get hookable(): boolean {
    return this.endpoint !== null;
  }

  /** Sessions started from now on have the hook on their printer link. */
  setLineHook(hook: PrinterLineHook | null): void {
    this.lineHook = this.endpoint ? hook : null;
  }

  async probe(): Promise<boolean> {
    const hook = this.lineHook;
    const endpoint = this.endpoint;
    if (!hook || !endpoint || this.stopping || !this.server || this.live.size > 0 || this.probing) return false;
    const ctl = new AbortController();
    let release!: () => void;
    this.probing = { ctl, done: new Promise<void>((r) => (release = r)) };
    try {
      let link: PrinterLink;
      try {
        link = await endpoint.open(ctl.signal);
      } catch (err) {
        if (!ctl.signal.aborted) hook.unreachable(message(err), Date.now());
        return false;
      }
      if (ctl.signal.aborted) {
        await link.close();
        return false;
      }
      const s = link.stream;
      const line: PrinterLine = {
        inject: (b) => {
          if (s.writableEnded || s.destroyed || ctl.signal.aborted) return false;
          s.write(b);
          return true;
        },
        pendingBytes: 0,
      };
      let tap: LineTap | null = null;
      const onData = (b: Buffer): void => {
        try {
          tap?.fromPrinter(b, Date.now());
        } catch (err) {
          this.warn(`${this.name}: health probe failed: ${message(err)}`);
        }
      };
      s.on('data', onData);
      s.on('error', () => {});
      try {
        tap = hook.attach(line, null);
        const aborted = new Promise<void>((r) => ctl.signal.addEventListener('abort', () => r(), { once: true }));
        const closed = new Promise<void>((r) => s.once('close', () => r()));
        await Promise.race([tap.finish(), aborted, closed]);
      } catch (err) {
        this.warn(`${this.name}: health probe failed: ${message(err)}`);
      } finally {
        s.off('data', onData);
        tap?.close();
        await link.close();
      }
      return !ctl.signal.aborted;
    } finally {
      this.probing = null;
      release();
    }
  }

  sessions(): TcpSessionStats[] {
    return [...this.live].map((s) => s.stats());
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.stopping = false;
    const server = net.createServer({ allowHalfOpen: true, noDelay: true });
    const driver = this;
    const host: SessionHost = {
      get gate() {
        return driver.gate;
      },
      name: this.name,
      endpoint: this.endpoint,
      opts: this.opts,
      chunk: (dir, bytes, t, session) => this.emitChunk(dir, bytes, t, session),
      warn: (m) => this.warn(m),
      connect: (i) => this.emitConnect(i),
      disconnect: (i) => this.emitDisconnect(i),
      hook: () => this.lineHook,
      beforeConnect: async () => {
        const p = this.probing;
        if (!p) return;
        p.ctl.abort();
        await p.done;
      },
    };
    server.on('connection', (socket) => {
      if (this.stopping) {
        socket.destroy();
        return;
      }
      const s = new ProxySession(socket, host);
      this.live.add(s);
      void s.done.then(() => this.live.delete(s));
      s.start();
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`cannot listen on ${this.uri}: ${message(err)}`));
      server.once('error', onError);
      server.listen({ host: this.listenUri.host, port: this.listenUri.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.warn(`${this.uri}: ${message(err)}`));
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.listenUri.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.probing?.ctl.abort();
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    const sessions = [...this.live];
    for (const s of sessions) s.abort('the capture is stopping');
    await Promise.all([closed, ...sessions.map((s) => s.done)]);
  }
}

/** One POS connection and its printer link. */
class ProxySession {
  readonly id = randomUUID();
  readonly peer: string;
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private readonly up: Pump;
  private readonly down: Pump;
  private readonly abortCtl = new AbortController();
  private readonly startedAt = Date.now();
  private link: PrinterLink | null = null;
  private connecting = false;
  private posEnded = false;
  private posClosed = false;
  private posGone = false;
  private linkClosed = false;
  private upFinished = false;
  private finished = false;
  private aborted = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private readonly label: string;
  private tap: LineTap | null = null;
  private tapFinished = false;

  constructor(
    private readonly pos: net.Socket,
    private readonly host: SessionHost,
  ) {
    this.peer = `${pos.remoteAddress ?? '?'}:${pos.remotePort ?? '?'}`;
    this.label = `session ${this.id.slice(0, 8)} (${this.peer})`;
    this.done = new Promise((r) => (this.resolveDone = r));
    const maxHold = host.opts.maxHoldBytes ?? DEFAULT_MAX_HOLD;
    this.up = new Pump({
      dir: 'to-printer',
      maxHold,
      label: `${this.label}: POS → printer`,
      onChunk: (b, t, s) => this.chunk('to-printer', b, t, s),
      onWarn: (m) => host.warn(m),
      onDrained: () => this.upDrained(),
      gate: () => host.gate,
    });
    this.down = new Pump({
      dir: 'from-printer',
      maxHold: 64 * 1024,
      label: `${this.label}: printer → POS`,
      onChunk: (b, t, s) => this.chunk('from-printer', b, t, s),
      onWarn: (m) => host.warn(m),
      onDrained: () => this.endPos(),
    });
  }

  stats(): TcpSessionStats {
    return {
      session: this.id,
      peer: this.peer,
      printerConnected: this.link !== null && !this.linkClosed,
      toPrinterBytes: this.up.written,
      fromPrinterBytes: this.down.written,
      pendingBytes: this.up.pendingBytes,
      droppedBytes: this.up.dropped,
    };
  }

  start(): void {
    const pos = this.pos;
    pos.setNoDelay(true);
    pos.on('end', () => this.onPosEnd());
    pos.on('error', (err) => this.onPosError(err));
    pos.on('close', () => this.onPosClose());
    this.host.connect({ session: this.id, peer: this.peer, t: this.startedAt });
    if (this.host.endpoint === null) {
      this.startVirtual();
      return;
    }
    this.up.setSource(pos, this.id);
    this.down.setSink(pos);
    void this.connectLoop(this.host.endpoint);
  }

  /** Stop now: close both sides (stop() or a fatal error). */
  abort(reason: string): void {
    if (this.finished || this.aborted) return;
    this.aborted = true;
    const held = this.up.pendingBytes;
    if (held > 0) this.host.warn(`${this.label}: ${reason}; ${held} bytes from the POS were not passed on to the printer`);
    this.up.discard();
    this.abortCtl.abort();
    this.pos.destroy();
    void this.link?.close();
    this.checkDone();
  }

  private chunk(dir: Direction, bytes: Buffer, t: number, session: string): void {
    this.idleTimer?.refresh();
    this.host.chunk(dir, bytes, t, session);
  }

  // ---- virtual printer -------------------------------------------------------------------

  private startVirtual(): void {
    const responder = new StatusResponder({ ...(this.host.opts.identity ? { identity: this.host.opts.identity } : {}) });
    this.pos.on('data', (buf: Buffer) => {
      const t = Date.now();
      this.chunk('to-printer', buf, t, this.id);
      const reply = responder.push(buf);
      if (reply.length > 0 && this.pos.writable) {
        this.pos.write(reply, (err) => {
          if (!err) this.chunk('from-printer', reply, Date.now(), this.id);
        });
      }
    });
  }

  // ---- printer link ----------------------------------------------------------------------

  private async connectLoop(endpoint: PrinterEndpoint): Promise<void> {
    const backoff = new Backoff(this.host.opts.backoff);
    const signal = this.abortCtl.signal;
    this.connecting = true;
    try {
      await this.host.beforeConnect();
      while (!signal.aborted) {
        let link: PrinterLink;
        try {
          link = await endpoint.open(signal);
        } catch (err) {
          if (signal.aborted) return;
          this.hookCall((h) => h.unreachable(message(err), Date.now()));
          const delay = backoff.next();
          if (worthReporting(backoff.attempts)) {
            this.host.warn(
              `${this.label}: printer ${endpoint.uri} unreachable (${message(err)}); attempt ${backoff.attempts}, ` +
                `holding ${this.up.pendingBytes} bytes, retrying in ${delay} ms`,
            );
          }
          await sleep(delay, signal);
          continue;
        }
        if (signal.aborted) {
          void link.close();
          return;
        }
        if (backoff.attempts > 0) {
          this.host.warn(`${this.label}: printer ${endpoint.uri} reached after ${backoff.attempts} failed attempts; passing on ${this.up.pendingBytes} held bytes`);
        }
        this.attach(link);
        return;
      }
    } finally {
      this.connecting = false;
      this.checkDone();
    }
  }

  private attach(link: PrinterLink): void {
    this.link = link;
    const s = link.stream;
    this.hookCall((hook) => {
      const up = this.up;
      const line: PrinterLine = {
        inject: (b) => up.inject(b),
        get pendingBytes() {
          return up.pendingBytes;
        },
      };
      const tap = hook.attach(line, this.id);
      this.tap = tap;
      this.up.setTap({ beforeWrite: (b, t) => tap.toPrinter(b, t) });
      this.down.setTap({ filter: (b, t) => tap.fromPrinter(b, t) });
    });
    s.on('error', (err) => this.onLinkError(err));
    s.on('end', () => this.down.end());
    s.on('close', () => this.onLinkClose());
    this.down.setSource(s, this.id);
    this.up.setSink(s);
  }

  /** Everything the POS sent was written on (or there was nothing): finish the printer side. */
  private upDrained(): void {
    const link = this.link;
    if (!link) {
      // The POS ended before a printer was reached and nothing is held: no printer needed.
      this.abortCtl.abort();
      this.endPos();
      this.checkDone();
      return;
    }
    if (this.upFinished || this.linkClosed) return;
    const tap = this.tap;
    if (tap && !this.tapFinished) {
      // The hook may ask the printer one last thing (how the job went) before the link is ended.
      this.tapFinished = true;
      void tap
        .finish()
        .catch((err: unknown) => this.host.warn(`${this.label}: health hook: ${message(err)}`))
        .then(() => {
          if (!this.finished && !this.aborted) this.upDrained();
        });
      return;
    }
    this.upFinished = true;
    if (link.halfClose) {
      link.stream.end();
      this.armIdle();
    } else {
      this.lingerTimer = setTimeout(() => void link.close(), this.host.opts.lingerMs ?? 500);
    }
  }

  private onLinkError(err: Error): void {
    if (this.finished || this.aborted) return;
    this.host.warn(`${this.label}: printer link ${this.link?.description ?? ''} failed (${message(err)}); closing both sides`);
    this.abort('the printer link failed');
  }

  private onLinkClose(): void {
    this.linkClosed = true;
    this.closeTap();
    this.up.clearSink();
    this.down.clearSource();
    if (!this.upFinished && !this.posGone && !this.finished && !this.aborted) {
      // A device link closed under us (unplugged) with the POS still connected.
      this.host.warn(`${this.label}: the printer closed the link; closing the POS side`);
      this.abort('the printer closed the link');
      return;
    }
    this.down.end();
    this.checkDone();
  }

  // ---- POS side --------------------------------------------------------------------------

  private onPosEnd(): void {
    this.posEnded = true;
    if (this.host.endpoint === null) {
      // Virtual printer: nothing pending on the printer side.
      if (this.pos.writable) this.pos.end();
      return;
    }
    this.up.end();
  }

  private onPosError(err: Error): void {
    if (this.finished || this.posGone || this.aborted) return;
    this.posGone = true;
    this.host.warn(`${this.label}: POS connection failed (${message(err)}); passing on what it sent, then closing`);
    this.down.clearSink();
    this.down.discard();
    this.up.clearSource();
    this.up.end();
  }

  private onPosClose(): void {
    this.posClosed = true;
    if (!this.posEnded && !this.posGone && this.host.endpoint !== null) {
      this.posGone = true;
      this.down.clearSink();
      this.up.clearSource();
      this.up.end();
    }
    this.checkDone();
  }

  /** Replies are all passed on (the printer ended): end the POS side. */
  private endPos(): void {
    if (this.pos.destroyed) return;
    if (!this.pos.writableEnded) this.pos.end();
    this.armIdle();
  }

  /** One side has ended: if the other stays silent that long, give up. */
  private armIdle(): void {
    if (this.idleTimer || this.finished) return;
    const ms = this.host.opts.halfCloseTimeoutMs ?? 30_000;
    this.idleTimer = setTimeout(() => {
      this.host.warn(`${this.label}: half-open with no traffic for ${ms} ms; closing`);
      this.abort('half-open timeout');
    }, ms);
  }

  /** Runs `f` with the hook, if there is one; a failing hook never breaks the relay. */
  private hookCall(f: (hook: PrinterLineHook) => void): void {
    const hook = this.host.hook();
    if (!hook) return;
    try {
      f(hook);
    } catch (err) {
      this.host.warn(`${this.label}: health hook failed (${message(err)}); relaying goes on without it`);
      this.up.setTap(null);
      this.down.setTap(null);
      this.tap = null;
    }
  }

  private closeTap(): void {
    const tap = this.tap;
    if (!tap) return;
    this.tap = null;
    this.up.setTap(null);
    this.down.setTap(null);
    try {
      tap.close();
    } catch (err) {
      this.host.warn(`${this.label}: health hook: ${message(err)}`);
    }
  }

  private checkDone(): void {
    if (this.finished || !this.posClosed) return;
    if (this.link ? !this.linkClosed : this.connecting) return;
    this.finished = true;
    this.closeTap();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.abortCtl.abort();
    const lost = this.up.pendingBytes;
    if (lost > 0) this.host.warn(`${this.label}: ${lost} bytes from the POS could not be passed on`);
    this.host.disconnect({ session: this.id, peer: this.peer, t: Date.now() });
    this.resolveDone();
  }
}
