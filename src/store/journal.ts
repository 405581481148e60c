/**
 * The raw journal: every captured chunk, both directions, durable before anything decodes it.
 *
 * A chunk's offset is the length of its session's stream (for its direction) before it; the
 * lengths live in the session row, so appending is one indexed read and two writes in one
 * transaction, committed (fsynced: synchronous=FULL) before appendChunk returns.
 */
import type Database from 'better-sqlite3';
import type { CaptureChunk, Direction } from '../../drivers/types.js';
import type { BeginSessionInput, JournalChunk, SessionRow } from './types.js';

interface SessionDbRow {
  session: string;
  printer: string;
  peer: string;
  started_at: number;
  ended_at: number | null;
  bytes_out: number;
  bytes_in: number;
  decoded_to: number;
}

interface ChunkDbRow {
  session: string;
  dir: Direction;
  pos: number;
  t: number;
  bytes: Buffer;
}

const SESSION_COLUMNS = 'session, printer, peer, started_at, ended_at, bytes_out, bytes_in, decoded_to';

/** Chunks read per query by the iterators: bounded memory, and no statement left open between. */
const PAGE = 256;

export function toSessionRow(r: SessionDbRow): SessionRow {
  return {
    session: r.session,
    printer: r.printer,
    peer: r.peer,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    bytes: r.bytes_out,
    decodedTo: r.decoded_to,
  };
}

export function checkDirection(dir: string): asserts dir is Direction {
  if (dir !== 'to-printer' && dir !== 'from-printer') throw new Error(`unknown direction "${dir}"`);
}

export class Journal {
  private readonly getSession;
  private readonly insertSession;
  private readonly insertChunk;
  private readonly growOut;
  private readonly growIn;
  private readonly setEnded;
  private readonly setPeer;
  private readonly setDecoded;
  private readonly allSessions;
  private readonly pending;
  private readonly chunksFrom;
  private readonly startOf;
  private readonly append: (printer: string, chunk: CaptureChunk) => { offset: number };

  constructor(private readonly db: Database.Database) {
    this.getSession = db.prepare<[string], SessionDbRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE session = ?`);
    this.insertSession = db.prepare<[string, string, string, number]>(
      'INSERT INTO sessions (session, printer, peer, started_at) VALUES (?, ?, ?, ?)',
    );
    this.insertChunk = db.prepare<[string, Direction, number, number, Buffer]>(
      'INSERT INTO chunks (session, dir, pos, t, bytes) VALUES (?, ?, ?, ?, ?)',
    );
    this.growOut = db.prepare<[number, string]>('UPDATE sessions SET bytes_out = bytes_out + ? WHERE session = ?');
    this.growIn = db.prepare<[number, string]>('UPDATE sessions SET bytes_in = bytes_in + ? WHERE session = ?');
    this.setPeer = db.prepare<[string, string]>('UPDATE sessions SET peer = ? WHERE session = ?');
    this.setEnded = db.prepare<[number, string]>('UPDATE sessions SET ended_at = ? WHERE session = ? AND ended_at IS NULL');
    // Never past the journaled bytes: decoded_to <= bytes_out is what pendingSessions relies on.
    this.setDecoded = db.prepare<[number, string]>(
      'UPDATE sessions SET decoded_to = max(decoded_to, min(?, bytes_out)) WHERE session = ?',
    );
    this.allSessions = db.prepare<[], SessionDbRow>(`SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY started_at, rowid`);
    this.pending = db.prepare<[], SessionDbRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE ended_at IS NULL OR decoded_to < bytes_out ORDER BY started_at, rowid`,
    );
    // Chunks of one direction from a position on, in stream order (the UNIQUE index serves it).
    this.chunksFrom = db.prepare<[string, Direction, number, number, number], ChunkDbRow>(
      'SELECT session, dir, pos, t, bytes FROM chunks WHERE session = ? AND dir = ? AND pos >= ? AND pos < ? ORDER BY pos LIMIT ?',
    );
    // The chunk holding byte `from` starts at the largest pos <= from.
    this.startOf = db.prepare<[string, Direction, number], { pos: number | null }>(
      'SELECT max(pos) AS pos FROM chunks WHERE session = ? AND dir = ? AND pos <= ?',
    );

