/**
 * Receipt lines → fields, driven by the templates in config/templates/. The template whose
 * `detect` patterns are all found (and no `reject` pattern) is used — the highest priority, then
 * the one that extracts most, if several fit; when none fits, the fields are `{}`: never a guess.
 *
 * On each line every label of the template is found; a label's value runs to the next label on
 * the line, or, when it is empty, is the whole next line (if that line is not itself labelled).
 */
import type { FieldSpec, Template } from './template.js';
import { loadTemplates } from './template.js';
import type { LineItem, ReceiptFieldSet } from './types.js';
import { type DateParts, isoLocal, parseAmount, parseCard, parseDate, parseDateTime, parseId, parseTime, type TimeParts } from './values.js';

type Fields = Record<string, string | number | boolean | readonly LineItem[]>;

interface Compiled {
  readonly t: Template;
  readonly detect: RegExp[];
  readonly reject: RegExp | null;
  /** All labels of all fields in one pattern; group `fN` tells which field. */
  readonly labels: RegExp;
  /** For each capture group of `labels` that wraps a whole label: its field and rank. */
  readonly groups: Array<{ field: string; rank: number; cjk: boolean } | undefined>;
  /**
   * An unbracketed English translation after a Chinese label (`金额 AMOUT:`, `原凭证号 OLD
   * VOUCHER`): one of the template's English labels, maybe after a word. Tried where a Chinese
   * label ends, so that `商户名称 UNIQLO SHANGHAI` keeps its value.
   */
  readonly gloss: RegExp;
  readonly fieldNames: string[];
  readonly values: Map<string, RegExp | null>;
  readonly enums: Map<string, Array<[RegExp, string]>>;
  readonly lineEnums: Map<string, Array<[RegExp, string]>>;
  readonly marks: Array<[field: string, value: string, re: RegExp]>;
  readonly item: RegExp[];
  readonly monthFirst: RegExp | null;
  readonly titles: RegExp | null;
  readonly currencyWhen: RegExp | null;
  readonly itemsAfter: RegExp | null;
  readonly itemsBefore: RegExp | null;
}

const ASCII_WORD = /^[\x20-\x7e]*$/;

/**
 * A label pattern as written in a template → its regex source. A Chinese label may carry its
 * English translation in brackets (`商户编号(MERCHANT NO.)`), which is part of the label; an
 * unbracketed translation (`金额 AMOUT:`) is taken by `glossAfter`.
 */
function labelSource(p: string): string {
  // Latin labels must not match inside words (TID in STIDE); CJK labels have no word boundary.
  const core = ASCII_WORD.test(p) ? `(?<![A-Za-z])(?:${p})(?![A-Za-z])` : `(?:${p})`;
  return `${core}(?:\\s*[（(][^)）]{0,40}[)）])?`;
}

/** How many capturing groups a pattern has (a template may use some). */
function groupCount(p: string): number {
  return new RegExp(`${p}|`, 'u').exec('')!.length - 1;
}

/**
 * Roughly how many characters a label matches: longer labels are tried first, so that 收银员
 * wins over 收\s*银 and 原凭证号 over 凭证号 (a regex alternation takes the first that matches).
 */
function labelWeight(p: string): number {
  return p
    .replace(/\(\?<?[=!][^)]*\)/g, '') // lookarounds
    .replace(/\\[sSdDwW][*+?]?|\\./g, (m) => (m.startsWith('\\.') ? '.' : ''))
    .replace(/\[[^\]]*\]/g, 'x')
    .replace(/[()?*+|:]/g, '').length;
}

const compiled = new WeakMap<Template, Compiled>();

