// GET /api/v1/profiles (the tile index) and /api/v1/profiles/:group/:daytype (one binary tile):
// history profile tiles cut from the model file by the wasm engine (../tiles.js).

import { etagMatches } from '../http.js';

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function profileRoutes(api, { feed }) {
  api.get('/profiles', async (req, reply) => {
    const groups = await feed.withTiles((net, m) => feed.profileTiles.groups(net, m));
    reply.header('cache-control', 'no-cache');
    return { groups, daytypes: ['weekday', 'weekend'], url: '/api/v1/profiles/{group}/{daytype}' };
  });
  api.get('/profiles/:group/:daytype', async (req, reply) => {
    const { group, daytype } = /** @type {{ group: string, daytype: string }} */ (req.params);
    const t = await feed.withTiles((net, m) => feed.profileTiles.tile(net, m, group, daytype));
    reply.header('etag', t.etag).header('cache-control', 'no-cache');
    if (etagMatches(req.headers['if-none-match'], t.etag)) return reply.code(304).send();
    return reply.type('application/octet-stream').send(t.body);
  });
}
