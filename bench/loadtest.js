// loadtest.js — `npm run loadtest [-- --seconds N --clients N]`: the feed server under load, on
// 127.0.0.1 only and bounded in time. autocannon drives GET /api/v1/snapshot/latest and the
// static page at concurrency 100, and latest again at concurrency 50 with `Accept-Encoding:
// br, gzip` as browsers send it (req/s, p50/p99 latency, errors, server RSS before/after);
// then N Server-Sent Events clients (default 1000) must each receive every event, in order,
// while the replay runs fast. The rate limit and per-address stream cap are lifted for the run
// (all clients share one address). Goals (issue 9): >= 5,000 req/s for latest, p99 <= 50 ms,
// 0 errors, bounded RSS.
import autocannon from 'autocannon';
import http from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildServer } from '../web/server/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const arg = (/** @type {string} */ k, /** @type {number} */ d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const SECONDS = arg('--seconds', 30), CLIENTS = arg('--clients', 1000);

function dataset() {
  const dir = `${root}.cache/bench/loadtest-atlanta`;
  if (!existsSync(`${dir}/meta.json`)) {
    mkdirSync(`${root}.cache/bench`, { recursive: true });
    const r = spawnSync(`${root}build/native/bin/flowcast-sim`, ['--out', dir, '--days', '7', '--seed', '8', '--quiet'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return dir;
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);

/** @param {string} url @param {number} seconds @param {{ connections?: number, headers?: Record<string, string> }} [o] */
async function cannon(url, seconds, o = {}) {
  const r = await autocannon({ url, connections: o.connections ?? 100, duration: seconds, pipelining: 1, headers: o.headers });
  return { req_per_s: Math.round(r.requests.average), p50_ms: r.latency.p50, p99_ms: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts, requests: r.requests.total };
}

/** Opens n SSE clients; resolves with each client's received ids once `events` new events came. */
function sseClients(base, n, events) {
  return new Promise((resolve, reject) => {
    const received = Array.from({ length: n }, () => /** @type {string[]} */ ([]));
    const reqs = [];
    let done = 0;
    const timer = setTimeout(() => reject(new Error(`SSE: only ${done}/${n} clients got ${events} events`)), 120000);
    for (let i = 0; i < n; i++) {
      const req = http.get(`${base}/api/v1/stream`, { agent: false }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buf += chunk;
          let k;
          while ((k = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, k);
            buf = buf.slice(k + 2);
            const id = /^id: (.*)$/m.exec(block)?.[1];
            if (id && /^event: snapshot$/m.test(block)) {
              received[i].push(id);
              if (received[i].length === events + 1 && ++done === n) {
                clearTimeout(timer);
                reqs.forEach((r) => r.destroy());
                resolve(received);
              }
            }
          }
        });
      });
      req.on('error', reject);
      reqs.push(req);
    }
  });
}

const app = await buildServer({ dataset: dataset(), public: `${root}public`, speed: 600, rate_limit: 0,
  sse_per_ip: CLIENTS + 10, sse_max: CLIENTS + 10 });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.server.address().port}`;
const rssBefore = rssMb();
console.error(`loadtest: ${SECONDS} s each on ${base} …`);
const latest = await cannon(`${base}/api/v1/snapshot/latest`, SECONDS);
// as browsers ask (issue 19's goal: >= 5,000 req/s, p99 <= 50 ms, 0 errors with 50 connections):
// each snapshot is compressed once and the same bytes go to every request
const latestCompressed = await cannon(`${base}/api/v1/snapshot/latest`, SECONDS, { connections: 50, headers: { 'accept-encoding': 'br, gzip' } });
const page = await cannon(`${base}/`, SECONDS);
const rssAfterHttp = rssMb();
console.error(`loadtest: ${CLIENTS} SSE clients …`);
const t0 = Date.now();
const received = await sseClients(base, CLIENTS, 5);
// every client: strictly increasing ids with no gap (one 5-minute interval apart)
const inOrder = received.every((ids) => ids.every((id, k) => k === 0 || Date.parse(id) > Date.parse(ids[k - 1])));
const contiguous = received.every((ids) => ids.every((id, k) => k === 0 || Date.parse(id) - Date.parse(ids[k - 1]) === 300_000));
const report = {
  latest, latest_br_gzip_50: latestCompressed, page, sse: { clients: CLIENTS, events_each: 5, all_in_order: inOrder, all_contiguous: contiguous, seconds: (Date.now() - t0) / 1000 },
  // one process holds the server and the load generators: RSS includes the 1000 client sockets
  rss_mb: { before: rssBefore, after_http: rssAfterHttp, after_sse: rssMb() },
};
await app.close();
console.log(JSON.stringify(report, null, 2));
const ok = latest.errors === 0 && latestCompressed.errors === 0 && page.errors === 0 && inOrder && contiguous;
process.exit(ok ? 0 : 1);
