/** API tokens, stored only as their SHA-256 (src/server/tokens.ts makes and hashes them). */
import type pg from 'pg';
import { TOKEN_COLUMNS, toToken, type TokenRow } from '../rows.js';
import type { NewToken, RevokeResult, TokenRecord, TokenStorage } from '../types.js';
import { transaction } from './pool.js';
import type { PgStores } from './stores.js';

const INSERT = 'INSERT INTO tokens (id, hash, role, store, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)';

export class PgTokens implements TokenStorage {
  constructor(
    private readonly pool: pg.Pool,
    private readonly stores: PgStores,
  ) {}

  async create(t: NewToken): Promise<TokenRecord> {
    return transaction(this.pool, async (client) => {
      if (t.role === 'device') {
        await this.stores.ensure(client, t.store, t.createdAt);
        await client.query(INSERT, [t.id, t.hash, 'device', t.store, null, t.createdAt]);
      } else {
        await client.query(INSERT, [t.id, t.hash, 'user', null, t.name, t.createdAt]);
      }
      const r = await client.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE id = $1`, [t.id]);
      return toToken(r.rows[0]!);
    });
  }

  /** Every authenticated request asks this: a named (prepared once per connection) statement. */
  async findByHash(hash: string): Promise<TokenRecord | null> {
    const r = await this.pool.query<TokenRow>({ name: 'tokens.by-hash', text: `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = $1`, values: [hash] });
    return r.rows[0] ? toToken(r.rows[0]) : null;
  }

  async list(): Promise<TokenRecord[]> {
    const r = await this.pool.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id`);
    return r.rows.map(toToken);
  }

  async revoke(id: string, at: string): Promise<RevokeResult> {
    const r = await this.pool.query('UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
    if (r.rowCount === 1) return 'revoked';
    const held = await this.pool.query('SELECT 1 FROM tokens WHERE id = $1', [id]);
    return held.rowCount ? 'already-revoked' : 'unknown';
  }
}
