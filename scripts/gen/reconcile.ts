/**
 * A day at a merchant, seeded: card terminals in several stores (two acquirer statements: one with
 * every id, one without RRNs where some rows carry only the auth code or only amount and card), a
 * WeChat Pay statement, a POS sales log for one store; the receipts the counter PCs would have
 * captured (merchant / cardholder / bank copies, voids and refunds naming their originals); then
 * known faults, each recording the discrepancy it must cause:
 *
 *   print_failed     receipts lost while a printer reported paper end;
 *   missing_receipt  receipts lost for no recorded reason (card and wallet);
 *   grace edge       one transaction exactly a grace period old (reported), one a second younger (pending);
 *   orphan_receipt   a declined slip, a slip with no transaction behind it, a sale and its void
 *                    that never reached the acquirer;
 *   amount / type / data mismatch  slips that print another amount, type, auth code or card,
 *                    a cashier who keyed another amount or worked under another id in the sales log;
 *   reprint, duplicate  a marked reprint, a second unmarked print of a copy;
 *   clock_drift      one terminal whose clock runs 7 minutes fast (its window-tier rows only match
 *                    once the offset is learned);
 *   ambiguous        two same-amount, same-card payments a minute and a half apart on a statement
 *                    without ids; a forged slip copying a payment next to it.
 *
 * Plus what must cause nothing: test slips, a settlement slip, retail receipts of a store with no
 * sales log, rows and receipts of the days around the period, printer trouble with no lost slip.
 *
 * `expected` lists each discrepancy by kind and anchor (see `anchorOf`), `pairs` every statement
 * row that must match and the receipts of its group, `pending` the rows still in their grace period.
 */
import type { CopyKind, TransType } from '../../src/receipt/fields/types.js';
import { formatLocal, formatZoned, parseLocal, type WallMs } from '../../src/server/matcher/time.js';
import type {
  Discrepancy,
  DiscrepancyKind,
  HealthInterval,
  HeldReceipt,
  MatchFields,
  MatchInput,
  StatementRow,
} from '../../src/server/matcher/types.js';
import type { StatementLanguage, StatementSource, StatementTxn } from '../../src/server/statement.js';
import { int, pick, prng, type Rnd } from '../lib/prng.js';

export interface DayOptions {
  readonly seed: number;
  readonly date?: string;
  readonly stores?: number;
  readonly terminalsPerStore?: number;
  /** Card transactions per terminal (sales; voids and refunds come on top). */
  readonly txnsPerTerminal?: number;
  /** Inject the faults (default true). */
  readonly faults?: boolean;
  /**
   * Print one copy of each card slip (the merchant's) instead of one to three: about one receipt
   * per statement row rather than two (the scale bench's "1M rows against 1M receipts"). Slips a
   * fault reprints or prints twice keep all their copies, so the same faults show.
   */
  readonly oneCopy?: boolean;
}

export interface ExpectedDiscrepancy {
  readonly kind: DiscrepancyKind;
  readonly anchor: string;
  /** What was injected, for failure messages. */
  readonly note: string;
}

export interface GeneratedDay {
  readonly input: MatchInput;
  readonly expected: readonly ExpectedDiscrepancy[];
  /** Statement row id → the ids of the receipts of the group it must match (sorted). */
  readonly pairs: ReadonlyMap<string, readonly string[]>;
  readonly pending: readonly string[];
  /** Reversal statement row id → original row id. */
  readonly statementLinks: ReadonlyMap<string, string>;
  readonly driftTerminal: { readonly merchant_id: string; readonly terminal_id: string; readonly offset_ms: number };
  readonly counts: { readonly transactions: number; readonly rows: number; readonly receipts: number };
}

/** The anchor a discrepancy is identified by in `expected`. */
export function anchorOf(d: Discrepancy): string {
  switch (d.kind) {
    case 'missing_receipt':
    case 'print_failed':
    case 'amount_mismatch':
    case 'type_mismatch':
    case 'data_mismatch':
      return d.statement_ids[0]!;
    case 'orphan_receipt':
      return [...d.receipt_ids].sort()[0]!;
    case 'duplicate':
    case 'reprint':
      return d.receipt_ids[0]!;
    case 'clock_drift':
      return `${d.merchant_id}|${d.terminal}`;
    case 'ambiguous':
      return [...d.statement_ids].sort().join(',');
  }
}

