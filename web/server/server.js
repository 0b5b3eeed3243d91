// The flowcast feed server: the HTTP API over a snapshot source (replay, relay or directory),
// plus the static site. `buildServer()` is for tests and embedding; run this file for the CLI.
// docs/API.md is the reference for every route.

import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { brotliCompress as brotliCb, constants as zlibConstants, gzip as gzipCb } from 'node:zlib';
import Fastify from 'fastify';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { parseIso } from './clock.js';
import { SNAPSHOT_BINARY_TYPE, strongEtag } from './formats.js';
import { buildHistory, historyBinary, historyJson } from './history.js';
import { directorySource, relaySource, replaySource } from './sources.js';
import { SseHub } from './sse.js';
import { ProfileTiles, TileError } from './tiles.js';
import { telemetryRoutes } from './telemetry.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_DATASET = resolve(REPO_ROOT, '.cache/datasets/atlanta');

/** Catch-up page size when the client gives none: one day of 5-minute snapshots. */
const DEFAULT_LIMIT = 288;
/** Hard cap on a catch-up page: one week of 5-minute snapshots (~80 MB uncompressed for Atlanta). */
const MAX_LIMIT = 2016;
/** History window: up to four weeks, the span the predictor's weekly profiles need. */
const MAX_HOURS = 672;
const DEFAULT_HOURS = 24;
/** Query values are timestamps and small integers; anything longer is abuse or a mistake. */
const MAX_QUERY_VALUE = 256;
const MAX_URL = 4096;
/** Built history bodies kept for start-up bursts (many pages asking for the same window); the
 * largest (672 h of Atlanta) is ~63 MB and takes ~2 s to build. */
const HISTORY_CACHE_BYTES = 160 * 1024 * 1024;
/** Fastify's own 4xx errors, renamed into the API's vocabulary. */
const FASTIFY_CODES = /** @type {Record<string, string>} */ ({
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_BODY',
  FST_ERR_BAD_URL: 'BAD_URL',
});
const API_PATHS = ['/api/v1/network', '/api/v1/snapshot/latest', '/api/v1/snapshots', '/api/v1/history', '/api/v1/model', '/api/v1/profiles', '/api/v1/profiles/:group/:daytype', '/api/v1/stream', '/healthz'];
/** The saved model a dataset (or snapshot directory) folder may hold, written by flowcast-train. */
export const MODEL_FILE = 'model.fcm';
/** Format version of model files this build writes and reads (u32 at byte 8; c/src/model_io.c):
 * start.js retrains a dataset's model file of another version instead of serving it. */
export const MODEL_FORMAT_VERSION = 2;
/** The page's default map tiles (web/app/map.js); the CSP's img-src allows this host. */
export const DEFAULT_TILES = 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png';
/** Directory mode keeps its log in this subfolder of the snapshot folder (not scanned: not *.json). */
export const DIR_LOG = '.flowcast-log';

// Abuse limits (docs/API.md "Limits"). A page makes ~6 API requests when it opens and then
// holds one event stream or polls `latest` every 30 s: 600 a minute per address leaves room for
// a hundred tabs behind one NAT, and stops a scraper looping on history.
const RATE_LIMIT_PER_MIN = 600;
/** Event streams per client address (tabs of one household) and in all (sockets, memory). */
const SSE_PER_IP = 16;
const SSE_MAX = 2000;
/** Time to receive a request's headers, and the whole request (slowloris); idle sockets. */
const HEADERS_TIMEOUT_MS = 10000;
const REQUEST_TIMEOUT_MS = 30000;
const CONNECTION_TIMEOUT_MS = 60000;
const KEEP_ALIVE_TIMEOUT_MS = 5000;
/** Static files a partner site on another origin loads for <flowcast-map>: module, worker, wasm. */
const CROSS_ORIGIN_STATIC = /^(js|vendor)\/|^flowcast(-debug)?\.wasm$/;
/** Pages named embed*.html are made to be framed by partner sites; the others are not. */
const FRAMEABLE_PAGE = /^embed[^/]*\.html$/;

const brotliCompress = promisify(brotliCb);
const gzip = promisify(gzipCb);

/**
 * The encoding to send a large binary in: brotli, else gzip, else none (null), by the request's
 * Accept-Encoding; a coding with q=0 is refused.
 * @param {string | string[] | undefined} header
 * @returns {'br' | 'gzip' | null}
 */
