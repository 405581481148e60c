/**
 * Copies of one slip are one transaction. A terminal prints a merchant and a cardholder copy (and
 * sometimes a bank copy), a cashier reprints on request: all of them carry the transaction's own
 * numbers, so receipts sharing (MID, TID, type, RRN), (MID, TID, type, batch, trace), a wallet
 * order number or a till receipt number within a day of each other are grouped first, and the
 * group — never a single print — is what meets the statement.
 *
 * Within a group: prints marked 重打印 / REPRINT are reprints; a second unmarked print of a copy
 * already printed is a duplicate.
 */
import type { CopyKind, TransType } from '../../receipt/fields/types.js';
import type { Channel, MatchKeys, ReceiptView } from './normalize.js';
import type { WallMs } from './time.js';
import type { ExclusionReason, MatchFields, ReceiptGroup } from './types.js';
import { MultiMap } from './multimap.js';
import { UnionFind } from './union-find.js';

export type WalletSource = 'wechat' | 'alipay';

export interface DuplicatePrint {
  readonly receipt: ReceiptView;
  /** The earlier print of the same copy. */
  readonly first: ReceiptView;
}

export interface GroupView extends MatchKeys {
  /** Position in time order. */
  idx: number;
  readonly id: string;
  /** Capture order. */
  readonly members: readonly ReceiptView[];
  /** The members' ids, capture order. */
  readonly receiptIds: readonly string[];
  readonly primary: ReceiptView;
  readonly reprints: readonly ReceiptView[];
  readonly duplicates: readonly DuplicatePrint[];
  readonly copies: readonly CopyKind[];
  readonly excluded?: ExclusionReason;
  /** Which statements can reconcile it; undefined when none can (no MID/TID, order or receipt number). */
  readonly channel?: Channel;
  readonly walletSource?: WalletSource;
  /** The transaction's time: printed on the slip (terminal clock) when it is, else captured. */
  readonly t: WallMs;
  readonly printedClock: boolean;
  readonly store: string;
  readonly printer: string;
  readonly agentTerminal: string | null;
  // Merged fields (and the MatchKeys): the primary's value, else the first member that has one.
  readonly type?: TransType;
  readonly amount?: number;
  readonly currency?: string;
  readonly operator?: string;
  /** Printed values, for explanations (leading zeros kept). */
  readonly printedRrn?: string;
  readonly printedTrace?: string;
  readonly printedTxid?: string;
  readonly printedOrder?: string;
  readonly printedReceiptNo?: string;
  readonly printedTid?: string;
  readonly printedMid?: string;
  readonly fault: boolean;
}

const NOT_TRANSACTIONS: ReadonlySet<TransType> = new Set(['balance', 'settlement']);
const WALLET_METHODS = new Set(['wechat', 'alipay', 'unionpay_qr']);

const exclusion = (r: ReceiptView): ExclusionReason | undefined => exclusionOf(r.f);

/** Why a receipt is not a transaction to match (and stands alone), from its fields; undefined when it is one. */
export function exclusionOf(f: MatchFields): ExclusionReason | undefined {
  if (f.test) return 'test';
  if (f.trans_type && NOT_TRANSACTIONS.has(f.trans_type)) return 'not_a_transaction';
  const hasId =
    (f.merchant_id && f.terminal_id) || f.transaction_id || f.merchant_order_no || f.receipt_no || f.reference_no || f.trace_no;
  if (!hasId && (f.amount_minor ?? f.total_minor) === undefined) return 'no_fields';
  return undefined;
}

/** Files a print under the keys under which prints of one transaction meet (no array per print). */
function addGroupKeys(buckets: MultiMap, r: ReceiptView, i: number): void {
  const type = r.f.trans_type ?? '?';
  if (r.mid && r.tid) {
    if (r.rrn) buckets.add(`r|${r.mid}|${r.tid}|${type}|${r.rrn}`, i);
    if (r.trace) buckets.add(`t|${r.mid}|${r.tid}|${type}|${r.batch ?? ''}|${r.trace}`, i);
  }
  if (r.txid) buckets.add(`x|${type}|${r.txid}`, i);
  if (r.order) buckets.add(`o|${type}|${r.order}`, i);
  if (r.receiptNo) buckets.add(`n|${r.r.store}|${type}|${r.receiptNo}`, i);
}

