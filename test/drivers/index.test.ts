/** createDriver: the right driver for each listen / printer pair, clear errors for the rest. */
import { describe, expect, it } from 'vitest';
import { createDriver, createPrinterEndpoint } from '../../drivers/index.js';
import { TcpProxyDriver } from '../../drivers/tcp-proxy.js';

describe('createDriver', () => {
  it.each([
    ['tcp://127.0.0.1:9100', 'tcp://127.0.0.1:9101', 'tcp'],
    ['tcp://127.0.0.1:9100', 'usblp:/dev/usb/lp0', 'tcp'],
    ['tcp://127.0.0.1:9100', 'serial:/dev/ttyUSB0?baud=19200&rtscts=1', 'tcp'],
    ['tcp://127.0.0.1:9100', undefined, 'tcp'],
    ['serial:/dev/pts/5', 'serial:/dev/ttyUSB0?xonxoff=1', 'serial'],
    ['serial:/dev/pts/5', 'usblp:/dev/usb/lp0', 'serial'],
    ['serial:/dev/pts/5', 'tcp://127.0.0.1:9100', 'serial'],
    ['serial:/dev/ttyS0', undefined, 'serial-tap'],
    ['file:/tmp/capture.bin', undefined, 'file'],
  ])('listen %s, printer %s → %s', (listen, printer, kind) => {
    const d = createDriver({ listen, printer, name: 'till' });
    expect(d.kind).toBe(kind);
    expect(d.uri).toBe(listen);
  });

  it('no printer behind a TCP listener is the virtual printer', () => {
    const d = createDriver({ listen: 'tcp://127.0.0.1:0', name: 'x', printer: '' });
    expect(d).toBeInstanceOf(TcpProxyDriver);
    expect((d as TcpProxyDriver).virtual).toBe(true);
  });

  it.each([
    [{ listen: 'usblp:/dev/usb/lp0' }, /usblp: is a printer, not something a POS prints to/],
    [{ listen: 'file:/tmp/a.bin', printer: 'tcp://127.0.0.1:9100' }, /a file replay takes no printer/],
    [{ listen: 'tcp://127.0.0.1:9100', printer: 'file:/tmp/a.bin' }, /a file is not a printer/],
    [{ listen: 'tcp://127.0.0.1:9100', printer: 'tcp://127.0.0.1:9100' }, /name the same device/],
    [{ listen: 'serial:/dev/ttyS0', printer: 'serial:/dev/ttyS0?baud=19200' }, /name the same device/],
    [{ listen: 'tcp://127.0.0.1:9100', printer: 'tcp://127.0.0.1:0' }, /port 0 is not a printer's port/],
    [{ listen: 'tcp://127.0.0.1' }, /missing port/],
    [{ listen: 'serial:/dev/ttyS0', printer: 'serial:/dev/ttyS1?baud=x' }, /baud 'x'/],
    [{ listen: 'serial:/dev/ttyS0', options: { tapReplies: 'serial:?baud=1' } }, /missing device path/],
  ])('rejects %j', (o, re) => {
    expect(() => createDriver({ name: 'x', ...o })).toThrow(re);
  });

  it('creates printer endpoints of every kind', () => {
    expect(createPrinterEndpoint('tcp://127.0.0.1:9100').kind).toBe('tcp');
    expect(createPrinterEndpoint('serial:/dev/ttyUSB0').kind).toBe('serial');
    expect(createPrinterEndpoint('usblp:/dev/usb/lp0').kind).toBe('usblp');
  });
});
