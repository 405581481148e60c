/**
 * SIGKILL durability: a child process journals chunks in a loop and prints each one once
 * appendChunk has returned; it is killed with SIGKILL mid-stream (no exit handlers, no close).
 * Every chunk it acknowledged must be in the file afterwards, with its bytes, at its offset.
 *
 * The child runs the compiled store (dist/): `npm test` builds first; alone, run
 * `npx tsc -p tsconfig.json` before `npx vitest run test/store/`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, tempDir } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = resolve(import.meta.dirname, 'fixtures/append-loop.mjs');
const BUILT = resolve(ROOT, 'dist/src/store/index.js');

interface Ack {
  i: number;
  dir: 'to-printer' | 'from-printer';
  offset: number;
  length: number;
  sha: string;
}

function runAndKill(dir: string, after: number): Promise<{ acks: Ack[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      out += s;
      if (!killed && out.split('\n').length > after) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (s: Buffer) => (stderr += s.toString()));
    child.on('error', fail);
    child.on('close', (_code, signal) => {
      // A line cut short by the kill was not acknowledged.
      const lines = out.split('\n').slice(0, -1);
      const acks = lines.map((l): Ack => {
        const [i, d, offset, length, sha] = l.split(' ');
        return { i: Number(i), dir: d as Ack['dir'], offset: Number(offset), length: Number(length), sha: sha! };
      });
      done({ acks, signal, stderr });
    });
  });
}

describe('durability', () => {
  it.skipIf(!existsSync(BUILT))('keeps every acknowledged chunk through SIGKILLs', async () => {
    const dir = tempDir();
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    const acked = { 'to-printer': 0, 'from-printer': 0 };
    // Three runs on the same file: the second and third start from a WAL left by a killed process.
    for (const after of [300, 200, 400]) {
      const { acks, signal, stderr } = await runAndKill(dir, after);
      expect(stderr).toBe('');
      expect(signal).toBe('SIGKILL');
      expect(acks.length).toBeGreaterThanOrEqual(after);

      const store = openStore(dir);
      // What the file held before this run (the killed run may have committed one unprinted chunk).
      const start = { 'to-printer': acks.find((a) => a.dir === 'to-printer')!.offset, 'from-printer': acks.find((a) => a.dir === 'from-printer')!.offset };
      expect(start['to-printer']).toBeGreaterThanOrEqual(acked['to-printer']);
      expect(start['from-printer']).toBeGreaterThanOrEqual(acked['from-printer']);
      const end = { ...start };
      for (const a of acks) {
        // Offsets are contiguous per direction: nothing acknowledged went missing in between.
        expect(a.offset, `chunk ${a.i}`).toBe(end[a.dir]);
        end[a.dir] += a.length;
        const bytes = store.readStream('live', a.dir, a.offset, a.offset + a.length);
        expect(bytes.length, `chunk ${a.i}`).toBe(a.length);
        expect(sha(bytes), `chunk ${a.i}`).toBe(a.sha);
      }
      // The file may hold one more chunk (committed, killed before it was printed), never fewer.
      const s = store.session('live')!;
      expect(s.bytes).toBeGreaterThanOrEqual(end['to-printer']);
      expect(store.readStream('live', 'to-printer').length).toBe(s.bytes);
      expect(store.readStream('live', 'from-printer').length).toBeGreaterThanOrEqual(end['from-printer']);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      // The crashed session is pending: the agent finishes it on restart.
      expect(store.pendingSessions().map((p) => p.session)).toEqual(['live']);
      store.close();
      acked['to-printer'] = end['to-printer'];
      acked['from-printer'] = end['from-printer'];
    }
  });

  it('has the compiled store for the child process', () => {
    // Not skipped silently: without dist/ the SIGKILL test above proves nothing.
    expect(existsSync(BUILT), `${BUILT} missing: run \`npx tsc -p tsconfig.json\` (npm test builds first)`).toBe(true);
  });
});
