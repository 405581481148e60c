/** Agents as they describe themselves, with the last clock offset measured for each. */
import type pg from 'pg';
import { DEVICE_COLUMNS, toDevice, type DeviceRow } from '../rows.js';
import type { DeviceRecord, DeviceSighting, DeviceStorage } from '../types.js';
import type { Queryable } from './pool.js';

const UPSERT = `INSERT INTO devices (store, id, terminal, version, first_seen, last_seen, clock_offset_ms, clock_at)
  VALUES ($1, $2, $3, $4, $5, $5, $6, $5)
  ON CONFLICT (store, id) DO UPDATE SET terminal = excluded.terminal, version = excluded.version,
    last_seen = excluded.last_seen, clock_offset_ms = excluded.clock_offset_ms, clock_at = excluded.clock_at`;

export class PgDevices implements DeviceStorage {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Inside the ingest transaction. The row lock it takes also queues two batches of one device
   * behind each other (an agent that retries before its first request was answered).
   */
  async touch(db: Queryable, store: string, d: DeviceSighting): Promise<void> {
    await db.query({ name: 'devices.touch', text: UPSERT, values: [store, d.id, d.terminal, d.version, d.seenAt, Math.round(d.clockOffsetMs)] });
  }

  async list(filter: { readonly store?: string } = {}): Promise<DeviceRecord[]> {
    const r =
      filter.store === undefined
        ? await this.pool.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY store, id`)
        : await this.pool.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE store = $1 ORDER BY id`, [filter.store]);
    return r.rows.map(toDevice);
  }
}
