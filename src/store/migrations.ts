/**
 * Schema migrations, keyed by `PRAGMA user_version`.
 *
 * Each step is plain SQL applied in its own IMMEDIATE transaction together with the bump of
 * `user_version`, so a crash mid-upgrade leaves the file at the last finished step, never half way.
 * IMMEDIATE (not the default deferred BEGIN) because the agent and a `tilltap receipts` command may
 * open the same file at once: the write lock is taken first and the version is read again under it,
 * so two processes never apply the same step twice.
 *
 * Append new steps at the end; never edit a released one (files in the field already ran it).
 */
import type Database from 'better-sqlite3';

export interface Migration {
  /** The `user_version` the file has after this step. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'journal, receipts, outbox',
    sql: `
      -- Named counters that must never go backwards, even when the rows they numbered are pruned
      -- (max(device_seq) + 1 would reuse numbers once old receipts are deleted).
      CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
      INSERT INTO counters (name, value) VALUES ('device_seq', 0);

      -- One row per capture session (a POS connection, a run of a serial / USB / file stream).
      -- bytes_out / bytes_in are the lengths of the two journaled streams; they give the next
      -- chunk its offset without scanning the chunks.
      CREATE TABLE sessions (
        session    TEXT PRIMARY KEY,
        printer    TEXT NOT NULL,
        peer       TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at   INTEGER,
        bytes_out  INTEGER NOT NULL DEFAULT 0 CHECK (bytes_out >= 0),
        bytes_in   INTEGER NOT NULL DEFAULT 0 CHECK (bytes_in >= 0),
        decoded_to INTEGER NOT NULL DEFAULT 0 CHECK (decoded_to >= 0)
      );

      -- The raw journal. id is the arrival order across both directions (a reply after the query
      -- that asked for it); pos is the chunk's offset in its session's stream for its direction.
      -- A rowid table, not WITHOUT ROWID: chunks are blobs, often larger than a page.
      CREATE TABLE chunks (
        id      INTEGER PRIMARY KEY,
        session TEXT NOT NULL REFERENCES sessions (session),
        dir     TEXT NOT NULL CHECK (dir IN ('to-printer', 'from-printer')),
        pos     INTEGER NOT NULL CHECK (pos >= 0),
        t       INTEGER NOT NULL,
        bytes   BLOB NOT NULL,
        UNIQUE (session, dir, pos)
      );

      -- Decoded receipts. UNIQUE (session, start_pos) is what makes a replay after a crash a no-op
      -- instead of a double. captured_ms is captured_at as a number, for retention (ISO strings
      -- with different zones do not sort).
      CREATE TABLE receipts (
        id           TEXT PRIMARY KEY,
        device_seq   INTEGER NOT NULL UNIQUE,
        printer      TEXT NOT NULL,
        session      TEXT NOT NULL REFERENCES sessions (session),
        start_pos    INTEGER NOT NULL CHECK (start_pos >= 0),
        end_pos      INTEGER NOT NULL CHECK (end_pos >= start_pos),
        captured_at  TEXT NOT NULL,
        captured_ms  INTEGER NOT NULL,
        print_status TEXT NOT NULL CHECK (print_status IN ('ok', 'suspect', 'failed')),
        json         TEXT NOT NULL,
        sha256       TEXT NOT NULL,
        synced       INTEGER NOT NULL DEFAULT 0 CHECK (synced IN (0, 1)),
        synced_at    INTEGER,
        UNIQUE (session, start_pos)
      );
      CREATE INDEX receipts_by_printer ON receipts (printer, device_seq);
      CREATE INDEX receipts_by_sync ON receipts (synced, captured_ms);

      -- Work for the sync worker: one row per receipt still to send (removed when it is synced).
      CREATE TABLE outbox (
        receipt_id      TEXT PRIMARY KEY REFERENCES receipts (id) ON DELETE CASCADE,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at);
    `,
  },
  {
    version: 2,
    name: 'printer health: events, current state, print reasons',
    sql: `
      -- One row per change of a printer condition (docs/sync-protocol.md, POST /api/v1/health-events).
      -- seq is per device, from its own counter (never reused after a prune); at is ISO 8601 with
      -- the agent's zone as sent, at_ms the same instant as a number for ranges.
      INSERT INTO counters (name, value) VALUES ('health_seq', 0);
      CREATE TABLE health_events (
        id          TEXT PRIMARY KEY,
        seq         INTEGER NOT NULL UNIQUE,
        printer     TEXT NOT NULL,
        at          TEXT NOT NULL,
        at_ms       INTEGER NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('online', 'paper', 'cover', 'cutter', 'error', 'drawer', 'capture')),
        state       TEXT NOT NULL,
        previous    TEXT,
        duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
        detail      TEXT,
        synced      INTEGER NOT NULL DEFAULT 0 CHECK (synced IN (0, 1)),
        synced_at   INTEGER
      );
      CREATE INDEX health_events_by_printer ON health_events (printer, at_ms);
      CREATE INDEX health_events_by_sync ON health_events (synced, seq);

      -- Each printer's conditions now: what a restarted agent tells its next changes against.
      CREATE TABLE printer_state (
        printer  TEXT NOT NULL,
        kind     TEXT NOT NULL,
        state    TEXT NOT NULL,
        since_ms INTEGER NOT NULL,
        PRIMARY KEY (printer, kind)
      ) WITHOUT ROWID;

      -- Why a receipt is flagged suspect or failed ("paper end reported 14:01:07"); null when ok.
      ALTER TABLE receipts ADD COLUMN print_reason TEXT;
    `,
  },
  {
    version: 3,
    name: 'sync: device id, receipt revisions, parked outbox rows, health outbox, sync state',
    sql: `
      -- The agent's own identity towards the server, made once per data directory (a random v4
      -- UUID; SQL so that the whole step stays one statement list).
      CREATE TABLE device (
        one        INTEGER PRIMARY KEY CHECK (one = 1),
        id         TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      INSERT INTO device (one, id, created_at) VALUES (
        1,
        lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' ||
          substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
      );

      -- 0 at capture, +1 each time a redecode changes the content: the server takes a higher
      -- revision from the same device as a correction instead of a conflict.
      ALTER TABLE receipts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0);

      -- A row the server answered as a conflict is parked: kept (the receipt stays unsynced, so
      -- retention never deletes it), never sent again automatically, counted in status.
      ALTER TABLE outbox ADD COLUMN parked_at INTEGER;
      ALTER TABLE outbox ADD COLUMN parked_reason TEXT;
      ALTER TABLE outbox ADD COLUMN last_error_at INTEGER;
      -- What the worker asks for: rows not parked, in the order they were queued (rowid).
      DROP INDEX outbox_due;
      CREATE INDEX outbox_ready ON outbox (next_attempt_at) WHERE parked_at IS NULL;

      -- Health events go out through an outbox of the same shape (src/store/outbox.ts), filled by
      -- a trigger in the transaction that appends the event, emptied when the event is marked
      -- synced, whoever marks it. Events from before this step that are not synced are queued.
      CREATE TABLE health_outbox (
        event_id        TEXT PRIMARY KEY REFERENCES health_events (id) ON DELETE CASCADE,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        last_error_at   INTEGER,
        parked_at       INTEGER,
        parked_reason   TEXT
      );
      CREATE INDEX health_outbox_ready ON health_outbox (next_attempt_at) WHERE parked_at IS NULL;
      INSERT INTO health_outbox (event_id, next_attempt_at) SELECT id, 0 FROM health_events WHERE synced = 0 ORDER BY seq;
      CREATE TRIGGER health_events_queue AFTER INSERT ON health_events WHEN NEW.synced = 0
      BEGIN
        INSERT INTO health_outbox (event_id, next_attempt_at) VALUES (NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
      END;
      CREATE TRIGGER health_events_sent AFTER UPDATE OF synced ON health_events WHEN NEW.synced = 1
      BEGIN
        DELETE FROM health_outbox WHERE event_id = NEW.id;
      END;

      -- Per outbox kind (receipts, health events): the kind-wide backoff (a server that is down is
      -- down for every row) and what status shows. next_attempt_at is persisted so a restart does
      -- not hammer a server that was failing.
      CREATE TABLE sync_state (
        kind            TEXT PRIMARY KEY,
        failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_attempt_at INTEGER,
        last_success_at INTEGER,
        last_error      TEXT,
        last_error_code TEXT,
        last_error_at   INTEGER,
        clock_offset_ms INTEGER,
        clock_offset_at INTEGER,
        -- Which server and token the backoff was earned with (a hash, never the token): a restart
        -- with another URL or token (someone fixed the configuration) tries again at once.
        endpoint        TEXT
      );
    `,
  },
  {
    version: 4,
    name: 'journal: spool mark',
    sql: `
      -- Where the relay's spool (src/agent/spool.ts) has been journaled up to: segment number and
      -- the byte offset after the last record committed, written in the same transaction as the
      -- chunks, so that a restart journals exactly what the spool holds beyond it.
      CREATE TABLE spool_mark (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        seg INTEGER NOT NULL CHECK (seg >= 0),
        off INTEGER NOT NULL CHECK (off >= 0)
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Bring the file up to LATEST_VERSION; refuse a file written by a newer tilltap. */
export function migrate(db: Database.Database, file: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const tooNew = (v: number): Error =>
    new Error(
      `${file} has schema version ${v}, newer than this tilltap knows (${latest}): ` +
        'it was written by a newer release. Upgrade tilltap, or use another data directory.',
    );
  const current = userVersion(db);
  if (current > latest) throw tooNew(current);
  for (const step of migrations) {
    if (step.version <= current) continue;
    db.transaction(() => {
      // Read again under the write lock: another process may have migrated meanwhile.
      const now = userVersion(db);
      if (now > latest) throw tooNew(now);
      if (now >= step.version) return;
      if (now !== step.version - 1) throw new Error(`${file}: schema version ${now}, expected ${step.version - 1} before "${step.name}"`);
      db.exec(step.sql);
      // user_version lives in the file header and is part of this transaction.
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return userVersion(db);
}
