import { describe, expect, it } from 'vitest';
import { formatDeviceUri, parseDeviceUri, parseDeviceUriOf } from '../../drivers/uri.js';

describe('device URIs', () => {
  it('parses tcp://HOST:PORT', () => {
    expect(parseDeviceUri('tcp://127.0.0.1:9100')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9100, uri: 'tcp://127.0.0.1:9100' });
    expect(parseDeviceUri('tcp://printer-1.local:9100/')).toMatchObject({ host: 'printer-1.local', port: 9100 });
    expect(parseDeviceUri('tcp://[::1]:9100')).toMatchObject({ host: '::1', port: 9100 });
    expect(parseDeviceUri('TCP://localhost:0')).toMatchObject({ kind: 'tcp', host: 'localhost', port: 0 });
  });

  it('parses serial: with its options and defaults', () => {
    expect(parseDeviceUri('serial:/dev/ttyUSB0')).toEqual({
      kind: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 9600,
      rtscts: false,
      xonxoff: false,
      parity: 'none',
      dataBits: 8,
      stopBits: 1,
      uri: 'serial:/dev/ttyUSB0',
    });
    expect(parseDeviceUri('serial:/dev/ttyS0?baud=19200&rtscts=1&parity=even&databits=7&stopbits=2')).toMatchObject({
      path: '/dev/ttyS0',
      baudRate: 19200,
      rtscts: true,
      xonxoff: false,
      parity: 'even',
      dataBits: 7,
      stopBits: 2,
    });
    expect(parseDeviceUri('serial:COM3?xonxoff=1&baud=115200')).toMatchObject({ path: 'COM3', xonxoff: true, baudRate: 115200 });
    expect(parseDeviceUri('serial:///dev/pts/5')).toMatchObject({ path: '/dev/pts/5' });
    expect(parseDeviceUri('serial:/dev/ttyS0?stopbits=1.5')).toMatchObject({ stopBits: 1.5 });
  });

  it('parses usblp: and file:', () => {
    expect(parseDeviceUri('usblp:/dev/usb/lp0')).toEqual({ kind: 'usblp', path: '/dev/usb/lp0', uri: 'usblp:/dev/usb/lp0' });
    expect(parseDeviceUri('file:captures/a.bin')).toEqual({ kind: 'file', path: 'captures/a.bin', uri: 'file:captures/a.bin' });
    expect(parseDeviceUri('file:/tmp/a b.bin')).toMatchObject({ path: '/tmp/a b.bin' });
    expect(parseDeviceUri('file:///tmp/a%20b.bin')).toMatchObject({ path: '/tmp/a b.bin' });
  });

  it('formats back to an equivalent URI', () => {
    for (const u of ['tcp://127.0.0.1:9100', 'tcp://[::1]:9100', 'serial:/dev/ttyS0?baud=19200&rtscts=1&parity=odd', 'usblp:/dev/usb/lp0', 'file:/tmp/x.bin']) {
      const d = parseDeviceUri(u);
      expect(parseDeviceUri(formatDeviceUri(d))).toEqual({ ...d, uri: formatDeviceUri(d) });
    }
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty device URI/],
    ['   ', /empty device URI/],
    ['/dev/ttyUSB0', /no scheme/],
    ['lpt:/dev/lp0', /unknown scheme 'lpt:'/],
    ['http://127.0.0.1:9100', /unknown scheme 'http:'/],
    ['tcp:127.0.0.1:9100', /expected tcp:\/\/HOST:PORT/],
    ['tcp://127.0.0.1', /missing port/],
    ['tcp://127.0.0.1:', /missing port/],
    ['tcp://:9100', /missing host/],
    ['tcp://127.0.0.1:99999', /port '99999' is not a number from 0 to 65535/],
    ['tcp://127.0.0.1:91x0', /port '91x0'/],
    ['tcp://127.0.0.1:9100/print', /no path, query or user/],
    ['tcp://::1:9100', /IPv6 host must be in brackets/],
    ['tcp://[::1:9100', /unclosed '\['/],
    ['tcp://bad_host:9100', /'bad_host' is not a host name/],
    ['serial:', /missing device path/],
    ['serial:?baud=9600', /missing device path/],
    ['serial:/dev/ttyS0?baud=fast', /baud 'fast' is not a baud rate/],
    ['serial:/dev/ttyS0?rtscts=maybe', /rtscts must be 1 or 0/],
    ['serial:/dev/ttyS0?parity=weird', /parity must be none, even, odd, mark or space/],
    ['serial:/dev/ttyS0?databits=9', /databits must be 5, 6, 7 or 8/],
    ['serial:/dev/ttyS0?stopbits=3', /stopbits must be 1, 1.5 or 2/],
    ['serial:/dev/ttyS0?speed=9600', /unknown serial option 'speed'/],
    ['serial:/dev/ttyS0?baud=9600&baud=19200', /option 'baud' given twice/],
    ['serial:/dev/ttyS0?xonxoff', /option 'xonxoff' has no value/],
    ['usblp:', /missing device path: expected usblp:PATH/],
    ['usblp:/dev/usb/lp0?x=1', /usblp: takes no options/],
    ['file:', /missing file path/],
    ['file://remote-host/x.bin', /must be local/],
  ];
  it.each(bad)('rejects %j with a one-line message', (uri, re) => {
    let err: unknown;
    try {
      parseDeviceUri(uri);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(re);
    expect(msg).not.toContain('\n');
  });

  it('checks the kind where only some are accepted', () => {
    expect(parseDeviceUriOf('tcp://127.0.0.1:1', 'tcp').port).toBe(1);
    expect(() => parseDeviceUriOf('usblp:/dev/usb/lp0', 'tcp', 'serial')).toThrow(/a usblp URI is not accepted here \(expected tcp: or serial:\)/);
  });
});
