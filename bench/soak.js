// soak.js — memory under a long run: 1,000,000 snapshots (accelerated: timestamps 30 s apart,
// about 347 days of feed) of a 50-sensor network through engine.ingest, each a pre-built JSON
// string in which only the timestamp changes (as in bench/ingest.js). The wasm heap and the
// engine's own memory (engine.stats().memory) are read after warm-up and at the end: everything
// the engine needs is allocated when the network loads, so the growth must be 0 bytes.
import { createPredictor } from '../web/flowcast.js';
import { fullSnapshot, gridNetwork, isoZ } from '../tests/fixtures/networks.mjs';

const SENSORS = 50;
const T0 = Date.parse('2026-01-01T00:00:00Z');
/** Warm-up: more than the default history span (28 days = 80,640 snapshots at 30 s) so the
 * history ring has wrapped before the baseline is read; the quick run uses a tenth of its length. */
const WARMUP = 100_000;

/** @param {{ quick?: boolean, snapshots?: number }} opts */
export async function benchSoak({ quick = false, snapshots = quick ? 20_000 : 1_000_000 } = {}) {
  const warmup = Math.min(quick ? 2_000 : WARMUP, Math.floor(snapshots / 2));
  const network = gridNetwork(SENSORS);
  const engine = await createPredictor({ network });
  const template = JSON.stringify(fullSnapshot(network, isoZ(T0)));
  const tsAt = template.indexOf(isoZ(T0));
  const head = template.slice(0, tsAt), tail = template.slice(tsAt + 20);
  const memory = () => engine.stats().memory;
  let afterWarmup = memory();
  const t0 = performance.now();
  for (let i = 1; i <= snapshots; i++) {
    const r = engine.ingest(head + isoZ(T0 + 30_000 * i) + tail);
    if (!r.ok) throw new Error(`snapshot ${i}: ${r.code} ${r.message}`);
    if (i === warmup) afterWarmup = memory();
  }
  const seconds = (performance.now() - t0) / 1000;
  const end = memory();
  const stages = engine.stats().stages;
  engine.dispose();
  /** @type {Record<string, number>} */
  const growth = {};
  for (const k of Object.keys(end)) growth[k] = end[/** @type {keyof typeof end} */ (k)] - afterWarmup[/** @type {keyof typeof end} */ (k)];
  return {
    sensors: SENSORS, snapshots, warmup, seconds, snapshots_per_s: snapshots / seconds,
    parse_median_us: stages.parse.medianUs, commit_median_us: stages.commit.medianUs,
    after_warmup: afterWarmup, end, growth_bytes: growth,
    flat: Object.values(growth).every((g) => g === 0),
  };
}
