/**
 * Fastify encapsulates a plugin: its hooks and handlers apply to what it registers. The error,
 * body and auth plugins must reach every route, which is what fastify-plugin does by setting this
 * symbol; we set it ourselves rather than add a dependency for one line.
 */
import type { FastifyPluginAsync } from 'fastify';

export function global<O extends Record<string, unknown>>(plugin: FastifyPluginAsync<O>): FastifyPluginAsync<O> {
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
