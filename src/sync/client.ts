/**
 * The HTTP edge: one got@14 instance per server, POSTs that never throw (every outcome becomes an
 * Exchange for classify.ts). got's own retry is off: the persisted next-attempt time in SQLite
 * decides when to try again, not a timer inside a request that a restart would forget.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { RequestError, TimeoutError } from 'got';
import type { Exchange } from './classify.js';

export interface SyncClientOptions {
  /** The server's base URL; routes are resolved below it (`https://hq.example/tilltap/` works). */
  readonly url: string;
  readonly token: string;
  /** PEM file of the CA that signed the server's certificate (a company CA); else the system's. */
  readonly caFile?: string | undefined;
  /** TCP connect and TLS handshake, each. */
  readonly connectTimeoutMs: number;
  /** The whole request, from the first byte sent to the last byte of the answer. */
  readonly timeoutMs: number;
  readonly userAgent: string;
}

export interface PostOptions {
  readonly body: Buffer;
  readonly gzip: boolean;
  readonly idempotencyKey: string;
  readonly signal?: AbortSignal | undefined;
}

export interface SyncClient {
  /** POST a JSON body (already gzipped when `gzip`) to a route like `api/v1/receipts`. */
  post(route: string, opts: PostOptions): Promise<Exchange>;
  /** Drop the kept-alive sockets. */
  close(): void;
}

export function createSyncClient(o: SyncClientOptions): SyncClient {
  // Read at start: a wrong path is a configuration error the operator sees at once, not a
  // failure in the sync log an hour later.
  const ca = o.caFile ? readFileSync(o.caFile) : undefined;
  // Keep-alive: a backlog drains as a run of batches over one connection (and one TLS handshake).
  const agent = { http: new HttpAgent({ keepAlive: true, maxSockets: 1 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 1 }) };
  const http = got.extend({
    prefixUrl: o.url,
    headers: { authorization: `Bearer ${o.token}`, 'user-agent': o.userAgent, accept: 'application/json' },
    timeout: { connect: o.connectTimeoutMs, secureConnect: o.connectTimeoutMs, request: o.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    // A redirected POST would carry the device token wherever the redirect points.
    followRedirect: false,
    agent,
    ...(ca ? { https: { certificateAuthority: ca } } : {}),
  });
  return {
    async post(route, p): Promise<Exchange> {
      try {
        const res = await http.post(route, {
          body: p.body,
          headers: {
            'content-type': 'application/json',
            'idempotency-key': p.idempotencyKey,
            ...(p.gzip ? { 'content-encoding': 'gzip' } : {}),
          },
          ...(p.signal ? { signal: p.signal } : {}),
        });
        return { kind: 'answer', status: res.statusCode, body: res.body, retryAfter: res.headers['retry-after'] };
      } catch (err) {
        if (err instanceof TimeoutError) return { kind: 'failed', timeout: true, message: `${err.code}: ${err.message}` };
        if (err instanceof RequestError) return { kind: 'failed', timeout: false, message: `${err.code}: ${err.message}` };
        return { kind: 'failed', timeout: false, message: err instanceof Error ? err.message : String(err) };
      }
    },
    close(): void {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}
