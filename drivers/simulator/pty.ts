/**
 * A pseudo-terminal pair made by socat — a virtual COM pair on Linux and macOS:
 *
 *   socat -d -d pty,raw,echo=0 pty,raw,echo=0
 *
 * socat prints the two slave paths (`N PTY is /dev/pts/7`) on stderr, then relays between them
 * for as long as it runs. Both ends stay usable when the programs on them close and reopen them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface PtyPair {
  /** One end (e.g. the one the agent or the POS opens). */
  readonly a: string;
  /** The other end. */
  readonly b: string;
  readonly pid: number;
  /** Ends socat; resolves when it has exited. */
  stop(): Promise<void>;
}

export interface PtyPairOptions {
  /** The socat executable. Default `socat` on the PATH. */
  readonly socat?: string;
  /** Give up when socat has not set up both ends within this long (ms). Default 5000. */
  readonly timeoutMs?: number;
}

/** The socat executable on the PATH, or null. */
export function findSocat(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, process.platform === 'win32' ? 'socat.exe' : 'socat');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

export function hasSocat(): boolean {
  return findSocat() !== null;
}

/** Starts socat and resolves with the two pty paths once it relays between them. */
export function openPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  const exe = opts.socat ?? findSocat();
  if (!exe) return Promise.reject(new Error('socat is not installed (apt-get install socat): it makes the virtual serial pairs'));
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(exe, ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    let log = '';
    const paths: string[] = [];
    let settled = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(t);
      }
    };
    const fail = (msg: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop();
      reject(new Error(msg));
    };
    const timer = setTimeout(() => fail(`socat did not set up a pty pair within ${timeoutMs} ms: ${log.trim().split('\n').pop() ?? ''}`), timeoutMs);
    child.once('error', (err) => fail(`cannot run socat: ${err.message}`));
    child.once('exit', (code, signal) => fail(`socat exited (${signal ?? code}) before the pty pair was ready: ${log.trim()}`));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      if (settled) return; // keep draining the pipe, ignore the rest
      log += text;
      for (const m of text.matchAll(/PTY is (\S+)/g)) paths.push(m[1]!);
      if (paths.length >= 2 && /starting data transfer loop/.test(log)) {
        settled = true;
        clearTimeout(timer);
        resolve({ a: paths[0]!, b: paths[1]!, pid: child.pid ?? -1, stop });
      }
    });
  });
}
