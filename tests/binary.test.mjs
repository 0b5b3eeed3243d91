// The binary snapshot encoding (FCSNAP1, c/src/ingest_bin.h): the same snapshot as canonical
// JSON and as binary commits the same state (digest) with the same result; every malformed
// binary is refused with its code and leaves the state untouched; the feed server negotiates it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPredictor } from 'flowcast';
import { encodeSnapshotBinary, loadNetwork, serialiseSnapshot, emptyEntry, SNAPSHOT_BINARY_TYPE } from '../web/server/formats.js';
import { buildServer } from '../web/server/server.js';

const N = 300;
const doc = {
  schema: 'flowcast.network/1', id: 'bin-net', timezone: 'America/New_York', interval_s: 300,
  sensors: Array.from({ length: N }, (_, k) => ({ id: `B${k}`, lat: 33 + k / 1000, lon: -84, road: 'I-75', direction: 'N',
    milepost: k / 2, lanes: 4, speed_limit_mph: 65 })),
  corridors: [{ id: 'I75-N', road: 'I-75', direction: 'N', sensors: Array.from({ length: N }, (_, k) => `B${k}`) }],
};
const net = loadNetwork(doc, JSON.stringify(doc));
const T0 = Date.parse('2026-11-24T06:00:00-05:00');

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Entry k of a stream: values at arbitrary precision (the encoders round them), nulls, values
 * just above the engine's limits (dropped), quality bits; several snapshots per 5-minute slot.
 * @param {number} k
 * @param {() => number} r
 */
function entry(k, r) {
  const ts = T0 + k * 60_000; // every minute: five per slot, averaged by the engine
  const e = emptyEntry(N, ts, net.tz.iso(ts), 60);
  for (let i = 0; i < N; i++) {
    const u = r();
    if (u < 0.05) continue; // all null
    e.speed[i] = u < 0.07 ? 120.004 + r() : u < 0.1 ? NaN : r() * 80; // some just above 120 mph
    e.volume[i] = r() < 0.05 ? NaN : r() < 0.01 ? 20000.7 : r() * 3000;
    e.occupancy[i] = r() < 0.05 ? NaN : r() < 0.01 ? 1.00006 : r() * 0.4;
    e.quality[i] = r() < 0.1 ? Math.floor(r() * 8) : 0;
  }
  return e;
}

test('the same snapshots as JSON and as binary: identical results and state digests after each', async () => {
  const json = await createPredictor({ network: doc });
  const bin = await createPredictor({ network: doc });
  const r = rng(99);
  try {
    let dropped = 0;
    for (let k = 0; k < 40; k++) {
      const e = entry(k, r);
      const a = json.ingest(serialiseSnapshot(e, net));
      const b = bin.ingestBinary(encodeSnapshotBinary(e, net));
      assert.deepEqual(b, a, `snapshot ${k}`);
      assert.equal(a.ok, true);
      dropped += /** @type {any} */ (a).dropped;
      assert.equal(bin.digest(), json.digest(), `digest after snapshot ${k}`);
    }
    assert.ok(dropped > 100, `the stream exercises dropped readings (${dropped})`);
    assert.deepEqual(bin.latest(), json.latest());
  } finally {
    json.dispose();
    bin.dispose();
  }
});

