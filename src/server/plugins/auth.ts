/**
 * Bearer tokens. A route says which role it needs in its config (`config: { auth: 'device' }`);
 * the check runs at onRequest, before the body is read: an unauthenticated client never gets us
 * to inflate or parse anything.
 */
import { apiError } from '../errors.js';
import type { Storage, TokenRole } from '../storage/types.js';
import { hashToken } from '../tokens.js';
import { global } from './global.js';

export type Principal =
  | { readonly tokenId: string; readonly role: 'device'; readonly store: string }
  | { readonly tokenId: string; readonly role: 'user'; readonly name: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which token the route needs; none when absent. */
    auth?: TokenRole;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const BEARER = /^Bearer[ \t]+([\x21-\x7e]{1,512})[ \t]*$/i;

export const authPlugin = global<{ storage: Storage }>(async (app, { storage }) => {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const need = request.routeOptions.config.auth;
    if (!need) return;
    const header = request.headers.authorization;
    const m = header ? BEARER.exec(header) : null;
    if (!m) throw apiError('UNAUTHORIZED', 'Send Authorization: Bearer <token>.');
    const token = await storage.tokens.findByHash(hashToken(m[1]!));
    if (!token) throw apiError('UNAUTHORIZED', 'Unknown token.');
    if (token.revokedAt) throw apiError('UNAUTHORIZED', 'This token was revoked.');
    if (token.role !== need) {
      throw apiError('FORBIDDEN', `A ${token.role} token may not use this route: it needs a ${need} token.`);
    }
    request.principal =
      token.role === 'device' ? { tokenId: token.id, role: 'device', store: token.store } : { tokenId: token.id, role: 'user', name: token.name };
  });
});
