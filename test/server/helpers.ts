/**
 * Shared by the server tests: real databases (SQLite files in temp directories, PostgreSQL
 * schemas in the test run's cluster: backends.ts), receipts decoded from bytes
 * made by tilltap's own encoder, and protocol bodies (docs/sync-protocol.md) built from them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { receiptToJson, type JsonReceipt } from '../../src/receipt/render/json.js';
import { buildApp, type AppLimits } from '../../src/server/app.js';
import { openStorage as open, parseDbUrl } from '../../src/server/storage/open.js';
import { SqliteStorage } from '../../src/server/storage/sqlite/index.js';
import type { Storage } from '../../src/server/storage/types.js';
import { makeToken } from '../../src/server/tokens.js';
import { canonicalJson, sha256Hex } from '../../src/store/canonical.js';

const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tilltap-server-'));
  dirs.push(d);
  return d;
}

/** A server database on a real SQLite file, closed after the test. */
export function openSqlite(file = join(tempDir(), 'server.db')): SqliteStorage {
  const s = SqliteStorage.open(file);
  closers.push(() => s.close());
  return s;
}

/** The storage `--db` names (a file path or a postgres:// URL), as the server opens it; closed after the test. */
export async function openDb(db: string): Promise<Storage> {
  const s = await open(parseDbUrl(db));
  closers.push(() => s.close());
  return s;
}

/** Run after the test, before temp directories are removed (for a test's own servers and clients). */
export function afterThisTest(close: () => Promise<void>): void {
  closers.push(close);
}

/** Log lines the app wrote, parsed (to check what was logged at warn, and that nothing leaked). */
export interface LogCapture {
  readonly lines: Array<Record<string, unknown> & { level: number; msg: string }>;
}

/** The app on a fresh database of `backend` (a `{ fresh() }` of backends.ts), or on `storage`. */
export async function makeApp(
  opts: { storage?: Storage; backend?: { fresh(): Promise<string> }; limits?: AppLimits } = {},
): Promise<{ app: FastifyInstance; storage: Storage; logs: LogCapture }> {
  const storage = opts.storage ?? (opts.backend ? await openDb(await opts.backend.fresh()) : openSqlite());
  const logs: LogCapture = { lines: [] };
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) logs.lines.push(JSON.parse(l));
      cb();
    },
  });
  const app = await buildApp({ storage, logger: pino({ level: 'debug' }, sink), version: '9.9.9', ...(opts.limits ? { limits: opts.limits } : {}) });
  closers.push(() => app.close());
  return { app, storage, logs };
}

export async function deviceToken(storage: Storage, store = 'S001'): Promise<{ id: string; secret: string }> {
  const t = makeToken('device');
  await storage.tokens.create({ id: t.id, hash: t.hash, role: 'device', store, createdAt: new Date().toISOString() });
  return { id: t.id, secret: t.secret };
}

export async function userToken(storage: Storage, name = 'finance'): Promise<{ id: string; secret: string }> {
  const t = makeToken('user');
  await storage.tokens.create({ id: t.id, hash: t.hash, role: 'user', name, createdAt: new Date().toISOString() });
  return { id: t.id, secret: t.secret };
}

/** A UnionPay slip and a retail receipt, decoded as the agent decodes them. */
export function decodedReceipts(n: number): JsonReceipt[] {
  const out: JsonReceipt[] = [];
  for (let i = 0; i < n; i++) {
    const bytes =
      i % 2 === 0
        ? new EscPosBuilder()
            .init()
            .cjk(true)
            .line('商户名称:测试商户')
            .line('商户编号:898310048161234')
            .line('终端编号:10086001')
            .line(`凭证号:${String(i + 1).padStart(6, '0')}`)
            .line(`金额:RMB ${(i + 1) * 3}.00`)
            .cut()
            .build()
        : new EscPosBuilder().init().line('CORNER SHOP').line(`RECEIPT NO: ${String(i).padStart(4, '0')}`).line(`TOTAL        ${i}.40`).cut().build();
    const r = decodeBuffer(bytes).receipts[0]!;
    out.push(receiptToJson(r));
  }
  return out;
}

export interface ReceiptItem {
  id: string;
  seq: number;
  revision: number;
  sha256: string;
  captured_at: string;
  printer: string;
  print_status: 'ok' | 'suspect' | 'failed';
  print_reason: string | null;
  receipt: JsonReceipt;
}

export function item(receipt: JsonReceipt, over: Partial<ReceiptItem> = {}): ReceiptItem {
  return {
    id: randomUUID(),
    seq: 1,
    revision: 0,
    sha256: sha256Hex(canonicalJson(receipt)),
    captured_at: '2026-11-20T09:10:00+08:00',
    printer: 'front',
    print_status: 'ok',
    print_reason: null,
    receipt,
    ...over,
  };
}

export const DEVICE = '0b8f2a5e-1111-4c1e-9d7a-3f6c9a1e0001';

export function device(over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return { id: DEVICE, terminal: 'T01', version: '0.1.0', clock: new Date(now).toISOString(), clock_ms: now, ...over };
}

export function receiptsBody(items: readonly ReceiptItem[], dev: Record<string, unknown> = device()): Record<string, unknown> {
  return { device: dev, receipts: items };
}
