/** `tilltap doctor [--printer URI] [--json] [--test-print]`: a technician's check of one printer. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SerialPort } from 'serialport';
import { createPrinterEndpoint } from '../../drivers/index.js';
import type { PrinterLink } from '../../drivers/endpoint.js';
import { listSerialPorts } from '../../drivers/serial-list.js';
import { type DoctorReport, probePrinter } from '../health/probe.js';
import { packageRoot } from '../paths.js';
import { runtimeError, usageError } from './errors.js';
import { writeOut } from './output.js';
import { testPage } from './test-page.js';

interface DoctorFlags {
  printer?: string;
  json?: boolean;
  testPrint?: boolean;
  timeout?: string;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** USB printer class devices (`/dev/usb/lp0`…) present now. */
function usblpDevices(): string[] {
  try {
    return readdirSync('/dev/usb')
      .filter((n) => /^lp\d+$/.test(n))
      .map((n) => `/dev/usb/${n}`);
  } catch {
    return [];
  }
}

function text(r: DoctorReport, printed: number | null): string {
  const yes = (v: boolean | null): string => (v === null ? 'unknown' : v ? 'yes' : 'no');
  const lines = [
    `Printer        ${r.printer}`,
    `Reachable      ${r.reachable ? 'yes' : 'no'}`,
    `Answers        ${r.reachable ? (r.answered ? 'yes' : 'no') : '-'}`,
    `Online         ${r.online ? 'yes' : 'no'}`,
    `Paper          ${r.paper.replace('_', ' ')}`,
    `Cover open     ${yes(r.cover_open)}`,
    `Cutter error   ${yes(r.cutter_error)}`,
    `Errors         ${r.unrecoverable_error ? 'unrecoverable' : r.mechanical_error ? 'mechanical' : r.auto_recoverable_error ? 'auto-recoverable' : r.unrecoverable_error === null ? 'unknown' : 'none'}`,
    `Drawer         ${r.drawer_open === null ? 'unknown' : r.drawer_open ? 'open' : 'closed'}`,
    `Model          ${[r.maker, r.model].filter(Boolean).join(' ') || 'unknown'}`,
    `Firmware       ${r.firmware ?? 'unknown'}`,
  ];
  if (Object.keys(r.status_bytes).length > 0) lines.push(`Status bytes   ${Object.entries(r.status_bytes).map(([q, b]) => `${q}: ${b}`).join(', ')}`);
  if (printed !== null) lines.push(`Test page      sent (${printed} bytes)`);
  lines.push('');
  for (const d of r.diagnosis) lines.push(`${d.severity === 'error' ? '✗' : d.severity === 'warning' ? '!' : '✓'} ${d.message}`);
  return `${lines.join('\n')}\n`;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description("a technician's check of one printer: reachability, status bits, identity, what to do")
    .option('--printer <uri>', 'the printer: tcp://HOST:PORT, serial:PATH?baud=…, usblp:PATH (omit to list the ports)')
    .option('--json', 'one JSON document on stdout')
    .option('--test-print', 'also print a diagnostic page')
    .option('--timeout <ms>', 'wait this long for replies (ms)', '1500')
    .action(async (flags: DoctorFlags) => {
      const timeout = Number(flags.timeout);
      if (!Number.isInteger(timeout) || timeout < 10 || timeout > 60_000) throw usageError(`--timeout must be a number of milliseconds (10–60000), not "${flags.timeout}"`);
      if (!flags.printer) {
        let ports: Awaited<ReturnType<typeof SerialPort.list>> = [];
        try {
          ports = await listSerialPorts(() => SerialPort.list());
        } catch (err) {
          throw runtimeError(`cannot list serial ports: ${(err as Error).message}`);
        }
        const usb = usblpDevices();
        if (flags.json) {
          await writeOut(`${JSON.stringify({ serial_ports: ports.map((p) => ({ path: p.path, manufacturer: p.manufacturer ?? null, vendor_id: p.vendorId ?? null, product_id: p.productId ?? null, serial_number: p.serialNumber ?? null })), usblp: usb }, null, 2)}\n`);
        } else {
          const out = ['Serial ports:'];
          for (const p of ports) out.push(`  ${p.path}${p.manufacturer ? `  ${p.manufacturer}` : ''}${p.vendorId ? `  (${p.vendorId}:${p.productId ?? '?'})` : ''}`);
          if (ports.length === 0) out.push('  none found');
          out.push('USB printers:');
          for (const u of usb) out.push(`  ${u}`);
          if (usb.length === 0) out.push('  none found');
          out.push('', 'Check one with: tilltap doctor --printer serial:/dev/ttyUSB0?baud=9600 (or tcp://HOST:9100, usblp:/dev/usb/lp0)');
          await writeOut(`${out.join('\n')}\n`);
        }
        return;
      }
      let endpoint;
      try {
        endpoint = createPrinterEndpoint(flags.printer);
      } catch (err) {
        throw usageError((err as Error).message);
      }
      let printed: number | null = null;
      const r = await probePrinter(endpoint, {
        replyTimeoutMs: timeout,
        ...(flags.testPrint
          ? {
              then: async (link: PrinterLink, rep: DoctorReport) => {
                const page = await testPage(rep, version());
                await new Promise<void>((resolve, reject) => link.stream.write(page, (err) => (err ? reject(err) : resolve())));
                printed = page.length;
              },
            }
          : {}),
      });
      if (flags.json) await writeOut(`${JSON.stringify({ ...r, ...(flags.testPrint ? { test_print: printed !== null ? { sent_bytes: printed } : null } : {}) }, null, 2)}\n`);
      else await writeOut(text(r, printed));
      // Not healthy is the answer a script checks: exit 1, with the first problem on stderr.
      if (!r.healthy) throw runtimeError(`printer not healthy: ${r.diagnosis.find((d) => d.severity === 'error')?.message ?? 'see above'}`);
    });
}
