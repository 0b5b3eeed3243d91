// GET /api/v1/history?hours=&fields=: the last hours of snapshots as matrices (JSON, or FCH1
// binary with Accept: application/octet-stream), for the page's predictor to train on. The
// bodies, their bounds and their encodings are ../history.js's.

import { HistoryWindows, bodyStream, windowRows } from '../history.js';
import { HttpError, intParam, preferredEncoding, queryValue } from '../http.js';

/** History window: up to four weeks, the span the predictor's weekly profiles need. */
const MAX_HOURS = 672;
const DEFAULT_HOURS = 24;

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function historyRoutes(api, { feed }) {
  const windows = new HistoryWindows();
  api.addHook('onClose', async () => { await windows.close(); });
  // compression is the window's own (made once per snapshot by the worker), never per request
  api.get('/history', { compress: false }, async (req, reply) => {
    const hours = intParam(queryValue(req.query, 'hours'), 'hours', 1, MAX_HOURS, DEFAULT_HOURS, 'BAD_HOURS');
    const fieldsText = queryValue(req.query, 'fields') ?? 'all';
    if (fieldsText !== 'all' && fieldsText !== 'speed') throw new HttpError(400, 'BAD_FIELDS', 'fields: "speed" (the speed matrix only) or "all" (the default)');
    const fields = /** @type {'all' | 'speed'} */ (fieldsText);
    const binary = /application\/octet-stream/.test(String(req.headers.accept ?? ''));
    const encoding = preferredEncoding(req.headers['accept-encoding']);
    const e = feed.latest();
    const net = feed.store().network;
    reply.header('vary', 'Accept, Accept-Encoding').header('cache-control', `public, max-age=${feed.maxAge(e.interval_s)}`);
    const rows = windowRows(hours, net.interval_s);
    feed.cost.charge(req.ip, Math.ceil(rows / (fields === 'all' ? 4 : 16)), reply);
    let b;
    try {
      b = await windows.body(net, e, rows, { fields, binary, encoding, ifNoneMatch: req.headers['if-none-match'] });
    } catch (err) {
      if (/** @type {any} */ (err).retryAfter) reply.header('retry-after', String(/** @type {any} */ (err).retryAfter));
      throw err;
    }
    reply.header('etag', b.etag);
    if ('notModified' in b) return reply.code(304).send();
    if (b.encoding) reply.header('content-encoding', b.encoding);
    reply.header('content-length', String(b.length));
    return reply.type(binary ? 'application/octet-stream' : 'application/json; charset=utf-8').send(bodyStream(b));
  });
}
