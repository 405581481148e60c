/**
 * The serial ports present, with their hardware identity where the OS knows it.
 *
 * serialport's `SerialPort.list()` asks `udevadm` on Linux, which minimal installs and containers
 * do not have (it then fails with `spawn udevadm ENOENT`). There the same facts are in sysfs: each
 * tty with a device behind it, and for a USB adapter the vendor, product and serial number of the
 * USB device it belongs to. Only where the library fails is sysfs read.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SerialPortInfo } from './serial-port.js';

const SYS_TTY = '/sys/class/tty';

/** `list()`'s answer, or on Linux when it fails, what sysfs says (the library's error when that fails too). */
export async function listSerialPorts(list: () => Promise<SerialPortInfo[]>, sysRoot = SYS_TTY): Promise<SerialPortInfo[]> {
  try {
    return await list();
  } catch (err) {
    if (process.platform !== 'linux') throw err;
    const ports = sysfsSerialPorts(sysRoot);
    if (ports === null) throw err;
    return ports;
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The ttys of `root` (a /sys/class/tty) with a device behind them; null when it cannot be read. */
export function sysfsSerialPorts(root = SYS_TTY): SerialPortInfo[] | null {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return null;
  }
  // The sysfs root (/sys): the walk up from a device stays inside it.
  const top = `${dirname(dirname(realpathSync(root)))}/`;
  const out: SerialPortInfo[] = [];
  for (const name of names.sort()) {
    let device: string;
    try {
      device = realpathSync(join(root, name, 'device'));
    } catch {
      continue; // virtual: consoles, ptys
    }
    // The 8250 driver makes ttyS0–31 whether or not a UART is there; `type` 0 (or none) is none.
    if (/^ttyS\d+$/.test(name) && (read(join(root, name, 'type')) ?? '0') === '0') continue;
    const info: { -readonly [K in keyof SerialPortInfo]: SerialPortInfo[K] } = { path: `/dev/${name}`, manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined };
    // A USB adapter: the first directory up with idVendor is its USB device.
    for (let d = device; d.startsWith(top); d = dirname(d)) {
      const vendor = read(join(d, 'idVendor'));
      if (vendor === undefined) continue;
      info.vendorId = vendor;
      info.productId = read(join(d, 'idProduct'));
      info.serialNumber = read(join(d, 'serial'));
      info.manufacturer = read(join(d, 'manufacturer'));
      break;
    }
    out.push(info);
  }
  return out;
}
