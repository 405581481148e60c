/**
 * The reconciliation matcher's inputs and outputs. The matcher is pure: storage reads these
 * inputs, calls `reconcile(input)` (./index.ts) and stores the result; nothing here does I/O.
 *
 * Times: statement and printed receipt times are local wall-clock times without a zone
 * ("2026-11-20T14:03:00"); `captured_at`, health intervals and `now` carry a zone. The matcher
 * sets both on the merchant's local wall clock with `options.utc_offset_minutes`.
 */
import type { CopyKind, ReceiptFieldSet, TransType } from '../../receipt/fields/types.js';
import type { StatementLanguage, StatementTxn } from '../statement.js';
import type { MatchScope } from './scope.js';

export type { MatchScope } from './scope.js';

// ---- inputs -----------------------------------------------------------------------------------

/** One statement transaction as storage holds it. */
export interface StatementRow {
  /** Stable id given by storage (`${fileId}:${line}`); unique among the input rows. */
  readonly id: string;
  /** The language of the file the row came from: the discrepancy's `explanation` is written in it. */
  readonly language: StatementLanguage;
  /**
   * The store the file was imported for, when storage knows it (a POS sales log is per store).
   * Card and wallet rows leave it out: the store is found from the terminal's receipts.
   */
  readonly store?: string;
  readonly txn: StatementTxn;
}

export type PrintStatus = 'ok' | 'suspect' | 'failed';

/**
 * The receipt fields the matcher reads. `original_transaction_id` is not extracted from wallet
 * refund slips yet; it is read when present so a refund slip can name its payment.
 */
export type MatchFields = ReceiptFieldSet & { readonly original_transaction_id?: string };

/** A receipt as head office holds it (docs/sync-protocol.md, GET /api/v1/receipts). */
export interface HeldReceipt {
  /** The agent's UUID, unique forever. */
  readonly id: string;
  readonly store: string;
  /** The agent's device id. */
  readonly device: string;
  /** The capture's printer name in the agent config ("front"). */
  readonly printer: string;
  /** The agent config's terminal name (`run --terminal`), not the payment terminal's TID. */
  readonly terminal: string | null;
  /** ISO 8601 with zone, the agent PC's clock. */
  readonly captured_at: string;
  readonly print_status: PrintStatus;
  readonly print_reason: string | null;
  readonly fields: MatchFields;
}

/** What went wrong with a printer for a while. `no_response` is its own state, not `offline`. */
export type PrinterCondition = 'paper_out' | 'cover_open' | 'offline' | 'error' | 'no_response';

export interface HealthInterval {
  readonly store: string;
  readonly printer: string;
  readonly condition: PrinterCondition;
  /** ISO 8601 with zone. */
  readonly start: string;
  /** ISO 8601 with zone; null while the condition lasts. */
  readonly end: string | null;
}

/**
 * Where a payment terminal stands, when head office knows it from configuration. Without it the
 * matcher learns the store and printers of a (MID, TID) from the receipts that terminal printed.
 */
export interface TerminalPlacement {
  readonly merchant_id: string;
  readonly terminal_id: string;
  readonly store: string;
  /** The printers that print this terminal's slips (agent printer names). */
  readonly printers: readonly string[];
}

export type DiscrepancyStatus = 'open' | 'resolved';

/** A person's decision on a discrepancy, kept by storage under the discrepancy's `key`. */
export interface Decision {
  readonly key: string;
  readonly status: DiscrepancyStatus;
  readonly by: string;
  /** ISO 8601 with zone. */
  readonly at: string;
  readonly reason: string;
}

export interface MatchOptions {
  /** The time of the run, ISO 8601 with zone: a transaction younger than the grace period is `pending`. */
  readonly now: string;
  /** Offset of the merchant's local time from UTC, minutes (China: 480, the default). */
  readonly utc_offset_minutes?: number;
  /** How long a statement transaction waits for its receipt before it is reported (default 24 h). */
  readonly grace_ms?: number;
  /** Window of the (auth, amount, last 4) and (amount, last 4) tiers, either side (default 5 min). */
  readonly window_ms?: number;
  /** How far apart a key tier (RRN, voucher, order number) may put the two sides (default 24 h). */
  readonly key_window_ms?: number;
  /** A matched pair's times may differ this much, after the clock offset, before it is a data difference (default 10 min). */
  readonly time_tolerance_ms?: number;
  /** Amount differences up to this many minor units are not reported (default 0). */
  readonly amount_tolerance_minor?: number;
  /** A terminal's learned clock offset beyond this is reported as `clock_drift` (default 2 min). */
  readonly drift_threshold_ms?: number;
  /** Confident matches needed before a terminal's clock offset is learned (default 3). */
  readonly drift_min_samples?: number;
  /** A printer condition counts for a transaction this long before it began or after it ended (default 2 min). */
  readonly health_slack_ms?: number;
  /** The local dates being reconciled (YYYY-MM-DD, inclusive): rows and receipts outside are match candidates only. */
  readonly period?: { readonly from: string; readonly to: string };
  /** Language of explanations with no statement row behind them, when no statement says (default: the rows' majority, else 'en'). */
  readonly language?: StatementLanguage;
}

