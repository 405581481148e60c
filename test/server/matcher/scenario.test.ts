import { describe, expect, it } from 'vitest';
import { anchorOf, generateDay, type GeneratedDay } from '../../../scripts/gen/reconcile.js';
import { reconcile } from '../../../src/server/matcher/index.js';
import type { DiscrepancyKind, MatchResult, MatchTier } from '../../../src/server/matcher/types.js';
import { DISCREPANCY_KINDS } from '../../../src/server/matcher/types.js';
import { checkInvariants } from './helpers.js';

const SEEDS = [1, 2, 3, 17, 42, 2026];

function score(day: GeneratedDay, r: MatchResult): { precision: number; recall: number; missed: string[]; invented: string[] } {
  const want = new Set(day.expected.map((e) => `${e.kind} ${e.anchor}`));
  const got = r.discrepancies.map((d) => `${d.kind} ${anchorOf(d)}`);
  const hits = got.filter((g) => want.has(g)).length;
  return {
    precision: got.length ? hits / got.length : 1,
    recall: want.size ? hits / want.size : 1,
    missed: day.expected.filter((e) => !got.includes(`${e.kind} ${e.anchor}`)).map((e) => `${e.kind} ${e.anchor} (${e.note})`),
    invented: r.discrepancies.filter((d) => !want.has(`${d.kind} ${anchorOf(d)}`)).map((d) => `${d.kind}: ${d.explanation_en}`),
  };
}

describe.each(SEEDS)('a generated day with injected faults, seed %i', (seed) => {
  const day = generateDay({ seed });
  const r = reconcile(day.input);

  it('finds exactly the injected discrepancies: precision and recall 100%', () => {
    const s = score(day, r);
    expect({ missed: s.missed, invented: s.invented }).toEqual({ missed: [], invented: [] });
    expect([s.precision, s.recall]).toEqual([1, 1]);
    expect(r.discrepancies).toHaveLength(day.expected.length);
  });

  it('injects every kind, so every kind is found', () => {
    const kinds = new Set<DiscrepancyKind>(r.discrepancies.map((d) => d.kind));
    expect([...kinds].sort()).toEqual([...DISCREPANCY_KINDS].sort());
  });

  it('matches each row that has receipts to exactly the receipts of its transaction, and nothing else', () => {
    const got = new Map(r.matches.map((m) => [m.statement_id, [...m.receipt_ids].sort()]));
    expect(got.size).toBe(day.pairs.size);
    for (const [rowId, receipts] of day.pairs) expect(got.get(rowId), rowId).toEqual(receipts);
  });

  it('never matches a row or a receipt twice', () => {
    checkInvariants(day.input, r);
  });

  it('keeps the rows of the last second of the grace period pending', () => {
    expect(r.statements.filter((s) => s.state === 'pending').map((s) => s.id)).toEqual(day.pending);
  });

  it('links every void and refund row to its original', () => {
    const got = new Map(r.links.filter((l) => l.side === 'statement').map((l) => [l.reversal, l.original]));
    expect(got).toEqual(day.statementLinks);
    expect(r.links.some((l) => l.side === 'receipt')).toBe(true);
  });

  it("learns the drifting terminal's clock and no other terminal's", () => {
    const drift = r.discrepancies.filter((d) => d.kind === 'clock_drift');
    expect(drift).toHaveLength(1);
    expect(drift[0]!.clock!.offset_ms).toBe(day.driftTerminal.offset_ms);
    const others = r.clocks.filter((c) => c.terminal_id !== day.driftTerminal.terminal_id);
    expect(others.length).toBeGreaterThan(2);
    for (const c of others) expect(Math.abs(c.offset_ms)).toBeLessThanOrEqual(30_000);
  });

  it('uses every tier', () => {
    const tiers = new Set<MatchTier>(r.matches.map((m) => m.tier));
    expect([...tiers].sort()).toEqual(['amount_window', 'auth_window', 'receipt_no', 'rrn', 'voucher', 'wallet_order']);
  });

  it('names store, terminal and operator where the data has them', () => {
    for (const d of r.discrepancies) {
      expect(d.explanation_en.length, d.key).toBeGreaterThan(40);
      expect(d.explanation_zh, d.key).toMatch(/[\u4e00-\u9fff]/);
      if (d.kind === 'clock_drift' || d.kind === 'print_failed') expect(d.store, d.key).toMatch(/^S\d\d$/);
      if (d.kind === 'amount_mismatch' || d.kind === 'type_mismatch') expect(d.operator, d.key).not.toBeNull();
    }
  });
});

describe('generated days', () => {
  it('the same data gives the same result and the same keys, in any input order', () => {
    const a = generateDay({ seed: 5 });
    const b = generateDay({ seed: 5 });
    const ra = reconcile(a.input);
    expect(reconcile(b.input)).toEqual(ra);
    const reversed = reconcile({ ...a.input, statements: [...a.input.statements].reverse(), receipts: [...a.input.receipts].reverse() });
    expect(reversed).toEqual(ra);
  });

  it('another seed gives another day', () => {
    const a = generateDay({ seed: 5 });
    const b = generateDay({ seed: 6 });
    expect(b.input.receipts.map((r) => r.id)).not.toEqual(a.input.receipts.map((r) => r.id));
  });

  it('a day with no faults reconciles completely, with nothing to report', () => {
    for (const seed of [8, 9]) {
      const day = generateDay({ seed, faults: false });
      const r = reconcile(day.input);
      expect(r.discrepancies.map((d) => d.explanation_en)).toEqual([]);
      const outOfPeriod = r.statements.filter((s) => s.state === 'out_of_period').length;
      expect(r.matches.length + outOfPeriod).toBe(day.input.statements.length);
    }
  });

  it("without the learned clock offset the drifting terminal's window-tier rows are lost: the correction is what finds them", () => {
    const day = generateDay({ seed: 1 });
    const blind = reconcile({ ...day.input, options: { ...day.input.options, drift_min_samples: 1_000_000 } });
    const s = score(day, blind);
    expect(s.invented.length).toBeGreaterThan(0);
    expect(s.invented.some((x) => x.startsWith('missing_receipt') || x.startsWith('orphan_receipt'))).toBe(true);
  });

  it('a prior decision survives a re-run over the same data', () => {
    const day = generateDay({ seed: 3 });
    const first = reconcile(day.input);
    const decisions = first.discrepancies
      .filter((d) => d.kind === 'reprint' || d.kind === 'print_failed')
      .map((d) => ({ key: d.key, status: 'resolved' as const, by: 'wang.fang', at: '2026-11-22T09:00:00+08:00', reason: 'seen' }));
    expect(decisions.length).toBeGreaterThan(1);
    const again = reconcile({ ...day.input, decisions });
    expect(again.discrepancies.filter((d) => d.status === 'resolved').map((d) => d.key).sort()).toEqual(decisions.map((d) => d.key).sort());
    expect(again.stale_decisions).toEqual([]);
  });
});
