/**
 * Gives the C allocator's free memory back to the system, where the optional native addon
 * (native/memtrim: glibc's malloc_trim) is built. Threads that ended — a sync run, the
 * configuration reader — and bursts of decoding leave free memory in glibc's arenas, which it
 * keeps resident: on an idle agent about 6 MB of its RSS. Without the addon (no compiler on the
 * PC, or not glibc) this does nothing and says so.
 */
import { createRequire } from 'node:module';

interface MemTrim {
  readonly available: boolean;
  trim(): boolean;
}

let addon: MemTrim | null | undefined;

function load(): MemTrim | null {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)('@tilltap/memtrim') as MemTrim;
  } catch {
    addon = null;
  }
  return addon;
}

/** Whether `trimAllocator` can give memory back on this system. */
export function allocatorTrimAvailable(): boolean {
  return load()?.available ?? false;
}

/** Free allocator memory back to the system (all threads' arenas); whether any went. Milliseconds: call when idle. */
export function trimAllocator(): boolean {
  return load()?.trim() ?? false;
}
