/** `tilltap run`: the capture agent, in the foreground until SIGINT / SIGTERM. */
import type { Command } from 'commander';
import { pino } from 'pino';
import { createDriver } from '../../drivers/index.js';
import { Agent } from '../agent/agent.js';
import { loadAgentConfig, type RunFlags } from '../agent/config.js';
import { watchPrinter } from '../health/watch.js';
import { Store } from '../store/index.js';
import { usageError } from './errors.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('the capture agent: pass POS print jobs on to the printer and record every receipt')
    .option('--config <file>', 'agent config (YAML; schema in config/agent.schema.json)')
    .option('--listen <uri>', 'where the POS prints to: tcp://HOST:PORT, serial:PATH, file:PATH')
    .option('--printer <uri>', 'the real printer: tcp://HOST:PORT, serial:PATH, usblp:PATH (omit to capture only)')
    .option('--data <dir>', 'data directory (journal and receipts)')
    .option('--server <url>', 'head-office server (sync arrives with a later release)')
    .option('--token <token>', 'device token for the server')
    .option('--store <id>', 'store id')
    .option('--terminal <id>', 'terminal id')
    .action(async (flags: RunFlags) => {
      let config;
      try {
        config = loadAgentConfig(flags);
      } catch (err) {
        throw usageError((err as Error).message);
      }
      const log = pino({ level: config.log.level, base: { app: 'tilltap' } }, pino.destination(2));
      let drivers;
      try {
        drivers = config.printers.map((p) => ({ p, driver: createDriver({ name: p.name, listen: p.listen, printer: p.printer }) }));
      } catch (err) {
        throw usageError((err as Error).message);
      }
      const store = Store.open(config.data);
      const agent = new Agent(
        store,
        drivers.map(({ p, driver }) => ({
          name: p.name,
          driver,
          decode: { profile: p.profile, ...(p.encoding ? { encoding: p.encoding } : {}) },
          idleMs: p.idle_ms,
        })),
        log,
      );
      // Printer health: polls through the pass-through (listens only on a tap), stores every change.
      const health = drivers.map(({ p, driver }) =>
        watchPrinter(store, p.name, driver, {
          onWarn: (m) => log.warn({ printer: p.name }, m),
          onEvents: (events) => {
            for (const e of events) log.info({ printer: e.printer, kind: e.kind, state: e.state, previous: e.previous, detail: e.detail }, 'printer health');
          },
        }),
      );
      await agent.start();
      // Retention: synced data older than the setting goes; unsynced data never does.
      const prune = (): void => {
        try {
          const gone = store.prune({ olderThanDays: config.retention.days });
          if (gone.receipts + gone.sessions > 0) log.info({ ...gone, days: config.retention.days }, 'pruned synced data');
        } catch (err) {
          log.error({ err: (err as Error).message }, 'prune failed');
        }
      };
      prune();
      const pruner = setInterval(prune, 3_600_000);
      pruner.unref();
      log.info({ data: config.data, printers: config.printers.map((p) => p.name) }, 'agent running');
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          log.info({ signal }, 'stopping');
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      clearInterval(pruner);
      await agent.stop();
      for (const h of health) h.stop();
      store.close();
      log.info({ ...agent.status }, 'stopped');
    });
}
