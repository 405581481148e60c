/**
 * Config data handed to a worker thread already read and validated: the printer profiles
 * (config/printers/) and field templates (config/templates/). A thread started with it in
 * `workerData.configData` (the agent's capture worker) never reads those files again and never
 * loads the YAML parser and zod, whose code and heap would otherwise sit in every thread of an
 * idle agent.
 */
import { workerData } from 'node:worker_threads';
import type { ProfileData } from './escpos/profiles.js';
import type { Template } from './receipt/fields/template.js';

export interface ConfigData {
  readonly profiles: readonly ProfileData[];
  readonly templates: readonly Template[];
}

/** The data this thread was started with, if any. */
export function givenConfigData(): ConfigData | null {
  const d = (workerData as { configData?: ConfigData } | null | undefined)?.configData;
  return d ?? null;
}
