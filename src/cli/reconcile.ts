/**
 * `tilltap reconcile`: match the imported statements against the receipts the shops captured,
 * store what was found, and print the discrepancies with their explanations and the summaries.
 *   reconcile [--db URL] [--date YYYY-MM-DD] [--store ID] [--json | --csv] [--lang zh|en] [--now ISO]
 *   reconcile list [--date D] [--store ID] [--kind K] [--status S] [--json | --csv]
 *   reconcile resolve KEY --by NAME --reason TEXT
 *   reconcile reopen KEY --by NAME --reason TEXT
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { MatcherError } from '../server/matcher/errors.js';
import { formatMoney } from '../server/matcher/money.js';
import { DISCREPANCY_KINDS, type DiscrepancyKind, type DiscrepancyStatus } from '../server/matcher/types.js';
import { discrepanciesCsv, discrepancyJson, summaries, SUMMARY_DIMENSIONS, type DiscrepancyJson } from '../server/reconcile/present.js';
import { runReconciliation, type DayReport } from '../server/reconcile/run.js';
import type { SummaryDimension, SummaryRow, Tally } from '../server/matcher/index.js';
import type { StatementLanguage } from '../server/statement.js';
import type { DiscrepancyRecord, MatchRecord, Storage } from '../server/storage/types.js';
import { runtimeError, usageError } from './errors.js';
import { writeOut } from './output.js';
import { all, dbOption, withStorage, type DbFlags } from './server-db.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

interface OutputFlags extends DbFlags {
  date?: string;
  store?: string;
  json?: boolean;
  csv?: boolean;
  lang?: string;
}

interface RunFlags extends OutputFlags {
  now?: string;
  graceHours?: string;
}

function checkOutput(flags: OutputFlags): StatementLanguage | undefined {
  if (flags.date !== undefined && !DATE.test(flags.date)) throw usageError(`--date "${flags.date}": expected YYYY-MM-DD`);
  if (flags.json && flags.csv) throw usageError('give --json or --csv, not both');
  if (flags.lang !== undefined && flags.lang !== 'zh' && flags.lang !== 'en') throw usageError(`--lang "${flags.lang}": zh or en`);
  return flags.lang as StatementLanguage | undefined;
}

const money = (t: Tally): string =>
  Object.entries(t.amount)
    .map(([c, v]) => formatMoney(v, c))
    .join(' + ') || '-';

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

function summaryTable(by: SummaryDimension, rows: readonly SummaryRow[]): string {
  const head = [by.toUpperCase(), 'MATCHED', 'MATCHED AMOUNT', 'DISCREPANCIES', 'OPEN', 'AT STAKE', 'BY KIND'];
  const body = rows.map((r) => [
    r.key ?? '(unknown)',
    String(r.matched.count),
    money(r.matched),
    String(r.discrepancies.count),
    String(r.open),
    money(r.discrepancies),
    Object.entries(r.by_kind)
      .map(([k, t]) => `${k} ${t!.count}`)
      .join(', '),
  ]);
  return `By ${by}\n${table([head, ...body])}`;
}

function discrepancyLine(d: DiscrepancyJson): string {
  const status = d.status === 'resolved' ? `resolved by ${d.resolved_by}` : 'open';
  return `${d.kind.padEnd(16)} ${status.padEnd(8)} ${d.explanation}  [${d.key}]`;
}

interface Listing {
  readonly discrepancies: DiscrepancyJson[];
  readonly matches: MatchRecord[];
  readonly records: DiscrepancyRecord[];
}

/** The stored discrepancies and matches of the days, for the output. */
async function listing(storage: Storage, days: readonly (string | undefined)[], flags: OutputFlags & { kind?: string; status?: string }, lang?: StatementLanguage): Promise<Listing> {
  const records: DiscrepancyRecord[] = [];
  const matches: MatchRecord[] = [];
  for (const date of days) {
    const filter = {
      ...(date !== undefined ? { date } : {}),
      ...(flags.store !== undefined ? { store: flags.store } : {}),
    };
    records.push(
      ...(await storage.reconciliation.discrepancies({
        ...filter,
        ...(flags.kind !== undefined ? { kind: flags.kind as DiscrepancyKind } : {}),
        ...(flags.status !== undefined ? { status: flags.status as DiscrepancyStatus } : {}),
      })),
    );
    matches.push(...(await storage.reconciliation.matches(filter)));
  }
  return { records, matches, discrepancies: records.map((r) => discrepancyJson(r, lang)) };
}

