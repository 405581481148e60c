/**
 * A day matched in parts (reconcile/partition.ts, run.ts) against the same day as one matcher run
 * (`partRecords: 0`), on generated days of several shapes and on both backends: the same matches
 * (rows, receipt groups, tiers, deltas) and the same discrepancies (keys, kinds, causes,
 * explanations in both languages, evidence, diffs, health, clocks, order, decisions), the same
 * counts. Parts as small as they go (every closed set of stores and rows its own part) and a size
 * that packs several sets together.
 */
import { expect, it } from 'vitest';
import { loadAgentData } from '../../../scripts/bench/reconcile.js';
import { dayFiles } from '../../../scripts/gen/day-files.js';
import { generateDay, type DayOptions } from '../../../scripts/gen/reconcile.js';
import { importStatement } from '../../../src/server/reconcile/import.js';
import { runReconciliation, type RunReport } from '../../../src/server/reconcile/run.js';
import type { Discrepancy } from '../../../src/server/matcher/types.js';
import type { DiscrepancyRecord, Storage } from '../../../src/server/storage/types.js';
import { describeBackends } from '../backends.js';
import { openDb } from '../helpers.js';
import { compare } from './helpers.js';

const DAYS: readonly DayOptions[] = [
  { seed: 3 },
  { seed: 11, stores: 5, terminalsPerStore: 3, txnsPerTerminal: 40 },
  { seed: 29, stores: 7, terminalsPerStore: 2, txnsPerTerminal: 25 },
];

/** Everything a run stored, less the time it stored it. */
async function stored(storage: Storage): Promise<{ discrepancies: unknown[]; matches: unknown[] }> {
  const discrepancies = (await storage.reconciliation.discrepancies()).map(({ foundAt: _f, ...d }) => d);
  const matches = (await storage.reconciliation.matches()).map(({ matchedAt: _m, ...m }) => m);
  return { discrepancies, matches };
}

/** A stored discrepancy under the matcher's names, for the generator's anchors. */
const asFound = (d: DiscrepancyRecord): Discrepancy =>
  ({ kind: d.kind, statement_ids: d.statementIds, receipt_ids: d.receiptIds, merchant_id: d.merchantId, terminal: d.terminal, explanation_en: d.explanationEn }) as Discrepancy;

/** A report without its timings. */
const counts = (r: RunReport): unknown => r.days.map((d) => ({ day: d.day, counts: d.counts }));

describeBackends('a day in parts is the day whole', (backend) => {
  for (const opts of DAYS) {
    it(`generated day seed ${opts.seed} (${opts.stores ?? 3} stores × ${opts.terminalsPerStore ?? 2} terminals)`, async () => {
      const day = generateDay(opts);
      const date = day.input.options.period!.from;
      const now = day.input.options.now;
      const storage = await openDb(await backend.fresh());
      await loadAgentData(storage, day);
      const files = new Map<string, string>();
      for (const f of dayFiles(day)) {
        const r = await importStatement(storage, { format: f.format, bytes: f.bytes, store: f.store ?? null, name: f.name });
        files.set(r.file.id, f.key);
      }

      // The reference: the day and its neighbours, each as one matcher run.
      const whole = await runReconciliation(storage, { now, partRecords: 0 });
      const first = await stored(storage);
      const ofDay = await storage.reconciliation.discrepancies({ date });
      expect(compare(day, ofDay.map(asFound), files)).toEqual({ missed: [], invented: [] });
      expect(first.matches.length).toBeGreaterThan(100);

      // Decisions on two of them, kept by key: every run after must carry them.
      for (const d of ofDay.slice(0, 2)) {
        await storage.reconciliation.decide({ key: d.key, status: 'resolved', by: 'finance', at: '2026-11-21T09:00:00+08:00', reason: 'checked' });
      }
      const wholeAgain = await runReconciliation(storage, { now, partRecords: 0 });
      const reference = await stored(storage);
      expect(reference.discrepancies.filter((d) => (d as { status: string }).status === 'resolved')).toHaveLength(2);

      for (const partRecords of [1, 300]) {
        const parts = await runReconciliation(storage, { now, partRecords });
        expect(counts(parts), `partRecords ${partRecords}`).toEqual(counts(wholeAgain));
        const got = await stored(storage);
        expect(got.matches, `partRecords ${partRecords}`).toEqual(reference.matches);
        expect(got.discrepancies, `partRecords ${partRecords}`).toEqual(reference.discrepancies);
      }
      expect(counts(whole)).toEqual(counts(wholeAgain));
    });
  }
});