type Mode = 'full' | 'voucher' | 'auth' | 'amount';

interface Terminal {
  readonly mid: string;
  readonly tid: string;
  readonly store: string;
  readonly printer: string;
  readonly file: 'A' | 'B';
  /** Printed time − true time. */
  clockMs: number;
  readonly batch: string;
  trace: number;
  readonly amounts: Set<number>;
}

interface Txn {
  readonly channel: 'card' | 'wallet' | 'sales';
  readonly term?: Terminal;
  readonly store: string;
  readonly printer: string;
  readonly t: WallMs;
  type: TransType;
  readonly amount: number;
  mode: Mode;
  readonly rrn?: string;
  readonly trace?: string;
  readonly batch?: string;
  readonly auth?: string;
  readonly card?: string;
  readonly original?: Txn;
  readonly txid?: string;
  readonly order?: string;
  readonly receiptNo?: string;
  readonly operator: string;
  onStatement: boolean;
  printed: boolean;
  copies: CopyKind[];
  /** Applied to every print of the slip. */
  readonly changes: Partial<MatchFields>[];
  readonly extra: { copy?: CopyKind; reprint?: boolean; after: number; expect?: DiscrepancyKind }[];
  /** Set when a fault claims it. */
  used: boolean;
  expectRow?: DiscrepancyKind | 'pending' | 'none';
  rowId?: string;
  receiptIds: string[];
  statementChanges: Partial<StatementTxn>[];
  /** An orphan receipt is expected, for this reason. */
  orphanNote?: string;
}

const MIN = 60_000;
const WECHAT_MID = '1900000109';

