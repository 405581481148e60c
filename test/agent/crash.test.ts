import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../drivers/simulator/index.js';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { freePort } from '../../scripts/lib/net.js';

// The agent as a shop runs it: the built CLI (`npm test` builds first), real sockets, real SQLite.
const BIN = resolve(import.meta.dirname, '../../dist/src/cli/main.js');


function startAgent(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((res, rej) => {
    let log = '';
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('agent running')) res(child);
    });
    child.on('exit', (code) => rej(new Error(`agent exited (${code}): ${log}`)));
  });
}

const receipt = (no: number): Buffer =>
  Buffer.from(
    new EscPosBuilder().init().line('CORNER SHOP').line(`RECEIPT NO: ${String(no).padStart(4, '0')}`).line('CASHIER: Ann').line('Bread        1     3.40').line(`TOTAL        ${no}.00`).cut().build(),
  );

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Receipts the printer has cut (each receipt ends with `GS V B`). */
const cutsPrinted = (sim: Simulator): number => sim.received().toString('latin1').split('\x1dVB').length - 1;

/** A printer simulator and the built agent in front of it, on a fresh data directory. */
async function rig(): Promise<{ sim: Simulator; data: string; port: number; args: string[]; agent: ChildProcess }> {
  const sim = await startSimulator({ tcp: { port: 0 } });
  const data = mkdtempSync(join(tmpdir(), 'tilltap-crash-'));
  const port = await freePort();
  const args = ['--listen', `tcp://127.0.0.1:${port}`, '--printer', `tcp://127.0.0.1:${sim.tcpPort}`, '--data', data];
  const agent = await startAgent(args);
  children.push(agent);
  return { sim, data, port, args, agent };
}

/** Start the agent again (it finishes what it had), list the receipts it holds, stop everything. */
async function receiptNumbersAfterRestart(sim: Simulator, args: string[], data: string): Promise<number[]> {
  const again = await startAgent(args);
  children.push(again);
  const list = spawnSync(process.execPath, [BIN, 'receipts', 'list', '--json', '--data', data], { encoding: 'utf8' });
  again.kill('SIGTERM');
  await new Promise((r) => again.once('exit', r));
  await sim.stop();
  expect(list.status).toBe(0);
  return (JSON.parse(list.stdout) as Array<{ fields: { receipt_no?: string } }>).map((r) => Number(r.fields.receipt_no));
}

describe('tilltap run: SIGKILL in the middle of a run', () => {
  it('loses no receipt the printer got and doubles none', async () => {
    const { sim, data, port, args, agent } = await rig();

    // The POS prints receipts one after another; the agent is killed while it is printing.
    const pos = connect({ host: '127.0.0.1', port });
    pos.on('error', () => {});
    await new Promise((r) => pos.once('connect', r));
    let sent = 0;
    await new Promise<void>((done) => {
      // Killed once the printer has printed a dozen receipts, while the POS keeps sending.
      let killed = false;
      const tick = setInterval(() => {
        if (!killed && cutsPrinted(sim) >= 12) {
          killed = true;
          agent.kill('SIGKILL');
          setTimeout(() => {
            clearInterval(tick);
            done();
          }, 200);
        }
        if (sent < 400) pos.write(receipt(++sent));
      }, 5);
    });
    pos.destroy();

    // What reached the printer: every receipt whose cut arrived is one that printed.
    const printed = cutsPrinted(sim);
    expect(printed).toBeGreaterThan(10);
    expect(printed).toBeLessThan(sent);

    const numbers = await receiptNumbersAfterRestart(sim, args, data);
    // None doubled, in order, and none that printed is missing (the one in flight at the kill —
    // written to the printer, not yet journaled — is the only one allowed to be absent).
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.length).toBeGreaterThanOrEqual(printed - 1);
    expect(numbers.slice(0, printed - 1)).toEqual(Array.from({ length: printed - 1 }, (_, i) => i + 1));
  });

  it('keeps what printed while the journal could not write: after a SIGKILL the spool has it', async () => {
    const { sim, data, port, args, agent } = await rig();
    // Another program (a backup, an antivirus) holds the database's write lock: the agent's worker
    // cannot journal anything; printing must not wait for it, and what printed must not be lost.
    const lock = new Database(join(data, 'tilltap.db'));
    lock.exec('BEGIN EXCLUSIVE');
    const pos = connect({ host: '127.0.0.1', port });
    await new Promise((r) => pos.once('connect', r));
    for (let n = 1; n <= 5; n++) pos.write(receipt(n));
    const t0 = Date.now();
    while (cutsPrinted(sim) < 5) {
      if (Date.now() - t0 > 4000) throw new Error(`the printer got ${cutsPrinted(sim)} of 5 receipts while the journal was locked`);
      await new Promise((r) => setTimeout(r, 10));
    }
    // Killed before the worker's busy timeout (5 s) has even run out: nothing of it is journaled.
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    pos.destroy();
    expect(lock.prepare('SELECT count(*) AS n FROM receipts').get()).toEqual({ n: 0 });
    lock.exec('ROLLBACK');
    lock.close();

    const numbers = await receiptNumbersAfterRestart(sim, args, data);
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
  });
});
