/** Helpers for the driver tests: seeded data, a POS client, chunk collection, a spying binding. */
import net from 'node:net';
import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import { int, prng, type Rnd } from '../../scripts/lib/prng.js';
import type { SerialBinding } from '../../drivers/serial-port.js';
import type { CaptureChunk, CaptureDriver, Direction, SessionInfo } from '../../drivers/types.js';

export { prng, int };

/** `n` seeded random bytes. */
export function randomBytes(rnd: Rnd, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) {
    const v = (rnd() * 0x1_0000_0000) >>> 0;
    b[i] = v & 0xff;
    if (i + 1 < n) b[i + 1] = (v >>> 8) & 0xff;
    if (i + 2 < n) b[i + 2] = (v >>> 16) & 0xff;
    if (i + 3 < n) b[i + 3] = v >>> 24;
  }
  return b;
}

/** Cuts `data` into pieces of random sizes from 1 to `max`. */
export function randomPieces(rnd: Rnd, data: Buffer, max: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const n = 1 + int(rnd, Math.min(max, data.length - i));
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Everything a driver emitted. */
export class Recorder {
  readonly chunks: CaptureChunk[] = [];
  readonly connects: SessionInfo[] = [];
  readonly disconnects: SessionInfo[] = [];
  readonly warns: string[] = [];

  constructor(driver: CaptureDriver) {
    driver.on('chunk', (c) => this.chunks.push(c));
    driver.on('connect', (s) => this.connects.push(s));
    driver.on('disconnect', (s) => this.disconnects.push(s));
    driver.on('warn', (m) => this.warns.push(m));
  }

  bytes(dir: Direction, session?: string): Buffer {
    return Buffer.concat(this.chunks.filter((c) => c.dir === dir && (session === undefined || c.session === session)).map((c) => c.bytes));
  }

  count(dir: Direction): number {
    let n = 0;
    for (const c of this.chunks) if (c.dir === dir) n += c.bytes.length;
    return n;
  }
}

/** A POS on a TCP connection: writes with backpressure, collects what comes back. */
export class PosClient {
  readonly socket: net.Socket;
  private readonly parts: Buffer[] = [];
  received = 0;
  ended = false;
  closed = false;
  error: Error | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (b: Buffer) => {
      this.parts.push(b);
      this.received += b.length;
    });
    socket.on('end', () => (this.ended = true));
    socket.on('close', () => (this.closed = true));
    socket.on('error', (e) => (this.error = e));
  }

  static connect(port: number): Promise<PosClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new PosClient(s));
      });
      s.once('error', reject);
    });
  }

  data(): Buffer {
    return Buffer.concat(this.parts);
  }

  /** Writes the pieces in order, waiting for 'drain' when asked to. */
  async send(pieces: Iterable<Buffer>): Promise<void> {
    for (const p of pieces) {
      if (!this.socket.write(p)) await new Promise<void>((r) => this.socket.once('drain', () => r()));
    }
  }

  /** Half-closes: no more bytes from the POS. */
  end(): void {
    this.socket.end();
  }
}

/**
 * MockBinding with a record of what was done to each port, hooks to slow writes down or make a
 * port fail, and a `list()` the test controls.
 */
export class SpyBinding implements SerialBinding {
  readonly ports = new Map<string, MockPortBinding>();
  readonly writes = new Map<string, number>();
  readonly reads = new Map<string, number>();
  readonly calls: string[] = [];
  /** Paths whose reads and writes fail (a device unplugged). */
  readonly broken = new Set<string>();
  /** Paths that cannot be opened (gone). */
  readonly missing = new Set<string>();
  /** Extra delay per write (ms), by path. */
  readonly writeDelay = new Map<string, number>();
  /** Port infos for list(); default: MockBinding's own. */
  listing: Array<{ path: string; vendorId?: string; productId?: string; serialNumber?: string; manufacturer?: string }> | null = null;

  async list(): Promise<Awaited<ReturnType<typeof MockBinding.list>>> {
    if (!this.listing) return MockBinding.list();
    return this.listing.map((p) => ({
      path: p.path,
      manufacturer: p.manufacturer,
      serialNumber: p.serialNumber,
      pnpId: undefined,
      locationId: undefined,
      vendorId: p.vendorId,
      productId: p.productId,
    }));
  }

  async open(options: Parameters<typeof MockBinding.open>[0]): Promise<MockPortBinding> {
    const path = options.path;
    this.calls.push(`open ${path}`);
    if (this.missing.has(path)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    const port = await MockBinding.open(options);
    this.ports.set(path, port);
    const read = port.read.bind(port);
    const write = port.write.bind(port);
    const set = port.set.bind(port);
    const flush = port.flush.bind(port);
    port.read = async (buffer, offset, length) => {
      if (this.broken.has(path)) throw new Error('EIO: device gone');
      const r = await read(buffer, offset, length);
      if (this.broken.has(path)) throw new Error('EIO: device gone');
      this.reads.set(path, (this.reads.get(path) ?? 0) + r.bytesRead);
      return r;
    };
    port.write = async (buffer) => {
      this.calls.push(`write ${path} ${buffer.length}`);
      if (this.broken.has(path)) throw new Error('EIO: device gone');
      const d = this.writeDelay.get(path) ?? 0;
      if (d > 0) await delay(d);
      await write(buffer);
      this.writes.set(path, (this.writes.get(path) ?? 0) + buffer.length);
    };
    port.set = async (o) => {
      this.calls.push(`set ${path}`);
      return set(o);
    };
    port.flush = async () => {
      this.calls.push(`flush ${path}`);
      return flush();
    };
    return port;
  }

  /** Breaks a port: its pending read fails, as when a USB adapter is pulled. */
  unplug(path: string): void {
    this.broken.add(path);
    this.missing.add(path);
    const p = this.ports.get(path);
    // Wake a pending read so that it fails now (the byte is never delivered).
    if (p?.isOpen) p.emitData(Buffer.of(0));
  }
}