export function generateDay(opts: DayOptions): GeneratedDay {
  const rnd = prng(opts.seed);
  const date = opts.date ?? '2026-11-20';
  const day0 = parseLocal(`${date}T00:00:00`);
  const nStores = opts.stores ?? 3;
  const perStore = opts.terminalsPerStore ?? 2;
  const perTerminal = opts.txnsPerTerminal ?? 60;
  const faults = opts.faults ?? true;
  const expected: ExpectedDiscrepancy[] = [];
  const ids = new Ids(rnd);

  if (nStores * perStore < 4 || perStore < 2) throw new Error('generator: at least 2 terminals per store and 4 in all');
  const stores = Array.from({ length: nStores }, (_, i) => `S${String(i + 1).padStart(2, '0')}`);
  const midA = `1023${digits(rnd, 11)}`;
  const midB = `8981${digits(rnd, 11)}`;
  const terminals: Terminal[] = [];
  stores.forEach((store, s) => {
    for (let k = 0; k < perStore; k++) {
      // Every third store banks with acquirer B (no RRNs on its statement), the others with A.
      const file = nStores === 1 ? (k % 2 === 1 ? 'B' : 'A') : s % 3 === 2 || (nStores < 3 && s === nStores - 1) ? 'B' : 'A';
      terminals.push({
        mid: file === 'A' ? midA : midB,
        tid: `${10086000 + terminals.length + 1}`,
        store,
        printer: k % 2 === 0 ? 'front' : 'back',
        file,
        clockMs: (int(rnd, 61) - 30) * 1000,
        batch: String(100 + int(rnd, 800)).padStart(6, '0'),
        trace: 1 + int(rnd, 5000),
        amounts: new Set(),
      });
    }
  });
  const driftTerm = terminals.filter((t) => t.file === 'B')[0]!;
  const DRIFT = faults ? 7 * MIN : 0;
  if (faults) driftTerm.clockMs = DRIFT;

  const txns: Txn[] = [];
  const newTxn = (x: Partial<Txn> & Pick<Txn, 'channel' | 'store' | 'printer' | 't' | 'type' | 'amount' | 'operator'>): Txn => {
    const txn: Txn = {
      mode: 'full',
      onStatement: true,
      printed: true,
      copies: [],
      changes: [],
      extra: [],
      used: false,
      receiptIds: [],
      statementChanges: [],
      ...x,
    };
    txns.push(txn);
    return txn;
  };
  const cardTxn = (term: Terminal, t: WallMs, type: TransType, amount: number, original?: Txn, card?: string): Txn =>
    newTxn({
      channel: 'card',
      term,
      store: term.store,
      printer: term.printer,
      t,
      type,
      amount,
      mode: term.file === 'A' ? 'full' : original ? 'voucher' : pick(rnd, ['voucher', 'voucher', 'voucher', 'auth', 'auth', 'amount'] as const),
      rrn: ids.rrn(),
      trace: String(term.trace++).padStart(6, '0'),
      batch: term.batch,
      auth: ids.auth(),
      card: card ?? original?.card ?? cardNumber(rnd),
      original,
      operator: `0${1 + int(rnd, 3)}`,
      copies: rnd() < 0.8 ? ['merchant', 'cardholder'] : rnd() < 0.5 ? ['merchant'] : ['merchant', 'cardholder', 'bank'],
    });
  const drawAmount = (term: Terminal, max = 300_000): number => {
    for (;;) {
      const a = 100 + int(rnd, max);
      if (!term.amounts.has(a)) {
        term.amounts.add(a);
        return a;
      }
    }
  };

  // The day's card business: sales from 08:00 to 21:30, some voided or refunded later.
  const OPEN = day0 + 8 * 60 * MIN;
  const CLOSE = day0 + 21 * 60 * MIN + 30 * MIN;
  for (const term of terminals) {
    const times = Array.from({ length: perTerminal }, () => OPEN + int(rnd, CLOSE - OPEN - 40 * MIN)).sort((a, b) => a - b);
    for (const t of times) {
      const sale = cardTxn(term, t, 'sale', drawAmount(term));
      const roll = rnd();
      if (roll < 0.03) cardTxn(term, t + (1 + int(rnd, 30)) * MIN, 'void', sale.amount, sale);
      else if (roll < 0.05) cardTxn(term, t + (5 + int(rnd, 30)) * MIN, 'refund', drawAmount(term, sale.amount - 100), sale);
    }
  }

  // Wallet payments at every store's front counter, a few refunded.
  for (const store of stores) {
    const n = Math.max(4, Math.round(perTerminal / 8));
    for (let k = 0; k < n; k++) {
      const t = OPEN + int(rnd, CLOSE - OPEN - 40 * MIN);
      const pay = newTxn({ channel: 'wallet', store, printer: 'front', t, type: 'sale', amount: 100 + int(rnd, 50_000), txid: ids.wechat(), order: ids.order(), operator: '01' });
      if (rnd() < 0.1) newTxn({ channel: 'wallet', store, printer: 'front', t: t + 20 * MIN, type: 'refund', amount: pay.amount, txid: ids.wechatRefund(), order: ids.order(), original: pay, operator: '01' });
    }
  }

  // Till receipts with a sales log at the first store; the others' tills are not reconciled.
  for (const store of stores) {
    for (let k = 0; k < Math.max(4, Math.round(perTerminal / 6)); k++) {
      const t = OPEN + int(rnd, CLOSE - OPEN - 40 * MIN);
      newTxn({
        channel: 'sales',
        store,
        printer: 'back',
        t,
        type: 'sale',
        amount: 100 + int(rnd, 20_000),
        receiptNo: `${store}${String(k + 1).padStart(6, '0')}`,
        operator: `C0${1 + int(rnd, 4)}`,
        onStatement: store === stores[0],
      });
    }
  }

  const health: HealthInterval[] = [];
  let now = day0 + 22 * 60 * MIN + 24 * 60 * MIN;
  const extraReceipts: HeldReceipt[] = [];
  const pairs = new Map<string, string[]>();

  const free = (pred: (x: Txn) => boolean): Txn[] => txns.filter((x) => !x.used && !x.original && x.type === 'sale' && pred(x));
  const claim = (list: Txn[], what: string): Txn => {
    if (list.length === 0) throw new Error(`generator: no transaction left for ${what}`);
    const x = list[int(rnd, list.length)]!;
    x.used = true;
    // Its reversals stay as they are: the fault is on the sale alone.
    return x;
  };
  const reversed = new Set(txns.filter((x) => x.original).map((x) => x.original!));
  const plain = (x: Txn): boolean => !reversed.has(x);

  if (faults) {
    // Paper end on one printer of the first store: slips sent meanwhile never printed, never captured.
    const pTerm = terminals.find((t) => t.file === 'A' && t !== driftTerm) ?? terminals[0]!;
    const pStart = day0 + 14 * 60 * MIN + 1 * MIN + 7_000;
    const pEnd = pStart + 9 * MIN + 24_000;
    health.push({ store: pTerm.store, printer: pTerm.printer, condition: 'paper_out', start: formatZoned(pStart, 480), end: formatZoned(pEnd, 480) });
    const inside = (x: Txn): boolean => x.printer === pTerm.printer && x.store === pTerm.store && x.t >= pStart && x.t <= pEnd;
    if (!txns.some((x) => inside(x) && x.channel === 'card')) {
      cardTxn(pTerm, pStart + 2 * MIN, 'sale', drawAmount(pTerm));
    }
    for (const x of txns.filter(inside)) {
      x.used = true;
      x.printed = false;
      // A wallet statement names no store or terminal: nothing says which printer should have printed it.
      x.expectRow = !x.onStatement ? 'none' : x.channel === 'wallet' ? 'missing_receipt' : 'print_failed';
    }
    // Printer trouble that lost nothing: the slips printed once the printer answered again.
    const quiet = terminals.find((t) => t.store !== pTerm.store) ?? terminals[terminals.length - 1]!;
    const qStart = day0 + 10 * 60 * MIN;
    health.push({ store: quiet.store, printer: quiet.printer, condition: 'no_response', start: formatZoned(qStart, 480), end: formatZoned(qStart + 5 * MIN, 480) });
    // Keep lost slips clear of every printer condition (and the matcher's slack around it).
    const troubled = (x: Txn): boolean =>
      (x.store === pTerm.store && x.t >= pStart - 5 * MIN && x.t <= pEnd + 5 * MIN) ||
      (x.store === quiet.store && x.t >= qStart - 5 * MIN && x.t <= qStart + 10 * MIN);
    const cardFree = (pred: (x: Txn) => boolean) => free((x) => x.channel === 'card' && plain(x) && !troubled(x) && pred(x));

    for (let k = 0; k < 3; k++) {
      const x = claim(cardFree(() => true), 'missing');
      x.printed = false;
      x.expectRow = 'missing_receipt';
    }
    const w = claim(free((x) => x.channel === 'wallet' && plain(x) && !troubled(x)), 'wallet missing');
    w.printed = false;
    w.expectRow = 'missing_receipt';

    // Grace edge: now is exactly one grace period (24 h) after E1; E2 is a second younger.
    const eTerm = terminals.find((t) => t.file === 'A' && t !== pTerm) ?? pTerm;
    const e1 = cardTxn(eTerm, day0 + 21 * 60 * MIN + 50 * MIN, 'sale', drawAmount(eTerm));
    const e2 = cardTxn(eTerm, e1.t + 1000, 'sale', drawAmount(eTerm));
    for (const e of [e1, e2]) {
      e.used = true;
      e.printed = false;
    }
    e1.expectRow = 'missing_receipt';
    e2.expectRow = 'pending';
    now = e1.t + 24 * 60 * MIN;

    // Slips with no transaction: declined, invented, and a sale voided before it reached the acquirer.
    const aTerm = terminals.find((t) => t.file === 'A' && t !== pTerm) ?? terminals[0]!;
    const declined = cardTxn(aTerm, OPEN + 3 * 60 * MIN + int(rnd, 60) * MIN, 'sale', drawAmount(aTerm));
    declined.used = true;
    declined.onStatement = false;
    declined.changes.push({ fault: true, auth_code: undefined, reference_no: undefined });
    declined.copies = ['merchant'];
    const forged = cardTxn(driftTerm, OPEN + 5 * 60 * MIN + int(rnd, 60) * MIN, 'sale', drawAmount(driftTerm));
    forged.used = true;
    forged.onStatement = false;
    const vSale = cardTxn(aTerm, OPEN + 6 * 60 * MIN + int(rnd, 60) * MIN, 'sale', drawAmount(aTerm));
    const vVoid = cardTxn(aTerm, vSale.t + 4 * MIN, 'void', vSale.amount, vSale);
    for (const x of [vSale, vVoid]) {
      x.used = true;
      x.onStatement = false;
    }

    // Slips that differ from their statement row.
    const amt = claim(cardFree((x) => x.term!.file === 'A'), 'amount');
    amt.changes.push({ amount_minor: amt.amount + 1000 });
    amt.expectRow = 'amount_mismatch';
    const typ = claim(cardFree((x) => x.term!.file === 'A'), 'type');
    typ.changes.push({ trans_type: 'refund' });
    typ.expectRow = 'type_mismatch';
    const auth = claim(cardFree((x) => x.term!.file === 'A'), 'auth');
    auth.changes.push({ auth_code: ids.auth() });
    auth.expectRow = 'data_mismatch';
    const card = claim(cardFree((x) => x.mode === 'voucher'), 'card');
    let other4 = cardNumber(rnd);
    while (other4.slice(-4) === card.card!.slice(-4)) other4 = cardNumber(rnd);
    card.changes.push({ card_number: other4 });
    card.expectRow = 'data_mismatch';

    // Reprints and second prints.
    const rep = claim(cardFree(() => true), 'reprint');
    rep.extra.push({ copy: 'merchant', reprint: true, after: (20 + int(rnd, 40)) * MIN, expect: 'reprint' });
    const dup = claim(cardFree(() => true), 'duplicate');
    dup.extra.push({ copy: 'merchant', after: 60_000 + int(rnd, 60_000), expect: 'duplicate' });
    const both = claim(cardFree((x) => x.copies.includes('cardholder')), 'reprint+duplicate');
    both.extra.push({ copy: 'cardholder', after: 45_000, expect: 'duplicate' });
    both.extra.push({ copy: 'cardholder', reprint: true, after: 15 * MIN, expect: 'reprint' });

    // The same card paying the same amount twice, 90 s apart, on a statement with no ids.
    const ambTerm = terminals.filter((t) => t.file === 'B' && t !== driftTerm)[0] ?? driftTerm;
    const ambAmount = drawAmount(ambTerm);
    const ambCard = cardNumber(rnd);
    const ambT = OPEN + 7 * 60 * MIN + int(rnd, 120) * MIN;
    const amb1 = cardTxn(ambTerm, ambT, 'sale', ambAmount, undefined, ambCard);
    const amb2 = cardTxn(ambTerm, ambT + 90_000, 'sale', ambAmount, undefined, ambCard);
    for (const x of [amb1, amb2]) {
      x.used = true;
      x.mode = 'amount';
      x.expectRow = 'ambiguous';
    }
    // A forged slip copying a real payment of a statement with no ids, two minutes after it.
    const victim = claim(
      cardFree((x) => x.term!.file === 'B' && x.term !== driftTerm),
      'copied slip',
    );
    victim.mode = 'amount';
    victim.expectRow = 'ambiguous';
    const copy = cardTxn(victim.term!, victim.t + 2 * MIN, 'sale', victim.amount, undefined, victim.card);
    copy.used = true;
    copy.onStatement = false;
    copy.expectRow = 'none';

    // The cashier at the sales-log store keyed another amount; another sold under a colleague's id.
    const sales = free((x) => x.channel === 'sales' && x.onStatement);
    const keyed = claim(sales, 'keyed amount');
    keyed.statementChanges.push({ amount_minor: keyed.amount + 500 });
    keyed.expectRow = 'amount_mismatch';
    const other = claim(free((x) => x.channel === 'sales' && x.onStatement), 'operator');
    other.statementChanges.push({ operator_id: other.operator === 'C01' ? 'C02' : 'C01' });
    other.expectRow = 'data_mismatch';

    // Orphans are expected once their receipts have ids (below).
    for (const [x, note] of [
      [declined, 'declined slip'],
      [forged, 'invented slip'],
      [vSale, 'sale voided off the statement'],
      [vVoid, 'void of a sale off the statement'],
    ] as const) {
      x.expectRow = 'none';
      x.orphanNote = note;
    }
  }

  // Not transactions, or not this period's: they must cause nothing.
  const t0 = terminals[0]!;
  extraReceipts.push(
    receipt(ids, t0.store, t0.printer, OPEN + 5 * MIN, { merchant_id: t0.mid, terminal_id: t0.tid, test: true, amount_minor: 1, trans_type: 'sale' }),
    receipt(ids, t0.store, t0.printer, CLOSE + 20 * MIN, { merchant_id: t0.mid, terminal_id: t0.tid, trans_type: 'settlement', batch_no: t0.batch, amount_minor: 999_999 }),
    receipt(ids, t0.store, t0.printer, day0 + 24 * 60 * MIN + 8 * 60 * MIN + 3 * MIN, {
      merchant_id: t0.mid,
      terminal_id: t0.tid,
      trans_type: 'sale',
      reference_no: ids.rrn(),
      trace_no: '999001',
      amount_minor: 4321,
      datetime: formatLocal(day0 + 24 * 60 * MIN + 8 * 60 * MIN),
    }),
  );
  // Yesterday's last payment, on the statement as a candidate only, its slip captured; and one without a slip.
  const yT = day0 - 2 * MIN;
  const y1 = cardTxn(t0, yT, 'sale', drawAmount(t0));
  y1.used = true;
  y1.expectRow = 'none';
  const y2 = cardTxn(t0, yT + 30_000, 'sale', drawAmount(t0));
  y2.used = true;
  y2.printed = false;
  y2.expectRow = 'none';

  // ---- emit statement rows and receipts ----
  const receipts: HeldReceipt[] = [...extraReceipts];
  const byFile = new Map<string, { txn: Txn; row: Omit<StatementTxn, 'line'> }[]>();
  const statementLinks = new Map<string, string>();
  for (const x of [...txns].sort((a, b) => a.t - b.t)) {
    if (x.printed) {
      const base: Record<string, unknown> = { ...slipFields(x) };
      for (const change of x.changes) Object.assign(base, change);
      for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
      const delay = 3_000 + int(rnd, 15_000);
      const prints = x.channel !== 'card' ? ([undefined] as const) : opts.oneCopy && x.extra.length === 0 ? x.copies.slice(0, 1) : x.copies;
      prints.forEach((c, i) => {
        const r = receipt(ids, x.store, x.printer, x.t + delay + i * 4_000, { ...base, ...(c ? { copy: c } : {}) });
        receipts.push(r);
        x.receiptIds.push(r.id);
      });
      for (const e of x.extra) {
        const r = receipt(ids, x.store, x.printer, x.t + delay + e.after, { ...base, ...(e.copy ? { copy: e.copy } : {}), ...(e.reprint ? { reprint: true } : {}) });
        receipts.push(r);
        x.receiptIds.push(r.id);
        if (e.expect) expected.push({ kind: e.expect, anchor: r.id, note: `${e.expect} of ${x.type} ${x.amount}` });
      }
    }
    if (x.onStatement) {
      const file = x.channel === 'wallet' ? 'W' : x.channel === 'sales' ? 'L' : x.term!.file;
      const row: Omit<StatementTxn, 'line'> = { ...statementTxn(x) };
      for (const change of x.statementChanges) Object.assign(row, change);
      const list = byFile.get(file);
      if (list) list.push({ txn: x, row });
      else byFile.set(file, [{ txn: x, row }]);
    }
  }
  const FILES: Record<string, { id: string; language: StatementLanguage; store?: string }> = {
    A: { id: 'F1', language: 'zh' },
    B: { id: 'F2', language: 'en' },
    W: { id: 'F3', language: 'zh' },
    L: { id: 'F4', language: 'zh', store: stores[0]! },
  };
  const statements: StatementRow[] = [];
  for (const [file, list] of [...byFile].sort()) {
    const meta = FILES[file]!;
    list.forEach(({ txn, row }, i) => {
      const id = `${meta.id}:${i + 2}`;
      txn.rowId = id;
      statements.push({ id, language: meta.language, ...(meta.store ? { store: meta.store } : {}), txn: { ...row, line: i + 2 } });
    });
  }

  const pending: string[] = [];
  for (const x of txns) {
    if (x.orphanNote && x.receiptIds.length) expected.push({ kind: 'orphan_receipt', anchor: [...x.receiptIds].sort()[0]!, note: x.orphanNote });
    if (!x.rowId) continue;
    const inPeriod = x.t >= day0;
    const e = x.expectRow;
    if (e === 'pending') pending.push(x.rowId);
    else if (e === 'ambiguous') {
      // Anchored below, per cluster.
    } else if (e && e !== 'none' && inPeriod) expected.push({ kind: e, anchor: x.rowId, note: `${e}: ${x.channel} ${x.type} ${x.amount} at ${formatLocal(x.t)}` });
    if (x.printed && e !== 'ambiguous') pairs.set(x.rowId, [...x.receiptIds].sort());
    // A statement links what it can: its void row names the original's trace (and RRN), which the
    // original's row must carry too.
    const o = x.original;
    if (o?.rowId && (x.channel === 'wallet' || o.mode === 'full' || o.mode === 'voucher')) statementLinks.set(x.rowId, o.rowId);
  }
  const ambRows = txns.filter((x) => x.expectRow === 'ambiguous' && x.rowId);
  const byCluster = new Map<string, string[]>();
  for (const x of ambRows) {
    const k = `${x.term!.tid}|${x.amount}`;
    const list = byCluster.get(k);
    if (list) list.push(x.rowId!);
    else byCluster.set(k, [x.rowId!]);
  }
  for (const [k, list] of byCluster) expected.push({ kind: 'ambiguous', anchor: list.sort().join(','), note: `ambiguous ${k}` });
  if (faults) expected.push({ kind: 'clock_drift', anchor: `${driftTerm.mid}|${driftTerm.tid}`, note: 'terminal clock 7 min fast' });

  // Through JSON, as storage hands them over (and no object keeps a deleted property's slow shape).
  const input: MatchInput = {
    // Plain copies, one object at a time: one JSON text of a million rows is past V8's longest string.
    statements: shuffle(rnd, statements).map((x) => JSON.parse(JSON.stringify(x)) as StatementRow),
    receipts: shuffle(rnd, receipts).map((x) => JSON.parse(JSON.stringify(x)) as HeldReceipt),
    health,
    options: { now: formatZoned(now, 480), period: { from: date, to: date } },
  };
  return {
    input,
    expected,
    pairs,
    pending,
    statementLinks,
    driftTerminal: { merchant_id: driftTerm.mid, terminal_id: driftTerm.tid, offset_ms: DRIFT },
    counts: { transactions: txns.length, rows: statements.length, receipts: receipts.length },
  };
}