export interface MatchInput {
  readonly statements: readonly StatementRow[];
  readonly receipts: readonly HeldReceipt[];
  readonly health?: readonly HealthInterval[];
  readonly terminals?: readonly TerminalPlacement[];
  readonly decisions?: readonly Decision[];
  readonly options: MatchOptions;
  /**
   * Facts of a whole input when this is one part of it (reconcile/run.ts matches a day in parts):
   * coverage, languages, currency, merchants' stores. Gathered from this input when absent.
   */
  readonly scope?: MatchScope;
}

// ---- outputs ----------------------------------------------------------------------------------

/**
 * Which key matched, strongest first: `rrn` (MID, TID, RRN), `voucher` (MID, TID, batch, trace),
 * `wallet_order` (transaction id / merchant order number), `receipt_no` (sales log),
 * `auth_window` (MID, TID, auth code, amount, last 4 in a window), `amount_window` (MID, TID,
 * amount, last 4 in a window, only with exactly one candidate on each side).
 */
export type MatchTier = 'rrn' | 'voucher' | 'wallet_order' | 'receipt_no' | 'auth_window' | 'amount_window';

/**
 * Receipts that are not transactions: a test slip, a printout with no transaction fields, a
 * balance enquiry or settlement (totals) slip.
 */
export type ExclusionReason = 'test' | 'no_fields' | 'not_a_transaction';

/** Copies and reprints of one slip: one transaction. Every held receipt is in exactly one group. */
export interface ReceiptGroup {
  /** The smallest receipt id of the group. */
  readonly id: string;
  /** In capture order. */
  readonly receipt_ids: readonly string[];
  /** The receipt whose fields speak for the group (the first print that is not a reprint). */
  readonly primary: string;
  readonly copies: readonly CopyKind[];
  /** Receipts marked as reprints. */
  readonly reprints: readonly string[];
  /** Second prints of a copy already printed, with no reprint mark. */
  readonly duplicates: readonly string[];
  /** Why the group is not reconciled against statements, when it is not. */
  readonly excluded?: ExclusionReason;
}

/**
 * What became of one statement row. Exactly one per input row: a row names at most one group,
 * so it cannot match twice.
 */
export type StatementOutcome =
  | { readonly id: string; readonly state: 'matched'; readonly group: string; readonly tier: MatchTier; readonly confidence: number }
  | { readonly id: string; readonly state: 'missing_receipt' | 'print_failed' | 'ambiguous'; readonly key: string }
  /** Younger than the grace period: its receipt may still arrive. */
  | { readonly id: string; readonly state: 'pending'; readonly due: string }
  /** Outside `options.period`: a candidate only. */
  | { readonly id: string; readonly state: 'out_of_period' };

/** What became of one receipt group. Exactly one per group: a group names at most one row. */
export type GroupOutcome =
  | { readonly group: string; readonly state: 'matched'; readonly statement: string; readonly tier: MatchTier; readonly confidence: number }
  | { readonly group: string; readonly state: 'orphan_receipt' | 'ambiguous'; readonly key: string }
  /** No statement in the input covers it (its merchant, wallet or sales log, on its date). */
  | { readonly group: string; readonly state: 'not_covered' }
  | { readonly group: string; readonly state: 'out_of_period' }
  /** Test slips and printouts with no transaction fields. */
  | { readonly group: string; readonly state: 'excluded' };

export interface Match {
  readonly statement_id: string;
  readonly group: string;
  readonly receipt_ids: readonly string[];
  readonly tier: MatchTier;
  readonly confidence: number;
  /** The two sides differ in trans_type (matched in the pass that allows it). */
  readonly type_differs: boolean;
  /** Receipt time − statement time, ms, as printed (before the clock offset). */
  readonly delta_ms: number;
  readonly store: string | null;
  readonly terminal: string | null;
  readonly operator: string | null;
  readonly trans_type: TransType;
  readonly amount_minor: number;
  readonly currency: string;
}

