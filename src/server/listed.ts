/**
 * A receipt as head office lists it (GET /api/v1/receipts, `server receipts list --json`): the
 * agent's `receipts list --json` element (src/cli/receipts.ts listedReceipt) plus where it came
 * from (docs/sync-protocol.md).
 */
import type { ServerReceipt } from './storage/types.js';

export function listedServerReceipt(r: ServerReceipt): Record<string, unknown> {
  return {
    id: r.id,
    captured_at: r.capturedAt,
    printer: r.printer,
    print_status: r.printStatus,
    synced: true,
    device_seq: r.seq,
    ...(JSON.parse(r.json) as Record<string, unknown>),
    store: r.store,
    terminal: r.terminal,
    device: r.device,
    revision: r.revision,
    received_at: r.receivedAt,
    print_reason: r.printReason,
  };
}