function slipFields(x: Txn): MatchFields {
  const printedAt = formatLocal(x.t + (x.term?.clockMs ?? 0));
  if (x.channel === 'card') {
    const term = x.term!;
    return {
      merchant_id: term.mid,
      terminal_id: term.tid,
      operator_id: x.operator,
      card_number: x.card,
      trans_type: x.type,
      batch_no: x.batch,
      trace_no: x.trace,
      auth_code: x.auth,
      reference_no: x.rrn,
      ...(x.original ? { original_trace_no: x.original.trace, original_reference_no: x.original.rrn } : {}),
      datetime: printedAt,
      amount_minor: x.amount,
      currency: 'CNY',
      template: 'unionpay',
    };
  }
  if (x.channel === 'wallet') {
    return {
      merchant_id: WECHAT_MID,
      trans_type: x.type,
      transaction_id: x.txid,
      merchant_order_no: x.order,
      ...(x.original ? { original_transaction_id: x.original.txid } : {}),
      datetime: printedAt,
      amount_minor: x.amount,
      currency: 'CNY',
      payment_method: 'wechat',
      template: 'wechat',
    };
  }
  return {
    receipt_no: x.receiptNo,
    cashier: x.operator,
    trans_type: x.type,
    datetime: printedAt,
    total_minor: x.amount,
    currency: 'CNY',
    payment_method: 'cash',
    template: 'retail',
  };
}