export type DiscrepancyKind =
  | 'missing_receipt'
  | 'orphan_receipt'
  | 'amount_mismatch'
  | 'type_mismatch'
  | 'data_mismatch'
  | 'duplicate'
  | 'reprint'
  | 'clock_drift'
  | 'ambiguous'
  | 'print_failed';

export const DISCREPANCY_KINDS: readonly DiscrepancyKind[] = [
  'missing_receipt',
  'orphan_receipt',
  'amount_mismatch',
  'type_mismatch',
  'data_mismatch',
  'duplicate',
  'reprint',
  'clock_drift',
  'ambiguous',
  'print_failed',
];

/**
 * The probable cause, for summaries: `staff` names the cashier's part (a slip printed twice, a
 * reprint, an amount or type keyed differently from what was charged).
 */
export type DiscrepancyCause =
  | 'printer'
  | 'not_captured'
  | 'staff'
  | 'terminal_clock'
  | 'declined'
  | 'voided'
  | 'unknown';

export type DiffField =
  | 'amount_minor'
  | 'trans_type'
  | 'card_last4'
  | 'card_bin'
  | 'auth_code'
  | 'batch_no'
  | 'trace_no'
  | 'reference_no'
  | 'currency'
  | 'transaction_id'
  | 'merchant_order_no'
  | 'receipt_no'
  | 'operator_id'
  | 'datetime';

/** One field that differs: the statement's value and one value the receipts show, with which receipts show it. */
export interface FieldDiff {
  readonly field: DiffField;
  readonly statement: string | number;
  readonly receipt: string | number;
  readonly receipt_ids: readonly string[];
}

export interface Discrepancy {
  /** Stable across runs over the same data: decisions are kept under it. */
  readonly key: string;
  readonly kind: DiscrepancyKind;
  readonly cause: DiscrepancyCause;
  readonly status: DiscrepancyStatus;
  /** The decision applied from the input, when there is one. */
  readonly decision?: Decision;
  readonly language: StatementLanguage;
  /** In `language`. */
  readonly explanation: string;
  readonly explanation_zh: string;
  readonly explanation_en: string;
  readonly statement_ids: readonly string[];
  readonly receipt_ids: readonly string[];
  readonly diff: readonly FieldDiff[];
  readonly store: string | null;
  readonly merchant_id: string | null;
  /** The payment terminal's TID, else the agent's terminal name. */
  readonly terminal: string | null;
  /** Operator id or cashier, from either side. */
  readonly operator: string | null;
  /** Local time of the transaction ("2026-11-20T14:03:00"), when there is one transaction. */
  readonly at: string | null;
  readonly trans_type: TransType | null;
  /** The amount at stake (the statement's, else the receipt's); the difference for amount_mismatch is in `diff`. */
  readonly amount_minor: number | null;
  readonly currency: string | null;
  readonly tier?: MatchTier;
  /** print_failed: the printer condition that covers the transaction. */
  readonly health?: HealthInterval;
  /** clock_drift: receipt clock − statement clock, median over `samples` confident matches. */
  readonly clock?: { readonly offset_ms: number; readonly samples: number };
}

/** A void or refund and the transaction it reverses, on one side. */
export interface ReversalLink {
  readonly side: 'statement' | 'receipt';
  /** Statement row id or receipt group id. */
  readonly reversal: string;
  readonly original: string;
  readonly by: 'reference_no' | 'trace_no' | 'transaction_id';
}

export interface TerminalClock {
  readonly merchant_id: string;
  readonly terminal_id: string;
  /** Median of receipt time − statement time over the samples, ms. */
  readonly offset_ms: number;
  readonly samples: number;
  /** Whether the offset was applied to the window tiers (enough samples). */
  readonly applied: boolean;
}

export interface MatchResult {
  readonly groups: readonly ReceiptGroup[];
  readonly statements: readonly StatementOutcome[];
  readonly group_outcomes: readonly GroupOutcome[];
  /** One per matched row, in statement time order. */
  readonly matches: readonly Match[];
  readonly discrepancies: readonly Discrepancy[];
  readonly links: readonly ReversalLink[];
  readonly clocks: readonly TerminalClock[];
  /** Decisions whose key no discrepancy of this run carries (the cause went away, or the data changed). */
  readonly stale_decisions: readonly string[];
}
