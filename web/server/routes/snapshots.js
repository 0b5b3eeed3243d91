// GET /api/v1/snapshot/latest (JSON, or FCSNAP1 when asked for by name) and
// GET /api/v1/snapshots?since=&limit= (catch-up after a gap).

import { parseIso } from '../clock.js';
import { SNAPSHOT_BINARY_TYPE } from '../formats.js';
import { HttpError, etagMatches, intParam, queryValue } from '../http.js';

/** Catch-up page size when the client gives none: one day of 5-minute snapshots. */
const DEFAULT_LIMIT = 288;
/** Hard cap on a catch-up page: one week of 5-minute snapshots (~80 MB uncompressed for Atlanta). */
const MAX_LIMIT = 2016;

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function snapshotRoutes(api, { feed }) {
  api.get('/snapshot/latest', async (req, reply) => {
    const e = feed.latest();
    // content negotiation: the binary encoding (FCSNAP1) only when asked for by name
    const binary = String(req.headers.accept ?? '').includes(SNAPSHOT_BINARY_TYPE);
    const p = binary ? feed.store().binaryPayload(e) : null;
    const { json, etag } = p ? { json: '', etag: p.etag } : feed.store().payload(e);
    reply.header('etag', etag).header('vary', 'Accept').header('cache-control', `public, max-age=${feed.maxAge(e.interval_s)}`);
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
    feed.served++;
    if (p) return reply.type(SNAPSHOT_BINARY_TYPE).send(p.body);
    return reply.type('application/json; charset=utf-8').send(json);
  });

  api.get('/snapshots', async (req, reply) => {
    const sinceText = queryValue(req.query, 'since');
    const since = parseIso(sinceText);
    if (!Number.isFinite(since)) {
      throw new HttpError(400, 'BAD_SINCE', 'since: required, ISO 8601 with seconds and an offset, e.g. 2026-11-25T08:15:00-05:00');
    }
    const limit = intParam(queryValue(req.query, 'limit'), 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT, 'BAD_LIMIT');
    const s = feed.store();
    const { entries, more } = s.latest() ? s.after(since, limit) : { entries: [], more: false };
    feed.served += entries.length;
    reply.header('cache-control', 'no-cache');
    return reply.type('application/json; charset=utf-8')
      .send(`{"snapshots":[${entries.map((e) => s.payload(e).json).join(',')}],"more":${more}}`);
  });
}
