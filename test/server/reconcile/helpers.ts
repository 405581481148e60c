/**
 * A generated day (scripts/gen/reconcile.ts) taken through the server the way it arrives: receipts
 * and health events over the agents' routes with device tokens, statement files imported, then
 * `tilltap reconcile` (the built CLI, `npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { dayFiles, healthBatches, receiptBatches, type DayFile } from '../../../scripts/gen/day-files.js';
import { anchorOf, type GeneratedDay } from '../../../scripts/gen/reconcile.js';
import type { Discrepancy } from '../../../src/server/matcher/types.js';
import type { Storage } from '../../../src/server/storage/types.js';
import { freshPgDatabaseUrl } from '../../helpers/postgres.js';
import type { Backend } from '../backends.js';
import { deviceToken, tempDir } from '../helpers.js';

export const BIN = resolve(import.meta.dirname, '../../../dist/src/cli/main.js');

export function tilltap(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A database the CLI and the app can both open: a SQLite file, or a PostgreSQL database of its own. */
export const freshDb = (backend: Backend): Promise<string> => (backend.name === 'postgres' ? freshPgDatabaseUrl() : backend.fresh());

export const bearer = (secret: string): Record<string, string> => ({ authorization: `Bearer ${secret}` });

/** The day's receipts and health events, sent as the stores' agents send them. */
export async function sendAgentData(app: FastifyInstance, storage: Storage, day: GeneratedDay): Promise<void> {
  const tokens = new Map<string, string>();
  const tokenOf = async (store: string): Promise<string> => {
    let t = tokens.get(store);
    if (!t) tokens.set(store, (t = (await deviceToken(storage, store)).secret));
    return t;
  };
  for (const b of receiptBatches(day, 500)) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/receipts', headers: bearer(await tokenOf(b.store)), payload: b.body });
    expect(r.statusCode, r.body).toBe(200);
  }
  for (const b of healthBatches(day)) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/health-events', headers: bearer(await tokenOf(b.store)), payload: b.body });
    expect(r.statusCode, r.body).toBe(200);
  }
}

/** Each file written to a temp directory, for the CLI. */
export function writeDayFiles(day: GeneratedDay): Array<DayFile & { path: string }> {
  const dir = tempDir();
  return dayFiles(day).map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, f.bytes);
    return { ...f, path };
  });
}

/**
 * A stored discrepancy (statement ids `${fileId}:${line}`) under the generator's anchor (`F1:7`):
 * `files` maps each imported file id to the generator's file key.
 */
export function anchorOfStored(d: Discrepancy, files: ReadonlyMap<string, string>): string {
  const rename = (id: string): string => {
    const [file, line] = id.split(':') as [string, string];
    const key = files.get(file);
    if (!key) throw new Error(`statement row ${id} of no imported file`);
    return `${key}:${line}`;
  };
  return anchorOf({ ...d, statement_ids: d.statement_ids.map(rename) });
}

/** What was found against what was injected, as two lists that are empty when they agree. */
export function compare(day: GeneratedDay, found: readonly Discrepancy[], files: ReadonlyMap<string, string>): { missed: string[]; invented: string[] } {
  const want = new Set(day.expected.map((e) => `${e.kind} ${e.anchor}`));
  const got = found.map((d) => `${d.kind} ${anchorOfStored(d, files)}`);
  return {
    missed: day.expected.filter((e) => !got.includes(`${e.kind} ${e.anchor}`)).map((e) => `${e.kind} ${e.anchor} (${e.note})`),
    invented: found.filter((d, i) => !want.has(got[i]!)).map((d) => `${d.kind}: ${d.explanation_en}`),
  };
}
