import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DbOpenError, openStorage, parseDbUrl } from '../../src/server/storage/open.js';
import { PG_SERVER_MIGRATIONS } from '../../src/server/storage/postgres/migrations.js';
import { PostgresStorage } from '../../src/server/storage/postgres/index.js';
import { migrate } from '../../src/server/storage/postgres/migrate.js';
import { createPool } from '../../src/server/storage/postgres/pool.js';
import { SERVER_MIGRATIONS } from '../../src/server/storage/sqlite/migrations.js';
import { openServerDatabase } from '../../src/server/storage/sqlite/db.js';
import { SqliteStorage } from '../../src/server/storage/sqlite/index.js';
import type { IncomingHealthEvent, IncomingReceipt, IngestContext, ReceiptIngestResult, Storage, StoredAnswer } from '../../src/server/storage/types.js';
import { makeToken } from '../../src/server/tokens.js';
import { freshPgSchemaUrl, pgQuery, postgres } from '../helpers/postgres.js';
import { BACKENDS, describeBackends, tableRows } from './backends.js';
import { openDb, openSqlite, tempDir } from './helpers.js';

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

function event(id: string, over: Partial<IncomingHealthEvent> = {}): IncomingHealthEvent {
  return {
    id,
    seq: 1,
    printer: 'front',
    at: '2026-11-20T14:01:07.120+08:00',
    atMs: Date.parse('2026-11-20T14:01:07.120+08:00'),
    kind: 'paper',
    state: 'out',
    previous: 'ok',
    durationMs: null,
    detail: null,
    ...over,
  };
}

const answer = (r: ReceiptIngestResult): StoredAnswer => ({ status: r.conflicts.length ? 409 : 200, body: JSON.stringify(r) });
const fresh = <R>(o: { kind: string; result?: R }): R => {
  expect(o.kind).toBe('fresh');
  return o.result!;
};

async function withStore(storage: Storage, store = 'S001'): Promise<void> {
  const t = makeToken('device');
  await storage.tokens.create({ id: t.id, hash: t.hash, role: 'device', store, createdAt: NOW });
}

