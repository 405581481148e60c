import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaText } from '../../scripts/gen-schema.js';
import { loadAgentConfig } from '../../src/agent/config.js';
import { configPath } from '../../src/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'tilltap-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('agent configuration', () => {
  it('reads the example config', () => {
    const c = loadAgentConfig({ config: configPath('agent.example.yaml') });
    expect(c.printers[0]).toMatchObject({ name: 'counter-1', listen: 'tcp://127.0.0.1:9100', profile: 'auto', idle_ms: 3000 });
    expect(c.retention.days).toBe(90);
  });

  it('flags override the file and can stand alone', () => {
    const p = file('a.yaml', 'data: /var/x\nprinters:\n  - name: a\n    listen: tcp://127.0.0.1:9100\n');
    const c = loadAgentConfig({ config: p, listen: 'tcp://127.0.0.1:9200', printer: 'tcp://127.0.0.1:9201', data: '/tmp/d' });
    expect(c.data).toBe('/tmp/d');
    expect(c.printers[0]).toMatchObject({ name: 'a', listen: 'tcp://127.0.0.1:9200', printer: 'tcp://127.0.0.1:9201' });
    expect(loadAgentConfig({ listen: 'tcp://127.0.0.1:9100' }).printers[0]!.name).toBe('printer-1');
  });

  it('says in one line what is wrong', () => {
    expect(() => loadAgentConfig({})).toThrow(/no printer/);
    expect(() => loadAgentConfig({ config: file('b.yaml', 'printers:\n  - name: a\n    listen: http://x\n') })).toThrow(/printers\.0\.listen/);
    expect(() => loadAgentConfig({ config: file('c.yaml', 'printers: [\n') })).toThrow(/not valid YAML/);
    expect(() => loadAgentConfig({ config: join(dir, 'missing.yaml') })).toThrow(/cannot read/);
    expect(() => loadAgentConfig({ config: file('d.yaml', 'printers:\n  - {name: a, listen: "tcp://127.0.0.1:1"}\n  - {name: a, listen: "tcp://127.0.0.1:2"}\n') })).toThrow(/two printers are named "a"/);
    expect(() => loadAgentConfig({ config: file('e.yaml', 'bogus: 1\nprinters:\n  - {name: a, listen: "tcp://127.0.0.1:1"}\n') })).toThrow(/bogus|Unrecognized/);
  });

  it('ships a JSON Schema for editors that matches the zod schema', () => {
    expect(readFileSync(configPath('agent.schema.json'), 'utf8')).toBe(schemaText());
  });
});
