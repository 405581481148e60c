/**
 * `tilltap run` with the printer simulator behind it: the agent's health monitor polls through the
 * proxy, stores the printer's changes, and `tilltap status` shows them; the POS's bytes reach the
 * printer as they were sent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../drivers/simulator/index.js';
import { freePort } from '../../scripts/lib/net.js';
import { BIN, runCli } from '../cli/run-cli.js';
import { receiptBytes, waitFor, withoutPolls } from './helpers.js';
import { printJob } from './helpers.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startAgent(args: string[]): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let log = '';
  return new Promise((res, rej) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('agent running')) res({ child, log: () => log });
    });
    child.on('exit', (code) => rej(new Error(`agent exited (${code}): ${log}`)));
  });
}

describe('tilltap run with printer health', () => {
  it('stores the printer’s changes as health events that status shows', async () => {
    const sim = await startSimulator({ tcp: { port: 0 } });
    const data = mkdtempSync(join(tmpdir(), 'tilltap-run-health-'));
    const port = await freePort();
    const agent = await startAgent(['--listen', `tcp://127.0.0.1:${port}`, '--printer', `tcp://127.0.0.1:${sim.tcpPort}`, '--data', data]);
    await waitFor(() => agent.log().includes('"state":"ok"'), 10_000, 'the first probe logged');
    sim.setState('paper_out');
    const cleanups: Array<() => void> = [];
    const job = receiptBytes('PAPER GONE\n');
    await printJob(cleanups, port, job);
    await waitFor(() => agent.log().includes('"kind":"paper","state":"out"'), 10_000, 'paper out logged');
    agent.child.kill('SIGTERM');
    await new Promise((r) => agent.child.once('exit', r));
    await sim.stop();
    expect(withoutPolls(sim.received()).equals(job)).toBe(true);

    const st = await runCli(['status', '--data', data, '--json']);
    expect(st.code, st.stderr).toBe(0);
    const doc = JSON.parse(st.stdout);
    expect(doc.printers[0]).toMatchObject({ name: 'printer-1', paper: { state: 'out' }, online: { state: 'offline' } });
    const paper = doc.recent_health_events.filter((e: { kind: string }) => e.kind === 'paper');
    expect(paper.map((e: { state: string }) => e.state)).toEqual(['ok', 'out']);
    expect(paper[1].previous).toBe('ok');
    expect(paper[1].duration_ms).toBeGreaterThanOrEqual(0);
  });
});
