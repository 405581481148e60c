/**
 * The event side of every capture driver: typed `on`/`off`, and emits that never let a failing
 * listener (a full disk in the journal, a decoder bug) break the byte relay. A listener that
 * throws is reported as a `warn`; printing goes on.
 */
import type { CaptureChunk, Direction, DriverEvents, RelayGate, SessionInfo } from './types.js';

type Listeners = { [E in keyof DriverEvents]: Array<DriverEvents[E]> };

export class DriverEmitter {
  private listeners: Listeners = { chunk: [], connect: [], disconnect: [], warn: [] };
  /** See RelayGate; read by pass-through pumps for each piece. */
  gate: RelayGate | null = null;

  setRelayGate(gate: RelayGate | null): void {
    this.gate = gate;
  }

  // The lists are replaced, never changed in place, so an emit can walk the one it started with
  // (a listener may add or remove listeners) without copying it for every chunk.
  on<E extends keyof DriverEvents>(event: E, listener: DriverEvents[E]): this {
    this.listeners = { ...this.listeners, [event]: [...this.listeners[event], listener] } as Listeners;
    return this;
  }

  off<E extends keyof DriverEvents>(event: E, listener: DriverEvents[E]): this {
    const list = this.listeners[event];
    const i = list.lastIndexOf(listener);
    if (i >= 0) this.listeners = { ...this.listeners, [event]: [...list.slice(0, i), ...list.slice(i + 1)] } as Listeners;
    return this;
  }

  /** Number of listeners for an event (for tests and diagnostics). */
  listenerCount(event: keyof DriverEvents): number {
    return this.listeners[event].length;
  }

  protected emitChunk(dir: Direction, bytes: Buffer, t: number, session: string): void {
    if (bytes.length === 0) return;
    const chunk: CaptureChunk = { dir, bytes, t, session };
    for (const l of this.listeners.chunk) {
      try {
        l(chunk);
      } catch (e) {
        this.warn(`chunk listener failed (capture continues, printing is not affected): ${message(e)}`);
      }
    }
  }

  protected emitConnect(info: SessionInfo): void {
    for (const l of this.listeners.connect) {
      try {
        l(info);
      } catch (e) {
        this.warn(`connect listener failed: ${message(e)}`);
      }
    }
  }

  protected emitDisconnect(info: SessionInfo): void {
    for (const l of this.listeners.disconnect) {
      try {
        l(info);
      } catch (e) {
        this.warn(`disconnect listener failed: ${message(e)}`);
      }
    }
  }

  protected warn(msg: string): void {
    for (const l of this.listeners.warn) {
      try {
        l(msg);
      } catch {
        // A failing warn listener has nowhere left to report to.
      }
    }
  }
}

/** The message of anything thrown. */
export function message(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