function channelOf(f: ReceiptView['f']): Channel | undefined {
  if (f.receipt_no) return 'sales';
  if (f.transaction_id || f.merchant_order_no || (f.payment_method && WALLET_METHODS.has(f.payment_method))) return 'wallet';
  if (f.merchant_id && f.terminal_id) return 'card';
  return undefined;
}

function walletSourceOf(f: ReceiptView['f']): WalletSource | undefined {
  const method = f.payment_method;
  return method === 'wechat' || method === 'alipay' ? method : undefined;
}

const receiptTime = (r: ReceiptView): WallMs => r.printed ?? r.captured;

/**
 * Groups the receipts (given in capture order). `keyWindowMs`: prints further apart than this
 * under one key are separate transactions (trace numbers wrap, RRNs repeat across years).
 */
export function groupReceipts(receipts: readonly ReceiptView[], keyWindowMs: number): GroupView[] {
  const uf = new UnionFind(receipts.length);
  const excluded = receipts.map(exclusion);
  const buckets = new MultiMap();
  for (let i = 0; i < receipts.length; i++) if (!excluded[i]) addGroupKeys(buckets, receipts[i]!, i);
  for (const members of buckets.multiples()) {
    const byTime = [...members].sort((a, b) => receiptTime(receipts[a]!) - receiptTime(receipts[b]!) || a - b);
    for (let k = 1; k < byTime.length; k++) {
      const a = byTime[k - 1]!;
      const b = byTime[k]!;
      if (receiptTime(receipts[b]!) - receiptTime(receipts[a]!) <= keyWindowMs) uf.union(a, b);
    }
  }
  // The root is the smallest index of its set, so a set is met at its root first: each set's
  // members in receipt order, kept by root in a plain array (no map, no entry pairs: most
  // receipts are a set of their own). Excluded receipts have no keys and stand alone.
  const setOf = new Array<ReceiptView[] | undefined>(receipts.length);
  const groups: GroupView[] = [];
  for (let i = 0; i < receipts.length; i++) {
    const root = uf.find(i);
    if (root === i) setOf[i] = [receipts[i]!];
    else setOf[root]!.push(receipts[i]!);
  }
  for (let i = 0; i < receipts.length; i++) {
    const members = setOf[i];
    if (members) groups.push(buildGroup(members, excluded[i]));
  }
  groups.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  groups.forEach((g, idx) => (g.idx = idx));
  return groups;
}

/** The group's value of a field: the primary's, else the first other print's that has one. */
function first<K extends keyof ReceiptView>(members: readonly ReceiptView[], primary: ReceiptView, key: K): ReceiptView[K] | undefined {
  const v = primary[key];
  if (v !== undefined || members.length === 1) return v;
  for (let mAt = 0; mAt < members.length; mAt++) {
    const m = members[mAt]!;
    const w = m[key];
    if (w !== undefined) return w;
  }
  return undefined;
}

function firstField<K extends keyof ReceiptView['f']>(members: readonly ReceiptView[], primary: ReceiptView, key: K): ReceiptView['f'][K] | undefined {
  const v = primary.f[key];
  if ((v !== undefined && v !== '') || members.length === 1) return v === '' ? undefined : v;
  for (let mAt = 0; mAt < members.length; mAt++) {
    const m = members[mAt]!;
    const w = m.f[key];
    if (w !== undefined && w !== '') return w;
  }
  return undefined;
}

/** Shared by the groups that have none (most): not an empty array per group. */
const NO_RECEIPTS: readonly ReceiptView[] = Object.freeze([]);
const NO_DUPLICATES: readonly DuplicatePrint[] = Object.freeze([]);

