#!/usr/bin/env node
/** The `tilltap` command line. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { CliError } from './errors.js';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when that command runs (all of them for top-level help): the
 * long-running `run` then carries no decoder, server or simulator code on its relay thread.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  decode: async () => (await import('./decode.js')).registerDecode,
  run: async () => (await import('./run.js')).registerRun,
  receipts: async () => (await import('./receipts.js')).registerReceipts,
  demo: async () => (await import('./demo.js')).registerDemo,
  server: async () => (await import('./server.js')).registerServer,
  doctor: async () => (await import('./doctor.js')).registerDoctor,
  trace: async () => (await import('./trace.js')).registerTrace,
  status: async () => (await import('./status.js')).registerStatus,
  'import-statement': async () => (await import('./import-statement.js')).registerImportStatement,
  reconcile: async () => (await import('./reconcile.js')).registerReconcile,
};

/** The command named on the command line (the first word that is not an option), if it is ours. */
function commandOf(argv: readonly string[]): string | undefined {
  const word = argv.slice(2).find((a) => !a.startsWith('-'));
  return word !== undefined && word in COMMANDS ? word : undefined;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command();
  program
    .name('tilltap')
    .description('Receipt capture and reconciliation: decode what POS software sends to receipt printers')
    .version(version())
    .option('--debug', 'print stack traces for errors')
    .exitOverride();
  const one = commandOf(argv);
  for (const name of one ? [one] : Object.keys(COMMANDS)) (await COMMANDS[name]!())(program);
  // Every command and subcommand reports bad usage as an error (exit 2) instead of exiting itself.
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; anything else commander rejects is bad usage (already printed).
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`tilltap: ${err.message}\n`);
      if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`tilltap: ${e.message ?? String(err)}\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
