// GET /api/v1/model[?profiles=0]: the folder's saved model file (or, with profiles=0, the same
// model without its profiles, for pages that read profiles from tiles), precompressed.

import { HttpError, etagMatches, preferredEncoding, queryValue } from '../http.js';
import { CompressedCopies } from '../model-file.js';

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function modelRoutes(api, { feed }) {
  const compressed = new CompressedCopies();
  api.get('/model', async (req, reply) => {
    const profiles = queryValue(req.query, 'profiles') ?? '1';
    if (profiles !== '0' && profiles !== '1') throw new HttpError(400, 'BAD_PROFILES', 'profiles: 0 (leave the profiles out, for tile mode) or 1');
    const file = await feed.modelFile.load();
    if (!file) throw new HttpError(404, 'NO_MODEL', 'this feed offers no saved model: train one from /api/v1/history');
    // ?profiles=0: weights and intervals only, for engines that read profiles from tiles
    const m = profiles === '1' ? file : await feed.withTiles((net, f) => feed.profileTiles.modelWithoutProfiles(net, f));
    reply.header('etag', m.etag).header('cache-control', 'no-cache').header('vary', 'Accept-Encoding');
    if (etagMatches(req.headers['if-none-match'], m.etag)) return reply.code(304).send();
    reply.type('application/octet-stream');
    const encoding = preferredEncoding(req.headers['accept-encoding']);
    if (!encoding) return reply.send(m.body);
    return reply.header('content-encoding', encoding).send(await compressed.get(m, encoding));
  });
}
