/**
 * Opening serial ports for the drivers: settings from a `serial:` URI, a small highWaterMark, an
 * injectable binding (tests pass `MockBinding` from @serialport/binding-mock), and reopening a
 * device by its hardware identity (vendorId / productId / serialNumber from `list()`) when the OS
 * gave it another name after it came back (`/dev/ttyUSB0` → `/dev/ttyUSB1`).
 */
import type { SerialPort } from 'serialport';
import { Backoff, sleep, worthReporting } from './backoff.js';
import type { PrinterEndpoint, PrinterLink } from './endpoint.js';
import { message } from './emitter.js';
import { listSerialPorts } from './serial-list.js';
import type { SerialUri } from './uri.js';

/** What `SerialPort.list()` says about a port (path, vendorId, productId, serialNumber, …). */
export type SerialPortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];
type PortInfo = SerialPortInfo;

/**
 * The hardware access of serialport (a `BindingInterface` of @serialport/bindings-interface): the
 * OS binding by default, `MockBinding` from @serialport/binding-mock in tests.
 */
export interface SerialBinding {
  list(): Promise<SerialPortInfo[]>;
  open(options: never): Promise<unknown>;
}

type SerialPortOptions = ConstructorParameters<typeof SerialPort>[0];

/** Default read/write buffer of the serial streams: small, so backpressure reaches the POS soon. */
export const SERIAL_HIGH_WATER_MARK = 4096;

export interface SerialOpenOptions {
  readonly binding?: SerialBinding;
  /** Stream buffers (bytes). Default 4096. */
  readonly highWaterMark?: number;
  /**
   * Apply the URI's flow control (rtscts / xonxoff). false opens with all flow control off: the
   * tap must never make the OS send XOFF or raise RTS on a line it only listens to.
   */
  readonly flowControl?: boolean;
}

/**
 * serialport (with its native binding) is loaded on first use: an agent with only TCP printers
 * does not carry it (about 13 MB of resident memory).
 */
export function loadSerialport(): Promise<typeof import('serialport')> {
  return import('serialport');
}

/** Opens `path` with the settings of `uri`; resolves once the port is open. */
export async function openSerialPort(path: string, uri: SerialUri, opts: SerialOpenOptions = {}): Promise<SerialPort> {
  const { SerialPort } = await loadSerialport();
  const flow = opts.flowControl ?? true;
  const settings = {
    path,
    baudRate: uri.baudRate,
    dataBits: uri.dataBits,
    stopBits: uri.stopBits,
    parity: uri.parity,
    rtscts: flow && uri.rtscts,
    xon: flow && uri.xonxoff,
    xoff: flow && uri.xonxoff,
    xany: false,
    autoOpen: false,
    endOnClose: false,
    highWaterMark: opts.highWaterMark ?? SERIAL_HIGH_WATER_MARK,
    ...(opts.binding ? { binding: opts.binding } : {}),
  };
  // SerialPort takes a `binding` at run time (it spreads the options over its default binding);
  // its constructor type leaves it out, hence the cast.
  const port = new SerialPort(settings as unknown as SerialPortOptions);
  return new Promise((resolve, reject) => {
    port.open((err) => {
      if (err) {
        port.destroy();
        reject(err);
      } else {
        keepPollerEvents(port);
        resolve(port);
      }
    });
  });
}

/** The parts of @serialport/bindings-cpp's Unix poller that `keepPollerEvents` touches. */
interface UnixPoller {
  poll(flag: number): void;
  listenerCount(event: string): number;
}

const UV_READABLE = 0b0001;
const UV_WRITABLE = 0b0010;
const PATCHED = Symbol.for('tilltap.keepPollerEvents');

/**
 * Works around a lost-wakeup in @serialport/bindings-cpp 13 on Linux and macOS: its native
 * Poller starts libuv polling for only the event just asked for (`uv_poll_start(handle, events)`
 * instead of the union it keeps), so a read that starts waiting while a write waits for
 * "writable" silently cancels the write's wait. The write then hangs until the port happens to
 * receive another byte — with a printer that answers a status poll while a long job is being
 * written, the pass-through stalls. Each poll request here also asks again for every event some
 * read or write is still waiting for.
 */
export function keepPollerEvents(port: SerialPort): void {
  const binding = (port as unknown as { port?: { poller?: unknown } }).port;
  const poller = binding?.poller as UnixPoller | undefined;
  if (!poller || typeof poller.poll !== 'function' || typeof poller.listenerCount !== 'function') return;
  const marks = poller as unknown as Record<symbol, boolean>;
  if (marks[PATCHED]) return;
  marks[PATCHED] = true;
  const poll = poller.poll.bind(poller);
  poller.poll = (flag: number): void => {
    let all = flag;
    if (poller.listenerCount('readable') > 0) all |= UV_READABLE;
    if (poller.listenerCount('writable') > 0) all |= UV_WRITABLE;
    poll(all);
  };
}

/** Closes (if open) and destroys a port; resolves when done. Never rejects. */
export function closeSerialPort(port: SerialPort): Promise<void> {
  // Writes still waiting fail with a "Canceled" error when the port closes: expected here.
  port.on('error', () => {});
  return new Promise((resolve) => {
    const finish = (): void => {
      if (!port.destroyed) port.destroy();
      resolve();
    };
    if (port.isOpen && !port.closing) {
      port.close(() => finish());
    } else if (port.closing) {
      port.once('close', finish);
    } else finish();
  });
}

