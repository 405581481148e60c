import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SERVER_MIGRATIONS } from '../../src/server/storage/sqlite/migrations.js';
import { SqliteStorage } from '../../src/server/storage/sqlite/index.js';
import type { IncomingReceipt, IngestContext, ReceiptIngestResult, StoredAnswer } from '../../src/server/storage/types.js';
import { makeToken } from '../../src/server/tokens.js';
import { openStorage, tempDir } from './helpers.js';

const NOW = '2026-11-28T08:00:00.000Z';

function ctx(over: Partial<IngestContext> = {}): IngestContext {
  return {
    store: 'S001',
    device: { id: 'dev-1', terminal: 'T01', version: '0.1.0', clockOffsetMs: 1500, seenAt: NOW },
    receivedAt: NOW,
    idempotency: null,
    ...over,
  };
}

function receipt(id: string, over: Partial<IncomingReceipt> = {}): IncomingReceipt {
  return {
    id,
    seq: 1,
    revision: 0,
    sha256: 'a'.repeat(64),
    capturedAt: '2026-11-20T09:10:00+08:00',
    capturedMs: Date.parse('2026-11-20T09:10:00+08:00'),
    localDate: '2026-11-20',
    printer: 'front',
    printStatus: 'ok',
    printReason: null,
    terminalId: '10086001',
    merchantId: '898310048161234',
    json: '{"text":"TOTAL 1.00\\n"}',
    ...over,
  };
}

const answer = (r: ReceiptIngestResult): StoredAnswer => ({ status: r.conflicts.length ? 409 : 200, body: JSON.stringify(r) });

async function withStore(storage: SqliteStorage, store = 'S001'): Promise<void> {
  const t = makeToken('device');
  await storage.tokens.create({ id: t.id, hash: t.hash, role: 'device', store, createdAt: NOW });
}

