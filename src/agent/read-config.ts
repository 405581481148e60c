/**
 * `tilltap run`'s configuration, read in a thread that then ends (config-thread.ts): the main
 * thread, which relays print jobs for the agent's whole life, gets plain validated data and never
 * loads the YAML parser or zod. The capture worker gets the profiles and templates the same way.
 */
import { Worker } from 'node:worker_threads';
import type { ConfigData } from '../config-data.js';
import { builtSibling } from '../paths.js';
import type { AgentConfig, RunFlags } from './config.js';

export type ConfigReply =
  | { readonly ok: true; readonly config: AgentConfig; readonly configData: ConfigData }
  /** `usage`: the flags or the config file are wrong (exit 2); else the installation is. */
  | { readonly ok: false; readonly usage: boolean; readonly message: string };

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
  }
}

export function readAgentConfig(flags: RunFlags, env: NodeJS.ProcessEnv = process.env): Promise<{ config: AgentConfig; configData: ConfigData }> {
  return new Promise((resolve, reject) => {
    // Only plain values cross: commander's flags object carries no functions, but be sure.
    const w = new Worker(builtSibling(import.meta.url, 'config-thread.js'), { workerData: { flags: { ...flags }, env: { TILLTAP_TOKEN: env.TILLTAP_TOKEN } } });
    let settled = false;
    w.once('message', (m: ConfigReply) => {
      settled = true;
      if (m.ok) resolve({ config: m.config, configData: m.configData });
      else reject(new ConfigError(m.message, m.usage));
    });
    w.once('error', (err) => {
      settled = true;
      reject(new ConfigError(err.message, false));
    });
    w.once('exit', () => {
      if (!settled) reject(new ConfigError('the configuration thread ended without an answer', false));
    });
  });
}
