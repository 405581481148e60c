/**
 * The USB printer class endpoint (usblp:PATH): against a temp file standing in for the device, and
 * against a pty (socat) whose other end is the printer simulator, as the printer of a TCP listener.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDriver } from '../../drivers/index.js';
import { hasSocat, type Simulator, startSimulator } from '../../drivers/simulator/index.js';
import type { TcpProxyDriver } from '../../drivers/tcp-proxy.js';
import { parseDeviceUriOf } from '../../drivers/uri.js';
import { UsblpEndpoint } from '../../drivers/usblp.js';
import { PosClient, prng, randomBytes, randomPieces, Recorder, waitFor } from './helpers.js';

const skipPty = !hasSocat() && !process.env.CI;
if (skipPty) console.warn('socat is not installed: skipping the usblp-on-a-pty tests (apt-get install socat; CI always runs them)');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tilltap-usblp-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('usblp endpoint', () => {
  it('writes byte-exact to the device file, in order, and closes cleanly', async () => {
    const dev = path.join(dir, 'lp0');
    fs.writeFileSync(dev, '');
    const ep = new UsblpEndpoint(parseDeviceUriOf(`usblp:${dev}`, 'usblp'), { pollMs: 5 });
    const link = await ep.open();
    expect(link.halfClose).toBe(false);
    const data = randomBytes(prng(3), 1024 * 1024);
    let reported = 0;
    for (const p of randomPieces(prng(4), data, 50_000)) {
      const ok = link.stream.write(p, (err) => {
        if (!err) reported += p.length;
      });
      if (!ok) await new Promise<void>((r) => link.stream.once('drain', () => r()));
    }
    await waitFor(() => reported === data.length, 10_000, 'the writes');
    await link.close();
    await link.close();
    expect(fs.readFileSync(dev).equals(data)).toBe(true);
  });

  it('fails to open a missing device (the listener retries)', async () => {
    const ep = new UsblpEndpoint(parseDeviceUriOf(`usblp:${path.join(dir, 'nope')}`, 'usblp'));
    await expect(ep.open()).rejects.toThrow(/ENOENT/);
  });

  describe.skipIf(skipPty)('on a pty with the simulator behind it', () => {
    let sim: Simulator;

    it('is the printer of a TCP listener: bytes through, status replies back, session ends after the linger', async () => {
      sim = await startSimulator({ pty: true, identity: { model: 'USB-SIM' } });
      cleanups.push(() => sim.stop());
      const driver = createDriver({
        listen: 'tcp://127.0.0.1:0',
        printer: `usblp:${sim.ptyPath}`,
        name: 'usb',
        options: { lingerMs: 100, usblp: { pollMs: 5 } },
      }) as TcpProxyDriver;
      const rec = new Recorder(driver);
      await driver.start();
      cleanups.push(() => driver.stop());
      const pos = await PosClient.connect(driver.port);
      cleanups.push(() => void pos.socket.destroy());
      const text = Buffer.alloc(100_000);
      for (let i = 0; i < text.length; i++) text[i] = 0x20 + (i % 90);
      const job = Buffer.concat([Buffer.from('\x1b@', 'latin1'), text, Buffer.of(0x10, 0x04, 0x01, 0x1d, 0x49, 0x43)]);
      await pos.send(randomPieces(prng(5), job, 16_000));
      await waitFor(() => pos.received === 1 + 9, 10_000, 'the replies');
      expect(pos.data().toString('latin1')).toBe('\x16_USB-SIM\0');
      expect(sim.received().equals(job)).toBe(true);
      pos.end();
      await waitFor(() => pos.ended, 5000, 'the POS side to end after the linger');
      await waitFor(() => rec.disconnects.length === 1, 5000, 'disconnect');
      expect(rec.bytes('to-printer').equals(job)).toBe(true);
      expect(rec.bytes('from-printer').equals(pos.data())).toBe(true);
      expect(rec.warns).toEqual([]);
    });
  });
});