export function preferredEncoding(header) {
  /** @type {Set<string>} */
  const ok = new Set();
  for (const part of String(header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((x) => x.trim());
    const q = params.find((x) => x.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) ok.add(name);
  }
  return ok.has('br') ? 'br' : ok.has('gzip') ? 'gzip' : null;
}

/** A 4xx/5xx answer with the API's JSON error shape. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @typedef {Object} ServerOptions
 * @property {string} [dataset] replay this dataset folder (the default mode)
 * @property {string} [upstream] relay this upstream feed URL
 * @property {string} [dir] serve this directory of snapshot files
 * @property {number} [speed] replay (and real-time directory) clock acceleration (default 1)
 * @property {string} [network] directory: the network file (default DIR/network.json)
 * @property {boolean} [realtime] directory: release files on the clock instead of all at once
 * @property {number} [start_ms] replay: virtual clock start instant (default: now)
 * @property {string|null} [public] static site root (default <repo>/public; null = none)
 * @property {number} [poll_ms] relay poll period
 * @property {number} [max_backoff_ms] relay backoff cap
 * @property {number} [scan_ms] directory rescan period
 * @property {number} [capacity] relay/directory: snapshots kept in memory
 * @property {number} [heartbeat_ms] SSE heartbeat period (default 15 s)
 * @property {number} [resend_max] SSE: most snapshots resent after Last-Event-ID (default 288)
 * @property {string|null} [log_dir] relay/directory: the durable log's folder (default: relay
 *   .cache/relay-log/<upstream>, directory DIR/.flowcast-log; null = memory only)
 * @property {number} [retention_days] relay/directory: days of snapshots the log keeps (default 14)
 * @property {number} [rate_limit] API requests per minute per client address (0 = no limit)
 * @property {number} [sse_per_ip] event streams per client address
 * @property {number} [sse_max] event streams in all
 * @property {boolean|string} [trust_proxy] take the client address from X-Forwarded-For (Fastify trustProxy)
 * @property {string} [tiles] map tile URL template the CSP allows images from (default OpenStreetMap)
 * @property {import('./telemetry.js').TelemetryAggregator | false} [telemetry] where beacons go (default: a new one; false: no telemetry routes)
 * @property {number} [headers_timeout_ms] @property {number} [request_timeout_ms]
 * @property {number} [connection_timeout_ms] @property {number} [keep_alive_timeout_ms]
 * @property {boolean|object} [logger] Fastify logger option
 * @property {(msg: string) => void} [log] source messages (upstream failures, skipped files)
 */

/**
 * @param {ServerOptions} opts
 * @returns {Promise<import('./sources.js').Source>}
 */
async function createSource(opts) {
  const log = opts.log ?? (() => {});
  if ([opts.dataset, opts.upstream, opts.dir].filter(Boolean).length > 1) throw new Error('choose one of --dataset, --upstream, --dir');
  const stores = { capacity: opts.capacity, retention_days: opts.retention_days, log };
  if (opts.upstream) {
    return relaySource({ upstream: opts.upstream, poll_ms: opts.poll_ms, max_backoff_ms: opts.max_backoff_ms, ...stores, log_dir: logDir(opts, resolve(REPO_ROOT, '.cache/relay-log', logName(opts.upstream))) });
  }
  if (opts.dir) return directorySource({ dir: opts.dir, network: opts.network, scan_ms: opts.scan_ms, realtime: opts.realtime, speed: opts.speed, ...stores, log_dir: logDir(opts, join(opts.dir, DIR_LOG)) });
  return replaySource({ dataset: opts.dataset ?? DEFAULT_DATASET, speed: opts.speed, start_ms: opts.start_ms });
}

/**
 * @param {ServerOptions} opts
 * @param {string} dflt
 */
function logDir(opts, dflt) {
  return opts.log_dir === undefined ? dflt : opts.log_dir;
}

/** A folder name for an upstream URL: "127.0.0.1_8080_feed_latest.json". @param {string} url */
export function logName(url) {
  const u = new URL(url);
  return `${u.host}${u.pathname}`.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 120) || 'upstream';
}

/**
 * The CSP source for a tile URL template's host: "https://{s}.tile.openstreetmap.org/..." ->
 * "https://*.tile.openstreetmap.org"; "" when there is none ("none", a relative URL).
 * @param {string} tiles
 */
