/**
 * A receipt printer simulator for tests, `tilltap demo` and `doctor` checks: a TCP server on
 * 127.0.0.1 and/or one end of a socat pty pair (a virtual COM port). It records every byte it
 * receives and answers `DLE EOT`, ASB (`GS a`), `GS I` and `GS r` as a printer in a state that can
 * be changed at any time:
 *
 *   healthy, paper_near_end, paper_out, cover_open, cutter_error, offline, unrecoverable,
 *   overheat (auto-recoverable error), silent (answers nothing), slow (answers as healthy, but its buffer fills: past `bufferBytes`
 *   it sends XOFF 0x13 — and stops reading a TCP connection — drains at `drainBytesPerSecond`,
 *   and sends XON 0x11 once down to `resumeBelowBytes`).
 *
 * A state change (and a drawer opened or closed, `setDrawerHigh`) is reported at once in an ASB
 * frame to every peer that enabled ASB.
 */
import net from 'node:net';
import type { SerialPort } from 'serialport';
import { closeSerialPort, openSerialPort } from '../serial-port.js';
import { parseDeviceUriOf } from '../uri.js';
import { openPtyPair, type PtyPair } from './pty.js';
import { type AnsweredQuery, type PrinterIdentity, type PrinterState, StatusResponder } from './replies.js';

export type { PrinterState, PrinterIdentity, AnsweredQuery } from './replies.js';
export { PRINTER_STATES } from './replies.js';
export { hasSocat, openPtyPair, type PtyPair } from './pty.js';

export interface SlowOptions {
  /** XOFF when more than this many bytes wait in the printer's buffer. Default 4096. */
  readonly bufferBytes?: number;
  /** How fast the buffer empties (bytes/s). Default 65 536. */
  readonly drainBytesPerSecond?: number;
  /** XON when the buffer is down to this. Default bufferBytes / 2. */
  readonly resumeBelowBytes?: number;
}

export interface SimulatorOptions {
  /** Listen on 127.0.0.1 (port 0: any free port). */
  readonly tcp?: { readonly port?: number };
  /** Make a socat pty pair and own one end; the agent opens `ptyPath`. */
  readonly pty?: boolean;
  readonly state?: PrinterState;
  readonly identity?: Partial<PrinterIdentity>;
  readonly slow?: SlowOptions;
  /** Drawer kick-out pin 3 HIGH in replies. Default true (DLE EOT 1 → 0x16). */
  readonly drawerHigh?: boolean;
}

export interface Simulator {
  /** The TCP port on 127.0.0.1, or null without `tcp`. */
  readonly tcpPort: number | null;
  /** The pty end the agent should open (`serial:<ptyPath>`), or null without `pty`. */
  readonly ptyPath: string | null;
  readonly state: PrinterState;
  setState(state: PrinterState): void;
  /** The drawer kick-out connector's pin 3 level (the drawer switch). */
  setDrawerHigh(high: boolean): void;
  /** Every byte received so far, from every peer, in arrival order. */
  received(): Buffer;
  /** How many bytes were received so far (cheap: for benchmarks polling progress). */
  readonly receivedBytes: number;
  /** Every byte sent so far (replies, ASB frames, XON/XOFF). */
  sent(): Buffer;
  /** The queries answered (or, when silent, ignored) so far. */
  queries(): AnsweredQuery[];
  /** Forget what was received, sent and asked (and the XOFF count and peak). */
  clear(): void;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** XOFF bytes sent so far. */
  readonly xoffCount: number;
  /** The most bytes the slow printer's buffer ever held (how well the host obeyed XOFF). */
  readonly peakBuffered: number;
  stop(): Promise<void>;
}

interface Peer {
  readonly responder: StatusResponder;
  write(bytes: Buffer): void;
  pause(): void;
  resume(): void;
}

const XON = Buffer.of(0x11);
const XOFF = Buffer.of(0x13);

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new PrinterSimulator(opts);
  try {
    await sim.start();
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return sim;
}

class PrinterSimulator implements Simulator {
  private currentState: PrinterState;
  private drawerHigh: boolean;
  private rx: Buffer[] = [];
  private tx: Buffer[] = [];
  private asked: AnsweredQuery[] = [];
  private readonly peers = new Set<Peer>();
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  private pair: PtyPair | null = null;
  private port: SerialPort | null = null;
  private tcpPortValue: number | null = null;
  private connectionCount = 0;
  private rxBytes = 0;
  private xoffs = 0;
  // slow mode
  private buffered = 0;
  private peak = 0;
  private xoff = false;
  private drainTimer: NodeJS.Timeout | null = null;
  private lastDrain = 0;
  private readonly high: number;
  private readonly low: number;
  private readonly rate: number;

  constructor(private readonly opts: SimulatorOptions) {
    this.currentState = opts.state ?? 'healthy';
    this.drawerHigh = opts.drawerHigh ?? true;
    this.high = Math.max(1, opts.slow?.bufferBytes ?? 4096);
    this.low = Math.min(this.high, Math.max(0, opts.slow?.resumeBelowBytes ?? Math.floor(this.high / 2)));
    this.rate = Math.max(1, opts.slow?.drainBytesPerSecond ?? 65_536);
  }

  get tcpPort(): number | null {
    return this.tcpPortValue;
  }

