/**
 * SQLite's staged parts (DayInParts.stageParts): the day's planned rows copied once into a TEMP
 * table clustered by part. Each part read from there must be exactly the part read by ids — the
 * same rows with the same values — also when some of the day's rows are settled by another day's
 * run (left out of the plan), and a run of the day must store the same as one that never staged.
 */
import { expect, it } from 'vitest';
import { loadAgentData } from '../../../scripts/bench/reconcile.js';
import { dayFiles } from '../../../scripts/gen/day-files.js';
import { generateDay } from '../../../scripts/gen/reconcile.js';
import { importStatement } from '../../../src/server/reconcile/import.js';
import { PartitionPlanner } from '../../../src/server/reconcile/partition.js';
import { runReconciliation, shiftDate } from '../../../src/server/reconcile/run.js';
import { parseDate } from '../../../src/server/matcher/time.js';
import type { DayInParts, MatchInputQuery, PartRow, Storage } from '../../../src/server/storage/types.js';
import type { SqliteStorage } from '../../../src/server/storage/sqlite/index.js';
import { openSqlite } from '../helpers.js';

const DAY = 86_400_000;

async function preparedDay(seed: number): Promise<{ storage: Storage; date: string; now: string }> {
  const day = generateDay({ seed, stores: 4, terminalsPerStore: 2, txnsPerTerminal: 30 });
  const storage = openSqlite();
  await loadAgentData(storage, day);
  for (const f of dayFiles(day)) await importStatement(storage, { format: f.format, bytes: f.bytes, store: f.store ?? null, name: f.name });
  return { storage, date: day.input.options.period!.from, now: day.input.options.now };
}

function queryOf(day: string): MatchInputQuery {
  const from = shiftDate(day, -1);
  const to = shiftDate(day, 1);
  return { day, from, to, fromMs: parseDate(from) - 480 * 60_000, toMs: parseDate(to) + DAY - 480 * 60_000 };
}

const byId = (rows: readonly PartRow[]): PartRow[] => [...rows].sort((a, b) => (a.row.id < b.row.id ? -1 : 1));

/** Every part of the day as read with and without staging, in one transaction (rolled back). */
async function partsBothWays(storage: Storage, date: string, partRecords: number): Promise<{ plain: PartRow[][]; staged: PartRow[][] }> {
  const stop = new Error('rollback');
  let out: { plain: PartRow[][]; staged: PartRow[][] } | undefined;
  await storage.reconciliation
    .inParts(queryOf(date), async (tx: DayInParts) => {
      const planner = new PartitionPlanner();
      await tx.planRows((b) => b.forEach((r) => planner.addRow(r)));
      await tx.planReceipts((b) => b.forEach((r) => planner.addReceipt(r)));
      const parts = planner.plan(partRecords);
      const plain: PartRow[][] = [];
      for (const p of parts) plain.push(byId((await tx.part(p.stores, p.rowIds)).rows));
      expect(tx.stageParts).toBeTypeOf('function');
      await tx.stageParts!(parts.map((p) => p.rowIds));
      // Staged for real: every planned row is in the TEMP table, under its part's number.
      const db = (storage as SqliteStorage).db;
      const perPart = db.prepare('SELECT part, count(*) AS n FROM temp.run_rows GROUP BY part ORDER BY part').all() as Array<{ part: number; n: number }>;
      expect(perPart).toEqual(parts.flatMap((p, i) => (p.rowIds.length > 0 ? [{ part: i, n: p.rowIds.length }] : [])));
      const staged: PartRow[][] = [];
      for (const p of parts) staged.push(byId((await tx.part(p.stores, p.rowIds)).rows));
      out = { plain, staged };
      throw stop;
    })
    .catch((err: unknown) => {
      if (err !== stop) throw err;
    });
  return out!;
}

it('a staged part is the part read by ids, row for row', async () => {
  const { storage, date } = await preparedDay(5);
  for (const size of [1, 200]) {
    const { plain, staged } = await partsBothWays(storage, date, size);
    expect(plain.length).toBeGreaterThan(1);
    expect(plain.flat().length).toBeGreaterThan(100);
    expect(staged).toEqual(plain);
  }
});

it('rows settled by another day stay out of the staged parts, and the stored results are the unstaged ones', async () => {
  const { storage, date, now } = await preparedDay(17);
  // The day before, run first, may settle some of this day's candidates; then this day staged, in parts.
  await runReconciliation(storage, { now, days: [shiftDate(date, -1), date] });
  const { plain, staged } = await partsBothWays(storage, date, 150);
  expect(staged).toEqual(plain);
  const matches = await storage.reconciliation.matches({ date });
  const discrepancies = await storage.reconciliation.discrepancies({ date });
  expect(matches.length).toBeGreaterThan(50);
  // The same day as one matcher run (no parts, nothing staged) stores the same.
  await runReconciliation(storage, { now, days: [date], partRecords: 0 });
  const strip = <T extends object>(list: readonly T[], drop: string): unknown[] => list.map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== drop)));
  expect(strip(await storage.reconciliation.matches({ date }), 'matchedAt')).toEqual(strip(matches, 'matchedAt'));
  expect(strip(await storage.reconciliation.discrepancies({ date }), 'foundAt')).toEqual(strip(discrepancies, 'foundAt'));
});