function buildGroup(members: readonly ReceiptView[], excludedReason: ExclusionReason | undefined): GroupView {
  let reprints: ReceiptView[] | undefined;
  for (let mAt = 0; mAt < members.length; mAt++) {
    const m = members[mAt]!;
    if (m.f.reprint === true) (reprints ??= []).push(m);
  }
  const primary = members.find((m) => m.f.reprint !== true) ?? members[0]!;
  // The first print of each copy (no copy mark counts as a copy of its own); a group holds a handful.
  let duplicates: DuplicatePrint[] | undefined;
  let copies: CopyKind[];
  if (members.length === 1) {
    // Most groups: one print, no list to search (nor a growing array to allocate).
    const copy = primary.f.reprint !== true ? primary.f.copy : undefined;
    copies = copy ? [copy] : [];
  } else {
    copies = [];
    const firstPrints: ReceiptView[] = [];
    for (let mAt = 0; mAt < members.length; mAt++) {
      const m = members[mAt]!;
      if (m.f.reprint === true) continue;
      const earlier = firstPrints.find((e) => e.f.copy === m.f.copy);
      if (earlier) (duplicates ??= []).push({ receipt: m, first: earlier });
      else {
        firstPrints.push(m);
        if (m.f.copy) copies.push(m.f.copy);
      }
    }
  }
  let id = members[0]!.id;
  for (let mAt = 0; mAt < members.length; mAt++) {
    const m = members[mAt]!;
    if (m.id < id) id = m.id;
  }
  // Direct calls, not closures made per group.
  const ms = members;
  const pr = primary;
  return {
    idx: 0,
    id,
    members,
    receiptIds: members.map((m) => m.id),
    primary,
    reprints: reprints ?? NO_RECEIPTS,
    duplicates: duplicates ?? NO_DUPLICATES,
    copies,
    excluded: excludedReason,
    channel: channelOf(primary.f),
    walletSource: walletSourceOf(primary.f),
    t: receiptTime(primary),
    printedClock: primary.printed !== undefined,
    store: primary.r.store,
    printer: primary.r.printer,
    agentTerminal: primary.r.terminal,
    type: firstField(ms, pr, 'trans_type'),
    mid: first(ms, pr, 'mid'),
    tid: first(ms, pr, 'tid'),
    rrn: first(ms, pr, 'rrn'),
    batch: first(ms, pr, 'batch'),
    trace: first(ms, pr, 'trace'),
    auth: first(ms, pr, 'auth'),
    last4: first(ms, pr, 'last4'),
    bin: first(ms, pr, 'bin'),
    txid: first(ms, pr, 'txid'),
    order: first(ms, pr, 'order'),
    receiptNo: first(ms, pr, 'receiptNo'),
    origRrn: first(ms, pr, 'origRrn'),
    origTrace: first(ms, pr, 'origTrace'),
    origTxid: first(ms, pr, 'origTxid'),
    amount: first(ms, pr, 'amount'),
    currency: firstField(ms, pr, 'currency'),
    operator: first(ms, pr, 'operator'),
    printedRrn: firstField(ms, pr, 'reference_no'),
    printedTrace: firstField(ms, pr, 'trace_no'),
    printedTxid: firstField(ms, pr, 'transaction_id'),
    printedOrder: firstField(ms, pr, 'merchant_order_no'),
    printedReceiptNo: firstField(ms, pr, 'receipt_no'),
    printedTid: firstField(ms, pr, 'terminal_id'),
    printedMid: firstField(ms, pr, 'merchant_id'),
    fault: members.some((m) => m.f.fault === true),
  };
}

const NO_IDS: readonly string[] = Object.freeze([]);

/** The public shape of a group. */
export function publicGroup(g: GroupView): ReceiptGroup {
  return {
    id: g.id,
    receipt_ids: g.receiptIds,
    primary: g.primary.id,
    copies: g.copies,
    reprints: g.reprints.length ? g.reprints.map((m) => m.id) : NO_IDS,
    duplicates: g.duplicates.length ? g.duplicates.map((d) => d.receipt.id) : NO_IDS,
    ...(g.excluded ? { excluded: g.excluded } : {}),
  };
}
