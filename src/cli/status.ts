/**
 * `tilltap status [--data DIR] [--json]`: the agent's own health from its data directory: what it
 * captured, each printer's conditions and recent health events, and the sync backlog.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describeState } from '../health/state.js';
import { HEALTH_KINDS, type HealthEvent, type PrinterSnapshot } from '../health/types.js';
import { isoWithZoneMs as isoWithZone } from '../local-time.js';
import { DB_FILE, healthEventToWire, Store, type SyncStatus } from '../store/index.js';
import { runtimeError, usageError } from './errors.js';
import { writeOut } from './output.js';

const DEFAULT_DATA = './tilltap-data';

interface StatusFlags {
  data?: string;
  json?: boolean;
  events?: string;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

function printerJson(name: string, snap: PrinterSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = { name };
  for (const k of HEALTH_KINDS) {
    const v = snap[k];
    out[k] = v ? { state: v.state, since: isoWithZone(v.since) } : null;
  }
  return out;
}

/** The sync part of the text status, beyond the backlog line. */
function syncLines(sync: SyncStatus, now: number): string[] {
  const out: string[] = [];
  if (sync.oldestUnsyncedAt) out.push(`Oldest waiting ${sync.oldestUnsyncedAt}`);
  out.push(`Last sync      ${sync.lastSuccessAt === null ? 'never' : `${isoWithZone(sync.lastSuccessAt)} (${duration(now - sync.lastSuccessAt)} ago)`}`);
  if (sync.lastError) out.push(`Last error     ${sync.lastError.code} at ${isoWithZone(sync.lastError.at)}: ${sync.lastError.message}`);
  if (sync.nextAttemptAt !== null && sync.nextAttemptAt > now) out.push(`Next attempt   ${isoWithZone(sync.nextAttemptAt)} (in ${duration(sync.nextAttemptAt - now)})`);
  if (sync.clockOffsetMs !== null) {
    const s = Math.abs(sync.clockOffsetMs) / 1000;
    out.push(`Server clock   ${s.toFixed(1)} s ${sync.clockOffsetMs >= 0 ? 'ahead of' : 'behind'} this PC`);
  }
  return out;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("the agent's own health: captures, printer states, recent health events, sync backlog")
    .option('--data <dir>', 'data directory', DEFAULT_DATA)
    .option('--json', 'one JSON document on stdout')
    .option('--events <n>', 'how many recent health events to show', '10')
    .action(async (flags: StatusFlags) => {
      const dir = flags.data ?? DEFAULT_DATA;
      const nEvents = Number(flags.events ?? '10');
      if (!Number.isInteger(nEvents) || nEvents < 0 || nEvents > 10_000) throw usageError(`--events must be a whole number (0–10000), not "${flags.events}"`);
      if (!existsSync(join(dir, DB_FILE))) throw runtimeError(`no agent data in ${dir} (no ${DB_FILE}): give the agent's --data directory`);
      let store: Store;
      try {
        store = Store.open(dir);
      } catch (err) {
        throw runtimeError(`cannot open the data directory ${dir}: ${(err as Error).message}`);
      }
      try {
        const stats = store.stats();
        const sync = store.syncStatus();
        const backlog = sync.backlog;
        const healthBacklog = store.listHealthEvents({ synced: false }).length;
        const iso = (t: number | null): string | null => (t === null ? null : isoWithZone(t));
        const flagged = store.db.prepare("SELECT print_status AS s, count(*) AS n FROM receipts WHERE print_status != 'ok' GROUP BY print_status").all() as Array<{ s: string; n: number }>;
        const failed = flagged.find((f) => f.s === 'failed')?.n ?? 0;
        const suspect = flagged.find((f) => f.s === 'suspect')?.n ?? 0;
        const states = [...store.printerStates()].sort(([a], [b]) => a.localeCompare(b));
        const events: HealthEvent[] = nEvents > 0 ? store.listHealthEvents({ limit: nEvents, from: 'newest' }) : [];
        const now = Date.now();
        if (flags.json) {
          await writeOut(
            `${JSON.stringify(
              {
                data: dir,
                receipts: stats.receipts,
                unsynced_receipts: stats.unsynced,
                print_failures: { failed, suspect },
                sessions: stats.sessions,
                journal_bytes: stats.journalBytes,
                last_capture_at: stats.lastCaptureAt,
                last_chunk_at: stats.lastChunkAt === null ? null : isoWithZone(stats.lastChunkAt),
                printers: states.map(([name, snap]) => printerJson(name, snap)),
                recent_health_events: events.map((e) => ({ ...healthEventToWire(e), synced: e.synced })),
                sync: {
                  backlog,
                  unsynced_health_events: healthBacklog,
                  parked: sync.parked,
                  parked_receipts: store.parkedReceipts().map((p) => ({ id: p.id, parked_at: isoWithZone(p.parkedAt), reason: p.reason })),
                  oldest_unsynced_at: sync.oldestUnsyncedAt,
                  last_success_at: iso(sync.lastSuccessAt),
                  last_error: sync.lastError ? { code: sync.lastError.code, message: sync.lastError.message, at: isoWithZone(sync.lastError.at) } : null,
                  next_attempt_at: iso(sync.nextAttemptAt),
                  clock_offset_ms: sync.clockOffsetMs,
                  device_id: sync.deviceId,
                },
              },
              null,
              2,
            )}\n`,
          );
          return;
        }
        const out: string[] = [
          `Data           ${dir}`,
          `Receipts       ${stats.receipts} (${stats.unsynced} not synced yet)`,
          `Print flags    ${failed} probably not printed (failed), ${suspect} suspect`,
          `Sessions       ${stats.sessions}, journal ${stats.journalBytes} bytes`,
          `Last receipt   ${stats.lastCaptureAt ?? 'none yet'}`,
          `Last bytes     ${stats.lastChunkAt === null ? 'none yet' : `${isoWithZone(stats.lastChunkAt)} (${duration(now - stats.lastChunkAt)} ago)`}`,
          `Sync backlog   ${backlog} receipt(s) in the outbox, ${healthBacklog} health event(s) not sent${
            sync.parked > 0 ? `, ${sync.parked} receipt(s) parked: the server holds other content for their ids` : ''
          }`,
          ...syncLines(sync, now),
          '',
          'Printers',
        ];
        if (states.length === 0) out.push('  no health reported yet');
        for (const [name, snap] of states) {
          const parts: string[] = [];
          for (const k of HEALTH_KINDS) {
            const v = snap[k];
            if (v) parts.push(`${describeState(k, v.state)} (${duration(now - v.since)})`);
          }
          out.push(`  ${name}: ${parts.join(', ')}`);
        }
        if (events.length > 0) {
          out.push('', 'Recent health events');
          for (const e of events) {
            out.push(`  ${e.atIso}  ${e.printer}  ${e.kind}: ${e.previous ?? '?'} → ${e.state}${e.durationMs !== null ? ` after ${duration(e.durationMs)}` : ''}${e.detail ? `  (${e.detail})` : ''}`);
          }
        }
        await writeOut(`${out.join('\n')}\n`);
      } finally {
        store.close();
      }
    });
}
