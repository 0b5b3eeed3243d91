// The simulator's outputs through the engine: the Atlanta network loads into the wasm core with
// its corridors and connections, the simulated 30-second feed ingests cleanly in order, the
// model trains on it and forecasts every station; very large synthetic networks fail cleanly
// with the default history and load with a shorter one.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPredictor } from 'flowcast';

const SIM = fileURLToPath(new URL('../build/native/bin/flowcast-sim', import.meta.url));

function sim(args) {
  const r = spawnSync(SIM, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

test('the Atlanta network and a simulated 30-second feed go through the engine', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-atl-'));
  try {
    sim(['--out', join(dir, 'ds'), '--days', '2', '--seed', '3', '--quiet', '--snapshots-dir', join(dir, 'snaps'),
      '--snapshot-interval', '30', '--snapshot-hours', '2']);
    const network = readFileSync(join(dir, 'ds/network.json'), 'utf8');
    const p = await createPredictor({ network, config: { historyS: 7 * 86400 } });
    assert.equal(p.networkId, 'atlanta-i75-i285');
    assert.equal(p.sensorCount, 460);
    const files = readdirSync(join(dir, 'snaps')).filter((f) => f.endsWith('.json')).sort();
    assert.equal(files.length, 240); // 2 hours at 30 s
    let previous = p.digest();
    for (const f of files) {
      const r = p.ingest(readFileSync(join(dir, 'snaps', f)));
      assert.equal(r.ok, true, `${f}: ${r.message}`);
      assert.equal(r.dropped, 0, f);
      assert.equal(r.accepted + r.missing, 460, f);
      assert.ok(r.accepted > 400, `${f}: only ${r.accepted} readings`);
      const d = p.digest();
      assert.notEqual(d, previous);
      previous = d;
    }
    // ten 30-second snapshots average into each 5-minute slot
    const l = p.latest();
    assert.ok(l.speedMph.filter(Number.isFinite).length > 400);
    p.dispose();

    // train on the two simulated days (5-minute matrix) and forecast every station
    const lines = readFileSync(join(dir, 'ds/speed.csv'), 'utf8').trim().split('\n');
    const meta = JSON.parse(readFileSync(join(dir, 'ds/meta.json'), 'utf8'));
    const q = await createPredictor({ network, config: { historyS: 7 * 86400 } });
    lines.slice(1).forEach((line, r) => {
      const row = Float32Array.from(line.split(','), (v) => (v === '' ? NaN : Number(v)));
      assert.equal(q.ingestValues(Date.parse(meta.start) + (r + 1) * 300_000, row).ok, true);
    });
    await q.train();
    const f = q.forecast();
    assert.equal(f.mid.length, 460 * 12);
    assert.ok(f.mid.every((v) => v >= 0 && v <= 120));

    // the native trainer writes the same model a page would train, for the server to ship
    const TRAIN = fileURLToPath(new URL('../build/native/bin/flowcast-train', import.meta.url));
    const t = spawnSync(TRAIN, ['--dataset', join(dir, 'ds'), '--out', join(dir, 'model.fcm'), '--days', '2'], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stderr, /flowcast-train: 100%/);
    assert.deepEqual(q.loadModel(readFileSync(join(dir, 'model.fcm'))), { ok: true });
    assert.deepEqual(q.forecast(), f, 'native and wasm training on the same rows differ');
    q.dispose();
    const bad = spawnSync(TRAIN, ['--dataset', join(dir, 'ds')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /usage: flowcast-train/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 50,000-sensor network: a clear out-of-memory error with 4 weeks of history, loads with 1 day', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-50k-'));
  try {
    sim(['--synthetic', '50000', '--out', join(dir, 'net.json')]);
    const network = readFileSync(join(dir, 'net.json'));
    await assert.rejects(createPredictor({ network }), (err) => {
      assert.equal(err.code, 'E_NOMEM');
      assert.match(err.message, /50000 sensors x 8064 history slots .* lower history_s/);
      return true;
    });
    const p = await createPredictor({ network, config: { historyS: 86400 } });
    assert.equal(p.sensorCount, 50000);
    p.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
