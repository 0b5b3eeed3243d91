// GET /api/v1/network: the network the feed's snapshots belong to (flowcast.network/1).

import { etagMatches } from '../http.js';

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function networkRoutes(api, { feed }) {
  api.get('/network', async (req, reply) => {
    const net = feed.store().network;
    reply.header('etag', net.etag).header('cache-control', 'public, max-age=300');
    if (etagMatches(req.headers['if-none-match'], net.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(net.json);
  });
}
