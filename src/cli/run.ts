/** `tilltap run`: the capture agent, in the foreground until SIGINT / SIGTERM. */
import { accessSync, constants, mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { pino } from 'pino';
import { createDriver } from '../../drivers/index.js';
import { Agent } from '../agent/agent.js';
import type { AgentConfig, RunFlags } from '../agent/config.js';
import { ConfigError, readAgentConfig } from '../agent/read-config.js';
import type { ConfigData } from '../config-data.js';
import { startSync, type SyncThread } from '../sync/host.js';
import { runtimeError, usageError } from './errors.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('the capture agent: pass POS print jobs on to the printer and record every receipt')
    .option('--config <file>', 'agent config (YAML; schema in config/agent.schema.json)')
    .option('--listen <uri>', 'where the POS prints to: tcp://HOST:PORT, serial:PATH, file:PATH')
    .option('--printer <uri>', 'the real printer: tcp://HOST:PORT, serial:PATH, usblp:PATH (omit to capture only)')
    .option('--data <dir>', 'data directory (journal and receipts)')
    .option('--server <url>', 'head-office server: receipts are sent there in the background')
    .option('--token <token>', 'device token for the server (or TILLTAP_TOKEN in the environment)')
    .option('--store <id>', 'store id')
    .option('--terminal <id>', 'terminal id')
    .action(async (flags: RunFlags) => {
      let config: AgentConfig;
      let configData: ConfigData;
      try {
        ({ config, configData } = await readAgentConfig(flags));
      } catch (err) {
        throw err instanceof ConfigError && !err.usage ? runtimeError(err.message) : usageError((err as Error).message);
      }
      // Written in the background (libuv's thread pool), not by the relay thread: a log line per
      // receipt must not make the next print job wait, even when stderr is a slow pipe. What is
      // still buffered is written on exit.
      const dest = pino.destination({ dest: 2, sync: false });
      process.on('exit', () => {
        try {
          dest.flushSync();
        } catch {
          // Nothing to flush, or stderr is gone.
        }
      });
      const log = pino({ level: config.log.level, base: { app: 'tilltap' } }, dest);
      let drivers;
      try {
        drivers = config.printers.map((p) => ({ p, driver: createDriver({ name: p.name, listen: p.listen, printer: p.printer }) }));
      } catch (err) {
        throw usageError((err as Error).message);
      }
      // The store opens in the agent's worker thread, which fails open; a data directory that can
      // never work is a configuration error, said now.
      try {
        mkdirSync(config.data, { recursive: true });
        accessSync(config.data, constants.W_OK);
      } catch (err) {
        throw usageError(`data directory ${config.data}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const agent = new Agent({
        dataDir: config.data,
        printers: drivers.map(({ p, driver }) => ({
          name: p.name,
          driver,
          decode: { profile: p.profile, ...(p.encoding ? { encoding: p.encoding } : {}) },
          idleMs: p.idle_ms,
        })),
        log,
        // Retention: synced data older than the setting goes; unsynced data never does.
        retentionDays: config.retention.days,
        // Printer health: polls through a pass-through (only listens on a tap), stores every
        // change, and flags receipts sent while the printer reported a fault.
        health: {},
        // The sync thread sleeps while there is nothing to send: new receipts wake it.
        onStored: () => sync?.nudge(),
        configData,
      });
      // Sync beside the agent, in a thread of its own: capture never waits for the network.
      let sync: SyncThread | null = null;
      await agent.start();
      if (config.server) {
        try {
          sync = await startSync(config.data, { url: config.server.url, token: config.server.token!, terminal: config.server.terminal }, config.sync, log);
        } catch (err) {
          await agent.stop();
          throw usageError(`sync: ${(err as Error).message}`);
        }
        log.info({ server: config.server.url, store: config.server.store ?? null, terminal: config.server.terminal ?? null, device: sync.deviceId }, 'sync running');
      }
      log.info({ data: config.data, printers: config.printers.map((p) => p.name) }, 'agent running');
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          log.info({ signal }, 'stopping');
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      await sync?.stop();
      await agent.stop();
      log.info({ ...agent.status }, 'stopped');
    });
}
