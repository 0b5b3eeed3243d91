// One rulebook: a relay (a real feed server polling a fake upstream's latest.json on 127.0.0.1)
// and a page-side engine that ingests the same upstream bytes directly must end with the same
// served state: the same accepted/refused decisions, the same latest snapshot values, the same
// history rows, and a page that ingests what the relay serves reaches the same engine state
// (digest). The upstream's snapshots are crafted to hit the rules the server used to apply
// itself (duplicate readings, out-of-range values, a duplicated key, several snapshots in one
// slot, nulls, a timestamp going back) plus the ingest fuzz corpus.
//
// The comparison can fail: the last test plants a rule difference in the relay (its engine's
// results pass through the old JS rule for duplicate readings: keep the last one) and requires
// the comparison to find it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { createPredictor } from '../web/flowcast.js';
import { buildServer } from '../web/server/server.js';
import { NetworkRules } from '../web/server/rules.js';
import { tinyNetwork } from './fixtures/networks.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = join(ROOT, 'tests/fuzz/corpus/ingest');
const STEP = 300000;

/** The upstream's snapshots in order, as bytes; times are recent (the relay refuses the future). */
function crafted() {
  const base = Math.floor(Date.now() / STEP) * STEP - 6 * 3600000;
  const iso = (/** @type {number} */ ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const snap = (/** @type {number} */ ms, /** @type {unknown[]} */ readings, extra = '') =>
    `{"schema":"flowcast.snapshot/1","network":"test-net","ts":"${iso(ms)}"${extra},"readings":${JSON.stringify(readings)}}`;
  const r = (/** @type {string} */ id, /** @type {number|null} */ speed_mph, more = {}) => ({ id, speed_mph, volume_vph: 900, occupancy: 0.12, ...more });
  const items = [
    ['plain', snap(base + STEP, [r('A', 61.2), r('B', 55), r('C', 40.125), r('D', 33)])],
    ['duplicate reading, one out of range', snap(base + 2 * STEP, [r('A', 999), r('A', 50), r('B', 54)])],
    ['out-of-range values', snap(base + 3 * STEP, [r('A', -1), r('B', 121), r('C', 50, { volume_vph: 1e9 }), r('D', 50, { occupancy: 1.5 })])],
    ['duplicated top-level ts', snap(base + 4 * STEP, [r('A', 50)], `,"ts":"${iso(base + 4 * STEP)}"`)],
    ['slot, first of three', snap(base + 4 * STEP + 60000, [r('A', 60), r('B', 30, { quality: 1 })])],
    ['slot, second', snap(base + 4 * STEP + 120000, [r('A', 51), r('B', null)])],
    ['slot, third', snap(base + 5 * STEP, [r('A', 40.01), r('C', 20, { quality: 4 })])],
    ['nulls', snap(base + 6 * STEP, [r('A', null, { volume_vph: null, occupancy: null }), { id: 'B', speed_mph: null }])],
    ['going back in time', snap(base + 5 * STEP + 1000, [r('A', 10)])],
    ['unknown sensor and extra fields', snap(base + 7 * STEP, [r('Z', 10), r('A', 44, { note: { x: [1] } })])],
  ];
  // the fuzz corpus, each moved to a new slot by rewriting its timestamp text only
  let k = 8;
  for (const name of readdirSync(CORPUS).sort()) {
    const text = readFileSync(join(CORPUS, name), 'utf8').replace(/"ts"\s*:\s*"[^"]*"/, `"ts":"${iso(base + k++ * STEP)}"`);
    items.push([`corpus ${name}`, text]);
  }
  return items.map(([what, text]) => ({ what, bytes: Buffer.from(text) }));
}

/**
 * A fake static upstream (network.json, latest.json) that serves the items one after another:
 * it moves to the next once the relay has come back for another poll, so every item is seen.
 * @param {{ bytes: Buffer }[]} items
 */
async function fakeUpstream(items) {
  let i = 0;
  let served = 0;
  /** @type {() => void} */
  let done = () => {};
  const finished = new Promise((r) => { done = r; });
  const server = createServer((req, res) => {
    if (req.url === '/feed/network.json') return res.end(JSON.stringify(tinyNetwork));
    if (req.url !== '/feed/latest.json') { res.statusCode = 404; return res.end(); }
    if (served >= 2 && i < items.length - 1) { i++; served = 0; }
    if (served >= 2 && i === items.length - 1) done();
    served++;
    res.end(items[i].bytes);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, finished, url: `http://127.0.0.1:${/** @type {any} */ (server.address()).port}/feed/latest.json` };
}

/** What a page's engine makes of the upstream's bytes, ingested directly. */
async function pageSide(/** @type {{ what: string, bytes: Buffer }[]} */ items) {
  const p = await createPredictor({ network: tinyNetwork });
  const decisions = [];
  let last = null;
  for (const it of items) {
    const r = p.ingestEcho(new Uint8Array(it.bytes));
    decisions.push(r.ok ? `accepted ${r.ts}` : `refused ${r.code}`);
    if (r.ok) last = r;
  }
  return { p, decisions, last };
}

/**
 * The relay's served state, compared with the page side; returns the differences found.
 * @param {string} url relay base URL
 * @param {Awaited<ReturnType<typeof pageSide>>} page
 */
async function differences(url, page) {
  const diffs = [];
  const all = await (await fetch(`${url}/api/v1/snapshots?since=1970-01-01T00:00:00Z&limit=2016`)).json();
  const served = all.snapshots.map((/** @type {any} */ s) => Date.parse(s.ts));
  const accepted = page.decisions.filter((d) => d.startsWith('accepted')).map((d) => Number(d.split(' ')[1]));
  if (JSON.stringify(served) !== JSON.stringify(accepted)) diffs.push(`accepted: relay ${served} vs engine ${accepted}`);

  // the latest snapshot's values: what the engine committed for that snapshot
  const latest = await (await fetch(`${url}/api/v1/snapshot/latest`)).json();
  const ids = tinyNetwork.sensors.map((s) => s.id);
  const v = page.last?.values;
  ids.forEach((id, i) => {
    const got = latest.readings.find((/** @type {any} */ x) => x.id === id);
    const want = {
      speed_mph: Number.isNaN(v.speedMph[i]) ? null : Math.round(v.speedMph[i] * 100) / 100,
      volume_vph: Number.isNaN(v.volumeVph[i]) ? null : Math.round(v.volumeVph[i]),
      occupancy: Number.isNaN(v.occupancy[i]) ? null : Math.round(v.occupancy[i] * 10000) / 10000,
    };
    for (const k of /** @type {const} */ (['speed_mph', 'volume_vph', 'occupancy'])) {
      if (got[k] !== want[k]) diffs.push(`latest ${id}.${k}: relay ${got[k]} vs engine ${want[k]}`);
    }
  });

  // every served snapshot in every slot, each one's values: a page ingesting the relay's feed
  const fed = await createPredictor({ network: tinyNetwork });
  for (const s of all.snapshots) {
    const r = fed.ingest(JSON.stringify(s));
    if (!r.ok) diffs.push(`a page refuses the relay's snapshot ${s.ts}: ${r.code}`);
  }
  if (fed.digest() !== page.p.digest()) diffs.push(`engine state: page fed by the relay ${fed.digest()} vs page fed by the upstream ${page.p.digest()}`);

  // history rows (binary): the engine's slot means over the window
  const res = await fetch(`${url}/api/v1/history?hours=12`, { headers: { accept: 'application/octet-stream' } });
  const buf = Buffer.from(await res.arrayBuffer());
  const headLen = buf.readUInt32LE(4);
  const head = JSON.parse(buf.toString('utf8', 8, 8 + headLen));
  const n = ids.length;
  const cells = head.rows * n;
  const off = 8 + headLen;
  const col = (/** @type {number} */ k) => new Float32Array(buf.buffer.slice(buf.byteOffset + off + k * cells * 4, buf.byteOffset + off + (k + 1) * cells * 4));
  const want = page.p.historyRows(Date.parse(head.start) / STEP, head.rows);
  const pairs = /** @type {const} */ ([['speed', col(0), want.speedMph], ['volume', col(1), want.volumeVph], ['occupancy', col(2), want.occupancy]]);
  for (const [name, a, b] of pairs) {
    for (let c = 0; c < cells; c++) {
      if (!Object.is(a[c], b[c])) { diffs.push(`history ${name} row ${Math.floor(c / n)} sensor ${ids[c % n]}: relay ${a[c]} vs engine ${b[c]}`); break; }
    }
  }
  const q = buf.subarray(off + 12 * cells, off + 13 * cells);
  if (!q.equals(Buffer.from(want.quality))) diffs.push('history quality differs');
  fed.dispose();
  return diffs;
}

/** Run a relay over the crafted feed and compare it with the page side. */
async function runRelay() {
  const items = crafted();
  const page = await pageSide(items);
  const up = await fakeUpstream(items);
  const logDir = mkdtempSync(join(tmpdir(), 'flowcast-rules-'));
  const app = await buildServer({ upstream: up.url, poll_ms: 5, max_backoff_ms: 10, log_dir: logDir, public: null, rate_limit: 0 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await up.finished;
    // one more poll after the last item, so the relay has decided it
    await new Promise((r) => setTimeout(r, 50));
    return { items, page, diffs: await differences(`http://127.0.0.1:${/** @type {any} */ (app.server.address()).port}`, page) };
  } finally {
    await app.close();
    await new Promise((r) => up.server.close(r));
    page.p.dispose();
    rmSync(logDir, { recursive: true, force: true });
  }
}

test('relay and page-side engine: same decisions, latest values, history rows and engine state', async () => {
  const { items, page, diffs } = await runRelay();
  assert.deepEqual(diffs, []);
  // the crafted cases do what they are for (so the comparison above is not vacuous)
  const d = Object.fromEntries(items.map((it, i) => [it.what, page.decisions[i]]));
  assert.match(d['duplicated top-level ts'], /refused E_FIELD/);
  assert.match(d['going back in time'], /refused E_TS_ORDER/);
  assert.match(d['duplicate reading, one out of range'], /accepted/);
  assert.ok(page.decisions.filter((x) => x.startsWith('accepted')).length >= 8);
});

test('the comparison finds a planted rule difference (duplicate readings: the old JS rule kept the last one)', async () => {
  const ingest = NetworkRules.prototype.ingest;
  // Planted: readings [{A: 999}, {A: 50}] keep A = 50, as the server's own JS rule did.
  NetworkRules.prototype.ingest = function planted(snapshot, opts) {
    const r = ingest.call(this, snapshot, opts);
    const text = typeof snapshot === 'string' ? snapshot : Buffer.from(snapshot).toString();
    if (r.ok && !opts?.binary && text.includes('"speed_mph":999')) r.entry.speed[0] = 50;
    return r;
  };
  try {
    const { diffs } = await runRelay();
    assert.ok(diffs.some((x) => x.startsWith('engine state')), `found: ${diffs.join('; ')}`);
  } finally {
    NetworkRules.prototype.ingest = ingest;
  }
});
