/**
 * The head-office server's storage: what the HTTP routes and the `server` CLI need from a database.
 *
 * Every method returns a Promise, so that the SQLite backend (better-sqlite3, synchronous under
 * the hood: storage/sqlite/) and a PostgreSQL backend (pg, issue 7) are interchangeable. A method
 * that writes is one transaction: when its Promise resolves the change is durable, and when it
 * rejects nothing of it was written.
 *
 * Groups follow the tables (one module per group in each backend): stores, tokens, devices,
 * receipts (with their revision history and the conflict log), health events, idempotency keys,
 * statements (imported files and their rows), reconciliation (matches, discrepancies and the
 * decisions people took on them). Adding one:
 *   1. here: its records and a `XStorage` interface, and a member of `Storage`;
 *   2. the schema: one new step, the same version number, in sqlite/migrations.ts and in
 *      postgres/migrations.ts (TEXT COLLATE "C" for keys and sorted text there; BIGINT for money
 *      in minor units and for counts, milliseconds; identity columns instead of INTEGER PRIMARY KEY);
 *   3. rows.ts: the row type, its columns and its mapping to the records, shared by both;
 *      any deciding logic as a pure module beside classify.ts / batch.ts, shared too;
 *   4. sqlite/x.ts (prepared statements, `db.transaction(...).immediate()` for writes) and
 *      postgres/x.ts (`pool.query` for reads, `transaction(pool, …)` from postgres/pool.ts for
 *      writes; `$n` placeholders), each composed in its backend's index.ts;
 *   5. tests: in test/server/storage.test.ts inside describeBackends, so they run on both.
 */
import type { TransType } from '../../receipt/fields/types.js';
import type { PrintStatus } from '../../store/types.js';
import type {
  DiscrepancyCause,
  DiscrepancyKind,
  DiscrepancyStatus,
  FieldDiff,
  HealthInterval,
  HeldReceipt,
  MatchTier,
  StatementRow,
} from '../matcher/types.js';
import type { ParsedStatement, StatementHead, StatementLanguage, StatementSource, StatementTxn } from '../statement.js';

export type { PrintStatus };

/** Times are ISO 8601 strings in UTC (`Date.toISOString()`), unless a field says otherwise. */
export type IsoTime = string;

// ---- tokens ------------------------------------------------------------------------------------

export type TokenRole = 'device' | 'user';

/** A token as listed: never the secret, which is stored only as its SHA-256. */
export type TokenRecord =
  | { readonly id: string; readonly role: 'device'; readonly store: string; readonly name: null; readonly createdAt: IsoTime; readonly revokedAt: IsoTime | null }
  | { readonly id: string; readonly role: 'user'; readonly store: null; readonly name: string; readonly createdAt: IsoTime; readonly revokedAt: IsoTime | null };

export type NewToken =
  | { readonly id: string; readonly hash: string; readonly role: 'device'; readonly store: string; readonly createdAt: IsoTime }
  | { readonly id: string; readonly hash: string; readonly role: 'user'; readonly name: string; readonly createdAt: IsoTime };

export type RevokeResult = 'revoked' | 'already-revoked' | 'unknown';

export interface TokenStorage {
  /** Stores the token (and its store, for a device token, if new). Throws if the id or hash exists. */
  create(token: NewToken): Promise<TokenRecord>;
  /** The token with this hash, revoked or not (the caller decides what a revoked token gets). */
  findByHash(hash: string): Promise<TokenRecord | null>;
  list(): Promise<TokenRecord[]>;
  revoke(id: string, at: IsoTime): Promise<RevokeResult>;
}

// ---- stores ------------------------------------------------------------------------------------

export interface StoreRecord {
  readonly id: string;
  readonly createdAt: IsoTime;
}

export interface StoreStorage {
  list(): Promise<StoreRecord[]>;
}

// ---- devices -----------------------------------------------------------------------------------