function compile(t: Template): Compiled {
  const hit = compiled.get(t);
  if (hit) return hit;
  const fieldNames = Object.keys(t.fields);
  // Longer label patterns first, so that DATE/TIME wins over DATE and 原凭证号 over 凭证号.
  const alts: Array<[label: string, field: number, rank: number]> = [];
  fieldNames.forEach((name, i) => {
    (t.fields[name]!.labels ?? []).forEach((l, rank) => alts.push([l, i, rank]));
  });
  alts.sort((a, b) => labelWeight(b[0]) - labelWeight(a[0]));
  const english = alts.filter(([l]) => ASCII_WORD.test(l)).map(([l]) => l);
  const groups: Compiled['groups'] = [undefined];
  const sources = alts.map(([l, i, rank]) => {
    groups.push({ field: fieldNames[i]!, rank, cjk: !ASCII_WORD.test(l) });
    for (let g = groupCount(l); g > 0; g--) groups.push(undefined);
    return `(${labelSource(l)})`;
  });
  const labels = new RegExp(sources.join('|'), 'giu');
  const gloss = new RegExp(`\\s*(?:[A-Za-z]+\\.?\\s)?(?:${english.join('|') || '(?!)'})(?![A-Za-z])`, 'iuy');
  const c: Compiled = {
    t,
    detect: t.detect.map((alternatives) => new RegExp(alternatives.join('|'), 'iu')),
    reject: t.reject ? new RegExp(t.reject.join('|'), 'iu') : null,
    labels,
    groups,
    gloss,
    fieldNames,
    values: new Map(fieldNames.map((n) => [n, t.fields[n]!.value ? new RegExp(t.fields[n]!.value!, 'iu') : null])),
    enums: new Map(
      fieldNames
        .filter((n) => t.fields[n]!.kind === 'enum')
        .map((n) => [n, (t.fields[n]!.values ?? []).map(([p, v]): [RegExp, string] => [new RegExp(p, 'iu'), v])]),
    ),
    lineEnums: new Map(
      fieldNames
        .filter((n) => t.fields[n]!.kind === 'enum' && t.fields[n]!.lines)
        .map((n) => [n, (t.fields[n]!.lineValues ?? t.fields[n]!.values ?? []).map(([p, v]): [RegExp, string] => [new RegExp(p, 'iu'), v])]),
    ),
    marks: Object.entries(t.marks).flatMap(([field, byValue]) =>
      Object.entries(byValue).map(([value, ps]): [string, string, RegExp] => [field, value, new RegExp(ps.join('|'), 'iu')]),
    ),
    item: (t.items?.lines ?? []).map((p) => new RegExp(p, 'iu')),
    monthFirst: t.monthFirstWhen ? new RegExp(t.monthFirstWhen.join('|'), 'iu') : null,
    titles: t.titles ? new RegExp(t.titles.join('|'), 'iu') : null,
    currencyWhen: t.currencyWhen ? new RegExp(t.currencyWhen.join('|'), 'iu') : null,
    itemsAfter: t.items?.after ? new RegExp(t.items.after, 'iu') : null,
    itemsBefore: t.items?.before ? new RegExp(t.items.before, 'iu') : null,
  };
  compiled.set(t, c);
  return c;
}

interface LabelHit {
  readonly field: string;
  /** The label's place in its field's list: earlier labels are preferred (TOTAL over AMOUNT). */
  readonly rank: number;
  readonly start: number;
  /** Where the value starts: after the label, its translation and a colon. */
  readonly valueStart: number;
}

function labelsIn(c: Compiled, line: string): LabelHit[] {
  const hits: LabelHit[] = [];
  const re = c.labels;
  re.lastIndex = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    let g = 1;
    while (m[g] === undefined || c.groups[g] === undefined) g++;
    const { field, rank, cjk } = c.groups[g]!;
    let end = m.index + m[0].length;
    if (cjk) {
      c.gloss.lastIndex = end;
      if (c.gloss.test(line)) end = c.gloss.lastIndex;
      re.lastIndex = end;
    }
    const sep = /^\s*[:：]?\s*/u.exec(line.slice(end))!;
    hits.push({ field, rank, start: m.index, valueStart: end + sep[0].length });
  }
  return hits;
}

interface Raw {
  readonly text: string;
  readonly rank: number;
}