describeBackends('server storage', (backend) => {
  const open = async (): Promise<Storage> => openDb(await backend.fresh());

  it('reopens with what was stored; close is safe twice; ping', async () => {
    const db = await backend.fresh();
    const s = await openDb(db);
    expect(s.kind).toBe(backend.name);
    expect(await s.ping()).toBe(true);
    await withStore(s);
    await s.receipts.ingest(ctx(), [receipt('r-1')], answer);
    await s.close();
    await s.close();
    expect(await s.ping()).toBe(false);
    const again = await openDb(db);
    expect((await again.receipts.list()).map((r) => r.id)).toEqual(['r-1']);
    expect(await again.ping()).toBe(true);
  });

  it('receipt_fields: each receipt written beside it as the matcher reads it, and again when revised', async () => {
    const s = await open();
    await withStore(s);
    const fields = { merchant_id: '898310048161234', terminal_id: '10086001', amount_minor: 100 };
    await s.receipts.ingest(ctx(), [receipt('a', { json: JSON.stringify({ fields, lines: [{ text: 'x'.repeat(500) }] }) }), receipt('b', { fieldsJson: '{"amount_minor":7}' })], answer);
    await s.receipts.ingest(ctx(), [receipt('a', { revision: 1, sha256: 'b'.repeat(64), printer: 'back', json: JSON.stringify({ fields: { ...fields, amount_minor: 200 } }) })], answer);
    const rows = (await tableRows(s, 'receipt_fields')).sort((x, y) => String(x.id).localeCompare(String(y.id)));
    expect(rows.map((r) => ({ ...r, fields: JSON.parse(r.fields as string) as unknown }))).toEqual([
      { id: 'a', store: 'S001', local_date: '2026-11-20', device: 'dev-1', terminal: 'T01', printer: 'back', captured_at: '2026-11-20T09:10:00+08:00', print_status: 'ok', print_reason: null, fields: { ...fields, amount_minor: 200 } },
      { id: 'b', store: 'S001', local_date: '2026-11-20', device: 'dev-1', terminal: 'T01', printer: 'front', captured_at: '2026-11-20T09:10:00+08:00', print_status: 'ok', print_reason: null, fields: { amount_minor: 7 } },
    ]);
  });

  it('tokens: stored hashed, found by hash, listed, revoked once', async () => {
    const s = await open();
    const d = makeToken('device');
    const u = makeToken('user');
    await s.tokens.create({ id: d.id, hash: d.hash, role: 'device', store: 'S001', createdAt: NOW });
    await s.tokens.create({ id: u.id, hash: u.hash, role: 'user', name: 'finance', createdAt: NOW });
    const rows = await tableRows(s, 'tokens');
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain(d.secret);
    expect(JSON.stringify(rows)).not.toContain(u.secret);
    expect(await s.tokens.findByHash(d.hash)).toMatchObject({ id: d.id, role: 'device', store: 'S001', revokedAt: null });
    expect(await s.tokens.findByHash(u.hash)).toMatchObject({ id: u.id, role: 'user', name: 'finance', store: null });
    expect(await s.tokens.findByHash('0'.repeat(64))).toBeNull();
    expect(await s.stores.list()).toEqual([{ id: 'S001', createdAt: NOW }]);
    expect(await s.tokens.revoke(d.id, NOW)).toBe('revoked');
    expect(await s.tokens.revoke(d.id, NOW)).toBe('already-revoked');
    expect(await s.tokens.revoke('nope', NOW)).toBe('unknown');
    expect((await s.tokens.findByHash(d.hash))!.revokedAt).toBe(NOW);
    expect((await s.tokens.list()).map((t) => t.id).sort()).toEqual([d.id, u.id].sort());
    await expect(s.tokens.create({ id: 'x', hash: d.hash, role: 'user', name: 'dup', createdAt: NOW })).rejects.toThrow(/unique/i);
    // The failed create left nothing behind.
    expect(await s.tokens.list()).toHaveLength(2);
  });

  it('ingest: accept, duplicate, revise (history kept), conflict (logged), in one call', async () => {
    const s = await open();
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
    const result = fresh(out);
    expect(result.accepted).toEqual(['d']);
    expect(result.duplicates).toEqual(['a']);
    expect(result.revised).toEqual([{ id: 'b', from: 0, to: 1 }]);
    expect(result.conflicts).toEqual([
      { id: 'c', reason: 'revision-not-higher', sent: { revision: 0, sha256: 'c'.repeat(64) }, held: { store: 'S001', device: 'dev-1', revision: 0, sha256: 'a'.repeat(64) } },
    ]);
    expect(out.kind === 'fresh' && out.answer.status).toBe(409);
    expect(await s.receipts.get('b')).toMatchObject({ revision: 1, json: '{"v":1}', receivedAt: '2026-11-28T09:00:00.000Z' });
    expect(await s.receipts.revisions('b')).toEqual([
      { id: 'b', revision: 0, sha256: 'a'.repeat(64), device: 'dev-1', printStatus: 'ok', printReason: null, json: '{"text":"TOTAL 1.00\\n"}', receivedAt: NOW, replacedAt: '2026-11-28T09:00:00.000Z' },
    ]);
    expect((await s.receipts.get('c'))!.sha256).toBe('a'.repeat(64));
    const conflicts = await s.receipts.conflicts();
    expect(conflicts).toEqual([
      {
        seq: expect.any(Number),
        receiptId: 'c',
        store: 'S001',
        device: 'dev-1',
        reason: 'revision-not-higher',
        revision: 0,
        sha256: 'c'.repeat(64),
        heldStore: 'S001',
        heldDevice: 'dev-1',
        heldRevision: 0,
        heldSha256: 'a'.repeat(64),
        json: '{"text":"TOTAL 1.00\\n"}',
        receivedAt: '2026-11-28T09:00:00.000Z',
      },
    ]);
    expect(await s.receipts.conflicts({ store: 'S002' })).toEqual([]);
  });

  it('an id sent several times in one batch is decided as if the copies came one after another', async () => {
    const s = await open();
    await withStore(s);
    const b = 'b'.repeat(64);
    const c = 'c'.repeat(64);
    const result = fresh(
      await s.receipts.ingest(
        ctx(),
        [
          receipt('x'), // new
          receipt('x'), // the same again
          receipt('x', { revision: 1, sha256: b }), // revised in the same batch
          receipt('x'), // the revision it replaced: a late retry
          receipt('x', { revision: 1, sha256: c }), // not higher than what is now held
          receipt('x', { revision: 2, sha256: c }), // higher
        ],
        answer,
      ),
    );
    expect(result).toEqual({
      accepted: ['x'],
      duplicates: ['x', 'x'],
      revised: [
        { id: 'x', from: 0, to: 1 },
        { id: 'x', from: 1, to: 2 },
      ],
      conflicts: [{ id: 'x', reason: 'revision-not-higher', sent: { revision: 1, sha256: c }, held: { store: 'S001', device: 'dev-1', revision: 1, sha256: b } }],
    });
    expect(await s.receipts.get('x')).toMatchObject({ revision: 2, sha256: c });
    expect((await s.receipts.revisions('x')).map((r) => [r.revision, r.sha256])).toEqual([
      [0, 'a'.repeat(64)],
      [1, b],
    ]);
    // And the old revisions are recognised from the database in a later batch.
    expect(fresh(await s.receipts.ingest(ctx(), [receipt('x', { revision: 1, sha256: b }), receipt('x')], answer)).duplicates).toEqual(['x', 'x']);
  });

  it('the same id from another store or device is a conflict even with a higher revision', async () => {
    const s = await open();
    await withStore(s, 'S001');
    await withStore(s, 'S002');
    await s.receipts.ingest(ctx(), [receipt('a')], answer);
    const other = await s.receipts.ingest(ctx({ store: 'S002' }), [receipt('a', { revision: 3, sha256: 'f'.repeat(64) })], answer);
    const dev = await s.receipts.ingest(ctx({ device: { ...ctx().device, id: 'dev-2' } }), [receipt('a', { revision: 3, sha256: 'e'.repeat(64) })], answer);
    for (const o of [other, dev]) expect(fresh(o).conflicts.map((c) => c.reason)).toEqual(['other-device']);
    expect((await s.receipts.get('a'))!.store).toBe('S001');
    expect((await s.receipts.conflicts({ store: 'S002' })).map((c) => [c.receiptId, c.heldStore])).toEqual([['a', 'S001']]);
  });

  it('idempotency: a claim answered once replays, another fingerprint is key-reused, keys are per token; prune forgets old ones', async () => {
    const s = await open();
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
    // The same key on the other route is another key.
    const health = await s.health.ingest(ctx({ idempotency: { ...claim, scope: 'health-events', fingerprint: 'f9' } }), [event('e1')], (r) => ({ status: 200, body: JSON.stringify(r) }));
    expect(health.kind).toBe('fresh');
    expect(await s.idempotency.prune('2026-11-28T07:00:00.000Z')).toBe(0);
    expect(await s.idempotency.prune('2026-11-29T00:00:00.000Z')).toBe(3);
    expect((await s.receipts.ingest(ctx({ idempotency: { ...claim, fingerprint: 'f3' } }), [receipt('c')], answer)).kind).toBe('fresh');
  });

  it('a batch is all or nothing: a failure part way leaves no receipt, no key, no device', async () => {
    const s = await open();
    await withStore(s);
    const claim = { tokenId: 't1', scope: 'receipts' as const, key: 'k', fingerprint: 'f1' };
    // The second receipt breaks a CHECK constraint after the first was inserted in the same transaction.
    const bad = receipt('b', { printStatus: 'printed' as 'ok' });
    await expect(s.receipts.ingest(ctx({ idempotency: claim }), [receipt('a'), bad], answer)).rejects.toThrow(/check/i);
    expect(await s.receipts.list()).toEqual([]);
    expect(await s.devices.list()).toEqual([]);
    expect(await tableRows(s, 'idempotency_keys')).toEqual([]);
    // A revision that fails after its archive row was written takes the archive row with it.
    await s.receipts.ingest(ctx(), [receipt('c')], answer);
    await expect(s.receipts.ingest(ctx(), [receipt('c', { revision: 1, sha256: 'd'.repeat(64), printStatus: 'gone' as 'ok' })], answer)).rejects.toThrow(/check/i);
    expect(await s.receipts.revisions('c')).toEqual([]);
    expect((await s.receipts.get('c'))!.revision).toBe(0);
    expect((await s.receipts.ingest(ctx({ idempotency: claim }), [receipt('a')], answer)).kind).toBe('fresh');
  });

  it('two batches with the same new ids at once: each id is stored once, the other batch sees it held', async () => {
    const s = await open();
    await withStore(s);
    // Two devices (the same content from another device is a duplicate too): batches of one
    // device queue behind each other on its row, these two really race. Rounds, so that they do
    // overlap at least once on a loaded machine.
    const batch = (device: string, order: string[]) => s.receipts.ingest(ctx({ device: { ...ctx().device, id: device } }), order.map((id) => receipt(id)), answer);
    await Promise.all([s.ping(), s.ping(), s.ping()]);
    for (let round = 0; round < 8; round++) {
      const ids = Array.from({ length: 40 }, (_, i) => `id-${round}-${String(i).padStart(2, '0')}`);
      const [one, two] = await Promise.all([batch('dev-1', ids), batch('dev-2', [...ids].reverse())]);
      const a = fresh(one);
      const b = fresh(two);
      // Whichever came first took every id; the other found each one held, with the same content.
      expect([...a.accepted, ...b.accepted].sort()).toEqual(ids);
      expect([...a.duplicates, ...b.duplicates].sort()).toEqual(ids);
      expect(a.accepted.length === 0 || b.accepted.length === 0).toBe(true);
    }
    expect(await s.receipts.list()).toHaveLength(8 * 40);
  });

  it('two requests with one Idempotency-Key at once: one is answered fresh, the other replays its answer', async () => {
    const s = await open();
    await withStore(s);
    await Promise.all([s.ping(), s.ping(), s.ping()]);
    for (let round = 0; round < 8; round++) {
      const claim = { tokenId: 't1', scope: 'receipts' as const, key: `k${round}`, fingerprint: 'f1' };
      const outs = await Promise.all(
        ['dev-1', 'dev-2'].map((id) => s.receipts.ingest(ctx({ device: { ...ctx().device, id }, idempotency: claim }), [receipt(`a${round}`), receipt(`b${round}`)], answer)),
      );
      expect(outs.map((o) => o.kind).sort()).toEqual(['fresh', 'replay']);
      expect(outs[0]!.kind !== 'key-reused' && outs[1]!.kind !== 'key-reused' && outs[0]!.answer).toEqual(outs[1]!.kind !== 'key-reused' && outs[1]!.answer);
    }
  });

  it('lists oldest first by capture instant across zones, filters by store and local date, pages', async () => {
    const s = await open();
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
    expect((await s.receipts.list({ offset: 3 })).map((r) => r.id)).toEqual(['west']);
    expect((await s.receipts.list({ limit: 1 })).map((r) => r.id)).toEqual(['early']);
  });

  it('text sorts byte by byte, as SQLite compares, whatever the database collation', async () => {
    const s = await open();
    // An ICU or en_US collation would give a-store, S_1, S-1, S001, s002.
    for (const store of ['s002', 'S001', 'a-store', 'S_1', 'S-1']) await withStore(s, store);
    expect((await s.stores.list()).map((x) => x.id)).toEqual(['S-1', 'S001', 'S_1', 'a-store', 's002']);
    const same = Date.parse('2026-11-20T01:00:00Z');
    const devs = ['dev-b', 'Dev-a', 'dev_a', 'dev-a'];
    for (const id of devs) await s.receipts.ingest(ctx({ device: { ...ctx().device, id } }), [receipt(`r-${id}`, { capturedMs: same })], answer);
    expect((await s.receipts.list()).map((r) => r.device)).toEqual(['Dev-a', 'dev-a', 'dev-b', 'dev_a']);
    expect((await s.devices.list()).map((d) => d.id)).toEqual(['Dev-a', 'dev-a', 'dev-b', 'dev_a']);
  });

  it('integers past 32 bits come back as the same numbers (BIGINT columns)', async () => {
    const s = await open();
    await withStore(s);
    const big = 2 ** 53 - 1;
    await s.receipts.ingest(
      ctx({ device: { ...ctx().device, clockOffsetMs: -(2 ** 40) } }),
      [receipt('big', { seq: big, capturedMs: 4_102_444_800_123 })],
      answer,
    );
    const r = await s.receipts.get('big');
    expect(r!.seq).toBe(big);
    expect(typeof r!.seq).toBe('number');
    expect((await s.devices.list())[0]!.clockOffsetMs).toBe(-(2 ** 40));
    await s.health.ingest(ctx(), [event('e', { seq: 2 ** 45, durationMs: 2 ** 33 })], (x) => ({ status: 200, body: JSON.stringify(x) }));
    expect(await s.health.list()).toMatchObject([{ id: 'e', seq: 2 ** 45, durationMs: 2 ** 33 }]);
  });

  it('devices: one row per store and device, the last sighting wins', async () => {
    const s = await open();
    await withStore(s);
    await s.receipts.ingest(ctx(), [], answer);
    await s.receipts.ingest(ctx({ device: { id: 'dev-1', terminal: null, version: '0.2.0', clockOffsetMs: -250, seenAt: '2026-11-28T10:00:00.000Z' } }), [], answer);
    expect(await s.devices.list()).toEqual([
      { store: 'S001', id: 'dev-1', terminal: null, version: '0.2.0', firstSeen: NOW, lastSeen: '2026-11-28T10:00:00.000Z', clockOffsetMs: -250, clockAt: '2026-11-28T10:00:00.000Z' },
    ]);
    expect(await s.devices.list({ store: 'S002' })).toEqual([]);
  });

  it('health events: new ones accepted, held ones (also within the batch) duplicates; listed by time, filtered', async () => {
    const s = await open();
    await withStore(s);
    await withStore(s, 'S002');
    const ok = (r: unknown): StoredAnswer => ({ status: 200, body: JSON.stringify(r) });
    const e1 = event('e1', { atMs: 2000, seq: 1 });
    const e2 = event('e2', { atMs: 1000, seq: 2, printer: 'back', durationMs: 540_000, detail: 'cover' });
    expect(fresh(await s.health.ingest(ctx(), [e1, e2, e1], ok))).toEqual({ accepted: ['e1', 'e2'], duplicates: ['e1'] });
    expect(fresh(await s.health.ingest(ctx({ store: 'S002' }), [e2, event('e3', { atMs: 1500 })], ok))).toEqual({ accepted: ['e3'], duplicates: ['e2'] });
    const all = await s.health.list();
    expect(all.map((e) => [e.id, e.store])).toEqual([
      ['e2', 'S001'],
      ['e3', 'S002'],
      ['e1', 'S001'],
    ]);
    expect(all[0]).toEqual({ ...e2, store: 'S001', device: 'dev-1', receivedAt: NOW });
    expect((await s.health.list({ store: 'S001', printer: 'back' })).map((e) => e.id)).toEqual(['e2']);
    expect((await s.health.list({ store: 'S002' })).map((e) => e.id)).toEqual(['e3']);
  });
});

