/** Shared by the sync tests: stores full of receipts, fast settings, waiting for a condition. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { JsonReceipt } from '../../src/receipt/render/json.js';
import { Store } from '../../src/store/index.js';
import type { SyncLog, SyncSettings } from '../../src/sync/index.js';

const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Run after the test (in reverse order of registration). */
export function later(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

export function tempDir(prefix = 'tilltap-sync-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  later(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export function openStore(dir: string): Store {
  const s = Store.open(dir);
  later(() => s.close());
  return s;
}

export function jsonReceipt(no: number, text = `RECEIPT ${no}\nTOTAL ${no}.00\n`): JsonReceipt {
  return {
    seq: 0,
    text,
    lines: [],
    barcodes: [],
    images: [],
    cut: 'partial',
    bytes: { start: no * 10, end: no * 10 + 10 },
    fields: { receipt_no: String(no), total_minor: no * 100, currency: 'CNY' },
    warnings: [],
  } as JsonReceipt;
}

let sessionNo = 0;

/** Commit `n` receipts in one session (one transaction); returns their ids in capture order. */
export function addReceipts(store: Store, n: number, printer = 'front'): string[] {
  const session = `sess-${process.pid}-${++sessionNo}`;
  const t = Date.now();
  const ids: string[] = [];
  store.db.transaction(() => {
    store.beginSession({ session, printer, peer: '127.0.0.1:50000', t });
    store.appendChunk(printer, { session, dir: 'to-printer', bytes: Buffer.alloc(n * 10, 0x41), t });
    for (let k = 0; k < n; k++) {
      const r = store.commitReceipt({
        session,
        printer,
        start: k * 10,
        end: k * 10 + 10,
        capturedAt: new Date(t + k).toISOString(),
        receipt: jsonReceipt(k),
        printStatus: 'ok',
      });
      ids.push(r!.id);
    }
    store.endSession(session, t);
  })();
  return ids;
}

/** Small and fast: the tests exercise the logic, not the production waits. */
export const FAST: SyncSettings = {
  intervalMs: 50,
  batchSize: 100,
  batchBytes: 1024 * 1024,
  gzip: true,
  backoff: { baseMs: 20, maxMs: 200 },
  hold: { baseMs: 400, maxMs: 2000 },
};

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

export function memoryLog(): SyncLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg = '') => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg = '') => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg = '') => lines.push({ level: 'error', obj, msg }),
  };
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Record `n` printer health changes (paper ok/out alternating, a minute apart); returns their ids. */
export function addHealthEvents(store: Store, n: number, printer = 'front'): string[] {
  const t0 = Date.now() - n * 60_000;
  const ids: string[] = [];
  for (let k = 0; k < n; k++) {
    const state = k % 2 === 0 ? 'out' : 'ok';
    for (const e of store.appendHealthEvents(printer, [{ kind: 'paper', state, previous: null, at: t0 + k * 60_000, durationMs: null, detail: null }])) ids.push(e.id);
  }
  return ids;
}
