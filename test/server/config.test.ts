import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServerConfig, parseListen } from '../../src/server/config.js';
import { freePort } from '../../scripts/lib/net.js';
import { DbOpenError, DbUrlError, DEFAULT_DB, openStorage, parseDbUrl, redact } from '../../src/server/storage/open.js';
import { tempDir } from './helpers.js';

describe('server config', () => {
  it('defaults, the file, and flags on top', () => {
    expect(loadServerConfig({})).toMatchObject({ listen: '127.0.0.1:8470', db: DEFAULT_DB, limits: { body_bytes: 8 * 1024 * 1024, receipts_per_batch: 1000 }, log: { level: 'info' } });
    const file = join(tempDir(), 'server.yaml');
    writeFileSync(file, 'listen: 127.0.0.1:9000\ndb: /var/lib/tilltap/server.db\nlimits:\n  body_bytes: 1048576\nlog:\n  level: warn\n');
    expect(loadServerConfig({ config: file })).toMatchObject({ listen: '127.0.0.1:9000', db: '/var/lib/tilltap/server.db', limits: { body_bytes: 1048576, receipts_per_batch: 1000 }, log: { level: 'warn' } });
    expect(loadServerConfig({ config: file, listen: '[::1]:0', db: 'x.db' })).toMatchObject({ listen: '[::1]:0', db: 'x.db' });
  });

  it('one-line errors for a wrong file', () => {
    const dir = tempDir();
    const bad = (text: string) => {
      const f = join(dir, `c${Math.random()}.yaml`);
      writeFileSync(f, text);
      return () => loadServerConfig({ config: f });
    };
    expect(bad('listen: [1, 2')).toThrow(/not valid YAML/);
    expect(bad('lissen: 127.0.0.1:1\n')).toThrow(/lissen/);
    expect(bad('limits:\n  body_bytes: 10\n')).toThrow(/limits\.body_bytes/);
    expect(bad('listen: nowhere\n')).toThrow(/HOST:PORT/);
    expect(() => loadServerConfig({ config: join(dir, 'missing.yaml') })).toThrow(/cannot read/);
  });

  it('listen addresses', () => {
    expect(parseListen('127.0.0.1:8470')).toEqual({ host: '127.0.0.1', port: 8470 });
    expect(parseListen('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    for (const bad of ['8470', '127.0.0.1', '127.0.0.1:99999', '::1:80', 'a b:1']) expect(() => parseListen(bad)).toThrow();
  });

  it('--db: a path, sqlite:PATH, postgres:// and postgresql:// URLs; malformed and unknown ones are DbUrlError', () => {
    expect(parseDbUrl('./x.db')).toEqual({ kind: 'sqlite', file: './x.db' });
    expect(parseDbUrl('C:\\data\\x.db')).toEqual({ kind: 'sqlite', file: 'C:\\data\\x.db' });
    expect(parseDbUrl('sqlite:/tmp/x.db')).toEqual({ kind: 'sqlite', file: '/tmp/x.db' });
    expect(parseDbUrl('postgresql://u:secret@h/db')).toEqual({ kind: 'postgres', url: 'postgresql://u:secret@h/db' });
    expect(parseDbUrl('postgres://u@127.0.0.1:5432/tilltap')).toEqual({ kind: 'postgres', url: 'postgres://u@127.0.0.1:5432/tilltap' });
    expect(parseDbUrl('postgres:///tilltap?host=/run/postgresql').kind).toBe('postgres');
    for (const bad of ['postgres://u:secret@[bad/db', 'postgres://u:secret@127.0.0.1:99999/db', 'postgres://u:secret@h:port/db', 'postgres:///db', 'mysql://h/db']) {
      expect(() => parseDbUrl(bad), bad).toThrow(DbUrlError);
      expect(() => parseDbUrl(bad), bad).not.toThrow(/secret/);
    }
    expect(redact('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
  });

  it('a PostgreSQL server that does not answer is a DbOpenError: one line, no password', async () => {
    const port = await freePort();
    const err = (await openStorage(parseDbUrl(`postgres://u:secret@127.0.0.1:${port}/db`)).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DbOpenError);
    expect(err.message).toMatch(new RegExp(`^cannot open the database postgres://u:\\*\\*\\*@127\\.0\\.0\\.1:${port}/db: .*ECONNREFUSED`));
    expect(err.message).not.toContain('secret');
    expect(err.message).not.toContain('\n');
  });
});

describe('shipped config files', () => {
  it('the example loads, and config/server.schema.json is up to date', async () => {
    const { configPath } = await import('../../src/paths.js');
    const { readFileSync } = await import('node:fs');
    const { serverSchemaText } = await import('../../scripts/gen-server-schema.js');
    expect(loadServerConfig({ config: configPath('server.example.yaml') })).toMatchObject({ listen: '127.0.0.1:8470', db: './tilltap-server.db' });
    expect(readFileSync(configPath('server.schema.json'), 'utf8')).toBe(serverSchemaText());
  });
});
