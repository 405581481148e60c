/**
 * An HTTP proxy on 127.0.0.1 in front of the real server (src/server/), injecting the same faults
 * as the protocol test server (sync-server.ts): answer a status without forwarding, drop the
 * connection before or after the server stored the batch, never answer, hold the answer back, or
 * be down altogether. What reaches the server is the server's business: it stores, deduplicates
 * and answers as it does in production.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Fault } from './sync-server.js';

export interface ProxyRecord {
  readonly url: string;
  readonly status: number | 'reset' | 'hang';
  readonly replayed: boolean;
}

export class FaultProxy {
  readonly faults: Fault[] = [];
  readonly requests: ProxyRecord[] = [];
  private server: Server | null = null;
  private port = 0;
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly upstream: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(port = this.port): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => req.socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Down: stop listening, drop every connection. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    for (const r of this.hanging) r.destroy();
    this.hanging.clear();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.upstream);
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      delete headers.connection;
      const up = request(target, { method: req.method, headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string' && k !== 'connection' && k !== 'keep-alive') h[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(parts) });
        });
        res.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const fault = req.method === 'POST' ? this.faults.shift() : undefined;
    if (fault?.kind === 'hang') {
      this.hanging.add(res);
      this.requests.push({ url, status: 'hang', replayed: false });
      return;
    }
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const body = Buffer.concat(parts);
    if (fault?.kind === 'status') {
      this.requests.push({ url, status: fault.status, replayed: false });
      const text = JSON.stringify({ error: { code: fault.code ?? 'INJECTED', message: `injected ${fault.status}` } });
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(text);
      return;
    }
    if (fault?.kind === 'reset-before') {
      this.requests.push({ url, status: 'reset', replayed: false });
      req.socket.destroy();
      return;
    }
    const answer = await this.forward(req, body);
    const replayed = answer.headers['idempotent-replayed'] === 'true';
    if (fault?.kind === 'reset-after') {
      this.requests.push({ url, status: 'reset', replayed });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang-after') {
      this.requests.push({ url, status: 'hang', replayed });
      this.hanging.add(res);
      return;
    }
    if (fault?.kind === 'hold-after') {
      fault.onStored();
      await fault.release;
    }
    this.requests.push({ url, status: answer.status, replayed });
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  return new FaultProxy(upstream).start();
}