test('malformed binary snapshots: each refused with its code and message, the state untouched', async () => {
  const p = await createPredictor({ network: doc, config: { maxAheadS: 86400 } });
  try {
    const first = encodeSnapshotBinary(entry(10, rng(1)), net);
    assert.equal(p.ingestBinary(first).ok, true);
    const digest = p.digest();
    const good = encodeSnapshotBinary(entry(11, rng(2)), net);
    /** @param {(b: Buffer) => Buffer | Uint8Array} mutate */
    const variant = (mutate) => mutate(Buffer.from(good));
    const cases = /** @type {[string, Buffer | Uint8Array, string, RegExp][]} */ ([
      ['empty', Buffer.alloc(0), 'E_FIELD', /too short/],
      ['header only, cut', good.subarray(0, 50), 'E_FIELD', /too short/],
      ['bad magic', variant((b) => { b[0] = 0x7b; return b; }), 'E_SCHEMA', /bad magic/],
      ['JSON text', Buffer.from(serialiseSnapshot(entry(11, rng(2)), net)), 'E_SCHEMA', /bad magic/],
      ['version 2', variant((b) => { b.writeUInt32LE(2, 8); return b; }), 'E_SCHEMA', /format version 2/],
      ['header size', variant((b) => { b.writeUInt32LE(64, 12); return b; }), 'E_FIELD', /header size/],
      ['another network', variant((b) => { b.write('other', 32, 'latin1'); return b; }), 'E_NETWORK_ID', /network "other-net"|network "other/],
      ['id not NUL-padded', variant((b) => { b[32 + 40] = 0x41; return b; }), 'E_FIELD', /NUL-padded/],
      ['id of 64 bytes', variant((b) => { b.fill(0x41, 32, 96); return b; }), 'E_FIELD', /NUL/],
      ['sensor count', variant((b) => { b.writeUInt32LE(N + 1, 24); return b; }), 'E_FIELD', /301 sensors, the network has 300/],
      ['interval', variant((b) => { b.writeUInt32LE(90000, 28); return b; }), 'E_FIELD', /interval_s/],
      ['one byte short', good.subarray(0, good.length - 1), 'E_FIELD', /bytes, 300 sensors need 2196/],
      ['one byte long', Buffer.concat([good, Buffer.alloc(1)]), 'E_FIELD', /2197 bytes/],
      ['not after the last', encodeSnapshotBinary(entry(10, rng(3)), net), 'E_TS_ORDER', /not after/],
      ['before 1970', variant((b) => { b.writeBigInt64LE(-1n, 16); return b; }), 'E_TIMESTAMP', /out of range/],
      ['far ahead', variant((b) => { b.writeBigInt64LE(BigInt(T0 + 3 * 86400_000), 16); return b; }), 'E_TS_AHEAD', /limit 86400 s/],
    ]);
    for (const [name, bytes, code, message] of cases) {
      const res = /** @type {any} */ (p.ingestBinary(bytes));
      assert.equal(res.ok, false, name);
      assert.equal(res.code, code, `${name}: ${res.message}`);
      assert.match(res.message, message, name);
      assert.equal(p.digest(), digest, `${name}: state unchanged`);
    }
    const small = await createPredictor({ network: doc, config: { maxPayloadBytes: 2048 } });
    const big = /** @type {any} */ (small.ingestBinary(good));
    assert.equal(big.code, 'E_TOO_LARGE');
    small.dispose();
    // after all that, the good one goes in
    assert.equal(p.ingestBinary(good).ok, true);
    assert.notEqual(p.digest(), digest);
  } finally {
    p.dispose();
  }
});

test('the feed server: Accept: application/vnd.flowcast.snapshot gets the binary form of the latest snapshot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-bin-'));
  try {
    writeFileSync(join(dir, 'network.json'), JSON.stringify(doc));
    const e = entry(3, rng(5));
    writeFileSync(join(dir, 's1.json'), serialiseSnapshot(e, net));
    const app = await buildServer({ dir, public: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${app.server.address().port}/api/v1/snapshot/latest`;
    try {
      const j = await fetch(url);
      assert.equal(j.status, 200);
      assert.match(j.headers.get('content-type') ?? '', /application\/json/);
      assert.match(j.headers.get('vary') ?? '', /Accept/);
      const b = await fetch(url, { headers: { accept: SNAPSHOT_BINARY_TYPE } });
      assert.equal(b.status, 200);
      assert.equal(b.headers.get('content-type'), SNAPSHOT_BINARY_TYPE);
      assert.notEqual(b.headers.get('etag'), j.headers.get('etag'));
      const bytes = new Uint8Array(await b.arrayBuffer());
      assert.equal(bytes.length, 96 + 7 * N);
      const again = await fetch(url, { headers: { accept: SNAPSHOT_BINARY_TYPE, 'if-none-match': b.headers.get('etag') ?? '' } });
      assert.equal(again.status, 304);
      // both forms commit the same state
      const p1 = await createPredictor({ network: doc });
      const p2 = await createPredictor({ network: doc });
      assert.deepEqual(p2.ingestBinary(bytes), p1.ingest(await j.text()));
      assert.equal(p2.digest(), p1.digest());
      p1.dispose();
      p2.dispose();
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