describe('SQLite server storage', () => {
  it('creates the file in WAL mode with synchronous=FULL at the latest schema version', async () => {
    const file = join(tempDir(), 'nested', 'server.db');
    const s = openSqlite(file);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(s.db.pragma('user_version', { simple: true })).toBe(SERVER_MIGRATIONS.at(-1)!.version);
  });

  it('migration 3 fills receipt_fields from the receipts a version-2 database holds', async () => {
    const file = join(tempDir(), 'server.db');
    const v2 = openServerDatabase(file, SERVER_MIGRATIONS.filter((m) => m.version <= 2));
    v2.prepare("INSERT INTO stores (id, created_at) VALUES ('S001', ?)").run(NOW);
    const insert = v2.prepare(
      `INSERT INTO receipts (id, store, device, terminal, seq, revision, sha256, captured_at, captured_ms, local_date, printer, print_status, print_reason, terminal_id, merchant_id, json, received_at)
       VALUES (?, 'S001', 'dev-1', NULL, 1, 0, 'x', '2026-11-20T09:10:00+08:00', 0, '2026-11-20', 'front', 'ok', NULL, NULL, NULL, ?, ?)`,
    );
    insert.run('a', JSON.stringify({ fields: { receipt_no: '000123', total_minor: 990 }, lines: [] }), NOW);
    insert.run('b', JSON.stringify({ text: 'no fields' }), NOW);
    v2.close();
    const s = openSqlite(file);
    const rows = s.db.prepare('SELECT id, device, terminal, printer, fields FROM receipt_fields ORDER BY id').all() as Array<{ fields: string }>;
    expect(rows.map((r) => ({ ...r, fields: JSON.parse(r.fields) as unknown }))).toEqual([
      { id: 'a', device: 'dev-1', terminal: null, printer: 'front', fields: { receipt_no: '000123', total_minor: 990 } },
      { id: 'b', device: 'dev-1', terminal: null, printer: 'front', fields: {} },
    ]);
  });

  it('refuses a file from a newer tilltap', async () => {
    const file = join(tempDir(), 'server.db');
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => SqliteStorage.open(file)).toThrow(/newer/);
  });
});

