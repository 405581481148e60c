/**
 * The sync worker's thread (see host.ts): opens its own connection on the data directory, runs a
 * SyncWorker, sends its log lines and attempt reports to the main thread, stops on request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSync, SyncConfigError, type SyncThreadInit } from './index.js';
import type { HostMessage, ThreadMessage } from './host.js';
import { runInBackground } from '../background-priority.js';

const port = parentPort!;
runInBackground();
const post = (m: ThreadMessage): void => port.postMessage(m);
const init = workerData as SyncThreadInit;

const log = {
  info: (obj: object, msg = ''): void => post({ type: 'log', level: 'info', obj, msg }),
  warn: (obj: object, msg = ''): void => post({ type: 'log', level: 'warn', obj, msg }),
  error: (obj: object, msg = ''): void => post({ type: 'log', level: 'error', obj, msg }),
};

try {
  const running = openSync(init.dataDir, init.server, init.config, log);
  running.worker.on('attempt', (report) => post({ type: 'attempt', report }));
  running.worker.on('settled', (due) => post({ type: 'settled', due }));
  port.on('message', (m: HostMessage) => {
    if (m.type === 'nudge') running.worker.nudge();
    else if (m.type === 'stop') {
      running.stop().then(
        () => post({ type: 'stopped' }),
        (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err), config: false }),
      );
    }
  });
  post({ type: 'started', deviceId: running.deviceId });
} catch (err) {
  // Nothing runs here any more: the host ends this thread (and starts another if it may help).
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err), config: err instanceof SyncConfigError });
}
