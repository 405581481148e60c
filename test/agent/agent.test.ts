import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDriver } from '../../drivers/index.js';
import { startSimulator, type Simulator } from '../../drivers/simulator/index.js';
import type { TcpProxyDriver } from '../../drivers/tcp-proxy.js';
import { Agent, type AgentLog } from '../../src/agent/agent.js';
import { listSegments } from '../../src/agent/spool.js';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { Store } from '../../src/store/index.js';

const quiet: AgentLog = process.env.AGENT_LOG ? { info: (o, m) => console.log("I", m, JSON.stringify(o)), warn: (o, m) => console.log("W", m, JSON.stringify(o)), error: (o, m) => console.log("E", m, JSON.stringify(o)) } : { info() {}, warn() {}, error() {} };

function slip(no: number, cut = true): Uint8Array {
  const b = new EscPosBuilder().init().cjk(true);
  b.line('银联POS签购单').line('商户编号(MERCHANT NO.):898310048161234').line('终端编号(TERMINAL NO.):10086001');
  b.line(`凭证号(VOUCHER NO.):${String(no).padStart(6, '0')}`).line('卡号(CARD NO.):6222021234567890128');
  b.line(`金额(AMOUNT):RMB ${no}.00`);
  return cut ? b.cut().build() : b.build();
}

async function until<T>(what: () => T | undefined | false, ms = 10_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = what();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function pos(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', reject);
  });
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function rig(idleMs = 3000, prepare?: (dir: string) => void, log: AgentLog = quiet): Promise<{ sim: Simulator; store: Store; agent: Agent; port: number; dir: string }> {
  const sim = await startSimulator({ tcp: { port: 0 } });
  cleanup.push(() => sim.stop());
  const dir = mkdtempSync(join(tmpdir(), 'tilltap-agent-'));
  prepare?.(dir);
  const store = Store.open(dir);
  cleanup.push(() => store.close());
  const driver = createDriver({ name: 'counter-1', listen: 'tcp://127.0.0.1:0', printer: `tcp://127.0.0.1:${sim.tcpPort}` });
  const agent = new Agent({ dataDir: dir, printers: [{ name: 'counter-1', driver, decode: {}, idleMs }], log });
  await agent.start();
  cleanup.push(() => agent.stop());
  return { sim, store, agent, port: (driver as TcpProxyDriver).port, dir };
}

