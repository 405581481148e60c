/**
 * The agent → server bodies (docs/sync-protocol.md) as zod schemas. Unknown members are ignored
 * (a newer agent may send more); what the server stores or indexes is checked.
 */
import { z } from 'zod';

/** ISO 8601 with a zone (`Z` or ±HH:MM), as the agent writes instants. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

export const isoWithZone = z
  .string()
  .max(40)
  .regex(ISO_WITH_ZONE, 'an ISO 8601 time with its zone, e.g. 2026-11-20T09:10:00+08:00')
  .refine((s) => Number.isFinite(Date.parse(s)), 'not a real date and time');

const name = z.string().min(1).max(64);
const clientId = z.string().min(1).max(128);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const deviceBlock = z.object({
  id: clientId,
  terminal: z.string().min(1).max(64).nullable().optional(),
  version: z.string().min(1).max(64),
  clock: z.string().max(64).optional(),
  clock_ms: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

/**
 * One receipt as `decode --json` gives it. Loose: the decoder may grow members. The members head
 * office reads (fields used for matching) are typed.
 */
const decodedReceipt = z.looseObject({
  seq: z.number().int(),
  text: z.string(),
  lines: z.array(z.looseObject({ text: z.string() })),
  barcodes: z.array(z.looseObject({ symbology: z.string(), data: z.string() })),
  images: z.array(z.looseObject({ width: z.number(), height: z.number() })),
  cut: z.enum(['full', 'partial']).nullable(),
  bytes: z.looseObject({ start: z.number().int().min(0), end: z.number().int().min(0) }),
  fields: z.looseObject({
    merchant_id: z.string().max(64).optional(),
    terminal_id: z.string().max(64).optional(),
    amount_minor: z.number().int().optional(),
    total_minor: z.number().int().optional(),
    datetime: z.string().optional(),
  }),
  warnings: z.array(z.string()),
});

export const receiptItem = z.object({
  id: clientId,
  seq,
  revision: z.number().int().min(0).max(1_000_000),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256'),
  captured_at: isoWithZone,
  printer: name,
  print_status: z.enum(['ok', 'suspect', 'failed']),
  print_reason: z.string().max(1000).nullable().optional(),
  receipt: decodedReceipt,
});

export const receiptsBody = (maxReceipts: number) =>
  z.object({
    device: deviceBlock,
    receipts: z.array(receiptItem).max(maxReceipts, `at most ${maxReceipts} receipts per batch`),
  });

export const healthEventItem = z.object({
  id: clientId,
  seq,
  printer: name,
  at: isoWithZone,
  // The protocol's kinds today: paper cover online cutter error drawer capture. Any short word is
  // taken so that an agent with a new kind is not stuck behind a batch the server refuses.
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a lower-case word such as paper, cover, online'),
  state: z.string().min(1).max(32),
  previous: z.string().min(1).max(32).nullable().optional(),
  duration_ms: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  detail: z.string().max(1000).nullable().optional(),
});

export const healthEventsBody = (maxEvents: number) =>
  z.object({
    device: deviceBlock,
    events: z.array(healthEventItem).max(maxEvents, `at most ${maxEvents} events per batch`),
  });

export const receiptsQuery = z
  .object({
    store: z.string().min(1).max(64).optional(),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
      .optional(),
    limit: z.coerce.number().int().min(1).max(100_000).optional(),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export type ReceiptItem = z.infer<typeof receiptItem>;
export type DeviceBlock = z.infer<typeof deviceBlock>;

/** A zod failure as one sentence: where, and what was expected. */
export function describeIssues(err: z.ZodError): string {
  const first = err.issues[0];
  if (!first) return 'The body does not have the expected shape.';
  const where = first.path.length ? first.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'body';
  const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problems)` : '';
  return `${where}: ${first.message}${more}`;
}
