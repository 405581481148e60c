/** Agents as they describe themselves, with the last clock offset measured for each. */
import type Database from 'better-sqlite3';
import { DEVICE_COLUMNS, toDevice, type DeviceRow } from '../rows.js';
import type { DeviceRecord, DeviceSighting, DeviceStorage } from '../types.js';

export class SqliteDevices implements DeviceStorage {
  private readonly upsert;
  private readonly all;
  private readonly inStore;

  constructor(db: Database.Database) {
    this.upsert = db.prepare<[string, string, string | null, string, string, string, number, string]>(
      `INSERT INTO devices (store, id, terminal, version, first_seen, last_seen, clock_offset_ms, clock_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (store, id) DO UPDATE SET terminal = excluded.terminal, version = excluded.version,
         last_seen = excluded.last_seen, clock_offset_ms = excluded.clock_offset_ms, clock_at = excluded.clock_at`,
    );
    this.all = db.prepare<[], DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY store, id`);
    this.inStore = db.prepare<[string], DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE store = ? ORDER BY id`);
  }

  /** Inside the ingest transaction. */
  touch(store: string, d: DeviceSighting): void {
    this.upsert.run(store, d.id, d.terminal, d.version, d.seenAt, d.seenAt, Math.round(d.clockOffsetMs), d.seenAt);
  }

  async list(filter: { readonly store?: string } = {}): Promise<DeviceRecord[]> {
    return (filter.store === undefined ? this.all.all() : this.inStore.all(filter.store)).map(toDevice);
  }
}
