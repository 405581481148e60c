import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { Store } from '../../src/store/index.js';
import { ReceiptDecoder } from '../../src/receipt/decoder.js';
import { receiptToJson } from '../../src/receipt/render/json.js';

const BIN = resolve(import.meta.dirname, '../../dist/src/cli/main.js');
const tilltap = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const data = mkdtempSync(join(tmpdir(), 'tilltap-receipts-'));
const bytes = Buffer.concat([
  new EscPosBuilder().init().cjk(true).line('商户编号:898310048161234').line('终端编号:10086001').line('凭证号:000001').line('金额:RMB 12.00').cut().build(),
  new EscPosBuilder().init().line('CORNER SHOP').line('RECEIPT NO: 0042').line('TOTAL        3.40').line('Note: "quoted", with commas').cut().build(),
]);

beforeAll(() => {
  // What an agent leaves behind: a journaled session and its receipts.
  const store = Store.open(data);
  store.beginSession({ session: 's-1', printer: 'counter-1', peer: 'pos', t: Date.now() });
  store.appendChunk('counter-1', { dir: 'to-printer', bytes, t: Date.now(), session: 's-1' });
  const d = new ReceiptDecoder();
  for (const r of [...d.push(bytes), ...d.end()]) {
    store.commitReceipt({ session: 's-1', printer: 'counter-1', start: r.bytes.start, end: r.bytes.end, capturedAt: '2026-11-20T09:10:00+08:00', receipt: receiptToJson(r), printStatus: 'ok' });
  }
  store.endSession('s-1', Date.now());
  store.close();
});

describe('tilltap receipts', () => {
  it('list --json is the contract array, oldest first', () => {
    const r = tilltap(['receipts', 'list', '--json', '--data', data]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ captured_at: '2026-11-20T09:10:00+08:00', printer: 'counter-1', print_status: 'ok', synced: false, seq: 0 });
    expect(list[0].fields).toMatchObject({ template: 'unionpay', trace_no: '000001', amount_minor: 1200 });
    expect(typeof list[0].id).toBe('string');
    expect(list[0].text).toContain('凭证号:000001');
    expect(list[1].fields.receipt_no).toBe('0042');
  });

  it('list (text), show by id prefix, and a clear error for an unknown id', () => {
    const text = tilltap(['receipts', 'list', '--data', data]);
    expect(text.stdout).toMatch(/2 receipts/);
    const id = JSON.parse(tilltap(['receipts', 'list', '--json', '--data', data]).stdout)[0].id as string;
    const show = tilltap(['receipts', 'show', id.slice(0, 8), '--data', data]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('trace_no: 000001');
    expect(JSON.parse(tilltap(['receipts', 'show', id, '--json', '--data', data]).stdout).id).toBe(id);
    const bad = tilltap(['receipts', 'show', 'ffffffff', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('export writes CSV (quoted properly) and JSON Lines', () => {
    const out = join(data, 'export.csv');
    expect(tilltap(['receipts', 'export', '--data', data, '--out', out]).code).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^id,device_seq,captured_at,printer/);
    expect(csv).toContain('"CORNER SHOP');
    expect(csv).toContain('""quoted""');
    const jsonl = tilltap(['receipts', 'export', '--format', 'jsonl', '--data', data]).stdout.trim().split('\n');
    expect(jsonl.map((l) => JSON.parse(l).fields.template)).toEqual(['unionpay', 'retail']);
    expect(tilltap(['receipts', 'export', '--format', 'xml', '--data', data]).code).toBe(2);
  });

  it('redecode goes over the journal again and keeps the ids', () => {
    const before = JSON.parse(tilltap(['receipts', 'list', '--json', '--data', data]).stdout).map((r: { id: string }) => r.id);
    const r = tilltap(['receipts', 'redecode', '--json', '--data', data]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ sessions: 1, receipts_changed: 0, receipts_unchanged: 2, receipts_added: 0 });
    expect(JSON.parse(tilltap(['receipts', 'list', '--json', '--data', data]).stdout).map((x: { id: string }) => x.id)).toEqual(before);
  });
});
