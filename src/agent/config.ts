/**
 * The agent's configuration: a YAML file validated with zod (config/agent.schema.json, generated
 * from the same schema, lets editors check it), then command-line flags on top.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CJK_ENCODINGS } from '../escpos/codepages.js';
import { PROFILE_NAMES } from '../escpos/profiles.js';

const uri = z.string().regex(/^(?:tcp:\/\/|serial:|usblp:|file:)/, 'a device URI: tcp://HOST:PORT, serial:PATH, usblp:PATH or file:PATH');

export const printerSchema = z
  .object({
    /** How receipts and logs name this printer. */
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)'),
    /** Where the POS prints to. */
    listen: uri,
    /** The real printer the bytes are passed on to; omit for a tap or capture-only set-up. */
    printer: uri.optional(),
    profile: z.enum(['auto', ...PROFILE_NAMES]).default('auto'),
    encoding: z.enum(CJK_ENCODINGS).optional(),
    /** A receipt also ends after this long without bytes (a POS that never cuts). */
    idle_ms: z.number().int().min(100).max(600_000).default(3000),
  })
  .strict();

/** The outbox worker (src/sync/): how it batches, waits and backs off. Used when `server` is set. */
export const syncSchema = z
  .object({
    /** How often to look for new receipts when nothing is due. */
    interval_ms: z.number().int().min(100).max(3_600_000).default(2000),
    /**
     * With nothing left to send for this long, the sync thread ends (its memory goes back to the
     * system) until the agent stores something new or a retry falls due; 0: it never ends.
     */
    idle_exit_ms: z.number().int().min(0).max(86_400_000).default(60_000),
    /** Receipts per batch at most (the server takes 1000). */
    batch_size: z.number().int().min(1).max(1000).default(500),
    /** Bytes per batch at most, before gzip (the server takes 8 MiB). */
    batch_bytes: z.number().int().min(16_384).max(8 * 1024 * 1024).default(4 * 1024 * 1024),
    gzip: z.boolean().default(true),
    /** TCP connect and TLS handshake, each. */
    connect_timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
    /** A whole request, upload to the last byte of the answer. */
    timeout_ms: z.number().int().min(1000).max(600_000).default(60_000),
    /** PEM file of the CA that signed the server's certificate, when it is not a public one. */
    ca_file: z.string().min(1).optional(),
    /** Backoff after network errors, timeouts, 5xx, 408, 429: doubles from min to max, jittered. */
    retry_min_ms: z.number().int().min(100).max(3_600_000).default(2000),
    retry_max_ms: z.number().int().min(100).max(86_400_000).default(300_000),
    /** Backoff after a refusal (401, 403, 404, other 4xx): long, nothing is sent blindly. */
    hold_ms: z.number().int().min(1000).max(86_400_000).default(900_000),
    hold_max_ms: z.number().int().min(1000).max(7 * 86_400_000).default(21_600_000),
  })
  .strict();

export const agentConfigSchema = z
  .object({
    /** Where the journal and receipts live (one SQLite file). */
    data: z.string().min(1).default('./tilltap-data'),
    printers: z.array(printerSchema).min(1),
    server: z
      .object({
        /** The head-office server's base URL, e.g. https://hq.example.com/ */
        url: z.string().url(),
        /** The device token (`tilltap server token create --store ID`); or TILLTAP_TOKEN in the environment. */
        token: z.string().min(1).optional(),
        store: z.string().min(1).optional(),
        terminal: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).strict().default({ level: 'info' }),
    retention: z.object({ days: z.number().int().min(1).max(3650).default(90) }).strict().default({ days: 90 }),
    // prefault: the empty block is parsed, so every default inside applies.
    sync: syncSchema.prefault({}),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type PrinterConfig = z.infer<typeof printerSchema>;
export type SyncConfig = z.infer<typeof syncSchema>;

export interface RunFlags {
  config?: string;
  listen?: string;
  printer?: string;
  data?: string;
  server?: string;
  token?: string;
  store?: string;
  terminal?: string;
}

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
}

/** The config file (if any) with the flags on top, validated; throws a one-line Error when wrong. */
export function loadAgentConfig(flags: RunFlags, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let raw: Record<string, unknown> = {};
  if (flags.config) {
    let text: string;
    try {
      text = readFileSync(flags.config, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${flags.config}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
      raw = (parse(text) ?? {}) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${flags.config}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${flags.config}: expected a mapping at the top`);
  }
  const printers = Array.isArray(raw.printers) ? [...(raw.printers as Record<string, unknown>[])] : [];
  if (flags.listen || flags.printer) {
    // Flags describe (or override) the first printer.
    const first: Record<string, unknown> = { name: 'printer-1', ...(printers[0] ?? {}) };
    if (flags.listen) first.listen = flags.listen;
    if (flags.printer) first.printer = flags.printer;
    printers[0] = first;
  }
  const server = { ...((raw.server as Record<string, unknown> | undefined) ?? {}) };
  if (flags.server) server.url = flags.server;
  if (flags.token) server.token = flags.token;
  if (flags.store) server.store = flags.store;
  if (flags.terminal) server.terminal = flags.terminal;
  // From the environment, a token stays out of the process list and the config file.
  if (server.url && !server.token && env.TILLTAP_TOKEN) server.token = env.TILLTAP_TOKEN;
  const merged = {
    ...raw,
    ...(flags.data ? { data: flags.data } : {}),
    printers,
    ...(Object.keys(server).length > 0 ? { server } : {}),
  };
  const parsed = agentConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const where = flags.config ?? 'flags';
    if (printers.length === 0) throw new Error(`${where}: no printer: give --listen URI (and --printer URI), or printers: in a config file`);
    throw new Error(`${where}: ${issues(parsed.error)}`);
  }
  const names = new Set<string>();
  for (const p of parsed.data.printers) {
    if (names.has(p.name)) throw new Error(`${where(flags)}: two printers are named "${p.name}"`);
    names.add(p.name);
  }
  const srv = parsed.data.server;
  if (srv && !srv.token) {
    throw new Error(`${where(flags)}: server ${srv.url} needs a device token: --token T, server.token, or TILLTAP_TOKEN in the environment`);
  }
  return parsed.data;
}

const where = (flags: RunFlags): string => flags.config ?? 'flags';

/** The JSON Schema of the config file, for editors (config/agent.schema.json). */
export function agentConfigJsonSchema(): unknown {
  return z.toJSONSchema(agentConfigSchema, { io: 'input' });
}
