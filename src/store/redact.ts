/**
 * No full card number at rest: once a receipt is segmented, the card numbers in its raw bytes are
 * masked in the journal the way the decoder masked them in the receipt (first 6 + last 4 kept; and
 * what guardText also masks: track data, labelled expiry dates and security codes — PCI forbids
 * keeping those after authorisation at all). Every masked byte becomes `*` (0x2A): same length, so
 * every offset in the journal and in the receipts still holds, and `*` is text to the tokenizer, so
 * a redecode tokenizes the stream exactly as before.
 *
 * Only bytes of `text` tokens are ever changed (see text-view.ts): digits inside image data or
 * command parameters are not card numbers.
 *
 * The rewritten rows leave the old bytes behind in two places SQLite does not clean by itself: the
 * WAL (old page images until the WAL is reset) and freed pages (the rewritten blob's old overflow
 * pages). secure_delete (set in db.ts) zeroes freed pages; a TRUNCATE checkpoint after each
 * redaction that changed something copies the clean pages into the main file and empties the WAL
 * (scrubWal in db.ts: it never waits for readers; if one is in the way, the next call cleans).
 */
import type Database from 'better-sqlite3';
import { type Dialect, tableFor } from '../escpos/commands.js';
import { tokenize } from '../escpos/tokenizer.js';
import { SNIFF_BYTES, sniffDialect } from '../receipt/decoder.js';
import { guardText } from '../receipt/fields/pan-guard.js';
import { scrubWal } from './db.js';
import type { Journal } from './journal.js';
import { buildTextView } from './text-view.js';
import type { RedactOptions } from './types.js';

const STAR = 0x2a;

export class Redactor {
  private readonly rewrite;

  constructor(
    private readonly db: Database.Database,
    private readonly journal: Journal,
  ) {
    this.rewrite = db.prepare<[Buffer, string, number]>(
      "UPDATE chunks SET bytes = ? WHERE session = ? AND dir = 'to-printer' AND pos = ?",
    );
  }

  /** Mask [start, end) of the session's to-printer stream; returns how many values were masked. */
  redact(session: string, start: number, end: number, opts: RedactOptions = {}): number {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
      throw new RangeError(`redactJournal: bad byte range [${start}, ${end})`);
    }
    if (end === start) return 0;
    // Read and rewrite under one write lock: nothing changes the rows in between.
    const count = this.db.transaction(() => this.maskRange(session, start, end, opts.dialect ?? 'auto')).immediate();
    if (count > 0) this.scrubWal();
    return count;
  }

  private maskRange(session: string, start: number, end: number, dialect: NonNullable<RedactOptions['dialect']>): number {
    // The range may begin and end inside chunks, and a number may straddle two chunk rows: work
    // on one copy of all the rows it touches, then write back the rows that changed.
    const chunks = [...this.journal.chunks(session, 'to-printer', start, end)];
    if (chunks.length === 0) return 0;
    const base = chunks[0]!.offset;
    const all = Buffer.concat(chunks.map((c) => c.bytes));
    const a = start - base;
    const b = Math.min(end - base, all.length);
    if (b <= a) return 0;
    const region = all.subarray(a, b);

    const bytes = Buffer.from(region);
    const lang: Dialect =
      dialect !== 'auto' ? dialect : sniffDialect(bytes.subarray(0, SNIFF_BYTES)) === 'star-line' ? 'star-line' : 'clone';
    const tokens = tokenize(bytes, tableFor(lang));
    const guarded = guardText(buildTextView(tokens, 0, lang, false).text);
    const count = guarded.pans + guarded.secrets;
    if (count === 0) return 0;
    const view = buildTextView(tokens, 0, lang);
    if (guarded.text.length !== view.text.length) throw new Error('redactJournal: the guard changed the text length');
    let changed = false;
    for (let i = 0; i < view.text.length; i++) {
      if (guarded.text.charCodeAt(i) === view.text.charCodeAt(i) || view.from[i]! < 0) continue;
      for (let k = view.from[i]!; k < view.to[i]!; k++) region[k] = STAR;
      changed = true;
    }
    if (!changed) return 0;
    let at = 0;
    for (const c of chunks) {
      const now = all.subarray(at, at + c.bytes.length);
      at += c.bytes.length;
      if (!now.equals(c.bytes)) this.rewrite.run(now, session, c.offset);
    }
    return count;
  }

  /** See db.ts: best effort, never waits. */
  scrubWal(): boolean {
    return scrubWal(this.db);
  }
}
