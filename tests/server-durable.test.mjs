// The feed server loses nothing: the durable snapshot log (web/server/log.js) under a SIGKILL in
// the middle of a write burst, torn and garbage tails, directory mode across restarts, and
// retention by compaction while requests and appends go on.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { crc32 } from 'node:zlib';
import { buildServer } from '../web/server/server.js';
import { DurableStore, LOG_FILE } from '../web/server/log.js';
import { loadNetwork, snapshotToEntry } from '../web/server/formats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STEP_MS = 300000;
let tmp = '';

before(() => { tmp = mkdtempSync(join(tmpdir(), 'flowcast-durable-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
async function until(pred, timeout_ms = 8000, what = 'condition') {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeout_ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A network of n sensors. @param {number} n */
function networkDoc(n, id = 'durable-net') {
  const ids = Array.from({ length: n }, (_, i) => `S${i}`);
  return {
    schema: 'flowcast.network/1', id, name: 'Durable', timezone: 'America/New_York', interval_s: 300,
    sensors: ids.map((sid, i) => ({ id: sid, lat: 33.7 + i * 1e-4, lon: -84.4, road: 'I-75', direction: 'NB', milepost: i * 0.1, lanes: 4, speed_limit_mph: 65 })),
    corridors: [{ id: 'I75-NB', road: 'I-75', direction: 'NB', sensors: ids }],
  };
}

/** Snapshot k of a feed starting at t0: values say which k they belong to. */
function snapshotDoc(net, t0, k, step_ms = STEP_MS) {
  return {
    schema: 'flowcast.snapshot/1', network: net.id, ts: new Date(t0 + k * step_ms).toISOString().replace('.000Z', 'Z'), interval_s: step_ms / 1000,
    readings: net.sensors.map((s, i) => ({ id: s.id, speed_mph: 20 + ((k * 7 + i) % 4500) / 100, volume_vph: (k * 13 + i) % 3000, occupancy: ((k + i) % 1000) / 10000 })),
  };
}

/** Spawn the CLI server; resolves with its URL and a handle. */
async function spawnServer(args) {
  const child = spawn(process.execPath, [join(ROOT, 'web/server/server.js'), '--port', '0', '--public', join(tmp, 'no-public'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r = { child, out: '', err: '', url: '', exit: new Promise((res) => child.on('exit', (code, signal) => res({ code, signal }))) };
  child.stdout.on('data', (d) => { r.out += d; });
  child.stderr.on('data', (d) => { r.err += d; });
  const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)\//;
  // a relay that recovers a large log starts in ~10 s on a loaded CI machine: 10 s was flaky
  await until(() => listening.test(r.out), 30000, `the server's URL (stderr: ${r.err})`);
  r.url = /** @type {RegExpExecArray} */ (listening.exec(r.out))[1];
  return r;
}

/** Every snapshot a server holds, via catch-up from the beginning of time: Map ts -> text. */
async function allSnapshots(url) {
  const out = new Map();
  let since = '1970-01-01T00:00:00Z';
  for (;;) {
    const res = await fetch(`${url}/api/v1/snapshots?since=${encodeURIComponent(since)}&limit=2016`);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const body = JSON.parse(text);
    // Split the page back into each snapshot's exact text: they are joined with ",".
    const inner = text.slice('{"snapshots":['.length, text.lastIndexOf('],"more":'));
    const parts = inner ? inner.split(/,(?=\{"schema":)/) : [];
    assert.equal(parts.length, body.snapshots.length);
    body.snapshots.forEach((s, i) => out.set(s.ts, parts[i]));
    if (!body.more || !body.snapshots.length) break;
    since = body.snapshots.at(-1).ts;
  }
  return out;
}

test('relay: SIGKILL in the middle of a write burst loses no snapshot a client received, corrupts nothing', async () => {
  const net = networkDoc(300);
  const step_ms = 30000; // a 30-s feed, starting 23 h ago (the relay backfills 24 h)
  const t0 = Math.floor(Date.now() / step_ms) * step_ms - 23 * 3600000;
  // The burst starts at the relay's first poll, not before: on a loaded machine the relay's own
  // start-up took seconds, the burst was over before the kill (and the upstream had nothing new
  // to offer after the restart).
  let started = 0;
  /** Snapshots the upstream has, up to `cap` (the burst's 2700; more once it comes back). */
  let cap = 2700;
  /** One new snapshot every 3 ms of real time: the relay writes all the time. */
  const available = () => (started ? Math.min(cap, Math.floor((Date.now() - started) / 3)) : 0);
  let mode = 'ok';
  const upstream = createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (mode === 'down') { res.statusCode = 503; return res.end('{}'); }
    res.setHeader('content-type', 'application/json');
    if (u.pathname === '/api/v1/network') return res.end(JSON.stringify(net));
    if (u.pathname === '/api/v1/snapshots') {
      started ||= Date.now();
      const since = Date.parse(u.searchParams.get('since'));
      const limit = Number(u.searchParams.get('limit'));
      const first = Math.max(0, Math.floor((since - t0) / step_ms) + 1);
      const last = available();
      const ks = [];
      for (let k = first; k <= last && ks.length < limit; k++) ks.push(k);
      return res.end(JSON.stringify({ snapshots: ks.map((k) => snapshotDoc(net, t0, k, step_ms)), more: ks.length > 0 && ks.at(-1) < last }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const upUrl = `http://127.0.0.1:${upstream.address().port}/`;
  const logDir = join(tmp, 'relay-kill-log');
  const args = ['--upstream', upUrl, '--poll-ms', '5', '--log', logDir, '--rate-limit', '0'];

  let relay = await spawnServer(args);
  /** Everything any client received: ts -> exact snapshot text. */
  const received = new Map();
  let stop = false;
  const note = (/** @type {string} */ text) => {
    const ts = JSON.parse(text).ts;
    const prev = received.get(ts);
    if (prev !== undefined) assert.equal(prev, text, `${ts}: two different texts`);
    received.set(ts, text);
  };
  const latestLoop = (async () => {
    while (!stop) {
      try {
        const r = await fetch(`${relay.url}/api/v1/snapshot/latest`);
        if (r.status === 200) note(await r.text());
      } catch { /* killed */ }
    }
  })();
  const catchupLoop = (async () => {
    let since = '1970-01-01T00:00:00Z';
    while (!stop) {
      try {
        const r = await fetch(`${relay.url}/api/v1/snapshots?since=${encodeURIComponent(since)}&limit=50`);
        if (r.status !== 200) continue;
        const text = await r.text();
        const inner = text.slice('{"snapshots":['.length, text.lastIndexOf('],"more":'));
        const parts = inner ? inner.split(/,(?=\{"schema":)/) : [];
        for (const p of parts) note(p);
        if (parts.length) since = JSON.parse(parts.at(-1)).ts;
      } catch { /* killed */ }
    }
  })();
  const streamLoop = (async () => {
    try {
      const res = await fetch(`${relay.url}/api/v1/stream`);
      const dec = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const data = /^data: (.*)$/m.exec(buf.slice(0, i));
          buf = buf.slice(i + 2);
          if (data && data[1].startsWith('{"schema"')) note(data[1]);
        }
      }
    } catch { /* killed */ }
  })();
  // Let the burst run, then kill the relay without warning.
  await until(() => received.size >= 150, 15000, 'clients to receive snapshots');
  await sleep(150 + Math.random() * 200);
  relay.child.kill('SIGKILL');
  const killed = await relay.exit;
  stop = true;
  await Promise.all([latestLoop, catchupLoop, streamLoop]);
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(received.size >= 150, `received ${received.size}`);

  // Restart with the upstream down: everything comes from the log.
  mode = 'down';
  relay = await spawnServer(args);
  try {
    const recovered = await allSnapshots(relay.url);
    for (const [ts, text] of received) {
      assert.ok(recovered.has(ts), `${ts} was served before the kill and is gone`);
      assert.equal(recovered.get(ts), text, `${ts}: same bytes after recovery`);
    }
    // Nothing corrupted: consecutive 5-minute snapshots from the start, each exactly as generated.
    const tss = [...recovered.keys()].map(Date.parse);
    for (let i = 1; i < tss.length; i++) assert.equal(tss[i] - tss[i - 1], step_ms, 'no gaps, in order');
    let i = 0;
    for (const text of recovered.values()) {
      const snap = JSON.parse(text);
      const k = Math.round((Date.parse(snap.ts) - t0) / step_ms);
      if (i++ % 25 === 0) assert.deepEqual(snap.readings[7], snapshotDoc(net, t0, k, step_ms).readings[7]);
    }
    const latest = await (await fetch(`${relay.url}/api/v1/snapshot/latest`)).json();
    assert.equal(Date.parse(latest.ts), tss.at(-1));
    const h = await (await fetch(`${relay.url}/healthz`)).json();
    assert.equal(h.status, 'degraded', 'upstream down');
    assert.equal(h.log.records, recovered.size);
    const hist = await (await fetch(`${relay.url}/api/v1/history?hours=2`)).json();
    // the history's rows are the engine's 5-minute slots (the means of the 30-s snapshots in
    // each), so it ends with the slot holding the latest snapshot, not at the snapshot itself
    assert.equal(Date.parse(hist.end), Math.ceil(Date.parse(latest.ts) / 300000) * 300000);
    console.log(`# received ${received.size} snapshots before SIGKILL; ${recovered.size} recovered (${h.log.bytes} bytes), dropped tail ${h.log.recovered.dropped_bytes} bytes`);

    // The upstream comes back: the relay resumes after its log's latest, without a gap.
    cap = 2750; // up to the present (t0 is 23 h ago, 30-s steps: 2760 is now)
    mode = 'ok';
    await until(async () => (await (await fetch(`${relay.url}/healthz`)).json()).log.records > recovered.size + 20, 10000, 'new snapshots');
    const after = await allSnapshots(relay.url);
    const all = [...after.keys()].map(Date.parse);
    for (let j = 1; j < all.length; j++) assert.equal(all[j] - all[j - 1], step_ms);
  } finally {
    relay.child.kill('SIGKILL');
    await relay.exit;
    await new Promise((r) => upstream.close(r));
  }
});

/** A store with n entries of `net` in a fresh log folder; returns the folder. */
function makeLog(name, net, n, t0 = Date.parse('2026-11-24T08:00:00Z')) {
  const dir = join(tmp, name);
  const network = loadNetwork(net);
  const store = new DurableStore(network, { dir });
  store.appendMany(Array.from({ length: n }, (_, k) => snapshotToEntry(snapshotDoc(net, t0, k), network).entry));
  store.close();
  return { dir, network, t0 };
}

test('log: a corrupt record in the middle costs that record only; the records after it are kept, the file repaired (issue 19)', () => {
  const net = networkDoc(20);
  const { dir, network, t0 } = makeLog('corrupt-middle', net, 8);
  const file = join(dir, LOG_FILE);
  const bytes = readFileSync(file);
  const probe = new DurableStore(network, { dir });
  const recs = probe.log.records.map((r) => ({ ...r }));
  const payloads = recs.map((r) => probe.log.payload(r));
  probe.close();
  /** @type {Record<string, [(b: Buffer) => void, number[]]>} what is done to the file, and which records that costs */
  const damage = {
    'one flipped bit in the payload of record 2': [(b) => { b[recs[2].offset + 16 + 40] ^= 0x04; }, [2]],
    'one flipped bit in the timestamp of record 6': [(b) => { b[recs[6].offset + 9] ^= 0x01; }, [6]],
    'the length of record 3 made huge': [(b) => { b.writeUInt32LE(0x7fffffff, recs[3].offset); }, [3]],
    'the length of record 3 made shorter': [(b) => { b.writeUInt32LE(recs[3].length - 100, recs[3].offset); }, [3]],
    'records 1 and 5 damaged': [(b) => { b[recs[1].offset + 5] ^= 0x10; b[recs[5].offset + 16 + 10] ^= 0x80; }, [1, 5]],
    'the first record damaged': [(b) => { b[recs[0].offset + 20] ^= 0x02; }, [0]],
  };
  for (const [what, [apply, lost]] of Object.entries(damage)) {
    const b = Buffer.from(bytes);
    apply(b);
    writeFileSync(file, b);
    for (const f of readdirSync(dir)) if (/\.(tail|corrupt)-/.test(f)) rmSync(join(dir, f));
    const store = new DurableStore(network, { dir });
    const kept = recs.map((_, i) => i).filter((i) => !lost.includes(i));
    assert.deepEqual(store.log.records.map((r) => store.log.payload(r)), kept.map((i) => payloads[i]), `${what}: every other record kept, in order`);
    assert.equal(store.size, kept.length, what);
    assert.equal(store.log.recovered.dropped_bytes, 0, `${what}: nothing cut off the end`);
    assert.equal(store.log.recovered.skipped, lost.length, what);
    const lostBytes = lost.reduce((n, i) => n + 16 + recs[i].length, 0);
    assert.equal(store.log.recovered.skipped_bytes, lostBytes, what);
    const aside = /** @type {string} */ (store.log.recovered.corrupt_file);
    assert.equal(statSync(aside).size, lostBytes, `${what}: the damaged bytes are kept aside`);
    assert.equal(statSync(file).size, bytes.length - lostBytes, `${what}: the file rewritten without them`);
    // appends continue after the repaired file, which reopens clean
    assert.equal(store.appendMany([snapshotToEntry(snapshotDoc(net, t0, 8), network).entry]), 1);
    store.close();
    const again = new DurableStore(network, { dir });
    assert.equal(again.size, kept.length + 1, `${what}: reopened`);
    assert.equal(again.log.recovered.skipped + again.log.recovered.dropped_bytes, 0, `${what}: nothing more to repair`);
    again.close();
  }
});

test('log: a --capacity smaller than the log hides nothing: catch-up reads the older records from the log (issue 19)', async () => {
  const net = networkDoc(20);
  const { dir, network } = makeLog('capacity', net, 8);
  const full = new DurableStore(network, { dir });
  const texts = full.log.records.map((r) => full.log.payload(r));
  full.close();
  const store = new DurableStore(network, { dir, capacity: 3 });
  try {
    assert.equal(store.size, 3, 'the ring holds the newest 3');
    const all = store.after(-Infinity, 100);
    assert.equal(all.more, false);
    assert.deepEqual(all.entries.map((e) => store.payloadText(e)), texts, 'all 8, oldest first, each as stored');
    assert.deepEqual(all.entries.map((e) => e.ts), texts.map((t) => JSON.parse(t).ts));
    const page = store.after(-Infinity, 5);
    assert.equal(page.entries.length, 5);
    assert.equal(page.more, true);
    assert.deepEqual(store.after(page.entries[4].ts_ms, 100).entries.map((e) => store.payload(e).json), texts.slice(5));
  } finally {
    store.close();
  }
  // through the server (directory mode, no snapshot files, the log of 8 and a ring of 3)
  const snapDir = join(tmp, 'capacity-dir');
  mkdirSync(snapDir);
  writeFileSync(join(snapDir, 'network.json'), JSON.stringify(net));
  const app = await buildServer({ dir: snapDir, log_dir: dir, capacity: 3, public: null });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const got = await allSnapshots(`http://127.0.0.1:${app.server.address().port}`);
    assert.deepEqual([...got.values()], texts, 'a catch-up page from the beginning has every record the log keeps');
  } finally {
    await app.close();
  }
});

test('log: a torn or garbage tail is cut off (and kept aside); the good records are served', async () => {
  const net = networkDoc(20);
  const { dir, network, t0 } = makeLog('torn-base', net, 6);
  const file = join(dir, LOG_FILE);
  const good = statSync(file).size;
  const bytes = readFileSync(file);
  const lastLen = good - new DurableStore(network, { dir }).log.records[5].offset;
  const damage = {
    'half a header': () => appendFileSync(file, Buffer.from([1, 2, 3, 4, 5])),
    'torn last record': () => truncateSync(file, good - Math.floor(lastLen / 2)),
    'bad checksum in the last record': () => { const b = Buffer.from(bytes); b[good - 10] ^= 0x20; writeFileSync(file, b); },
    'garbage after the records': () => appendFileSync(file, Buffer.from('\x7f\x00\x00\x00garbage garbage garbage garbage garbage')),
    'a valid record going back in time': () => {
      const json = '{"old":true}';
      const rec = Buffer.alloc(16 + json.length);
      rec.writeUInt32LE(json.length, 0);
      rec.writeDoubleLE(t0 - STEP_MS, 8);
      rec.write(json, 16);
      rec.writeUInt32LE(crc32(rec.subarray(8)), 4);
      appendFileSync(file, rec);
    },
  };
  for (const [what, apply] of Object.entries(damage)) {
    writeFileSync(file, bytes);
    for (const f of readdirSync(dir)) if (f.includes('.tail-')) rmSync(join(dir, f));
    apply();
    const expected = what === 'torn last record' || what.startsWith('bad checksum') ? 5 : 6;
    const store = new DurableStore(network, { dir });
    assert.equal(store.size, expected, what);
    assert.equal(statSync(file).size, expected === 6 ? good : good - lastLen, `${what}: truncated to the good prefix`);
    assert.ok(store.log.recovered.dropped_bytes > 0, what);
    assert.ok(existsSync(store.log.recovered.tail_file), `${what}: the dropped bytes are kept aside`);
    // Appends continue after the good prefix, and survive the next recovery.
    assert.equal(store.appendMany([snapshotToEntry(snapshotDoc(net, t0, 6), network).entry]), 1);
    store.close();
    const again = new DurableStore(network, { dir });
    assert.equal(again.size, expected + 1, `${what}: reopened`);
    assert.equal(again.log.recovered.dropped_bytes, 0);
    again.close();
  }

  // Another live process's log is refused (two writers would interleave records).
  writeFileSync(join(dir, 'writer.pid'), String(process.ppid));
  assert.throws(() => new DurableStore(network, { dir }), /in use by process/);
  rmSync(join(dir, 'writer.pid'));

  // A file that is not a log at all is set aside, and a fresh log started.
  writeFileSync(file, 'hello, I am not a log');
  const fresh = new DurableStore(network, { dir });
  assert.equal(fresh.size, 0);
  assert.ok(fresh.log.recovered.tail_file);
  fresh.close();

  // Through the server (directory mode, no snapshot files): a damaged log is served after recovery.
  writeFileSync(file, bytes);
  appendFileSync(file, Buffer.from('torn'));
  const snapDir = join(tmp, 'torn-dir');
  mkdirSync(snapDir);
  writeFileSync(join(snapDir, 'network.json'), JSON.stringify(net));
  const app = await buildServer({ dir: snapDir, log_dir: dir, public: null });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${app.server.address().port}`;
  try {
    const got = await allSnapshots(url);
    assert.equal(got.size, 6);
    const latest = await (await fetch(`${url}/api/v1/snapshot/latest`)).json();
    assert.equal(Date.parse(latest.ts), t0 + 5 * STEP_MS);
    assert.deepEqual(latest.readings[3], snapshotDoc(net, t0, 5).readings[3]);
    const h = await (await fetch(`${url}/healthz`)).json();
    assert.equal(h.log.recovered.dropped_bytes, 4);
  } finally {
    await app.close();
  }
});

test('directory mode: served snapshots survive a restart even when their files are gone', async () => {
  const net = networkDoc(10);
  const dir = join(tmp, 'dir-restart');
  mkdirSync(dir);
  writeFileSync(join(dir, 'network.json'), JSON.stringify(net));
  const t0 = Date.parse('2026-11-24T08:00:00Z');
  for (let k = 0; k < 5; k++) writeFileSync(join(dir, `s${k}.json`), JSON.stringify(snapshotDoc(net, t0, k)));
  const start = async () => {
    const app = await buildServer({ dir, scan_ms: 30, public: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, url: `http://127.0.0.1:${app.server.address().port}` };
  };
  let s = await start();
  const before = await allSnapshots(s.url);
  assert.equal(before.size, 5);
  assert.ok(existsSync(join(dir, '.flowcast-log', LOG_FILE)), 'the default log folder is DIR/.flowcast-log');
  await s.app.close();
  for (let k = 0; k < 5; k++) rmSync(join(dir, `s${k}.json`));
  writeFileSync(join(dir, 's5.json'), JSON.stringify(snapshotDoc(net, t0, 5)));
  s = await start();
  try {
    const got = await allSnapshots(s.url);
    assert.equal(got.size, 6);
    for (const [ts, text] of before) assert.equal(got.get(ts), text);
  } finally {
    await s.app.close();
  }
});

test('retention: compaction drops expired records without blocking requests or losing appends', async () => {
  const net = networkDoc(1200); // ~90 KB a record
  const n = 300;
  const { dir, network, t0 } = makeLog('compact', net, n);
  const file = join(dir, LOG_FILE);
  const size0 = statSync(file).size;
  const snapDir = join(tmp, 'compact-dir');
  mkdirSync(snapDir);
  writeFileSync(join(snapDir, 'network.json'), JSON.stringify(net));
  const app = await buildServer({ dir: snapDir, log_dir: dir, retention_days: 365, capacity: 4032, public: null, rate_limit: 0 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${app.server.address().port}`;
  const store = /** @type {any} */ (app).flowcast.source.store;
  try {
    assert.equal(store.size, n);
    // Keep the last 100 records (retention measured back from the latest snapshot).
    store.retention_ms = 99 * STEP_MS;
    let stop = false;
    const latencies = [];
    const load = (async () => {
      while (!stop) {
        const t = performance.now();
        const r = await fetch(`${url}/api/v1/snapshot/latest`);
        await r.arrayBuffer();
        assert.equal(r.status, 200);
        latencies.push(performance.now() - t);
      }
    })();
    await sleep(50);
    const t = performance.now();
    const compaction = store.compact();
    // Appended while the copy runs: must be in the compacted file.
    assert.equal(store.appendMany([snapshotToEntry(snapshotDoc(net, t0, n), network).entry]), 1);
    const dropped = await compaction;
    const took = performance.now() - t;
    await sleep(50);
    stop = true;
    await load;
    assert.equal(dropped, n - 100, 'records older than the retention window');
    assert.equal(store.log.compactions, 1);
    assert.ok(statSync(file).size < size0 / 2, 'the file shrank');
    assert.ok(!existsSync(`${file}.compact`));
    const served = await allSnapshots(url);
    assert.equal(served.size, 101);
    assert.equal(Date.parse([...served.keys()][0]), t0 + (n - 100) * STEP_MS);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)];
    console.log(`# compaction of ${(size0 / 1e6).toFixed(1)} MB: ${took.toFixed(0)} ms; ${latencies.length} requests meanwhile, p99 ${p99.toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`);
    assert.ok(latencies.length >= 5, 'requests were answered during compaction');
    assert.ok(latencies.at(-1) < 500, `no request waited on the compaction (max ${latencies.at(-1)} ms)`);
  } finally {
    await app.close();
  }
  // The compacted log recovers to the same content, including the record appended during the copy.
  const again = new DurableStore(network, { dir, retention_days: 365 });
  assert.equal(again.size, 101);
  assert.equal(again.latest().ts_ms, t0 + n * STEP_MS);
  assert.equal(again.log.recovered.dropped_bytes, 0);
  again.close();
});
