/**
 * What the matcher reads from the whole input rather than from the rows and receipts in front of
 * it: which statement speaks for which merchant, wallet or store on which dates (and in which
 * language), the statements' usual language and currency, and the one store a merchant's slips
 * come from. A run that matches a day in parts (reconcile/run.ts) gathers these over the whole day
 * first and hands the same facts to every part, so that each part explains and scopes exactly as
 * one whole-day run would; a whole-day run gathers them from its own input.
 */
import type { StatementLanguage } from '../statement.js';
import type { Channel } from './normalize.js';
import type { WallMs } from './time.js';

export interface Coverage {
  /** First and last local date of the statement rows. */
  readonly from: string;
  readonly to: string;
  /** The language of the earliest row (time, then id). */
  readonly language: StatementLanguage;
}

export interface MatchScope {
  /** The language of explanations where no statement covers the receipt. */
  readonly language: StatementLanguage;
  /** The statements' most common currency: where a row or slip names none. */
  readonly currency: string;
  /** Card statements by MID (comparison form). */
  readonly card: ReadonlyMap<string, Coverage>;
  /** Wallet statements by source, and '*' for any wallet. */
  readonly wallet: ReadonlyMap<string, Coverage>;
  /** Sales logs by store, and '*' for a log that names no store. */
  readonly sales: ReadonlyMap<string, Coverage>;
  /** MID (comparison form) → the one store its transaction slips were printed in; null for several. */
  readonly merchantStore: ReadonlyMap<string, string | null>;
}

/** What the scope reads of a statement row. */
export interface ScopeRow {
  readonly id: string;
  readonly t: WallMs;
  readonly date: string;
  readonly language: StatementLanguage;
  readonly channel: Channel;
  readonly source: string;
  readonly mid?: string;
  readonly store?: string;
  readonly currency?: string;
}

interface Open {
  from: string;
  to: string;
  language: StatementLanguage;
  t: WallMs;
  id: string;
}

/** Gathers a scope from rows and receipts given in any order, in any number of calls. */
export class ScopeBuilder {
  private readonly langs = new Map<StatementLanguage, number>();
  private readonly currencies = new Map<string, number>();
  private readonly card = new Map<string, Open>();
  private readonly wallet = new Map<string, Open>();
  private readonly sales = new Map<string, Open>();
  private readonly merchantStore = new Map<string, string | null>();

  addRow(r: ScopeRow): void {
    this.langs.set(r.language, (this.langs.get(r.language) ?? 0) + 1);
    if (r.currency) this.currencies.set(r.currency, (this.currencies.get(r.currency) ?? 0) + 1);
    if (r.channel === 'card' && r.mid) widen(this.card, r.mid, r);
    else if (r.channel === 'wallet') {
      widen(this.wallet, r.source, r);
      widen(this.wallet, '*', r);
    } else if (r.channel === 'sales') {
      // A sales log imported for a store covers that store; one with no store, every store.
      widen(this.sales, r.store ?? '*', r);
    }
  }

  /** A transaction slip (not excluded from matching) with its MID in comparison form. */
  addReceipt(mid: string | undefined, store: string): void {
    if (!mid) return;
    const seen = this.merchantStore.get(mid);
    if (seen !== store) this.merchantStore.set(mid, seen === undefined ? store : null);
  }

  build(language: StatementLanguage | undefined): MatchScope {
    return {
      language: language ?? mostCommon(this.langs) ?? 'en',
      currency: mostCommon(this.currencies) ?? 'CNY',
      card: closed(this.card),
      wallet: closed(this.wallet),
      sales: closed(this.sales),
      merchantStore: new Map(this.merchantStore),
    };
  }
}

function widen(map: Map<string, Open>, key: string, r: ScopeRow): void {
  const o = map.get(key);
  if (!o) {
    map.set(key, { from: r.date, to: r.date, language: r.language, t: r.t, id: r.id });
    return;
  }
  if (r.date < o.from) o.from = r.date;
  if (r.date > o.to) o.to = r.date;
  if (r.t < o.t || (r.t === o.t && r.id < o.id)) {
    o.language = r.language;
    o.t = r.t;
    o.id = r.id;
  }
}

function closed(map: ReadonlyMap<string, Open>): Map<string, Coverage> {
  const out = new Map<string, Coverage>();
  for (const [k, o] of map) out.set(k, { from: o.from, to: o.to, language: o.language });
  return out;
}

/** The most frequent key; ties to the smallest. */
function mostCommon<K extends string>(counts: ReadonlyMap<K, number>): K | undefined {
  let best: K | undefined;
  let n = -1;
  for (const [k, c] of counts) {
    if (c > n || (c === n && k < best!)) {
      best = k;
      n = c;
    }
  }
  return best;
}
