/**
 * Device URIs of the contract (../shared/docs/contract.md, "Device URIs"):
 *
 *   tcp://HOST:PORT
 *   serial:PATH?baud=9600&rtscts=1&xonxoff=1&parity=none&databits=8&stopbits=1
 *   usblp:/dev/usb/lp0
 *   file:PATH
 *
 * `parseDeviceUri` turns one into a typed object or throws an Error whose message is one line
 * naming what is wrong (the CLI turns it into exit 2). No host is ever assumed: a tcp URI must
 * name its host.
 */

export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';
export type DataBits = 5 | 6 | 7 | 8;
export type StopBits = 1 | 1.5 | 2;

export interface TcpUri {
  readonly kind: 'tcp';
  /** As written, without IPv6 brackets. */
  readonly host: string;
  /** 0 asks the OS for a free port (listening only). */
  readonly port: number;
  readonly uri: string;
}

export interface SerialUri {
  readonly kind: 'serial';
  /** `/dev/ttyUSB0`, `/dev/pts/5`, `COM3`. */
  readonly path: string;
  readonly baudRate: number;
  readonly rtscts: boolean;
  readonly xonxoff: boolean;
  readonly parity: Parity;
  readonly dataBits: DataBits;
  readonly stopBits: StopBits;
  readonly uri: string;
}

export interface UsblpUri {
  readonly kind: 'usblp';
  readonly path: string;
  readonly uri: string;
}

export interface FileUri {
  readonly kind: 'file';
  readonly path: string;
  readonly uri: string;
}

export type DeviceUri = TcpUri | SerialUri | UsblpUri | FileUri;
export type DeviceKind = DeviceUri['kind'];

export const SERIAL_DEFAULTS = {
  baudRate: 9600,
  rtscts: false,
  xonxoff: false,
  parity: 'none',
  dataBits: 8,
  stopBits: 1,
} as const satisfies Omit<SerialUri, 'kind' | 'path' | 'uri'>;

const SCHEMES = 'tcp://HOST:PORT, serial:PATH, usblp:PATH or file:PATH';

function fail(uri: string, what: string): never {
  throw new Error(`bad device URI '${uri}': ${what}`);
}

/** Parses a device URI; throws an Error with a one-line message when it is not one. */
export function parseDeviceUri(input: string): DeviceUri {
  if (typeof input !== 'string' || input.trim() === '') throw new Error(`empty device URI: expected ${SCHEMES}`);
  const uri = input.trim();
  if (/[\r\n\0]/.test(uri)) fail(JSON.stringify(uri).slice(1, -1), 'control characters are not allowed');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  if (!m) fail(uri, `no scheme: expected ${SCHEMES}`);
  const scheme = m[1]!.toLowerCase();
  const rest = uri.slice(m[0].length);
  switch (scheme) {
    case 'tcp':
      return parseTcp(uri, rest);
    case 'serial':
      return parseSerial(uri, rest);
    case 'usblp':
      return { kind: 'usblp', path: devicePath(uri, rest, 'usblp'), uri };
    case 'file':
      return { kind: 'file', path: filePath(uri, rest), uri };
    default:
      return fail(uri, `unknown scheme '${scheme}:': expected ${SCHEMES}`);
  }
}

/** `parseDeviceUri`, then checks the kind. */
export function parseDeviceUriOf<K extends DeviceKind>(input: string, ...kinds: K[]): Extract<DeviceUri, { kind: K }> {
  const d = parseDeviceUri(input);
  if (!(kinds as string[]).includes(d.kind)) {
    fail(d.uri, `a ${d.kind} URI is not accepted here (expected ${kinds.map((k) => `${k}:`).join(' or ')})`);
  }
  return d as Extract<DeviceUri, { kind: K }>;
}

function parseTcp(uri: string, rest: string): TcpUri {
  if (!rest.startsWith('//')) fail(uri, 'expected tcp://HOST:PORT');
  let hostPort = rest.slice(2);
  if (hostPort.endsWith('/')) hostPort = hostPort.slice(0, -1);
  if (/[/?#@]/.test(hostPort)) fail(uri, 'expected tcp://HOST:PORT with no path, query or user');
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) fail(uri, "unclosed '[' in the IPv6 host");
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) fail(uri, "expected ':PORT' after the IPv6 host");
    portText = after === '' ? undefined : after.slice(1);
    if (!/^[0-9A-Fa-f:.]+(%[\w.-]+)?$/.test(host) || !host.includes(':')) fail(uri, `'${host}' is not an IPv6 address`);
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon < 0) fail(uri, 'missing port: expected tcp://HOST:PORT');
    host = hostPort.slice(0, colon);
    portText = hostPort.slice(colon + 1);
    if (host.includes(':')) fail(uri, 'an IPv6 host must be in brackets: tcp://[::1]:9100');
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) fail(uri, host === '' ? 'missing host' : `'${host}' is not a host name or address`);
  }
  if (host === '') fail(uri, 'missing host');
  if (portText === undefined || portText === '') fail(uri, 'missing port: expected tcp://HOST:PORT');
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) fail(uri, `port '${portText}' is not a number from 0 to 65535`);
  return { kind: 'tcp', host, port: Number(portText), uri };
}

