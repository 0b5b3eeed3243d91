// The JavaScript API over the WebAssembly build (web/flowcast.js), run against both the release
// and the debug wasm: loading, ingest rules for every bad-input class (error code, message, and
// an unchanged state digest), latest values, time zones, and memory across create/dispose.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPredictor, wasmHeapBytes, parseTimestamp, FlowcastError, modelFormatVersion } from 'flowcast';
import { tinyNetwork, gridNetwork, fullSnapshot, isoZ } from './fixtures/networks.mjs';
import { rejectCases, dropCases, snapshotWith, LAST_TS } from './fixtures/bad-snapshots.mjs';

const builds = {
  release: new URL('../public/flowcast.wasm', import.meta.url),
  debug: new URL('../public/flowcast-debug.wasm', import.meta.url),
};

for (const [build, wasmUrl] of Object.entries(builds)) {
  /** @param {object} [config] */
  const make = (config = { historyS: 86400 }) => createPredictor({ network: tinyNetwork, wasmUrl, config });

  /** An engine with one committed snapshot at LAST_TS. */
  async function primed() {
    const p = await make();
    const r = p.ingest({ schema: 'flowcast.snapshot/1', network: 'test-net', ts: LAST_TS,
      readings: [{ id: 'A', speed_mph: 61.5, volume_vph: 1200, occupancy: 0.07 }, { id: 'B', speed_mph: 42 }] });
    assert.equal(r.ok, true, JSON.stringify(r));
    return p;
  }

  describe(`wasm API (${build} build)`, () => {
    test('loads the network and reports version and sensors', async () => {
      const p = await make();
      assert.match(p.version, /^\d+\.\d+\.\d+$/);
      assert.deepEqual(p.sensorIds, ['A', 'B', 'C', 'D']);
      assert.equal(p.networkId, 'test-net');
      assert.equal(p.intervalS, 300);
      p.dispose();
    });

    test('accepts network and snapshot as text, bytes or objects alike', async () => {
      const variants = [JSON.stringify(tinyNetwork), new TextEncoder().encode(JSON.stringify(tinyNetwork)), tinyNetwork];
      const snap = fullSnapshot(tinyNetwork, LAST_TS);
      const digests = [];
      for (const [i, network] of variants.entries()) {
        const p = await createPredictor({ network, wasmUrl, config: { historyS: 86400 } });
        const input = [JSON.stringify(snap), new TextEncoder().encode(JSON.stringify(snap)), snap][i];
        const r = p.ingest(input);
        assert.deepEqual(r, { ok: true, accepted: 4, dropped: 0, missing: 0, ts: Date.parse(LAST_TS), slotsAdvanced: 1 });
        digests.push(p.digest());
        p.dispose();
      }
      assert.equal(new Set(digests).size, 1);
    });

    test('an invalid network throws a FlowcastError naming the field', async () => {
      const bad = structuredClone(tinyNetwork);
      bad.sensors[2].lat = 123;
      await assert.rejects(createPredictor({ network: bad, wasmUrl }), (err) => {
        assert.ok(err instanceof FlowcastError);
        assert.equal(err.code, 'E_NETWORK');
        assert.match(err.message, /sensors\[2\]\.lat: must be a number in \[-90, 90\]/);
        return true;
      });
      await assert.rejects(createPredictor({ network: '{"schema":"x"}', wasmUrl }), { code: 'E_SCHEMA' });
      await assert.rejects(createPredictor({ network: tinyNetwork, wasmUrl, config: { maxSpeedMph: 1e6 } }), { code: 'E_RANGE' });
    });

    test('latest() returns the committed values; speedHistory() the series', async () => {
      const p = await primed();
      const l = p.latest();
      assert.equal(l.ts, Date.parse(LAST_TS));
      assert.deepEqual([...l.speedMph.slice(0, 2)], [61.5, 42]);
      assert.ok(Number.isNaN(l.speedMph[2]) && Number.isNaN(l.speedMph[3]));
      assert.equal(l.volumeVph[0], 1200);
      assert.ok(Math.abs(l.occupancy[0] - 0.07) < 1e-6);
      const h = p.speedHistory('A', 3);
      assert.ok(Number.isNaN(h[0]) && Number.isNaN(h[1]));
      assert.equal(h[2], 61.5);
      assert.throws(() => p.speedHistory('nope', 3), { code: 'E_NOT_FOUND' });
      p.dispose();
    });

    for (const c of rejectCases) {
      test(`rejects whole, state unchanged: ${c.name}`, async () => {
        const p = await primed();
        const before = p.digest();
        const latestBefore = p.latest();
        const r = p.ingest(c.payload);
        assert.equal(r.ok, false, `accepted: ${JSON.stringify(r)}`);
        assert.equal(r.code, c.code, r.message);
        assert.match(r.message, c.message);
        assert.equal(p.digest(), before, 'the state digest changed');
        assert.deepEqual(p.latest(), latestBefore);
        // the engine still works afterwards
        assert.equal(p.ingest(snapshotWith([{ id: 'C', speed_mph: 33 }])).ok, true);
        p.dispose();
      });
    }

    for (const c of dropCases) {
      test(`drops and counts: ${c.name}`, async () => {
        const p = await primed();
        const r = p.ingest(snapshotWith(c.readings));
        assert.deepEqual({ ok: r.ok, accepted: r.accepted, dropped: r.dropped, missing: r.missing },
          { ok: true, accepted: c.accepted, dropped: c.dropped, missing: c.missing }, JSON.stringify(r));
        p.dispose();
      });
    }

    test('an oversized payload is refused before it reaches the heap', async () => {
      const p = await make({ historyS: 86400, maxPayloadBytes: 4096 });
      const before = p.digest();
      const big = snapshotWith(Array.from({ length: 200 }, () => ({ id: 'A', speed_mph: 50 })));
      const r = p.ingest(big);
      assert.equal(r.code, 'E_TOO_LARGE');
      assert.match(r.message, new RegExp(`${big.length} bytes exceeds the limit of 4096 bytes`));
      assert.equal(p.ingest(new TextEncoder().encode(big)).code, 'E_TOO_LARGE');
      assert.equal(p.digest(), before);
      p.dispose();
    });

    test('a rejected object snapshot that cannot be serialised does not throw', async () => {
      const p = await primed();
      const cyclic = { schema: 'flowcast.snapshot/1' };
      cyclic.self = cyclic;
      assert.equal(p.ingest(cyclic).code, 'E_ARG');
      assert.equal(p.ingest(undefined).code, 'E_ARG');
      p.dispose();
    });

    test('snapshots in one slot average; gaps leave missing slots', async () => {
      const p = await make();
      const t0 = Date.parse('2026-11-25T13:00:00Z');
      const at = (min, speed) => p.ingest({ schema: 'flowcast.snapshot/1', network: 'test-net', ts: isoZ(t0 + min * 60000), readings: [{ id: 'A', speed_mph: speed }] });
      assert.equal(at(0.5, 40).slotsAdvanced, 1);
      assert.equal(at(1, 60).slotsAdvanced, 0); // 30-second feed into the same 5-min slot
      assert.equal(p.latest().speedMph[0], 50);
      // 13:20:00 ends the 13:15-13:20 period: three slots on, two of them never reached
      assert.equal(at(20, 30).slotsAdvanced, 3);
      const h = p.speedHistory('A', 4);
      assert.equal(h[0], 50);
      assert.ok([1, 2].every((i) => Number.isNaN(h[i])));
      assert.equal(h[3], 30);
      p.dispose();
    });

    test('local time follows America/New_York across both 2026 DST changes', async () => {
      const p = await make();
      const lt = (iso) => p.localTime(Date.parse(iso));
      assert.deepEqual([lt('2026-03-08T06:59:00Z').minuteOfDay, lt('2026-03-08T06:59:00Z').utcOffsetMin], [60 + 59, -300]);
      assert.deepEqual([lt('2026-03-08T07:00:00Z').minuteOfDay, lt('2026-03-08T07:00:00Z').utcOffsetMin], [180, -240]);
      assert.deepEqual([lt('2026-11-01T05:30:00Z').minuteOfDay, lt('2026-11-01T05:30:00Z').isDst], [90, true]);
      assert.deepEqual([lt('2026-11-01T06:30:00Z').minuteOfDay, lt('2026-11-01T06:30:00Z').isDst], [90, false]);
      assert.equal(lt('2026-11-25T13:15:00Z').dayOfWeek, 2); // Wednesday
      // agrees with the platform's own tz database over a year of hourly instants
      const fmt = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', weekday: 'short' });
      const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 3600_000 * 7 + 60_000 * 13) {
        const parts = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
        const got = p.localTime(t);
        assert.equal(got.minuteOfDay, Number(parts.hour) * 60 + Number(parts.minute), new Date(t).toISOString());
        assert.equal(days[got.dayOfWeek], parts.weekday, new Date(t).toISOString());
      }
      p.dispose();
    });

    test('parseTimestamp matches Date.parse on valid input and refuses the rest', async () => {
      for (const s of ['2026-11-25T08:15:00-05:00', '2012-03-01T00:05:00Z', '2026-06-30T23:59:59.250+02:00']) {
        assert.equal(await parseTimestamp(s, wasmUrl), Date.parse(s), s);
      }
      for (const s of ['2026-11-25T08:15:00', 'soon', '2026-11-25T08:15Z']) assert.ok(Number.isNaN(await parseTimestamp(s, wasmUrl)), s);
    });

    test('create / ingest / dispose in a loop does not grow the wasm heap', async () => {
      const net = gridNetwork(500);
      const snaps = [0, 1, 2].map((k) => JSON.stringify(fullSnapshot(net, isoZ(Date.parse(LAST_TS) + k * 300000))));
      const cycle = async () => {
        const p = await createPredictor({ network: net, wasmUrl, config: { historyS: 7 * 86400 } });
        for (const s of snaps) assert.equal(p.ingest(s).ok, true);
        p.latest();
        p.speedHistory(3, 12);
        p.dispose();
      };
      for (let i = 0; i < 3; i++) await cycle(); // warm-up: the heap reaches its working size
      const heap = await wasmHeapBytes(wasmUrl);
      for (let i = 0; i < 40; i++) await cycle();
      assert.equal(await wasmHeapBytes(wasmUrl), heap, 'wasm memory grew across create/dispose cycles');
    });

    test('a disposed predictor refuses further calls', async () => {
      const p = await make();
      p.dispose();
      p.dispose();
      assert.throws(() => p.ingest('{}'), { code: 'E_DISPOSED' });
      assert.throws(() => p.latest(), { code: 'E_DISPOSED' });
    });
  });
}

test('modelFormatVersion() is the version the engine reads model files in', async () => {
  const version = await modelFormatVersion();
  assert.ok(Number.isInteger(version) && version > 0, String(version));
  // a model file of another version is refused with the version the engine reads in the message
  const p = await createPredictor({ network: tinyNetwork });
  const file = new Uint8Array(4096);
  file.set(new TextEncoder().encode('FCMODEL1'));
  new DataView(file.buffer).setUint32(8, version + 1, true);
  const r = p.loadModel(file);
  p.dispose();
  assert.equal(r.ok, false);
  assert.match(/** @type {{ message: string }} */ (r).message, new RegExp(`this engine reads version ${version}$`));
});
