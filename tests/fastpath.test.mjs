// The fast snapshot parser against the cJSON reference, over wasm: every fixture and thousands
// of generated and mutated snapshots go through three engines (parser 'cjson', 'auto', 'fast').
// 'auto' must give exactly the reference's answer (status, code, message, counts, digest);
// 'fast' must give the same answer or E_UNSUPPORTED with its state unchanged.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPredictor } from 'flowcast';
import { tinyNetwork, gridNetwork, fullSnapshot } from './fixtures/networks.mjs';
import { rejectCases, dropCases, snapshotWith, LAST_TS } from './fixtures/bad-snapshots.mjs';
import { rng } from './fixtures/rng.mjs';
import { loadNetwork, serialiseSnapshot, snapshotToEntry } from '../web/server/formats.js';

const builds = {
  release: new URL('../public/flowcast.wasm', import.meta.url),
  debug: new URL('../public/flowcast-debug.wasm', import.meta.url),
};

/**
 * Three engines on one network, kept in step.
 * @param {URL} wasmUrl
 * @param {object} network
 */
async function trio(wasmUrl, network) {
  const make = (/** @type {string} */ parser) => createPredictor({ network, wasmUrl, config: { historyS: 86400, parser } });
  const [ref, auto, fast] = await Promise.all([make('cjson'), make('auto'), make('fast')]);
  const counts = { cases: 0, fastDecided: 0, fastAccepted: 0, rejected: 0 };
  /** @param {string | Uint8Array} input */
  function ingest(input) {
    const fastBefore = fast.digest();
    const r1 = ref.ingest(input), r2 = auto.ingest(input), r3 = fast.ingest(input);
    counts.cases++;
    if (!r1.ok) counts.rejected++;
    const show = typeof input === 'string' ? input.slice(0, 400) : `${input.length} bytes`;
    assert.deepEqual(r2, r1, `auto differs from cjson on ${show}`);
    assert.equal(auto.digest(), ref.digest(), `auto state differs on ${show}`);
    if (!r3.ok && r3.code === 'E_UNSUPPORTED') {
      assert.equal(fast.digest(), fastBefore, 'an undecided input changed the fast engine');
      // keep the fast-only engine's clock in step with the others
      if (r1.ok) assert.equal(fast.ingestValues(r1.ts, new Float32Array(fast.sensorCount).fill(NaN)).ok, true);
    } else {
      counts.fastDecided++;
      if (r3.ok) counts.fastAccepted++;
      assert.deepEqual(r3, r1, `fast differs from cjson on ${show}`);
    }
    return { ref: r1, fast: r3 };
  }
  const dispose = () => [ref, auto, fast].forEach((p) => p.dispose());
  return { ingest, counts, dispose };
}

// ---- a generator of snapshots, valid and broken, with a seeded PRNG (failures reproduce) ----

