/** Shared by the store tests: real temp directories (WAL needs a real file), small receipts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { JsonReceipt } from '../../src/receipt/render/json.js';
import { Store } from '../../src/store/index.js';

const dirs: string[] = [];
const open: Store[] = [];

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tilltap-store-'));
  dirs.push(d);
  return d;
}

/** Open a store that is closed after the test (closing twice is fine). */
export function openStore(dir = tempDir()): Store {
  const s = Store.open(dir);
  open.push(s);
  return s;
}

export function jsonReceipt(start: number, end: number, text = 'TOTAL 1.00\n'): JsonReceipt {
  return {
    seq: 0,
    text,
    lines: [],
    barcodes: [],
    images: [],
    cut: 'partial',
    bytes: { start, end },
    fields: {},
    warnings: [],
  };
}

export const T0 = Date.parse('2026-03-01T10:00:00+08:00');

/** Begin a session and journal `bytes` to the printer, in one chunk. */
export function journal(store: Store, session: string, bytes: Uint8Array | string, printer = 'front'): void {
  store.beginSession({ session, printer, peer: '127.0.0.1:50000', t: T0 });
  store.appendChunk(printer, { session, dir: 'to-printer', bytes: Buffer.from(bytes), t: T0 });
}
