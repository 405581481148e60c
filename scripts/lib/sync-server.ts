/**
 * A small, real HTTP server speaking docs/sync-protocol.md (the server side of the agent's sync),
 * with faults on demand, and counts per id: for the sync worker tests (test/helpers/sync-server.ts)
 * and the sync benchmark's fault-free comparison. The end-to-end tests run against the real server
 * (src/server/) behind test/helpers/fault-proxy.ts. It keeps what a real server must: ids unique forever,
 * revisions from the same device as corrections, conflicts otherwise, Idempotency-Key answers
 * replayed for the same body and refused for another; and it counts, per id, how often a row
 * arrived and how often it was stored — the numbers exactly-once is checked with.
 *
 * Only ever listens on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { canonicalJson, sha256Hex } from '../../src/store/canonical.js';

/** What the server does with one request instead of (or after) handling it normally. */
export type Fault =
  /** Answer this status and error code without looking at the body. */
  | { readonly kind: 'status'; readonly status: number; readonly code?: string; readonly headers?: Readonly<Record<string, string>> }
  /** Drop the connection once the body is read, before storing anything. */
  | { readonly kind: 'reset-before' }
  /** Store the rows, then drop the connection without answering (the answer is lost). */
  | { readonly kind: 'reset-after' }
  /** Never answer, store nothing (a server stuck before it reads the body). */
  | { readonly kind: 'hang' }
  /** Store the rows, then never answer. */
  | { readonly kind: 'hang-after' }
  /** Store the rows, call `onStored`, answer only when `release` settles. */
  | { readonly kind: 'hold-after'; readonly onStored: () => void; readonly release: Promise<unknown> };

export interface HeldReceipt {
  readonly id: string;
  readonly device: string;
  readonly token: string;
  sha256: string;
  revision: number;
  receipt: unknown;
  readonly history: Array<{ revision: number; sha256: string }>;
}

export interface RequestRecord {
  readonly route: string;
  readonly key: string | null;
  readonly gzip: boolean;
  readonly rows: number;
  readonly status: number | 'reset' | 'hang';
  readonly device: { id?: string; terminal?: string | null; clock?: string; clock_ms?: number; version?: string } | null;
  readonly replayed: boolean;
}

export interface SyncTestServerOptions {
  /** token → store id. */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Listen on this port (0: any free one). */
  readonly port?: number;
  /** Added to the server's clock in `server_time`. */
  readonly clockSkewMs?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
}

const MAX_BODY = 8 * 1024 * 1024;

/**
 * What an Idempotency-Key is checked against (docs/sync-protocol.md): the body without the device
 * block's clock, clock_ms, version and terminal (a retry carries a new clock), and per receipt
 * everything but the receipt itself, which its sha256 stands for.
 */
function idempotencyHash(body: Record<string, unknown>, receipts: boolean): string {
  const device = (body.device ?? {}) as Record<string, unknown>;
  const rows = (receipts ? body.receipts : body.events) as Array<Record<string, unknown>> | undefined;
  const items = Array.isArray(rows) ? rows.map((r) => (receipts ? { ...r, receipt: undefined } : r)) : rows;
  return createHash('sha256').update(canonicalJson({ device: device.id, items })).digest('hex');
}
const MAX_ROWS = 1000;

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

function errorBody(code: string, message: string, extra: object = {}): unknown {
  return { error: { code, message }, ...extra };
}

