/**
 * The agent part of `tilltap demo`: a simulated POS prints the sample captures through the capture
 * agent (TCP proxy) to the printer simulator, and the receipts the agent stored are read back.
 */
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDriver } from '../../drivers/index.js';
import { startSimulator } from '../../drivers/simulator/index.js';
import type { TcpProxyDriver } from '../../drivers/tcp-proxy.js';
import { Agent } from '../agent/agent.js';
import { Store } from '../store/index.js';
import type { StoredReceipt } from '../store/types.js';
import type { Sample } from './demo-samples.js';

export interface AgentDemoResult {
  readonly dataDir: string;
  readonly sentBytes: number;
  readonly printerBytes: number;
  readonly byteExact: boolean;
  readonly statusReplies: number;
  readonly receipts: StoredReceipt[];
}

const silent = { info() {}, warn() {}, error() {} };

function print(port: number, bytes: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    let replies = 0;
    const s = connect({ host: '127.0.0.1', port }, () => s.end(bytes));
    s.on('data', (d: Buffer) => (replies += d.length));
    s.on('close', () => resolve(replies));
    s.on('error', reject);
  });
}

export async function runAgentDemo(samples: readonly Sample[], dataDir?: string): Promise<AgentDemoResult> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'tilltap-demo-'));
  const sim = await startSimulator({ tcp: { port: 0 } });
  const store = Store.open(dir);
  const driver = createDriver({ name: 'counter-1', listen: 'tcp://127.0.0.1:0', printer: `tcp://127.0.0.1:${sim.tcpPort}` });
  const agent = new Agent({ dataDir: dir, printers: [{ name: 'counter-1', driver, decode: {}, idleMs: 1000 }], log: silent });
  try {
    await agent.start();
    const port = (driver as TcpProxyDriver).port;
    const before = store.stats().receipts;
    let statusReplies = 0;
    for (const s of samples) statusReplies += await print(port, s.bytes);
    const sent = Buffer.concat(samples.map((s) => s.bytes));
    const expected = before + 2;
    for (let waited = 0; store.stats().receipts < expected && waited < 5000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const received = sim.received();
    return {
      dataDir: dir,
      sentBytes: sent.length,
      printerBytes: received.length,
      byteExact: received.equals(sent),
      statusReplies,
      receipts: store.listReceipts().slice(before),
    };
  } finally {
    await agent.stop();
    store.close();
    await sim.stop();
  }
}
