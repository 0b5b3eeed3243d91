// GET /api/v1/incidents: the incidents in force (flowcast.incidents/1), as the network's engine
// accepted them (../incidents.js says where they come from in each mode).

import { etagMatches } from '../http.js';

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function incidentRoutes(api, { feed }) {
  api.get('/incidents', async (req, reply) => {
    const e = feed.latest(); // 503 before the first snapshot, as every feed route
    const { json, etag } = await feed.incidents.current();
    reply.header('etag', etag).header('cache-control', `public, max-age=${feed.maxAge(e.interval_s)}`);
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
