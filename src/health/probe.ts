/**
 * A technician's check of one printer (`tilltap doctor`): open a link through the project's own
 * printer endpoints, ask `DLE EOT 1–4` (real-time status) and, when the printer is online, `GS I`
 * (firmware, maker, model), and say in plain words what is wrong and what to do. It asks, and
 * changes nothing in the printer.
 */
import type { PrinterEndpoint, PrinterLink } from '../../drivers/endpoint.js';
import { ReplyRouter, type Seen } from './router.js';
import { POLL_BYTES, POLL_QUERIES, type Query } from './requests.js';
import { HealthState } from './state.js';
import type { PrinterSnapshot, StatusBits } from './types.js';

export type PaperReport = 'ok' | 'near_end' | 'out' | 'unknown';

export interface Diagnosis {
  /** `cover_open`, `paper_out`, … (stable, for scripts). */
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'ok';
  /** "Cover open: close the printer cover." */
  readonly message: string;
}

export interface DoctorReport {
  readonly printer: string;
  readonly reachable: boolean;
  /** Answered the status queries. */
  readonly answered: boolean;
  readonly online: boolean;
  readonly paper: PaperReport;
  readonly cover_open: boolean | null;
  readonly cutter_error: boolean | null;
  readonly unrecoverable_error: boolean | null;
  readonly auto_recoverable_error: boolean | null;
  readonly mechanical_error: boolean | null;
  readonly drawer_open: boolean | null;
  readonly maker: string | null;
  readonly model: string | null;
  readonly firmware: string | null;
  /** The raw replies, `DLE EOT 1` → `0x16`. */
  readonly status_bytes: Readonly<Record<string, string>>;
  readonly diagnosis: readonly Diagnosis[];
  /** Nothing stops printing (a near-end roll is only a warning). */
  readonly healthy: boolean;
  readonly error: string | null;
}

export interface ProbeOptions {
  /** Wait this long for each set of replies (ms). Default 1500. */
  readonly replyTimeoutMs?: number;
  /** Give up opening the link after this long (ms). Default 5000. */
  readonly openTimeoutMs?: number;
  readonly drawerOpenWhen?: 'low' | 'high';
  /** After the status check, with the link still open (a test print). */
  readonly then?: (link: PrinterLink, report: DoctorReport) => Promise<void>;
}

const IDENTITY: readonly Query[] = [
  { name: 'GS I 65', cls: 'block', n: 65 },
  { name: 'GS I 66', cls: 'block', n: 66 },
  { name: 'GS I 67', cls: 'block', n: 67 },
];
const IDENTITY_BYTES = Buffer.from([0x1d, 0x49, 65, 0x1d, 0x49, 66, 0x1d, 0x49, 67]);

/** Sends `bytes` (the queries of `queries`), collects what comes back until all are answered or time is up. */
async function ask(link: PrinterLink, router: ReplyRouter, queries: readonly Query[], bytes: Buffer, timeoutMs: number): Promise<Seen[]> {
  const seen: Seen[] = [];
  const now = Date.now();
  for (const q of queries) router.sent('agent', q, now);
  const answered = (): number => seen.filter((s) => (s.kind === 'status' || s.kind === 'block' || s.kind === 'byte') && s.owner === 'agent').length;
  await new Promise<void>((resolve) => {
    const onData = (b: Buffer): void => {
      seen.push(...router.received(b, Date.now()).seen);
      if (answered() >= queries.length) done();
    };
    const timer = setTimeout(() => done(), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      link.stream.off('data', onData);
      link.stream.off('close', done);
      resolve();
    };
    link.stream.on('data', onData);
    link.stream.once('close', done);
    link.stream.write(bytes);
  });
  router.expire(Number.MAX_SAFE_INTEGER);
  return seen;
}

function blockText(s: Seen | undefined): string | null {
  if (!s || s.kind !== 'block') return null;
  // `_ text NUL` (GS I): the text between the header byte and the NUL.
  const text = s.bytes.subarray(1, s.bytes[s.bytes.length - 1] === 0 ? -1 : undefined).toString('latin1').trim();
  return text || null;
}

