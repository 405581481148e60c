import { getPriority } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE } from '../src/background-priority.js';

// The built module (`npm test` builds first): a worker thread cannot load TypeScript.
const BUILT = pathToFileURL(resolve(import.meta.dirname, '../dist/src/background-priority.js')).href;

describe.runIf(process.platform === 'linux')('runInBackground (Linux: per thread)', () => {
  it('lowers the priority of the thread that calls it, not the relay thread', async () => {
    const before = getPriority(0);
    const src = `import { parentPort } from 'node:worker_threads';
      import { getPriority } from 'node:os';
      const { runInBackground } = await import(${JSON.stringify(BUILT)});
      const ok = runInBackground();
      parentPort.postMessage({ ok, nice: getPriority(0) });`;
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`));
    const reply = await new Promise<{ ok: boolean; nice: number }>((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
    await w.terminate();
    expect(reply).toEqual({ ok: true, nice: Math.max(before, BACKGROUND_NICE) });
    expect(getPriority(0)).toBe(before);
  });
});
