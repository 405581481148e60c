/**
 * A day cut into parts the matcher can run on one at a time, each closed under everything the
 * matcher compares, so that the parts' results together are the whole day's result (reconcile/run.ts
 * runs them; test/server/reconcile/partition.test.ts holds them to it):
 *
 *   - a store's receipts stay together (copies and reprints group per store, till receipt numbers
 *     are per store, and a part reads receipts by store);
 *   - everything of one payment terminal, (MID, TID): the RRN, voucher and window tiers, clock
 *     learning, reversal links and the learned place of a terminal all key on it;
 *   - everything sharing a wallet transaction id or merchant order number, the original
 *     transaction id of a refund included (wallet rows name no store: their receipts place them);
 *   - a sales-log row that names no store with every receipt of its till receipt number.
 *
 * Keys are compared in the matcher's comparison form (idKey), as the matcher compares them. The
 * joins are a union-find over the keys; each connected set is packed whole into a part. What the
 * matcher reads across parts (coverage, languages, currency, a merchant's one store) is gathered
 * here over the whole day (matcher/scope.ts) and handed to every part; health intervals and
 * decisions are small and go to every part whole.
 */
import { exclusionOf } from '../matcher/group.js';
import { channelOfRow, idKey } from '../matcher/normalize.js';
import { ScopeBuilder, type MatchScope } from '../matcher/scope.js';
import { localDate, parseLocal } from '../matcher/time.js';
import type { MatchFields } from '../matcher/types.js';
import type { StatementLanguage } from '../statement.js';
import type { PlanRowRecord } from '../storage/types.js';

/** One part: the stores whose receipts it reads, and the ids of its statement rows. */
export interface Part {
  readonly stores: readonly string[];
  readonly rowIds: readonly string[];
  /** Rows + receipts: what the part holds in memory. */
  readonly records: number;
}

/** What the planner reads of a receipt. */
export interface PlanReceipt {
  readonly store: string;
  /** The receipt's fields as JSON text (storage's `fields` column). */
  readonly fields: string;
}

const NONE = -1;

export class PartitionPlanner {
  private readonly keyIds = new Map<string, number>();
  private readonly parent: number[] = [];
  private readonly scope = new ScopeBuilder();
  private readonly rowIds: string[] = [];
  /** Each row's first key (NONE: a row that shares nothing with anything). */
  private readonly rowKey: number[] = [];
  /** Till receipt numbers of rows from sales logs that name no store: such a row meets any store's receipt. */
  private readonly storelessReceiptNos = new Set<string>();
  private readonly receiptsPerStore = new Map<string, number>();
  private rowsDone = false;

  /** Rows first: a storeless sales-log row decides which receipts its till number joins. */
  addRow(r: PlanRowRecord): void {
    if (this.rowsDone) throw new Error('PartitionPlanner: rows after receipts');
    const txn = r.txn;
    const t = parseLocal(txn.datetime);
    const mid = idKey(txn.merchant_id);
    const tid = idKey(txn.terminal_id);
    this.scope.addRow({
      id: r.id,
      t,
      date: localDate(t),
      language: r.language,
      channel: channelOfRow(txn),
      source: txn.source,
      ...(mid ? { mid } : {}),
      ...(r.store !== null ? { store: r.store } : {}),
      ...(txn.currency ? { currency: txn.currency } : {}),
    });
    let first = NONE;
    const join = (k: string): void => {
      const id = this.key(k);
      if (first === NONE) first = id;
      else this.union(first, id);
    };
    if (mid && tid) join(`T|${mid}|${tid}`);
    this.joinWallet(join, txn.transaction_id, txn.merchant_order_no, txn.original_transaction_id);
    if (r.store !== null) join(`S|${r.store}`);
    else {
      const no = idKey(txn.receipt_no);
      if (no) {
        this.storelessReceiptNos.add(no);
        join(`N|${no}`);
      }
    }
    this.rowIds.push(r.id);
    this.rowKey.push(first);
  }

  addReceipt(r: PlanReceipt): void {
    this.rowsDone = true;
    const f = JSON.parse(r.fields) as MatchFields;
    this.receiptsPerStore.set(r.store, (this.receiptsPerStore.get(r.store) ?? 0) + 1);
    const store = this.key(`S|${r.store}`);
    // An excluded receipt stands alone in the matcher: its store is all it needs.
    if (exclusionOf(f) !== undefined) return;
    const mid = idKey(f.merchant_id);
    const tid = idKey(f.terminal_id);
    this.scope.addReceipt(mid, r.store);
    const join = (k: string): void => this.union(store, this.key(k));
    if (mid && tid) join(`T|${mid}|${tid}`);
    this.joinWallet(join, f.transaction_id, f.merchant_order_no, f.original_transaction_id);
    const no = idKey(f.receipt_no);
    if (no && this.storelessReceiptNos.has(no)) join(`N|${no}`);
  }

  scopeOf(language: StatementLanguage | undefined): MatchScope {
    return this.scope.build(language);
  }

  /**
   * Connected sets packed into parts of about `maxRecords` rows + receipts (a set bigger than that
   * is one part of its own size). In a stable order: stores by name, then rows alone.
   */
  plan(maxRecords: number): Part[] {
    interface Bin {
      stores: string[];
      rowIds: string[];
      records: number;
    }
    const sets = new Map<number, Bin>();
    const binOf = (root: number): Bin => {
      let b = sets.get(root);
      if (!b) sets.set(root, (b = { stores: [], rowIds: [], records: 0 }));
      return b;
    };
    for (const store of [...this.receiptsPerStore.keys()].sort()) {
      const b = binOf(this.find(this.keyIds.get(`S|${store}`)!));
      b.stores.push(store);
      b.records += this.receiptsPerStore.get(store)!;
    }
    const loose: Bin = { stores: [], rowIds: [], records: 0 };
    this.rowIds.forEach((id, i) => {
      const k = this.rowKey[i]!;
      const b = k === NONE ? loose : binOf(this.find(k));
      b.rowIds.push(id);
      b.records++;
    });
    const parts: Part[] = [];
    let cur: Bin = { stores: [], rowIds: [], records: 0 };
    const flush = (): void => {
      if (cur.records > 0) parts.push(cur);
      cur = { stores: [], rowIds: [], records: 0 };
    };
    for (const b of [...sets.values(), loose]) {
      if (cur.records > 0 && cur.records + b.records > maxRecords) flush();
      cur.stores.push(...b.stores);
      for (const id of b.rowIds) cur.rowIds.push(id);
      cur.records += b.records;
    }
    flush();
    return parts;
  }

  private joinWallet(join: (k: string) => void, txid: string | undefined, order: string | undefined, origTxid: string | undefined): void {
    const x = idKey(txid);
    if (x) join(`X|${x}`);
    const o = idKey(order);
    if (o) join(`O|${o}`);
    const ox = idKey(origTxid);
    if (ox) join(`X|${ox}`);
  }

  private key(k: string): number {
    let id = this.keyIds.get(k);
    if (id === undefined) {
      id = this.parent.length;
      this.parent.push(id);
      this.keyIds.set(k, id);
    }
    return id;
  }

  private find(i: number): number {
    const p = this.parent;
    let root = i;
    while (p[root] !== root) root = p[root]!;
    while (p[i] !== root) {
      const next = p[i]!;
      p[i] = root;
      i = next;
    }
    return root;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}