/** What identifies a USB serial adapter across renames. */
export interface HardwareIdentity {
  readonly vendorId: string;
  readonly productId: string;
  readonly serialNumber?: string;
}

function identityOf(info: PortInfo): HardwareIdentity | null {
  if (!info.vendorId || !info.productId) return null;
  return { vendorId: info.vendorId, productId: info.productId, ...(info.serialNumber ? { serialNumber: info.serialNumber } : {}) };
}

function sameIdentity(a: HardwareIdentity, info: PortInfo): boolean {
  const b = identityOf(info);
  if (!b) return false;
  if (a.vendorId.toLowerCase() !== b.vendorId.toLowerCase() || a.productId.toLowerCase() !== b.productId.toLowerCase()) return false;
  if (a.serialNumber !== undefined) return a.serialNumber === b.serialNumber;
  return true;
}

/**
 * One serial device of a driver. Remembers the hardware identity seen at the first open, and
 * on later opens looks the device up by that identity, so a renamed device is found again.
 */
export class SerialDevice {
  private identityValue: HardwareIdentity | null = null;
  private currentPath: string;
  /** Where renames and listing failures are reported. */
  onWarn: (msg: string) => void;

  constructor(
    readonly uri: SerialUri,
    private readonly opts: SerialOpenOptions & { readonly onWarn?: (msg: string) => void } = {},
  ) {
    this.currentPath = uri.path;
    this.onWarn = opts.onWarn ?? (() => {});
  }

  get identity(): HardwareIdentity | null {
    return this.identityValue;
  }

  /** The path the device has now (after a rename, the new one). */
  get path(): string {
    return this.currentPath;
  }

  async list(): Promise<PortInfo[]> {
    const binding = this.opts.binding;
    if (binding) return binding.list();
    const { SerialPort } = await loadSerialport();
    return listSerialPorts(() => SerialPort.list());
  }

  /**
   * Open the port, retrying with `backoff` while it cannot be opened (reported through `warn`,
   * not on every attempt). Null once `signal` is aborted (a port opened too late is closed).
   * `failed` runs after each failed attempt (a driver may have callers waiting on its start).
   */
  async openRetrying(
    backoff: Backoff,
    signal: AbortSignal,
    what: string,
    warn: (msg: string) => void,
    failed: () => void = () => {},
  ): Promise<SerialPort | null> {
    while (!signal.aborted) {
      let port: SerialPort;
      try {
        port = await this.open();
      } catch (err) {
        failed();
        if (signal.aborted) return null;
        const delay = backoff.next();
        if (worthReporting(backoff.attempts)) {
          warn(`cannot open the ${what} (${message(err)}); attempt ${backoff.attempts}, retrying in ${delay} ms`);
        }
        await sleep(delay, signal);
        continue;
      }
      if (signal.aborted) {
        await closeSerialPort(port);
        return null;
      }
      backoff.reset();
      return port;
    }
    return null;
  }

  async open(): Promise<SerialPort> {
    const path = await this.resolvePath();
    const port = await openSerialPort(path, this.uri, this.opts);
    if (!this.identityValue) await this.learnIdentity(path);
    return port;
  }

  private async resolvePath(): Promise<string> {
    const id = this.identityValue;
    if (!id) return this.currentPath;
    let ports: PortInfo[];
    try {
      ports = await this.list();
    } catch {
      return this.currentPath;
    }
    const matches = ports.filter((p) => sameIdentity(id, p));
    if (matches.length !== 1) return this.currentPath;
    const found = matches[0]!.path;
    if (found !== this.currentPath) {
      this.onWarn(`${this.uri.path}: device ${describe(id)} is now at ${found} (was ${this.currentPath}); opening it there`);
      this.currentPath = found;
    }
    return found;
  }

  private async learnIdentity(path: string): Promise<void> {
    try {
      const info = (await this.list()).find((p) => p.path === path);
      this.identityValue = info ? identityOf(info) : null;
    } catch (e) {
      this.onWarn(`${path}: could not list serial ports (${message(e)}); a renamed device will not be found again`);
    }
  }
}

function describe(id: HardwareIdentity): string {
  return `${id.vendorId}:${id.productId}${id.serialNumber ? ` #${id.serialNumber}` : ''}`;
}

/** A serial printer (`serial:/dev/ttyUSB0?baud=…`) as the printer side of a listener. */
export class SerialEndpoint implements PrinterEndpoint {
  readonly kind = 'serial';
  readonly uri: string;
  readonly device: SerialDevice;

  constructor(uri: SerialUri, opts: SerialOpenOptions & { readonly onWarn?: (msg: string) => void } = {}) {
    this.uri = uri.uri;
    this.device = new SerialDevice(uri, opts);
  }

  setWarn(onWarn: (message: string) => void): void {
    this.device.onWarn = onWarn;
  }

  async open(signal?: AbortSignal): Promise<PrinterLink> {
    if (signal?.aborted) throw new Error('aborted');
    const port = await this.device.open();
    if (signal?.aborted) {
      await closeSerialPort(port);
      throw new Error('aborted');
    }
    return serialLink(port, this.device.path);
  }
}

/** An open port as a link: closing it closes the port. */
export function serialLink(port: SerialPort, description: string): PrinterLink {
  return {
    stream: port,
    halfClose: false,
    description,
    close: () => closeSerialPort(port),
  };
}
