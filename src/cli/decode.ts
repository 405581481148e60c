/** `tilltap decode [FILE|-] [--format text|json|html] [--json] [--profile P] [--encoding E]` */
import type { Command } from 'commander';
import { CJK_ENCODINGS, type CjkEncoding } from '../escpos/codepages.js';
import { isProfileChoice, PROFILE_NAMES, type ProfileChoice } from '../escpos/profiles.js';
import { ReceiptDecoder } from '../receipt/decoder.js';
import type { DecodeResult, Receipt } from '../receipt/receipt.js';
import { renderHtml } from '../receipt/render/html.js';
import { toJsonDocument } from '../receipt/render/json.js';
import { renderText } from '../receipt/render/text.js';
import { usageError } from './errors.js';
import { openCapture } from './input.js';
import { writeOut } from './output.js';

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
  const decoder = new ReceiptDecoder({ profile: opts.profile, encoding: opts.encoding });
  const receipts: Receipt[] = [];
  for await (const chunk of input) receipts.push(...decoder.push(chunk));
  receipts.push(...decoder.end());
  return { receipts, status: [...decoder.status], warnings: [...decoder.warnings] };
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
      const result = await decodeStream(openCapture(file), { profile, encoding });
      if (format === 'json') await writeOut(`${JSON.stringify(toJsonDocument(result), null, 2)}\n`);
      else if (format === 'html') await writeOut(renderHtml(result.receipts, { title: file ?? 'stdin' }));
      else {
        await writeOut(renderText(result.receipts));
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
      }
    });
}
