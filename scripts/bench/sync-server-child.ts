/**
 * The sync benchmark's server in a process of its own, so that its work does not count against
 * the agent's event loop: prints `{"url": …}` when listening; on the line `stats` prints
 * `{"stored": n, "doubled": n}`; exits on `exit` or when stdin closes.
 */
import { createInterface } from 'node:readline';
import { startSyncTestServer } from '../lib/sync-server.js';

const token = process.argv[2] ?? 'bench-token';
const server = await startSyncTestServer({ tokens: { [token]: 'S001' } });
console.log(JSON.stringify({ url: server.url }));
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'stats') console.log(JSON.stringify({ stored: server.stored.size, doubled: server.doubled().length }));
  if (line === 'exit') void server.stop().then(() => process.exit(0));
});
lines.on('close', () => void server.stop().then(() => process.exit(0)));
