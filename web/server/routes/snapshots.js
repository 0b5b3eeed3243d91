// GET /api/v1/snapshot/latest (JSON, or FCSNAP1 when asked for by name) and
// GET /api/v1/snapshots?since=&limit= (catch-up after a gap).

import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseIso } from '../clock.js';
import { SNAPSHOT_BINARY_TYPE } from '../formats.js';
import { HttpError, acceptsGzip, etagMatches, intParam, preferredEncoding, queryValue } from '../http.js';

/** Catch-up page size when the client gives none: one day of 5-minute snapshots. */
const DEFAULT_LIMIT = 288;
/** Hard cap on a catch-up page: one week of 5-minute snapshots (~80 MB uncompressed for Atlanta). */
const MAX_LIMIT = 2016;

/** Snapshots serialised per event-loop turn (~1 ms each for Atlanta): a full page is 2016 of them
 * (~70 MB, ~2.5 s of work), which written at once stalled every other client (issue 19). */
const PER_TURN = 2;

/**
 * A catch-up page as a stream: a few snapshots at a time, each only when the client has taken
 * the ones before (the stream is pulled), so a page costs the server neither seconds of one
 * event-loop turn nor its 70 MB at once.
 * @param {import('../store.js').SnapshotStore} s
 * @param {import('../formats.js').Entry[]} entries
 * @param {boolean} more
 */
async function* catchUpPage(s, entries, more) {
  yield '{"snapshots":[';
  for (let i = 0; i < entries.length; i++) {
    if (i && i % PER_TURN === 0) await nextTurn();
    // one snapshot a piece: joined pieces over ~128 kB would be born in V8's old generation and
    // pile up there until a full collection (RSS +200 MB under two such clients)
    yield (i ? ',' : '') + s.payloadText(entries[i]);
  }
  yield `],"more":${more}}`;
}

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function snapshotRoutes(api, { feed }) {
  // compressed once per snapshot by the store, never per request (so not by @fastify/compress)
  api.get('/snapshot/latest', { compress: false }, async (req, reply) => {
    const e = feed.latest();
    const s = feed.store();
    // content negotiation: the binary encoding (FCSNAP1) only when asked for by name
    const binary = String(req.headers.accept ?? '').includes(SNAPSHOT_BINARY_TYPE);
    const p = binary ? s.binaryPayload(e) : null;
    const { json, etag } = p ? { json: '', etag: p.etag } : s.payload(e);
    // one ETag for every coding of the same content, as @fastify/compress kept it
    reply.header('etag', etag).header('vary', 'Accept, Accept-Encoding').header('cache-control', `public, max-age=${feed.maxAge(e.interval_s)}`);
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
    feed.served++;
    reply.type(p ? SNAPSHOT_BINARY_TYPE : 'application/json; charset=utf-8');
    const coding = preferredEncoding(req.headers['accept-encoding']);
    if (coding) {
      const c = await s.compressedPayload(e, p ? 'bin' : 'json', coding, acceptsGzip(req.headers['accept-encoding']));
      return reply.header('content-encoding', c.coding).send(c.body);
    }
    return reply.send(p ? p.body : json);
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
    feed.cost.charge(req.ip, entries.length, reply);
    feed.served += entries.length;
    reply.header('cache-control', 'no-cache');
    return reply.type('application/json; charset=utf-8').send(Readable.from(catchUpPage(s, entries, more), { objectMode: false }));
  });
}
