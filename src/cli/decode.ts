/** `tilltap decode [FILE|-] [--format text|json|html] [--json] [--profile P] [--encoding E]` */
import type { Command } from 'commander';
import { CJK_ENCODINGS, type CjkEncoding } from '../escpos/codepages.js';
import { isProfileChoice, PROFILE_NAMES, type ProfileChoice } from '../escpos/profiles.js';
import { ReceiptDecoder } from '../receipt/decoder.js';
import type { DecodeResult, Receipt } from '../receipt/receipt.js';
import { htmlDocumentEnd, htmlDocumentStart, renderReceiptHtml } from '../receipt/render/html.js';
import { receiptToJson } from '../receipt/render/json.js';
import { renderReceiptText } from '../receipt/render/text.js';
import { usageError } from './errors.js';
import { openCapture } from './input.js';
import { writeOut, writeStream } from './output.js';

const FORMATS = ['text', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

interface DecodeFlags {
  format?: string;
  json?: boolean;
  profile?: string;
  encoding?: string;
}

export function parseProfile(value: string | undefined): ProfileChoice {
  const v = value ?? 'auto';
  if (!isProfileChoice(v)) throw usageError(`unknown profile "${v}" (one of: auto ${PROFILE_NAMES.join(' ')})`);
  return v;
}

export function parseEncoding(value: string | undefined): CjkEncoding | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase().replace(/^(sjis|shiftjis)$/, 'shift_jis').replace(/^(euckr|ks_c_5601)$/, 'euc-kr').replace(/^utf8$/, 'utf-8');
  if (!(CJK_ENCODINGS as readonly string[]).includes(v)) throw usageError(`unknown encoding "${value}" (one of: ${CJK_ENCODINGS.join(' ')})`);
  return v as CjkEncoding;
}

export async function decodeStream(
  input: AsyncIterable<Uint8Array>,
  opts: { profile: ProfileChoice; encoding?: CjkEncoding },
): Promise<DecodeResult> {
  const receipts: Receipt[] = [];
  const { status, warnings } = await streamReceipts(input, opts, (r) => {
    receipts.push(r);
  });
  return { receipts, status, warnings };
}

/**
 * Decode a stream, handing each receipt to `onReceipt` as soon as it is complete, so that memory
 * does not grow with the capture (receipts are not kept).
 */
export async function streamReceipts(
  input: AsyncIterable<Uint8Array>,
  opts: { profile: ProfileChoice; encoding?: CjkEncoding },
  onReceipt: (r: Receipt) => void | Promise<void>,
): Promise<Omit<DecodeResult, 'receipts'>> {
  const decoder = new ReceiptDecoder({ profile: opts.profile, encoding: opts.encoding });
  for await (const chunk of input) for (const r of decoder.push(chunk)) await onReceipt(r);
  for (const r of decoder.end()) await onReceipt(r);
  return { status: [...decoder.status], warnings: [...decoder.warnings] };
}

const indent = (json: string, pad: string): string => json.replace(/\n/g, `\n${pad}`);

/** Each format as a start, one piece per receipt, and an end: output is written as it is made. */
interface FormatWriter {
  start(): string;
  receipt(r: Receipt, index: number): string;
  end(rest: Omit<DecodeResult, 'receipts'>, count: number): string;
}

function writerFor(format: Format, title: string): FormatWriter {
  switch (format) {
    case 'json':
      // The same document as JSON.stringify(toJsonDocument(result), null, 2), written piecewise.
      return {
        start: () => '{\n  "receipts": [',
        receipt: (r, i) => `${i > 0 ? ',' : ''}\n    ${indent(JSON.stringify(receiptToJson(r), null, 2), '    ')}`,
        end: (rest, count) =>
          `${count > 0 ? '\n  ' : ''}],\n  "status": ${indent(JSON.stringify(rest.status.map((q) => ({ offset: q.offset, query: q.query })), null, 2), '  ')},` +
          `\n  "warnings": ${indent(JSON.stringify(rest.warnings, null, 2), '  ')}\n}\n`,
      };
    case 'html':
      return {
        start: () => htmlDocumentStart({ title }),
        receipt: (r, i) => `${i > 0 ? '\n' : ''}${renderReceiptHtml(r)}`,
        end: (_rest, count) => htmlDocumentEnd(count),
      };
    case 'text':
      return {
        start: () => '',
        receipt: (r, i) => `${i > 0 ? '\n' : ''}${renderReceiptText(r)}`,
        end: () => '',
      };
  }
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('decode an ESC/POS capture offline (text is the default format)')
    .argument('[file]', 'capture file, or - for standard input')
    .option('--format <format>', `output format: ${FORMATS.join('|')}`, 'text')
    .option('--json', 'same as --format json')
    .option('--profile <name>', `printer profile: auto ${PROFILE_NAMES.join(' ')}`, 'auto')
    .option('--encoding <enc>', `text encoding in CJK mode: ${CJK_ENCODINGS.join(' ')}`)
    .action(async (file: string | undefined, flags: DecodeFlags) => {
      const format = (flags.json ? 'json' : (flags.format ?? 'text')) as Format;
      if (!FORMATS.includes(format)) throw usageError(`unknown format "${flags.format}" (one of: ${FORMATS.join(' ')})`);
      const profile = parseProfile(flags.profile);
      const encoding = parseEncoding(flags.encoding);
      const input = openCapture(file);
      const writer = writerFor(format, file ?? 'stdin');
      let count = 0;
      await writeStream(writer.start());
      const rest = await streamReceipts(input, { profile, encoding }, (r) => writeStream(writer.receipt(r, count++)));
      await writeOut(writer.end(rest, count));
      if (format === 'text') for (const w of rest.warnings) process.stderr.write(`warning: ${w}\n`);
    });
}