export function tileSource(tiles) {
  const m = /^(https?:\/\/)([^/]+)/.exec(tiles);
  if (!m) return '';
  return m[1] + m[2].replace(/\{[a-z]+\}/g, '*');
}

/**
 * The hashes CSP needs to let the inline <script> and <style> blocks of a page run, and only
 * those (the shipped pages have none today; a page an operator adds may).
 * @param {string} html
 */
function inlineHashes(html) {
  const hash = (/** @type {string} */ text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => hash(m[1]));
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => hash(m[1]));
  return { scripts, styles };
}

/**
 * One query parameter: a single string of bounded length, or undefined.
 * @param {any} query
 * @param {string} name
 * @returns {string|undefined}
 */
function queryValue(query, name) {
  const v = query[name];
  if (Array.isArray(v)) throw new HttpError(400, 'BAD_QUERY', `${name}: give it once`);
  return v;
}

/**
 * @param {string|undefined} text
 * @param {string} name
 * @param {number} min
 * @param {number} max
 * @param {number} dflt
 * @param {string} code
 */
function intParam(text, name, min, max, dflt, code) {
  if (text === undefined) return dflt;
  if (!/^\d{1,9}$/.test(text)) throw new HttpError(400, code, `${name}: must be an integer in ${min}..${max}`);
  const n = Number(text);
  if (n < min || n > max) throw new HttpError(400, code, `${name}: must be an integer in ${min}..${max}, got ${n}`);
  return n;
}

/**
 * Does an If-None-Match header match this ETag (weak comparison, as RFC 9110 asks for GET)?
 * @param {string|undefined} header
 * @param {string} etag
 */
