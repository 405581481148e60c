/**
 * The head-office part of `tilltap demo`: a local server (fastify, SQLite in a temp dir) on
 * 127.0.0.1, the agent's receipts synced to it with a device token, an acquirer statement
 * (对账单) imported that holds the captured sale and one the printer never printed, and the
 * reconciliation run that explains the difference.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { syncSchema } from '../agent/config.js';
import { discrepancyJson } from '../server/reconcile/present.js';
import { importStatement } from '../server/reconcile/import.js';
import { runReconciliation } from '../server/reconcile/run.js';
import { serverConfigSchema } from '../server/config.js';
import { startServer } from '../server/run.js';
import { makeToken } from '../server/tokens.js';
import { openSync } from '../sync/index.js';
import { Store } from '../store/index.js';
import type { StoredReceipt } from '../store/types.js';

export interface HeadOfficeDemoResult {
  readonly serverUrl: string;
  readonly db: string;
  readonly synced: number;
  readonly held: number;
  readonly statementRows: number;
  readonly matched: number;
  readonly discrepancies: ReadonlyArray<{ kind: string; explanation: string }>;
}

const silent = { info() {}, warn() {}, error() {} };

/** `YYYY-MM-DD HH:MM:SS` from the receipt's ISO local time. */
const spaced = (iso: string): string => iso.replace('T', ' ').slice(0, 19);

/**
 * The statement the acquirer would send for the day: the captured sale as it was printed, and a
 * sale on the same terminal forty minutes earlier whose slip never printed.
 */
function acquirerStatement(sale: StoredReceipt): Buffer | null {
  const f = sale.receipt.fields;
  if (!f.merchant_id || !f.terminal_id || !f.datetime || f.amount_minor === undefined || !f.reference_no) return null;
  const money = (minor: number): string => (minor / 100).toFixed(2);
  const earlier = new Date(Date.parse(`${f.datetime}Z`) - 40 * 60_000).toISOString().slice(0, 19);
  const header = '商户号,终端号,交易时间,交易类型,批次号,凭证号,参考号,授权码,卡号,交易金额,手续费,结算金额';
  const rows = [
    [f.merchant_id, f.terminal_id, spaced(f.datetime), '消费', f.batch_no ?? '', f.trace_no ?? '', f.reference_no, f.auth_code ?? '', f.card_number ?? '', money(f.amount_minor), '0.77', money(f.amount_minor - 77)],
    [f.merchant_id, f.terminal_id, spaced(earlier), '消费', f.batch_no ?? '', '004568', '317080479901', '654321', '621700******5678', '56.50', '0.34', '56.16'],
  ];
  return Buffer.from(`${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`, 'utf8');
}

export async function runHeadOfficeDemo(agentDataDir: string): Promise<HeadOfficeDemoResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tilltap-demo-server-'));
  const db = join(dir, 'server.db');
  const config = serverConfigSchema.parse({ listen: '127.0.0.1:0', db });
  const server = await startServer(config, pino({ level: 'silent' }), 'demo');
  try {
    const made = makeToken('device');
    await server.storage.tokens.create({ id: made.id, hash: made.hash, role: 'device', store: 'DEMO-01', createdAt: new Date().toISOString() });

    // The agent's sync, as `tilltap run --server URL --token T` runs it, until the outbox is empty.
    const sync = openSync(agentDataDir, { url: server.url, token: made.secret }, syncSchema.parse({ interval_ms: 100 }), silent);
    const store = Store.open(agentDataDir);
    let receipts: StoredReceipt[];
    try {
      for (let waited = 0; store.syncStatus().backlog > 0 && waited < 15_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      receipts = store.listReceipts();
    } finally {
      await sync.stop();
      store.close();
    }
    const held = (await server.storage.receipts.list({ store: 'DEMO-01' })).length;

    const sale = receipts.find((r) => r.receipt.fields.template === 'unionpay' && r.receipt.fields.trans_type === 'sale');
    const statement = sale ? acquirerStatement(sale) : null;
    let statementRows = 0;
    let matched = 0;
    const discrepancies: Array<{ kind: string; explanation: string }> = [];
    if (statement) {
      const imported = await importStatement(server.storage, { format: 'acquirer-csv', bytes: statement, name: 'demo-statement.csv', by: 'demo' });
      statementRows = imported.file.rowCount;
      // Finance reconciles the next morning, when the grace period for late receipts has passed.
      await runReconciliation(server.storage, { now: new Date(Date.now() + 86_400_000).toISOString() });
      matched = (await server.storage.reconciliation.matches({})).length;
      for (const d of await server.storage.reconciliation.discrepancies({})) {
        const j = discrepancyJson(d, 'en');
        discrepancies.push({ kind: j.kind, explanation: j.explanation });
      }
    }
    return { serverUrl: server.url, db, synced: receipts.filter((r) => r.synced).length, held, statementRows, matched, discrepancies };
  } finally {
    await server.stop();
  }
}
