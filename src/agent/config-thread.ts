/**
 * Reads and validates the agent's configuration, the printer profiles and the field templates in
 * a short-lived worker thread (see read-config.ts): the YAML parser, zod and the templates' parsed
 * form would otherwise stay in the main thread's heap for the agent's whole life.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { profileData } from '../escpos/profiles.js';
import { loadTemplates } from '../receipt/fields/template.js';
import { loadAgentConfig, type RunFlags } from './config.js';
import type { ConfigReply } from './read-config.js';

const { flags, env } = workerData as { flags: RunFlags; env: NodeJS.ProcessEnv };
let reply: ConfigReply;
try {
  const config = loadAgentConfig(flags, env);
  try {
    reply = { ok: true, config, configData: { profiles: profileData(), templates: loadTemplates() } };
  } catch (err) {
    // A broken file under config/ (a user's template, say): the installation's fault, not the flags'.
    reply = { ok: false, usage: false, message: (err as Error).message };
  }
} catch (err) {
  reply = { ok: false, usage: true, message: (err as Error).message };
}
parentPort!.postMessage(reply);