/** What an agent says about itself in every POST (the `device` block), as the server saw it. */
export interface DeviceSighting {
  readonly id: string;
  readonly terminal: string | null;
  readonly version: string;
  /** Server receive time − the agent's clock_ms: positive when the shop PC's clock is behind. */
  readonly clockOffsetMs: number;
  readonly seenAt: IsoTime;
}

export interface DeviceRecord {
  readonly store: string;
  readonly id: string;
  readonly terminal: string | null;
  readonly version: string;
  readonly firstSeen: IsoTime;
  readonly lastSeen: IsoTime;
  readonly clockOffsetMs: number;
  /** When clockOffsetMs was measured. */
  readonly clockAt: IsoTime;
}

export interface DeviceStorage {
  list(filter?: { readonly store?: string }): Promise<DeviceRecord[]>;
}

// ---- idempotency -------------------------------------------------------------------------------

/** What a POST with an Idempotency-Key claims: answered once per (token, key). */
export interface IdempotencyClaim {
  readonly tokenId: string;
  /** Which route: a key used for receipts and for health events is two keys. */
  readonly scope: 'receipts' | 'health-events';
  readonly key: string;
  /** SHA-256 of what makes the request this request (see src/server/ingest.ts fingerprints). */
  readonly fingerprint: string;
}

/** An answer as sent, kept so that a retry with the same key gets it again. */
export interface StoredAnswer {
  readonly status: number;
  /** The JSON body, as text. */
  readonly body: string;
}

/**
 * The outcome of an idempotent write: done now (with the answer that was stored), answered
 * before (the stored answer, nothing written), or the key was used for another request.
 */
export type Idempotent<R> =
  | { readonly kind: 'fresh'; readonly result: R; readonly answer: StoredAnswer }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  | { readonly kind: 'key-reused' };

export interface IdempotencyStorage {
  /** Forget keys answered before this time; returns how many. */
  prune(before: IsoTime): Promise<number>;
}

/** Who sent a batch, and when it arrived: the context of one ingest transaction. */
export interface IngestContext {
  /** The store, from the device token (never from the body). */
  readonly store: string;
  readonly device: DeviceSighting;
  readonly receivedAt: IsoTime;
  /** null when the request carried no Idempotency-Key. */
  readonly idempotency: IdempotencyClaim | null;
}

// ---- receipts ----------------------------------------------------------------------------------

/** One receipt of a batch, checked (schema, SHA-256) and ready to store. */
export interface IncomingReceipt {
  readonly id: string;
  readonly seq: number;
  readonly revision: number;
  readonly sha256: string;
  /** ISO 8601 with the shop's zone, as the agent sent it. */
  readonly capturedAt: string;
  /** capturedAt in ms since the epoch, for ordering across zones. */
  readonly capturedMs: number;
  /** YYYY-MM-DD of capturedAt in the shop's own zone. */
  readonly localDate: string;
  readonly printer: string;
  readonly printStatus: PrintStatus;
  readonly printReason: string | null;
  /** From the decoded fields, for the matcher; null when not printed. */
  readonly terminalId: string | null;
  readonly merchantId: string | null;
  /** canonicalJson of the receipt (the text its sha256 is the hash of). */
  readonly json: string;
  /** The receipt's `fields` as JSON text, for the matcher; cut out of `json` when not given. */
  readonly fieldsJson?: string;
}

export type ConflictReason =
  /** Same device, another content under a revision not above the one held. */
  | 'revision-not-higher'
  /** The id is held from another device (or another store). */
  | 'other-device';

export interface ReceiptConflict {
  readonly id: string;
  readonly reason: ConflictReason;
  readonly sent: { readonly revision: number; readonly sha256: string };
  readonly held: { readonly store: string; readonly device: string; readonly revision: number; readonly sha256: string };
}

export interface ReceiptRevised {
  readonly id: string;
  readonly from: number;
  readonly to: number;
}

/** Per receipt of a batch, what happened (docs/sync-protocol.md): each id in exactly one list. */
export interface ReceiptIngestResult {
  readonly accepted: string[];
  readonly duplicates: string[];
  readonly revised: ReceiptRevised[];
  readonly conflicts: ReceiptConflict[];
}

