/**
 * Printer profiles: each vendor's dialect and `ESC t n` → code page map, read from
 * config/printers/*.yaml and validated. A profile is data; there is no code per vendor.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { configPath } from '../paths.js';
import { CJK_ENCODINGS, type CjkEncoding, hasEncoding } from './codepages.js';
import type { Dialect } from './commands.js';

export const PROFILE_NAMES = [
  'epson', 'xprinter', 'bixolon', 'citizen', 'sunmi', 'pos-5890', 'hp', 'star', 'star-line', 'generic-cn',
] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
/** What a user may pass to `--profile`: a profile, or `auto` to infer it from the stream. */
export type ProfileChoice = ProfileName | 'auto';

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

export interface PrinterProfile {
  readonly name: string;
  readonly description: string;
  readonly dialect: Dialect;
  /** Powers up in CJK mode: GB18030 (or `cjkEncoding`) without any `FS &`. */
  readonly startsInCjk: boolean;
  readonly cjkEncoding: CjkEncoding;
  /** `ESC t n` → code page name. */
  readonly codepages: ReadonlyMap<number, string>;
}

let loaded: Map<string, PrinterProfile> | undefined;

function load(): Map<string, PrinterProfile> {
  if (loaded) return loaded;
  const dir = configPath('printers');
  const out = new Map<string, PrinterProfile>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const parsed = profileSchema.safeParse(parse(readFileSync(`${dir}/${file}`, 'utf8')));
    if (!parsed.success) {
      throw new Error(`config/printers/${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const p = parsed.data;
    const codepages = new Map<number, string>();
    for (const [n, name] of Object.entries(p.codepages)) {
      if (!hasEncoding(name)) throw new Error(`config/printers/${file}: unknown code page "${name}" for ESC t ${n}`);
      codepages.set(Number(n), name);
    }
    out.set(p.name, { ...p, codepages });
  }
  return (loaded = out);
}

export function getProfile(name: string): PrinterProfile {
  const p = load().get(name);
  if (!p) throw new Error(`unknown printer profile "${name}" (known: ${[...load().keys()].join(', ')})`);
  return p;
}

export function allProfiles(): PrinterProfile[] {
  return [...load().values()];
}

export function isProfileChoice(name: string): name is ProfileChoice {
  return name === 'auto' || (PROFILE_NAMES as readonly string[]).includes(name);
}
