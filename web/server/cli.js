// cli.js — the feed server's command line: `node web/server/server.js [options]` (docs/API.md).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildServer } from './app.js';
import { parseIso } from './clock.js';
import { DEFAULT_DATASET, parseTrustProxy } from './options.js';
import { NETWORK_ID } from '../shared/network-id.js';

const HELP = `usage: node web/server/server.js [--dataset DIR | --upstream URL | --dir DIR] [options]

  --dataset DIR    replay a dataset folder (default: .cache/datasets/atlanta)
  --upstream URL   relay an upstream feed (a flowcast server's base URL, or a latest.json URL)
  --dir DIR        serve a directory of snapshot files (*.json and network.json)
  --id ID          the network's id in URLs: /api/v1/networks/ID/ (default: the folder's name)
  --also ID=DIR    replay another dataset folder too, under /api/v1/networks/ID/ (repeatable;
                   GET /api/v1/networks lists them all)
  --port N         listen port (default 8080, or $PORT)
  --host H         listen address (default 127.0.0.1, or $HOST)
  --speed X        replay clock runs X times faster than real time (default 1)
  --network FILE   directory: the network file (default DIR/network.json)
  --realtime       directory: play the files back on the clock (moved by whole days to today)
  --start ISO      replay: start the clock at this instant instead of now
  --public DIR     static site root (default: public/)
  --poll-ms N      relay: poll period in ms (default 10000)
  --max-ahead-s N  relay: refuse snapshots more than N s ahead of this clock (default 900,
                   15 minutes; an accelerated demo upstream needs more, e.g. 86400)
  --capacity N     relay/directory: snapshots kept in memory (default 4032); older ones in
                   the log are still served to catch-up, read from the log
  --log DIR        relay/directory: the durable snapshot log's folder, or "none" for memory only
                   (default: relay .cache/relay-log/<upstream>/, directory DIR/.flowcast-log/)
  --retention-days N  relay/directory: days of snapshots the log keeps (default 14)
  --rate-limit N   API requests per minute per client address (default 600; 0 = off)
  --cost-limit N   heavy routes: snapshots' worth of work per minute per client address
                   (catch-up pages, event-stream resends, history windows; default 8064;
                   0 = off; off with --rate-limit 0 unless given)
  --sse-per-ip N   event streams per client address (default 16)
  --sse-max N      event streams in all (default 2000)
  --trust-proxy [N | ADDRS]  behind reverse proxies, where the client address comes from
                   X-Forwarded-For: N = the number of proxies in front (a bare --trust-proxy is 1),
                   or a comma-separated list of the proxies' addresses/CIDRs
                   (e.g. 10.0.0.0/8,127.0.0.1); entries added by others are never believed
  --health-detail  /healthz shows upstream URLs (with their query) and absolute paths in full;
                   only for a server that only its operators can reach
  --tiles URL      the page's map tile URL template, allowed by the CSP (default OpenStreetMap)
  --verbose        log every request
`;

/**
 * `--trust-proxy` takes an optional value: a bare one (last, or followed by another option)
 * means 1 hop, the safe reading of "there is a proxy in front".
 * @param {string[]} argv
 */
function withTrustProxyValue(argv) {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--trust-proxy' && (i + 1 === out.length || out[i + 1].startsWith('-'))) out.splice(i + 1, 0, '1');
    if (out[i] === '--') break;
  }
  return out;
}

/**
 * The command line as buildServer() options, the listen address and what to print; null for --help.
 * @param {string[]} argv
 * @returns {{ opts: import('./options.js').ServerOptions, port: number, host: string, what: string } | null}
 */
export function parseCommandLine(argv) {
  const { values: a } = parseArgs({
    args: withTrustProxyValue(argv),
    options: {
      dataset: { type: 'string' }, upstream: { type: 'string' }, dir: { type: 'string' },
      port: { type: 'string' }, host: { type: 'string' }, speed: { type: 'string' },
      start: { type: 'string' }, public: { type: 'string' }, 'poll-ms': { type: 'string' },
      capacity: { type: 'string' }, network: { type: 'string' }, realtime: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      log: { type: 'string' }, 'retention-days': { type: 'string' }, 'rate-limit': { type: 'string' }, 'max-ahead-s': { type: 'string' }, 'cost-limit': { type: 'string' }, 'sse-per-ip': { type: 'string' },
      'sse-max': { type: 'string' }, 'trust-proxy': { type: 'string' }, tiles: { type: 'string' },
      'health-detail': { type: 'boolean' }, id: { type: 'string' }, also: { type: 'string', multiple: true },
    },
  });
  if (a.help) return null;
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
  const networks = (a.also ?? []).map((v) => {
    const m = /^([^=]+)=(.+)$/.exec(v);
    if (!m || !NETWORK_ID.test(m[1])) throw new Error(`--also: ID=DIR with an id of lower-case letters, digits and dashes, not "${v}"`);
    return { id: m[1], dataset: resolve(m[2]), speed: num(a.speed, 'speed') };
  });
  const opts = {
    id: a.id, networks,
    dataset: a.dataset && resolve(a.dataset), upstream: a.upstream, dir: a.dir && resolve(a.dir),
    speed: num(a.speed, 'speed'), start_ms, public: a.public && resolve(a.public),
    poll_ms: num(a['poll-ms'], 'poll-ms'), capacity: num(a.capacity, 'capacity'), realtime: a.realtime, network: a.network && resolve(a.network),
    log_dir: a.log === undefined ? undefined : a.log === 'none' ? null : resolve(a.log),
    retention_days: num(a['retention-days'], 'retention-days'), rate_limit: num(a['rate-limit'], 'rate-limit'), cost_limit: num(a['cost-limit'], 'cost-limit'), max_ahead_s: num(a['max-ahead-s'], 'max-ahead-s'),
    sse_per_ip: num(a['sse-per-ip'], 'sse-per-ip'), sse_max: num(a['sse-max'], 'sse-max'), trust_proxy: parseTrustProxy(a['trust-proxy']), tiles: a.tiles,
    health_detail: a['health-detail'] ?? false,
    logger: a.verbose ? { level: 'info' } : false,
    log: (/** @type {string} */ msg) => console.error(`flowcast-server: ${msg}`),
  };
  const what = (a.upstream ? `relaying ${a.upstream}` : a.dir ? `serving ${a.dir}` : `replaying ${a.dataset ?? DEFAULT_DATASET}${a.speed ? ` at ${a.speed}x` : ''}`)
    + networks.map((n) => `, and ${n.dataset} as ${n.id}`).join('');
  return { opts, port, host, what };
}

/**
 * The command line. Returns the listening server.
 * @param {string[]} argv
 */
export async function main(argv) {
  const cmd = parseCommandLine(argv);
  if (!cmd) {
    process.stdout.write(HELP);
    return null;
  }
  const { opts, port, host, what } = cmd;
  const app = await buildServer(opts);
  await app.listen({ port, host });
  const source = /** @type {any} */ (app).flowcast.source;
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
  console.log(`flowcast feed server (${source.mode}: ${what}) listening on http://${shownHost}:${/** @type {import('node:net').AddressInfo} */ (app.server.address()).port}/`);
  return app;
}