/** A receipt as head office holds it (its current revision). */
export interface ServerReceipt {
  readonly id: string;
  readonly store: string;
  readonly device: string;
  /** The agent's `run --terminal`, as the device said when it sent this revision. */
  readonly terminal: string | null;
  readonly seq: number;
  readonly revision: number;
  readonly sha256: string;
  readonly capturedAt: string;
  readonly localDate: string;
  readonly printer: string;
  readonly printStatus: PrintStatus;
  readonly printReason: string | null;
  readonly terminalId: string | null;
  readonly merchantId: string | null;
  /** The receipt as `decode --json` gives it (canonical JSON text). */
  readonly json: string;
  readonly receivedAt: IsoTime;
}

/** An earlier revision, kept when a higher one replaced it. */
export interface ReceiptRevision {
  readonly id: string;
  readonly revision: number;
  readonly sha256: string;
  readonly device: string;
  readonly printStatus: PrintStatus;
  readonly printReason: string | null;
  readonly json: string;
  readonly receivedAt: IsoTime;
  readonly replacedAt: IsoTime;
}

export interface ConflictRecord {
  readonly seq: number;
  readonly receiptId: string;
  readonly store: string;
  readonly device: string;
  readonly reason: ConflictReason;
  readonly revision: number;
  readonly sha256: string;
  readonly heldStore: string;
  readonly heldDevice: string;
  readonly heldRevision: number;
  readonly heldSha256: string;
  /** The content that was refused, kept as evidence. */
  readonly json: string;
  readonly receivedAt: IsoTime;
}

