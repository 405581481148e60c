import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const built = resolve(import.meta.dirname, '../dist/src/memory-trim.js');

// In a process of its own (run from the build, as the agent is): its C heap is this test's alone.
const script = `
const { allocatorTrimAvailable, trimAllocator } = await import(${JSON.stringify(built)});
const rss = () => process.memoryUsage().rss;
let bufs = [];
for (let i = 0; i < 200000; i++) bufs.push(Buffer.allocUnsafeSlow(1000));
// One buffer in 64 stays: the freed ones are between live ones, where free() alone keeps them.
const keep = bufs.filter((_, i) => i % 64 === 0);
bufs = null;
for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 100)); }
const before = rss();
const released = trimAllocator();
const after = rss();
console.log(JSON.stringify({ available: allocatorTrimAvailable(), released, before, after, kept: keep.length }));
`;

describe('trimAllocator', () => {
  it.runIf(process.platform === 'linux')('gives the C heap freed between live allocations back to the system (glibc, the addon built by npm ci)', () => {
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' })) as {
      available: boolean;
      released: boolean;
      before: number;
      after: number;
    };
    expect(out.available).toBe(true);
    expect(out.released).toBe(true);
    // About 190 MB were freed; most of it must leave the resident set.
    expect(out.before - out.after).toBeGreaterThan(100 * 1048576);
  });
});
