// The C LRU cache through its JavaScript handle (web/lru.js): values round-trip, eviction is
// least-recent-first, the caps hold, oversized values are refused, and the counters agree with
// a Map-based reference on a random workload. (The exhaustive model-based test is in C:
// tests/c/test_lru.c.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from '../web/lru.js';
import { FlowcastError } from 'flowcast';

test('LruCache: round trip, LRU order, caps, oversize values, dispose', async () => {
  const c = await LruCache.create({ maxEntries: 3, maxBytes: 3 * 16, chunkBytes: 16 });
  const bytes = (/** @type {string} */ s) => new TextEncoder().encode(s);
  c.set(1, bytes('one')).set(2, bytes('two')).set(3, bytes('three'));
  assert.deepEqual(c.get(1), bytes('one'));     // 1 is now the most recent
  c.set(4, bytes('four'));                       // evicts 2
  assert.equal(c.get(2), undefined);
  assert.deepEqual(c.get(3), bytes('three'));
  const out = new Uint8Array(8);
  assert.equal(c.read(4, out), 4);
  assert.deepEqual(out.subarray(0, 4), bytes('four'));
  assert.equal(c.read(99, out), -1);
  assert.throws(() => c.set(5, new Uint8Array(41)), (e) => e instanceof FlowcastError && e.code === 'E_TOO_LARGE');
  const big = new Uint8Array(40).map((_, i) => i);
  c.set(5, big);                                 // three chunks: everything else goes
  assert.deepEqual(c.get(5), big);
  let s = c.stats();
  assert.equal(s.entries, 1);
  assert.equal(s.bytesInUse, 48);
  assert.ok(s.bytesInUse <= s.maxBytes && s.entries <= s.maxEntries);
  assert.equal(c.delete(5), true);
  assert.equal(c.delete(5), false);
  s = c.stats();
  assert.equal(s.entries, 0);
  assert.equal(s.peakBytes, 48);
  c.dispose();
  c.dispose();
  assert.throws(() => c.get(1), { code: 'E_DISPOSED' });
});

test('LruCache agrees with a Map-based LRU on a random workload, in JS calls and in wasm', async () => {
  const cap = 500;
  const c = await LruCache.create({ maxEntries: cap, maxBytes: cap * 8 });
  const ref = new Map();
  let x = 7, hits = 0, refHits = 0;
  const keys = new Uint32Array(200_000);
  const value = new Uint8Array(8).fill(1);
  for (let i = 0; i < keys.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    keys[i] = (x >>> 8) % (cap * 3) < cap * 2 ? (x >>> 8) % (cap / 2) : (x >>> 8) % (cap * 4);
  }
  const out = new Uint8Array(8);
  for (const k of keys) {
    if (c.read(k, out) >= 0) hits++;
    else c.set(k, value);
    if (ref.has(k)) {
      refHits++;
      ref.delete(k);
    } else if (ref.size === cap) ref.delete(ref.keys().next().value);
    ref.set(k, 1);
  }
  assert.equal(hits, refHits);
  const st = c.stats();
  assert.equal(st.hits, refHits);
  assert.equal(st.misses, keys.length - refHits);
  assert.equal(st.evictions, keys.length - refHits - cap);
  c.dispose();
  const d = await LruCache.create({ maxEntries: cap, maxBytes: cap * 8 });
  assert.equal(d.accessBatch(keys, value), refHits);
  d.dispose();
});