describe('SQLite server storage', () => {
  it('creates the file in WAL mode with synchronous=FULL at the latest schema version, and reopens it', async () => {
    const file = join(tempDir(), 'nested', 'server.db');
    const s = SqliteStorage.open(file);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(s.db.pragma('user_version', { simple: true })).toBe(SERVER_MIGRATIONS.at(-1)!.version);
    await withStore(s);
    await s.receipts.ingest(ctx(), [receipt('r-1')], answer);
    await s.close();
    await s.close();
    const again = openStorage(file);
    expect((await again.receipts.list()).map((r) => r.id)).toEqual(['r-1']);
    expect(await again.ping()).toBe(true);
  });

  it('refuses a file from a newer tilltap', async () => {
    const file = join(tempDir(), 'server.db');
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => SqliteStorage.open(file)).toThrow(/newer/);
  });

  it('tokens: stored hashed, found by hash, listed, revoked once', async () => {
    const s = openStorage();
    const d = makeToken('device');
    const u = makeToken('user');
    await s.tokens.create({ id: d.id, hash: d.hash, role: 'device', store: 'S001', createdAt: NOW });
    await s.tokens.create({ id: u.id, hash: u.hash, role: 'user', name: 'finance', createdAt: NOW });
    const rows = s.db.prepare('SELECT * FROM tokens').all() as Array<Record<string, unknown>>;
    expect(JSON.stringify(rows)).not.toContain(d.secret);
    expect(JSON.stringify(rows)).not.toContain(u.secret);
    expect(await s.tokens.findByHash(d.hash)).toMatchObject({ id: d.id, role: 'device', store: 'S001', revokedAt: null });
    expect(await s.tokens.findByHash(u.hash)).toMatchObject({ id: u.id, role: 'user', name: 'finance', store: null });
    expect(await s.tokens.findByHash('0'.repeat(64))).toBeNull();
    expect((await s.stores.list()).map((x) => x.id)).toEqual(['S001']);
    expect(await s.tokens.revoke(d.id, NOW)).toBe('revoked');
    expect(await s.tokens.revoke(d.id, NOW)).toBe('already-revoked');
    expect(await s.tokens.revoke('nope', NOW)).toBe('unknown');
    expect((await s.tokens.findByHash(d.hash))!.revokedAt).toBe(NOW);
    expect((await s.tokens.list()).map((t) => t.id).sort()).toEqual([d.id, u.id].sort());
    await expect(s.tokens.create({ id: 'x', hash: d.hash, role: 'user', name: 'dup', createdAt: NOW })).rejects.toThrow(/UNIQUE/);
  });

  it('ingest: accept, duplicate, revise (history kept), conflict (logged), in one call', async () => {
    const s = openStorage();
    await withStore(s);
    await s.receipts.ingest(ctx(), [receipt('a'), receipt('b'), receipt('c')], answer);
    const out = await s.receipts.ingest(
      ctx({ receivedAt: '2026-11-28T09:00:00.000Z' }),
      [
        receipt('a'),
        receipt('b', { revision: 1, sha256: 'b'.repeat(64), json: '{"v":1}' }),
        receipt('c', { revision: 0, sha256: 'c'.repeat(64) }),
        receipt('d'),
      ],
      answer,
    );
    expect(out.kind).toBe('fresh');
    if (out.kind !== 'fresh') return;
    expect(out.result.accepted).toEqual(['d']);
    expect(out.result.duplicates).toEqual(['a']);
    expect(out.result.revised).toEqual([{ id: 'b', from: 0, to: 1 }]);
    expect(out.result.conflicts).toEqual([
      { id: 'c', reason: 'revision-not-higher', sent: { revision: 0, sha256: 'c'.repeat(64) }, held: { store: 'S001', device: 'dev-1', revision: 0, sha256: 'a'.repeat(64) } },
    ]);
    expect(out.answer.status).toBe(409);
    expect(await s.receipts.get('b')).toMatchObject({ revision: 1, json: '{"v":1}', receivedAt: '2026-11-28T09:00:00.000Z' });
    expect(await s.receipts.revisions('b')).toMatchObject([{ revision: 0, sha256: 'a'.repeat(64), replacedAt: '2026-11-28T09:00:00.000Z' }]);
    expect((await s.receipts.get('c'))!.sha256).toBe('a'.repeat(64));
    const conflicts = await s.receipts.conflicts();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ receiptId: 'c', reason: 'revision-not-higher', sha256: 'c'.repeat(64), heldSha256: 'a'.repeat(64) });
  });

  it('the same id from another store or device is a conflict even with a higher revision', async () => {
    const s = openStorage();
    await withStore(s, 'S001');
    await withStore(s, 'S002');
    await s.receipts.ingest(ctx(), [receipt('a')], answer);
    const other = await s.receipts.ingest(ctx({ store: 'S002' }), [receipt('a', { revision: 3, sha256: 'f'.repeat(64) })], answer);
    const dev = await s.receipts.ingest(ctx({ device: { ...ctx().device, id: 'dev-2' } }), [receipt('a', { revision: 3, sha256: 'e'.repeat(64) })], answer);
    for (const o of [other, dev]) expect(o.kind === 'fresh' && o.result.conflicts.map((c) => c.reason)).toEqual(['other-device']);
    expect((await s.receipts.get('a'))!.store).toBe('S001');
  });

  it('idempotency: a claim answered once replays, another fingerprint is key-reused, keys are per token; prune forgets old ones', async () => {
    const s = openStorage();
    await withStore(s);
    const claim = { tokenId: 't1', scope: 'receipts' as const, key: 'k', fingerprint: 'f1' };
    const first = await s.receipts.ingest(ctx({ idempotency: claim }), [receipt('a')], answer);
    expect(first.kind).toBe('fresh');
    const replay = await s.receipts.ingest(ctx({ idempotency: claim }), [receipt('a'), receipt('zzz')], answer);
    expect(replay).toEqual({ kind: 'replay', answer: first.kind === 'fresh' ? first.answer : null });
    expect(await s.receipts.get('zzz')).toBeNull();
    expect((await s.receipts.ingest(ctx({ idempotency: { ...claim, fingerprint: 'f2' } }), [receipt('b')], answer)).kind).toBe('key-reused');
    expect(await s.receipts.get('b')).toBeNull();
    expect((await s.receipts.ingest(ctx({ idempotency: { ...claim, tokenId: 't2', fingerprint: 'f2' } }), [receipt('b')], answer)).kind).toBe('fresh');
    expect(await s.idempotency.prune('2026-11-28T07:00:00.000Z')).toBe(0);
    expect(await s.idempotency.prune('2026-11-29T00:00:00.000Z')).toBe(2);
    expect((await s.receipts.ingest(ctx({ idempotency: { ...claim, fingerprint: 'f3' } }), [receipt('c')], answer)).kind).toBe('fresh');
  });

  it('a batch is all or nothing: a failure part way leaves no receipt, no key, no device', async () => {
    const s = openStorage();
    await withStore(s);
    const claim = { tokenId: 't1', scope: 'receipts' as const, key: 'k', fingerprint: 'f1' };
    // The second receipt breaks a CHECK constraint after the first was inserted in the same transaction.
    const bad = receipt('b', { printStatus: 'printed' as 'ok' });
    await expect(s.receipts.ingest(ctx({ idempotency: claim }), [receipt('a'), bad], answer)).rejects.toThrow(/CHECK/);
    expect(await s.receipts.list()).toEqual([]);
    expect(await s.devices.list()).toEqual([]);
    expect((await s.receipts.ingest(ctx({ idempotency: claim }), [receipt('a')], answer)).kind).toBe('fresh');
  });

  it('lists oldest first by capture instant across zones, filters by store and local date, pages', async () => {
    const s = openStorage();
    await withStore(s, 'S001');
    await withStore(s, 'S002');
    const at = (id: string, iso: string, seq: number) => receipt(id, { capturedAt: iso, capturedMs: Date.parse(iso), localDate: iso.slice(0, 10), seq });
    // 09:00+08:00 is 01:00Z, before 02:00Z; the local date of 23:30-05:00 is the 19th.
    await s.receipts.ingest(ctx(), [at('late', '2026-11-20T02:00:00Z', 1), at('early', '2026-11-20T09:00:00+08:00', 2), at('west', '2026-11-19T23:30:00-05:00', 3)], answer);
    await s.receipts.ingest(ctx({ store: 'S002' }), [at('other', '2026-11-20T09:30:00+08:00', 1)], answer);
    expect((await s.receipts.list()).map((r) => r.id)).toEqual(['early', 'other', 'late', 'west']);
    expect((await s.receipts.list({ store: 'S001' })).map((r) => r.id)).toEqual(['early', 'late', 'west']);
    expect((await s.receipts.list({ date: '2026-11-19' })).map((r) => r.id)).toEqual(['west']);
    expect((await s.receipts.list({ store: 'S001', date: '2026-11-20' })).map((r) => r.id)).toEqual(['early', 'late']);
    expect((await s.receipts.list({ limit: 2, offset: 1 })).map((r) => r.id)).toEqual(['other', 'late']);
  });

  it('devices: one row per store and device, the last sighting wins', async () => {
    const s = openStorage();
    await withStore(s);
    await s.receipts.ingest(ctx(), [], answer);
    await s.receipts.ingest(ctx({ device: { id: 'dev-1', terminal: null, version: '0.2.0', clockOffsetMs: -250, seenAt: '2026-11-28T10:00:00.000Z' } }), [], answer);
    expect(await s.devices.list()).toEqual([
      { store: 'S001', id: 'dev-1', terminal: null, version: '0.2.0', firstSeen: NOW, lastSeen: '2026-11-28T10:00:00.000Z', clockOffsetMs: -250, clockAt: '2026-11-28T10:00:00.000Z' },
    ]);
  });
});
