// options.js — what a feed server is built from: the options `buildServer()` takes, their
// defaults (docs/API.md "Limits" for the abuse limits), and the snapshot source they select.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directorySource, relaySource, replaySource } from './sources.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_DATASET = resolve(REPO_ROOT, '.cache/datasets/atlanta');
/** The page's default map tiles (the page's map module); the CSP's img-src allows this host. */
export const DEFAULT_TILES = 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png';
/** Directory mode keeps its log in this subfolder of the snapshot folder (not scanned: not *.json). */
export const DIR_LOG = '.flowcast-log';

// Abuse limits (docs/API.md "Limits"). A page makes ~6 API requests when it opens and then
// holds one event stream or polls `latest` every 30 s: 600 a minute per address leaves room for
// a hundred tabs behind one NAT, and stops a scraper looping on history.
export const RATE_LIMIT_PER_MIN = 600;
/** Event streams per client address (tabs of one household) and in all (sockets, memory). */
export const SSE_PER_IP = 16;
export const SSE_MAX = 2000;
/** Time to receive a request's headers, and the whole request (slowloris); idle sockets. */
export const HEADERS_TIMEOUT_MS = 10000;
export const REQUEST_TIMEOUT_MS = 30000;
export const CONNECTION_TIMEOUT_MS = 60000;
export const KEEP_ALIVE_TIMEOUT_MS = 5000;

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
 * @property {number} [network_check_ms] relay: how often the upstream's network is asked for again (default 10 min; at once after a snapshot of another network)
 * @property {number} [max_ahead_s] relay: a snapshot further ahead of this server's clock is
 *   refused and the relay reports `degraded` (default 6 h, for accelerated demo feeds; a few
 *   minutes for a real-time feed)
 * @property {number} [scan_ms] directory rescan period
 * @property {number} [capacity] relay/directory: snapshots kept in memory
 * @property {number} [heartbeat_ms] SSE heartbeat period (default 15 s)
 * @property {number} [resend_max] SSE: most snapshots resent after Last-Event-ID (default 288)
 * @property {string|null} [log_dir] relay/directory: the durable log's folder (default: relay
 *   .cache/relay-log/<upstream>, directory DIR/.flowcast-log; null = memory only)
 * @property {number} [retention_days] relay/directory: days of snapshots the log keeps (default 14)
 * @property {number} [rate_limit] API requests per minute per client address (0 = no limit)
 * @property {number} [cost_limit] heavy routes: snapshots' worth of work per minute per client
 *   address (cost-limit.js; default 8064, 0 = no limit; off with rate_limit 0 unless given)
 * @property {number} [sse_per_ip] event streams per client address
 * @property {number} [sse_max] event streams in all
 * @property {boolean|number|string} [trust_proxy] behind reverse proxies: which X-Forwarded-For
 *   entries to believe (parseTrustProxy: true = 1 hop, N hops, or "10.0.0.0/8,127.0.0.1")
 * @property {boolean} [health_detail] /healthz shows upstream URLs and paths in full (operators only)
 * @property {string} [tiles] map tile URL template the CSP allows images from (default OpenStreetMap)
 * @property {import('./telemetry.js').TelemetryAggregator | false} [telemetry] where beacons go (default: a new one; false: no telemetry routes)
 * @property {number} [headers_timeout_ms] @property {number} [request_timeout_ms]
 * @property {number} [connection_timeout_ms] @property {number} [keep_alive_timeout_ms]
 * @property {boolean|object} [logger] Fastify logger option
 * @property {(msg: string) => void} [log] source messages (upstream failures, skipped files)
 * @property {string} [id] the default network's id in URLs (/api/v1/networks/<id>/; default: the
 *   dataset's or directory's folder name, "upstream" for a relay)
 * @property {string} [city] the default network's city, as the page's city picker names it
 * @property {ExtraNetwork[]} [networks] more networks served beside the default one
 */

/**
 * Another network the same server serves under /api/v1/networks/<id>/: its own data (one of
 * dataset, upstream, dir, with their options), the server's limits.
 * @typedef {Object} ExtraNetwork
 * @property {string} id @property {string} [city]
 * @property {string} [dataset] @property {string} [upstream] @property {string} [dir]
 * @property {string} [network] @property {number} [speed] @property {number} [start_ms]
 * @property {string|null} [log_dir]
 */

/**
 * The snapshot source the options select: relay, directory, or (the default) replay.
 * @param {ServerOptions} opts
 * @returns {Promise<import('./sources.js').Source>}
 */
export async function createSource(opts) {
  const log = opts.log ?? (() => {});
  if ([opts.dataset, opts.upstream, opts.dir].filter(Boolean).length > 1) throw new Error('choose one of --dataset, --upstream, --dir');
  const stores = { capacity: opts.capacity, retention_days: opts.retention_days, log };
  if (opts.upstream) {
    const max_ahead_ms = opts.max_ahead_s === undefined ? undefined : opts.max_ahead_s * 1000;
    return relaySource({ upstream: opts.upstream, poll_ms: opts.poll_ms, max_backoff_ms: opts.max_backoff_ms, max_ahead_ms, network_check_ms: opts.network_check_ms, ...stores, log_dir: logDir(opts, resolve(REPO_ROOT, '.cache/relay-log', logName(opts.upstream))) });
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
 * What `--trust-proxy` / `trust_proxy` means, as Fastify's `trustProxy` option:
 * - absent, false or 0: no proxy; the client address is the TCP peer;
 * - true (a bare `--trust-proxy`): 1 hop, one reverse proxy in front;
 * - an integer N ("2"): N hops; the address is the Nth X-Forwarded-For entry from the right;
 * - a list of addresses/CIDRs ("10.0.0.0/8,127.0.0.1", also "loopback", "uniquelocal"): only a
 *   peer in the list is a proxy; entries are believed from the right while they are listed.
 * A hop count trusts the immediate peer whoever it is: the port must be reachable only through
 * the proxy (the default --host 127.0.0.1 with the proxy on the same machine, or a private
 * network); otherwise list the proxy's addresses. Trusting every hop (Fastify's `true`) is not offered: a client behind an appending proxy would
 * choose its own address with the first X-Forwarded-For entry and escape every per-address limit.
 * @param {boolean|number|string|undefined|null} value
 * @returns {false|number|string}
 */
export function parseTrustProxy(value) {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return 1;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text) || false;
  const list = text.split(',').map((x) => x.trim());
  // proxy-addr (in Fastify) accepts these and throws on anything else when the app is built;
  // refuse the obvious mistakes here with the option's name in the message.
  if (!text || list.some((x) => !x || /\s/.test(x) || x === 'true' || x === 'all')) {
    throw new Error(`--trust-proxy: give a hop count or a list of proxy addresses/CIDRs, not "${text}"`);
  }
  return list.join(',');
}

/**
 * parseTrustProxy()'s value as Fastify's `trustProxy`. Fastify 5 ignores a number (it trusts no
 * hop at all, silently), so N hops is given as proxy-addr's hop function, as Express does it:
 * the peer and the N-1 entries to its left are proxies, the next one to the left is the client.
 * @param {false|number|string} trust
 * @returns {false|string|((addr: string, hop: number) => boolean)}
 */
export function fastifyTrustProxy(trust) {
  return typeof trust === 'number' ? (addr, hop) => hop < trust : trust;
}