function generator(seed) {
  const rand = rng(seed);
  const below = (/** @type {number} */ n) => Math.floor(rand() * n);
  const pick = (/** @type {any[]} */ a) => a[below(a.length)];
  const ws = () => (below(8) === 0 ? pick([' ', '\n', '\r\n', '\t', '   ']) : '');
  const digits = (/** @type {number} */ n) => Array.from({ length: n }, () => below(10)).join('');
  function number() {
    const sign = below(4) === 0 ? '-' : '';
    const int = below(6) === 0 ? '0' : String(1 + below(9)) + digits(below(5) === 0 ? below(22) : below(3));
    const frac = below(3) === 0 ? '' : `.${'0'.repeat(below(4) === 0 ? below(10) : 0)}${digits(1 + (below(4) === 0 ? below(20) : below(4)))}`;
    const exp = below(4) === 0 ? `${pick(['e', 'E'])}${pick(['', '-', '+'])}${below(pick([3, 30, 330, 100000]))}` : '';
    return sign + int + frac + exp;
  }
  const plainNumber = () => pick([String(below(130)), (rand() * 130).toFixed(below(4)), String(rand() * 100),
    String(below(25000)), (rand()).toFixed(3), String(rand()), '0.30000000000000004', '-0', '1e400', '12e-1']);
  const strings = ['"x"', '""', '"a\\"b"', '"\\u00e9t\\u00E9"', '"café"', '"\\ud83d\\ude00"', '"tab\\there"', '"\\/\\\\"',
    '"\\u0000"', '"\\uZZZZ"', '"\\udc00"', '"raw\ttab"'];
  let clean = false;
  function value(depth = 0) {
    switch (below(depth > 3 ? 5 : clean ? 7 : 8)) {
      case 0: return 'null';
      case 1: return pick(['true', 'false']);
      case 2: return pick(clean ? strings.slice(0, 9) : strings);
      case 3: case 4: return number();
      case 5: case 6: {
        const obj = below(2) === 1;
        const items = Array.from({ length: below(4) }, () => `${ws()}${obj ? `${pick(strings.slice(0, 9))}:` : ''}${value(depth + 1)}${ws()}`);
        return obj ? `{${items.join(',')}}` : `[${items.join(',')}]`;
      }
      default: {
        const k = 30 + below(40);
        return '['.repeat(k) + ']'.repeat(k);
      }
    }
  }
  function reading() {
    if (below(20) === 0) return value(2);
    const keys = ['"id"', '"speed_mph"', '"volume_vph"', '"occupancy"', '"quality"', '"lane_speeds"', '"speed\\u005fmph"', '"note"'];
    const members = [];
    for (let i = 0, n = 1 + below(6); i < n; i++) {
      const k = i === 0 && below(8) ? 0 : below(clean ? 6 : 8);
      let v;
      if (k === 0) v = below(10) < 8 ? pick(['"A"', '"B"', '"C"', '"D"']) : pick(clean ? ['"nope"', '7'] : ['"nope"', '"\\u0041"', '7', '"A "']);
      else if (k <= 3 && below(5)) v = below(3) || clean ? plainNumber() : number();
      else if (k === 4 && below(2)) v = String(below(300));
      else v = value(3);
      members.push(`${ws()}${keys[k]}${ws()}:${ws()}${v}${ws()}`);
    }
    return `{${members.join(',')}}`;
  }
  /** @param {string} ts */
  function snapshot(ts) {
    clean = below(2) === 1;
    const members = [
      () => (below(30) || clean ? '"schema":"flowcast.snapshot/1"' : '"schema":"flowcast.snapshot\\/1"'),
      () => (below(30) || clean ? '"network":"test-net"' : pick(['"network":"other"', '"network":5'])),
      () => `"ts":"${ts}"`,
      () => (below(10) ? '"interval_s":300' : '"interval_s":"5m"'),
      () => `"readings":${ws()}[${Array.from({ length: below(8) }, () => `${ws()}${reading()}${ws()}`).join(',')}]`,
      () => `${below(2) || clean ? '"extra"' : '"\\u0065xtra"'}:${value(1)}`,
    ];
    const order = members.map((m, i) => [rand(), m]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    if (below(10) === 0) order.push(pick(members.slice(0, 5))); // a duplicated known key
    const parts = order.filter(() => below(25) !== 0).map((m) => `${ws()}${m()}${ws()}`);
    return `${ws()}{${parts.join(',')}}${ws()}`;
  }
  /** @param {string} s */
  function mutate(s) {
    if (!s.length) return s;
    const at = below(s.length);
    switch (below(4)) {
      case 0: return s.slice(0, at);
      case 1: return s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ (1 << below(7))) + s.slice(at + 1);
      case 2: return s.slice(0, at) + pick(['{', '}', '[', ']', ',', ':', '"', '\\', '0', '-', 'e', '.', ' ', '\u0001', 'é']) + s.slice(at + 1);
      default: return s.slice(0, at) + s.slice(at + 1);
    }
  }
  return { snapshot, mutate, below };
}

const iso = (/** @type {number} */ ms, /** @type {boolean} */ zone = true) => new Date(ms).toISOString().replace('.000Z', zone ? 'Z' : '');

