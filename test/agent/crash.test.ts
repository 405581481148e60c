import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../drivers/simulator/index.js';
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

describe('tilltap run: SIGKILL in the middle of a run', () => {
  it('loses no receipt the printer got and doubles none', async () => {
    const sim = await startSimulator({ tcp: { port: 0 } });
    const data = mkdtempSync(join(tmpdir(), 'tilltap-crash-'));
    const port = await freePort();
    const args = ['--listen', `tcp://127.0.0.1:${port}`, '--printer', `tcp://127.0.0.1:${sim.tcpPort}`, '--data', data];
    const agent = await startAgent(args);
    children.push(agent);

    // The POS prints receipts one after another; the agent is killed while it is printing.
    const pos = connect({ host: '127.0.0.1', port });
    pos.on('error', () => {});
    await new Promise((r) => pos.once('connect', r));
    let sent = 0;
    await new Promise<void>((done) => {
      // Killed once the printer has printed a dozen receipts, while the POS keeps sending.
      let killed = false;
      const tick = setInterval(() => {
        if (!killed && sim.received().toString('latin1').split('\x1dVB').length - 1 >= 12) {
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
    const printed = sim.received().toString('latin1').split('\x1dVB').length - 1;
    expect(printed).toBeGreaterThan(10);
    expect(printed).toBeLessThan(sent);

    const again = await startAgent(args);
    children.push(again);
    const list = spawnSync(process.execPath, [BIN, 'receipts', 'list', '--json', '--data', data], { encoding: 'utf8' });
    again.kill('SIGTERM');
    await new Promise((r) => again.once('exit', r));
    await sim.stop();
    expect(list.status).toBe(0);
    const numbers = (JSON.parse(list.stdout) as Array<{ fields: { receipt_no?: string } }>).map((r) => Number(r.fields.receipt_no));
    // None doubled, in order, and none that printed is missing (the one in flight at the kill —
    // written to the printer, not yet journaled — is the only one allowed to be absent).
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.length).toBeGreaterThanOrEqual(printed - 1);
    expect(numbers.slice(0, printed - 1)).toEqual(Array.from({ length: printed - 1 }, (_, i) => i + 1));
  });
});