function devicePath(uri: string, rest: string, scheme: string): string {
  // `scheme:///dev/x` and `scheme://COM3` are read as the path after the slashes.
  let path = rest.startsWith('///') ? rest.slice(2) : rest.startsWith('//') ? rest.slice(2) : rest;
  if (path.includes('?') && scheme !== 'serial') fail(uri, `${scheme}: takes no options`);
  path = path.trim();
  if (path === '') fail(uri, `missing device path: expected ${scheme}:PATH`);
  return path;
}

function filePath(uri: string, rest: string): string {
  if (rest.startsWith('//')) {
    // A standard file URL: file:///abs/path (percent-encoded), file://localhost/abs/path.
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      return fail(uri, 'not a valid file URL');
    }
    if (u.host !== '' && u.host !== 'localhost') fail(uri, `a file URL must be local (host '${u.host}')`);
    if (u.search !== '' || u.hash !== '') fail(uri, 'file: takes no query');
    const p = decodeURIComponent(u.pathname);
    if (p === '' || p === '/') fail(uri, 'missing file path: expected file:PATH');
    return p;
  }
  if (rest === '') fail(uri, 'missing file path: expected file:PATH');
  return rest;
}

const BOOL: Record<string, boolean> = { '1': true, '0': false, true: true, false: false, on: true, off: false, yes: true, no: false };

function parseSerial(uri: string, rest: string): SerialUri {
  const q = rest.indexOf('?');
  const path = devicePath(uri, q < 0 ? rest : rest.slice(0, q), 'serial');
  const out = { ...SERIAL_DEFAULTS } as { -readonly [K in keyof typeof SERIAL_DEFAULTS]: SerialUri[K] };
  if (q >= 0) {
    const query = rest.slice(q + 1);
    const seen = new Set<string>();
    for (const part of query.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
      const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
      if (seen.has(key)) fail(uri, `option '${key}' given twice`);
      seen.add(key);
      if (value === '') fail(uri, `option '${key}' has no value`);
      switch (key) {
        case 'baud':
        case 'baudrate': {
          if (!/^\d{2,8}$/.test(value) || Number(value) < 50) fail(uri, `baud '${value}' is not a baud rate`);
          out.baudRate = Number(value);
          break;
        }
        case 'rtscts':
        case 'xonxoff': {
          const b = BOOL[value.toLowerCase()];
          if (b === undefined) fail(uri, `${key} must be 1 or 0 (got '${value}')`);
          out[key] = b;
          break;
        }
        case 'parity': {
          const p = value.toLowerCase();
          if (!['none', 'even', 'odd', 'mark', 'space'].includes(p)) fail(uri, `parity must be none, even, odd, mark or space (got '${value}')`);
          out.parity = p as Parity;
          break;
        }
        case 'databits': {
          if (!['5', '6', '7', '8'].includes(value)) fail(uri, `databits must be 5, 6, 7 or 8 (got '${value}')`);
          out.dataBits = Number(value) as DataBits;
          break;
        }
        case 'stopbits': {
          if (!['1', '1.5', '2'].includes(value)) fail(uri, `stopbits must be 1, 1.5 or 2 (got '${value}')`);
          out.stopBits = Number(value) as StopBits;
          break;
        }
        default:
          fail(uri, `unknown serial option '${key}' (known: baud, rtscts, xonxoff, parity, databits, stopbits)`);
      }
    }
  }
  return { kind: 'serial', path, ...out, uri };
}

/** A canonical URI string for a parsed device (options only where they differ from the defaults). */
export function formatDeviceUri(d: DeviceUri): string {
  switch (d.kind) {
    case 'tcp':
      return `tcp://${d.host.includes(':') ? `[${d.host}]` : d.host}:${d.port}`;
    case 'usblp':
      return `usblp:${d.path}`;
    case 'file':
      return `file:${d.path}`;
    case 'serial': {
      const q: string[] = [`baud=${d.baudRate}`];
      if (d.rtscts) q.push('rtscts=1');
      if (d.xonxoff) q.push('xonxoff=1');
      if (d.parity !== 'none') q.push(`parity=${d.parity}`);
      if (d.dataBits !== 8) q.push(`databits=${d.dataBits}`);
      if (d.stopBits !== 1) q.push(`stopbits=${d.stopBits}`);
      return `serial:${d.path}?${q.join('&')}`;
    }
  }
}