describe('the capture agent (TCP proxy → printer simulator, real SQLite)', () => {
  it('passes every byte through, answers the POS from the printer, and records each receipt once', async () => {
    const { sim, store, port } = await rig();
    const client = await pos(port);
    const replies: Buffer[] = [];
    client.on('data', (d: Buffer) => replies.push(d));
    const sent = Buffer.concat([slip(1), Uint8Array.of(0x10, 0x04, 0x01), slip(2), slip(3)]);
    client.end(sent);
    await until(() => store.listReceipts().length === 3);
    await until(() => sim.received().length === sent.length);
    expect(sim.received().equals(sent)).toBe(true);
    await until(() => replies.length > 0);
    expect(Buffer.concat(replies)[0]! & 0x93).toBe(0x12); // a DLE EOT reply reached the POS

    const list = store.listReceipts();
    expect(list.map((r) => r.receipt.fields.trace_no)).toEqual(['000001', '000002', '000003']);
    expect(list.map((r) => r.deviceSeq)).toEqual([1, 2, 3]);
    expect(list.every((r) => r.receipt.fields.card_number === '622202*********0128')).toBe(true);
    // The journal holds the session's bytes, with no full card number at rest.
    const session = list[0]!.session;
    const journal = store.readStream(session, 'to-printer', 0);
    expect(journal.length).toBe(sent.length);
    expect(journal.toString('latin1')).not.toContain('6222021234567890128');
  });

  it('leaves no raw bytes in the spool once they are journaled and the line is quiet', async () => {
    const { store, port, dir } = await rig();
    const client = await pos(port);
    client.end(Buffer.concat([slip(31), slip(32)]));
    await until(() => store.listReceipts().length === 2);
    // A quiet second after the last bytes were journaled, the segment that held them is gone.
    await until(() => listSegments(join(dir, 'spool')).length === 0, 5000);
    const left = readdirSync(join(dir, 'spool')).map((f) => readFileSync(join(dir, 'spool', f)).toString('latin1'));
    expect(left.join('')).not.toContain('6222021234567890128');
  });

  it('goes on without a spool it cannot write: printing and capture, the journal gate instead', async () => {
    const errors: string[] = [];
    const log: AgentLog = { info() {}, warn() {}, error: (_o, m) => void errors.push(m ?? '') };
    // A file where the spool directory should be.
    const { sim, store, port, dir } = await rig(3000, (d) => writeFileSync(join(d, 'spool'), 'not a directory'), log);
    expect(errors.some((m) => /spool/.test(m))).toBe(true);
    const client = await pos(port);
    const sent = Buffer.concat([slip(41), slip(42), slip(43)]);
    client.end(sent);
    await until(() => store.listReceipts().length === 3);
    await until(() => sim.received().length === sent.length);
    expect(sim.received().equals(sent)).toBe(true);
    expect(store.listReceipts().map((r) => r.receipt.fields.trace_no)).toEqual(['000041', '000042', '000043']);
    expect(readFileSync(join(dir, 'spool'), 'utf8')).toBe('not a directory');
  });

  it('ends a receipt after an idle gap when the POS sends no cut', async () => {
    const { store, port } = await rig(300);
    const client = await pos(port);
    cleanup.push(() => void client.destroy());
    client.write(slip(7, false));
    const [r] = await until(() => {
      const l = store.listReceipts();
      return l.length === 1 ? l : undefined;
    });
    expect(r!.receipt.fields.trace_no).toBe('000007');
    expect(r!.receipt.cut).toBeNull();
  });

  it('fails open: with the database locked by another program, printing goes on and capture resumes', async () => {
    const { sim, store, agent, port } = await rig();
    // Another program (a backup, an antivirus) holds the write lock: the worker's writes wait for
    // the busy timeout and then fail; the relay must not notice.
    store.db.exec('BEGIN EXCLUSIVE');
    let locked = true;
    cleanup.push(() => {
      if (locked) store.db.exec('ROLLBACK');
    });
    const client = await pos(port);
    const sent = Buffer.concat([slip(21), slip(22)]);
    client.end(sent);
    await until(() => sim.received().length === sent.length);
    expect(sim.received().equals(sent)).toBe(true);
    // The printer had every byte before the store gave up (its busy timeout is 5 s).
    expect(agent.status.lastError).toBeNull();
    expect(agent.status.storeErrors).toBe(0);
    await until(() => agent.status.storeErrors > 0, 20_000);
    expect(agent.status.lastError).toMatch(/^store: /);
    store.db.exec('ROLLBACK');
    locked = false;
    // The lock is gone: the next receipts are captured again.
    const again = await pos(port);
    again.end(Buffer.from(slip(23)));
    await until(() => store.listReceipts().some((r) => r.receipt.fields.trace_no === '000023'), 20_000);
  });

  it('survives its worker thread dying: printing goes on, a new worker takes over', async () => {
    const { sim, store, agent, port } = await rig();
    const client = await pos(port);
    cleanup.push(() => void client.destroy());
    client.write(Buffer.from(slip(31)));
    await until(() => store.listReceipts().length === 1);
    await (agent as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    // The same POS connection keeps printing while no worker runs, and after a new one started.
    client.write(Buffer.from(slip(32)));
    await until(() => agent.status.workerRestarts === 1);
    client.write(Buffer.from(slip(33)));
    const all = Buffer.concat([slip(31), slip(32), slip(33)]);
    await until(() => sim.received().length === all.length);
    expect(sim.received().equals(all)).toBe(true);
    const list = await until(() => {
      const l = store.listReceipts();
      return l.length >= 3 ? l : undefined;
    }, 20_000);
    expect(list.map((r) => r.receipt.fields.trace_no)).toEqual(['000031', '000032', '000033']);
  });

  it('spools what prints while no worker runs: an agent killed before the next worker starts loses none of it', async () => {
    const sim = await startSimulator({ tcp: { port: 0 } });
    cleanup.push(() => sim.stop());
    const dir = mkdtempSync(join(tmpdir(), 'tilltap-agent-'));
    const store = Store.open(dir);
    cleanup.push(() => store.close());
    const driver = createDriver({ name: 'counter-1', listen: 'tcp://127.0.0.1:0', printer: `tcp://127.0.0.1:${sim.tcpPort}` });
    // The dead worker's replacement would start only after a minute: the kill comes first.
    const agent = new Agent({ dataDir: dir, printers: [{ name: 'counter-1', driver, decode: {}, idleMs: 3000 }], log: quiet, workerRestartMs: 60_000 });
    await agent.start();
    cleanup.push(() => agent.stop());
    const client = await pos((driver as TcpProxyDriver).port);
    cleanup.push(() => void client.destroy());
    client.write(Buffer.from(slip(41)));
    await until(() => store.listReceipts().length === 1);
    const inner = agent as unknown as { worker: { terminate(): Promise<number> } | null };
    await inner.worker!.terminate();
    await until(() => inner.worker === null);
    client.write(Buffer.from(slip(42)));
    const all = Buffer.concat([slip(41), slip(42)]);
    await until(() => sim.received().length === all.length);
    // Printed, and in a spool file already (a SIGKILL keeps what the kernel has).
    const spooled = (): Buffer => Buffer.concat(listSegments(join(dir, 'spool')).map((n) => readFileSync(join(dir, 'spool', `${String(n).padStart(8, '0')}.bin`))));
    await until(() => spooled().includes(Buffer.from(slip(42))));
    expect(agent.status.workerRestarts).toBe(1);
    expect(agent.status.lostBytes).toBe(0);
    // An agent started on the data directory (as after the kill) finishes it: both receipts, once.
    const again = new Agent({ dataDir: dir, printers: [{ name: 'counter-1', driver: createDriver({ name: 'counter-1', listen: 'tcp://127.0.0.1:0' }), decode: {}, idleMs: 3000 }], log: quiet });
    await again.start();
    cleanup.push(() => again.stop());
    expect(store.listReceipts().map((r) => r.receipt.fields.trace_no)).toEqual(['000041', '000042']);
  });

  it('after a crash, finishes what the journal holds: nothing lost, nothing doubled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tilltap-agent-'));
    // A "crashed" agent: bytes journaled, one receipt committed, the rest never decoded.
    const crashed = Store.open(dir);
    crashed.beginSession({ session: 's-1', printer: 'counter-1', peer: 'pos', t: Date.now() });
    const bytes = Buffer.concat([slip(11), slip(12), slip(13)]);
    crashed.appendChunk('counter-1', { dir: 'to-printer', bytes: bytes.subarray(0, 700), t: Date.now(), session: 's-1' });
    crashed.appendChunk('counter-1', { dir: 'to-printer', bytes: bytes.subarray(700), t: Date.now(), session: 's-1' });
    crashed.close();

    const store = Store.open(dir);
    cleanup.push(() => store.close());
    const driver = createDriver({ name: 'counter-1', listen: 'tcp://127.0.0.1:0' });
    const agent = new Agent({ dataDir: dir, printers: [{ name: 'counter-1', driver, decode: {}, idleMs: 3000 }], log: quiet });
    await agent.start();
    cleanup.push(() => agent.stop());
    expect(store.listReceipts().map((r) => r.receipt.fields.trace_no)).toEqual(['000011', '000012', '000013']);
    expect(store.pendingSessions()).toEqual([]);
    // Starting again finds nothing to do and doubles nothing.
    await agent.stop();
    const again = new Agent({ dataDir: dir, printers: [{ name: 'counter-1', driver: createDriver({ name: 'counter-1', listen: 'tcp://127.0.0.1:0' }), decode: {}, idleMs: 3000 }], log: quiet });
    await again.start();
    cleanup.push(() => again.stop());
    expect(store.listReceipts()).toHaveLength(3);
  });
});