/** The raw value text of each labelled field: first occurrence wins. */
function rawValues(c: Compiled, lines: readonly string[]): Map<string, Raw[]> {
  const out = new Map<string, Raw[]>();
  const hitsPerLine = lines.map((l) => labelsIn(c, l));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const hits = hitsPerLine[i]!;
    for (let h = 0; h < hits.length; h++) {
      const hit = hits[h]!;
      const last = h + 1 === hits.length;
      const end = last ? line.length : hits[h + 1]!.start;
      // An English translation the template does not know, up to a colon, is not the value.
      let text = line.slice(hit.valueStart, end).trim().replace(/^[A-Za-z][A-Za-z./&# ]{0,30}?[:：]\s*/, '');
      const spec = c.t.fields[hit.field]!;
      // A label that ends its line has its value on the next line, if that line has no label.
      if (text === '' && last && spec.nextLine && i + 1 < lines.length && hitsPerLine[i + 1]!.length === 0) {
        text = lines[i + 1]!.trim();
      }
      const list = out.get(hit.field) ?? [];
      list.push({ text, rank: hit.rank });
      out.set(hit.field, list);
    }
  }
  return out;
}

function lineEnum(c: Compiled, field: string, line: string): string | null {
  for (const [re, v] of c.lineEnums.get(field) ?? []) if (re.test(line)) return v;
  return null;
}

/** A line that is a date and a time and little else. */
function lineDateTime(line: string, order: 'dmy' | 'mdy'): string | null {
  if (!/\d{1,2}:\d{2}/.test(line) || line.replace(/[\d\s/.:\-年月日]/gu, '').length > 12) return null;
  return parseDateTime(line, order);
}

/** The first line that is not a title, not labelled, not a separator: a shop's name. */
function firstNameLine(c: Compiled, lines: readonly string[]): string | null {
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || /^[-=*_.~#]{3,}$/.test(line)) continue;
    if (c.titles?.test(line)) continue;
    if (labelsIn(c, line).length > 0) return null;
    return line;
  }
  return null;
}

function enumValue(c: Compiled, field: string, text: string): string | null {
  for (const [re, v] of c.enums.get(field) ?? []) if (re.test(text)) return v;
  return null;
}

/** Field value from its raw text, by kind; null when the text holds no such value. */
function valueOf(c: Compiled, field: string, spec: FieldSpec, text: string, state: State): string | number | null {
  switch (spec.kind) {
    case 'text': {
      const re = c.values.get(field);
      if (re) return re.exec(text)?.[0]?.trim() || null;
      return text.trim() || null;
    }
    case 'id':
      return parseId(text, c.values.get(field) ?? null);
    case 'card':
      return parseCard(text);
    case 'enum':
      return enumValue(c, field, text);
    case 'amount': {
      const money = parseAmount(text, c.t.currency);
      if (!money) return null;
      if (money.currency && !state.currency) state.currency = money.currency;
      return money.minor;
    }
    case 'datetime':
      return parseDateTime(text, state.order);
    case 'date': {
      const d = parseDate(text, state.order);
      if (d) state.date ??= d;
      // A DATE label with the time on the same value ("DATE 20/11/2026 09:10").
      const t = d ? parseTime(text.replace(/\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}/, ' ')) : null;
      if (t) state.time ??= t;
      return null;
    }
    case 'time': {
      const t = parseTime(text);
      if (t) state.time ??= t;
      return null;
    }
  }
}

interface State {
  order: 'dmy' | 'mdy';
  currency: string | null;
  date: DateParts | null;
  time: TimeParts | null;
}

function items(c: Compiled, lines: readonly string[]): LineItem[] {
  if (c.item.length === 0) return [];
  let on = c.itemsAfter === null;
  const out: LineItem[] = [];
  for (const line of lines) {
    if (!on) {
      if (c.itemsAfter!.test(line)) on = true;
      continue;
    }
    if (c.itemsBefore?.test(line)) break;
    let m: RegExpExecArray | null = null;
    for (const re of c.item) if ((m = re.exec(line))) break;
    if (!m?.groups?.name) continue;
    const item: { name: string; qty?: number; amount_minor?: number } = { name: m.groups.name.trim() };
    if (m.groups.qty) item.qty = Number(m.groups.qty);
    if (m.groups.amount) {
      const money = parseAmount(m.groups.amount, c.t.currency);
      if (money) item.amount_minor = money.minor;
    }
    out.push(item);
  }
  return out;
}