    // IMMEDIATE: take the write lock before reading the stream length, so that a second writer
    // (a `receipts redecode` beside the agent) waits instead of failing with SQLITE_BUSY_SNAPSHOT.
    const tx = db.transaction((printer: string, chunk: CaptureChunk): { offset: number } => {
      let s = this.getSession.get(chunk.session);
      if (!s) {
        // Bytes before their connect event: journal them anyway, the journal never drops bytes.
        this.insertSession.run(chunk.session, printer, 'unknown', chunk.t);
        s = this.getSession.get(chunk.session)!;
      } else if (s.printer !== printer) {
        throw new Error(`session ${chunk.session} belongs to printer "${s.printer}", not "${printer}"`);
      }
      const out = chunk.dir === 'to-printer';
      const offset = out ? s.bytes_out : s.bytes_in;
      if (chunk.bytes.length === 0) return { offset };
      this.insertChunk.run(chunk.session, chunk.dir, offset, chunk.t, chunk.bytes);
      (out ? this.growOut : this.growIn).run(chunk.bytes.length, chunk.session);
      return { offset };
    });
    this.append = (printer, chunk) => tx.immediate(printer, chunk);
  }

  session(session: string): SessionRow | null {
    const r = this.getSession.get(session);
    return r ? toSessionRow(r) : null;
  }

  beginSession(input: BeginSessionInput): void {
    this.db
      .transaction(() => {
        const s = this.getSession.get(input.session);
        if (!s) {
          this.insertSession.run(input.session, input.printer, input.peer, input.t);
          return;
        }
        // Begun twice (or its chunks came first): the same session, unless the printer differs.
        if (s.printer !== input.printer) {
          throw new Error(`session ${input.session} already exists for printer "${s.printer}"`);
        }
        if (s.peer === 'unknown' && input.peer !== 'unknown') {
          this.setPeer.run(input.peer, input.session);
        }
      })
      .immediate();
  }

  appendChunk(printer: string, chunk: CaptureChunk): { offset: number } {
    checkDirection(chunk.dir);
    return this.append(printer, chunk);
  }

  /** Bytes that arrive after this are still journaled (and the session shows as pending). */
  endSession(session: string, t: number): void {
    this.requireSession(session);
    this.setEnded.run(t, session);
  }

  markDecoded(session: string, upTo: number): void {
    this.requireSession(session);
    if (!Number.isInteger(upTo) || upTo < 0) throw new RangeError(`markDecoded: bad offset ${upTo}`);
    this.setDecoded.run(upTo, session);
  }

  sessions(): SessionRow[] {
    return this.allSessions.all().map(toSessionRow);
  }

  /** Not ended, or not decoded to the end: what the agent must finish after a crash. */
  pendingSessions(): SessionRow[] {
    return this.pending.all().map(toSessionRow);
  }

  /** The chunks of one direction overlapping [from, to), whole, in stream order. */
  *chunks(session: string, dir: Direction, from = 0, to = Number.MAX_SAFE_INTEGER): Generator<JournalChunk> {
    checkDirection(dir);
    let pos = this.startOf.get(session, dir, from)?.pos ?? 0;
    for (;;) {
      // Paged, and every page fully read before yielding: the caller may write between pages.
      const page = this.chunksFrom.all(session, dir, pos, to, PAGE);
      for (const r of page) yield { session: r.session, dir: r.dir, offset: r.pos, t: r.t, bytes: r.bytes };
      if (page.length < PAGE) return;
      pos = page[page.length - 1]!.pos + 1;
    }
  }

  /** The stream's bytes in [from, to), chunk by chunk (the first and last cut to the range). */
  *iterateStream(session: string, dir: Direction, from = 0, to = Number.MAX_SAFE_INTEGER): Generator<Buffer> {
    for (const c of this.chunks(session, dir, from, to)) {
      const a = Math.max(0, from - c.offset);
      const b = Math.min(c.bytes.length, to - c.offset);
      if (b > a) yield a === 0 && b === c.bytes.length ? c.bytes : c.bytes.subarray(a, b);
    }
  }

  readStream(session: string, dir: Direction, from = 0, to?: number): Buffer {
    const parts: Buffer[] = [];
    for (const b of this.iterateStream(session, dir, from, to)) parts.push(b);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private requireSession(session: string): SessionDbRow {
    const s = this.getSession.get(session);
    if (!s) throw new Error(`no session ${session} in the journal`);
    return s;
  }
}
