/**
 * The agent's worker thread: it owns the store connection and the pipeline (journal, decoders,
 * receipts, retention), so that fsyncs and decoding never delay the main thread, which only relays
 * bytes between the POS and the printer. Messages in both directions are plain data
 * (src/agent/messages.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Store } from '../store/index.js';
import { type FromWorker, SPOOLED_EVERY_MS, type ToWorker, type WorkerInit, wallClock } from './messages.js';
import { SpoolHold } from './spool-hold.js';
import { Pipeline, type AgentLog, type Work } from './pipeline.js';
import { IdleGc } from '../idle-gc.js';
import { runInBackground } from '../background-priority.js';
import { SpoolReader, type SpoolPos } from './spool.js';

const port = parentPort;
if (!port) throw new Error('src/agent/worker.ts runs as a worker thread');
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);
runInBackground();

const log: AgentLog = {
  info: (obj, msg) => post({ type: 'log', level: 'info', obj, msg }),
  warn: (obj, msg) => post({ type: 'log', level: 'warn', obj, msg }),
  error: (obj, msg) => post({ type: 'log', level: 'error', obj, msg }),
};

let store: Store | null = null;
try {
  store = Store.open(init.dataDir);
} catch (err) {
  // Fail-open: the main thread keeps relaying; it logs this and starts a new worker later.
  post({ type: 'fatal', message: (err as Error).message });
}

if (store) {
  const s = store;
  // Posted at once, not batched: the main thread should see a failure while the worker is still
  // busy (a locked database makes every write wait for the busy timeout).
  const reportStatus = (): void => post({ type: 'status', status: pipeline.status });
  const pipeline = new Pipeline(s, init.printers, log, reportStatus);
  if (init.spool) pipeline.replaySpool(init.spool.dir, init.spool.below);
  pipeline.recover();

  // Journal each message as it arrives; decode what has arrived once no message is waiting (the
  // check phase runs after the poll phase that delivers messages), so the journal keeps up with
  // the relay even while a decoder is busy.
  // Decoding goes in slices of a few milliseconds: a burst of receipts (or one long one) must not
  // keep the next journal message waiting, because the relay's gate waits for its answer.
  // While print data streams in (data came within STREAMING_MS), decoding waits: on a two-core
  // counter PC the relay, the POS and this thread compete for the CPU, and the relay must win —
  // a 2 ms slice here, even at nice 10, delayed the POS's jobs by as much (measured: the slow
  // jobs of a run came every slice). Decoding catches up once the printer is quiet; not beyond
  // MAX_BEHIND bytes undecoded, which are held in memory.
  const SLICE_MS = 2;
  const STREAMING_MS = 20;
  const PAUSE_MS = 6;
  const MAX_BEHIND = 32 * 1024 * 1024;
  const idleGc = new IdleGc();
  // Recovery and loading leave garbage: collected once quiet, like after any work.
  idleGc.touch();
  let pending: Work[] = [];
  let next = 0;
  let behind = 0;
  /** When the last message from the relay arrived. */
  let lastArrival = -Infinity;
  /** Work messages are coming in close succession until then. */
  let streamingUntil = 0;
  let decodeDue = false;
  const waitForQuiet = (): boolean => behind < MAX_BEHIND && wallClock() < streamingUntil;
  const schedule = (): void => {
    decodeDue = true;
    if (waitForQuiet()) setTimeout(decode, Math.max(PAUSE_MS, streamingUntil - wallClock()));
    else setImmediate(decode);
  };
  const decode = (all = false): void => {
    decodeDue = false;
    if (!all && waitForQuiet()) {
      schedule();
      return;
    }
    idleGc.touch();
    const t0 = performance.now();
    while (next < pending.length && (all || performance.now() - t0 < SLICE_MS)) {
      const w = pending[next++]!;
      if (w.kind === 'chunk') behind -= w.c.bytes.length;
      pipeline.decodeWork([w]);
    }
    if (next >= pending.length) {
      pending = [];
      next = 0;
      behind = 0;
    } else if (!decodeDue) schedule();
    reportStatus();
  };

  const prune = (days: number): void => {
    try {
      const gone = s.prune({ olderThanDays: days });
      if (gone.receipts + gone.sessions > 0) log.info({ ...gone, days }, 'pruned synced data');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'prune failed');
    }
  };
  let pruner: NodeJS.Timeout | null = null;
  const days = init.retentionDays;
  if (days !== null) {
    prune(days);
    pruner = setInterval(() => prune(days), 3_600_000);
    pruner.unref();
  }

  /**
   * A message from the relay came, about data that reached it from `first` to `last`: print data
   * streams while it comes within STREAMING_MS of the data before (by arrival at the relay, not by
   * journal commit: spooled ranges are journaled only once the line is quiet), and the next
   * message may be `next` ms away. Returns whether the line had been quiet.
   */
  const arrived = (first: number, last: number, next: number): boolean => {
    const quiet = first - lastArrival >= STREAMING_MS;
    streamingUntil = quiet && last === first ? 0 : last + next;
    lastArrival = Math.max(lastArrival, last);
    return quiet;
  };
  const spool = init.spool ? new SpoolReader(init.spool.dir) : null;
  /** Journal work as it arrives (`mark`: where it came from in the spool), decode it later. */
  const accept = (work: readonly Work[], mark: SpoolPos | null): void => {
    idleGc.touch();
    pipeline.journal(work, mark);
    for (const w of work) {
      pending.push(w);
      if (w.kind === 'chunk') behind += w.c.bytes.length;
    }
    if (!decodeDue) schedule();
  };

  // What the relay spooled is journaled once the line is quiet (spool-hold.ts says why and when).
  const held = new SpoolHold();
  let heldTimer: NodeJS.Timeout | null = null;
  /** Journals the oldest held range (a segment's worth at most: one read, one transaction). */
  const journalOne = (): void => {
    const h = held.take();
    if (!h) return;
    let work: Work[] = [];
    try {
      if (!spool) throw new Error('no spool directory was given to this worker');
      work = spool.read(h.seg, h.from, h.to);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'cannot read what the relay spooled; these bytes are not captured');
    }
    accept(work, { seg: h.seg, off: h.to });
    post({ type: 'spool-journaled', pos: { seg: h.seg, off: h.to } });
  };
  const journalHeld = (): void => {
    if (heldTimer) clearTimeout(heldTimer);
    heldTimer = null;
    while (held.size > 0) journalOne();
  };
  /**
   * A held range may be due: decided in the check phase, after the poll phase has delivered the
   * messages that came while this thread was busy (a timer runs before them, and would take a
   * stream for a quiet line).
   */
  const heldDue = (): void => {
    heldTimer = null;
    if (held.size > 0) setImmediate(heldCheck);
  };
  const heldCheck = (): void => {
    if (heldTimer) return;
    const wait = held.wait(wallClock());
    if (wait === null) return;
    if (wait > 0) {
      heldTimer = setTimeout(heldDue, wait);
      return;
    }
    // One range per turn: a message from the relay (a new stream) is heard in between.
    journalOne();
    if (held.size > 0) heldTimer = setTimeout(heldDue, held.streaming(wallClock()) ? STREAMING_MS : 0);
  };
  const hold = (seg: number, from: number, to: number, first: number, last: number): void => {
    arrived(first, last, SPOOLED_EVERY_MS + STREAMING_MS);
    if (held.add(seg, from, to, first, last)) journalHeld();
    else if (!heldTimer) heldTimer = setTimeout(heldDue, Math.max(0, held.wait(wallClock()) ?? 0));
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'work') {
      // Chunks arrive as Uint8Array (structured clone); the store and decoders take Buffers.
      for (const w of m.work) if (w.kind === 'chunk') (w.c as { bytes: Buffer }).bytes = Buffer.from(w.c.bytes.buffer, w.c.bytes.byteOffset, w.c.bytes.length);
      const now = wallClock();
      arrived(now, now, STREAMING_MS);
      accept(m.work, null);
      post({ type: 'journaled', upTo: m.upTo });
    } else if (m.type === 'spooled') {
      hold(m.seg, m.from, m.to, m.t0, m.t);
    } else if (m.type === 'health') {
      // The bytes before a change of the printer's state, as they came (changes are rare).
      if (m.changes.length > 0) journalHeld();
      pipeline.printerHealthReport(m.printer, m.changes, m.heardAt);
    } else if (m.type === 'stop') {
      if (pruner) clearInterval(pruner);
      journalHeld();
      spool?.close();
      idleGc.stop();
      decode(true);
      pipeline.endAll(m.t);
      post({ type: 'status', status: pipeline.status });
      s.close();
      post({ type: 'stopped' });
      port.close();
    }
  });
  post({ type: 'ready', status: pipeline.status });
}
