/** `tilltap receipts list|show ID|export|redecode [--data DIR] [--json]`: what the agent captured here. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CJK_ENCODINGS } from '../escpos/codepages.js';
import { ReceiptDecoder } from '../receipt/decoder.js';
import { receiptToJson } from '../receipt/render/json.js';
import { Store } from '../store/index.js';
import type { StoredReceipt } from '../store/types.js';
import { parseEncoding, parseProfile } from './decode.js';
import { runtimeError, usageError } from './errors.js';
import { writeOut } from './output.js';

const DEFAULT_DATA = './tilltap-data';

/** The contract's `receipts list --json` element: a decoded receipt plus where and when. */
export function listedReceipt(r: StoredReceipt): Record<string, unknown> {
  return {
    id: r.id,
    captured_at: r.capturedAt,
    printer: r.printer,
    print_status: r.printStatus,
    print_reason: r.printReason,
    synced: r.synced,
    device_seq: r.deviceSeq,
    ...r.receipt,
  };
}

/** Open the data directory's store for one command, and close it whatever happens. */
async function withStore<T>(dir: string | undefined, work: (store: Store) => Promise<T>): Promise<T> {
  let store: Store;
  try {
    store = Store.open(dir ?? DEFAULT_DATA);
  } catch (err) {
    throw runtimeError(`cannot open the data directory ${dir ?? DEFAULT_DATA}: ${(err as Error).message}`);
  }
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

function money(r: StoredReceipt): string {
  const f = r.receipt.fields;
  const minor = f.amount_minor ?? f.total_minor;
  return typeof minor === 'number' ? `${(minor / 100).toFixed(2)} ${f.currency ?? ''}`.trim() : '';
}

const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const CSV_COLUMNS = [
  'id', 'device_seq', 'captured_at', 'printer', 'print_status', 'synced', 'template', 'merchant_id', 'terminal_id',
  'batch_no', 'trace_no', 'reference_no', 'auth_code', 'card_number', 'trans_type', 'datetime', 'amount_minor',
  'total_minor', 'currency', 'receipt_no', 'copy', 'reprint', 'text',
] as const;

function csvRow(r: StoredReceipt): string {
  const f = r.receipt.fields as Record<string, unknown>;
  const base: Record<string, unknown> = {
    id: r.id,
    device_seq: r.deviceSeq,
    captured_at: r.capturedAt,
    printer: r.printer,
    print_status: r.printStatus,
    synced: r.synced,
    text: r.receipt.text,
  };
  return CSV_COLUMNS.map((c) => csvCell(c in base ? base[c] : f[c])).join(',');
}

export function registerReceipts(program: Command): void {
  const receipts = program.command('receipts').description('what the agent captured on this PC');

  receipts
    .command('list')
    .description('the captured receipts, oldest first')
    .option('--data <dir>', 'data directory', DEFAULT_DATA)
    .option('--json', 'one JSON array (each receipt as decode --json gives it, plus id, captured_at, printer, print_status, synced)')
    .option('--printer <name>', 'only this printer')
    .action(async (flags: { data: string; json?: boolean; printer?: string }) => {
      await withStore(flags.data, async (store) => {
        const list = store.listReceipts(flags.printer ? { printer: flags.printer } : {});
        if (flags.json) {
          await writeOut(`${JSON.stringify(list.map(listedReceipt), null, 2)}\n`);
          return;
        }
        const rows = list.map((r) => {
          const first = r.receipt.text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
          return `${String(r.deviceSeq).padStart(5)}  ${r.id.slice(0, 8)}  ${r.capturedAt}  ${r.printer.padEnd(10)}  ${r.printStatus.padEnd(7)}  ${r.synced ? 'synced' : 'local '}  ${(r.receipt.fields.template ?? '-').padEnd(8)}  ${money(r).padEnd(14)}  ${first.slice(0, 30)}`;
        });
        await writeOut(rows.length ? `${rows.join('\n')}\n${rows.length} receipts\n` : 'no receipts captured yet\n');
      });
    });

  receipts
    .command('show')
    .description('one receipt: its text, fields and codes')
    .argument('<id>', 'receipt id (or its first 8 characters)')
    .option('--data <dir>', 'data directory', DEFAULT_DATA)
    .option('--json', 'as JSON')
    .action(async (id: string, flags: { data: string; json?: boolean }) => {
      await withStore(flags.data, async (store) => {
        const r = store.getReceipt(id);
        if (!r) throw usageError(`no receipt ${id} in ${flags.data}`);
        if (flags.json) {
          await writeOut(`${JSON.stringify(listedReceipt(r), null, 2)}\n`);
          return;
        }
        const f = r.receipt.fields;
        let out = `receipt ${r.id} (#${r.deviceSeq}) from ${r.printer} at ${r.capturedAt}, print ${r.printStatus}, ${r.synced ? 'synced' : 'not synced yet'}\n`;
        out += `bytes ${r.receipt.bytes.start}-${r.receipt.bytes.end} of session ${r.session}\n\n${r.receipt.text}`;
        for (const b of r.receipt.barcodes) out += `[${b.symbology}: ${b.data}]\n`;
        for (const i of r.receipt.images) out += `[image ${i.width}x${i.height}]\n`;
        const entries = Object.entries(f).filter(([k]) => k !== 'template');
        out += entries.length
          ? `\nfields (template ${f.template}):\n${entries.map(([k, v]) => `  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`
          : '\nfields: none recognised\n';
        for (const w of r.receipt.warnings) out += `warning: ${w}\n`;
        await writeOut(out);
      });
    });

  receipts
    .command('export')
    .description('all receipts as CSV or JSON Lines')
    .option('--data <dir>', 'data directory', DEFAULT_DATA)
    .option('--format <format>', 'csv or jsonl', 'csv')
    .option('--out <file>', 'write to FILE instead of standard output')
    .action(async (flags: { data: string; format: string; out?: string }) => {
      if (flags.format !== 'csv' && flags.format !== 'jsonl') throw usageError(`unknown export format "${flags.format}" (csv or jsonl)`);
      await withStore(flags.data, async (store) => {
        const list = store.listReceipts();
        const body =
          flags.format === 'csv'
            ? `${CSV_COLUMNS.join(',')}\n${list.map((r) => `${csvRow(r)}\n`).join('')}`
            : list.map((r) => `${JSON.stringify(listedReceipt(r))}\n`).join('');
        if (flags.out) writeFileSync(flags.out, body);
        else await writeOut(body);
      });
    });

  receipts
    .command('redecode')
    .description('decode the journal again (after an upgrade or a decoder fault); ids stay the same')
    .option('--data <dir>', 'data directory', DEFAULT_DATA)
    .option('--profile <name>', 'printer profile', 'auto')
    .option('--encoding <enc>', `text encoding in CJK mode: ${CJK_ENCODINGS.join(' ')}`)
    .option('--json', 'print a JSON summary')
    .action(async (flags: { data: string; profile?: string; encoding?: string; json?: boolean }) => {
      const profile = parseProfile(flags.profile);
      const encoding = parseEncoding(flags.encoding);
      let sessions = 0;
      let changed = 0;
      let same = 0;
      let added = 0;
      await withStore(flags.data, async (store) => {
        const stored = store.listReceipts();
        for (const s of store.sessions()) {
          sessions++;
          const d = new ReceiptDecoder({ profile, ...(encoding ? { encoding } : {}) });
          const bytes = store.readStream(s.session, 'to-printer', 0);
          const fresh = [...d.push(bytes), ...d.end()];
          for (const r of fresh) {
            const old = stored.find((x) => x.session === s.session && x.start === r.bytes.start);
            const json = receiptToJson(r);
            if (!old) {
              const made = store.commitReceipt({
                session: s.session,
                printer: s.printer,
                start: r.bytes.start,
                end: r.bytes.end,
                capturedAt: new Date(s.endedAt ?? s.startedAt).toISOString(),
                receipt: json,
                printStatus: 'ok',
              });
              if (made) added++;
            } else if (store.updateDecoded(old.id, json)) changed++;
            else same++;
          }
        }
        const summary = { sessions, receipts_changed: changed, receipts_unchanged: same, receipts_added: added };
        await writeOut(flags.json ? `${JSON.stringify(summary)}\n` : `redecoded ${sessions} sessions: ${changed} receipts changed, ${same} unchanged, ${added} new\n`);
      });
    });
}
