// GET /api/v1/networks: the networks this server serves (issue 18), each with the base URL of
// its own API. Every per-network route lives under /api/v1/networks/<id>/ (network, snapshot/
// latest, snapshots, stream, history, model, profiles, incidents); the default network's routes
// are also at /api/v1/ itself, as they were before there were several. docs/API.md.

import { HttpError } from '../http.js';
import { NETWORK_ID } from '../../shared/network-id.js';

export { NETWORK_ID };

/**
 * One served network: its id in URLs, the city it is in, and its feed.
 * @typedef {{ id: string, city?: string, default: boolean, feed: import('../context.js').FeedContext }} ServedNetwork
 */

/**
 * What the list says of one network, from its network document (cached per document: a relay
 * may adopt a new one). A relay that has not yet reached its upstream is listed as `starting`.
 * @param {ServedNetwork} n
 * @param {Map<string, { etag: string, entry: object }>} cache
 */
function describe(n, cache) {
  const api = `/api/v1/networks/${n.id}/`;
  const store = n.feed.source.store;
  if (!store) return { id: n.id, city: n.city ?? null, default: n.default, status: 'starting', api };
  const net = store.network;
  const hit = cache.get(n.id);
  if (hit && hit.etag === net.etag) return hit.entry;
  const doc = JSON.parse(net.json);
  let south = Infinity, west = Infinity, north = -Infinity, east = -Infinity;
  for (const s of doc.sensors) {
    south = Math.min(south, s.lat); north = Math.max(north, s.lat);
    west = Math.min(west, s.lon); east = Math.max(east, s.lon);
  }
  const entry = {
    id: n.id, name: doc.name ?? doc.id, city: n.city ?? cityOf(doc.name ?? doc.id), network_id: doc.id, timezone: doc.timezone,
    bounds: [[south, west], [north, east]], sensors: doc.sensors.length, simulated: doc.simulated === true,
    default: n.default, status: 'ready', api,
  };
  cache.set(n.id, { etag: net.etag, entry });
  return entry;
}

/**
 * A network's name up to its first parenthesis or colon, or up to the first road number: what a
 * city picker shows when the server was given no city ("Los Angeles (METR-LA detectors): replay
 * of March 2012" → "Los Angeles", "Atlanta I-75 and I-285" → "Atlanta"); the name in full
 * stays in `name`.
 * @param {string} name
 */
export const cityOf = (name) => name.split(/\s*[(:]|\s+(?=(?:I|US|SR|CA|M|A)-?\d)/)[0].trim() || name;

/**
 * @param {import('fastify').FastifyInstance} api
 * @param {{ networks: ServedNetwork[] }} opts
 */
export async function networksRoutes(api, { networks }) {
  const cache = new Map();
  api.get('/networks', async (req, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return { schema: 'flowcast.networks/1', networks: networks.map((n) => describe(n, cache)) };
  });
  // an id no network has: a clear 404 rather than the API's generic one
  api.route({
    method: ['GET', 'HEAD'], url: '/networks/:id/*', config: { notFound: true },
    handler: async (req) => {
      const { id } = /** @type {{ id: string }} */ (req.params);
      throw new HttpError(404, 'UNKNOWN_NETWORK', `no network "${String(id).slice(0, 40)}" here; GET /api/v1/networks lists them`);
    },
  });
}