  get ptyPath(): string | null {
    return this.pair?.a ?? null;
  }

  get state(): PrinterState {
    return this.currentState;
  }

  get receivedBytes(): number {
    return this.rxBytes;
  }

  get connections(): number {
    return this.connectionCount;
  }

  get xoffCount(): number {
    return this.xoffs;
  }

  get peakBuffered(): number {
    return Math.round(this.peak);
  }

  async start(): Promise<void> {
    if (this.opts.tcp) await this.startTcp(this.opts.tcp.port ?? 0);
    if (this.opts.pty) await this.startPty();
  }

  setState(state: PrinterState): void {
    const was = this.currentState;
    this.currentState = state;
    if (was === 'slow' && state !== 'slow') {
      this.buffered = 0;
      if (this.xoff) this.sendXon();
    }
    this.announce();
  }

  setDrawerHigh(high: boolean): void {
    if (high === this.drawerHigh) return;
    this.drawerHigh = high;
    this.announce();
  }

  /** ASB: a printer tells every host that asked for it what changed. */
  private announce(): void {
    for (const p of this.peers) {
      const frame = p.responder.stateChanged();
      if (frame) this.send(p, frame);
    }
  }

  received(): Buffer {
    if (this.rx.length > 1) this.rx = [Buffer.concat(this.rx)];
    return this.rx[0] ?? Buffer.alloc(0);
  }

  sent(): Buffer {
    return Buffer.concat(this.tx);
  }

  queries(): AnsweredQuery[] {
    return [...this.asked];
  }

  clear(): void {
    this.rx = [];
    this.rxBytes = 0;
    this.tx = [];
    this.asked = [];
    this.peak = this.buffered;
    this.xoffs = 0;
  }

  async stop(): Promise<void> {
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    for (const s of this.sockets) s.destroy();
    await closed;
    if (this.port) await closeSerialPort(this.port);
    this.port = null;
    if (this.pair) await this.pair.stop();
    this.pair = null;
    this.peers.clear();
  }

  private responder(): StatusResponder {
    return new StatusResponder({
      state: () => this.currentState,
      ...(this.opts.identity ? { identity: this.opts.identity } : {}),
      drawerHigh: () => this.drawerHigh,
      onQuery: (q) => this.asked.push(q),
    });
  }

  private startTcp(port: number): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      this.connectionCount++;
      this.sockets.add(socket);
      const peer: Peer = {
        responder: this.responder(),
        write: (b) => {
          if (socket.writable) socket.write(b);
        },
        pause: () => socket.pause(),
        resume: () => socket.resume(),
      };
      this.peers.add(peer);
      socket.on('data', (buf: Buffer) => this.onData(peer, buf));
      socket.on('end', () => {
        if (socket.writable) socket.end();
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        this.peers.delete(peer);
        this.sockets.delete(socket);
      });
      if (this.xoff) socket.pause();
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => {
        server.off('error', reject);
        const addr = server.address();
        this.tcpPortValue = typeof addr === 'object' && addr ? addr.port : port;
        resolve();
      });
    });
  }

  private async startPty(): Promise<void> {
    this.pair = await openPtyPair();
    const uri = parseDeviceUriOf(`serial:${this.pair.b}?baud=115200`, 'serial');
    const port = await openSerialPort(this.pair.b, uri, { flowControl: false, highWaterMark: 64 * 1024 });
    this.port = port;
    const peer: Peer = {
      responder: this.responder(),
      write: (b) => {
        if (port.isOpen) port.write(b);
      },
      // The pty end is not paused: a slow printer on a serial line says XOFF and relies on the
      // host to stop sending.
      pause: () => {},
      resume: () => {},
    };
    this.peers.add(peer);
    port.on('data', (buf: Buffer) => this.onData(peer, buf));
    port.on('error', () => {});
  }

  private send(peer: Peer, bytes: Buffer): void {
    this.tx.push(bytes);
    peer.write(bytes);
  }

  private onData(peer: Peer, buf: Buffer): void {
    this.rx.push(buf);
    this.rxBytes += buf.length;
    const reply = peer.responder.push(buf);
    if (reply.length > 0) this.send(peer, reply);
    if (this.currentState === 'slow') this.fill(buf.length);
  }

  private fill(n: number): void {
    this.drain();
    this.buffered += n;
    if (this.buffered > this.peak) this.peak = this.buffered;
    if (!this.xoff && this.buffered > this.high) {
      this.xoff = true;
      this.xoffs++;
      for (const p of this.peers) {
        this.send(p, XOFF);
        p.pause();
      }
    }
    if (!this.drainTimer) {
      this.lastDrain = Date.now();
      this.drainTimer = setInterval(() => this.drain(), 10);
    }
  }

  private drain(): void {
    const now = Date.now();
    if (this.drainTimer) {
      this.buffered = Math.max(0, this.buffered - ((now - this.lastDrain) * this.rate) / 1000);
    }
    this.lastDrain = now;
    if (this.xoff && this.buffered <= this.low) this.sendXon();
    if (this.buffered === 0 && !this.xoff && this.drainTimer) {
      clearInterval(this.drainTimer);
      this.drainTimer = null;
    }
  }

  private sendXon(): void {
    this.xoff = false;
    for (const p of this.peers) {
      this.send(p, XON);
      p.resume();
    }
  }
}
