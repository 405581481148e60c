/**
 * The sync tests' server: a real HTTP server on 127.0.0.1 speaking docs/sync-protocol.md, with
 * faults on demand. It lives in scripts/lib/ (compiled) so that the sync benchmark can use it too.
 */
export { SyncTestServer, startSyncTestServer, type Fault, type HeldReceipt, type RequestRecord } from '../../scripts/lib/sync-server.js';
