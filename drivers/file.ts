/**
 * File replay (`file:PATH`): a capture file played as one session of `to-printer` chunks (64 KB
 * each), then the session ends — for demos and tests. `start()` checks the file and resolves; the
 * replay runs right after (listeners attached before `start()` see all of it). `done` resolves
 * when the replay has ended.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { DriverEmitter, message } from './emitter.js';
import type { CaptureDriver } from './types.js';
import { type FileUri, parseDeviceUriOf } from './uri.js';

export interface FileReplayOptions {
  readonly listen: string | FileUri;
  readonly name?: string;
  /** Chunk size (bytes). Default 65 536. */
  readonly chunkBytes?: number;
}

export class FileReplayDriver extends DriverEmitter implements CaptureDriver {
  readonly kind = 'file';
  readonly uri: string;
  readonly name: string;
  readonly path: string;
  /** Resolves when the replay has ended (or was stopped). */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private stream: fs.ReadStream | null = null;
  private started = false;

  constructor(private readonly opts: FileReplayOptions) {
    super();
    const f = typeof opts.listen === 'string' ? parseDeviceUriOf(opts.listen, 'file') : opts.listen;
    this.uri = f.uri;
    this.path = f.path;
    this.name = opts.name ?? this.uri;
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  async start(): Promise<void> {
    if (this.started) return;
    const st = await fs.promises.stat(this.path).catch((err: unknown) => {
      throw new Error(`cannot replay ${this.path}: ${message(err)}`);
    });
    if (!st.isFile()) throw new Error(`cannot replay ${this.path}: not a file`);
    this.started = true;
    const session = randomUUID();
    const stream = fs.createReadStream(this.path, { highWaterMark: this.opts.chunkBytes ?? 64 * 1024 });
    this.stream = stream;
    // An error before the listeners below are attached (the open fails, the file vanished) must
    // not be an unhandled 'error' event: it is kept and reported when the replay begins.
    let early: unknown = null;
    const onEarly = (err: unknown): void => {
      early ??= err;
    };
    stream.on('error', onEarly);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.stream = null;
      this.emitDisconnect({ session, peer: this.path, t: Date.now() });
      this.resolveDone();
    };
    // Events begin on the next turn, after start() has resolved.
    setImmediate(() => {
      if (stream.destroyed && early === null) {
        // Stopped before it began: no session at all.
        ended = true;
        this.resolveDone();
        return;
      }
      stream.off('error', onEarly);
      this.emitConnect({ session, peer: this.path, t: Date.now() });
      if (early !== null) {
        this.warn(`${this.path}: replay failed (${message(early)})`);
        end();
        return;
      }
      stream.on('data', (buf: Buffer | string) => {
        const bytes = typeof buf === 'string' ? Buffer.from(buf, 'latin1') : buf;
        this.emitChunk('to-printer', bytes, Date.now(), session);
      });
      stream.on('error', (err) => {
        this.warn(`${this.path}: replay failed (${message(err)})`);
        end();
      });
      stream.on('end', end);
      stream.on('close', end);
    });
  }

  async stop(): Promise<void> {
    if (!this.started) {
      this.resolveDone();
      return;
    }
    const s = this.stream;
    if (s && !s.destroyed) s.destroy();
    await this.done;
  }
}
