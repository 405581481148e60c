/**
 * `tilltap run --server …` as a shop runs it: the built CLI in a child process, real sockets, real
 * SQLite, the real head-office server (src/server/) behind a proxy that can hold its answers. The
 * hard case: the agent is SIGKILLed after the server stored a batch and before the agent committed
 * the answer. The next start sends those rows again; the server recognises them; every receipt is
 * held exactly once.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net.js';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { Store } from '../../src/store/index.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startRealServer } from '../helpers/real-server.js';
import { addReceipts, later, tempDir, waitFor } from '../helpers/sync.js';

const BIN = resolve(import.meta.dirname, '../../dist/src/cli/main.js');

interface Agent {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

function startAgent(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Agent> {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  later(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let log = '';
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return new Promise((res, rej) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('agent running')) res({ child, log: () => log, exited });
    });
    child.once('exit', (code) => rej(new Error(`agent exited (${code}): ${log}`)));
  });
}

/** A config file with fast sync settings (the flags give the server, token and listen address). */
function config(dir: string): string {
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, 'sync:\n  interval_ms: 100\n  batch_size: 100\n  retry_min_ms: 100\n  retry_max_ms: 500\n  timeout_ms: 5000\n');
  return file;
}

function unsynced(data: string): number {
  const s = Store.open(data);
  try {
    return s.syncStatus().backlog;
  } finally {
    s.close();
  }
}

describe('tilltap run with a server', () => {
  it('SIGKILL between the POST and marking the rows synced: resent on the next start, held once', async () => {
    const real = await startRealServer();
    const proxy = await startFaultProxy(real.url);
    later(() => proxy.stop());
    const data = tempDir();
    const seed = Store.open(data);
    const ids = addReceipts(seed, 250);
    seed.close();

    let stored!: () => void;
    const storedOnce = new Promise<void>((r) => (stored = r));
    let release!: () => void;
    proxy.faults.push({ kind: 'hold-after', onStored: () => stored(), release: new Promise<void>((r) => (release = r)) });

    const args = ['--config', config(data), '--listen', `tcp://127.0.0.1:${await freePort()}`, '--data', data, '--server', proxy.url, '--terminal', 'T01'];
    // The token from the environment (stays out of the process list).
    const env = { TILLTAP_TOKEN: real.token };
    const first = await startAgent(args, env);
    await storedOnce;
    first.child.kill('SIGKILL');
    await first.exited;
    release();

    // The server holds the first batch; the agent never recorded that.
    expect(await real.ids()).toHaveLength(100);
    expect(unsynced(data)).toBe(250);

    const second = await startAgent(args, env);
    await waitFor(() => unsynced(data) === 0, 'the agent to record every receipt as held');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const held = await real.ids();
    expect(held).toHaveLength(250);
    expect([...held].sort()).toEqual([...ids].sort());
    // The first batch travelled twice: the second time the server answered from its
    // Idempotency-Key record (the same rows; only the device clock differed).
    expect(proxy.requests.filter((r) => r.replayed)).toHaveLength(1);
    expect(proxy.requests.some((r) => r.status === 422)).toBe(false);
    const check = Store.open(data);
    try {
      expect(check.listReceipts({ synced: false })).toEqual([]);
      expect(check.syncStatus()).toMatchObject({ backlog: 0, parked: 0 });
    } finally {
      check.close();
    }
    expect(second.log()).toMatch(/sync running/);
  });

  it('a receipt printed while the sync thread sleeps wakes it: sent at once, not at the next poll', async () => {
    const real = await startRealServer();
    const data = tempDir();
    const file = join(data, 'agent.yaml');
    // An hour between polls: only the agent's nudge can send the receipt within the test.
    writeFileSync(file, 'sync:\n  interval_ms: 3600000\n  idle_exit_ms: 300\n  timeout_ms: 5000\n');
    const port = await freePort();
    const agent = await startAgent(['--config', file, '--listen', `tcp://127.0.0.1:${port}`, '--data', data, '--server', real.url, '--token', real.token]);
    // Long enough for the thread to have found nothing to send and ended.
    await new Promise((r) => setTimeout(r, 1000));
    const job = Buffer.concat([new EscPosBuilder().init().line('CORNER SHOP').line('TOTAL 3.40').cut().build()]);
    await new Promise<void>((res, rej) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.end(job));
      s.on('close', () => res());
      s.on('error', rej);
    });
    await waitFor(() => unsynced(data) === 0 && agent.log().includes('batch sent'), 'the receipt to be sent', 10_000);
    expect(await real.ids()).toHaveLength(1);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.log()).not.toMatch(/thread ended|crashed/);
  });

  it('refuses a server without a token, and an unreadable CA file, as bad usage (exit 2)', async () => {
    const data = tempDir();
    const port = await freePort();
    const env = { ...process.env, TILLTAP_TOKEN: '' };
    const noToken = spawnSync(process.execPath, [BIN, 'run', '--listen', `tcp://127.0.0.1:${port}`, '--data', data, '--server', 'http://127.0.0.1:9/'], { encoding: 'utf8', env });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toMatch(/needs a device token/);
    expect(noToken.stderr.trim().split('\n')).toHaveLength(1);

    const cfg = join(data, 'ca.yaml');
    writeFileSync(cfg, `sync:\n  ca_file: ${join(data, 'no-such-ca.pem')}\n`);
    const badCa = spawnSync(
      process.execPath,
      [BIN, 'run', '--config', cfg, '--listen', `tcp://127.0.0.1:${port}`, '--data', data, '--server', 'https://127.0.0.1:9/', '--token', 't'],
      { encoding: 'utf8', env, timeout: 20_000 },
    );
    expect(badCa.status).toBe(2);
    expect(badCa.stderr).toMatch(/tilltap: sync: .*no-such-ca\.pem/);
  });
});
