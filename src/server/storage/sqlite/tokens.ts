/** API tokens, stored only as their SHA-256 (src/server/tokens.ts makes and hashes them). */
import type Database from 'better-sqlite3';
import { TOKEN_COLUMNS as COLUMNS, toToken as toRecord, type TokenRow } from '../rows.js';
import type { NewToken, RevokeResult, TokenRecord, TokenStorage } from '../types.js';
import type { SqliteStores } from './stores.js';

export class SqliteTokens implements TokenStorage {
  private readonly insert;
  private readonly byHash;
  private readonly byId;
  private readonly all;
  private readonly revokeStmt;
  private readonly createTx;

  constructor(db: Database.Database, stores: SqliteStores) {
    this.insert = db.prepare<[string, string, string, string | null, string | null, string]>(
      'INSERT INTO tokens (id, hash, role, store, name, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.byHash = db.prepare<[string], TokenRow>(`SELECT ${COLUMNS} FROM tokens WHERE hash = ?`);
    this.byId = db.prepare<[string], TokenRow>(`SELECT ${COLUMNS} FROM tokens WHERE id = ?`);
    this.all = db.prepare<[], TokenRow>(`SELECT ${COLUMNS} FROM tokens ORDER BY created_at, id`);
    this.revokeStmt = db.prepare<[string, string]>('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.createTx = db.transaction((t: NewToken): TokenRecord => {
      if (t.role === 'device') {
        stores.ensure(t.store, t.createdAt);
        this.insert.run(t.id, t.hash, 'device', t.store, null, t.createdAt);
      } else {
        this.insert.run(t.id, t.hash, 'user', null, t.name, t.createdAt);
      }
      return toRecord(this.byId.get(t.id)!);
    });
  }

  async create(token: NewToken): Promise<TokenRecord> {
    return this.createTx.immediate(token);
  }

  /** Synchronous for the ingest path's hot loop; the async one is the interface. */
  findByHashNow(hash: string): TokenRecord | null {
    const r = this.byHash.get(hash);
    return r ? toRecord(r) : null;
  }

  async findByHash(hash: string): Promise<TokenRecord | null> {
    return this.findByHashNow(hash);
  }

  async list(): Promise<TokenRecord[]> {
    return this.all.all().map(toRecord);
  }

  async revoke(id: string, at: string): Promise<RevokeResult> {
    if (this.revokeStmt.run(at, id).changes === 1) return 'revoked';
    return this.byId.get(id) ? 'already-revoked' : 'unknown';
  }
}
