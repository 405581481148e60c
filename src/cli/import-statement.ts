/**
 * `tilltap import-statement --format F FILE [--db URL] [--mapping NAME|FILE] [--encoding ENC]
 * [--store ID] [--json]`: load an acquirer / wallet statement or a POS sales log into the
 * server's database, whole or not at all.
 */
import { closeSync, openSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { STATEMENT_FORMATS, StatementError, TEXT_ENCODINGS, type TextEncodingOption } from '../server/importers/index.js';
import { importStatement } from '../server/reconcile/import.js';
import { importJson } from '../server/reconcile/present.js';
import type { StatementImportResult } from '../server/storage/types.js';
import { STORE_ID } from '../server/tokens.js';
import { usageError } from './errors.js';
import { writeOut } from './output.js';
import { all, dbError, dbOption, withStorage, type DbFlags } from './server-db.js';

interface Flags extends DbFlags {
  format?: string;
  mapping?: string;
  encoding?: string;
  currency?: string;
  store?: string;
  by?: string;
  json?: boolean;
}

function describe(r: StatementImportResult): string {
  const f = r.file;
  const what = `${f.format} statement${f.merchantId ? ` for merchant ${f.merchantId}` : ''}${f.store ? ` (store ${f.store})` : ''}`;
  const dates = f.dateFrom === f.dateTo ? f.dateFrom : `${f.dateFrom} to ${f.dateTo}`;
  if (r.kind === 'already-imported') {
    const state = f.supersededBy ? `, superseded by ${f.supersededBy}` : '';
    return `already imported: ${what}, ${dates}, ${f.rowCount} rows, version ${f.version} (file ${f.id}${state}); nothing changed\n`;
  }
  const lines = [`imported ${f.rowCount} rows: ${what}, ${dates}, version ${f.version} (file ${f.id})`];
  if (r.supersedes) lines.push(`it replaces version ${r.supersedes.version} (file ${r.supersedes.id}, ${r.supersedes.rowCount} rows) for matching`);
  lines.push(`next: tilltap reconcile${f.dateFrom === f.dateTo ? ` --date ${f.dateFrom}` : ''}`);
  return `${lines.join('\n')}\n`;
}

export function registerImportStatement(program: Command): void {
  dbOption(
    program
      .command('import-statement')
      .description('load an acquirer / wallet statement (对账单) or a POS sales log, whole or not at all')
      .argument('<file>', 'the statement file')
      .requiredOption('--format <format>', `one of ${STATEMENT_FORMATS.join(', ')}`)
      .option('--mapping <name|file>', 'for --format generic: a column mapping (config/statement-mappings/NAME.yaml, or a file)')
      .option('--encoding <enc>', `the file's text encoding: ${TEXT_ENCODINGS.join(', ')} (default auto)`)
      .option('--currency <code>', 'ISO 4217 currency of amounts when the file does not say (default CNY)')
      .option('--store <id>', 'the store the file is for (a POS sales log): its rows meet only that store\'s receipts')
      .option('--by <name>', 'who imports it (kept with the file)')
      .option('--json', 'one JSON document: status (imported | already_imported), file, supersedes'),
  ).action(async (file: string, _: unknown, cmd: Command) => {
    const flags = all<Flags>(cmd);
    const format = flags.format!;
    if (!(STATEMENT_FORMATS as readonly string[]).includes(format)) throw usageError(`--format "${format}": one of ${STATEMENT_FORMATS.join(', ')}`);
    if (flags.encoding !== undefined && !(TEXT_ENCODINGS as readonly string[]).includes(flags.encoding)) {
      throw usageError(`--encoding "${flags.encoding}": one of ${TEXT_ENCODINGS.join(', ')}`);
    }
    if (format === 'generic' && flags.mapping === undefined) throw usageError('--format generic needs --mapping NAME|FILE');
    if (flags.store !== undefined && !STORE_ID.test(flags.store)) throw usageError(`--store "${flags.store}": letters, digits, . _ - (at most 64)`);
    try {
      // Read a chunk at a time by the import; refused here, as bad usage, when it cannot be read at all.
      closeSync(openSync(file, 'r'));
      if (statSync(file).isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
    } catch (err) {
      throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    await withStorage(flags, async (storage) => {
      let result: StatementImportResult;
      try {
        result = await importStatement(storage, {
          format,
          path: file,
          options: {
            ...(flags.encoding !== undefined ? { encoding: flags.encoding as TextEncodingOption } : {}),
            ...(flags.currency !== undefined ? { currency: flags.currency } : {}),
            ...(flags.mapping !== undefined ? { mapping: flags.mapping } : {}),
          },
          store: flags.store ?? null,
          name: basename(file),
          by: flags.by ?? null,
        });
      } catch (err) {
        // The file (or its mapping) is bad input: one line naming the line and column, exit 2.
        if (err instanceof StatementError) throw usageError(`${file}: ${err.message} [${err.code}]`);
        throw dbError(err);
      }
      await writeOut(flags.json ? `${JSON.stringify(importJson(result), null, 2)}\n` : describe(result));
    });
  });
}
