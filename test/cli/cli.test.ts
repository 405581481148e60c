import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { toJsonDocument } from '../../src/receipt/render/json.js';

// The CLI as a user runs it: the built bin (`npm test` builds first).
const BIN = resolve(import.meta.dirname, '../../dist/src/cli/main.js');

function tilltap(args: string[], input?: Uint8Array, nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, BIN, ...args], { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'tilltap-cli-'));
const capture = join(tmp, 'shop.bin');
writeFileSync(
  capture,
  new EscPosBuilder().init().align('center').size(2, 2).line('SHOP').size(1, 1).align('left').line('TOTAL 12.50')
    .pollStatus(1).barcode('ean13', '4006381333931').qr('https://example.com/r').cut('full').line().build(),
);

describe('tilltap decode', () => {
  it('prints paper-like text by default', () => {
    const r = tilltap(['decode', capture]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ +S H O P$/m);
    expect(r.stdout).toContain('TOTAL 12.50');
    expect(r.stdout).toContain('[ean13: 4006381333931]');
    expect(r.stdout).toContain('full cut');
  });

  it('--json gives the contract document', () => {
    const r = tilltap(['decode', capture, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.receipts).toHaveLength(1);
    const receipt = doc.receipts[0];
    expect(receipt).toMatchObject({
      seq: 0,
      text: 'SHOP\nTOTAL 12.50\n',
      cut: 'full',
      fields: {},
      barcodes: [
        { symbology: 'ean13', data: '4006381333931' },
        { symbology: 'qr', data: 'https://example.com/r' },
      ],
    });
    expect(receipt.lines[0]).toEqual({ text: 'SHOP', align: 'center', bold: false, underline: 0, invert: false, width: 2, height: 2 });
    expect(receipt.bytes.start).toBe(0);
    expect(doc.status).toEqual([{ offset: expect.any(Number), query: 'DLE EOT 1' }]);
    expect(Array.isArray(doc.warnings)).toBe(true);
    expect(tilltap(['decode', capture, '--format', 'json']).stdout).toBe(r.stdout);
  });

  it('--json written receipt by receipt is exactly the document of the library', () => {
    const b = new EscPosBuilder();
    for (let i = 0; i < 5; i++) b.line(`receipt ${i}`).pollStatus(1).cut();
    b.bytes(Uint8Array.of(0x1d, 0x76, 0x30, 0, 1, 0)); // ends inside a command: a document warning
    const path = join(tmp, 'five.bin');
    writeFileSync(path, b.build());
    const expected = `${JSON.stringify(toJsonDocument(decodeBuffer(b.build())), null, 2)}\n`;
    expect(tilltap(['decode', path, '--json']).stdout).toBe(expected);
    const empty = join(tmp, 'empty.bin');
    writeFileSync(empty, new Uint8Array(0));
    expect(tilltap(['decode', empty, '--json']).stdout).toBe(`${JSON.stringify({ receipts: [], status: [], warnings: [] }, null, 2)}\n`);
  });

  it('memory does not grow with the capture: 50 MB decode in a 40 MB heap', () => {
    const one = new EscPosBuilder().init().align('center').line('SHOP').align('left');
    for (let i = 0; i < 30; i++) one.line(`Item ${i} ................ 1 x 2.50`);
    const receipt = Buffer.from(one.cut().build());
    const big = join(tmp, 'big.bin');
    writeFileSync(big, Buffer.concat(Array(Math.ceil(50e6 / receipt.length)).fill(receipt)));
    for (const format of ['text', 'json']) {
      const r = spawnSync(process.execPath, ['--max-old-space-size=40', BIN, 'decode', big, '--format', format], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('reads standard input with - or no file', () => {
    const input = new EscPosBuilder().line('from stdin').build();
    expect(JSON.parse(tilltap(['decode', '-', '--json'], input).stdout).receipts[0].text).toBe('from stdin\n');
    expect(tilltap(['decode'], input).stdout).toContain('from stdin');
  });

  it('--format html writes one HTML document', () => {
    const r = tilltap(['decode', capture, '--format', 'html']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>/i);
    expect(r.stdout).toContain('SHOP');
  });

  it('--profile and --encoding are honoured and validated', () => {
    const big5 = join(tmp, 'big5.bin');
    writeFileSync(big5, new EscPosBuilder().cjk(true, 'big5').line('統一發票').build());
    expect(JSON.parse(tilltap(['decode', big5, '--json', '--profile', 'epson', '--encoding', 'big5']).stdout).receipts[0].text).toBe('統一發票\n');
    const bad = tilltap(['decode', capture, '--profile', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/unknown profile "nope"/);
    expect(tilltap(['decode', capture, '--encoding', 'klingon']).code).toBe(2);
    expect(tilltap(['decode', capture, '--format', 'pdf']).code).toBe(2);
  });

  it('a missing or unreadable file is exit 2 with a one-line error and no stack trace', () => {
    for (const path of [join(tmp, 'missing.bin'), tmp]) {
      const r = tilltap(['decode', path]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^tilltap: cannot read /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
  });

  it('--debug adds the stack trace', () => {
    const r = tilltap(['--debug', 'decode', join(tmp, 'missing.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('unknown options and commands are exit 2; --help is exit 0', () => {
    expect(tilltap(['decode', capture, '--bogus']).code).toBe(2);
    expect(tilltap(['frobnicate']).code).toBe(2);
    const help = tilltap(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('decode');
    expect(tilltap(['decode', '--help']).code).toBe(0);
  });
});

describe('tilltap run: bad usage', () => {
  it('is exit 2 with one line naming what is wrong', () => {
    for (const [args, why] of [
      [[], /no printer/],
      [['--listen', 'http://x'], /listen: a device URI/],
      [['--listen', 'tcp://127.0.0.1:0', '--printer', 'tcp://127.0.0.1:0'], /port 0 is not a printer's port/],
      [['--config', join(tmp, 'missing.yaml')], /cannot read/],
    ] as const) {
      const r = tilltap(['run', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(why);
    }
  });
});

describe('tilltap demo', () => {
  it('decodes its own sample captures and shows them as paper', () => {
    const out = join(tmp, 'samples');
    const r = tilltap(['demo', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('商户存根 MERCHANT COPY');
    expect(r.stdout).toContain('参考号(REFER NO.):317080478227');
    expect(r.stdout).toContain('C O R N E R   M A R K E T');
    expect(r.stdout).toContain('€ 13.03');
    expect(r.stdout).toContain('[ean13: 4006381333931]');
    expect(r.stdout).toMatch(/Done: 3 captures, 2 receipts decoded, 2 captured by the agent, 2 synced to head office, 1 discrepancy explained/);
    expect(r.stdout).toContain('(byte-exact)');
    // Head office: the captured sale matched its statement row; the one that never printed is explained.
    expect(r.stdout).toMatch(/Statement: 2 transaction\(s\); 1 matched to a printed receipt; 1 discrepancy:/);
    expect(r.stdout).toMatch(/- missing_receipt: Terminal 10086001, \d\d:\d\d, sale ¥56\.50 \(RRN 317080479901\): on the statement, no receipt captured/);
    // The server's database is left for the user: `reconcile` lists the same discrepancy.
    const db = /SQLite (\S+server\.db)\)/.exec(r.stdout)![1]!;
    const rec = JSON.parse(tilltap(['reconcile', 'list', '--db', db, '--json']).stdout);
    expect(rec.discrepancies.map((d: { kind: string }) => d.kind)).toEqual(['missing_receipt']);
    // The written captures decode the same way through `decode`.
    const slip = JSON.parse(tilltap(['decode', join(out, 'unionpay-slip.bin'), '--json']).stdout);
    expect(slip.receipts[0].text).toContain('金额(AMOUNT):\nRMB 128.00\n');
  });
});
