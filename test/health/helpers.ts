/** Rigs for the health tests: simulator → TCP proxy (or serial pass-through) → monitor, a POS. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpEndpoint } from '../../drivers/endpoint.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../drivers/simulator/index.js';
import { TcpProxyDriver } from '../../drivers/tcp-proxy.js';
import { parseDeviceUriOf } from '../../drivers/uri.js';
import { POLL_BYTES } from '../../src/health/requests.js';
import { watchPrinter, type WatchedPrinter, type WatchOptions } from '../../src/health/watch.js';
import type { HealthChange } from '../../src/health/types.js';
import { Store } from '../../src/store/index.js';
import { PosClient, Recorder, waitFor } from '../drivers/helpers.js';

export { PosClient, Recorder, waitFor };

export type Cleanup = () => Promise<void> | void;

export function tempDir(cleanups: Cleanup[]): string {
  const d = mkdtempSync(join(tmpdir(), 'tilltap-health-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export interface TcpRig {
  sim: Simulator;
  driver: TcpProxyDriver;
  rec: Recorder;
  store: Store;
  watched: WatchedPrinter;
  changes: HealthChange[];
}

/** Fast timings for tests: polls right after a job, a long interval (so tests decide when to probe). */
export const FAST: WatchOptions = { policy: { quietMs: 20, intervalMs: 60_000 }, pollTimeoutMs: 300, busyAfterMs: 50 };

export async function tcpRig(cleanups: Cleanup[], simOpts: SimulatorOptions = {}, watch: WatchOptions = FAST): Promise<TcpRig> {
  const sim = await startSimulator({ tcp: { port: 0 }, ...simOpts });
  cleanups.push(() => sim.stop());
  const driver = new TcpProxyDriver({
    listen: 'tcp://127.0.0.1:0',
    printer: new TcpEndpoint(parseDeviceUriOf(`tcp://127.0.0.1:${sim.tcpPort}`, 'tcp'), { connectTimeoutMs: 2000 }),
    name: 'front',
    backoff: { initialMs: 20, maxMs: 200 },
  });
  const rec = new Recorder(driver);
  await driver.start();
  cleanups.push(() => driver.stop());
  const store = Store.open(tempDir(cleanups));
  cleanups.push(() => store.close());
  const changes: HealthChange[] = [];
  const watched = watchPrinter(store, 'front', driver, watch);
  watched.monitor.onChange((c) => changes.push(c));
  cleanups.push(() => watched.stop());
  return { sim, driver, rec, store, watched, changes };
}

/** A POS print job on its own connection: connect, send, half-close, wait until closed. */
export async function printJob(cleanups: Cleanup[], port: number, bytes: Buffer): Promise<{ pos: PosClient; start: number; end: number }> {
  const pos = await PosClient.connect(port);
  cleanups.push(() => void pos.socket.destroy());
  const start = Date.now();
  await pos.send([bytes]);
  const end = Date.now();
  pos.end();
  await waitFor(() => pos.closed, 10_000, 'the job connection to close');
  return { pos, start, end };
}

/** `bytes` with every agent poll (the 12-byte DLE EOT 1–4 run) taken out. */
export function withoutPolls(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const i = bytes.indexOf(POLL_BYTES, at);
    if (i < 0) break;
    parts.push(bytes.subarray(at, i));
    at = i + POLL_BYTES.length;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

export function countPolls(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(POLL_BYTES); i >= 0; i = bytes.indexOf(POLL_BYTES, i + POLL_BYTES.length)) n++;
  return n;
}

/** A small receipt: text, a raster image that contains DLE EOT bytes as data, a cut. */
export function receiptBytes(text = 'SHOP\nTOTAL 12.50\n'): Buffer {
  return Buffer.concat([
    Buffer.from('\x1b@', 'latin1'),
    Buffer.from(text, 'latin1'),
    Buffer.from([0x1d, 0x76, 0x30, 0x00, 0x03, 0x00, 0x02, 0x00, 0x10, 0x04, 0x01, 0x10, 0x04, 0x02]),
    Buffer.from('\n\x1dV\x00', 'latin1'),
  ]);
}
