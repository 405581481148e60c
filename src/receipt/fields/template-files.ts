/**
 * Field templates: data in config/templates/*.yaml, validated here (template.ts loads this module
 * only where the templates were not handed over already validated). A template says how to
 * recognise a layout (patterns that must all be found) and where each field is printed (label
 * patterns; the value follows the label on the same line or stands on the next line).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { configPath } from '../../paths.js';

const pattern = z.string().min(1).refine(
  (p) => {
    try {
      new RegExp(p, 'iu');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);
const patterns = z.array(pattern).min(1);

export const FIELD_KINDS = ['text', 'id', 'card', 'amount', 'datetime', 'date', 'time', 'enum'] as const;

const fieldSchema = z
  .object({
    kind: z.enum(FIELD_KINDS),
    /** Label patterns, e.g. `商户编号` or `MERCHANT\s*NO\.?`; a bracketed translation after it is skipped. */
    labels: patterns.optional(),
    /** For `id` / `text`: the value must contain a match of this pattern (the match is the value). */
    value: pattern.optional(),
    /** For `enum`: [pattern, value] pairs tried in order on the value text. */
    values: z.array(z.tuple([pattern, z.string()])).optional(),
    /**
     * Whether the value may also stand on a line of its own, without a label: `enum` values tried
     * on whole lines (trimmed), e.g. an EMV slip's `SALE`; a `datetime` line such as
     * `2026-11-20 09:12`.
     */
    lines: z.boolean().default(false),
    /** For `text` / `id` with `lines`: a whole line (trimmed) matching this is the value. */
    linePattern: pattern.optional(),
    /** For `enum` with `lines`: patterns for whole lines, when they differ from `values`. */
    lineValues: z.array(z.tuple([pattern, z.string()])).optional(),
    /** Whether the value may stand on the line after its label. */
    nextLine: z.boolean().default(true),
    /**
     * For `text`: when no label gives it, the first printed line that is not a title (`titles`),
     * not labelled and not a separator — where shops print their name.
     */
    firstLine: z.boolean().default(false),
  })
  .strict();

const templateSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    description: z.string(),
    /** Tie-break between templates that both recognise a receipt: higher wins. */
    priority: z.number().int().default(0),
    /** Currency when an amount prints no symbol. */
    currency: z.string().regex(/^[A-Z]{3}$/),
    /** Only when one of these patterns occurs is `currency` assumed (a till's language, say). */
    currencyWhen: patterns.optional(),
    /** Day-first or month-first for dates like 03/04/2026. */
    dateOrder: z.enum(['dmy', 'mdy']).default('dmy'),
    /** Patterns that make dates month-first on this receipt (a US slip: `$`, `USD`). */
    monthFirstWhen: patterns.optional(),
    /** Lines that are titles, not names: skipped by `firstLine` fields. */
    titles: patterns.optional(),
    /** Each entry: at least one of its patterns must occur in the receipt's text. */
    detect: z.array(patterns).min(1),
    /** Patterns that rule the template out. */
    reject: patterns.optional(),
    fields: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), fieldSchema),
    /** Marks found anywhere in the text: field → value → patterns. */
    marks: z.record(z.string(), z.record(z.string(), patterns)).default({}),
    /** Retail line items: a line pattern with named groups `name`, `qty`, `amount`. */
    items: z
      .object({ lines: patterns, after: pattern.optional(), before: pattern.optional() })
      .strict()
      .optional(),
    /** Fields given when a mark is present and the field is not printed, e.g. test → trans_type other. */
    implies: z
      .array(
        z
          .object({
            when: z.string(),
            set: z.record(z.string(), z.union([z.string(), z.boolean()])),
            /** Replace a printed value too (a test slip's type is `other` whatever it prints). */
            force: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type FieldSpec = z.infer<typeof fieldSchema>;
export type Template = z.infer<typeof templateSchema>;

export function parseTemplate(source: string, file = 'template'): Template {
  const parsed = templateSchema.safeParse(parse(source));
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The shipped templates plus any a user added to config/templates/. */
export function readTemplates(dir?: string): Template[] {
  const from = dir ?? configPath('templates');
  return readdirSync(from)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => parseTemplate(readFileSync(join(from, f), 'utf8'), `${dir ?? 'config/templates'}/${f}`));
}
