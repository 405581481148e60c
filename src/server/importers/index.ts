/**
 * Statement importers: one module per format behind one interface (importer.ts), each a pure
 * function from the file's bytes to a ParsedStatement (src/server/statement.ts). Storage and the
 * `tilltap import-statement` command call parseStatement and nothing else.
 */
import type { ParsedStatement } from '../statement.js';
import { acquirerImporter } from './acquirer.js';
import { alipayImporter } from './alipay.js';
import { StatementError } from './errors.js';
import { genericImporter } from './generic.js';
import { STATEMENT_FORMATS, type ImportOptions, type StatementFormat, type StatementImporter } from './importer.js';
import { loadMapping, type StatementMapping } from './mapping.js';
import { salesLogImporter } from './sales-log.js';
import { wechatImporter } from './wechat.js';

export { STATEMENT_ERRORS, STATEMENT_ERROR_CODES, StatementError, type StatementErrorCode } from './errors.js';
export { STATEMENT_FORMATS, type ImportOptions, type StatementFormat, type StatementImporter } from './importer.js';
export { compileMapping, loadMapping, mappingNames, parseMapping, type StatementMapping } from './mapping.js';
export { TEXT_ENCODINGS, type TextEncodingOption } from './text.js';
export { formatMinor, parseMinor } from './money.js';

export const IMPORTERS: Readonly<Record<StatementFormat, StatementImporter>> = {
  wechat: wechatImporter,
  alipay: alipayImporter,
  'acquirer-csv': acquirerImporter,
  generic: genericImporter,
  'sales-log': salesLogImporter,
};

export function isStatementFormat(name: string): name is StatementFormat {
  return (STATEMENT_FORMATS as readonly string[]).includes(name);
}

export interface ParseOptions extends Omit<ImportOptions, 'mapping'> {
  /** For `generic`: a loaded mapping, or `--mapping NAME|FILE` (read from disk here). */
  readonly mapping?: StatementMapping | string;
}

/**
 * The one entry point: `format` as on the command line (wechat, alipay, acquirer-csv, generic,
 * sales-log), the file's bytes, and options. Throws StatementError (stable `code`, `line`,
 * `column`, one-line `message`) on anything it cannot read exactly.
 */
export function parseStatement(format: string, bytes: Uint8Array, options: ParseOptions = {}): ParsedStatement {
  if (!isStatementFormat(format)) {
    throw new StatementError('STATEMENT_UNKNOWN_FORMAT', `unknown statement format "${format}" (one of ${STATEMENT_FORMATS.join(', ')})`);
  }
  const { mapping, ...rest } = options;
  const loaded = typeof mapping === 'string' ? loadMapping(mapping) : mapping;
  return IMPORTERS[format].parse(bytes, { ...rest, ...(loaded ? { mapping: loaded } : {}) });
}
