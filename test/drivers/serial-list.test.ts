import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSerialPorts, sysfsSerialPorts } from '../../drivers/serial-list.js';

/** A sysfs tree as Linux has it: a UART, a phantom 8250 port, a USB adapter, a console. */
function fakeSys(): string {
  const sys = join(mkdtempSync(join(tmpdir(), 'tt-sysfs-')), 'sys');
  const tty = join(sys, 'class/tty');
  const uart = join(sys, 'devices/pnp0/00:00');
  const phantom = join(sys, 'devices/platform/serial8250');
  const usbDev = join(sys, 'devices/pci0000:00/usb1/1-1');
  const usbIf = join(usbDev, '1-1:1.0/ttyUSB0');
  for (const d of [uart, phantom, usbIf, join(tty, 'ttyS0'), join(tty, 'ttyS1'), join(tty, 'ttyUSB0'), join(tty, 'tty1')]) mkdirSync(d, { recursive: true });
  symlinkSync(uart, join(tty, 'ttyS0/device'));
  writeFileSync(join(tty, 'ttyS0/type'), '4\n');
  symlinkSync(phantom, join(tty, 'ttyS1/device'));
  writeFileSync(join(tty, 'ttyS1/type'), '0\n');
  symlinkSync(usbIf, join(tty, 'ttyUSB0/device'));
  writeFileSync(join(usbDev, 'idVendor'), '0403\n');
  writeFileSync(join(usbDev, 'idProduct'), '6001\n');
  writeFileSync(join(usbDev, 'serial'), 'A50285BI\n');
  writeFileSync(join(usbDev, 'manufacturer'), 'FTDI\n');
  return tty;
}

describe('listing serial ports', () => {
  it('reads sysfs: ports with a device behind them, a USB adapter with its identity, no phantom UARTs or consoles', () => {
    expect(sysfsSerialPorts(fakeSys())).toEqual([
      { path: '/dev/ttyS0', manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined },
      { path: '/dev/ttyUSB0', manufacturer: 'FTDI', serialNumber: 'A50285BI', pnpId: undefined, locationId: undefined, vendorId: '0403', productId: '6001' },
    ]);
  });

  it("uses the library's list, and sysfs only where it fails (no udevadm)", async () => {
    const tty = fakeSys();
    const fromLib = [{ path: '/dev/ttyACM0', manufacturer: 'x', serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: '1', productId: '2' }];
    expect(await listSerialPorts(async () => fromLib, tty)).toBe(fromLib);
    const noUdev = async (): Promise<never> => {
      throw new Error('spawn udevadm ENOENT');
    };
    if (process.platform === 'linux') expect((await listSerialPorts(noUdev, tty)).map((p) => p.path)).toEqual(['/dev/ttyS0', '/dev/ttyUSB0']);
    // Nothing to fall back on: the library's error.
    await expect(listSerialPorts(noUdev, join(tty, 'missing'))).rejects.toThrow(/udevadm/);
  });
});
