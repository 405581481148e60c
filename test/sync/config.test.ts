/** The agent config's server and sync blocks, and the flags and environment on top. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../src/agent/config.js';
import { configPath } from '../../src/paths.js';
import { syncSettings } from '../../src/sync/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tilltap-sync-config-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const listen = 'tcp://127.0.0.1:9100';

describe('sync configuration', () => {
  it('has defaults when the block is absent, and the example file states them', () => {
    const c = loadAgentConfig({ listen }, {});
    expect(c.server).toBeUndefined();
    expect(c.sync).toEqual({
      interval_ms: 2000,
      idle_exit_ms: 60_000,
      batch_size: 500,
      batch_bytes: 4 * 1024 * 1024,
      gzip: true,
      connect_timeout_ms: 10_000,
      timeout_ms: 60_000,
      retry_min_ms: 2000,
      retry_max_ms: 300_000,
      hold_ms: 900_000,
      hold_max_ms: 21_600_000,
    });
    const example = loadAgentConfig({ config: configPath('agent.example.yaml') }, {});
    expect(example.sync).toEqual(c.sync);
    expect(example.server).toBeUndefined();
  });

  it('takes the server from flags over the file, the token from the environment when not given', () => {
    const p = file('s.yaml', 'server:\n  url: http://127.0.0.1:1/\n  token: file-token\nsync:\n  batch_size: 50\n  ca_file: /etc/ca.pem\n');
    const c = loadAgentConfig({ config: p, listen, server: 'http://127.0.0.1:2/', store: 'S9', terminal: 'T9' }, { TILLTAP_TOKEN: 'env-token' });
    expect(c.server).toEqual({ url: 'http://127.0.0.1:2/', token: 'file-token', store: 'S9', terminal: 'T9' });
    expect(c.sync).toMatchObject({ batch_size: 50, ca_file: '/etc/ca.pem', interval_ms: 2000 });
    expect(loadAgentConfig({ listen, server: 'http://127.0.0.1:2/' }, { TILLTAP_TOKEN: 'env-token' }).server!.token).toBe('env-token');
    expect(loadAgentConfig({ listen, server: 'http://127.0.0.1:2/', token: 'flag' }, { TILLTAP_TOKEN: 'env-token' }).server!.token).toBe('flag');
  });

  it('says in one line what is wrong', () => {
    expect(() => loadAgentConfig({ listen, server: 'http://127.0.0.1:2/' }, {})).toThrow(/needs a device token/);
    expect(() => loadAgentConfig({ listen, server: 'not a url', token: 't' }, {})).toThrow(/server\.url/);
    expect(() => loadAgentConfig({ config: file('b.yaml', 'sync:\n  batch_size: 5000\n'), listen }, {})).toThrow(/sync\.batch_size/);
    expect(() => loadAgentConfig({ config: file('c.yaml', 'sync:\n  bogus: 1\n'), listen }, {})).toThrow(/sync|bogus|Unrecognized/);
  });

  it('becomes the worker settings', () => {
    const s = syncSettings(loadAgentConfig({ config: file('d.yaml', 'sync:\n  retry_min_ms: 5000\n  retry_max_ms: 1000\n  gzip: false\n'), listen }, {}).sync);
    expect(s).toEqual({
      intervalMs: 2000,
      batchSize: 500,
      batchBytes: 4 * 1024 * 1024,
      gzip: false,
      backoff: { baseMs: 5000, maxMs: 5000 },
      hold: { baseMs: 900_000, maxMs: 21_600_000 },
    });
  });
});
