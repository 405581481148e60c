/**
 * The TCP 9100 proxy on real sockets (127.0.0.1, port 0): a POS client → proxy → printer
 * (the simulator or a scripted test printer).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpEndpoint } from '../../drivers/endpoint.js';
import { startSimulator, type Simulator } from '../../drivers/simulator/index.js';
import { TcpProxyDriver, type TcpProxyOptions } from '../../drivers/tcp-proxy.js';
import { parseDeviceUriOf } from '../../drivers/uri.js';
import { delay, freePort, PosClient, prng, randomBytes, randomPieces, Recorder, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function proxy(printerPort: number | null, extra: Partial<TcpProxyOptions> = {}): Promise<{ driver: TcpProxyDriver; rec: Recorder }> {
  const printer = printerPort === null ? null : new TcpEndpoint(parseDeviceUriOf(`tcp://127.0.0.1:${printerPort}`, 'tcp'), { connectTimeoutMs: 2000 });
  const driver = new TcpProxyDriver({ listen: 'tcp://127.0.0.1:0', printer, name: 'test', backoff: { initialMs: 20, maxMs: 200 }, ...extra });
  const rec = new Recorder(driver);
  await driver.start();
  cleanups.push(() => driver.stop());
  return { driver, rec };
}

async function simulator(opts: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({ tcp: { port: 0 }, ...opts });
  cleanups.push(() => sim.stop());
  return sim;
}

async function pos(port: number): Promise<PosClient> {
  const c = await PosClient.connect(port);
  cleanups.push(() => void c.socket.destroy());
  return c;
}

interface ScriptedConn {
  socket: net.Socket;
  received: Buffer[];
  ended: boolean;
  closed: boolean;
}

/** A printer whose behaviour each test scripts: records what it receives, per connection. */
async function scriptedPrinter(onConn: (c: ScriptedConn) => void, port = 0): Promise<{ port: number; conns: ScriptedConn[]; server: net.Server }> {
  const conns: ScriptedConn[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const c: ScriptedConn = { socket, received: [], ended: false, closed: false };
    conns.push(c);
    socket.on('data', (b: Buffer) => c.received.push(b));
    socket.on('end', () => (c.ended = true));
    socket.on('close', () => (c.closed = true));
    socket.on('error', () => {});
    onConn(c);
  });
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port }, () => r()));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const c of conns) c.socket.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, conns, server };
}

async function writePieces(socket: net.Socket, pieces: Buffer[]): Promise<void> {
  for (const p of pieces) if (!socket.write(p)) await new Promise<void>((r) => socket.once('drain', () => r()));
}

