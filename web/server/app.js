// app.js — the feed server as a Fastify app: the shared context, what every response shares
// (error shape, 404s, security headers, compression, request limits) and the route plugins in
// ./routes/. docs/API.md is the reference for every route.

import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import Fastify from 'fastify';
import fastifyCompress from '@fastify/compress';
import { FeedContext } from './context.js';
import { HttpError, notFound } from './http.js';
import {
  CONNECTION_TIMEOUT_MS, DEFAULT_DATASET, DEFAULT_TILES, HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, REPO_ROOT, REQUEST_TIMEOUT_MS, createSource, fastifyTrustProxy, parseTrustProxy,
} from './options.js';
import { TelemetryAggregator } from './telemetry.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { getOnlyRoutes } from './routes/methods.js';
import { NETWORK_ID } from './routes/networks.js';
import { staticRoutes } from './routes/static.js';

const MAX_URL = 4096;
const MAX_BODY_BYTES = 16 * 1024;
/** Fastify's own 4xx errors, renamed into the API's vocabulary. */
const FASTIFY_CODES = /** @type {Record<string, string>} */ ({
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_BODY',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'BAD_URL',
});
/** Headers every response carries, errors included. */
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'strict-origin-when-cross-origin' };

/**
 * Build the feed server (not yet listening). `app.flowcast` is its FeedContext (the source, ...).
 * @param {import('./options.js').ServerOptions} [opts]
 */
export async function buildServer(opts = {}) {
  // one aggregator for the beacons of every network's pages
  opts = { ...opts, telemetry: opts.telemetry ?? new TelemetryAggregator() };
  const feed = new FeedContext(await createSource(opts), opts);
  const networks = await servedNetworks(feed, opts);
  // the default network's routes under its id too, served by the /api/v1 scope itself
  const defaultPrefix = `/api/v1/networks/${networks[0].id}/`;
  const headersTimeout = opts.headers_timeout_ms ?? HEADERS_TIMEOUT_MS;
  const app = Fastify({
    logger: opts.logger ?? false, bodyLimit: MAX_BODY_BYTES,
    rewriteUrl: (req) => (req.url?.startsWith(defaultPrefix) ? `/api/v1/${req.url.slice(defaultPrefix.length)}` : req.url ?? '/'), routerOptions: { maxParamLength: 200 }, return503OnClosing: true,
    trustProxy: fastifyTrustProxy(parseTrustProxy(opts.trust_proxy)),
    connectionTimeout: opts.connection_timeout_ms ?? CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: opts.keep_alive_timeout_ms ?? KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: Math.max(headersTimeout, opts.request_timeout_ms ?? REQUEST_TIMEOUT_MS),
    // Node checks the two timeouts above on this period, so it bounds how late they act.
    http: { headersTimeout, connectionsCheckingInterval: Math.min(1000, Math.max(50, headersTimeout / 4)) },
    // A URL that does not decode ("/%") fails before routing, so neither the error handler nor
    // the hooks below see it: answer it here in the API's error shape with the same headers
    // (and the API's CORS headers under /api/, so a partner page can read the error).
    frameworkErrors: (err, req, /** @type {import('fastify').FastifyReply} */ reply) => {
      const e = /** @type {any} */ (err);
      const status = Number(e.statusCode) || 400;
      reply.headers(SECURITY_HEADERS);
      if (String(req.raw.url).startsWith('/api/')) reply.headers({ 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' });
      reply.code(status).send({ error: { code: FASTIFY_CODES[e.code] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message: String(e.message).slice(0, 200) } });
    },
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    }
    const e = /** @type {any} */ (err);
    const status = Number(e.statusCode) || 500;
    if (status >= 500) {
      req.log.error(err);
      feed.log(`${req.method} ${req.url.slice(0, 200)}: ${e.stack ?? err}`);
      return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
    }
    const code = FASTIFY_CODES[e.code] ?? 'BAD_REQUEST';
    return reply.code(status).send({ error: { code, message: String(e.message).slice(0, 200) } });
  });
  app.setNotFoundHandler(notFound);
  app.addHook('onRequest', async (req) => {
    if (req.url.length > MAX_URL) throw new HttpError(414, 'URI_TOO_LONG', `request target longer than ${MAX_URL} characters`);
  });
  app.addHook('onSend', async (req, reply) => { reply.headers(SECURITY_HEADERS); });
  await app.register(fastifyCompress, { global: true });

  await app.register(getOnlyRoutes, {
    paths: feed.apiPaths,
    plugins: [[healthRoutes, { feed }], [apiRoutes, { feed, networks, prefix: '/api/v1' }],
      ...networks.slice(1).map((n) => /** @type {[any, object]} */ ([apiRoutes, { feed: n.feed, prefix: `/api/v1/networks/${n.id}` }]))],
  });
  const publicDir = opts.public === undefined ? resolve(REPO_ROOT, 'public') : opts.public;
  if (publicDir && existsSync(publicDir)) await app.register(staticRoutes, { root: publicDir, tiles: opts.tiles ?? DEFAULT_TILES });

  app.addHook('onReady', async () => {
    for (const { feed: f } of networks) {
      await f.source.start();
      await f.incidents.start();
    }
  });
  app.addHook('preClose', async () => {
    for (const { feed: f } of networks) {
      f.incidents.stop();
      f.source.stop();
    }
  });
  app.addHook('onClose', async () => { for (const { feed: f } of networks) f.modelEngine.close(); });
  app.decorate('flowcast', feed);
  app.decorate('flowcastNetworks', networks);
  return app;
}

/**
 * The networks the server serves: the default one (`feed`, from the top-level options) first,
 * then `opts.networks`, each with its own source and feed context under the server's limits.
 * @param {FeedContext} feed
 * @param {import('./options.js').ServerOptions} opts
 * @returns {Promise<import('./routes/networks.js').ServedNetwork[]>}
 */
async function servedNetworks(feed, opts) {
  const folder = opts.upstream ? 'upstream' : basename(opts.dataset ?? opts.dir ?? DEFAULT_DATASET).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '');
  const id = opts.id ?? (NETWORK_ID.test(folder) ? folder : 'default');
  // checked before the other networks' sources are made: a bad --id must not start them
  if (!NETWORK_ID.test(id)) throw new Error(`network id "${id}": up to 40 lower-case letters, digits and dashes`);
  /** @type {import('./routes/networks.js').ServedNetwork[]} */
  const served = [{ id, city: opts.city, default: true, feed }];
  for (const n of opts.networks ?? []) {
    if (!NETWORK_ID.test(n.id)) throw new Error(`network id "${n.id}": up to 40 lower-case letters, digits and dashes`);
    if (served.some((x) => x.id === n.id)) throw new Error(`network id "${n.id}" is given twice`);
    // its own data, the server's limits
    const o = { ...opts, dataset: undefined, upstream: undefined, dir: undefined, network: undefined, start_ms: undefined, log_dir: undefined, speed: undefined, ...n, networks: undefined };
    served.push({ id: n.id, city: n.city, default: false, feed: new FeedContext(await createSource(o), o) });
  }
  return served;
}
