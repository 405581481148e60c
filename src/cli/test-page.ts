/**
 * The diagnostic page `tilltap doctor --test-print` prints: built with node-thermal-printer's
 * `getBuffer()` (its interface is never connected: the bytes go through tilltap's own drivers).
 */
import type { DoctorReport } from '../health/probe.js';

interface ThermalPrinter {
  alignCenter(): void;
  alignLeft(): void;
  bold(on: boolean): void;
  setTextDoubleHeight(): void;
  setTextNormal(): void;
  println(text: string): void;
  drawLine(): void;
  leftRight(left: string, right: string): void;
  code128(data: string): void;
  cut(): void;
  getBuffer(): Buffer;
}

/** The page's ESC/POS bytes. */
export async function testPage(r: DoctorReport, version: string, now = new Date()): Promise<Buffer> {
  let mod: unknown;
  try {
    mod = await import('node-thermal-printer');
  } catch {
    throw new Error('node-thermal-printer is not installed (npm install node-thermal-printer): it builds the test page');
  }
  const ntp = ((mod as { default?: unknown }).default ?? mod) as { printer: new (c: Record<string, unknown>) => ThermalPrinter; types: { EPSON: string } };
  // The interface is required by the constructor and never opened.
  const p = new ntp.printer({ type: ntp.types.EPSON, interface: 'tcp://127.0.0.1:1', width: 42 });
  p.alignCenter();
  p.setTextDoubleHeight();
  p.bold(true);
  p.println('TILLTAP TEST PAGE');
  p.bold(false);
  p.setTextNormal();
  p.println(now.toISOString().replace('T', ' ').slice(0, 19) + ' UTC');
  p.drawLine();
  p.alignLeft();
  p.leftRight('Printer', r.printer.slice(0, 30));
  p.leftRight('Model', `${r.maker ?? '?'} ${r.model ?? '?'}`.slice(0, 30));
  p.leftRight('Firmware', (r.firmware ?? '?').slice(0, 30));
  p.leftRight('Paper', r.paper);
  for (const [q, b] of Object.entries(r.status_bytes)) p.leftRight(q, b);
  p.drawLine();
  p.println('0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  p.println('abcdefghijklmnopqrstuvwxyz !#$%&*+-./:');
  p.alignCenter();
  p.code128('TILLTAP-TEST');
  p.println(`tilltap ${version}`);
  p.cut();
  return p.getBuffer();
}
