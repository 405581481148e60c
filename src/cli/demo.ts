/** `tilltap demo`: what tilltap can do today, on sample captures made by its own encoder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { decodeBuffer } from '../receipt/decoder.js';
import { renderReceiptText } from '../receipt/render/text.js';
import { runAgentDemo } from './demo-agent.js';
import { runHeadOfficeDemo } from './demo-headoffice.js';
import { demoSamples } from './demo-samples.js';
import { writeOut } from './output.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('end to end on this PC: sample captures decoded, printed through the agent to a simulated printer, synced to a local server and reconciled')
    .option('--out <dir>', 'also write the sample captures to DIR (try them with `tilltap decode`)')
    .option('--data <dir>', 'keep the agent part\'s data here (try `tilltap receipts list --data DIR`)')
    .action(async (flags: { out?: string; data?: string }) => {
      const samples = demoSamples();
      let out = 'tilltap demo: decoding sample captures made by tilltap\'s own ESC/POS encoder\n\n';
      let receipts = 0;
      for (const s of samples) {
        const r = decodeBuffer(s.bytes);
        receipts += r.receipts.length;
        out += `== ${s.name} (${s.bytes.length} bytes): ${s.description}\n`;
        out += `   ${r.receipts.length} receipt(s), ${r.status.length} status quer${r.status.length === 1 ? 'y' : 'ies'}`;
        out += r.status.length ? ` (${r.status.map((q) => q.query).join(', ')})\n` : '\n';
        for (const receipt of r.receipts) {
          const codes = receipt.barcodes.map((b) => `${b.symbology} ${b.data}`).join('; ');
          out += `   receipt ${receipt.seq}: bytes ${receipt.bytes.start}-${receipt.bytes.end}, ${receipt.lines.length} lines`;
          out += `, ${receipt.images.length} image(s)${codes ? `, codes: ${codes}` : ''}\n`;
          const { template, ...fields } = receipt.fields;
          out += template
            ? `   fields (template ${template}): ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}\n\n`
            : '   fields: none recognised\n\n';
          out += renderReceiptText(receipt).replace(/^/gm, '   ') + '\n';
        }
      }
      if (flags.out) {
        mkdirSync(flags.out, { recursive: true });
        for (const s of samples) writeFileSync(join(flags.out, s.name), s.bytes);
        out += `Wrote ${samples.length} captures to ${flags.out}: try \`npx tilltap decode ${join(flags.out, samples[0]!.name)} --json\`.\n`;
      }
      out += '\n== The capture agent: a simulated POS prints these captures through `tilltap run`\'s TCP proxy\n';
      out += '   to a simulated printer; the agent journals every byte and stores each receipt in SQLite.\n';
      const agent = await runAgentDemo(samples, flags.data);
      out += `   POS sent ${agent.sentBytes} bytes; printer received ${agent.printerBytes} bytes (${agent.byteExact ? 'byte-exact' : 'DIFFERENT'});`;
      out += ` ${agent.statusReplies} status reply byte(s) reached the POS.\n`;
      out += `   ${agent.receipts.length} receipts stored in ${agent.dataDir}:\n`;
      for (const r of agent.receipts) {
        const f = r.receipt.fields;
        const amount = typeof (f.amount_minor ?? f.total_minor) === 'number' ? ` ${((f.amount_minor ?? f.total_minor)! / 100).toFixed(2)} ${f.currency ?? ''}` : '';
        out += `   #${r.deviceSeq} ${r.id.slice(0, 8)} ${r.capturedAt} ${r.printer} ${f.template ?? '-'}${amount} print ${r.printStatus}\n`;
      }
      out += `   Try: npx tilltap receipts list --data ${agent.dataDir}\n\n`;
      out += '== Head office: a local server on 127.0.0.1 receives the receipts from the agent\'s sync, imports the\n';
      out += '   acquirer\'s statement (对账单) for the day and reconciles it against the receipts.\n';
      const ho = await runHeadOfficeDemo(agent.dataDir);
      out += `   Server ${ho.serverUrl} (SQLite ${ho.db}): ${ho.synced} receipt(s) synced, ${ho.held} held at head office.\n`;
      out += `   Statement: ${ho.statementRows} transaction(s); ${ho.matched} matched to a printed receipt; ${ho.discrepancies.length} discrepanc${ho.discrepancies.length === 1 ? 'y' : 'ies'}:\n`;
      for (const d of ho.discrepancies) out += `   - ${d.kind}: ${d.explanation}\n`;
      out += `   Try: npx tilltap reconcile --db ${ho.db}   ·   npx tilltap server --db ${ho.db}  (dashboard at /)\n\n`;
      out += `Done: ${samples.length} captures, ${receipts} receipts decoded, ${agent.receipts.length} captured by the agent, `;
      out += `${ho.held} synced to head office, ${ho.discrepancies.length} discrepanc${ho.discrepancies.length === 1 ? 'y' : 'ies'} explained.\n`;
      await writeOut(out);
    });
}
