/**
 * Columns by header name, not by position: a format declares the fields it reads and the header
 * names (aliases) each may go by; the header line of the file says where they are. Header names
 * and cells are cleaned the same way for every format: WeChat's leading backtick, Excel's
 * ="000123" guard, trailing tabs and spaces (Alipay ids), full-width forms (（元） is (元)).
 */
import { StatementError } from './errors.js';
import { readRecords, streamRecords, type TextRecord } from './records.js';

/** A character that no cleaning strips from the end of a cell: visible ASCII, or a CJK ideograph. */
const plainEnd = (c: number): boolean => (c > 0x20 && c < 0x7f) || (c >= 0x4e00 && c <= 0x9fff);

/** A cell as the statement means it. */
export function cleanCell(cell: string): string {
  // Most cells need nothing: they start and end with a visible ASCII or CJK character (and not ` or =).
  if (plainEnd(cell.charCodeAt(0)) && plainEnd(cell.charCodeAt(cell.length - 1))) {
    const c0 = cell.charCodeAt(0);
    if (c0 !== 0x60 && c0 !== 0x3d) return cell;
  }
  let s = cell.replace(/^[\s\u3000\ufeff]+|[\s\u3000]+$/gu, '');
  if (s.startsWith('`')) s = s.slice(1).replace(/^[\s\u3000]+/u, '');
  const excel = /^="(.*)"$/s.exec(s);
  if (excel) s = excel[1]!.trim();
  return s;
}

/** A header name as compared: cleaned, NFKC (full-width → ASCII), no spaces or _ -, lower case. */
export function headerKey(name: string): string {
  return cleanCell(name).normalize('NFKC').replace(/[\s_\-]+/g, '').toLowerCase();
}

export interface ColumnSpec<K extends string> {
  readonly key: K;
  /** The header names the column may go by, in any spelling headerKey folds together. */
  readonly names: readonly string[];
}

const CJK = /[\u3400-\u9fff]/u;

/** A resolved header line. */
export class Header<K extends string> {
  /** The header names as the file prints them (cleaned), by position; duplicates get " (2)". */
  readonly names: readonly string[];
  private readonly at = new Map<K, number>();
  private readonly spelled = new Map<K, string>();

  constructor(
    readonly line: number,
    cells: readonly string[],
    specs: readonly ColumnSpec<K>[],
  ) {
    const seen = new Map<string, number>();
    this.names = cells.map((c) => {
      const name = cleanCell(c);
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      return n === 1 ? name : `${name} (${n})`;
    });
    const keys = cells.map(headerKey);
    for (const spec of specs) {
      const wanted = new Set(spec.names.map(headerKey));
      const i = keys.findIndex((k) => wanted.has(k));
      if (i >= 0) {
        this.at.set(spec.key, i);
        this.spelled.set(spec.key, this.names[i]!);
      }
    }
  }

  has(key: K): boolean {
    return this.at.has(key);
  }

  index(key: K): number | undefined {
    return this.at.get(key);
  }

  /** The header name the file uses for `key` (for error messages). */
  nameOf(key: K): string | undefined {
    return this.spelled.get(key);
  }

  /** zh when the header is written in Chinese. */
  get language(): 'zh' | 'en' {
    return this.names.some((n) => CJK.test(n)) ? 'zh' : 'en';
  }

  /** Refuse a header lacking a required column; `names` is how to call it in the message. */
  require(key: K, names: string): void {
    if (!this.has(key)) {
      throw new StatementError('STATEMENT_MISSING_COLUMN', `the header has no ${names} column`, { line: this.line, column: names });
    }
  }

  row(rec: TextRecord): Row<K> {
    return new Row(this, rec);
  }
}

/** One data row read through its header. */
export class Row<K extends string> {
  readonly line: number;
  private readonly cells: readonly string[];

