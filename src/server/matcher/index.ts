/**
 * The reconciliation matcher: pure functions from statement rows, held receipts, printer health
 * and prior decisions to matches and explained discrepancies. Storage and routes call these.
 */
export { reconcile, compareDiscrepancies, staleDecisions, DEFAULT_OPTIONS, TIER_CONFIDENCE } from './reconcile.js';
export { summarize, type SummaryDimension, type SummaryRow, type Tally } from './summary.js';
export { formatMoney } from './money.js';
export { fingerprint } from './fingerprint.js';
export { MatcherError, type MatcherErrorCode } from './errors.js';
export * from './types.js';
