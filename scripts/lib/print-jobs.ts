/**
 * What the pass-through benchmarks (proxy, health) do as the POS, side by side against a direct
 * connection: print jobs that end in a status poll (latency), and a bulk stream (throughput).
 */
import { connect, type Socket } from 'node:net';
import { EscPosBuilder } from '../../src/escpos/builder.js';

export function openPos(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect({ host: '127.0.0.1', port }, () => res(s));
    s.setNoDelay(true);
    s.on('error', rej);
  });
}

/** One job: a short receipt ending in `DLE EOT 1`, so the printer answers one byte when it is through. */
export const JOB = Buffer.concat([
  new EscPosBuilder().init().line('CORNER SHOP').line('RECEIPT NO: 0042').line('Bread        1     3.40').line('TOTAL        3.40').cut().build(),
  Uint8Array.of(0x10, 0x04, 0x01),
]);

/** Write one job and wait for the printer's reply to the poll at its end. */
function sendJob(s: Socket): Promise<void> {
  return new Promise<void>((res) => {
    s.once('data', () => res());
    s.write(JOB);
  });
}

/** Milliseconds per job (write a job, wait for the reply), in the order run. */
export async function jobLatencies(port: number, jobs: number): Promise<number[]> {
  const s = await openPos(port);
  const out: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const t0 = process.hrtime.bigint();
    await sendJob(s);
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  s.destroy();
  return out;
}

/**
 * Milliseconds per job for a POS that connects for each receipt: connect, write a job, wait for
 * the reply, close (the close is not timed).
 */
export async function connectionJobLatencies(port: number, jobs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const t0 = process.hrtime.bigint();
    const s = await openPos(port);
    await sendJob(s);
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    s.destroy();
  }
  return out;
}

/** MB/s of `bytes` written in pieces of `chunk` (default 64 KB of `A`) until the printer has `received()` them all. */
export async function streamThroughput(port: number, bytes: number, received: () => number, chunk: Buffer = Buffer.alloc(64 * 1024, 0x41)): Promise<number> {
  const s = await openPos(port);
  const start = received();
  const t0 = performance.now();
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  }
  while (received() - start < bytes) await new Promise((r) => setImmediate(r));
  const ms = performance.now() - t0;
  s.destroy();
  return bytes / 1048576 / (ms / 1000);
}

/** The p-th percentile of sorted values. */
export const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
