// Built-in instrumentation through the JS API: per-stage counts and timings, memory figures,
// and a trace that is valid Chrome trace-event JSON (what Perfetto and DevTools open).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createPredictor } from 'flowcast';
import { gridNetwork, fullSnapshot, isoZ } from './fixtures/networks.mjs';

const T0 = Date.parse('2026-09-07T04:00:00Z');

test('stats() counts and times every stage; trace() exports Chrome trace events', async () => {
  const net = gridNetwork(100);
  const p = await createPredictor({ network: net, config: { historyS: 4 * 86400 } });
  const empty = p.stats();
  assert.deepEqual(Object.keys(empty.stages), ['parse', 'commit', 'forecast', 'train', 'route']);
  assert.ok(Object.values(empty.stages).every((s) => s.calls === 0 && s.medianUs === 0));
  p.trace({ start: true });
  for (let r = 0; r < 3 * 288; r++) {
    const row = Float32Array.from({ length: 100 }, (_, s) => 50 + 10 * Math.sin((r + s) / 40));
    p.ingestValues(T0 + (r + 1) * 300_000, row);
  }
  for (let k = 0; k < 5; k++) assert.equal(p.ingest(fullSnapshot(net, isoZ(T0 + (3 * 288 + 1 + k) * 300_000))).ok, true);
  assert.equal(p.ingest('{"broken').ok, false);
  p.trainSync({ maxSamples: 200 });
  for (let k = 0; k < 4; k++) p.forecast();
  p.travelTime({ from: 'C0-S0', to: 'C0-S49' });
  const trace = p.trace({ stop: true });
  const s = p.stats();
  assert.equal(s.stages.parse.calls, 6);                 // 5 good snapshots + 1 rejected
  assert.equal(s.stages.commit.calls, 3 * 288 + 5);      // rows and snapshots
  assert.equal(s.stages.forecast.calls >= 4, true);      // the route query refreshes its own
  assert.ok(s.stages.train.calls > 1);
  assert.equal(s.stages.route.calls, 1);
  for (const st of Object.values(s.stages)) {
    assert.ok(st.medianUs > 0 && st.p95Us >= st.medianUs && st.totalUs >= st.medianUs * 0.999, JSON.stringify(st));
  }
  assert.equal(s.counters.fastParses + s.counters.fallbackParses, 6);
  assert.ok(s.memory.historyBytes >= 100 * 1152 * 7 && s.memory.modelBytes > 0 && s.memory.wasmHeapBytes > s.memory.historyBytes);

  // Chrome trace-event JSON: metadata plus one complete ('X') event per timed call, in order
  const back = JSON.parse(JSON.stringify(trace));
  assert.equal(back.displayTimeUnit, 'ms');
  const events = back.traceEvents.filter((e) => e.ph === 'X');
  assert.equal(back.traceEvents[0].ph, 'M');
  assert.equal(events.length, s.stages.parse.calls + s.stages.commit.calls + s.stages.forecast.calls + s.stages.train.calls + s.stages.route.calls);
  for (const e of events) {
    assert.ok(['parse', 'commit', 'forecast', 'train', 'route'].includes(e.name));
    assert.equal(e.cat, 'flowcast');
    assert.ok(Number.isFinite(e.ts) && e.dur >= 0 && e.pid === 1 && e.tid === 1);
  }
  assert.ok(events.every((e, i) => i === 0 || e.ts >= events[i - 1].ts), 'events out of order');
  assert.throws(() => p.trace({}), { code: 'E_ARG' });
  p.dispose();
});
