/**
 * Background threads (the capture worker, sync) give way to the relay thread. On a two-core
 * counter PC the relay, the POS software and these threads compete for the CPU; what they do can
 * wait a few milliseconds (the spool already holds the bytes), a print job cannot.
 *
 * On Linux each thread has its own nice value, and `setpriority(PRIO_PROCESS, 0, …)` — which is what
 * `os.setPriority(0, …)` calls — changes only the calling thread's. Elsewhere it would change the
 * whole process (the relay too), so it is left alone there.
 */
import { getPriority, setPriority } from 'node:os';

/** Nice 10: under contention such a thread gets about a tenth of what a normal one does. */
export const BACKGROUND_NICE = 10;

/** Lower the calling thread's priority; false where that is not possible (or not only this thread). */
export function runInBackground(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // Never raise it: an agent started at a lower priority keeps it.
    if (getPriority(0) < BACKGROUND_NICE) setPriority(0, BACKGROUND_NICE);
    return true;
  } catch {
    return false;
  }
}
