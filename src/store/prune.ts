/**
 * Retention: synced data older than N days goes, unsynced data never does.
 *
 * - A receipt is deleted when the server has it (synced) and it was captured more than N days ago.
 *   A receipt still in the outbox (waiting, or parked after a conflict) is never deleted, whatever
 *   its synced flag says: the outbox row is the record of what is still owed to the server.
 * - A session's journal (its chunks and its row) is deleted only when the session is over
 *   (ended more than N days ago), fully decoded (decoded_to = bytes: no receipt can still come out
 *   of its bytes) and every receipt cut from it is synced and older than N days. The journal
 *   behind an unsynced receipt stays, so the receipt can always be redecoded before it is sent.
 *
 * Everything in one transaction; then the freed pages go back to the file system
 * (auto_vacuum=INCREMENTAL, set when the file was created), zeroed by secure_delete, and the WAL is
 * emptied: what retention deleted is gone from the disk, not only from the tables.
 */
import type Database from 'better-sqlite3';
import { scrubWal } from './db.js';
import type { PruneOptions, PruneResult } from './types.js';

const DAY_MS = 86_400_000;

export class Pruner {
  private readonly doomedSessions;
  private readonly journalSize;
  private readonly deleteChunks;
  private readonly deleteReceiptsOf;
  private readonly deleteSession;
  private readonly deleteOldSynced;

  constructor(private readonly db: Database.Database) {
    this.doomedSessions = db.prepare<[number, number], { session: string }>(
      `SELECT s.session FROM sessions s
        WHERE s.ended_at IS NOT NULL AND s.ended_at < ?
          AND s.decoded_to >= s.bytes_out
          AND NOT EXISTS (SELECT 1 FROM receipts r
                           WHERE r.session = s.session
                             AND (r.synced = 0 OR r.captured_ms >= ?
                                  OR EXISTS (SELECT 1 FROM outbox o WHERE o.receipt_id = r.id)))`,
    );
    this.journalSize = db.prepare<[string], { chunks: number; bytes: number | null }>(
      'SELECT count(*) AS chunks, sum(length(bytes)) AS bytes FROM chunks WHERE session = ?',
    );
    this.deleteChunks = db.prepare<[string]>('DELETE FROM chunks WHERE session = ?');
    // Only synced ones can be left here (the session was chosen for having no unsynced receipt).
    this.deleteReceiptsOf = db.prepare<[string]>('DELETE FROM receipts WHERE session = ? AND synced = 1');
    this.deleteSession = db.prepare<[string]>('DELETE FROM sessions WHERE session = ?');
    this.deleteOldSynced = db.prepare<[number]>(
      'DELETE FROM receipts WHERE synced = 1 AND captured_ms < ? AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.receipt_id = receipts.id)',
    );
  }

  prune(opts: PruneOptions): PruneResult {
    const days = opts.olderThanDays;
    if (!Number.isFinite(days) || days < 0) throw new RangeError(`prune: bad olderThanDays ${days}`);
    const cutoff = (opts.now ?? Date.now()) - days * DAY_MS;
    const result = this.db
      .transaction((): PruneResult => {
        let sessions = 0;
        let chunks = 0;
        let bytes = 0;
        // Sessions first: their receipts are deleted with them (the foreign key needs that order).
        let receipts = 0;
        for (const { session } of this.doomedSessions.all(cutoff, cutoff)) {
          const size = this.journalSize.get(session)!;
          chunks += size.chunks;
          bytes += size.bytes ?? 0;
          this.deleteChunks.run(session);
          receipts += this.deleteReceiptsOf.run(session).changes;
          this.deleteSession.run(session);
          sessions++;
        }
        receipts += this.deleteOldSynced.run(cutoff).changes;
        return { receipts, sessions, chunks, bytes };
      })
      .immediate();
    if (result.chunks + result.receipts > 0) {
      this.db.pragma('incremental_vacuum');
      // Old page images in the WAL still hold what was deleted: empty it (best effort, as in redact).
      scrubWal(this.db);
    }
    return result;
  }
}
