/** Stores (shops): made when their first device token is. */
import type Database from 'better-sqlite3';
import type { StoreRecord, StoreStorage } from '../types.js';

export class SqliteStores implements StoreStorage {
  private readonly insert;
  private readonly all;

  constructor(db: Database.Database) {
    this.insert = db.prepare<[string, string]>('INSERT INTO stores (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
    this.all = db.prepare<[], { id: string; created_at: string }>('SELECT id, created_at FROM stores ORDER BY id');
  }

  /** Inside a caller's transaction. */
  ensure(id: string, at: string): void {
    this.insert.run(id, at);
  }

  async list(): Promise<StoreRecord[]> {
    return this.all.all().map((r) => ({ id: r.id, createdAt: r.created_at }));
  }
}