  constructor(
    private readonly header: Header<K>,
    rec: TextRecord,
  ) {
    this.line = rec.line;
    this.cells = rec.cells.map(cleanCell);
  }

  /** The cleaned cell of `key`, or undefined when the column is absent or the cell empty. */
  get(key: K): string | undefined {
    const i = this.header.index(key);
    if (i === undefined) return undefined;
    const v = this.cells[i];
    return v === undefined || v === '' ? undefined : v;
  }

  /** The cleaned cell at position `i` ('' when the row is short). */
  at(i: number): string {
    return this.cells[i] ?? '';
  }

  /** The cell of `key`; refused with the line and column when empty. */
  need(key: K, what: string): string {
    const v = this.get(key);
    if (v === undefined) throw this.error('STATEMENT_MISSING_VALUE', key, `no ${what}`);
    return v;
  }

  /** The header name of `key` as the file prints it. */
  column(key: K): string {
    return this.header.nameOf(key) ?? key;
  }

  error(code: ConstructorParameters<typeof StatementError>[0], key: K, detail: string): StatementError {
    return new StatementError(code, detail, { line: this.line, column: this.column(key) });
  }

  /** The row as read, header name → cleaned value; cells past the header are kept by position. */
  raw(): Record<string, string> {
    const out: Record<string, string> = {};
    const names = this.header.names;
    this.cells.forEach((v, i) => {
      const name = names[i] || `#${i + 1}`;
      out[name] = v;
    });
    return out;
  }
}

/** A column a format cannot do without: any one of `keys`, called `name` in messages. */
export interface Requirement<K extends string> {
  readonly keys: readonly K[];
  readonly name: string;
}

/**
 * The header line: the first record, among the first `within`, naming every required column.
 * When none does, the record that names most of the format's columns is taken to be the header
 * and the first column it lacks is named (STATEMENT_MISSING_COLUMN); when no record names even
 * two, the file is not this format (STATEMENT_HEADER_NOT_FOUND, `what` says what was looked for).
 */
export function locateHeader<K extends string>(
  records: readonly TextRecord[],
  specs: readonly ColumnSpec<K>[],
  required: readonly Requirement<K>[],
  what: string,
  within = 40,
): { header: Header<K>; index: number } {
  let best: Header<K> | null = null;
  let bestCount = 1;
  for (let i = 0; i < Math.min(records.length, within); i++) {
    const h = new Header(records[i]!.line, records[i]!.cells, specs);
    if (required.every((r) => r.keys.some((k) => h.has(k)))) return { header: h, index: i };
    const count = specs.filter((s) => h.has(s.key)).length;
    if (count > bestCount) {
      best = h;
      bestCount = count;
    }
  }
  if (best) for (const r of required) if (!r.keys.some((k) => best.has(k))) best.require(r.keys[0]!, r.name);
  throw new StatementError('STATEMENT_HEADER_NOT_FOUND', `no header line naming ${what}`, records[0] ? { line: records[0].line } : {});
}

/**
 * `label：value` pairs in a line of a statement's header block: "#账号：[20880…]",
 * "起始日期：[2026年11月20日 00:00:00]   终止日期：[…]", "商户编号: 898…". Brackets are dropped.
 */
