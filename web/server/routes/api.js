// The /api/v1 scope: what every API route shares (CORS for partner sites, the per-address rate
// limit, bounded query values, 404s with CORS headers) and the route plugins themselves.

import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import { HttpError, MAX_QUERY_VALUE, notFound } from '../http.js';
import { RATE_LIMIT_PER_MIN } from '../options.js';
import { historyRoutes } from './history.js';
import { incidentRoutes } from './incidents.js';
import { modelRoutes } from './model.js';
import { networkRoutes } from './network.js';
import { networksRoutes } from './networks.js';
import { profileRoutes } from './profiles.js';
import { snapshotRoutes } from './snapshots.js';
import { streamRoutes } from './stream.js';
import { telemetryRoutes } from './telemetry.js';

/**
 * One network's API; the default network's scope (/api/v1) also lists them all (`networks`).
 * @param {import('fastify').FastifyInstance} api
 * @param {{ feed: import('../context.js').FeedContext, networks?: import('./networks.js').ServedNetwork[] }} opts
 */
export async function apiRoutes(api, { feed, networks }) {
  const rateLimit = feed.opts.rate_limit ?? RATE_LIMIT_PER_MIN;
  await api.register(fastifyCors, { origin: '*', methods: ['GET', 'HEAD'], exposedHeaders: ['ETag'], maxAge: 86400 });
  api.addHook('onSend', async (req, reply) => { reply.header('cross-origin-resource-policy', 'cross-origin'); });
  if (rateLimit > 0) {
    await api.register(fastifyRateLimit, {
      max: rateLimit, timeWindow: 60000,
      errorResponseBuilder: (req, ctx) => new HttpError(429, 'RATE_LIMITED', `more than ${ctx.max} API requests a minute from this address; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
    });
  }
  api.addHook('preHandler', async (req) => {
    for (const [k, v] of Object.entries(/** @type {Record<string, unknown>} */ (req.query ?? {}))) {
      const values = Array.isArray(v) ? v : [v];
      if (values.some((x) => String(x).length > MAX_QUERY_VALUE)) throw new HttpError(400, 'QUERY_TOO_LONG', `${k.slice(0, 40)}: longer than ${MAX_QUERY_VALUE} characters`);
    }
  });
  api.setNotFoundHandler(notFound); // here too, so API 404s carry CORS headers
  // The static site's catch-all GET route (public/) would otherwise take /api/v1/<unknown> and
  // answer from the root scope: no CORS, no rate limit. This one keeps them in the API's scope
  // (more specific routes win); `notFound` keeps it out of the 405 list (methods.js).
  api.route({ method: ['GET', 'HEAD'], url: '/*', config: { notFound: true }, handler: notFound });

  for (const routes of [networkRoutes, snapshotRoutes, incidentRoutes, historyRoutes, modelRoutes, profileRoutes, streamRoutes]) {
    await api.register(routes, { feed });
  }
  if (networks) await api.register(networksRoutes, { networks });
  await api.register(telemetryRoutes, { aggregator: feed.opts.telemetry, rateLimitPerMin: rateLimit });
}
