/**
 * Capture drivers from device URIs (../shared/docs/contract.md, "Device URIs"):
 *
 *   listen tcp://HOST:PORT   + printer tcp://… | serial:… | usblp:… | none (virtual printer)
 *   listen serial:PATH       + printer serial:… | usblp:… | tcp://…  (pass-through)
 *   listen serial:PATH       + no printer                            (read-only tap)
 *   listen file:PATH         (replay, no printer)
 *
 * `createDriver` throws an Error with a one-line message for a bad URI or a combination that
 * makes no sense (the CLI turns it into exit 2). Nothing is opened before `start()`.
 */
import type { BackoffOptions } from './backoff.js';
import { type PrinterEndpoint, TcpEndpoint } from './endpoint.js';
import { FileReplayDriver } from './file.js';
import { type SerialBinding, SerialEndpoint } from './serial-port.js';
import { SerialPassThroughDriver } from './serial.js';
import { SerialTapDriver } from './serial-tap.js';
import type { PrinterIdentity } from './simulator/replies.js';
import { TcpProxyDriver } from './tcp-proxy.js';
import type { CaptureDriver } from './types.js';
import { type DeviceUri, parseDeviceUri } from './uri.js';
import { UsblpEndpoint, type UsblpOptions } from './usblp.js';

export type { CaptureChunk, CaptureDriver, Direction, DriverEvents, SessionInfo } from './types.js';
export { parseDeviceUri, formatDeviceUri, type DeviceUri } from './uri.js';
export { TcpProxyDriver } from './tcp-proxy.js';
export { SerialPassThroughDriver } from './serial.js';
export { SerialTapDriver } from './serial-tap.js';
export { FileReplayDriver } from './file.js';
export { TcpEndpoint, type PrinterEndpoint, type PrinterLink } from './endpoint.js';
export { SerialEndpoint, type SerialBinding } from './serial-port.js';
export { UsblpEndpoint } from './usblp.js';

export interface DriverOptions {
  /** Reconnect delays. Default 100 ms doubling to 5 s. */
  readonly backoff?: BackoffOptions;
  /** POS bytes held while the printer is unreachable. Default 8 MiB. */
  readonly maxHoldBytes?: number;
  /** serialport binding for every serial port of the driver (tests: MockBinding). */
  readonly binding?: SerialBinding;
  /** Serial stream buffers (bytes). Default 4096. */
  readonly highWaterMark?: number;
  /** TCP printer: connection attempt timeout (ms). Default 5000. */
  readonly connectTimeoutMs?: number;
  /** TCP listener: idle time allowed once one side has ended (ms). Default 30 000. */
  readonly halfCloseTimeoutMs?: number;
  /** TCP listener with a device printer: wait for replies after the POS finished (ms). Default 500. */
  readonly lingerMs?: number;
  /** The virtual printer's `GS I` answers. */
  readonly identity?: Partial<PrinterIdentity>;
  /** Serial tap: the port on the printer → POS line (`serial:PATH?…`). */
  readonly tapReplies?: string;
  readonly usblp?: UsblpOptions;
  /** File replay chunk size. Default 65 536. */
  readonly chunkBytes?: number;
}

export interface CreateDriverOptions {
  /** Where the POS prints to (or the file to replay). */
  readonly listen: string;
  /** The real printer; omit for the virtual printer (tcp), a tap (serial) or a replay (file). */
  readonly printer?: string | null | undefined;
  /** The capture's name (the printer's name in the config). */
  readonly name: string;
  readonly options?: DriverOptions;
}

/** The printer side of a listener. */
export function createPrinterEndpoint(printer: string | DeviceUri, options: DriverOptions = {}): PrinterEndpoint {
  const p = typeof printer === 'string' ? parseDeviceUri(printer) : printer;
  switch (p.kind) {
    case 'tcp':
      if (p.port === 0) throw new Error(`bad printer URI '${p.uri}': port 0 is not a printer's port`);
      return new TcpEndpoint(p, options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {});
    case 'serial':
      return new SerialEndpoint(p, {
        ...(options.binding ? { binding: options.binding } : {}),
        ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
      });
    case 'usblp':
      return new UsblpEndpoint(p, options.usblp ?? {});
    case 'file':
      throw new Error(`bad printer URI '${p.uri}': a file is not a printer (file: is for --listen, to replay a capture)`);
  }
}

export function createDriver(o: CreateDriverOptions): CaptureDriver {
  const options = o.options ?? {};
  const listen = parseDeviceUri(o.listen);
  const printerText = o.printer?.trim() ? o.printer.trim() : null;
  const printer = printerText ? parseDeviceUri(printerText) : null;
  const name = o.name;
  if (printer && listen.kind !== 'file' && sameDevice(listen, printer)) {
    throw new Error(`--listen and --printer name the same device (${listen.uri}): the agent would print to itself`);
  }
  switch (listen.kind) {
    case 'tcp':
      return new TcpProxyDriver({
        listen,
        name,
        printer: printer ? createPrinterEndpoint(printer, options) : null,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.maxHoldBytes !== undefined ? { maxHoldBytes: options.maxHoldBytes } : {}),
        ...(options.halfCloseTimeoutMs !== undefined ? { halfCloseTimeoutMs: options.halfCloseTimeoutMs } : {}),
        ...(options.lingerMs !== undefined ? { lingerMs: options.lingerMs } : {}),
        ...(options.identity ? { identity: options.identity } : {}),
      });
    case 'serial': {
      const common = {
        name,
        ...(options.binding ? { binding: options.binding } : {}),
        ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
        ...(options.backoff ? { backoff: options.backoff } : {}),
      };
      if (!printer) {
        if (options.tapReplies) parseDeviceUri(options.tapReplies); // a bad URI fails here, not at start()
        return new SerialTapDriver({ listen, replies: options.tapReplies ?? null, ...common });
      }
      if (options.tapReplies) throw new Error('a serial tap has no printer: give either --printer or the tap replies port, not both');
      return new SerialPassThroughDriver({
        listen,
        printer: createPrinterEndpoint(printer, options),
        ...common,
        ...(options.maxHoldBytes !== undefined ? { maxHoldBytes: options.maxHoldBytes } : {}),
      });
    }
    case 'usblp':
      throw new Error(`bad listen URI '${listen.uri}': usblp: is a printer, not something a POS prints to (use it as --printer)`);
    case 'file':
      if (printer) throw new Error(`a file replay takes no printer (got --printer ${printer.uri})`);
      return new FileReplayDriver({ listen, name, ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}) });
  }
}

function sameDevice(a: DeviceUri, b: DeviceUri): boolean {
  if (a.kind === 'tcp' && b.kind === 'tcp') return a.port !== 0 && a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();
  if ((a.kind === 'serial' || a.kind === 'usblp') && (b.kind === 'serial' || b.kind === 'usblp')) return a.path === b.path;
  return false;
}