export function labelValues(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of cleanCell(line).replace(/^#+/, '').split(/\s{2,}|\t|(?<=\])\s*/u)) {
    const m = /^([^:：[\]]+?)\s*[:：]\s*\[?([^\]]*?)\]?\s*$/u.exec(part.trim());
    if (m && m[1]!.trim() !== '') out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

/** A table as read: the records before its header, the header, and the records after it. */
export interface Table<K extends string> {
  readonly before: readonly TextRecord[];
  readonly header: Header<K>;
  readonly rows: readonly TextRecord[];
}

/**
 * Read a delimited table whose header `locate` finds among the first `headLines` lines: those
 * lines are read first, then the rest from the header line on (so that csv-parse, which measures
 * records against the first one, sees the header first).
 */
export function readTable<K extends string>(
  text: string,
  delimiter: string,
  locate: (records: readonly TextRecord[]) => { header: Header<K>; index: number },
  headLines = 60,
): Table<K> {
  const head = readRecords(text, delimiter, { toLine: headLines });
  if (head.length === 0 && readRecords(text, delimiter).length === 0) {
    throw new StatementError('STATEMENT_EMPTY_FILE', 'the file has no lines');
  }
  const { header, index } = locate(head);
  const body = readRecords(text, delimiter, { fromLine: header.line });
  return { before: head.slice(0, index), header, rows: body.slice(1) };
}

/** The first lines of a text read a piece at a time, and the pieces after them. */
export interface TextHead {
  /** Whole pieces from the start holding at least the lines asked for (or the whole text). */
  readonly text: string;
  /** The pieces after `text`: read once. */
  readonly rest: Iterable<string>;
}

/** Read pieces until `lines` line breaks are held (a header block and a header are at the top of a file). */
export function takeHead(pieces: Iterable<string>, lines: number): TextHead {
  const it = pieces[Symbol.iterator]();
  let text = '';
  let seen = 0;
  while (seen < lines) {
    const next = it.next();
    if (next.done) break;
    const piece = next.value;
    for (let i = piece.indexOf('\n'); i >= 0 && seen < lines; i = piece.indexOf('\n', i + 1)) seen++;
    text += piece;
  }
  return { text, rest: { [Symbol.iterator]: () => it } };
}

function* chain(first: string, rest: Iterable<string>): Generator<string> {
  if (first !== '') yield first;
  yield* rest;
}

/** The offset in `text` where its 1-based `line` starts. */
function lineStart(text: string, line: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at;
}

/** A table read a piece at a time: the records before its header, the header, and the rows after it (read once). */
export interface StreamTable<K extends string> {
  readonly before: readonly TextRecord[];
  readonly header: Header<K>;
  readonly rows: Iterable<TextRecord>;
}

/** Lines read past the head when looking for the header: a quoted cell may run over a line break. */
const HEAD_SLACK = 100;

/** The head's records (the first `headLines` lines) under `delimiter`; EMPTY_FILE when the whole text holds none. */
export function headRecords(head: TextHead, delimiter: string, headLines: number): TextRecord[] {
  const records = readRecords(head.text, delimiter, { toLine: headLines });
  if (records.length === 0) {
    // As readTable: refused as empty only when no line of the whole file holds a record.
    for (const _ of streamRecords(chain(head.text, head.rest), delimiter)) return records;
    throw new StatementError('STATEMENT_EMPTY_FILE', 'the file has no lines');
  }
  return records;
}

/** The table under `delimiter` whose header `located` found among `records` (headRecords of `head`). */
export function tableFrom<K extends string>(
  head: TextHead,
  delimiter: string,
  records: readonly TextRecord[],
  located: { header: Header<K>; index: number },
): StreamTable<K> {
  const { header, index } = located;
  // From the header line on, so that csv-parse, which measures records against the first one, sees the header first.
  const body = streamRecords(chain(head.text.slice(lineStart(head.text, header.line)), head.rest), delimiter, header.line);
  const rows = (function* () {
    let first = true;
    for (const rec of body) {
      if (first) {
        first = false;
        continue;
      }
      yield rec;
    }
  })();
  return { before: records.slice(0, index), header, rows };
}

/** readTable a piece at a time: the header among the first `headLines` lines, the rows streamed after it. */
export function streamTable<K extends string>(
  pieces: Iterable<string>,
  delimiter: string,
  locate: (records: readonly TextRecord[]) => { header: Header<K>; index: number },
  headLines = 60,
): StreamTable<K> {
  const head = takeHead(pieces, headLines + HEAD_SLACK);
  const records = headRecords(head, delimiter, headLines);
  return tableFrom(head, delimiter, records, locate(records));
}