function statementTxn(x: Txn): Omit<StatementTxn, 'line'> {
  const base = { datetime: formatLocal(x.t), trans_type: x.type, amount_minor: x.amount, currency: 'CNY', raw: {} };
  if (x.channel === 'card') {
    const term = x.term!;
    const source: StatementSource = 'acquirer';
    const m = x.mode;
    return {
      ...base,
      source,
      merchant_id: term.mid,
      terminal_id: term.tid,
      card_number: x.card,
      ...(m === 'full' ? { reference_no: x.rrn } : {}),
      ...(m === 'full' || m === 'voucher' ? { batch_no: x.batch, trace_no: x.trace } : {}),
      ...(m !== 'amount' ? { auth_code: x.auth } : {}),
      ...(x.original && m === 'full' ? { original_reference_no: x.original.rrn } : {}),
      ...(x.original && (m === 'full' || m === 'voucher') ? { original_trace_no: x.original.trace } : {}),
    };
  }
  if (x.channel === 'wallet') {
    return {
      ...base,
      source: 'wechat',
      merchant_id: WECHAT_MID,
      transaction_id: x.txid,
      merchant_order_no: x.order,
      ...(x.original ? { original_transaction_id: x.original.txid } : {}),
      status: x.type === 'refund' ? 'REFUND' : 'SUCCESS',
    };
  }
  return { ...base, source: 'sales-log', receipt_no: x.receiptNo, operator_id: x.operator };
}

