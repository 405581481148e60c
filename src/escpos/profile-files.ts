/**
 * Reads and validates config/printers/*.yaml (see profiles.ts, which loads this module only where
 * the profiles were not handed over already validated).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { configPath } from '../paths.js';
import { CJK_ENCODINGS, hasEncoding } from './codepages.js';
import type { ProfileData } from './profiles.js';

const profileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    dialect: z.enum(['epson', 'clone', 'star-line']),
    startsInCjk: z.boolean().default(false),
    cjkEncoding: z.enum(CJK_ENCODINGS).default('gb18030'),
    codepages: z.record(z.string().regex(/^\d+$/), z.string().min(1)),
  })
  .strict();

export function readProfiles(): ProfileData[] {
  const dir = configPath('printers');
  const out: ProfileData[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const parsed = profileSchema.safeParse(parse(readFileSync(`${dir}/${file}`, 'utf8')));
    if (!parsed.success) {
      throw new Error(`config/printers/${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const p = parsed.data;
    const codepages: Array<[number, string]> = [];
    for (const [n, name] of Object.entries(p.codepages)) {
      if (!hasEncoding(name)) throw new Error(`config/printers/${file}: unknown code page "${name}" for ESC t ${n}`);
      codepages.push([Number(n), name]);
    }
    out.push({ ...p, codepages });
  }
  return out;
}