export class SyncTestServer {
  /** Faults for the next requests, in order (one each), whatever the route. */
  readonly faults: Fault[] = [];
  readonly receipts = new Map<string, HeldReceipt>();
  readonly events = new Map<string, unknown>();
  /** Per id: how many times it came in a request body (retries and duplicates included). */
  readonly deliveries = new Map<string, number>();
  /** Per id: how many times it was stored as new. Exactly-once means 1 for every id. */
  readonly stored = new Map<string, number>();
  readonly requests: RequestRecord[] = [];
  /** Per device id: server receive time − clock_ms (last value). */
  readonly offsets = new Map<string, number>();
  private readonly idempotency = new Map<string, { hash: string; answer: Answer }>();
  private readonly tokens: Map<string, string>;
  private server: Server | null = null;
  private port = 0;
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly opts: SyncTestServerOptions = {}) {
    this.tokens = new Map(Object.entries(opts.tokens ?? { 'test-token': 'S001' }));
  }

  get url(): string {
    return `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/`;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  async start(port = this.opts.port ?? this.port): Promise<this> {
    if (this.server) return this;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.send(res, { status: 500, body: errorBody('INTERNAL', String(err)) });
      });
    };
    const server: Server = this.opts.tls ? createTlsServer({ key: this.opts.tls.key, cert: this.opts.tls.cert }, handler) : createServer(handler);
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stop listening and drop every connection (the server is "down"); state is kept. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    for (const r of this.hanging) r.destroy();
    this.hanging.clear();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Hold a receipt as if another device (or an earlier content) had sent it. */
  seed(id: string, receipt: unknown, device = 'another-device', revision = 0): void {
    const sha256 = sha256Hex(canonicalJson(receipt));
    this.receipts.set(id, { id, device, token: 'seed', sha256, revision, receipt, history: [] });
  }

  /** Ids delivered more than once (retries the server recognised). */
  redelivered(): string[] {
    return [...this.deliveries].filter(([, n]) => n > 1).map(([id]) => id);
  }

  /** Ids stored more than once: must always be empty. */
  doubled(): string[] {
    return [...this.stored].filter(([, n]) => n > 1).map(([id]) => id);
  }

  private send(res: ServerResponse, a: Answer, headers: Readonly<Record<string, string>> = {}): void {
    const text = JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private async readBody(req: IncomingMessage): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const chunk of req) {
      n += (chunk as Buffer).length;
      if (n > MAX_BODY) return null;
      parts.push(chunk as Buffer);
    }
    return Buffer.concat(parts);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && route === '/healthz') return this.send(res, { status: 200, body: { ok: true } });
    const isReceipts = route === '/api/v1/receipts';
    const isEvents = route === '/api/v1/health-events';
    if (req.method !== 'POST' || (!isReceipts && !isEvents)) return this.send(res, { status: 404, body: errorBody('NOT_FOUND', `no route ${req.method} ${route}`) });

    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const gz = req.headers['content-encoding'] === 'gzip';
    const record = (status: RequestRecord['status'], rows: number, device: RequestRecord['device'], replayed = false): void => {
      this.requests.push({ route, key, gzip: gz, rows, status, device, replayed });
    };

    const fault = this.faults.shift();
    if (fault?.kind === 'hang') {
      this.hanging.add(res);
      record('hang', 0, null);
      return;
    }
    let raw = await this.readBody(req);
    if (fault?.kind === 'status') {
      record(fault.status, 0, null);
      return this.send(res, { status: fault.status, body: errorBody(fault.code ?? 'INJECTED', `injected ${fault.status}`) }, fault.headers);
    }
    if (fault?.kind === 'reset-before') {
      record('reset', 0, null);
      req.socket.destroy();
      return;
    }

    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const token = auth?.[1];
    if (!token || !this.tokens.has(token)) {
      record(401, 0, null);
      return this.send(res, { status: 401, body: errorBody('UNAUTHORIZED', 'no, unknown or revoked device token') });
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      record(415, 0, null);
      return this.send(res, { status: 415, body: errorBody('UNSUPPORTED_MEDIA_TYPE', 'application/json only') });
    }
    if (raw && gz) {
      try {
        raw = gunzipSync(raw, { maxOutputLength: MAX_BODY });
      } catch {
        raw = null;
      }
    }
    if (!raw) {
      record(413, 0, null);
      return this.send(res, { status: 413, body: errorBody('PAYLOAD_TOO_LARGE', 'body over 8 MiB') });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      record(400, 0, null);
      return this.send(res, { status: 400, body: errorBody('BAD_JSON', 'body is not JSON') });
    }
    const device = (body.device ?? null) as RequestRecord['device'];
    const rows = (isReceipts ? body.receipts : body.events) as Array<Record<string, unknown>> | undefined;
    for (const r of Array.isArray(rows) ? rows : []) {
      if (typeof r?.id === 'string') this.deliveries.set(r.id, (this.deliveries.get(r.id) ?? 0) + 1);
    }

    if (!key) {
      record(400, 0, device);
      return this.send(res, { status: 400, body: errorBody('SCHEMA_VIOLATION', 'Idempotency-Key header missing') });
    }
    const bodyHash = idempotencyHash(body, isReceipts);
    const seen = this.idempotency.get(`${token}\n${key}`);
    if (seen) {
      if (seen.hash !== bodyHash) {
        record(422, rows?.length ?? 0, device);
        return this.send(res, { status: 422, body: errorBody('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another body') });
      }
      record(seen.answer.status, rows?.length ?? 0, device, true);
      return this.send(res, seen.answer);
    }

    const answer = isReceipts ? this.receive(token, device, rows) : this.receiveEvents(rows);
    if (answer.status < 400 || answer.status === 409) this.idempotency.set(`${token}\n${key}`, { hash: bodyHash, answer });
    if (device && typeof device.clock_ms === 'number' && typeof device.id === 'string') this.offsets.set(device.id, Date.now() - device.clock_ms);

    if (fault?.kind === 'reset-after') {
      record('reset', rows?.length ?? 0, device);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang-after') {
      record('hang', rows?.length ?? 0, device);
      this.hanging.add(res);
      return;
    }
    if (fault?.kind === 'hold-after') {
      fault.onStored();
      await fault.release;
    }
    record(answer.status, rows?.length ?? 0, device);
    this.send(res, answer);
  }

  private serverTime(): string {
    return new Date(Date.now() + (this.opts.clockSkewMs ?? 0)).toISOString();
  }

  private receive(token: string, device: RequestRecord['device'], rows: Array<Record<string, unknown>> | undefined): Answer {
    if (!device || typeof device.id !== 'string' || typeof device.clock_ms !== 'number' || typeof device.clock !== 'string') {
      return { status: 400, body: errorBody('SCHEMA_VIOLATION', 'device block missing or incomplete') };
    }
    if (!Array.isArray(rows)) return { status: 400, body: errorBody('SCHEMA_VIOLATION', 'receipts must be an array') };
    if (rows.length > MAX_ROWS) return { status: 400, body: errorBody('SCHEMA_VIOLATION', `at most ${MAX_ROWS} receipts per batch`) };
    for (const r of rows) {
      if (typeof r.id !== 'string' || typeof r.sha256 !== 'string' || typeof r.revision !== 'number' || typeof r.seq !== 'number' || !r.receipt) {
        return { status: 400, body: errorBody('SCHEMA_VIOLATION', 'a receipt lacks id, seq, revision, sha256 or receipt') };
      }
      if (sha256Hex(canonicalJson(r.receipt)) !== r.sha256) {
        return { status: 400, body: errorBody('SCHEMA_VIOLATION', `receipt ${r.id}: sha256 does not match its content`) };
      }
    }
    const accepted: string[] = [];
    const duplicates: string[] = [];
    const revised: string[] = [];
    const conflicts: string[] = [];
    for (const r of rows) {
      const id = r.id as string;
      const sha256 = r.sha256 as string;
      const revision = r.revision as number;
      const held = this.receipts.get(id);
      if (!held) {
        this.receipts.set(id, { id, device: device.id, token, sha256, revision, receipt: r.receipt, history: [] });
        this.stored.set(id, (this.stored.get(id) ?? 0) + 1);
        accepted.push(id);
      } else if (held.sha256 === sha256 || (held.device === device.id && held.history.some((h) => h.sha256 === sha256))) {
        // The same content, or an earlier revision of it from the same device (a batch retried
        // after the receipt was revised): nothing to do.
        duplicates.push(id);
      } else if (revision > held.revision && held.device === device.id) {
        held.history.push({ revision: held.revision, sha256: held.sha256 });
        held.sha256 = sha256;
        held.revision = revision;
        held.receipt = r.receipt;
        revised.push(id);
      } else {
        conflicts.push(id);
      }
    }
    const lists = { accepted, duplicates, revised, conflicts, server_time: this.serverTime() };
    if (conflicts.length === 0) return { status: 200, body: lists };
    return { status: 409, body: { ...(errorBody('RECEIPT_CONFLICT', `${conflicts.length} receipts conflict with what is held`) as object), ...lists } };
  }

  private receiveEvents(rows: Array<Record<string, unknown>> | undefined): Answer {
    if (!Array.isArray(rows)) return { status: 400, body: errorBody('SCHEMA_VIOLATION', 'events must be an array') };
    const accepted: string[] = [];
    const duplicates: string[] = [];
    for (const e of rows) {
      const id = e.id as string;
      if (this.events.has(id)) duplicates.push(id);
      else {
        this.events.set(id, e);
        this.stored.set(id, (this.stored.get(id) ?? 0) + 1);
        accepted.push(id);
      }
    }
    return { status: 200, body: { accepted, duplicates, server_time: this.serverTime() } };
  }
}

export async function startSyncTestServer(opts: SyncTestServerOptions = {}): Promise<SyncTestServer> {
  return new SyncTestServer(opts).start();
}
