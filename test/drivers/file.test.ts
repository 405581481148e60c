/** File replay: one session of 64 KB to-printer chunks, then the end. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileReplayDriver } from '../../drivers/file.js';
import { prng, randomBytes, Recorder } from './helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tilltap-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('file replay', () => {
  it('replays a capture as one session of 64 KB chunks and ends', async () => {
    const data = randomBytes(prng(1), 200 * 1024 + 17);
    const file = path.join(dir, 'capture.bin');
    fs.writeFileSync(file, data);
    const d = new FileReplayDriver({ listen: `file:${file}`, name: 'demo' });
    const rec = new Recorder(d);
    await d.start();
    expect(rec.connects).toHaveLength(0); // events begin after start() resolved
    await d.done;
    expect(d.kind).toBe('file');
    expect(rec.connects).toHaveLength(1);
    expect(rec.disconnects).toHaveLength(1);
    const session = rec.connects[0]!.session;
    expect(rec.disconnects[0]!.session).toBe(session);
    expect(rec.connects[0]!.peer).toBe(file);
    expect(rec.chunks.map((c) => c.bytes.length)).toEqual([65536, 65536, 65536, 8209]);
    expect(rec.chunks.every((c) => c.dir === 'to-printer' && c.session === session)).toBe(true);
    expect(rec.bytes('to-printer').equals(data)).toBe(true);
    await d.stop();
  });

  it('an empty file is an empty session', async () => {
    const file = path.join(dir, 'empty.bin');
    fs.writeFileSync(file, '');
    const d = new FileReplayDriver({ listen: `file:${file}` });
    const rec = new Recorder(d);
    await d.start();
    await d.done;
    expect([rec.connects.length, rec.chunks.length, rec.disconnects.length]).toEqual([1, 0, 1]);
  });

  it('a missing file fails start() with a one-line message', async () => {
    const d = new FileReplayDriver({ listen: `file:${path.join(dir, 'nope.bin')}` });
    await expect(d.start()).rejects.toThrow(/^cannot replay .*nope\.bin: ENOENT/);
    await d.stop();
  });

  it('stop() before the replay began emits nothing', async () => {
    const file = path.join(dir, 'small.bin');
    fs.writeFileSync(file, 'abc');
    const d = new FileReplayDriver({ listen: `file:${file}` });
    const rec = new Recorder(d);
    await d.start();
    await d.stop();
    expect(rec.connects.length).toBe(rec.disconnects.length);
  });
});
