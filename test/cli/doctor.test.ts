/**
 * `tilltap doctor` against the printer simulator (TCP and a pty), for every fault: the JSON, the
 * plain words, the exit code; `--test-print` through our own endpoint; the port listing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hasSocat, type PrinterState, type Simulator, startSimulator } from '../../drivers/simulator/index.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { freePort } from '../drivers/helpers.js';
import { runCli } from './run-cli.js';

const sims: Simulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

async function sim(state: PrinterState, pty = false): Promise<Simulator> {
  const s = await startSimulator(pty ? { pty: true, state } : { tcp: { port: 0 }, state });
  sims.push(s);
  return s;
}

interface Row {
  state: PrinterState;
  code: number;
  json: Record<string, unknown>;
  says: RegExp;
}

const ROWS: Row[] = [
  { state: 'healthy', code: 0, json: { online: true, paper: 'ok', cover_open: false, cutter_error: false, unrecoverable_error: false, auto_recoverable_error: false, drawer_open: false, model: 'SIM-80', maker: 'TILLTAP', firmware: '1.00 SIM', healthy: true }, says: /Printer OK/ },
  { state: 'paper_near_end', code: 0, json: { online: true, paper: 'near_end', healthy: true, model: 'SIM-80' }, says: /Paper near end: replace the roll soon\./ },
  { state: 'paper_out', code: 1, json: { online: false, paper: 'out', healthy: false, model: null }, says: /Paper end: load a new paper roll/ },
  { state: 'cover_open', code: 1, json: { online: false, cover_open: true, paper: 'ok', healthy: false }, says: /Cover open: close the printer cover\./ },
  { state: 'cutter_error', code: 1, json: { online: false, cutter_error: true, healthy: false }, says: /Cutter error: open the cover, clear jammed paper/ },
  { state: 'offline', code: 1, json: { online: false, cover_open: false, paper: 'ok', healthy: false }, says: /Printer offline: check the panel/ },
  { state: 'unrecoverable', code: 1, json: { unrecoverable_error: true, healthy: false }, says: /Unrecoverable error: switch the printer off and on/ },
  { state: 'overheat', code: 1, json: { auto_recoverable_error: true, healthy: false }, says: /Print head overheated/ },
  { state: 'silent', code: 1, json: { reachable: true, answered: false, online: false, paper: 'unknown', cover_open: null, model: null, healthy: false }, says: /does not answer status requests/ },
];

describe('tilltap doctor', () => {
  it.each(ROWS)('$state over TCP: JSON, words, exit $code', async (row) => {
    const s = await sim(row.state);
    const uri = `tcp://127.0.0.1:${s.tcpPort}`;
    const j = await runCli(['doctor', '--printer', uri, '--json', '--timeout', '400']);
    expect(j.code, j.stderr).toBe(row.code);
    const doc = JSON.parse(j.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ printer: uri, reachable: true, ...row.json });
    for (const k of ['online', 'paper', 'cover_open', 'cutter_error', 'unrecoverable_error', 'auto_recoverable_error', 'drawer_open', 'model', 'firmware']) expect(doc).toHaveProperty(k);
    const t = await runCli(['doctor', '--printer', uri, '--timeout', '400']);
    expect(t.code).toBe(row.code);
    expect(t.stdout).toMatch(row.says);
    if (row.code !== 0) expect(t.stderr).toMatch(/^tilltap: printer not healthy: /);
    // It asked and changed nothing: only status and identity queries reached the printer.
    expect(s.queries().every((q) => /^(DLE EOT [1-4]|GS I 6[5-7])$/.test(q.query))).toBe(true);
  });

  it('over a serial pty: paper end', async () => {
    if (!hasSocat() && !process.env.CI) return;
    const s = await sim('paper_out', true);
    const r = await runCli(['doctor', '--printer', `serial:${s.ptyPath}?baud=115200`, '--json', '--timeout', '400']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ reachable: true, paper: 'out', online: false, status_bytes: { 'DLE EOT 4': '0x7e' } });
  });

  it('an unreachable printer: exit 1 and what to check', async () => {
    const port = await freePort();
    const r = await runCli(['doctor', '--printer', `tcp://127.0.0.1:${port}`, '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ reachable: false, online: false, paper: 'unknown', healthy: false });
    expect(doc.diagnosis[0].message).toMatch(/^Printer not reachable at tcp:\/\/127\.0\.0\.1:\d+ .*check that it is switched on/);
  });

  it('--test-print sends a diagnostic page that decodes, through our own endpoint', async () => {
    const s = await sim('healthy');
    const r = await runCli(['doctor', '--printer', `tcp://127.0.0.1:${s.tcpPort}`, '--json', '--test-print', '--timeout', '400']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.test_print.sent_bytes).toBeGreaterThan(100);
    const { receipts } = decodeBuffer(s.received());
    const page = receipts.find((x) => x.text.includes('TILLTAP TEST PAGE'));
    expect(page, receipts.map((x) => x.text).join('\n---\n')).toBeDefined();
    expect(page!.text).toContain('SIM-80');
    expect(page!.barcodes.map((b) => b.data)).toContain('TILLTAP-TEST');
  });

  it('without --printer lists the serial ports (SerialPort.list) and USB printers', async () => {
    const r = await runCli(['doctor', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Array.isArray(doc.serial_ports)).toBe(true);
    expect(Array.isArray(doc.usblp)).toBe(true);
    const t = await runCli(['doctor']);
    expect(t.stdout).toMatch(/^Serial ports:/);
    expect(t.stdout).toMatch(/tilltap doctor --printer/);
  });

  it('bad usage is exit 2', async () => {
    expect((await runCli(['doctor', '--printer', 'file:/tmp/x'])).code).toBe(2);
    expect((await runCli(['doctor', '--printer', 'tcp://127.0.0.1:9100', '--timeout', 'soon'])).code).toBe(2);
    expect((await runCli(['doctor', '--printer', 'nonsense'])).code).toBe(2);
  });
});