function receipt(ids: Ids, store: string, printer: string, captured: WallMs, fields: MatchFields): HeldReceipt {
  return {
    id: ids.uuid(),
    store,
    device: `dev-${store}-${printer}`,
    printer,
    terminal: `${store}-${printer}`,
    captured_at: formatZoned(captured, 480),
    print_status: 'ok',
    print_reason: null,
    fields,
  };
}

function digits(rnd: Rnd, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(int(rnd, 10));
  return s;
}

function cardNumber(rnd: Rnd): string {
  return `${pick(rnd, ['622588', '621700', '436742', '625807', '404119'])}******${digits(rnd, 4)}`;
}

/** Ids unique within a day, drawn from the seed. */
class Ids {
  private readonly used = new Set<string>();
  constructor(private readonly rnd: Rnd) {}
  private unique(make: () => string): string {
    for (;;) {
      const s = make();
      if (!this.used.has(s)) {
        this.used.add(s);
        return s;
      }
    }
  }
  uuid(): string {
    return this.unique(() => {
      const h = Array.from({ length: 32 }, () => '0123456789abcdef'[int(this.rnd, 16)]).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
    });
  }
  rrn(): string {
    return this.unique(() => `3${digits(this.rnd, 11)}`);
  }
  auth(): string {
    return this.unique(() => Array.from({ length: 6 }, () => '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'[int(this.rnd, 34)]).join(''));
  }
  wechat(): string {
    return this.unique(() => `4200${digits(this.rnd, 24)}`);
  }
  wechatRefund(): string {
    return this.unique(() => `5030${digits(this.rnd, 24)}`);
  }
  order(): string {
    return this.unique(() => `M${digits(this.rnd, 18)}`);
  }
}

function shuffle<T>(rnd: Rnd, list: readonly T[]): T[] {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = int(rnd, i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
