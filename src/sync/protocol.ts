/**
 * The agent's half of docs/sync-protocol.md, pure: the device block, batch bodies, the
 * Idempotency-Key and the server's answer.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isoWithZoneMs } from '../local-time.js';

export interface DeviceBlock {
  readonly id: string;
  readonly terminal: string | null;
  readonly version: string;
  /** The agent's clock when it sent the batch, ISO 8601 with milliseconds and zone. */
  readonly clock: string;
  readonly clock_ms: number;
}

export { isoWithZoneMs };

export function deviceBlock(id: string, terminal: string | null, version: string, now: number): DeviceBlock {
  return { id, terminal, version, clock: isoWithZoneMs(now), clock_ms: now };
}

/**
 * SHA-256 (hex) of the device id and each row's `id:revision:sha256`, one per line: the same rows
 * with the same content give the same key, so a retried batch is recognised by the server.
 */
export function idempotencyKey(deviceId: string, rowKeys: readonly string[]): string {
  const h = createHash('sha256');
  h.update(deviceId);
  for (const k of rowKeys) h.update(`\n${k}`);
  return h.digest('hex');
}

/**
 * A key for the same rows that the server has not seen: used once when the server says the real
 * key was already used with another body (every retry carries a new `device.clock`, so a server
 * that hashes the whole body sees another body). Rows stay exactly-once: the server deduplicates
 * them by id whatever the key.
 */
export function freshKey(key: string, clockMs: number): string {
  return createHash('sha256').update(`${key}:${clockMs}`).digest('hex');
}

/**
 * `{"device":{…},"<member>":[rows]}`, the rows given as JSON text already (a receipt's stored
 * canonical JSON goes in as it is: no parse and stringify of thousands of receipts per batch, and
 * the server hashes exactly the text the agent hashed).
 */
export function batchBody(device: DeviceBlock, member: string, rows: readonly string[]): string {
  return `{"device":${JSON.stringify(device)},${JSON.stringify(member)}:[${rows.join(',')}]}`;
}

const ids = z.array(z.string()).default([]);

/** The 200 / 409 answer of both POST routes (health events have no revised / conflicts). */
export const batchAnswerSchema = z.object({
  accepted: ids,
  duplicates: ids,
  revised: ids,
  conflicts: ids,
  server_time: z.string().optional(),
});

export type BatchAnswer = z.infer<typeof batchAnswerSchema>;

/** `{ "error": { "code", "message" } }`, every error answer. */
export const errorAnswerSchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});

export function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The server's error code and message, when the body is the protocol's error shape. */
export function errorOf(body: string): { code: string; message: string } | null {
  const parsed = errorAnswerSchema.safeParse(readJson(body));
  return parsed.success ? { code: parsed.data.error.code, message: parsed.data.error.message ?? '' } : null;
}

/** Server clock minus ours, taking our clock at the middle of the exchange. */
export function clockOffset(serverTime: string | undefined, sentAt: number, answeredAt: number): number | null {
  if (serverTime === undefined) return null;
  const t = Date.parse(serverTime);
  if (Number.isNaN(t)) return null;
  return Math.round(t - (sentAt + answeredAt) / 2);
}
