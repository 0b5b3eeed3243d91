// ingest.js — snapshot ingest: the engine's cJSON path in wasm (from a string, as fetch().text()
// gives it, and from UTF-8 bytes), next to JSON.parse plus a JS loop that extracts and
// validates the same fields, on the same payloads in the same run.
import { createPredictor } from '../web/flowcast.js';
import { gridNetwork, fullSnapshot } from '../tests/fixtures/networks.mjs';
import { measure } from './harness.js';

const T0 = Date.parse('2026-11-25T13:00:00Z');
const TS_LEN = '2026-11-25T13:00:00Z'.length;
const iso = (/** @type {number} */ ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The peer: what a page would do without the engine.
 * @param {string} text
 * @param {Map<string, number>} index
 * @param {Float32Array} speed
 * @param {Float32Array} volume
 * @param {Float32Array} occ
 */
function jsIngest(text, index, speed, volume, occ) {
  const s = JSON.parse(text);
  if (s.schema !== 'flowcast.snapshot/1' || !Array.isArray(s.readings) || Number.isNaN(Date.parse(s.ts))) throw new Error('bad');
  let accepted = 0;
  for (const r of s.readings) {
    const i = index.get(r.id);
    if (i === undefined) continue;
    const v = r.speed_mph;
    if (typeof v !== 'number' || !(v >= 0 && v <= 120)) continue;
    speed[i] = v;
    volume[i] = typeof r.volume_vph === 'number' ? r.volume_vph : NaN;
    occ[i] = typeof r.occupancy === 'number' ? r.occupancy : NaN;
    accepted++;
  }
  return accepted;
}

/**
 * @param {{ quick?: boolean }} opts
 */
export async function benchIngest({ quick = false } = {}) {
  const results = [];
  for (const n of [1000, 10000]) {
    const network = gridNetwork(n);
    const template = JSON.stringify(fullSnapshot(network, iso(T0)));
    const tsAt = template.indexOf(iso(T0));
    const bytes = new TextEncoder().encode(template);
    const engine = await createPredictor({ network, config: { historyS: 86400 } });
    const timing = quick ? { warmup: 3, minIters: 5, minTimeMs: 0 } : { warmup: 20, minIters: 50, minTimeMs: 1500 };

    // every call needs a newer timestamp: patched in untimed, 30 s apart
    let step = 0;
    const nextTs = () => iso(T0 + 30_000 * ++step);
    const strings = measure((text) => {
      const r = engine.ingest(text);
      if (!r.ok) throw new Error(r.message);
    }, { ...timing, prepare: () => {
      const t = template.slice(0, tsAt) + nextTs() + template.slice(tsAt + TS_LEN);
      t.charCodeAt(t.length >> 1); // flatten the rope outside the timed region
      return t;
    } });
    const fromBytes = measure((b) => {
      const r = engine.ingest(b);
      if (!r.ok) throw new Error(r.message);
    }, { ...timing, prepare: () => {
      bytes.set(new TextEncoder().encode(nextTs()), tsAt);
      return bytes;
    } });
    engine.dispose();

    const index = new Map(network.sensors.map((s, i) => [s.id, i]));
    const sp = new Float32Array(n), vo = new Float32Array(n), oc = new Float32Array(n);
    const peer = measure((text) => jsIngest(text, index, sp, vo, oc), { ...timing, prepare: () => template });

    const mb = bytes.length / 1e6;
    const row = (/** @type {string} */ name, /** @type {import('./harness.js').Stats} */ s) => ({
      name, sensors: n, bytes: bytes.length, ...s, mb_per_s: mb / (s.median_us / 1e6) });
    results.push(row('ingest cJSON wasm (string)', strings), row('ingest cJSON wasm (bytes)', fromBytes),
      row('JSON.parse + JS loop', peer));
  }
  return results;
}
