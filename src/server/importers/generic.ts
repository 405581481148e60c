/**
 * Any delimited statement, read through a column mapping (mapping.ts): the mapping names the
 * encoding, the delimiter, the header line, which header holds which field, how dates and amounts
 * are written and what the type values mean. The rows are read as the acquirer format reads its
 * own (fields.ts), so a mapped file and a recognised one give the same StatementTxn.
 */
import type { StatementTxn } from '../statement.js';
import { dayOrderOf } from './datetime.js';
import { StatementError } from './errors.js';
import { FIELDS, readRow, type Field, type RowConventions, type TypeReading } from './fields.js';
import { finish, type ImportOptions, type StatementImporter } from './importer.js';
import type { StatementMapping } from './mapping.js';
import type { TextRecord } from './records.js';
import { cleanCell, Header, headerKey, locateHeader, readTable, type ColumnSpec, type Requirement } from './table.js';
import { decodeStatement } from './text.js';
import { idOf, transTypeOf } from './values.js';

function columnsOf(m: StatementMapping): ColumnSpec<Field>[] {
  return FIELDS.filter((f) => m.fields.has(f)).map((f) => ({ key: f, names: m.fields.get(f)! }));
}

function typeReader(m: StatementMapping): (cell: string) => TypeReading {
  const table = m.types;
  if (table) return (cell) => table.get(headerKey(cell)) ?? 'unknown';
  return (cell) => transTypeOf(cell) ?? 'unknown';
}

export function parseGeneric(bytes: Uint8Array, m: StatementMapping, options: ImportOptions): ReturnType<StatementImporter['parse']> {
  const spec = m.spec;
  const { text, encoding } = decodeStatement(bytes, options.encoding ?? spec.encoding);
  const columns = columnsOf(m);
  // Every mapped field must be in the header: a mapping describes one layout.
  const required: Requirement<Field>[] = columns.map((c) => ({ keys: [c.key], name: c.names.join(' / ') }));
  const at = spec.header_line;
  const { header, rows: records } = readTable(
    text,
    spec.delimiter,
    (head) => {
      if (at === undefined) return locateHeader(head, columns, required, `the columns of mapping ${spec.name}`);
      const index = head.findIndex((r) => r.line === at);
      if (index < 0) throw new StatementError('STATEMENT_HEADER_NOT_FOUND', `no header on line ${at} (mapping ${spec.name})`, { line: at });
      const h = new Header(head[index]!.line, head[index]!.cells, columns);
      for (const r of required) h.require(r.keys[0]!, r.name);
      return { header: h, index };
    },
    Math.max(60, (at ?? 0) + 1),
  );

  const prefixes = spec.footer_prefixes.map((p) => p.toLowerCase());
  const summary: Record<string, string> = {};
  const body: TextRecord[] = [];
  for (const rec of records) {
    const first = cleanCell(rec.cells.find((c) => cleanCell(c) !== '') ?? '');
    if (prefixes.some((p) => first.toLowerCase().startsWith(p))) {
      summary[first] = rec.cells.map(cleanCell).filter((c) => c !== '' && c !== first).join(' ');
    } else body.push(rec);
  }
  const rows = body.map((rec) => header.row(rec));
  const dateKey = header.has('datetime') ? 'datetime' : 'date';
  const conventions: RowConventions = {
    source: 'generic',
    amount: m.amount,
    sign: spec.amount.sign,
    currency: options.currency ?? spec.currency,
    merchant_id: idOf(spec.merchant_id),
    dayOrder: dayOrderOf(rows.map((r) => r.get(dateKey))),
    patterns: m.patterns,
    typeOf: typeReader(m),
    unknownType: spec.unknown_type,
  };
  const txns: StatementTxn[] = rows.map((r) => readRow(r, conventions));
  return finish({
    format: 'generic',
    source: 'generic',
    bytes,
    encoding,
    language: spec.language ?? header.language,
    rows: txns,
    merchant_id: idOf(spec.merchant_id),
    summary,
  });
}

export const genericImporter: StatementImporter = {
  format: 'generic',
  source: 'generic',
  parse(bytes, options) {
    if (!options.mapping) throw new StatementError('STATEMENT_BAD_MAPPING', 'the generic format needs a column mapping (--mapping NAME or FILE)');
    return parseGeneric(bytes, options.mapping, options);
  },
};