describe('TCP proxy', () => {
  it('relays megabytes of random bytes both ways, byte-exact and in order, and reports exactly what passed', async () => {
    const rnd = prng(0x9100);
    const toPrinter = randomBytes(rnd, 4 * 1024 * 1024);
    const fromPrinter = randomBytes(rnd, 2 * 1024 * 1024);
    const printer = await scriptedPrinter((c) => {
      void writePieces(c.socket, randomPieces(prng(7), fromPrinter, 50_000)).then(() => {
        c.socket.on('end', () => c.socket.end());
        if (c.ended) c.socket.end();
      });
    });
    const { driver, rec } = await proxy(printer.port);
    const client = await pos(driver.port);
    await client.send(randomPieces(rnd, toPrinter, 70_000));
    client.end();
    await waitFor(() => client.closed, 20_000, 'the POS connection to close');
    await waitFor(() => rec.disconnects.length === 1, 5000, 'disconnect');

    const got = Buffer.concat(printer.conns[0]!.received);
    expect(got.length).toBe(toPrinter.length);
    expect(got.equals(toPrinter)).toBe(true);
    expect(client.data().equals(fromPrinter)).toBe(true);
    // The chunks are what passed, in order, in one session.
    const session = rec.connects[0]!.session;
    expect(rec.connects).toHaveLength(1);
    expect(rec.disconnects[0]!.session).toBe(session);
    expect(rec.chunks.every((c) => c.session === session)).toBe(true);
    expect(rec.bytes('to-printer').equals(toPrinter)).toBe(true);
    expect(rec.bytes('from-printer').equals(fromPrinter)).toBe(true);
    expect(rec.connects[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(rec.warns).toEqual([]);
  });

  it('passes the POS status queries to the simulator and its replies back to the POS', async () => {
    const sim = await simulator();
    const { driver, rec } = await proxy(sim.tcpPort!);
    const client = await pos(driver.port);
    // A random stream first: whatever the simulator answers must reach the POS unchanged.
    const rnd = prng(42);
    const noise = randomBytes(rnd, 1024 * 1024);
    await client.send(randomPieces(rnd, noise, 30_000));
    await waitFor(() => sim.received().length === noise.length, 10_000, 'the simulator to receive the noise');
    await waitFor(() => client.received === sim.sent().length, 5000, 'the replies to the noise');
    expect(client.data().equals(sim.sent())).toBe(true);
    client.end();
    await waitFor(() => client.closed, 5000, 'close');

    // A clean receipt with polls: the exact replies of a healthy printer.
    sim.clear();
    const c2 = await pos(driver.port);
    const receipt = Buffer.concat([
      Buffer.from('\x1b@\x1ba\x01SHOP\n', 'latin1'),
      Buffer.of(0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04),
      Buffer.from('TOTAL 12.50\n\x1dV\x42\x00', 'latin1'),
      Buffer.of(0x1d, 0x49, 0x43),
    ]);
    await c2.send(randomPieces(rnd, receipt, 3));
    await waitFor(() => c2.received >= 4 + 8, 5000, 'the status replies');
    expect([...c2.data().subarray(0, 4)]).toEqual([0x16, 0x12, 0x12, 0x12]);
    expect(c2.data().subarray(4).toString('latin1')).toBe('_SIM-80\0');
    expect(sim.received().equals(receipt)).toBe(true);
    c2.end();
    await waitFor(() => rec.disconnects.length === 2, 5000, 'both sessions to end');
    const s2 = rec.connects[1]!.session;
    expect(rec.bytes('to-printer', s2).equals(receipt)).toBe(true);
    expect(rec.bytes('from-printer', s2).equals(c2.data())).toBe(true);
  });

  it('POS ends first: the printer side is ended after everything was written, replies still reach the POS', async () => {
    const late = Buffer.from('late reply after the POS finished');
    const printer = await scriptedPrinter((c) => {
      c.socket.on('end', () => {
        // The printer answers after it has seen the end, then closes.
        setTimeout(() => c.socket.end(late), 100);
      });
    });
    const { driver, rec } = await proxy(printer.port);
    const client = await pos(driver.port);
    const data = randomBytes(prng(3), 300_000);
    await client.send(randomPieces(prng(4), data, 10_000));
    client.end();
    await waitFor(() => client.ended, 5000, 'the POS to see the end');
    expect(Buffer.concat(printer.conns[0]!.received).equals(data)).toBe(true);
    expect(printer.conns[0]!.ended).toBe(true);
    expect(client.data().equals(late)).toBe(true);
    await waitFor(() => rec.disconnects.length === 1, 5000, 'disconnect');
    expect(rec.bytes('from-printer').equals(late)).toBe(true);
    expect(rec.warns).toEqual([]);
  });

  it('printer ends first: the POS side is ended, the POS bytes sent afterwards still reach the printer', async () => {
    const bye = Buffer.from('printer done');
    const printer = await scriptedPrinter((c) => {
      c.socket.end(bye);
      c.socket.on('end', () => c.socket.destroy());
    });
    const { driver, rec } = await proxy(printer.port);
    const client = await pos(driver.port);
    await waitFor(() => client.ended, 5000, 'the POS to see the printer end');
    expect(client.data().equals(bye)).toBe(true);
    const after = randomBytes(prng(5), 200_000);
    await client.send(randomPieces(prng(6), after, 20_000));
    client.end();
    await waitFor(() => client.closed, 5000, 'close');
    await waitFor(() => printer.conns[0]!.ended, 5000, 'the printer to see the end');
    expect(Buffer.concat(printer.conns[0]!.received).equals(after)).toBe(true);
    await waitFor(() => rec.disconnects.length === 1, 5000, 'disconnect');
    expect(rec.bytes('to-printer').equals(after)).toBe(true);
  });

  it('printer unreachable, then appearing: warns, backs off, holds the bytes and loses nothing', async () => {
    const port = await freePort();
    const { driver, rec } = await proxy(port);
    const client = await pos(driver.port);
    const data = randomBytes(prng(8), 1024 * 1024);
    await client.send(randomPieces(prng(9), data, 40_000));
    await waitFor(() => rec.warns.length >= 2, 5000, 'unreachable warnings');
    expect(rec.warns[0]).toMatch(/printer tcp:\/\/127\.0\.0\.1:\d+ unreachable \(.*ECONNREFUSED.*retrying in \d+ ms/);
    expect(driver.sessions()[0]).toMatchObject({ printerConnected: false, pendingBytes: data.length });
    await delay(150);
    const sim = await simulator({ tcp: { port } });
    await waitFor(() => sim.received().length === data.length, 10_000, 'the held bytes to arrive');
    expect(sim.received().equals(data)).toBe(true);
    // More bytes after the printer appeared go straight through, after the held ones.
    const more = Buffer.from('\x10\x04\x01', 'latin1');
    await client.send([more]);
    await waitFor(() => client.received >= 1, 5000, 'a reply');
    client.end();
    await waitFor(() => rec.disconnects.length === 1, 5000, 'disconnect');
    expect(rec.bytes('to-printer').equals(Buffer.concat([data, more]))).toBe(true);
    expect(rec.warns.some((w) => /reached after \d+ failed attempts/.test(w))).toBe(true);
  });

  it('holds at most maxHoldBytes for an unreachable printer and drops the oldest, with a warn', async () => {
    const port = await freePort();
    const { driver, rec } = await proxy(port, { maxHoldBytes: 64 * 1024 });
    const client = await pos(driver.port);
    const data = randomBytes(prng(10), 256 * 1024);
    await client.send(randomPieces(prng(11), data, 8000));
    await waitFor(() => rec.warns.some((w) => /dropping the oldest/.test(w)), 5000, 'the drop warning');
    await waitFor(() => driver.sessions()[0]?.droppedBytes === data.length - 64 * 1024, 5000, 'all to arrive');
    const printer = await scriptedPrinter(() => {}, port);
    await waitFor(() => Buffer.concat(printer.conns[0]?.received ?? []).length === 64 * 1024, 10_000, 'the newest bytes to arrive');
    expect(Buffer.concat(printer.conns[0]!.received).equals(data.subarray(data.length - 64 * 1024))).toBe(true);
    expect(rec.warns.some((w) => /196608 bytes were dropped/.test(w))).toBe(true);
  });

  it('keeps memory bounded when the printer stops reading (backpressure reaches the POS)', async () => {
    const printer = await scriptedPrinter((c) => c.socket.pause());
    const { driver } = await proxy(printer.port);
    const client = await pos(driver.port);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let written = 0;
    // Write without waiting for drain, as fast as the POS socket takes it, for a while.
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      if (client.socket.writableLength < 4 * 1024 * 1024) {
        client.socket.write(chunk);
        written += chunk.length;
      }
      await delay(1);
    }
    const s = driver.sessions()[0]!;
    // The kernel buffers take some, the proxy holds no more than a few reads' worth.
    expect(s.pendingBytes).toBeLessThan(512 * 1024);
    expect(client.socket.writableLength).toBeGreaterThan(0);
    expect(written).toBeGreaterThan(s.toPrinterBytes);
    // Once the printer reads again, everything flows, in order.
    const conn = printer.conns[0]!;
    conn.socket.resume();
    const total = (): number => conn.received.reduce((n, b) => n + b.length, 0);
    await waitFor(() => total() === written, 10_000, 'everything to flow');
    expect(Buffer.concat(conn.received).equals(Buffer.alloc(written, 0x41))).toBe(true);
    await waitFor(() => driver.sessions()[0]!.toPrinterBytes === written, 5000, 'the chunks');
  });

  it('a printer error closes the pair with a warn; the proxy keeps serving', async () => {
    const printer = await scriptedPrinter((c) => {
      c.socket.once('data', () => c.socket.resetAndDestroy());
    });
    const { driver, rec } = await proxy(printer.port);
    const client = await pos(driver.port);
    await client.send([Buffer.from('hello')]);
    await waitFor(() => client.ended || client.error !== null, 5000, 'the POS connection to close');
    await waitFor(() => rec.disconnects.length === 1, 5000, 'disconnect');
    expect(rec.warns.some((w) => /printer link 127\.0\.0\.1:\d+ failed \(.*ECONNRESET/.test(w))).toBe(true);
    const c2 = await pos(driver.port);
    await c2.send([Buffer.from('again')]);
    await waitFor(() => rec.connects.length === 2, 5000, 'a second session');
  });

  it('a POS that resets still gets what it sent passed on', async () => {
    const printer = await scriptedPrinter((c) => c.socket.on('end', () => c.socket.end()));
    const { driver, rec } = await proxy(printer.port);
    const client = await pos(driver.port);
    const data = randomBytes(prng(12), 100_000);
    await client.send([data]);
    await waitFor(() => Buffer.concat(printer.conns[0]?.received ?? []).length === data.length, 5000, 'data at the printer');
    client.socket.resetAndDestroy();
    await waitFor(() => printer.conns[0]!.ended, 5000, 'the printer side to end');
    await waitFor(() => rec.disconnects.length === 1, 5000, 'disconnect');
    expect(rec.warns.some((w) => /POS connection failed \(.*ECONNRESET/.test(w))).toBe(true);
  });

  it('a chunk listener that throws does not stop the relay', async () => {
    const sim = await simulator();
    const { driver, rec } = await proxy(sim.tcpPort!);
    driver.on('chunk', () => {
      throw new Error('disk full');
    });
    const client = await pos(driver.port);
    const data = randomBytes(prng(13), 50_000);
    await client.send([data]);
    await waitFor(() => sim.received().length === data.length, 5000, 'the bytes');
    expect(sim.received().equals(data)).toBe(true);
    expect(rec.warns[0]).toMatch(/chunk listener failed.*disk full/);
  });

  it('stop() closes live sessions and resolves', async () => {
    const sim = await simulator();
    const { driver, rec } = await proxy(sim.tcpPort!);
    const a = await pos(driver.port);
    const b = await pos(driver.port);
    await a.send([Buffer.from('x')]);
    await b.send([Buffer.from('y')]);
    await waitFor(() => driver.sessions().filter((s) => s.printerConnected).length === 2, 5000, 'two sessions');
    await driver.stop();
    expect(rec.disconnects).toHaveLength(2);
    await waitFor(() => (a.ended || a.error !== null) && (b.ended || b.error !== null), 5000, 'the POS connections to close');
  });
});

describe('TCP proxy as a virtual printer (no printer)', () => {
  it('answers DLE EOT, GS I, GS a and GS r as a healthy printer, but not a DLE EOT inside GS v 0 data', async () => {
    const { driver, rec } = await proxy(null, { identity: { model: 'VIRTUAL' } });
    expect(driver.virtual).toBe(true);
    const client = await pos(driver.port);
    const image = Buffer.alloc(4 * 16, 0xaa);
    Buffer.of(0x10, 0x04, 0x01).copy(image, 10);
    Buffer.of(0x10, 0x04, 0x04).copy(image, 40);
    const stream = Buffer.concat([
      Buffer.from('\x1b@RECEIPT\n', 'latin1'),
      Buffer.of(0x1d, 0x76, 0x30, 0x00, 4, 0, 16, 0),
      image,
      Buffer.of(0x10, 0x04, 0x01),
      Buffer.of(0x1d, 0x49, 0x43),
      Buffer.of(0x1d, 0x61, 0xff),
      Buffer.of(0x1d, 0x72, 0x01),
      Buffer.of(0x10, 0x04, 0x04),
    ]);
    await client.send(randomPieces(prng(14), stream, 7));
    const expected = Buffer.concat([Buffer.of(0x16), Buffer.from('_VIRTUAL\0', 'latin1'), Buffer.of(0x14, 0, 0, 0), Buffer.of(0x00), Buffer.of(0x12)]);
    await waitFor(() => client.received >= expected.length, 5000, 'the replies');
    await delay(50);
    expect(client.data()).toEqual(expected);
    client.end();
    await waitFor(() => client.closed, 5000, 'close');
    await waitFor(() => rec.disconnects.length === 1, 5000, 'disconnect');
    expect(rec.bytes('to-printer').equals(stream)).toBe(true);
    expect(rec.bytes('from-printer').equals(expected)).toBe(true);
  });
});