const pg = BACKENDS.find((b) => b.name === 'postgres')!;

describe.skipIf(!pg.available)(`PostgreSQL server storage${pg.available ? '' : ` [skipped: ${postgres().why}]`}`, () => {
  it('records each migration step in tilltap_schema; servers starting at once migrate once', async () => {
    const url = await freshPgSchemaUrl();
    // Four at once on an empty schema: the advisory lock queues them, one migrates, the others find it done.
    const opened = await Promise.all([1, 2, 3, 4].map(() => openDb(url)));
    expect(opened.every((s) => s.kind === 'postgres')).toBe(true);
    const steps = await pgQuery<{ version: number; name: string }>(url, 'SELECT version, name FROM tilltap_schema ORDER BY version');
    expect(steps).toEqual(PG_SERVER_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await withStore(opened[3]!);
    expect((await opened[0]!.stores.list()).map((x) => x.id)).toEqual(['S001']);
  });

  it('the same steps, under the same numbers, as SQLite', () => {
    expect(PG_SERVER_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(SERVER_MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('the same tables and columns (names, order, NOT NULL) as the SQLite schema', async () => {
    const sqlite = openSqlite();
    const fromSqlite: Record<string, string[]> = {};
    const tables = sqlite.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    for (const { name } of tables) {
      fromSqlite[name] = sqlite.db
        .prepare<[], { name: string; notnull: number; pk: number }>(`PRAGMA table_info(${name})`)
        .all()
        .map((c) => `${c.name}${c.notnull || c.pk ? ' NOT NULL' : ''}`);
    }
    const url = await freshPgSchemaUrl();
    await openDb(url);
    const cols = await pgQuery<{ table_name: string; column_name: string; is_nullable: string }>(
      url,
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name <> 'tilltap_schema' ORDER BY table_name, ordinal_position`,
    );
    const fromPg: Record<string, string[]> = {};
    for (const c of cols) (fromPg[c.table_name] ??= []).push(`${c.column_name}${c.is_nullable === 'NO' ? ' NOT NULL' : ''}`);
    expect(fromPg).toEqual(fromSqlite);
  });

  it('migration 3 fills receipt_fields from the receipts a version-2 database holds', async () => {
    const url = await freshPgSchemaUrl();
    const pool = createPool(url);
    try {
      await migrate(pool, url, PG_SERVER_MIGRATIONS.filter((m) => m.version <= 2));
    } finally {
      await pool.end();
    }
    await pgQuery(url, "INSERT INTO stores (id, created_at) VALUES ('S001', $1)", [NOW]);
    const insert = `INSERT INTO receipts (id, store, device, terminal, seq, revision, sha256, captured_at, captured_ms, local_date, printer, print_status, print_reason, terminal_id, merchant_id, json, received_at)
       VALUES ($1, 'S001', 'dev-1', NULL, 1, 0, 'x', '2026-11-20T09:10:00+08:00', 0, '2026-11-20', 'front', 'ok', NULL, NULL, NULL, $2, $3)`;
    await pgQuery(url, insert, ['a', JSON.stringify({ fields: { receipt_no: '000123', total_minor: 990 }, lines: [] }), NOW]);
    await pgQuery(url, insert, ['b', JSON.stringify({ text: 'no fields' }), NOW]);
    await (await openDb(url)).close();
    const rows = await pgQuery<{ fields: string }>(url, 'SELECT id, device, terminal, printer, fields FROM receipt_fields ORDER BY id');
    expect(rows.map((r) => ({ ...r, fields: JSON.parse(r.fields) as unknown }))).toEqual([
      { id: 'a', device: 'dev-1', terminal: null, printer: 'front', fields: { receipt_no: '000123', total_minor: 990 } },
      { id: 'b', device: 'dev-1', terminal: null, printer: 'front', fields: {} },
    ]);
  });

  it('refuses a database from a newer tilltap, and says so in one line', async () => {
    const url = await freshPgSchemaUrl();
    await (await openDb(url)).close();
    await pgQuery(url, "INSERT INTO tilltap_schema (version, name, applied_at) VALUES (99, 'future', 'x')");
    const err = (await openStorage(parseDbUrl(url)).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DbOpenError);
    expect(err.message).toMatch(/schema version 99, newer than this tilltap knows/);
  });

  it('a database that does not exist, and a BIGINT too large for a number, are errors (not wrong data)', async () => {
    const missing = postgres().url!.replace(/\/[^/]+$/, '/no_such_db');
    const err = (await openStorage(parseDbUrl(missing)).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DbOpenError);
    expect(err.message).toMatch(/database "no_such_db" does not exist/);

    const url = await freshPgSchemaUrl();
    const s = (await openDb(url)) as PostgresStorage;
    await withStore(s);
    await s.receipts.ingest(ctx(), [receipt('x')], answer);
    await pgQuery(url, "UPDATE receipts SET seq = 9007199254740993 WHERE id = 'x'");
    await expect(s.receipts.get('x')).rejects.toThrow(/outside the range/);
  });
});
