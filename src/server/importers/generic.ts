/**
 * Any delimited statement, read through a column mapping (mapping.ts): the mapping names the
 * encoding, the delimiter, the header line, which header holds which field, how dates and amounts
 * are written and what the type values mean. The rows are read as the acquirer format reads its
 * own (fields.ts), so a mapped file and a recognised one give the same StatementTxn.
 */
import { StatementError } from './errors.js';
import { FIELDS, tableTxns, type Field, type TypeReading } from './fields.js';
import type { ImportOptions, ReadOptions, StatementImporter, StatementRows } from './importer.js';
import type { StatementMapping } from './mapping.js';
import { cleanCell, Header, headerKey, locateHeader, streamTable, type ColumnSpec, type Requirement } from './table.js';
import { idOf, transTypeOf } from './values.js';

function columnsOf(m: StatementMapping): ColumnSpec<Field>[] {
  return FIELDS.filter((f) => m.fields.has(f)).map((f) => ({ key: f, names: m.fields.get(f)! }));
}

function typeReader(m: StatementMapping): (cell: string) => TypeReading {
  const table = m.types;
  if (table) return (cell) => table.get(headerKey(cell)) ?? 'unknown';
  return (cell) => transTypeOf(cell) ?? 'unknown';
}

export function* readGeneric(pieces: Iterable<string>, m: StatementMapping, options: ReadOptions): StatementRows {
  const spec = m.spec;
  const columns = columnsOf(m);
  // Every mapped field must be in the header: a mapping describes one layout.
  const required: Requirement<Field>[] = columns.map((c) => ({ keys: [c.key], name: c.names.join(' / ') }));
  const at = spec.header_line;
  const { header, rows: records } = streamTable(
    pieces,
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
  const rows = (function* () {
    for (const rec of records) {
      const first = cleanCell(rec.cells.find((c) => cleanCell(c) !== '') ?? '');
      if (prefixes.some((p) => first.toLowerCase().startsWith(p))) {
        summary[first] = rec.cells.map(cleanCell).filter((c) => c !== '' && c !== first).join(' ');
      } else yield header.row(rec);
    }
  })();
  const dateKey = header.has('datetime') ? 'datetime' : 'date';
  yield* tableTxns(
    rows,
    dateKey,
    {
      source: 'generic',
      amount: m.amount,
      sign: spec.amount.sign,
      currency: options.currency ?? spec.currency,
      merchant_id: idOf(spec.merchant_id),
      patterns: m.patterns,
      typeOf: typeReader(m),
      unknownType: spec.unknown_type,
    },
    options.dayOrder,
  );
  return { language: spec.language ?? header.language, merchant_id: idOf(spec.merchant_id), summary };
}

/** The encoding a generic file is read with when the caller names none: the mapping's. */
export const genericEncoding = (options: ImportOptions): ImportOptions['encoding'] => options.encoding ?? options.mapping?.spec.encoding;

export const genericImporter: StatementImporter = {
  format: 'generic',
  source: 'generic',
  read(pieces, options) {
    if (!options.mapping) throw new StatementError('STATEMENT_BAD_MAPPING', 'the generic format needs a column mapping (--mapping NAME or FILE)');
    return readGeneric(pieces, options.mapping, options);
  },
};