/** Extract with one template (it must already be known to fit). */
function extractWith(c: Compiled, lines: readonly string[], text: string): Fields {
  const fields: Fields = {};
  const state: State = { order: c.monthFirst?.test(text) ? 'mdy' : c.t.dateOrder, currency: null, date: null, time: null };
  const raws = rawValues(c, lines);
  for (const [field, list] of raws) {
    const spec = c.t.fields[field]!;
    // Preferred labels first, then paper order (the sort is stable).
    for (const raw of [...list].sort((a, b) => a.rank - b.rank)) {
      const v = valueOf(c, field, spec, raw.text, state);
      if (v !== null && v !== '' && fields[field] === undefined) {
        fields[field] = v;
        break;
      }
    }
  }
  if (fields.datetime === undefined && state.date) fields.datetime = isoLocal(state.date, state.time);
  for (const [field, spec] of Object.entries(c.t.fields)) {
    if (!spec.firstLine || fields[field] !== undefined) continue;
    const name = firstNameLine(c, lines);
    if (name !== null) fields[field] = name;
  }
  // Values that may also be a line of their own (an EMV slip's "SALE", a till's date line).
  for (const [field, spec] of Object.entries(c.t.fields)) {
    if (!spec.lines || fields[field] !== undefined) continue;
    for (const line of lines) {
      const v =
        spec.kind === 'enum'
          ? lineEnum(c, field, line.trim())
          : spec.kind === 'datetime'
            ? lineDateTime(line, state.order)
            : spec.linePattern
              ? (new RegExp(spec.linePattern, 'iu').exec(line.trim())?.[0] ?? null)
              : null;
      if (v !== null) {
        fields[field] = v;
        break;
      }
    }
  }
  for (const [field, value, re] of c.marks) {
    if (fields[field] === undefined && re.test(text)) fields[field] = value === 'true' ? true : value;
  }
  for (const rule of c.t.implies) {
    if (fields[rule.when] === undefined) continue;
    for (const [k, v] of Object.entries(rule.set)) if (rule.force || fields[k] === undefined) fields[k] = v;
  }
  const hasMoney = ['amount_minor', 'total_minor', 'tip_minor'].some((f) => fields[f] !== undefined);
  const assumed = c.currencyWhen === null || c.currencyWhen.test(text) ? c.t.currency : null;
  const currency = state.currency ?? assumed;
  if (hasMoney && currency) fields.currency = currency;
  const list = items(c, lines);
  if (list.length > 0) fields.items = list;
  return fields;
}

function fits(c: Compiled, text: string): boolean {
  return c.detect.every((re) => re.test(text)) && !(c.reject?.test(text) ?? false);
}

const prefilters = new WeakMap<readonly Template[], RegExp>();

/** One pass that tells whether any template's first detect pattern occurs at all. */
function prefilter(templates: readonly Template[]): RegExp {
  let re = prefilters.get(templates);
  if (!re) {
    re = new RegExp(templates.map((t) => t.detect[0]!.join('|')).join('|'), 'iu');
    prefilters.set(templates, re);
  }
  return re;
}

/** The fields of a receipt from its printed lines; `{}` when no template fits. */
export function extractFields(
  lines: readonly string[],
  templates: readonly Template[] = loadTemplates(),
  text: string = lines.join('\n'),
): ReceiptFieldSet {
  if (templates.length === 0 || !prefilter(templates).test(text)) return {};
  let best: { fields: Fields; priority: number; count: number; name: string } | null = null;
  for (const t of templates) {
    const c = compile(t);
    if (!fits(c, text)) continue;
    const fields = extractWith(c, lines, text);
    const count = Object.keys(fields).length;
    if (!best || t.priority > best.priority || (t.priority === best.priority && count > best.count)) {
      best = { fields, priority: t.priority, count, name: t.name };
    }
  }
  if (!best) return {};
  return { ...best.fields, template: best.name } as ReceiptFieldSet;
}
