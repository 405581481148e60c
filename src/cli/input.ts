/** Reading a capture from a file or standard input as a stream of chunks. */
import { createReadStream, statSync } from 'node:fs';
import { usageError } from './errors.js';

const CHUNK = 64 * 1024;

/** Check a path before streaming it, so that a bad path is a one-line usage error (exit 2). */
export function openCapture(path: string | undefined): AsyncIterable<Buffer> {
  if (path === undefined && process.stdin.isTTY) {
    throw usageError('no capture: give a file, or pipe one into standard input (decode - < capture.bin)');
  }
  if (path === undefined || path === '-') return process.stdin;
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'error')}`);
  }
  if (!isFile) throw usageError(`cannot read ${path}: not a regular file`);
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  return (async function* () {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (err) {
      throw usageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  })();
}
