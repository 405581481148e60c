/** The shared reference captures: reached as ../shared/corpus from the project root, absent in a lone clone. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CORPUS = resolve(import.meta.dirname, '../../../shared/corpus');
export const hasCorpus = existsSync(CORPUS);

export function corpusFiles(): string[] {
  if (!hasCorpus) return [];
  const out: string[] = [];
  for (const dir of readdirSync(CORPUS, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(CORPUS, dir.name))) {
      if (/\.(bin|prn)$/.test(f)) out.push(`${dir.name}/${f}`);
    }
  }
  return out.sort();
}

export function readCorpus(name: string): Buffer {
  return readFileSync(join(CORPUS, name));
}
