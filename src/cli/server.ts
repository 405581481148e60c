/**
 * `tilltap server`: the head-office server (fastify; src/server/), and its housekeeping commands:
 *   server [--config FILE] [--listen HOST:PORT] [--db URL]
 *   server token create --store ID | --user NAME, token list, token revoke ID
 *   server receipts list [--store ID] [--date YYYY-MM-DD] [--json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { packageRoot } from '../paths.js';
import { loadServerConfig, type ServerFlags } from '../server/config.js';
import { listedServerReceipt } from '../server/listed.js';
import { startServer } from '../server/run.js';
import { DbOpenError, DbUrlError, DEFAULT_DB, parseDbUrl } from '../server/storage/open.js';
import type { ServerReceipt, TokenRecord } from '../server/storage/types.js';
import { makeToken, STORE_ID, USER_NAME } from '../server/tokens.js';
import { runtimeError, usageError } from './errors.js';
import { all, dbError, dbOption, withStorage, type DbFlags } from './server-db.js';
import { writeOut } from './output.js';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function tokenJson(t: TokenRecord): Record<string, unknown> {
  return { id: t.id, role: t.role, store: t.store, name: t.name, created_at: t.createdAt, revoked_at: t.revokedAt };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

function money(fields: Record<string, unknown>): string {
  const minor = typeof fields.amount_minor === 'number' ? fields.amount_minor : fields.total_minor;
  return typeof minor === 'number' ? `${(minor / 100).toFixed(2)} ${typeof fields.currency === 'string' ? fields.currency : ''}`.trim() : '';
}

function receiptRow(r: ServerReceipt): string[] {
  const receipt = JSON.parse(r.json) as { text?: string; fields?: Record<string, unknown> };
  const fields = receipt.fields ?? {};
  const first = (receipt.text ?? '').split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return [
    r.store,
    r.id.slice(0, 8),
    r.capturedAt,
    r.printer,
    r.printStatus,
    r.revision > 0 ? `r${r.revision}` : '',
    typeof fields.terminal_id === 'string' ? fields.terminal_id : '-',
    typeof fields.template === 'string' ? fields.template : '-',
    money(fields),
    first.slice(0, 30),
  ];
}

async function serve(flags: ServerFlags): Promise<void> {
  let config;
  try {
    config = loadServerConfig(flags);
    parseDbUrl(config.db);
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const log = pino({ level: config.log.level, base: { app: 'tilltap-server' } }, pino.destination(2));
  let running;
  try {
    running = await startServer(config, log, packageVersion());
  } catch (err) {
    if (err instanceof DbUrlError || err instanceof DbOpenError) throw dbError(err);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw runtimeError(`cannot listen on ${config.listen}: the address is in use`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw usageError(`cannot listen on ${config.listen}: no such local address`);
    if (e.code === 'EACCES') throw runtimeError(`cannot listen on ${config.listen}: permission denied`);
    throw runtimeError(`cannot start the server: ${e.message.split('\n')[0]}`);
  }
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'stopping');
  await running.stop();
  log.info('stopped');
}

export function registerServer(program: Command): void {
  const server = program
    .command('server')
    .description('the head-office reconciliation server: receives receipts and health events from agents')
    .option('--config <file>', 'server config (YAML: listen, db, limits, log, idempotency)')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8470)')
    .option('--db <url>', `SQLite file path or postgres:// URL (default ${DEFAULT_DB})`)
    .action(async (flags: ServerFlags) => serve(flags));

  const token = server.command('token').description('API tokens: device tokens for agents, user tokens for head office');

  dbOption(
    token
      .command('create')
      .description('make a token and print it (the token alone on the last line); it is stored only hashed')
      .option('--store <id>', 'a device token for this store (the store is made if new)')
      .option('--user <name>', 'a user API token (reads every store) for this person or program')
      .option('--json', 'one JSON document: id, role, store, name, token'),
  ).action(async (_: unknown, cmd: Command) => {
    const flags = all<DbFlags & { store?: string; user?: string; json?: boolean }>(cmd);
    if ((flags.store === undefined) === (flags.user === undefined)) throw usageError('give either --store ID (a device token) or --user NAME (a user token)');
    if (flags.store !== undefined && !STORE_ID.test(flags.store)) throw usageError(`--store "${flags.store}": letters, digits, . _ - (at most 64, starting with a letter or digit)`);
    if (flags.user !== undefined && !USER_NAME.test(flags.user)) throw usageError(`--user "${flags.user}": letters, digits, spaces, . _ @ - (at most 64)`);
    await withStorage(flags, async (storage) => {
      const role = flags.store !== undefined ? 'device' : 'user';
      const made = makeToken(role);
      const createdAt = new Date().toISOString();
      const rec = await storage.tokens.create(
        flags.store !== undefined
          ? { id: made.id, hash: made.hash, role: 'device', store: flags.store, createdAt }
          : { id: made.id, hash: made.hash, role: 'user', name: flags.user!, createdAt },
      );
      if (flags.json) {
        await writeOut(`${JSON.stringify({ ...tokenJson(rec), token: made.secret })}\n`);
        return;
      }
      const whose = rec.role === 'device' ? `device token for store ${rec.store}` : `user token for ${rec.name}`;
      process.stderr.write(`created ${whose}, id ${rec.id}; it is shown only now (the server keeps a hash)\n`);
      await writeOut(`${made.secret}\n`);
    });
  });

  dbOption(token.command('list').description('every token: id, role, store or user, created, revoked').option('--json', 'one JSON array')).action(
    async (_: unknown, cmd: Command) => {
      const flags = all<DbFlags & { json?: boolean }>(cmd);
      await withStorage(flags, async (storage) => {
        const list = await storage.tokens.list();
        if (flags.json) {
          await writeOut(`${JSON.stringify(list.map(tokenJson), null, 2)}\n`);
          return;
        }
        if (list.length === 0) {
          await writeOut('no tokens yet: tilltap server token create --store ID\n');
          return;
        }
        const rows = [['ID', 'ROLE', 'STORE / USER', 'CREATED', 'REVOKED'], ...list.map((t) => [t.id, t.role, t.store ?? t.name ?? '', t.createdAt, t.revokedAt ?? ''])];
        await writeOut(`${table(rows)}\n`);
      });
    },
  );

  dbOption(token.command('revoke').description('revoke a token: it is refused (401) from now on').argument('<id>', 'the token id (from token list)')).action(
    async (id: string, _: unknown, cmd: Command) => {
      const flags = all<DbFlags>(cmd);
      await withStorage(flags, async (storage) => {
        const r = await storage.tokens.revoke(id, new Date().toISOString());
        if (r === 'unknown') throw usageError(`no token ${id} (see tilltap server token list)`);
        await writeOut(r === 'revoked' ? `revoked token ${id}\n` : `token ${id} was already revoked\n`);
      });
    },
  );

  const receipts = server.command('receipts').description('what head office holds');
  dbOption(
    receipts
      .command('list')
      .description('receipts received from the agents, oldest first')
      .option('--store <id>', 'only this store')
      .option('--date <yyyy-mm-dd>', 'only this local date of capture')
      .option('--json', 'one JSON array: each receipt as `receipts list --json` gives it, plus store, terminal, device, revision, received_at'),
  ).action(async (_: unknown, cmd: Command) => {
    const flags = all<DbFlags & { store?: string; date?: string; json?: boolean }>(cmd);
    if (flags.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(flags.date)) throw usageError(`--date "${flags.date}": expected YYYY-MM-DD`);
    await withStorage(flags, async (storage) => {
      const list = await storage.receipts.list({
        ...(flags.store !== undefined ? { store: flags.store } : {}),
        ...(flags.date !== undefined ? { date: flags.date } : {}),
      });
      if (flags.json) {
        await writeOut(`${JSON.stringify(list.map(listedServerReceipt), null, 2)}\n`);
        return;
      }
      if (list.length === 0) {
        await writeOut('no receipts received yet\n');
        return;
      }
      const rows = [['STORE', 'ID', 'CAPTURED', 'PRINTER', 'PRINT', 'REV', 'TERMINAL', 'TEMPLATE', 'AMOUNT', 'FIRST LINE'], ...list.map(receiptRow)];
      await writeOut(`${table(rows)}\n${list.length} receipt${list.length === 1 ? '' : 's'}\n`);
    });
  });
}