export async function probePrinter(endpoint: PrinterEndpoint, opts: ProbeOptions = {}): Promise<DoctorReport> {
  const replyTimeoutMs = opts.replyTimeoutMs ?? 1500;
  let link: PrinterLink;
  try {
    link = await endpoint.open(AbortSignal.timeout(opts.openTimeoutMs ?? 5000));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return report(endpoint.uri, { reachable: false, error: msg });
  }
  link.stream.on('error', () => {});
  try {
    const router = new ReplyRouter({ agentTimeoutMs: replyTimeoutMs });
    const status = await ask(link, router, POLL_QUERIES, POLL_BYTES, replyTimeoutMs);
    const state = new HealthState(undefined, opts.drawerOpenWhen ? { drawerOpenWhen: opts.drawerOpenWhen } : {});
    const bytes: Record<string, string> = {};
    let bits: StatusBits = {};
    for (const s of status) {
      if (s.kind === 'status' && s.owner === 'agent' && s.query && s.bits) {
        bytes[s.query.name] = `0x${s.byte.toString(16).padStart(2, '0')}`;
        bits = { ...bits, ...s.bits };
        state.status(s.bits, s.t);
      } else if (s.kind === 'asb') state.status(s.bits, s.t);
    }
    const answered = Object.keys(bytes).length > 0;
    let identity: Seen[] = [];
    // GS I waits in the receive buffer like print data: an offline printer would answer it later,
    // to whoever is connected then. Ask only a printer that says it is online.
    if (answered && !bits.offline) identity = await ask(link, router, IDENTITY, IDENTITY_BYTES, replyTimeoutMs);
    const blocks = identity.filter((s) => s.kind === 'block' && s.owner === 'agent');
    const of = (n: number): Seen | undefined => blocks.find((s) => s.kind === 'block' && s.query.n === n);
    const r = report(endpoint.uri, {
      reachable: true,
      answered,
      snapshot: state.snapshot(),
      bits,
      bytes,
      firmware: blockText(of(65)),
      maker: blockText(of(66)),
      model: blockText(of(67)),
    });
    if (opts.then) await opts.then(link, r);
    return r;
  } finally {
    await link.close();
  }
}

interface Facts {
  reachable: boolean;
  answered?: boolean;
  snapshot?: PrinterSnapshot;
  bits?: StatusBits;
  bytes?: Record<string, string>;
  maker?: string | null;
  model?: string | null;
  firmware?: string | null;
  error?: string;
}

/** The report and its diagnosis from what the printer said. */
export function report(printer: string, f: Facts): DoctorReport {
  const snap = f.snapshot;
  const b = f.bits ?? {};
  const known = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  const paper: PaperReport = snap?.paper?.state ?? 'unknown';
  const online = f.answered === true && snap?.online?.state === 'online';
  const r = {
    printer,
    reachable: f.reachable,
    answered: f.answered === true,
    online,
    paper,
    cover_open: known(b.coverOpen),
    cutter_error: known(b.cutterError),
    unrecoverable_error: known(b.unrecoverableError),
    auto_recoverable_error: known(b.autoRecoverableError),
    mechanical_error: known(b.mechanicalError),
    drawer_open: snap?.drawer ? snap.drawer.state === 'open' : null,
    maker: f.maker ?? null,
    model: f.model ?? null,
    firmware: f.firmware ?? null,
    status_bytes: f.bytes ?? {},
    error: f.error ?? null,
  };
  const diagnosis = diagnose(r, b);
  return { ...r, diagnosis, healthy: !diagnosis.some((d) => d.severity === 'error') };
}

function diagnose(r: Omit<DoctorReport, 'diagnosis' | 'healthy'>, b: StatusBits): Diagnosis[] {
  const out: Diagnosis[] = [];
  const err = (code: string, message: string): void => void out.push({ code, severity: 'error', message });
  if (!r.reachable) {
    err('unreachable', `Printer not reachable at ${r.printer} (${r.error ?? 'no connection'}): check that it is switched on, the cable or network address, and that no other program holds the port.`);
    return out;
  }
  if (!r.answered) {
    err('no_response', 'The printer does not answer status requests: check that it is switched on, the cable, and the port settings (baud rate, flow control); some printers answer only with status replies enabled in their settings.');
    return out;
  }
  if (r.cover_open) err('cover_open', 'Cover open: close the printer cover.');
  if (r.paper === 'out') err('paper_out', 'Paper end: load a new paper roll and close the cover.');
  if (r.cutter_error) err('cutter_error', 'Cutter error: open the cover, clear jammed paper from the cutter, close the cover; switch the printer off and on if it stays.');
  if (r.unrecoverable_error) err('unrecoverable_error', 'Unrecoverable error: switch the printer off and on; if it comes back, the printer needs service.');
  if (r.mechanical_error && !r.unrecoverable_error) err('mechanical_error', 'Mechanical error: check for a paper jam, then switch the printer off and on.');
  if (r.auto_recoverable_error) err('auto_recoverable_error', 'Print head overheated (auto-recoverable): wait a few minutes; the printer goes on by itself.');
  if (out.length === 0 && b.offline) err('offline', 'Printer offline: check the panel lights and press the online/feed button, or switch it off and on.');
  if (r.paper === 'near_end') out.push({ code: 'paper_near_end', severity: 'warning', message: 'Paper near end: replace the roll soon.' });
  if (out.length === 0) out.push({ code: 'ok', severity: 'ok', message: 'Printer OK: online, paper loaded, cover closed, no error.' });
  return out;
}