function etagMatches(header, etag) {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * @param {import('fastify').FastifyRequest} req
 * @param {import('fastify').FastifyReply} reply
 */
function notFound(req, reply) {
  reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0].slice(0, 200)}` } });
}

/**
 * Build the feed server (not yet listening).
 * @param {ServerOptions} [opts]
 */
export async function buildServer(opts = {}) {
  const source = await createSource(opts);
  const started_ms = Date.now();
  let served = 0;
  const countServed = (/** @type {number} */ n) => { served += n; };
  /** @type {SseHub|null} */
  let hub = null;
  /** @type {Map<string, { body: string|Buffer, etag: string }>} */
  const historyCache = new Map();
  let historyBytes = 0;
  let historyTs = NaN;
  const log = opts.log ?? (() => {});
  // Replay and directory modes offer the model file of their folder; a relay has none.
  const modelPath = opts.upstream ? null : join(opts.dir ?? opts.dataset ?? DEFAULT_DATASET, MODEL_FILE);
  /** @type {{ mtimeMs: number, size: number, body: Buffer, etag: string } | null} */
  let modelCache = null;
  /** The model file and its ETag, re-read only when the file changes; null when there is none. */
  const loadModelFile = async () => {
    if (!modelPath) return null;
    const st = await stat(modelPath).catch(() => null);
    if (!st?.isFile()) return null;
    if (modelCache?.mtimeMs !== st.mtimeMs || modelCache.size !== st.size) {
      const body = await readFile(modelPath);
      modelCache = { mtimeMs: st.mtimeMs, size: st.size, body, etag: strongEtag(body) };
    }
    return modelCache;
  };

  const headersTimeout = opts.headers_timeout_ms ?? HEADERS_TIMEOUT_MS;
  const app = Fastify({
    logger: opts.logger ?? false, bodyLimit: 16 * 1024, routerOptions: { maxParamLength: 200 }, return503OnClosing: true,
    trustProxy: opts.trust_proxy ?? false,
    connectionTimeout: opts.connection_timeout_ms ?? CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: opts.keep_alive_timeout_ms ?? KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: Math.max(headersTimeout, opts.request_timeout_ms ?? REQUEST_TIMEOUT_MS),
    // Node checks the two timeouts above on this period, so it bounds how late they act.
    http: { headersTimeout, connectionsCheckingInterval: Math.min(1000, Math.max(50, headersTimeout / 4)) },
  });
  const rateLimit = opts.rate_limit ?? RATE_LIMIT_PER_MIN;
  const ssePerIp = opts.sse_per_ip ?? SSE_PER_IP;
  const sseMax = opts.sse_max ?? SSE_MAX;
  /** Open event streams per client address. */
  const streamsByIp = new Map();
  let streams = 0;
  const tiles = opts.tiles ?? DEFAULT_TILES;

  /** The store, or 503 while a relay has not yet reached its upstream. */
  const store = () => {
    if (!source.store) throw new HttpError(503, 'NOT_READY', 'the feed has not received its network yet');
    return source.store;
  };
  const latestOr503 = () => {
    const e = store().latest();
    if (!e) throw new HttpError(503, 'NO_SNAPSHOT', 'no snapshot has been received yet');
    return e;
  };
  /** Fresh for a tenth of the (real-time) interval: a CDN may hold it, never for long. */
  const maxAge = (/** @type {number} */ interval_s) => Math.floor(Math.min(60, interval_s / source.speed / 10));

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    }
    const e = /** @type {any} */ (err);
    const status = Number(e.statusCode) || 500;
    if (status >= 500) {
      req.log.error(err);
      log(`${req.method} ${req.url.slice(0, 200)}: ${e.stack ?? err}`);
      return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
    }
    const code = FASTIFY_CODES[e.code] ?? 'BAD_REQUEST';
    return reply.code(status).send({ error: { code, message: String(e.message).slice(0, 200) } });
  });

  app.setNotFoundHandler(notFound);

  app.addHook('onRequest', async (req) => {
    if (req.url.length > MAX_URL) throw new HttpError(414, 'URI_TOO_LONG', `request target longer than ${MAX_URL} characters`);
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
  });

  await app.register(fastifyCompress, { global: true });

  const methodNotAllowed = async (/** @type {any} */ req, /** @type {any} */ reply) => {
    reply.header('allow', 'GET, HEAD');
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use GET`);
  };
  for (const url of API_PATHS) app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url, handler: methodNotAllowed });

  await app.register(async (api) => {
    await api.register(fastifyCors, { origin: '*', methods: ['GET', 'HEAD'], exposedHeaders: ['ETag'], maxAge: 86400 });
    api.addHook('onSend', async (req, reply) => { reply.header('cross-origin-resource-policy', 'cross-origin'); });
    if (rateLimit > 0) {
      await api.register(fastifyRateLimit, {
        max: rateLimit, timeWindow: 60000,
        errorResponseBuilder: (req, ctx) => new HttpError(429, 'RATE_LIMITED', `more than ${ctx.max} API requests a minute from this address; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
      });
    }

    api.addHook('preHandler', async (req) => {
      for (const [k, v] of Object.entries(/** @type {Record<string, unknown>} */ (req.query ?? {}))) {
        const values = Array.isArray(v) ? v : [v];
        if (values.some((x) => String(x).length > MAX_QUERY_VALUE)) throw new HttpError(400, 'QUERY_TOO_LONG', `${k.slice(0, 40)}: longer than ${MAX_QUERY_VALUE} characters`);
      }
    });

    api.setNotFoundHandler(notFound); // here too, so API 404s carry CORS headers

    api.get('/network', async (req, reply) => {
      const net = store().network;
      reply.header('etag', net.etag).header('cache-control', 'public, max-age=300');
      if (etagMatches(req.headers['if-none-match'], net.etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(net.json);
    });

    api.get('/snapshot/latest', async (req, reply) => {
      const e = latestOr503();
      // content negotiation: the binary encoding (FCSNAP1) only when asked for by name
      const binary = String(req.headers.accept ?? '').includes(SNAPSHOT_BINARY_TYPE);
      const p = binary ? store().binaryPayload(e) : null;
      const { json, etag } = p ? { json: '', etag: p.etag } : store().payload(e);
      reply.header('etag', etag).header('vary', 'Accept').header('cache-control', `public, max-age=${maxAge(e.interval_s)}`);
      if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
      served++;
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
      const s = store();
      const { entries, more } = s.latest() ? s.after(since, limit) : { entries: [], more: false };
      served += entries.length;
      reply.header('cache-control', 'no-cache');
      return reply.type('application/json; charset=utf-8')
        .send(`{"snapshots":[${entries.map((e) => s.payload(e).json).join(',')}],"more":${more}}`);
    });

    api.get('/history', async (req, reply) => {
      const hours = intParam(queryValue(req.query, 'hours'), 'hours', 1, MAX_HOURS, DEFAULT_HOURS, 'BAD_HOURS');
      const binary = /application\/octet-stream/.test(String(req.headers.accept ?? ''));
      const e = latestOr503();
      if (e.ts_ms !== historyTs) { // a new snapshot: every cached window is out of date
        historyCache.clear();
        historyBytes = 0;
        historyTs = e.ts_ms;
      }
      const key = `${hours}/${binary ? 'bin' : 'json'}`;
      let cached = historyCache.get(key);
      if (!cached) {
        const h = buildHistory(store().network, e, hours);
        const body = binary ? historyBinary(h, store().network) : historyJson(h, store().network);
        cached = { body, etag: strongEtag(body) };
        historyCache.set(key, cached);
        historyBytes += body.length;
        for (const [k, v] of historyCache) {
          if (historyBytes <= HISTORY_CACHE_BYTES) break;
          historyCache.delete(k);
          historyBytes -= v.body.length;
        }
      }
      reply.header('etag', cached.etag).header('vary', 'Accept').header('cache-control', `public, max-age=${maxAge(e.interval_s)}`);
      if (etagMatches(req.headers['if-none-match'], cached.etag)) return reply.code(304).send();
      return reply.type(binary ? 'application/octet-stream' : 'application/json; charset=utf-8').send(cached.body);
    });

    /** @type {Map<string, Promise<Buffer>>} compressed model files by "etag encoding" */
    const compressedModels = new Map();
    /**
     * The model file compressed once per file and encoding: every page downloads it (~3 MB for
     * Atlanta), and @fastify/compress would spend ~90 ms of brotli on each download
     * (PERFORMANCE.md §18). Asynchronous (zlib's thread pool); a new file replaces the old ones.
     * @param {{ etag: string, body: Buffer }} m
     * @param {'br' | 'gzip'} encoding
     */
    const compressedModel = (m, encoding) => {
      const key = `${m.etag} ${encoding}`;
      let p = compressedModels.get(key);
      if (!p) {
        if (compressedModels.size >= 4) compressedModels.clear(); // at most both files x both encodings
        p = encoding === 'br'
          ? brotliCompress(m.body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: m.body.length } })
          : gzip(m.body, { level: 9 });
        p.catch(() => compressedModels.delete(key));
        compressedModels.set(key, p);
      }
      return p;
    };
    api.get('/model', async (req, reply) => {
      const profiles = queryValue(req.query, 'profiles') ?? '1';
      if (profiles !== '0' && profiles !== '1') throw new HttpError(400, 'BAD_PROFILES', 'profiles: 0 (leave the profiles out, for tile mode) or 1');
      const file = await loadModelFile();
      if (!file) throw new HttpError(404, 'NO_MODEL', 'this feed offers no saved model: train one from /api/v1/history');
      // ?profiles=0: weights and intervals only, for engines that read profiles from tiles
      const m = profiles === '1' ? file : await tileCall((net, f) => profileTiles.modelWithoutProfiles(net, f));
      reply.header('etag', m.etag).header('cache-control', 'no-cache').header('vary', 'Accept-Encoding');
      if (etagMatches(req.headers['if-none-match'], m.etag)) return reply.code(304).send();
      reply.type('application/octet-stream');
      const encoding = preferredEncoding(req.headers['accept-encoding']);
      if (!encoding) return reply.send(m.body);
      return reply.header('content-encoding', encoding).send(await compressedModel(m, encoding));
    });

    // History profile tiles (web/server/tiles.js): cut from the model file by the wasm engine.
    const profileTiles = new ProfileTiles();
    api.addHook('onClose', async () => profileTiles.close());
    /** @param {() => Promise<any>} fn */
    const tileCall = async (fn) => {
      const m = await loadModelFile();
      if (!m) throw new HttpError(404, 'NO_MODEL', 'this feed offers no saved model, hence no profile tiles');
      try {
        return await fn.call(null, store().network, m);
      } catch (err) {
        if (err instanceof TileError) throw new HttpError(err.status, err.code, err.message);
        throw err;
      }
    };
    api.get('/profiles', async (req, reply) => {
      const groups = await tileCall((net, m) => profileTiles.groups(net, m));
      reply.header('cache-control', 'no-cache');
      return { groups, daytypes: ['weekday', 'weekend'], url: '/api/v1/profiles/{group}/{daytype}' };
    });
    api.get('/profiles/:group/:daytype', async (req, reply) => {
      const { group, daytype } = /** @type {{ group: string, daytype: string }} */ (req.params);
      const t = await tileCall((net, m) => profileTiles.tile(net, m, group, daytype));
      reply.header('etag', t.etag).header('cache-control', 'no-cache');
      if (etagMatches(req.headers['if-none-match'], t.etag)) return reply.code(304).send();
      return reply.type('application/octet-stream').send(t.body);
    });

    api.get('/stream', { exposeHeadRoute: false }, async (req, reply) => {
      const s = store();
      if (hub?.store !== s) { // a relay whose upstream changed its network has a new store
        hub?.close();
        hub = new SseHub(s, {
          heartbeat_ms: opts.heartbeat_ms, resend_max: opts.resend_max, onServed: countServed,
          onError: (err) => log(`event stream: ${err instanceof Error ? err.stack : err}`),
        });
      }
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

    await api.register(telemetryRoutes, { aggregator: opts.telemetry, rateLimitPerMin: rateLimit });
  }, { prefix: '/api/v1' });

  app.get('/healthz', async (req, reply) => {
    const h = source.health();
    const latest = source.store?.latest() ?? null;
    reply.header('cache-control', 'no-store');
    return {
      status: h.status,
      mode: source.mode,
      network: source.store?.network.id ?? null,
      latest_ts: latest?.ts ?? null,
      age_s: latest ? Math.round((source.now() - latest.ts_ms) / 1000) : null,
      snapshots_served: served,
      sse_clients: hub?.clients.size ?? 0,
      uptime_s: Math.round((Date.now() - started_ms) / 1000),
      ...h.detail,
    };
  });

  const publicDir = opts.public === undefined ? resolve(REPO_ROOT, 'public') : opts.public;
  if (publicDir && existsSync(publicDir)) {
    const root = realpathSync(publicDir);
    const tileHost = tileSource(tiles);
    /** @type {Map<string, { mtimeMs: number, csp: string }>} */
    const cspCache = new Map();
    /** The page's policy: only what the app loads, plus hashes of its own inline blocks. */
    const cspFor = (/** @type {string} */ file, /** @type {string} */ rel) => {
      const mtimeMs = statSync(file).mtimeMs;
      let c = cspCache.get(file);
      if (c?.mtimeMs !== mtimeMs) {
        const { scripts, styles } = inlineHashes(readFileSync(file, 'utf8'));
        const csp = [
          "default-src 'none'",
          `script-src 'self' 'wasm-unsafe-eval' ${scripts.join(' ')}`.trim(),
          `style-src 'self' ${styles.join(' ')}`.trim(),
          `img-src 'self' data: ${tileHost}`.trim(), // data: Leaflet blanks failed tiles with a data: GIF
          "connect-src 'self'",
          "worker-src 'self'",
          "manifest-src 'self'",
          "base-uri 'none'",
          "form-action 'self'",
          ...(FRAMEABLE_PAGE.test(rel) ? [] : ["frame-ancestors 'self'"]),
        ].join('; ');
        c = { mtimeMs, csp };
        cspCache.set(file, c);
      }
      return c.csp;
    };
    await app.register(fastifyStatic, {
      root, index: ['index.html'],
      // Whatever the URL decodes to, the file served must really be inside the root: a symlink
      // in public/ pointing elsewhere is refused like a path with "..".
      allowedPath: (pathName) => {
        let real;
        try {
          real = realpathSync(join(root, pathName));
        } catch {
          return true; // does not exist: a 404 follows
        }
        return real === root || real.startsWith(root + sep);
      },
      setHeaders: (/** @type {any} */ reply, /** @type {string} */ file) => {
        const rel = relative(root, file).split(sep).join('/');
        if (/\.html?$/.test(file)) {
          reply.header('content-security-policy', cspFor(file, rel));
        } else if (CROSS_ORIGIN_STATIC.test(rel)) {
          reply.header('access-control-allow-origin', '*');
          reply.header('cross-origin-resource-policy', 'cross-origin');
        }
      },
    });
  }

  app.addHook('onReady', async () => { await source.start(); });
  app.addHook('preClose', async () => {
    source.stop();
    hub?.close();
  });
  app.decorate('flowcast', { source });
  return app;
}

const HELP = `usage: node web/server/server.js [--dataset DIR | --upstream URL | --dir DIR] [options]

  --dataset DIR    replay a dataset folder (default: .cache/datasets/atlanta)
  --upstream URL   relay an upstream feed (a flowcast server's base URL, or a latest.json URL)
  --dir DIR        serve a directory of snapshot files (*.json and network.json)
  --port N         listen port (default 8080, or $PORT)
  --host H         listen address (default 127.0.0.1, or $HOST)
  --speed X        replay clock runs X times faster than real time (default 1)
  --network FILE   directory: the network file (default DIR/network.json)
  --realtime       directory: play the files back on the clock (moved by whole days to today)
  --start ISO      replay: start the clock at this instant instead of now
  --public DIR     static site root (default: public/)
  --poll-ms N      relay: poll period in ms (default 10000)
  --capacity N     relay/directory: snapshots kept in memory (default 4032)
  --log DIR        relay/directory: the durable snapshot log's folder, or "none" for memory only
                   (default: relay .cache/relay-log/<upstream>/, directory DIR/.flowcast-log/)
  --retention-days N  relay/directory: days of snapshots the log keeps (default 14)
  --rate-limit N   API requests per minute per client address (default 600; 0 = off)
  --sse-per-ip N   event streams per client address (default 16)
  --sse-max N      event streams in all (default 2000)
  --trust-proxy    behind a reverse proxy: the client address is the X-Forwarded-For one
  --tiles URL      the page's map tile URL template, allowed by the CSP (default OpenStreetMap)
  --verbose        log every request
`;

/**
 * The command line. Returns the listening server.
 * @param {string[]} argv
 */
export async function main(argv) {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' }, upstream: { type: 'string' }, dir: { type: 'string' },
      port: { type: 'string' }, host: { type: 'string' }, speed: { type: 'string' },
      start: { type: 'string' }, public: { type: 'string' }, 'poll-ms': { type: 'string' },
      capacity: { type: 'string' }, network: { type: 'string' }, realtime: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      log: { type: 'string' }, 'retention-days': { type: 'string' }, 'rate-limit': { type: 'string' }, 'sse-per-ip': { type: 'string' },
      'sse-max': { type: 'string' }, 'trust-proxy': { type: 'boolean' }, tiles: { type: 'string' },
    },
  });
  if (a.help) {
    process.stdout.write(HELP);
    return null;
  }
  const num = (/** @type {string|undefined} */ v, /** @type {string} */ name) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${v}`);
    return n;
  };
  const start_ms = a.start === undefined ? undefined : parseIso(a.start);
  if (Number.isNaN(start_ms)) throw new Error(`--start: not an ISO 8601 timestamp: ${a.start}`);
  const port = num(a.port ?? process.env.PORT, 'port') ?? 8080;
  const host = a.host ?? process.env.HOST ?? '127.0.0.1';
  const app = await buildServer({
    dataset: a.dataset && resolve(a.dataset), upstream: a.upstream, dir: a.dir && resolve(a.dir),
    speed: num(a.speed, 'speed'), start_ms, public: a.public && resolve(a.public),
    poll_ms: num(a['poll-ms'], 'poll-ms'), capacity: num(a.capacity, 'capacity'), realtime: a.realtime, network: a.network && resolve(a.network),
    log_dir: a.log === undefined ? undefined : a.log === 'none' ? null : resolve(a.log),
    retention_days: num(a['retention-days'], 'retention-days'), rate_limit: num(a['rate-limit'], 'rate-limit'),
    sse_per_ip: num(a['sse-per-ip'], 'sse-per-ip'), sse_max: num(a['sse-max'], 'sse-max'), trust_proxy: a['trust-proxy'], tiles: a.tiles,
    logger: a.verbose ? { level: 'info' } : false,
    log: (msg) => console.error(`flowcast-server: ${msg}`),
  });
  await app.listen({ port, host });
  const source = /** @type {any} */ (app).flowcast.source;
  const what = a.upstream ? `relaying ${a.upstream}` : a.dir ? `serving ${a.dir}` : `replaying ${a.dataset ?? DEFAULT_DATASET}${a.speed ? ` at ${a.speed}x` : ''}`;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  // handlers first, then the URL: whoever reads the URL may signal us at once (a signal with no
  // listener yet would kill the process instead of closing it cleanly)
  let closing = false;
  const shutdown = (/** @type {string} */ signal) => {
    if (closing) return;
    closing = true;
    console.error(`flowcast-server: ${signal}, shutting down`);
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  console.log(`flowcast feed server (${source.mode}: ${what}) listening on http://${shownHost}:${app.server.address().port}/`);
  return app;
}

const invoked = process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
if (invoked) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`flowcast-server: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
