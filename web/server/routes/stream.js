// GET /api/v1/stream: Server-Sent Events, one per new snapshot (../sse.js), with the limits on
// open streams per client address and in all.

import { parseIso } from '../clock.js';
import { HttpError, queryValue } from '../http.js';
import { SseHub } from '../sse.js';
import { SSE_MAX, SSE_PER_IP } from '../options.js';

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function streamRoutes(api, { feed }) {
  const { opts } = feed;
  const ssePerIp = opts.sse_per_ip ?? SSE_PER_IP;
  const sseMax = opts.sse_max ?? SSE_MAX;
  /** Open event streams per client address. */
  const streamsByIp = new Map();
  let streams = 0;
  // Open streams would hold the server's close open: end them first (clients then reconnect).
  api.addHook('preClose', async () => { feed.hub?.close(); });

  api.get('/stream', { exposeHeadRoute: false }, async (req, reply) => {
    const s = feed.store();
    if (feed.hub?.store !== s) { // a relay whose upstream changed its network has a new store
      feed.hub?.close();
      feed.hub = new SseHub(s, {
        heartbeat_ms: opts.heartbeat_ms, resend_max: opts.resend_max, onServed: (n) => { feed.served += n; },
        onError: (err) => feed.log(`event stream: ${err instanceof Error ? err.stack : err}`),
      });
    }
    const hub = feed.hub;
    const lastId = req.headers['last-event-id'] ?? queryValue(req.query, 'lastEventId');
    const ip = req.ip;
    if (streams >= sseMax) {
      reply.header('retry-after', '30');
      throw new HttpError(503, 'STREAMS_FULL', `the server holds its maximum of ${sseMax} event streams; poll /api/v1/snapshot/latest or retry later`);
    }
    if ((streamsByIp.get(ip) ?? 0) >= ssePerIp) {
      reply.header('retry-after', '30');
      throw new HttpError(429, 'TOO_MANY_STREAMS', `at most ${ssePerIp} event streams per client address`);
    }
    // a resend after a reconnect costs what it resends (../cost-limit.js)
    const since = parseIso(typeof lastId === 'string' ? lastId : undefined);
    if (Number.isFinite(since) && s.latest()) feed.cost.charge(ip, s.after(since, hub.resend_max).entries.length, reply);
    streams++;
    streamsByIp.set(ip, (streamsByIp.get(ip) ?? 0) + 1);
    req.raw.once('close', () => {
      streams--;
      const n = streamsByIp.get(ip) - 1;
      if (n) streamsByIp.set(ip, n); else streamsByIp.delete(ip);
    });
    req.raw.socket.setTimeout(0); // a stream is long-lived by design; heartbeats keep it busy
    reply.hijack();
    hub.attach(req.raw, reply.raw, /** @type {any} */ (reply.getHeaders()), typeof lastId === 'string' ? lastId : undefined);
  });
}
