/**
 * Printer profiles: each vendor's dialect and `ESC t n` → code page map, read from
 * config/printers/*.yaml and validated (profile-files.ts), or handed to this thread already
 * validated (src/config-data.ts). A profile is data; there is no code per vendor.
 */
import { givenConfigData } from '../config-data.js';
import type { CjkEncoding } from './codepages.js';
import type { Dialect } from './commands.js';

export const PROFILE_NAMES = [
  'epson', 'xprinter', 'bixolon', 'citizen', 'sunmi', 'pos-5890', 'hp', 'star', 'star-line', 'generic-cn',
] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
/** What a user may pass to `--profile`: a profile, or `auto` to infer it from the stream. */
export type ProfileChoice = ProfileName | 'auto';

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

/** A profile as plain data (what crosses to a worker thread). */
export interface ProfileData extends Omit<PrinterProfile, 'codepages'> {
  readonly codepages: ReadonlyArray<readonly [number, string]>;
}

// The files (and the YAML parser and zod that read them) only where the data was not handed over.
const given = givenConfigData()?.profiles;
const files = given ? null : await import('./profile-files.js');

let loaded: Map<string, PrinterProfile> | undefined;

function load(): Map<string, PrinterProfile> {
  if (loaded) return loaded;
  const out = new Map<string, PrinterProfile>();
  for (const p of given ?? files!.readProfiles()) out.set(p.name, { ...p, codepages: new Map(p.codepages) });
  return (loaded = out);
}

/** Every profile as plain data, validated: for a worker thread's `configData`. */
export function profileData(): ProfileData[] {
  return [...load().values()].map((p) => ({ ...p, codepages: [...p.codepages] }));
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
