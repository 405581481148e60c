/** GET /: the dashboard page (src/server/dashboard/). No token needed for the page; its data needs one. */
import type { FastifyPluginAsync } from 'fastify';
import { DASHBOARD_CSP, DASHBOARD_HTML } from '../dashboard/page.js';

export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .send(DASHBOARD_HTML),
  );
};
