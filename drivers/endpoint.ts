/**
 * The printer side of a pass-through: something that can be opened into a byte stream to the
 * real printer. TCP (network printer), serial (drivers/serial-port.ts) and USB printer class
 * (drivers/usblp.ts) endpoints all give a `PrinterLink`, so every listener can pass on to any of
 * them.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { TcpUri } from './uri.js';

export interface PrinterLink {
  /** Bytes to the printer are written here; its replies are read here. Emits 'close' when gone. */
  readonly stream: Duplex;
  /**
   * true when `stream.end()` half-closes (TCP: replies keep coming until the printer closes).
   * false for devices: there is no end of stream, the link is closed after a linger instead.
   */
  readonly halfClose: boolean;
  /** `192.168.1.50:9100`, `/dev/ttyUSB0`, `/dev/usb/lp0`. */
  readonly description: string;
  /** Closes the link; resolves once it is closed. Safe to call more than once. */
  close(): Promise<void>;
}

export interface PrinterEndpoint {
  readonly kind: 'tcp' | 'serial' | 'usblp';
  readonly uri: string;
  /** Opens a link now, or rejects (the caller retries with backoff). */
  open(signal?: AbortSignal): Promise<PrinterLink>;
  /** Where to report what the endpoint noticed on its own (a device renamed); set by the driver. */
  setWarn?(onWarn: (message: string) => void): void;
}

export interface TcpEndpointOptions {
  /** Give up a connection attempt after this long (ms). Default 5000. */
  connectTimeoutMs?: number;
}

/** A network printer (`tcp://HOST:PORT`, usually port 9100). */
export class TcpEndpoint implements PrinterEndpoint {
  readonly kind = 'tcp';
  readonly uri: string;
  private readonly connectTimeoutMs: number;

  constructor(
    private readonly target: TcpUri,
    opts: TcpEndpointOptions = {},
  ) {
    this.uri = target.uri;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  }

  open(signal?: AbortSignal): Promise<PrinterLink> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('aborted'));
      const { host, port } = this.target;
      if (port === 0) return reject(new Error(`printer port 0 is not a port to connect to (${this.uri})`));
      const socket = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        socket.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
      };
      const onConnect = (): void => {
        cleanup();
        socket.setKeepAlive(true, 15_000);
        resolve(socketLink(socket, `${host}:${port}`));
      };
      const onError = (err: Error): void => {
        cleanup();
        socket.destroy();
        reject(err);
      };
      const onAbort = (): void => onError(new Error('aborted'));
      const timer = setTimeout(() => onError(new Error(`no answer within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      socket.once('connect', onConnect);
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** A connected socket as a link. */
export function socketLink(socket: net.Socket, description: string): PrinterLink {
  return {
    stream: socket,
    halfClose: true,
    description,
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.closed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      }),
  };
}
