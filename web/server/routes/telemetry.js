// POST /api/v1/telemetry (a beacon: 204, or 400/413/415/429) and GET /api/v1/telemetry/summary
// (the last hour's percentiles), over the aggregator in ../telemetry.js. Registered inside the
// API's scope, so its CORS, per-address rate limit and 404s apply.

import { BEACONS_PER_MIN, BeaconError, MAX_BEACON_BYTES, TelemetryAggregator, browserFamily, validateBeacon } from '../telemetry.js';

/**
 * The telemetry routes, registered inside the API's scope (its CORS, rate limit and 404s apply).
 * Options: `aggregator` (default a new one; false: no telemetry routes at all) and
 * `rateLimitPerMin` (the server's per-address API limit; 0 = none): beacons get the smaller of
 * it and BEACONS_PER_MIN.
 * @param {import('fastify').FastifyInstance} api
 * @param {{ aggregator?: TelemetryAggregator | false, rateLimitPerMin?: number }} opts
 */
export async function telemetryRoutes(api, opts) {
  if (opts.aggregator === false) return;
  const agg = opts.aggregator ?? new TelemetryAggregator();
  const perMin = Math.min(BEACONS_PER_MIN, opts.rateLimitPerMin || BEACONS_PER_MIN);

  // Only this scope's parsers: the body stays a string (JSON.parse here gives our own error),
  // and text/plain is accepted because it is what sendBeacon sends for a string body without a
  // CORS preflight (embeds post to flowcast's host from a partner's origin).
  api.removeAllContentTypeParsers();
  api.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_BEACON_BYTES },
    (req, body, done) => done(null, body));
  api.addHook('onResponse', async (req, reply) => {
    if (req.method === 'POST' && reply.statusCode >= 400) agg.reject(reply.statusCode);
  });

  api.post('/telemetry', { bodyLimit: MAX_BEACON_BYTES, config: { rateLimit: { max: perMin, timeWindow: 60000 } } }, async (req, reply) => {
    if (typeof req.body !== 'string') {
      throw Object.assign(new BeaconError('UNSUPPORTED_MEDIA_TYPE', 'send the beacon as application/json or text/plain'), { status: 415 });
    }
    let parsed;
    try {
      parsed = JSON.parse(req.body);
    } catch (err) {
      throw new BeaconError('BAD_JSON', `not JSON: ${/** @type {Error} */ (err).message.slice(0, 120)}`);
    }
    agg.add(validateBeacon(parsed), browserFamily(req.headers['user-agent']));
    reply.header('cache-control', 'no-store');
    return reply.code(204).send();
  });

  api.get('/telemetry/summary', async (req, reply) => {
    reply.header('cache-control', 'no-cache');
    return agg.summary();
  });

  api.setErrorHandler((err, req, reply) => {
    if (err instanceof BeaconError) {
      return reply.code(/** @type {any} */ (err).status ?? 400).send({ error: { code: err.code, message: err.message } });
    }
    throw err; // the server's handler: Fastify's 413/415 and the rate limit's 429
  });
}