export interface ListReceiptsFilter {
  readonly store?: string;
  /** YYYY-MM-DD, the shop's local date of captured_at. */
  readonly date?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface ReceiptStorage {
  /**
   * One batch, one transaction: the device sighting, every receipt (accepted, duplicate, revised
   * or conflict, in order), the conflict log, and the idempotency record with its answer. With a
   * claim already answered nothing is written except the device sighting.
   * `answer` renders what is sent back, so that the same text can be stored with the key.
   */
  ingest(
    ctx: IngestContext,
    receipts: readonly IncomingReceipt[],
    answer: (result: ReceiptIngestResult) => StoredAnswer,
  ): Promise<Idempotent<ReceiptIngestResult>>;
  /** Oldest first (captured time, then device sequence). */
  list(filter?: ListReceiptsFilter): Promise<ServerReceipt[]>;
  get(id: string): Promise<ServerReceipt | null>;
  /** Earlier revisions, oldest first. */
  revisions(id: string): Promise<ReceiptRevision[]>;
  /** The conflict log, oldest first. */
  conflicts(filter?: { readonly store?: string }): Promise<ConflictRecord[]>;
}

// ---- health events -----------------------------------------------------------------------------

export interface IncomingHealthEvent {
  readonly id: string;
  readonly seq: number;
  readonly printer: string;
  /** ISO 8601 with the shop's zone. */
  readonly at: string;
  readonly atMs: number;
  readonly kind: string;
  readonly state: string;
  readonly previous: string | null;
  readonly durationMs: number | null;
  readonly detail: string | null;
}

export interface HealthIngestResult {
  readonly accepted: string[];
  readonly duplicates: string[];
}

export interface HealthEventRecord extends IncomingHealthEvent {
  readonly store: string;
  readonly device: string;
  readonly receivedAt: IsoTime;
}

export interface HealthStorage {
  ingest(
    ctx: IngestContext,
    events: readonly IncomingHealthEvent[],
    answer: (result: HealthIngestResult) => StoredAnswer,
  ): Promise<Idempotent<HealthIngestResult>>;
  /** Oldest first. */
  list(filter?: { readonly store?: string; readonly printer?: string }): Promise<HealthEventRecord[]>;
}

// ---- statements --------------------------------------------------------------------------------

/** One imported statement file (a version of it). */
export interface StatementFileRecord {
  /** Derived from what the file is for and its content hash (statement-files.ts): a row is `${id}:${line}`. */
  readonly id: string;
  readonly source: StatementSource;
  /** The importer's name: wechat, alipay, acquirer-csv, generic, sales-log. */
  readonly format: string;
  /** The file name as given, when there was one. */
  readonly name: string | null;
  readonly encoding: string;
  readonly language: StatementLanguage;
  readonly merchantId: string | null;
  /** The store the file was imported for (a POS sales log); null for card and wallet statements. */
  readonly store: string | null;
  readonly dateFrom: string;
  readonly dateTo: string;
  readonly contentSha256: string;
  /** 1 for the first file of its source, merchant, store and dates; +1 for each corrected one. */
  readonly version: number;
  readonly rowCount: number;
  readonly summary: Readonly<Record<string, string>> | null;
  readonly importedAt: IsoTime;
  /** The user token's name or the CLI's `--by`; null when unknown. */
  readonly importedBy: string | null;
  /** A later version replaced this one: its rows are no longer matched. */
  readonly supersededBy: string | null;
}

export interface NewStatementImport {
  readonly parsed: ParsedStatement;
  readonly store: string | null;
  readonly name: string | null;
  readonly importedAt: IsoTime;
  readonly importedBy: string | null;
}

/**
 * A file read a slice at a time (src/server/importers openStatement): what is known before its
 * rows, and its rows.
 */
export interface NewStatementSlices {
  /** With the content hash, the file's id (statement-files.ts statementFileId): the identity, or streamKey. */
  readonly key: string;
  readonly source: StatementSource;
  readonly format: string;
  readonly encoding: string;
  readonly contentSha256: string;
  readonly store: string | null;
  readonly name: string | null;
  readonly importedAt: IsoTime;
  readonly importedBy: string | null;
  /**
   * The rows in file order a slice at a time, then the file's head; a StatementError (or any
   * error) thrown from it rolls the import back. Read afresh at each call (a retried transaction).
   */
  slices(): Generator<readonly StatementTxn[], StatementHead, undefined>;
}

export type StatementImportResult =
  /** Stored whole; `supersedes` is the version it replaced, if any. */
  | { readonly kind: 'imported'; readonly file: StatementFileRecord; readonly supersedes: StatementFileRecord | null }
  /** The same bytes for the same source, merchant, store and dates are held: nothing was written. */
  | { readonly kind: 'already-imported'; readonly file: StatementFileRecord };

/** A statement row as storage holds it, with what the matcher needs from its file. */
export interface StatementRowRecord {
  /** `${fileId}:${line}`. */
  readonly id: string;
  readonly fileId: string;
  readonly line: number;
  /** YYYY-MM-DD of the transaction's local time. */
  readonly date: string;
  readonly language: StatementLanguage;
  readonly store: string | null;
  readonly txn: StatementTxn;
}

export interface StatementStorage {
  /**
   * One file, one transaction: the file and all its rows, or nothing. The same content for the
   * same source, merchant, store and dates is `already-imported`; other content for them is the
   * next version, and the version it replaces is marked superseded (its matches are dropped: its
   * rows are matched no more).
   */
  import(file: NewStatementImport): Promise<StatementImportResult>;
  /** `import` for a file read a slice at a time: one transaction all the same, memory for a slice. */
  importSlices(file: NewStatementSlices): Promise<StatementImportResult>;
  /** Newest import first. */
  files(filter?: { readonly includeSuperseded?: boolean }): Promise<StatementFileRecord[]>;
  /** Rows of a file, in line order. */
  rows(fileId: string): Promise<StatementRowRecord[]>;
  /** The transaction dates of current (not superseded) statement rows, ascending. */
  dates(): Promise<string[]>;
}

// ---- reconciliation ------------------------------------------------------------------------------

/** A person's decision, kept by discrepancy key across re-runs. */
export interface DecisionRecord {
  readonly key: string;
  readonly status: DiscrepancyStatus;
  readonly by: string;
  readonly at: IsoTime;
  readonly reason: string;
}

/** What one day's matching run reads. */
export interface MatchInputQuery {
  /** The day being reconciled (YYYY-MM-DD). */
  readonly day: string;
  /** Local dates whose rows and receipts are candidates (the day and its neighbours). */
  readonly from: string;
  readonly to: string;
  /** Health events between these instants (ms), plus each printer condition's last event before. */
  readonly fromMs: number;
  readonly toMs: number;
}

/** What the matcher reads of a held receipt: where and when, and the decoded fields alone. */
export interface MatchReceiptRecord {
  readonly id: string;
  readonly store: string;
  readonly device: string;
  readonly terminal: string | null;
  readonly printer: string;
  readonly capturedAt: string;
  readonly localDate: string;
  readonly printStatus: PrintStatus;
  readonly printReason: string | null;
  /**
   * The receipt's `fields` as JSON text, kept beside the stored receipt since ingest (a receipt is
   * kilobytes of lines and spans; the matcher needs only its fields).
   */
  readonly fields: string;
}

/** A statement row as the matcher reads it: without the row as read (`raw`), which it never uses. */
export interface MatchStatementRecord extends Omit<StatementRowRecord, 'txn'> {
  readonly txn: Omit<StatementTxn, 'raw'>;
}

export interface StoredMatchInput {
  /** Current rows of the dates, less rows another day's run matched. */
  readonly rows: MatchStatementRecord[];
  /** Receipts captured on the dates, less receipts another day's run matched. */
  readonly receipts: MatchReceiptRecord[];
  readonly health: HealthEventRecord[];
  /** Decisions on the day's discrepancies (taken when a run of the day had found them). */
  readonly decisions: DecisionRecord[];
}

export interface MatchRecord {
  readonly statementRowId: string;
  /** The statement row's date: the run that stored it. */
  readonly date: string;
  readonly group: string;
  readonly receiptIds: readonly string[];
  readonly tier: MatchTier;
  readonly confidence: number;
  readonly typeDiffers: boolean;
  readonly deltaMs: number;
  readonly store: string | null;
  readonly terminal: string | null;
  readonly operator: string | null;
  readonly transType: TransType;
  readonly amountMinor: number;
  readonly currency: string;
  readonly matchedAt: IsoTime;
}

/** A discrepancy as a run found it (the decision on it is kept apart, by key). */
export interface NewDiscrepancy {
  readonly key: string;
  /** The day of the run that found it. */
  readonly date: string;
  /** Position in the run's order (time, then kind, then key). */
  readonly seq: number;
  readonly kind: DiscrepancyKind;
  readonly cause: DiscrepancyCause;
  readonly language: StatementLanguage;
  readonly explanation: string;
  readonly explanationZh: string;
  readonly explanationEn: string;
  readonly statementIds: readonly string[];
  readonly receiptIds: readonly string[];
  readonly diff: readonly FieldDiff[];
  readonly store: string | null;
  readonly merchantId: string | null;
  readonly terminal: string | null;
  readonly operator: string | null;
  /** Local time of the transaction, when there is one. */
  readonly at: string | null;
  readonly transType: TransType | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly tier: MatchTier | null;
  readonly health: HealthInterval | null;
  readonly clock: { readonly offset_ms: number; readonly samples: number } | null;
  readonly foundAt: IsoTime;
}

export interface DiscrepancyRecord extends NewDiscrepancy {
  readonly status: DiscrepancyStatus;
  /** The latest decision on it (a resolution, or who reopened it), if any. */
  readonly decision: DecisionRecord | null;
}

export interface DiscrepancyFilter {
  readonly date?: string;
  readonly store?: string;
  readonly kind?: DiscrepancyKind;
  readonly status?: DiscrepancyStatus;
  readonly terminal?: string;
  readonly operator?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface StoredRun {
  readonly day: string;
  readonly matches: readonly MatchRecord[];
  readonly discrepancies: readonly NewDiscrepancy[];
}

/** What the planner of a day's parts reads of a statement row (reconcile/partition.ts): what joins it to others, and the scope. */
export interface PlanRowRecord {
  readonly id: string;
  readonly date: string;
  readonly language: StatementLanguage;
  /** The store its file was imported for. */
  readonly store: string | null;
  readonly txn: Pick<
    StatementTxn,
    'datetime' | 'source' | 'merchant_id' | 'terminal_id' | 'transaction_id' | 'merchant_order_no' | 'original_transaction_id' | 'receipt_no' | 'currency'
  >;
}

/** What the planner of a day's parts reads of a receipt (reconcile/partition.ts). */
export interface PlanReceiptRecord {
  readonly store: string;
  /** The receipt's fields as JSON text. */
  readonly fields: string;
}

/** A statement row of a part (storage/part-json.ts): the matcher's input and the row's date. */
export interface PartRow {
  readonly date: string;
  readonly row: StatementRow;
}

/** A receipt of a part: the matcher's input and the local date it was captured on. */
export interface PartReceipt {
  readonly localDate: string;
  readonly receipt: HeldReceipt;
}

/**
 * A day's run in parts (reconcile/run.ts), inside one transaction that began by removing the
 * day's earlier matches and discrepancies: all reads see one state of the database, and either
 * every part's matches and the day's discrepancies are written or nothing is. The run may ask for
 * the next `part` and `saveMatches` before the calls before them are done: a backend runs them
 * in the order asked (a part read does not depend on the day's own matches).
 */
export interface DayInParts {
  /** The day's candidate rows (those `input` reads), handed over in batches and not held. */
  planRows(each: (batch: readonly PlanRowRecord[]) => void): Promise<void>;
  /** The day's candidate receipts' stores and fields, in batches. */
  planReceipts(each: (batch: readonly PlanReceiptRecord[]) => void): Promise<void>;
  health(): Promise<HealthEventRecord[]>;
  decisions(): Promise<DecisionRecord[]>;
  /** One part: the rows of these ids, the candidate receipts of these stores, as the matcher reads them. */
  part(stores: readonly string[], rowIds: readonly string[]): Promise<{ rows: PartRow[]; receipts: PartReceipt[] }>;
  saveMatches(matches: readonly MatchRecord[]): Promise<void>;
  /** Once, at the end: the day's discrepancies in their order (seq). */
  saveDiscrepancies(discrepancies: readonly NewDiscrepancy[]): Promise<void>;
}

export interface ReconciliationStorage {
  input(q: MatchInputQuery): Promise<StoredMatchInput>;
  /**
   * Runs `work` on the day in one transaction (see DayInParts); a second run of the same day
   * waits for the first. The database refuses a statement row or a receipt matched twice.
   */
  inParts<T>(q: MatchInputQuery, work: (day: DayInParts) => Promise<T>): Promise<T>;
  /**
   * One transaction: the day's earlier matches and discrepancies are replaced by these. Decisions
   * stay (they are kept by key). The database refuses a statement row or a receipt matched twice
   * (also by another day's run): then nothing is written.
   */
  save(run: StoredRun): Promise<void>;
  /** In the runs' order: date, then the order within the run. */
  discrepancies(filter?: DiscrepancyFilter): Promise<DiscrepancyRecord[]>;
  discrepancy(key: string): Promise<DiscrepancyRecord | null>;
  /** Matches, by date and store. */
  matches(filter?: { readonly date?: string; readonly store?: string }): Promise<MatchRecord[]>;
  /** Records the decision on a held discrepancy; null when no discrepancy has that key. */
  decide(decision: DecisionRecord): Promise<DiscrepancyRecord | null>;
}

// ---- the whole -----------------------------------------------------------------------------------

export interface Storage {
  /** Which backend, for logs and `tilltap server --help`. */
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data is (a file path; a URL without its password). */
  readonly location: string;
  readonly stores: StoreStorage;
  readonly tokens: TokenStorage;
  readonly devices: DeviceStorage;
  readonly receipts: ReceiptStorage;
  readonly health: HealthStorage;
  readonly idempotency: IdempotencyStorage;
  readonly statements: StatementStorage;
  readonly reconciliation: ReconciliationStorage;
  /** Is the database answering (for /healthz)? */
  ping(): Promise<boolean>;
  /** Safe to call twice. */
  close(): Promise<void>;
}
