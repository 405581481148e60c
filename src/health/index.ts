/** Printer health: status replies, the state machine, the poll policy, the monitor, print verdicts. */
export * from './types.js';
export { asbBits, dleEotBits, gsrBits } from './bits.js';
export { HostStream, POLL_BYTES, POLL_QUERIES, queryOf, type HostItem, type Query, type ReplyClass } from './requests.js';
export { ReplyRouter, type Expired, type Owner, type Routed, type Seen } from './router.js';
export { HealthState, describeState } from './state.js';
export { decidePoll, DEFAULT_POLICY, type LineView, type PollDecision, type PollPolicy } from './poller.js';
export { printVerdict, type Span, type TimelineEntry, type VerdictOptions } from './print-status.js';
export { HealthMonitor, type MonitorOptions } from './monitor.js';
export { clockTime, isoWithZoneMs as isoWithZone } from '../local-time.js';
export { watchPrinter, type WatchOptions, type WatchedPrinter } from './watch.js';
export { SpanClock } from './span-clock.js';
export { probePrinter, report as doctorReport, type DoctorReport, type Diagnosis } from './probe.js';
