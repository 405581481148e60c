/**
 * Column mappings for the `generic` format: a YAML file in config/statement-mappings/ (or
 * anywhere, by path) that says how one bank's statement is written — encoding, delimiter, where
 * the header is, which header name holds which field, how dates, times and amounts are written,
 * and what its type values mean. Validated with zod; a bad mapping is a one-line
 * STATEMENT_BAD_MAPPING naming the file and the key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { TransType } from '../../receipt/fields/types.js';
import { configPath } from '../../paths.js';
import { compilePattern, type DatePattern } from './datetime.js';
import { StatementError } from './errors.js';
import { FIELDS, type Field } from './fields.js';
import type { AmountFormat } from './money.js';
import { headerKey } from './table.js';
import { TEXT_ENCODINGS } from './text.js';
import { TRANS_TYPES } from './values.js';

const field = z.enum(FIELDS);

export const mappingSchema = z
  .object({
    /** How `--mapping NAME` finds it (the file name without .yaml, by convention). */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, . _ - (at most 64)'),
    description: z.string().optional(),
    encoding: z.enum(TEXT_ENCODINGS).default('auto'),
    /** One character; "\t" for tab-separated files. */
    delimiter: z.string().length(1).default(','),
    /** The header's line (1-based); without it, the first line naming every mapped field. */
    header_line: z.number().int().min(1).max(10_000).optional(),
    /** Lines after the header whose first cell starts with one of these are totals, not rows. */
    footer_prefixes: z.array(z.string().min(1)).default(['合计', '总计', 'Total', '#']),
    language: z.enum(['zh', 'en']).optional(),
    /** ISO 4217 currency of amounts when no column says. */
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY').default('CNY'),
    /** The merchant, when the file does not carry it in a column. */
    merchant_id: z.string().min(1).optional(),
    /** Header name → field. Several names may map to one field (layout versions); the first present wins. */
    columns: z.record(z.string().min(1), field),
    /** Declared patterns: YYYY YY MM M DD D HH H mm ss, anything else literal ("DD.MM.YYYY"). */
    formats: z
      .object({ datetime: z.string().min(1).optional(), date: z.string().min(1).optional(), time: z.string().min(1).optional() })
      .strict()
      .default({}),
    amount: z
      .object({
        /** `major`: 128.10 yuan; `minor`: 12810 fen. */
        unit: z.enum(['major', 'minor']).default('major'),
        decimal: z.enum(['.', ',']).default('.'),
        group: z.enum([',', '.', ' ', "'", '']).default(','),
        /** `signed`: negative amounts are money going back; `magnitude`: never negative. */
        sign: z.enum(['signed', 'magnitude']).default('signed'),
      })
      .strict()
      .default({ unit: 'major', decimal: '.', group: ',', sign: 'signed' }),
    /** Type value (compared trimmed, case-insensitive) → trans_type; without it, the built-in words. */
    types: z.record(z.string(), z.enum(TRANS_TYPES)).optional(),
    /** A type value neither `types` nor the built-in words know: refuse the file, or keep `other`. */
    unknown_type: z.enum(['error', 'other']).default('error'),
  })
  .strict()
  .superRefine((m, ctx) => {
    const targets = new Set(Object.values(m.columns));
    if (!targets.has('amount') && !targets.has('amount_minor')) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'no column maps to amount' });
    if (!targets.has('datetime') && !targets.has('date')) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'no column maps to datetime or date' });
    if (m.types && !targets.has('trans_type')) ctx.addIssue({ code: 'custom', path: ['types'], message: 'types given but no column maps to trans_type' });
    if (m.amount.decimal === m.amount.group) ctx.addIssue({ code: 'custom', path: ['amount', 'group'], message: 'the same character as decimal' });
    if (m.delimiter === m.amount.decimal && m.amount.unit === 'major') ctx.addIssue({ code: 'custom', path: ['delimiter'], message: 'the same character as the decimal separator' });
    for (const k of ['datetime', 'date', 'time'] as const) {
      const p = m.formats[k];
      if (p === undefined) continue;
      try {
        const c = compilePattern(p);
        const ok = k === 'datetime' ? c.hasDate : k === 'date' ? c.hasDate && !c.hasTime : c.hasTime && !c.hasDate;
        if (!ok) ctx.addIssue({ code: 'custom', path: ['formats', k], message: `"${p}" is not a ${k} pattern` });
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['formats', k], message: (err as Error).message });
      }
    }
  });

export type MappingSpec = z.infer<typeof mappingSchema>;

/** A validated mapping, ready for the generic importer. */
export interface StatementMapping {
  readonly spec: MappingSpec;
  /** Where it came from (a path or "inline"), for messages. */
  readonly origin: string;
  readonly patterns: { readonly datetime?: DatePattern; readonly date?: DatePattern; readonly time?: DatePattern };
  readonly amount: AmountFormat;
  /** headerKey(type value) → trans_type. */
  readonly types: ReadonlyMap<string, TransType> | null;
  /** Field → the header names that may hold it, in the mapping's order. */
  readonly fields: ReadonlyMap<Field, readonly string[]>;
}

function badMapping(origin: string, detail: string): StatementError {
  return new StatementError('STATEMENT_BAD_MAPPING', `${origin}: ${detail}`);
}

/** A mapping from its YAML text (pure); `origin` names it in messages. */
export function parseMapping(text: string, origin: string): StatementMapping {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw badMapping(origin, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return compileMapping(raw, origin);
}

/** A mapping from an already-parsed object (pure). */
export function compileMapping(raw: unknown, origin: string): StatementMapping {
  const r = mappingSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw badMapping(origin, `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const spec = r.data;
  const fields = new Map<Field, string[]>();
  for (const [name, f] of Object.entries(spec.columns)) fields.set(f, [...(fields.get(f) ?? []), name]);
  const patterns: { datetime?: DatePattern; date?: DatePattern; time?: DatePattern } = {};
  for (const k of ['datetime', 'date', 'time'] as const) if (spec.formats[k]) patterns[k] = compilePattern(spec.formats[k]);
  const types = spec.types
    ? new Map(Object.entries(spec.types).map(([v, t]) => [headerKey(v), t]))
    : null;
  const { unit, decimal, group } = spec.amount;
  return { spec, origin, patterns, amount: { unit, decimal, group }, types, fields };
}

export const MAPPINGS_DIR = (): string => configPath('statement-mappings');

/** The shipped mappings' names (config/statement-mappings/*.yaml). */
export function mappingNames(): string[] {
  try {
    return readdirSync(MAPPINGS_DIR())
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => basename(f, extname(f)))
      .sort();
  } catch {
    return [];
  }
}

/** `--mapping FILE` (a path: has a slash or ends .yaml/.yml) or `--mapping NAME` (a shipped one). */
export function loadMapping(nameOrPath: string): StatementMapping {
  const isPath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/i.test(nameOrPath);
  const path = isPath ? nameOrPath : configPath('statement-mappings', `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const known = mappingNames();
    const hint = isPath ? '' : ` (shipped mappings: ${known.join(', ') || 'none'})`;
    throw badMapping(nameOrPath, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}${hint}`);
  }
  return parseMapping(text, path);
}
