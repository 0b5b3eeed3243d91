// GET /api/v1/history?hours=: the last hours of snapshots as matrices (JSON, or FCH1 binary with
// Accept: application/octet-stream), for the page's predictor to train on.

import { HistoryCache } from '../history-cache.js';
import { etagMatches, intParam, queryValue } from '../http.js';

/** History window: up to four weeks, the span the predictor's weekly profiles need. */
const MAX_HOURS = 672;
const DEFAULT_HOURS = 24;

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function historyRoutes(api, { feed }) {
  const cache = new HistoryCache();
  api.get('/history', async (req, reply) => {
    const hours = intParam(queryValue(req.query, 'hours'), 'hours', 1, MAX_HOURS, DEFAULT_HOURS, 'BAD_HOURS');
    const binary = /application\/octet-stream/.test(String(req.headers.accept ?? ''));
    const e = feed.latest();
    const cached = cache.get(feed.store(), e, hours, binary);
    reply.header('etag', cached.etag).header('vary', 'Accept').header('cache-control', `public, max-age=${feed.maxAge(e.interval_s)}`);
    if (etagMatches(req.headers['if-none-match'], cached.etag)) return reply.code(304).send();
    return reply.type(binary ? 'application/octet-stream' : 'application/json; charset=utf-8').send(cached.body);
  });
}
