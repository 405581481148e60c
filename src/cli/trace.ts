/**
 * `tilltap trace --listen URI --printer URI [--jsonl] [--encoding E] [--duration MS]`: a live relay
 * (the capture drivers: byte-exact both ways) that prints each command by name with its
 * parameters, text as text, and the printer's replies decoded, with direction and time.
 */
import type { Command } from 'commander';
import { createDriver } from '../../drivers/index.js';
import type { CaptureChunk, SessionInfo } from '../../drivers/types.js';
import { hasEncoding } from '../escpos/codepages.js';
import { formatEntry, LineAnnotator, type TraceEntry } from '../health/annotate.js';
import { usageError } from './errors.js';
import { writeStream } from './output.js';

interface TraceFlags {
  listen: string;
  printer?: string;
  jsonl?: boolean;
  encoding?: string;
  duration?: string;
}

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description('a live, annotated view of what the POS sends and the printer answers (relayed byte for byte)')
    .requiredOption('--listen <uri>', 'where the POS prints to: tcp://HOST:PORT or serial:PATH')
    .option('--printer <uri>', 'the real printer: tcp://HOST:PORT, serial:PATH, usblp:PATH (omit: a TCP listener answers as a healthy printer; a serial one only listens)')
    .option('--jsonl', 'one JSON object per line instead of text')
    .option('--encoding <name>', 'how text bytes are shown (gb18030, cp437, cp858, big5, shift_jis, …)', 'gb18030')
    .option('--duration <ms>', 'stop after this long (default: until Ctrl-C)')
    .action(async (flags: TraceFlags) => {
      const encoding = flags.encoding ?? 'gb18030';
      if (!hasEncoding(encoding)) throw usageError(`unknown encoding "${encoding}"`);
      let duration: number | null = null;
      if (flags.duration !== undefined) {
        duration = Number(flags.duration);
        if (!Number.isInteger(duration) || duration <= 0) throw usageError(`--duration must be a positive number of milliseconds, not "${flags.duration}"`);
      }
      let driver;
      try {
        driver = createDriver({ name: 'trace', listen: flags.listen, printer: flags.printer });
      } catch (err) {
        throw usageError((err as Error).message);
      }
      const lines = new Map<string, LineAnnotator>();
      const print = (entries: readonly TraceEntry[], session: string): void => {
        for (const e of entries) void writeStream(`${flags.jsonl ? JSON.stringify({ session, ...e }) : formatEntry(e, session)}\n`);
      };
      const line = (session: string): LineAnnotator => {
        let l = lines.get(session);
        if (!l) lines.set(session, (l = new LineAnnotator(encoding)));
        return l;
      };
      driver.on('connect', (s: SessionInfo) => {
        line(s.session);
        if (!flags.jsonl) process.stderr.write(`-- session ${s.session.slice(0, 8)} from ${s.peer}\n`);
      });
      driver.on('chunk', (c: CaptureChunk) => {
        const l = line(c.session);
        print(c.dir === 'to-printer' ? l.toPrinter(c.bytes, c.t) : l.fromPrinter(c.bytes, c.t), c.session);
      });
      driver.on('disconnect', (s: SessionInfo) => {
        const l = lines.get(s.session);
        if (l) print(l.end(s.t), s.session);
        lines.delete(s.session);
        if (!flags.jsonl) process.stderr.write(`-- session ${s.session.slice(0, 8)} ended\n`);
      });
      driver.on('warn', (m: string) => process.stderr.write(`tilltap trace: ${m}\n`));
      await driver.start();
      process.stderr.write(`tilltap trace: listening on ${driver.uri}${flags.printer ? `, passing on to ${flags.printer}` : ''}; Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        const timer = duration !== null ? setTimeout(resolve, duration) : null;
        const stop = (): void => {
          if (timer) clearTimeout(timer);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await driver.stop();
    });
}
