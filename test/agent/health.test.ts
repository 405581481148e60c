/**
 * The capture agent with printer health on: receipts are committed with their print verdict
 * (`failed` with the reason while the printer reported a fault, `suspect` when it did not answer,
 * `ok` otherwise), health events are stored, and the POS's bytes reach the printer unchanged.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDriver } from '../../drivers/index.js';
import { type PrinterState, type Simulator, startSimulator } from '../../drivers/simulator/index.js';
import type { TcpProxyDriver } from '../../drivers/tcp-proxy.js';
import { Agent, type AgentLog } from '../../src/agent/agent.js';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { Store } from '../../src/store/index.js';
import { printJob, waitFor, withoutPolls } from '../health/helpers.js';

const quiet: AgentLog = { info() {}, warn() {}, error() {} };
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const receipt = (no: number): Buffer =>
  Buffer.from(new EscPosBuilder().init().line('CORNER SHOP').line(`RECEIPT NO: ${String(no).padStart(4, '0')}`).line(`TOTAL        ${no}.00`).cut().build());

async function rig(): Promise<{ sim: Simulator; agent: Agent; port: number; dir: string }> {
  const sim = await startSimulator({ tcp: { port: 0 } });
  cleanup.push(() => sim.stop());
  const dir = mkdtempSync(join(tmpdir(), 'tilltap-agent-health-'));
  const driver = createDriver({ name: 'front', listen: 'tcp://127.0.0.1:0', printer: `tcp://127.0.0.1:${sim.tcpPort}` });
  const agent = new Agent({ dataDir: dir, printers: [{ name: 'front', driver, decode: {}, idleMs: 3000 }], log: quiet, health: { policy: { quietMs: 20, intervalMs: 60_000 }, pollTimeoutMs: 300 } });
  await agent.start();
  cleanup.push(() => agent.stop());
  return { sim, agent, port: (driver as TcpProxyDriver).port, dir };
}

function listed(dir: string): Array<{ no: number; status: string; reason: string | null }> {
  const store = Store.open(dir);
  try {
    return store.listReceipts().map((r) => ({ no: Number(r.receipt.fields.receipt_no), status: r.printStatus, reason: r.printReason }));
  } finally {
    store.close();
  }
}

describe('the capture agent with printer health', () => {
  it('commits each receipt with its print verdict, stores the health events, relays exactly', async () => {
    const { sim, agent, port, dir } = await rig();
    await waitFor(() => agent.monitor('front')?.snapshot().paper?.state === 'ok', 5000, 'the first probe');
    const plan: Array<[PrinterState, 'ok' | 'failed' | 'suspect', RegExp | null]> = [
      ['healthy', 'ok', null],
      ['paper_out', 'failed', /^paper end reported \d\d:\d\d:\d\d$/],
      ['healthy', 'ok', null],
      ['cover_open', 'failed', /^cover open reported/],
      ['healthy', 'ok', null],
      ['silent', 'suspect', /^printer not answering status polls since/],
      ['healthy', 'ok', null],
    ];
    const sent: Buffer[] = [];
    const cleanups: Array<() => void> = [];
    for (const [i, [state]] of plan.entries()) {
      sim.setState(state);
      const bytes = receipt(i + 1);
      sent.push(bytes);
      await printJob(cleanups, port, bytes);
      await waitFor(() => agent.status.receipts === i + 1, 10_000, `receipt ${i + 1} committed`);
    }
    for (const c of cleanups) c();
    const got = listed(dir);
    expect(got.map((r) => r.no)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const [i, [, status, reason]] of plan.entries()) {
      expect(got[i]!.status, `receipt ${i + 1}`).toBe(status);
      if (reason) expect(got[i]!.reason).toMatch(reason);
      else expect(got[i]!.reason).toBeNull();
    }
    // The printer got exactly what the POS sent (the agent's polls only between jobs' commands).
    expect(withoutPolls(sim.received()).equals(Buffer.concat(sent))).toBe(true);
    await agent.stop();
    const store = Store.open(dir);
    try {
      const paper = store.listHealthEvents({ printer: 'front' }).filter((e) => e.kind === 'paper').map((e) => e.state);
      expect(paper).toEqual(['ok', 'out', 'ok']);
      const online = store.listHealthEvents({ printer: 'front' }).filter((e) => e.kind === 'online').map((e) => e.state);
      expect(online).toEqual(['online', 'offline', 'online', 'offline', 'online', 'no_response', 'online']);
      // The flag travels with the receipt (contract: receipts list --json print_status).
      expect(store.listReceipts()[1]!.printStatus).toBe('failed');
    } finally {
      store.close();
    }
  });

  it('after a restart, changes are told against the stored state', async () => {
    const a = await rig();
    await waitFor(() => a.agent.monitor('front')?.snapshot().paper?.state === 'ok', 5000, 'the first probe');
    await a.agent.stop();
    a.sim.setState('paper_near_end');
    const driver = createDriver({ name: 'front', listen: 'tcp://127.0.0.1:0', printer: `tcp://127.0.0.1:${a.sim.tcpPort}` });
    const again = new Agent({ dataDir: a.dir, printers: [{ name: 'front', driver, decode: {}, idleMs: 3000 }], log: quiet, health: { policy: { quietMs: 20, intervalMs: 60_000 }, pollTimeoutMs: 300 } });
    await again.start();
    cleanup.push(() => again.stop());
    await waitFor(() => again.monitor('front')?.snapshot().paper?.state === 'near_end', 5000, 'the probe after restart');
    await again.stop();
    const store = Store.open(a.dir);
    try {
      const paper = store.listHealthEvents({ printer: 'front' }).filter((e) => e.kind === 'paper');
      expect(paper.map((e) => [e.previous, e.state])).toEqual([
        [null, 'ok'],
        ['ok', 'near_end'],
      ]);
      expect(paper[1]!.durationMs).toBeGreaterThanOrEqual(0);
      // Conditions that did not change made no new event.
      expect(store.listHealthEvents({ printer: 'front' }).filter((e) => e.kind === 'cover')).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});
