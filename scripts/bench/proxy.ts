/**
 * What the agent's pass-through costs the POS, measured side by side in one run on 127.0.0.1:
 *   - latency per print job (POS writes a receipt and waits for the printer's DLE EOT reply to a
 *     poll at its end): direct to the printer simulator vs through `tilltap run`'s TCP proxy;
 *     p50 / p99 and the difference;
 *   - throughput of a large stream (MB/s) direct vs through the proxy, as a ratio;
 *   - the agent's idle RSS and CPU (a `tilltap run` process doing nothing for a few seconds).
 * Targets (issue 4): p99 added latency < 2 ms, throughput ≥ 90% of direct, idle RSS < 80 MB,
 * idle CPU < 1%. Run: npm run build && node dist/scripts/bench/proxy.js
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../../drivers/simulator/index.js';
import { freePort } from '../lib/net.js';
import { jobLatencies, JOB, pct, streamThroughput } from '../lib/print-jobs.js';

const BIN = resolve(import.meta.dirname, '../../src/cli/main.js');


function procStat(pid: number): { rss: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { rss, cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

async function main(): Promise<void> {
  const jobs = Number(process.argv.includes('--jobs') ? process.argv[process.argv.indexOf('--jobs') + 1] : 2000);
  const sim = await startSimulator({ tcp: { port: 0 } });
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'tilltap-bench-'));
  const agent = spawn(process.execPath, [BIN, 'run', '--listen', `tcp://127.0.0.1:${port}`, '--printer', `tcp://127.0.0.1:${sim.tcpPort}`, '--data', data], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((res) => {
    let log = '';
    agent.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('agent running')) res();
    });
  });

  // Idle first: a few seconds of nothing.
  await new Promise((r) => setTimeout(r, 1000));
  const a = procStat(agent.pid!);
  const idleSeconds = 5;
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const b = procStat(agent.pid!);
  const idleCpu = (b.cpuTicks - a.cpuTicks) / 100 / idleSeconds; // clock ticks are 1/100 s on Linux

  // Warm both paths, then measure them alternately so that machine noise hits both.
  await jobLatencies(sim.tcpPort!, 200);
  await jobLatencies(port, 200);
  const direct: number[] = [];
  const proxied: number[] = [];
  for (let round = 0; round < 4; round++) {
    direct.push(...(await jobLatencies(sim.tcpPort!, jobs / 4)));
    proxied.push(...(await jobLatencies(port, jobs / 4)));
  }
  direct.sort((x, y) => x - y);
  proxied.sort((x, y) => x - y);

  const mb = 64 * 1048576;
  // A counter, not sim.received().length: that concatenates everything received so far on each call.
  const received = (): number => sim.receivedBytes;
  const tDirect = await streamThroughput(sim.tcpPort!, mb, received);
  const tProxy = await streamThroughput(port, mb, received);

  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  await sim.stop();

  const f = (n: number): string => n.toFixed(3).padStart(8);
  console.log(`tilltap proxy benchmark — Node ${process.version}, ${jobs} jobs of ${JOB.length} B each way, 127.0.0.1`);
  console.log('\nlatency per job (ms)     p50       p99');
  console.log(`direct to printer    ${f(pct(direct, 50))}  ${f(pct(direct, 99))}`);
  console.log(`through the agent    ${f(pct(proxied, 50))}  ${f(pct(proxied, 99))}`);
  console.log(`added                ${f(pct(proxied, 50) - pct(direct, 50))}  ${f(pct(proxied, 99) - pct(direct, 99))}   (target p99 < 2 ms)`);
  console.log(`\nthroughput (64 MB)   direct ${tDirect.toFixed(1)} MB/s, through the agent ${tProxy.toFixed(1)} MB/s, ratio ${(tProxy / tDirect).toFixed(3)}   (target ≥ 0.9)`);
  console.log(`idle agent           RSS ${(b.rss / 1048576).toFixed(1)} MB (target < 80), CPU ${(idleCpu * 100).toFixed(2)}% over ${idleSeconds} s (target < 1%)`);
}

await main();
