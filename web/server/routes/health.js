// GET /healthz: the source's status and a few counters, for monitoring (never cached).
// /healthz is public, so by default it names no secret and no place on the server's disk: URLs
// lose their userinfo, query and fragment (an upstream's `?api_key=`), absolute paths become
// their last component. `--health-detail` (health_detail) shows them in full, for a server only
// its operators can reach.

import { basename } from 'node:path';

/** A URL in free text (an upstream's, in an error message too). */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;
/** An absolute path in free text: a "/" at the start or after a space, quote or bracket. */
const PATH_IN_TEXT = /(^|[\s'"(=[])(\/[^\s'"()\]]+)/g;

/**
 * A URL without what may be secret: userinfo, query, fragment ("https://host/feed").
 * @param {string} text
 */
function publicUrl(text) {
  try {
    const u = new URL(text);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '[url]';
  }
}

/**
 * The public view of one health value: every string redacted, objects and arrays walked.
 * @param {unknown} value
 * @returns {unknown}
 */
export function publicHealth(value) {
  if (typeof value === 'string') {
    const urls = /** @type {string[]} */ ([]);
    // URLs first (kept aside so their own "/…" paths are not mistaken for disk paths)
    // (punctuation ending a URL, as in "<url>: HTTP 500", belongs to the sentence)
    const text = value.replace(URL_IN_TEXT, (m) => {
      const [, url, tail] = /** @type {RegExpMatchArray} */ (m.match(/^(.*?)([.,:;!?]*)$/s));
      return `\u0000${urls.push(publicUrl(url)) - 1}\u0000${tail}`;
    });
    return text.replace(PATH_IN_TEXT, (m, pre, path) => pre + (basename(path) || '/'))
      .replace(/\u0000(\d+)\u0000/g, (m, i) => urls[Number(i)]);
  }
  if (Array.isArray(value)) return value.map(publicHealth);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, publicHealth(v)]));
  }
  return value;
}

/** @param {import('fastify').FastifyInstance} app @param {{ feed: import('../context.js').FeedContext }} opts */
export async function healthRoutes(app, { feed }) {
  const detailed = Boolean(feed.opts.health_detail);
  app.get('/healthz', async (req, reply) => {
    const { source } = feed;
    const h = source.health();
    const latest = source.store?.latest() ?? null;
    reply.header('cache-control', 'no-store');
    const body = {
      status: h.status,
      mode: source.mode,
      network: source.store?.network.id ?? null,
      latest_ts: latest?.ts ?? null,
      age_s: latest ? Math.round((source.now() - latest.ts_ms) / 1000) : null,
      snapshots_served: feed.served,
      sse_clients: feed.hub?.clients.size ?? 0,
      uptime_s: Math.round((Date.now() - feed.started_ms) / 1000),
      incidents: feed.incidents.health(),
      ...h.detail,
    };
    return detailed ? body : publicHealth(body);
  });
}
