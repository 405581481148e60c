/**
 * Passive serial tap: read-only capture of a Y-cable. The POS → printer line (TXD of the POS)
 * goes to one port (`listen`), and, with a second port (`replies`), the printer → POS line
 * (TXD of the printer). With one port only the POS's side is captured.
 *
 * It never writes: no data, and all flow control off, so the OS never sends XOFF or drives RTS
 * on a line the tap only listens to. One session per open of the `listen` port; replies read while
 * it is closed have no session and are dropped (with a warn). Ports that go away are reopened
 * with exponential backoff (by hardware identity when renamed).
 */
import { randomUUID } from 'node:crypto';
import type { SerialPort } from 'serialport';
import { Backoff, type BackoffOptions } from './backoff.js';
import { DriverEmitter } from './emitter.js';
import { closeSerialPort, type SerialBinding, SerialDevice, SERIAL_HIGH_WATER_MARK } from './serial-port.js';
import { waitClosed } from './serial.js';
import type { CaptureDriver, Direction, SessionInfo } from './types.js';
import { parseDeviceUriOf, type SerialUri } from './uri.js';

export interface SerialTapOptions {
  /** The port on the POS → printer line. */
  readonly listen: string | SerialUri;
  /** The port on the printer → POS line, if the cable has one. */
  readonly replies?: string | SerialUri | null;
  readonly name?: string;
  /** serialport binding (tests: MockBinding). */
  readonly binding?: SerialBinding;
  readonly highWaterMark?: number;
  readonly backoff?: BackoffOptions;
}

export class SerialTapDriver extends DriverEmitter implements CaptureDriver {
  readonly kind = 'serial-tap';
  readonly uri: string;
  readonly name: string;
  private readonly main: SerialDevice;
  private readonly replies: SerialDevice | null;
  private session: SessionInfo | null = null;
  private readonly open = new Set<SerialPort>();
  private abortCtl = new AbortController();
  private loops: Promise<void>[] = [];
  private running = false;
  private droppedReplies = 0;

  constructor(private readonly opts: SerialTapOptions) {
    super();
    const listen = typeof opts.listen === 'string' ? parseDeviceUriOf(opts.listen, 'serial') : opts.listen;
    this.uri = listen.uri;
    this.name = opts.name ?? this.uri;
    const devOpts = {
      ...(opts.binding ? { binding: opts.binding } : {}),
      highWaterMark: opts.highWaterMark ?? SERIAL_HIGH_WATER_MARK,
      flowControl: false,
      onWarn: (m: string) => this.warn(m),
    };
    this.main = new SerialDevice(listen, devOpts);
    const replies = opts.replies ? (typeof opts.replies === 'string' ? parseDeviceUriOf(opts.replies, 'serial') : opts.replies) : null;
    this.replies = replies ? new SerialDevice(replies, devOpts) : null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abortCtl = new AbortController();
    const readies: Promise<void>[] = [];
    const loop = (dev: SerialDevice, dir: Direction): Promise<void> => {
      let ready!: () => void;
      readies.push(new Promise<void>((r) => (ready = r)));
      return this.loop(dev, dir, ready);
    };
    this.loops = [loop(this.main, 'to-printer')];
    if (this.replies) this.loops.push(loop(this.replies, 'from-printer'));
    await Promise.all(readies);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abortCtl.abort();
    await Promise.all([...this.open].map((p) => closeSerialPort(p)));
    await Promise.all(this.loops);
    this.endSession();
  }

  private async loop(dev: SerialDevice, dir: Direction, ready: () => void): Promise<void> {
    const backoff = new Backoff(this.opts.backoff);
    const signal = this.abortCtl.signal;
    while (!signal.aborted) {
      const port = await dev.openRetrying(backoff, signal, 'tap port', (m) => this.warn(`${dev.uri.path}: ${m}`), ready);
      if (!port) return;
      this.open.add(port);
      const closed = waitClosed(port, () => closeSerialPort(port), (m) => this.warn(`${dev.path}: ${m}`));
      if (dir === 'to-printer') {
        this.session = { session: randomUUID(), peer: dev.path, t: Date.now() };
        this.emitConnect(this.session);
      }
      port.on('data', (buf: Buffer) => this.onData(dir, buf));
      ready();
      await closed;
      await closeSerialPort(port);
      this.open.delete(port);
      if (dir === 'to-printer') this.endSession();
      if (!signal.aborted) this.warn(`${dev.path}: the tap port closed; reopening`);
    }
  }

  private onData(dir: Direction, buf: Buffer): void {
    const t = Date.now();
    const s = this.session;
    if (!s) {
      if (this.droppedReplies === 0) this.warn(`${this.uri}: printer replies read while the POS line is closed have no session; dropping them`);
      this.droppedReplies += buf.length;
      return;
    }
    this.emitChunk(dir, buf, t, s.session);
  }

  private endSession(): void {
    const s = this.session;
    if (!s) return;
    this.session = null;
    this.droppedReplies = 0;
    this.emitDisconnect({ session: s.session, peer: s.peer, t: Date.now() });
  }
}
