// GET /api/v1/network: the network the feed's snapshots belong to (flowcast.network/1),
// compressed once per coding by the store (never per request).

import { acceptsGzip, etagMatches, preferredEncoding } from '../http.js';

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function networkRoutes(api, { feed }) {
  api.get('/network', { compress: false }, async (req, reply) => {
    const s = feed.store();
    const net = s.network;
    reply.header('etag', net.etag).header('vary', 'Accept-Encoding').header('cache-control', 'public, max-age=300');
    if (etagMatches(req.headers['if-none-match'], net.etag)) return reply.code(304).send();
    reply.type('application/json; charset=utf-8');
    const coding = preferredEncoding(req.headers['accept-encoding']);
    if (coding) {
      const c = await s.compressedNetwork(coding, acceptsGzip(req.headers['accept-encoding']));
      return reply.header('content-encoding', c.coding).send(c.body);
    }
    return reply.send(net.json);
  });
}