for (const [build, wasmUrl] of Object.entries(builds)) {
  describe(`fast parser vs cJSON (${build} build)`, () => {
    test('every fixture: same code, message, counts and digest', async () => {
      const t = await trio(wasmUrl, tinyNetwork);
      t.ingest(JSON.stringify({ schema: 'flowcast.snapshot/1', network: 'test-net', ts: LAST_TS,
        readings: [{ id: 'A', speed_mph: 61.5, volume_vph: 1200, occupancy: 0.07 }, { id: 'B', speed_mph: 42 }] }));
      const decided = [];
      for (const c of rejectCases) {
        const { ref, fast } = t.ingest(c.payload);
        assert.equal(ref.code, c.code, c.name);
        if (fast.ok || fast.code !== 'E_UNSUPPORTED') decided.push(c.code);
      }
      // the semantic rejections are decided by the fast path itself, syntax and encoding never
      for (const code of ['E_SCHEMA', 'E_NETWORK_ID', 'E_TIMESTAMP', 'E_TS_ORDER', 'E_TS_AHEAD', 'E_FIELD']) {
        assert.ok(decided.includes(code), `the fast path decided no ${code} case`);
      }
      assert.ok(!decided.includes('E_JSON') && !decided.includes('E_ENCODING'));
      let ts = Date.parse(LAST_TS);
      for (const c of dropCases) {
        ts += 30_000;
        const text = snapshotWith(c.readings).replace(/"ts":"[^"]*"/, `"ts":"${iso(ts)}"`);
        const { ref, fast } = t.ingest(text);
        assert.deepEqual({ accepted: ref.accepted, dropped: ref.dropped, missing: ref.missing },
          { accepted: c.accepted, dropped: c.dropped, missing: c.missing }, c.name);
        // cases marked `fallback` are outside the fast subset by design (escapes, exotic numbers):
        // the reference decides them, and the comparison above proves the answers agree
        if (!c.fallback) assert.equal(fast.ok, true, `${c.name}: the fast path did not decide it (${fast.message})`);
      }
      t.dispose();
    });

    test('full snapshots of a 1,000-sensor network, minified and pretty-printed', async () => {
      const net = gridNetwork(1000);
      const t = await trio(wasmUrl, net);
      let ts = Date.parse('2026-11-25T13:00:00Z');
      for (const indent of [undefined, 2, '\t']) {
        ts += 300_000;
        const { fast } = t.ingest(JSON.stringify(fullSnapshot(net, iso(ts)), null, indent));
        assert.equal(fast.ok, true, fast.message);
        assert.equal(fast.accepted, 1000);
      }
      t.dispose();
    });

    test('thousands of generated and mutated snapshots', async () => {
      const t = await trio(wasmUrl, tinyNetwork);
      const g = generator(build === 'release' ? 7 : 8);
      let last = Date.parse(LAST_TS);
      const n = build === 'release' ? 10000 : 3000;
      for (let i = 0; i < n; i++) {
        const k = g.below(40);
        const when = k === 0 ? last - 600_000 : k === 1 ? last + 8 * 86400_000 : last + 30_000;
        let s = g.snapshot(iso(when, k !== 2));
        if (i % 3 === 2) s = g.mutate(s);
        const { ref } = t.ingest(i % 5 === 4 ? new TextEncoder().encode(s) : s);
        if (ref.ok) last = ref.ts;
      }
      const c = t.counts;
      console.log(`# ${build}: ${c.cases} differential cases, ${c.fastDecided} decided by the fast path (${c.fastAccepted} accepted), ${c.rejected} rejected by cJSON`);
      assert.ok(c.fastDecided > c.cases / 3, JSON.stringify(c));
      assert.ok(c.fastAccepted > c.cases / 5, JSON.stringify(c));
      t.dispose();
    });
  });
}

test('an unknown parser name is a config error', async () => {
  await assert.rejects(createPredictor({ network: tinyNetwork, config: { parser: 'simd' } }), { code: 'E_RANGE' });
  await assert.rejects(createPredictor({ network: tinyNetwork, config: { parser: 'toString' } }), { code: 'E_RANGE' });
});

// The feed the page actually reads: the flowcast server writes `quality` only when it is not 0
// and null for a missing value. The fast parser's literal shortcut must take those readings
// (all but possibly the last, which lacks the shortcut's read-ahead slack), and the committed
// state must be the reference's.
test('the flowcast server\'s snapshots take the fast parser\'s literal shortcut', async () => {
  const network = gridNetwork(200);
  const net = loadNetwork(network, JSON.stringify(network));
  const doc = fullSnapshot(network, '2026-11-25T13:00:00Z');
  doc.readings.forEach((/** @type {any} */ r, /** @type {number} */ i) => {
    r.quality = i % 7 === 0 ? 2 : 0;
    if (i % 11 === 0) r.speed_mph = null;
  });
  const text = serialiseSnapshot(snapshotToEntry(doc, net).entry, net);
  assert.match(text, /"occupancy":[\d.]+\},/, 'readings without quality');
  assert.match(text, /"quality":2\}/, 'and with it');
  assert.match(text, /"speed_mph":null/);
  const ref = await createPredictor({ network, config: { historyS: 86400, parser: 'cjson' } });
  const auto = await createPredictor({ network, config: { historyS: 86400 } });
  assert.equal(ref.ingest(text).ok, true);
  assert.equal(auto.ingest(text).ok, true);
  assert.equal(auto.digest(), ref.digest());
  const c = auto.stats().counters;
  assert.equal(c.fastParses, 1);
  assert.ok(c.canonicalReadings >= 199 && c.canonicalReadings <= 200, `${c.canonicalReadings} readings took the shortcut`);
  // pretty-printed, the same snapshot takes the general member loop: same state, no shortcut
  const pretty = await createPredictor({ network, config: { historyS: 86400 } });
  assert.equal(pretty.ingest(JSON.stringify(JSON.parse(text), null, 1)).ok, true);
  assert.equal(pretty.digest(), ref.digest());
  assert.equal(pretty.stats().counters.canonicalReadings, 0);
  for (const p of [ref, auto, pretty]) p.dispose();
});
