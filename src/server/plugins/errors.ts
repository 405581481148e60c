/** Every error, ours or fastify's, answered as `{ error: { code, message } }` (src/server/errors.ts). */
import { ApiError, apiError, fromFrameworkError } from '../errors.js';
import { global } from './global.js';

export const errorsPlugin = global(async (app) => {
  app.setErrorHandler((err, request, reply) => {
    const api = err instanceof ApiError ? err : fromFrameworkError(err as { code?: string; statusCode?: number; message?: string });
    if (api.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    else request.log.debug({ code: api.code, msg: api.message }, 'request refused');
    // A body left unread (a 401 before parsing, a 413) would otherwise be parsed as the next request.
    if (!request.raw.complete) void reply.header('connection', 'close');
    return reply.status(api.statusCode).send(api.body());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(apiError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`).body()),
  );
});
