/** Stores (shops): made when their first device token is. */
import type pg from 'pg';
import type { StoreRecord, StoreStorage } from '../types.js';
import type { Queryable } from './pool.js';

export class PgStores implements StoreStorage {
  constructor(private readonly pool: pg.Pool) {}

  /** Inside a caller's transaction. */
  async ensure(db: Queryable, id: string, at: string): Promise<void> {
    await db.query({ name: 'stores.ensure', text: 'INSERT INTO stores (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', values: [id, at] });
  }

  async list(): Promise<StoreRecord[]> {
    const r = await this.pool.query<{ id: string; created_at: string }>('SELECT id, created_at FROM stores ORDER BY id');
    return r.rows.map((row) => ({ id: row.id, createdAt: row.created_at }));
  }
}
