/**
 * The server database's schema steps, keyed by `PRAGMA user_version` and applied by the same
 * runner as the agent's store (src/store/migrations.ts: one IMMEDIATE transaction per step).
 *
 * Append new steps at the end (issue 7 adds statements, matches and discrepancies); never edit a
 * released one. The SQL stays plain and portable: TEXT / INTEGER / BIGINT columns, ISO 8601 UTC
 * text for instants plus BIGINT milliseconds where rows are ordered or ranged by time, no SQLite-
 * only functions. storage/postgres/migrations.ts has the same steps under the same versions:
 * append each step to both (test/server/storage.test.ts compares the schemas column by column).
 */
import type { Migration } from '../../../store/migrations.js';

export const SERVER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'stores, tokens, devices, receipts and their revisions, conflicts, health events, idempotency keys',
    sql: `
      CREATE TABLE stores (
        id         TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      );

      -- API tokens, only as their SHA-256: a leaked database gives no working token. A device
      -- token belongs to one store (the store of everything it sends); a user token reads all.
      CREATE TABLE tokens (
        id         TEXT PRIMARY KEY,
        hash       TEXT NOT NULL UNIQUE,
        role       TEXT NOT NULL CHECK (role IN ('device', 'user')),
        store      TEXT REFERENCES stores (id),
        name       TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        CHECK ((role = 'device' AND store IS NOT NULL AND name IS NULL)
            OR (role = 'user' AND store IS NULL AND name IS NOT NULL))
      );

      -- Agents as they describe themselves in every POST. Keyed by store too: a device id sent
      -- under another store's token is another row, not a takeover of this one.
      CREATE TABLE devices (
        store           TEXT NOT NULL REFERENCES stores (id),
        id              TEXT NOT NULL,
        terminal        TEXT,
        version         TEXT NOT NULL,
        first_seen      TEXT NOT NULL,
        last_seen       TEXT NOT NULL,
        clock_offset_ms BIGINT NOT NULL,
        clock_at        TEXT NOT NULL,
        PRIMARY KEY (store, id)
      );

      -- The current revision of every receipt ever received. id is unique forever: the agent's
      -- UUID, never reused, never deleted here.
      CREATE TABLE receipts (
        id           TEXT PRIMARY KEY,
        store        TEXT NOT NULL REFERENCES stores (id),
        device       TEXT NOT NULL,
        terminal     TEXT,
        seq          BIGINT NOT NULL,
        revision     INTEGER NOT NULL CHECK (revision >= 0),
        sha256       TEXT NOT NULL,
        captured_at  TEXT NOT NULL,
        captured_ms  BIGINT NOT NULL,
        local_date   TEXT NOT NULL,
        printer      TEXT NOT NULL,
        print_status TEXT NOT NULL CHECK (print_status IN ('ok', 'suspect', 'failed')),
        print_reason TEXT,
        terminal_id  TEXT,
        merchant_id  TEXT,
        json         TEXT NOT NULL,
        received_at  TEXT NOT NULL
      );
      CREATE INDEX receipts_by_store_date ON receipts (store, local_date, captured_ms);
      CREATE INDEX receipts_by_date ON receipts (local_date, captured_ms);
      CREATE INDEX receipts_by_captured ON receipts (captured_ms);
      -- The matcher looks receipts up by merchant and terminal in a time window.
      CREATE INDEX receipts_by_terminal ON receipts (merchant_id, terminal_id, captured_ms);

      -- Earlier revisions, kept when a redecoded receipt replaced them.
      CREATE TABLE receipt_revisions (
        receipt_id   TEXT NOT NULL REFERENCES receipts (id),
        revision     INTEGER NOT NULL,
        device       TEXT NOT NULL,
        terminal     TEXT,
        seq          BIGINT NOT NULL,
        sha256       TEXT NOT NULL,
        captured_at  TEXT NOT NULL,
        printer      TEXT NOT NULL,
        print_status TEXT NOT NULL,
        print_reason TEXT,
        terminal_id  TEXT,
        merchant_id  TEXT,
        json         TEXT NOT NULL,
        received_at  TEXT NOT NULL,
        replaced_at  TEXT NOT NULL,
        PRIMARY KEY (receipt_id, revision)
      );

      -- Receipts refused because another content is held under their id: possible tampering,
      -- kept with the refused content as evidence.
      CREATE TABLE receipt_conflicts (
        seq           INTEGER PRIMARY KEY,
        receipt_id    TEXT NOT NULL,
        store         TEXT NOT NULL,
        device        TEXT NOT NULL,
        reason        TEXT NOT NULL CHECK (reason IN ('revision-not-higher', 'other-device')),
        revision      INTEGER NOT NULL,
        sha256        TEXT NOT NULL,
        held_store    TEXT NOT NULL,
        held_device   TEXT NOT NULL,
        held_revision INTEGER NOT NULL,
        held_sha256   TEXT NOT NULL,
        json          TEXT NOT NULL,
        received_at   TEXT NOT NULL
      );
      CREATE INDEX receipt_conflicts_by_store ON receipt_conflicts (store, seq);

      CREATE TABLE health_events (
        id          TEXT PRIMARY KEY,
        store       TEXT NOT NULL REFERENCES stores (id),
        device      TEXT NOT NULL,
        seq         BIGINT NOT NULL,
        printer     TEXT NOT NULL,
        at          TEXT NOT NULL,
        at_ms       BIGINT NOT NULL,
        kind        TEXT NOT NULL,
        state       TEXT NOT NULL,
        previous    TEXT,
        duration_ms BIGINT,
        detail      TEXT,
        received_at TEXT NOT NULL
      );
      CREATE INDEX health_events_by_printer ON health_events (store, printer, at_ms);

      -- Answers given to POSTs with an Idempotency-Key, per token and route, for retries.
      CREATE TABLE idempotency_keys (
        token_id    TEXT NOT NULL,
        scope       TEXT NOT NULL,
        key         TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status      INTEGER NOT NULL,
        body        TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (token_id, scope, key)
      );
      CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
    `,
  },
];
