/**
 * The server's configuration: a YAML file validated with zod, then command-line flags on top
 * (`tilltap server [--config FILE] [--listen HOST:PORT] [--db URL]`). Errors are one line.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_DB } from './storage/url.js';

export const DEFAULT_LISTEN = '127.0.0.1:8470';

export const serverConfigSchema = z
  .object({
    /** HOST:PORT, [IPv6]:PORT. */
    listen: z.string().min(1).default(DEFAULT_LISTEN),
    /** A SQLite file path or a postgres:// URL. */
    db: z.string().min(1).default(DEFAULT_DB),
    limits: z
      .object({
        /** Largest request body in bytes, after gunzip. */
        body_bytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(8 * 1024 * 1024),
        receipts_per_batch: z.number().int().min(1).max(100_000).default(1000),
        events_per_batch: z.number().int().min(1).max(100_000).default(1000),
        /** Largest statement file (POST /api/v1/statements) in bytes, after gunzip. */
        statement_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
      })
      .strict()
      .default({ body_bytes: 8 * 1024 * 1024, receipts_per_batch: 1000, events_per_batch: 1000, statement_bytes: 64 * 1024 * 1024 }),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    /** How long an Idempotency-Key's answer is kept for retries. */
    idempotency: z.object({ keep_days: z.number().int().min(1).max(3650).default(30) }).strict().default({ keep_days: 30 }),
  })
  .strict();

export type ServerConfig = z.infer<typeof serverConfigSchema>;

export interface ServerFlags {
  config?: string;
  listen?: string;
  db?: string;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** "127.0.0.1:8470", "[::1]:8470", "localhost:0" (port 0: any free port). */
export function parseListen(value: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`listen "${value}": expected HOST:PORT, e.g. 127.0.0.1:8470 or [::1]:8470`);
  return { host: (m[1] ?? m[2])!, port };
}

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}: expected a mapping at the top`);
  return raw as Record<string, unknown>;
}

/** The config file (if any) with the flags on top, validated; throws a one-line Error when wrong. */
export function loadServerConfig(flags: ServerFlags): ServerConfig {
  const raw = flags.config ? readYaml(flags.config) : {};
  const merged = { ...raw, ...(flags.listen ? { listen: flags.listen } : {}), ...(flags.db ? { db: flags.db } : {}) };
  const parsed = serverConfigSchema.safeParse(merged);
  if (!parsed.success) throw new Error(`${flags.config ?? 'flags'}: ${issues(parsed.error)}`);
  parseListen(parsed.data.listen);
  return parsed.data;
}

/** The JSON Schema of the config file, for editors (config/server.schema.json). */
export function serverConfigJsonSchema(): unknown {
  return z.toJSONSchema(serverConfigSchema, { io: 'input' });
}
