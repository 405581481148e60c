import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/server/app.js';
import { describeBackends } from './backends.js';
import { decodedReceipts, device, deviceToken, item, makeApp, receiptsBody } from './helpers.js';

// inject() does not stream a body the way a socket does: the gzip path and the refusals of a
// half-read body are checked on a real socket too.
describeBackends('the app on a real socket (127.0.0.1)', (backend) => {
  it('gzip bodies inflate; a gzip bomb is 413; a 401 with an unread body does not break the next request', async () => {
    const { app, storage } = await makeApp({ backend });
    const t = await deviceToken(storage);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const send = (body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/v1/receipts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.secret}`, 'content-type': 'application/json', 'content-encoding': 'gzip', ...headers },
        body,
      });
    const items = decodedReceipts(20).map((r, i) => item(r, { seq: i }));
    const ok = await send(gzipSync(JSON.stringify(receiptsBody(items))));
    expect(ok.status).toBe(200);
    expect((await ok.json()).accepted).toHaveLength(20);

    const bomb = gzipSync(JSON.stringify({ device: device(), receipts: [], pad: ' '.repeat(DEFAULT_LIMITS.bodyBytes * 2) }));
    const big = await send(bomb);
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('PAYLOAD_TOO_LARGE');

    const unauth = await send(Buffer.alloc(2 * 1024 * 1024, 0x20), { authorization: 'Bearer nope', 'content-encoding': 'identity' });
    expect(unauth.status).toBe(401);
    await unauth.arrayBuffer();
    const after = await fetch(`${base}/healthz`);
    expect(after.status).toBe(200);
    expect((await storage.receipts.list()).length).toBe(20);
  });
});
