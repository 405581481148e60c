/**
 * The agent's configuration is read in a thread that ends (read-config.ts), and the capture worker
 * gets the profiles and templates as validated data (src/config-data.ts) instead of reading them.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { allProfiles } from '../../src/escpos/profiles.js';
import { loadTemplates } from '../../src/receipt/fields/template.js';
import { ConfigError, readAgentConfig } from '../../src/agent/read-config.js';
import { tempDir } from '../helpers/sync.js';

const DIST = resolve(import.meta.dirname, '../../dist/src');

/** What a worker thread started with `configData` sees of the profiles and templates. */
function inWorker(configData: unknown): Promise<{ profiles: string[]; templates: string[]; parseRefused: string }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    (async () => {
      const p = await import(${JSON.stringify(pathToFileURL(join(DIST, 'escpos/profiles.js')).href)});
      const t = await import(${JSON.stringify(pathToFileURL(join(DIST, 'receipt/fields/template.js')).href)});
      let parseRefused = '';
      try { t.parseTemplate('name: x'); } catch (e) { parseRefused = e.message; }
      parentPort.postMessage({ profiles: p.allProfiles().map((x) => x.name + ':' + x.codepages.get(0)), templates: t.loadTemplates().map((x) => x.name), parseRefused });
    })();`;
  return new Promise((res, rej) => {
    const w = new Worker(code, { eval: true, workerData: { configData } });
    w.once('message', (m) => {
      res(m as { profiles: string[]; templates: string[]; parseRefused: string });
      void w.terminate();
    });
    w.once('error', rej);
  });
}

describe('configuration handed to threads', () => {
  it('reads the config file, flags, profiles and templates in a thread of its own', async () => {
    const dir = tempDir();
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, 'printers:\n  - name: front\n    listen: tcp://127.0.0.1:9100\n    profile: xprinter\nsync:\n  batch_size: 50\n');
    const { config, configData } = await readAgentConfig({ config: file, data: dir });
    expect(config.printers[0]).toMatchObject({ name: 'front', profile: 'xprinter' });
    expect(config.data).toBe(dir);
    expect(config.sync.batch_size).toBe(50);
    expect(configData.profiles.map((p) => p.name).sort()).toEqual(allProfiles().map((p) => p.name).sort());
    expect(configData.templates.map((t) => t.name)).toEqual(loadTemplates().map((t) => t.name));
  });

  it('a bad config file is a usage error with the reason, as before', async () => {
    const dir = tempDir();
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, 'printers:\n  - name: front\n    listen: tcp://127.0.0.1:9100\n    profile: no-such-printer\n');
    const err = await readAgentConfig({ config: file }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).usage).toBe(true);
    expect((err as ConfigError).message).toMatch(/profile/);
    await expect(readAgentConfig({ config: join(dir, 'missing.yaml') })).rejects.toThrow(/cannot read/);
  });

  it('a thread given the data uses it and reads no profile or template file', async () => {
    const profiles = [{ name: 'only-one', description: '', dialect: 'epson', startsInCjk: false, cjkEncoding: 'gb18030', codepages: [[0, 'cp437']] }];
    const templates = [{ ...loadTemplates()[0]!, name: 'handed-over' }];
    const seen = await inWorker({ profiles, templates });
    expect(seen.profiles).toEqual(['only-one:cp437']);
    expect(seen.templates).toEqual(['handed-over']);
    // The template files' reader (and zod with it) is not there to parse anything.
    expect(seen.parseRefused).toMatch(/handed to this thread/);
  });
});