function summaryDocument(l: Listing): Record<SummaryDimension, SummaryRow[]> {
  return Object.fromEntries(SUMMARY_DIMENSIONS.map((by) => [by, summaries(l.matches, l.records, by)])) as Record<SummaryDimension, SummaryRow[]>;
}

async function print(l: Listing, flags: OutputFlags, extra: { json: Record<string, unknown>; head: string[] }): Promise<void> {
  if (flags.csv) {
    await writeOut(discrepanciesCsv(l.discrepancies));
    return;
  }
  const open = l.discrepancies.filter((d) => d.status === 'open').length;
  if (flags.json) {
    const byKind: Partial<Record<DiscrepancyKind, number>> = {};
    for (const d of l.discrepancies) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
    const doc = {
      ...extra.json,
      discrepancies: l.discrepancies,
      summaries: summaryDocument(l),
      counts: {
        ...((extra.json.counts as Record<string, unknown> | undefined) ?? {}),
        matched: l.matches.length,
        discrepancies: l.discrepancies.length,
        open,
        resolved: l.discrepancies.length - open,
        by_kind: byKind,
      },
    };
    await writeOut(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const out = [...extra.head];
  if (l.discrepancies.length === 0) out.push('no discrepancies');
  else {
    out.push(...l.discrepancies.map(discrepancyLine));
    out.push(`${l.discrepancies.length} discrepanc${l.discrepancies.length === 1 ? 'y' : 'ies'}, ${open} open`);
  }
  const sums = summaryDocument(l);
  for (const by of SUMMARY_DIMENSIONS) if (sums[by].length) out.push('', summaryTable(by, sums[by]));
  await writeOut(`${out.join('\n')}\n`);
}

function dayLine(d: DayReport): string {
  const c = d.counts;
  const stale = c.stale_decisions.length ? `; ${c.stale_decisions.length} decision(s) no longer apply` : '';
  return `${d.day}: ${c.statement_rows} statement rows, ${c.receipts} receipts; ${c.matched} matched, ${c.pending} pending; ${c.discrepancies} discrepancies${stale} (${d.ms} ms)`;
}

function progress(total: number): { tick: (day: string, i: number) => void; stop: () => void } {
  if (!process.stderr.isTTY || total < 2) return { tick: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'reconciling {bar} {value}/{total} days  {day}', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { day: '' });
  return { tick: (day, i) => bar.update(i, { day }), stop: () => bar.stop() };
}

async function run(flags: RunFlags): Promise<void> {
  const lang = checkOutput(flags);
  if (flags.now !== undefined && (!ZONED.test(flags.now) || Number.isNaN(Date.parse(flags.now)))) {
    throw usageError(`--now "${flags.now}": an ISO 8601 time with its zone, e.g. 2026-11-21T09:00:00+08:00`);
  }
  let graceMs: number | undefined;
  if (flags.graceHours !== undefined) {
    const h = Number(flags.graceHours);
    if (!Number.isFinite(h) || h < 0) throw usageError(`--grace-hours "${flags.graceHours}": a number of hours, 0 or more`);
    graceMs = Math.round(h * 3_600_000);
  }
  await withStorage(flags, async (storage) => {
    const days = flags.date !== undefined ? [flags.date] : await storage.statements.dates();
    const bar = progress(days.length);
    let report;
    try {
      report = await runReconciliation(storage, {
        days,
        ...(flags.now !== undefined ? { now: flags.now } : {}),
        ...(graceMs !== undefined ? { match: { grace_ms: graceMs } } : {}),
        onDay: (day, i) => bar.tick(day, i),
      });
    } catch (err) {
      // Data the matcher cannot read (a time that is not a time) is bad input; the rest is a failure.
      if (err instanceof MatcherError) throw usageError(`cannot reconcile: ${err.message}`);
      throw runtimeError(`reconcile failed: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      bar.stop();
    }
    const l = await listing(storage, days, flags, lang);
    const head = days.length === 0 ? ['no statements imported yet: tilltap import-statement --format F FILE'] : report.days.map(dayLine);
    const sum = (k: 'statement_rows' | 'receipts' | 'pending'): number => report.days.reduce((n, d) => n + d.counts[k], 0);
    await print(l, flags, {
      head: [...head, ''],
      json: {
        now: report.now,
        dates: days,
        ...(flags.store !== undefined ? { store: flags.store } : {}),
        days: report.days,
        counts: { statement_rows: sum('statement_rows'), receipts: sum('receipts'), pending: sum('pending') },
      },
    });
  });
}

async function decide(key: string, status: DiscrepancyStatus, flags: DbFlags & { by?: string; reason?: string; json?: boolean }): Promise<void> {
  const by = flags.by?.trim();
  const reason = flags.reason?.trim();
  if (!by) throw usageError('--by NAME is required: who decides');
  if (!reason) throw usageError('--reason TEXT is required: why');
  await withStorage(flags, async (storage) => {
    const held = await storage.reconciliation.discrepancy(key);
    if (!held) throw usageError(`no discrepancy ${key} (see tilltap reconcile list)`);
    const d = await storage.reconciliation.decide({ key, status, by, at: new Date().toISOString(), reason });
    const j = discrepancyJson(d!);
    await writeOut(flags.json ? `${JSON.stringify(j, null, 2)}\n` : `${status === 'resolved' ? 'resolved' : 'reopened'} ${key}: ${j.explanation}\n`);
  });
}

export function registerReconcile(program: Command): void {
  const reconcile = dbOption(
    program
      .command('reconcile')
      .description('match statements against captured receipts, store and print the discrepancies')
      .option('--date <yyyy-mm-dd>', 'reconcile this day (default: every date with statements)')
      .option('--store <id>', 'print only this store\'s discrepancies and figures (the run covers all)')
      .option('--json', 'one JSON document: discrepancies, summaries per store / terminal / operator, counts')
      .option('--csv', 'the discrepancies as CSV (UTF-8 with BOM)')
      .option('--lang <zh|en>', 'explanations in this language (default: the statement\'s)')
      .option('--now <iso>', 'the time of the run, with zone (default now): transactions younger than the grace period are pending')
      .option('--grace-hours <h>', 'how long a transaction waits for its receipt before it is reported (default 24)'),
  ).action(async (_: unknown, cmd: Command) => run(all<RunFlags>(cmd)));

  dbOption(
    reconcile
      .command('list')
      .description('the stored discrepancies, without running again')
      .option('--date <yyyy-mm-dd>', 'only this day')
      .option('--store <id>', 'only this store')
      .option('--kind <kind>', `only this kind: ${DISCREPANCY_KINDS.join(' ')}`)
      .option('--status <status>', 'open or resolved')
      .option('--json', 'one JSON document: discrepancies, summaries, counts')
      .option('--csv', 'CSV (UTF-8 with BOM)')
      .option('--lang <zh|en>', 'explanations in this language'),
  ).action(async (_: unknown, cmd: Command) => {
    const flags = all<OutputFlags & { kind?: string; status?: string }>(cmd);
    const lang = checkOutput(flags);
    if (flags.kind !== undefined && !(DISCREPANCY_KINDS as readonly string[]).includes(flags.kind)) throw usageError(`--kind "${flags.kind}": one of ${DISCREPANCY_KINDS.join(', ')}`);
    if (flags.status !== undefined && flags.status !== 'open' && flags.status !== 'resolved') throw usageError(`--status "${flags.status}": open or resolved`);
    await withStorage(flags, async (storage) => {
      const l = await listing(storage, [flags.date], flags, lang);
      await print(l, flags, { head: [], json: { ...(flags.date ? { date: flags.date } : {}) } });
    });
  });

  for (const [name, status, what] of [
    ['resolve', 'resolved', 'mark a discrepancy resolved: who, why (kept across re-runs)'],
    ['reopen', 'open', 'open a resolved discrepancy again: who, why'],
  ] as const) {
    dbOption(
      reconcile
        .command(name)
        .description(what)
        .argument('<key>', 'the discrepancy key (as listed, e.g. missing:3f…)')
        .option('--by <name>', 'who decides')
        .option('--reason <text>', 'why')
        .option('--json', 'the discrepancy after the decision, as JSON'),
    ).action(async (key: string, _: unknown, cmd: Command) => decide(key, status, all(cmd)));
  }
}
