// `npm run profile` end to end, briefly: the app in headless Chromium for ~3 s of recording. The
// worker's .cpuprofile must be a valid V8 profile, the summary must name WebAssembly functions by
// their C names, the trace must be Chrome trace-event JSON, and the process must exit cleanly.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProfile, summarise } from '../bench/cpuprofile.js';
import { runBounded } from './fixtures/run.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SIM = join(root, 'build/native/bin/flowcast-sim');
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (./build.sh installs it)`
  : !existsSync(SIM) ? `${SIM} is not built (./build.sh)` : false;

test('npm run profile records the worker, summarises it with C names, and exits cleanly', { skip, timeout: 120000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-profile-'));
  try {
    const r = await runBounded('node', [join(root, 'bench/profile.js'), '--seconds', '3', '--out', dir], { ms: 100000 });
    assert.ok(!r.timedOut, `npm run profile did not finish in 100 s\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const files = readdirSync(dir);
    const worker = files.find((f) => f.endsWith('-worker.cpuprofile'));
    const page = files.find((f) => f.endsWith('-page.cpuprofile'));
    const trace = files.find((f) => f.endsWith('-trace.json'));
    assert.ok(worker && page && trace, files.join(', '));

    const profile = JSON.parse(readFileSync(join(dir, worker), 'utf8'));
    assert.ok(Array.isArray(profile.nodes) && profile.nodes.length > 1);
    assert.ok(Array.isArray(profile.samples) && profile.samples.length > 0);
    assert.equal(profile.samples.length, profile.timeDeltas.length);
    const s = summarise(readProfile(profile));
    assert.ok(s.functions.some((f) => f.wasm && f.name.startsWith('fc_')), 'wasm functions keep their C names');
    assert.ok(s.busyUs > 0);
    const events = JSON.parse(readFileSync(join(dir, trace), 'utf8'));
    assert.ok(Array.isArray(events.traceEvents ?? events) && (events.traceEvents ?? events).length > 0);

    // the printed summary: a top-15 table with wasm rows named after C functions, stage shares
    assert.match(r.stdout, /function \(self time\)/);
    assert.match(r.stdout, /\bfc_\w+\s+flowcast(-\w+)?\.wasm\s+wasm\s/);
    assert.match(r.stdout, /engine stage \(by C entry point\)/);
    assert.match(r.stdout, /\bforecast\s+[\d.]+\s+[\d.]+%/);
    assert.match(r.stdout, /engine\.stats\(\) over the recording/, 'the worker answered its stats message');
    assert.match(r.stdout, /wrote .*-worker\.cpuprofile/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
