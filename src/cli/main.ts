#!/usr/bin/env node
/** The `tilltap` command line. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { registerDecode } from './decode.js';
import { registerDemo } from './demo.js';
import { registerDoctor } from './doctor.js';
import { registerReceipts } from './receipts.js';
import { registerRun } from './run.js';
import { registerStatus } from './status.js';
import { registerTrace } from './trace.js';
import { CliError } from './errors.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('tilltap')
    .description('Receipt capture and reconciliation: decode what POS software sends to receipt printers')
    .version(version())
    .option('--debug', 'print stack traces for errors')
    .exitOverride();
  registerDecode(program);
  registerRun(program);
  registerReceipts(program);
  registerDemo(program);
  registerDoctor(program);
  registerTrace(program);
  registerStatus(program);
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
    await buildProgram().parseAsync(argv);
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
