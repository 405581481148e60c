/**
 * The server database's schema steps on PostgreSQL: the same tables, columns, keys and checks as
 * SQLite's (storage/sqlite/migrations.ts, where each table's comment says why it is so), step for
 * step under the same version numbers. test/server/storage.test.ts compares the two schemas
 * column by column, so a table group added to one backend and not the other fails there.
 *
 * Where PostgreSQL needs saying differently:
 *   - TEXT keys and the columns rows are ordered or ranged by are COLLATE "C": byte order, as
 *     SQLite compares, whatever the database's default collation (an en_US or ICU database would
 *     otherwise sort 'a-store' before 'S001', and lists would come back in another order);
 *   - receipt_conflicts.seq is an identity column (SQLite's INTEGER PRIMARY KEY is its rowid);
 *   - instants stay ISO 8601 UTC text, as the storage interface hands them over, so that both
 *     backends give back exactly what was stored (and compare them the same way).
 *
 * Append new steps at the end with the next version (applied by ./migrate.ts, one transaction
 * each); never edit a released one.
 */
import type { Migration } from '../../../store/migrations.js';

export const PG_SERVER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'stores, tokens, devices, receipts and their revisions, conflicts, health events, idempotency keys',
    sql: `
      CREATE TABLE stores (
        id         TEXT COLLATE "C" PRIMARY KEY,
        created_at TEXT COLLATE "C" NOT NULL
      );

      CREATE TABLE tokens (
        id         TEXT COLLATE "C" PRIMARY KEY,
        hash       TEXT NOT NULL UNIQUE,
        role       TEXT NOT NULL CHECK (role IN ('device', 'user')),
        store      TEXT COLLATE "C" REFERENCES stores (id),
        name       TEXT,
        created_at TEXT COLLATE "C" NOT NULL,
        revoked_at TEXT,
        CHECK ((role = 'device' AND store IS NOT NULL AND name IS NULL)
            OR (role = 'user' AND store IS NULL AND name IS NOT NULL))
      );

      CREATE TABLE devices (
        store           TEXT COLLATE "C" NOT NULL REFERENCES stores (id),
        id              TEXT COLLATE "C" NOT NULL,
        terminal        TEXT,
        version         TEXT NOT NULL,
        first_seen      TEXT NOT NULL,
        last_seen       TEXT NOT NULL,
        clock_offset_ms BIGINT NOT NULL,
        clock_at        TEXT NOT NULL,
        PRIMARY KEY (store, id)
      );

      CREATE TABLE receipts (
        id           TEXT COLLATE "C" PRIMARY KEY,
        store        TEXT COLLATE "C" NOT NULL REFERENCES stores (id),
        device       TEXT COLLATE "C" NOT NULL,
        terminal     TEXT,
        seq          BIGINT NOT NULL,
        revision     INTEGER NOT NULL CHECK (revision >= 0),
        sha256       TEXT NOT NULL,
        captured_at  TEXT NOT NULL,
        captured_ms  BIGINT NOT NULL,
        local_date   TEXT COLLATE "C" NOT NULL,
        printer      TEXT NOT NULL,
        print_status TEXT NOT NULL CHECK (print_status IN ('ok', 'suspect', 'failed')),
        print_reason TEXT,
        terminal_id  TEXT COLLATE "C",
        merchant_id  TEXT COLLATE "C",
        json         TEXT NOT NULL,
        received_at  TEXT NOT NULL
      );
      CREATE INDEX receipts_by_store_date ON receipts (store, local_date, captured_ms);
      CREATE INDEX receipts_by_date ON receipts (local_date, captured_ms);
      CREATE INDEX receipts_by_captured ON receipts (captured_ms);
      CREATE INDEX receipts_by_terminal ON receipts (merchant_id, terminal_id, captured_ms);

      CREATE TABLE receipt_revisions (
        receipt_id   TEXT COLLATE "C" NOT NULL REFERENCES receipts (id),
        revision     INTEGER NOT NULL,
        device       TEXT COLLATE "C" NOT NULL,
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

      CREATE TABLE receipt_conflicts (
        seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        receipt_id    TEXT COLLATE "C" NOT NULL,
        store         TEXT COLLATE "C" NOT NULL,
        device        TEXT COLLATE "C" NOT NULL,
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
        id          TEXT COLLATE "C" PRIMARY KEY,
        store       TEXT COLLATE "C" NOT NULL REFERENCES stores (id),
        device      TEXT COLLATE "C" NOT NULL,
        seq         BIGINT NOT NULL,
        printer     TEXT COLLATE "C" NOT NULL,
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

      CREATE TABLE idempotency_keys (
        token_id    TEXT COLLATE "C" NOT NULL,
        scope       TEXT COLLATE "C" NOT NULL,
        key         TEXT COLLATE "C" NOT NULL,
        fingerprint TEXT NOT NULL,
        status      INTEGER NOT NULL,
        body        TEXT NOT NULL,
        created_at  TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (token_id, scope, key)
      );
      CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
    `,
  },
  {
    version: 2,
    name: 'statement files and rows, matches, discrepancies and the decisions on them',
    sql: `
      -- Imported statement files, one row per version. identity = source|merchant|store|from|to:
      -- the same bytes under one identity are one file, other bytes are its next version.
      CREATE TABLE statement_files (
        id             TEXT COLLATE "C" PRIMARY KEY,
        identity       TEXT COLLATE "C" NOT NULL,
        source         TEXT NOT NULL,
        format         TEXT NOT NULL,
        name           TEXT,
        encoding       TEXT NOT NULL,
        language       TEXT NOT NULL CHECK (language IN ('zh', 'en')),
        merchant_id    TEXT,
        store          TEXT COLLATE "C",
        date_from      TEXT COLLATE "C" NOT NULL,
        date_to        TEXT COLLATE "C" NOT NULL,
        content_sha256 TEXT NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        row_count      BIGINT NOT NULL,
        summary        TEXT,
        imported_at    TEXT COLLATE "C" NOT NULL,
        imported_by    TEXT,
        superseded_by  TEXT COLLATE "C" REFERENCES statement_files (id),
        UNIQUE (identity, content_sha256),
        UNIQUE (identity, version)
      );

      -- Their rows: the normalised transaction (src/server/statement.ts) and the row as read (raw JSON).
      CREATE TABLE statement_rows (
        id                      TEXT COLLATE "C" PRIMARY KEY,
        file_id                 TEXT COLLATE "C" NOT NULL REFERENCES statement_files (id),
        line                    INTEGER NOT NULL,
        date                    TEXT COLLATE "C" NOT NULL,
        datetime                TEXT COLLATE "C" NOT NULL,
        source                  TEXT NOT NULL,
        merchant_id             TEXT,
        terminal_id             TEXT,
        trans_type              TEXT NOT NULL,
        amount_minor            BIGINT NOT NULL,
        currency                TEXT NOT NULL,
        fee_minor               BIGINT,
        settle_minor            BIGINT,
        card_number             TEXT,
        card_last4              TEXT,
        batch_no                TEXT,
        trace_no                TEXT,
        reference_no            TEXT,
        auth_code               TEXT,
        transaction_id          TEXT,
        merchant_order_no       TEXT,
        original_reference_no   TEXT,
        original_trace_no       TEXT,
        original_transaction_id TEXT,
        refund_no               TEXT,
        merchant_refund_no      TEXT,
        payment_method          TEXT,
        receipt_no              TEXT,
        operator_id             TEXT,
        status                  TEXT,
        raw                     TEXT NOT NULL,
        UNIQUE (file_id, line)
      );
      CREATE INDEX statement_rows_by_date ON statement_rows (date, file_id);

      -- A statement row and the receipts of the slip it matched. The database keeps the promise
      -- that a row matches at most once (the primary key here) and a receipt at most once (the
      -- primary key of match_receipts), whichever run or day tried to match it again.
      CREATE TABLE matches (
        statement_row_id TEXT COLLATE "C" PRIMARY KEY REFERENCES statement_rows (id),
        date             TEXT COLLATE "C" NOT NULL,
        receipt_group    TEXT NOT NULL,
        tier             TEXT NOT NULL CHECK (tier IN ('rrn', 'voucher', 'wallet_order', 'receipt_no', 'auth_window', 'amount_window')),
        confidence       DOUBLE PRECISION NOT NULL,
        type_differs     INTEGER NOT NULL CHECK (type_differs IN (0, 1)),
        delta_ms         BIGINT NOT NULL,
        store            TEXT COLLATE "C",
        terminal         TEXT,
        operator         TEXT,
        trans_type       TEXT NOT NULL,
        amount_minor     BIGINT NOT NULL,
        currency         TEXT NOT NULL,
        matched_at       TEXT NOT NULL
      );
      CREATE INDEX matches_by_date ON matches (date, store);

      CREATE TABLE match_receipts (
        receipt_id       TEXT COLLATE "C" PRIMARY KEY REFERENCES receipts (id),
        statement_row_id TEXT COLLATE "C" NOT NULL REFERENCES matches (statement_row_id) ON DELETE CASCADE
      );
      CREATE INDEX match_receipts_by_row ON match_receipts (statement_row_id);

      -- What the last run of each day found, keyed by the matcher's stable key. A re-run of the
      -- day replaces its rows; the decisions on them are kept apart (discrepancy_decisions).
      CREATE TABLE discrepancies (
        key            TEXT COLLATE "C" PRIMARY KEY,
        date           TEXT COLLATE "C" NOT NULL,
        seq            INTEGER NOT NULL,
        kind           TEXT COLLATE "C" NOT NULL CHECK (kind IN ('missing_receipt', 'orphan_receipt', 'amount_mismatch', 'type_mismatch', 'data_mismatch', 'duplicate', 'reprint', 'clock_drift', 'ambiguous', 'print_failed')),
        cause          TEXT NOT NULL,
        language       TEXT NOT NULL CHECK (language IN ('zh', 'en')),
        explanation    TEXT NOT NULL,
        explanation_zh TEXT NOT NULL,
        explanation_en TEXT NOT NULL,
        statement_ids  TEXT NOT NULL,
        receipt_ids    TEXT NOT NULL,
        diff           TEXT NOT NULL,
        store          TEXT COLLATE "C",
        merchant_id    TEXT,
        terminal       TEXT COLLATE "C",
        operator       TEXT COLLATE "C",
        at             TEXT,
        trans_type     TEXT,
        amount_minor   BIGINT,
        currency       TEXT,
        tier           TEXT,
        health         TEXT,
        clock          TEXT,
        found_at       TEXT NOT NULL
      );
      CREATE INDEX discrepancies_by_date ON discrepancies (date, seq);
      CREATE INDEX discrepancies_by_store ON discrepancies (store, date, seq);

      -- Decisions (resolved, or reopened) by discrepancy key: they outlive the runs.
      CREATE TABLE discrepancy_decisions (
        key        TEXT COLLATE "C" PRIMARY KEY,
        date       TEXT COLLATE "C" NOT NULL,
        status     TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        reason     TEXT NOT NULL
      );
      CREATE INDEX discrepancy_decisions_by_date ON discrepancy_decisions (date);
    `,
  },
  {
    version: 3,
    name: 'receipt_fields: each receipt as the matcher reads it',
    sql: `
      CREATE TABLE receipt_fields (
        id           TEXT COLLATE "C" PRIMARY KEY REFERENCES receipts (id),
        store        TEXT COLLATE "C" NOT NULL,
        local_date   TEXT COLLATE "C" NOT NULL,
        device       TEXT COLLATE "C" NOT NULL,
        terminal     TEXT,
        printer      TEXT NOT NULL,
        captured_at  TEXT NOT NULL,
        print_status TEXT NOT NULL,
        print_reason TEXT,
        fields       TEXT NOT NULL
      );
      CREATE INDEX receipt_fields_by_date ON receipt_fields (local_date);
      CREATE INDEX receipt_fields_by_store ON receipt_fields (store, local_date);
      INSERT INTO receipt_fields (id, store, local_date, device, terminal, printer, captured_at, print_status, print_reason, fields)
        SELECT id, store, local_date, device, terminal, printer, captured_at, print_status, print_reason,
               coalesce((json::json -> 'fields')::text, '{}')
        FROM receipts;
    `,
  },
  {
    version: 4,
    name: 'matches: no foreign keys to statement_rows and receipts (PostgreSQL)',
    sql: `
      -- A foreign key check takes a FOR KEY SHARE lock on the row it finds: saving a day's million
      -- matches locked, and so dirtied and wrote out, nearly every page of statement_rows and
      -- receipts, half the time of a run. A run links only rows and receipts it read in the same
      -- transaction, and neither table has its rows deleted; the primary keys that refuse a row or
      -- a receipt matched twice stay, as does the cascade from matches to match_receipts.
      ALTER TABLE matches DROP CONSTRAINT IF EXISTS matches_statement_row_id_fkey;
      ALTER TABLE match_receipts DROP CONSTRAINT IF EXISTS match_receipts_receipt_id_fkey;
    `,
  },
];
