// GET /api/v1/profiles (the tile index) and /api/v1/profiles/:group/:daytype (one binary tile):
// history profile tiles cut from the model file by the wasm engine (../tiles.js).

import { etagMatches, preferredEncoding } from '../http.js';
import { CompressedCopies } from '../model-file.js';

/** Compressed tiles kept: every group's two day types in both encodings for a network of up to
 * 16 road groups (Atlanta has 4), so a network's tiles are compressed once per model file. */
const TILE_COPIES = 64;

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function profileRoutes(api, { feed }) {
  const compressed = new CompressedCopies(TILE_COPIES);
  api.get('/profiles', async (req, reply) => {
    const groups = await feed.withTiles((net, m) => feed.profileTiles.groups(net, m));
    reply.header('cache-control', 'no-cache');
    return { groups, daytypes: ['weekday', 'weekend'], url: '/api/v1/profiles/{group}/{daytype}' };
  });
  api.get('/profiles/:group/:daytype', async (req, reply) => {
    const { group, daytype } = /** @type {{ group: string, daytype: string }} */ (req.params);
    const t = await feed.withTiles((net, m) => feed.profileTiles.tile(net, m, group, daytype));
    reply.header('etag', t.etag).header('cache-control', 'no-cache').header('vary', 'Accept-Encoding');
    if (etagMatches(req.headers['if-none-match'], t.etag)) return reply.code(304).send();
    reply.type('application/octet-stream');
    const encoding = preferredEncoding(req.headers['accept-encoding']);
    if (!encoding) return reply.send(t.body);
    return reply.header('content-encoding', encoding).send(await compressed.get(t, encoding));
  });
}
