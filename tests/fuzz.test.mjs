// Every libFuzzer harness (snapshot ingest differential, binary snapshots against JSON, matrix
// CSV, network loading, model-file loading, profile tiles, route queries) runs for a few seconds under ASan and UBSan without a finding. Longer runs:
// `npm run fuzz -- --seconds N` (figures in docs/TESTING.md).
import test from 'node:test';
import assert from 'node:assert/strict';
import { runFuzzers } from './fuzz/run.js';

test('fuzz harnesses run clean for a few seconds each', () => {
  const lines = [];
  const results = runFuzzers({ seconds: 4, log: (s) => lines.push(s) });
  assert.deepEqual(results.map((r) => r.name).sort(), ['binary', 'ingest', 'matrix', 'model', 'network', 'route', 'tile']);
  for (const r of results) {
    assert.ok(r.ok, `fuzz_${r.name}:\n${lines.join('\n')}`);
    assert.ok(r.execs > 100, `fuzz_${r.name} ran only ${r.execs} inputs`);
  }
});
