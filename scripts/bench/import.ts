/**
 * How fast are statements imported? Large generated files of each fixed format are parsed with
 * parseStatement, beside the floor of the same work measured in the same run: decoding the bytes
 * (TextDecoder / iconv-lite) and splitting them with csv-parse alone, which every importer does
 * first. Prints rows/s, MB/s and the ratio importer ÷ floor (how much the column mapping, money,
 * date and type reading and the checks cost on top of reading the CSV at all).
 *
 * Run: npm run build && node dist/scripts/bench/import.js [--rows 100000] [--repeat 3]
 */
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { parseStatement } from '../../src/server/importers/index.js';
import { acquirerStatement, alipayDetail, type GeneratedStatement, genericStatement, salesLog, wechatBill } from '../gen/statements.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

function best(repeat: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return min;
}

function floor(g: GeneratedStatement): void {
  const text = g.encoding === 'gbk' ? iconv.decode(g.bytes, 'gb18030') : new TextDecoder().decode(g.bytes);
  const delimiter = g.mapping === 'bank-pos-gbk' ? '|' : g.mapping === 'processor-eu' ? ';' : ',';
  // From the header line on, as the importers read (the Alipay header follows four # lines).
  const from_line = g.format === 'alipay' ? 5 : g.mapping === 'bank-pos-gbk' ? 3 : 1;
  parse(text, { delimiter, relax_column_count: true, relax_quotes: true, info: true, from_line });
}

const rows = arg('--rows', 100_000);
const repeat = arg('--repeat', 3);
const files: GeneratedStatement[] = [
  wechatBill(1, { rows, billType: 'ALL' }),
  alipayDetail(2, { rows }),
  acquirerStatement(3, { rows, language: 'zh', encoding: 'gbk', split: true }),
  acquirerStatement(4, { rows, language: 'en', grouped: true }),
  genericStatement(5, 'processor-eu', { rows }),
  salesLog(6, 'csv', { rows }),
  salesLog(7, 'json', { rows }),
];
console.log(`statement import, ${rows} rows per file, best of ${repeat}`);
console.log(['file'.padEnd(34), 'MB'.padStart(6), 'import s'.padStart(9), 'rows/s'.padStart(9), 'MB/s'.padStart(6), 'floor s'.padStart(8), 'ratio'.padStart(6)].join(' '));
for (const g of files) {
  const options = g.mapping ? { mapping: g.mapping } : {};
  let n = 0;
  const t = best(repeat, () => {
    n = parseStatement(g.format, g.bytes, options).rows.length;
  });
  if (n !== g.expected.length) throw new Error(`${g.name}: ${n} rows read, ${g.expected.length} written`);
  const f = g.format === 'sales-log' && g.name.endsWith('.json') ? best(repeat, () => JSON.parse(g.bytes.toString('utf8'))) : best(repeat, () => floor(g));
  const mb = g.bytes.length / 1e6;
  console.log(
    [g.name.padEnd(34), mb.toFixed(1).padStart(6), t.toFixed(3).padStart(9), Math.round(n / t).toString().padStart(9), (mb / t).toFixed(1).padStart(6), f.toFixed(3).padStart(8), (t / f).toFixed(2).padStart(6)].join(' '),
  );
}
