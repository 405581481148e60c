/**
 * USB printer class device (`usblp:/dev/usb/lp0`) as a printer endpoint: the device file opened
 * read/write with fs; writes go to the printer, reads are its replies (bidirectional printers).
 *
 * The device is opened non-blocking and read by polling: a blocking read on a character device
 * would hold a libuv thread-pool thread until the printer says something, and could not be
 * cancelled on stop. `EAGAIN` (nothing to read / device busy) waits `pollMs`; a read of 0 bytes
 * (a regular file standing in for the device) too. `EIO`/`ENODEV`/`ENXIO` mean the device went
 * away: the stream errors and closes, and the listener reconnects with backoff. A unidirectional
 * printer (`EINVAL` on read) is written to and never read.
 *
 * The kernel's usblp driver allows one open at a time (`EBUSY` for the next): the TCP proxy opens
 * the link per POS connection and retries while another session holds it.
 */
import fs from 'node:fs';
import { Duplex } from 'node:stream';
import type { PrinterEndpoint, PrinterLink } from './endpoint.js';
import type { UsblpUri } from './uri.js';

export interface UsblpOptions {
  /** Wait between reads when there is nothing to read (ms). Default 20. */
  pollMs?: number;
  /** Largest read (bytes). Default 4096. */
  readSize?: number;
  /** On close, wait at most this long for the last USB transfer to finish (ms). Default 10 000. */
  settleMs?: number;
}

const EMPTY = Buffer.alloc(0);
const GONE = new Set(['EIO', 'ENODEV', 'ENXIO', 'EPIPE', 'ESHUTDOWN', 'EBADF']);

/** The device file as a Duplex stream (no end of stream: it is closed with `destroy()`). */
export class UsblpStream extends Duplex {
  private readonly pollMs: number;
  private readonly readSize: number;
  private reading = false;
  private readWanted = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private writeTimer: NodeJS.Timeout | null = null;
  private writeRetryCb: ((err?: Error | null) => void) | null = null;
  private busy = 0;
  private closeWaiter: (() => void) | null = null;
  private unidirectional = false;

  constructor(
    private readonly fd: number,
    readonly path: string,
    opts: UsblpOptions = {},
  ) {
    super({ allowHalfOpen: true, highWaterMark: 16 * 1024 });
    this.pollMs = opts.pollMs ?? 20;
    this.readSize = opts.readSize ?? 4096;
  }

  /** True once a read said the printer cannot send (a unidirectional device). */
  get readsDisabled(): boolean {
    return this.unidirectional;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    let off = 0;
    const retry = (): void => {
      this.writeRetryCb = cb;
      this.writeTimer = setTimeout(() => {
        this.writeTimer = null;
        this.writeRetryCb = null;
        step();
      }, 2);
    };
    const step = (): void => {
      if (this.destroyed) return cb(new Error('device closed'));
      this.busy++;
      fs.write(this.fd, chunk, off, chunk.length - off, null, (err, n) => {
        this.busy--;
        this.maybeClose();
        if (err) {
          if (err.code === 'EAGAIN' || err.code === 'EWOULDBLOCK' || err.code === 'EINTR') return retry();
          return cb(err);
        }
        off += n;
        if (off < chunk.length) {
          if (n === 0) retry();
          else step();
          return;
        }
        cb();
      });
    };
    step();
  }

  override _read(): void {
    this.readWanted = true;
    if (!this.reading && this.pollTimer === null) this.readOnce();
  }

  private readOnce(): void {
    this.pollTimer = null;
    if (this.destroyed || this.unidirectional) return;
    this.reading = true;
    this.busy++;
    const buf = Buffer.allocUnsafe(this.readSize);
    fs.read(this.fd, buf, 0, buf.length, null, (err, n) => {
      this.busy--;
      this.reading = false;
      if (this.maybeClose() || this.destroyed) return;
      if (err) {
        const code = err.code ?? '';
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR' || code === 'ETIMEDOUT') return this.poll();
        if (code === 'EINVAL') {
          this.unidirectional = true;
          return;
        }
        if (GONE.has(code)) return void this.destroy(Object.assign(new Error(`${this.path}: device gone (${code})`), { code }));
        return void this.destroy(err);
      }
      if (n === 0) return this.poll();
      this.readWanted = this.push(Buffer.from(buf.subarray(0, n)));
      if (this.readWanted) this.readOnce();
    });
  }

  private poll(): void {
    if (this.destroyed || !this.readWanted) return;
    this.pollTimer = setTimeout(() => this.readOnce(), this.pollMs);
  }

  /**
   * Waits until the device has taken the last write. With O_NONBLOCK the kernel's usblp returns
   * from a write while its USB transfer is still in flight, and closing the device kills that
   * transfer — the end of a receipt (its cut) would be lost. A zero-length write answers EAGAIN
   * while the previous transfer is busy. Resolves true when settled, false on timeout or error.
   */
  settle(timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    return new Promise((resolve) => {
      const step = (): void => {
        if (this.destroyed) return resolve(false);
        this.busy++;
        fs.write(this.fd, EMPTY, 0, 0, null, (err) => {
          this.busy--;
          if (this.maybeClose()) return resolve(false);
          if (!err) return resolve(true);
          if ((err.code === 'EAGAIN' || err.code === 'EWOULDBLOCK' || err.code === 'EINTR') && Date.now() < until) {
            setTimeout(step, 5);
            return;
          }
          resolve(false);
        });
      };
      step();
    });
  }

  /** Closes the fd once no read or write is in flight; true if closing is pending. */
  private maybeClose(): boolean {
    if (this.closeWaiter && this.busy === 0) {
      const w = this.closeWaiter;
      this.closeWaiter = null;
      w();
    }
    return this.destroyed;
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.pollTimer = null;
    this.writeTimer = null;
    const pending = this.writeRetryCb;
    this.writeRetryCb = null;
    pending?.(new Error('device closed'));
    const close = (): void => fs.close(this.fd, () => cb(err));
    if (this.busy === 0) close();
    else this.closeWaiter = close;
  }
}

/** Opens the device file read/write, non-blocking. */
export function openUsblp(path: string, opts: UsblpOptions = {}): Promise<UsblpStream> {
  const { O_RDWR, O_NONBLOCK, O_NOCTTY } = fs.constants;
  return new Promise((resolve, reject) => {
    fs.open(path, O_RDWR | O_NONBLOCK | (O_NOCTTY ?? 0), (err, fd) => {
      if (err) return reject(err);
      resolve(new UsblpStream(fd, path, opts));
    });
  });
}

/** `usblp:/dev/usb/lp0` as the printer side of a listener. */
export class UsblpEndpoint implements PrinterEndpoint {
  readonly kind = 'usblp';
  readonly uri: string;

  constructor(
    private readonly target: UsblpUri,
    private readonly opts: UsblpOptions = {},
  ) {
    this.uri = target.uri;
  }

  async open(signal?: AbortSignal): Promise<PrinterLink> {
    if (signal?.aborted) throw new Error('aborted');
    const stream = await openUsblp(this.target.path, this.opts);
    if (signal?.aborted) {
      stream.destroy();
      throw new Error('aborted');
    }
    return {
      stream,
      halfClose: false,
      description: this.target.path,
      close: async () => {
        if (stream.closed) return;
        const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
        // Let the last transfer finish before closing kills it (see `settle`).
        if (!stream.destroyed) await stream.settle(this.opts.settleMs ?? 10_000);
        if (!stream.destroyed) stream.destroy();
        await closed;
      },
    };
  }
}
