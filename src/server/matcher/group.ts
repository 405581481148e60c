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
import type { Channel, ReceiptView } from './normalize.js';
import { binOf, idKey, last4Of } from './normalize.js';
import type { WallMs } from './time.js';
import type { ExclusionReason, ReceiptGroup } from './types.js';
import { UnionFind } from './union-find.js';

export type WalletSource = 'wechat' | 'alipay';

export interface DuplicatePrint {
  readonly receipt: ReceiptView;
  /** The earlier print of the same copy. */
  readonly first: ReceiptView;
}

export interface GroupView {
  /** Position in time order. */
  readonly idx: number;
  readonly id: string;
  /** Capture order. */
  readonly members: readonly ReceiptView[];
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
  // Merged fields: the primary's value, else the first member that has one.
  readonly type?: TransType;
  readonly mid?: string;
  readonly tid?: string;
  readonly rrn?: string;
  readonly batch?: string;
  readonly trace?: string;
  readonly auth?: string;
  readonly last4?: string;
  readonly bin?: string;
  readonly txid?: string;
  readonly order?: string;
  readonly receiptNo?: string;
  readonly origRrn?: string;
  readonly origTrace?: string;
  readonly origTxid?: string;
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

function exclusion(r: ReceiptView): ExclusionReason | undefined {
  const f = r.f;
  if (f.test) return 'test';
  if (f.trans_type && NOT_TRANSACTIONS.has(f.trans_type)) return 'not_a_transaction';
  const hasId =
    (f.merchant_id && f.terminal_id) || f.transaction_id || f.merchant_order_no || f.receipt_no || f.reference_no || f.trace_no;
  if (!hasId && r.amount === undefined) return 'no_fields';
  return undefined;
}

/** The keys under which prints of one transaction meet. */
function groupKeys(r: ReceiptView): string[] {
  const f = r.f;
  const type = f.trans_type ?? '?';
  const keys: string[] = [];
  const mid = idKey(f.merchant_id);
  const tid = idKey(f.terminal_id);
  if (mid && tid) {
    const rrn = idKey(f.reference_no);
    const trace = idKey(f.trace_no);
    if (rrn) keys.push(`r|${mid}|${tid}|${type}|${rrn}`);
    if (trace) keys.push(`t|${mid}|${tid}|${type}|${idKey(f.batch_no) ?? ''}|${trace}`);
  }
  const txid = idKey(f.transaction_id);
  const order = idKey(f.merchant_order_no);
  if (txid) keys.push(`x|${type}|${txid}`);
  if (order) keys.push(`o|${type}|${order}`);
  const rn = idKey(f.receipt_no);
  if (rn) keys.push(`n|${r.r.store}|${type}|${rn}`);
  return keys;
}

function channelOf(f: ReceiptView['f']): { channel?: Channel; walletSource?: WalletSource } {
  const method = f.payment_method;
  const walletSource = method === 'wechat' || method === 'alipay' ? method : undefined;
  if (f.receipt_no) return { channel: 'sales' };
  if (f.transaction_id || f.merchant_order_no || (method && WALLET_METHODS.has(method))) return { channel: 'wallet', walletSource };
  if (f.merchant_id && f.terminal_id) return { channel: 'card' };
  return {};
}

const receiptTime = (r: ReceiptView): WallMs => r.printed ?? r.captured;

/**
 * Groups the receipts (given in capture order). `keyWindowMs`: prints further apart than this
 * under one key are separate transactions (trace numbers wrap, RRNs repeat across years).
 */
export function groupReceipts(receipts: readonly ReceiptView[], keyWindowMs: number): GroupView[] {
  const uf = new UnionFind(receipts.length);
  const excluded = receipts.map(exclusion);
  const buckets = new Map<string, number[]>();
  receipts.forEach((r, i) => {
    if (excluded[i]) return;
    for (const k of groupKeys(r)) {
      const b = buckets.get(k);
      if (b) b.push(i);
      else buckets.set(k, [i]);
    }
  });
  for (const members of buckets.values()) {
    if (members.length < 2) continue;
    const byTime = [...members].sort((a, b) => receiptTime(receipts[a]!) - receiptTime(receipts[b]!) || a - b);
    for (let k = 1; k < byTime.length; k++) {
      const a = byTime[k - 1]!;
      const b = byTime[k]!;
      if (receiptTime(receipts[b]!) - receiptTime(receipts[a]!) <= keyWindowMs) uf.union(a, b);
    }
  }
  const sets = new Map<number, ReceiptView[]>();
  receipts.forEach((r, i) => {
    const root = uf.find(i);
    const s = sets.get(root);
    if (s) s.push(r);
    else sets.set(root, [r]);
  });
  // The root is the smallest index of its set: excluded receipts have no keys and stand alone.
  const groups = [...sets].map(([root, members]) => buildGroup(members, excluded[root]));
  groups.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return groups.map((g, idx) => ({ ...g, idx }));
}

function first<T>(members: readonly ReceiptView[], get: (r: ReceiptView) => T | undefined): T | undefined {
  for (const m of members) {
    const v = get(m);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function buildGroup(members: readonly ReceiptView[], excludedReason: ExclusionReason | undefined): Omit<GroupView, 'idx'> {
  const reprints = members.filter((m) => m.f.reprint === true);
  const primary = members.find((m) => m.f.reprint !== true) ?? members[0]!;
  // Primary first, then the rest in capture order: whose value speaks for the group.
  const ordered = [primary, ...members.filter((m) => m !== primary)];
  const seenCopy = new Map<string, ReceiptView>();
  const duplicates: DuplicatePrint[] = [];
  const copies: CopyKind[] = [];
  for (const m of members) {
    if (m.f.reprint === true) continue;
    const slot = m.f.copy ?? '-';
    const earlier = seenCopy.get(slot);
    if (earlier) duplicates.push({ receipt: m, first: earlier });
    else {
      seenCopy.set(slot, m);
      if (m.f.copy) copies.push(m.f.copy);
    }
  }
  let id = members[0]!.id;
  for (const m of members) if (m.id < id) id = m.id;
  const f = (get: (r: ReceiptView) => string | undefined): string | undefined => first(ordered, get);
  return {
    id,
    members,
    primary,
    reprints,
    duplicates,
    copies,
    excluded: excludedReason,
    ...channelOf(primary.f),
    t: receiptTime(primary),
    printedClock: primary.printed !== undefined,
    store: primary.r.store,
    printer: primary.r.printer,
    agentTerminal: primary.r.terminal,
    type: first(ordered, (r) => r.f.trans_type),
    mid: f((r) => idKey(r.f.merchant_id)),
    tid: f((r) => idKey(r.f.terminal_id)),
    rrn: f((r) => idKey(r.f.reference_no)),
    batch: f((r) => idKey(r.f.batch_no)),
    trace: f((r) => idKey(r.f.trace_no)),
    auth: f((r) => idKey(r.f.auth_code)),
    last4: f((r) => last4Of(r.f.card_number)),
    bin: f((r) => binOf(r.f.card_number)),
    txid: f((r) => idKey(r.f.transaction_id)),
    order: f((r) => idKey(r.f.merchant_order_no)),
    receiptNo: f((r) => idKey(r.f.receipt_no)),
    origRrn: f((r) => idKey(r.f.original_reference_no)),
    origTrace: f((r) => idKey(r.f.original_trace_no)),
    origTxid: f((r) => idKey(r.f.original_transaction_id)),
    amount: first(ordered, (r) => r.amount),
    currency: f((r) => r.f.currency),
    operator: f((r) => r.operator),
    printedRrn: f((r) => r.f.reference_no),
    printedTrace: f((r) => r.f.trace_no),
    printedTxid: f((r) => r.f.transaction_id),
    printedOrder: f((r) => r.f.merchant_order_no),
    printedReceiptNo: f((r) => r.f.receipt_no),
    printedTid: f((r) => r.f.terminal_id),
    printedMid: f((r) => r.f.merchant_id),
    fault: members.some((m) => m.f.fault === true),
  };
}

/** The public shape of a group. */
export function publicGroup(g: GroupView): ReceiptGroup {
  return {
    id: g.id,
    receipt_ids: g.members.map((m) => m.id),
    primary: g.primary.id,
    copies: g.copies,
    reprints: g.reprints.map((m) => m.id),
    duplicates: g.duplicates.map((d) => d.receipt.id),
    ...(g.excluded ? { excluded: g.excluded } : {}),
  };
}
