/**
 * What the health monitor on the relay costs the POS, measured side by side in one run on
 * 127.0.0.1: two TCP proxies in this process in front of one printer simulator, one with a health
 * monitor on its line (reply routing, host-stream tokenizing, poll scheduling) and one without;
 * per-job latency p50/p99 (a receipt ending in `DLE EOT 1`, waiting for the reply) and throughput of
 * a large stream, measured alternately so machine noise hits both.
 * Run: npm run build && node dist/scripts/bench/health.js [--jobs N]
 */
import { TcpEndpoint } from '../../drivers/endpoint.js';
import { startSimulator } from '../../drivers/simulator/index.js';
import { TcpProxyDriver } from '../../drivers/tcp-proxy.js';
import { parseDeviceUriOf } from '../../drivers/uri.js';
import { HealthMonitor } from '../../src/health/monitor.js';
import { jobLatencies, JOB, pct, streamThroughput } from '../lib/print-jobs.js';

async function main(): Promise<void> {
  const jobs = Number(process.argv.includes('--jobs') ? process.argv[process.argv.indexOf('--jobs') + 1] : 2000);
  const sim = await startSimulator({ tcp: { port: 0 } });
  const printer = (): TcpEndpoint => new TcpEndpoint(parseDeviceUriOf(`tcp://127.0.0.1:${sim.tcpPort}`, 'tcp'));
  const plain = new TcpProxyDriver({ listen: 'tcp://127.0.0.1:0', printer: printer(), name: 'plain' });
  const watched = new TcpProxyDriver({ listen: 'tcp://127.0.0.1:0', printer: printer(), name: 'watched' });
  const monitor = new HealthMonitor({ printer: 'watched' });
  monitor.watch(watched);
  await plain.start();
  await watched.start();
  await new Promise((r) => setTimeout(r, 300)); // the monitor's first probe

  await jobLatencies(plain.port, 200);
  await jobLatencies(watched.port, 200);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 4; round++) {
    a.push(...(await jobLatencies(plain.port, jobs / 4)));
    b.push(...(await jobLatencies(watched.port, jobs / 4)));
  }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  const mb = 32 * 1048576;
  const received = (): number => sim.receivedBytes;
  const ta: number[] = [];
  const tb: number[] = [];
  for (let round = 0; round < 3; round++) {
    // Alternate which goes first.
    if (round % 2 === 0) {
      ta.push(await streamThroughput(plain.port, mb, received));
      tb.push(await streamThroughput(watched.port, mb, received));
    } else {
      tb.push(await streamThroughput(watched.port, mb, received));
      ta.push(await streamThroughput(plain.port, mb, received));
    }
  }
  const polls = monitor.counters.polls;
  monitor.stop();
  await plain.stop();
  await watched.stop();
  await sim.stop();

  const f = (n: number): string => n.toFixed(3).padStart(8);
  const best = (xs: number[]): number => Math.max(...xs);
  console.log(`tilltap health-on-the-line benchmark — Node ${process.version}, ${jobs} jobs of ${JOB.length} B, 127.0.0.1`);
  console.log('\nlatency per job (ms)        p50       p99');
  console.log(`proxy without monitor   ${f(pct(a, 50))}  ${f(pct(a, 99))}`);
  console.log(`proxy with monitor      ${f(pct(b, 50))}  ${f(pct(b, 99))}`);
  console.log(`added by the monitor    ${f(pct(b, 50) - pct(a, 50))}  ${f(pct(b, 99) - pct(a, 99))}`);
  console.log(`\nthroughput (32 MB, best of 3)  without ${best(ta).toFixed(1)} MB/s, with ${best(tb).toFixed(1)} MB/s, ratio ${(best(tb) / best(ta)).toFixed(3)}`);
  console.log(`agent polls sent during the run: ${polls}`);
}

await main();
