// web/ folders by role (issue 14): the page (web/page), its engine worker (web/worker), the
// partner embeds (web/embed and their entry points web/flowcast-embed.js, web/flowcast-leaflet.js)
// and what they share (web/shared) import each other only through the public API
// web/flowcast.js or web/shared/; web/shared/ depends on none of them; nothing of them imports the
// feed server (web/server); and there is no import cycle. Type imports in JSDoc count for the
// folder rules; cycles are those of runtime imports (a JSDoc type fetches and runs nothing).
// The checker is tested on the real tree with one planted import of each forbidden kind, so a
// rule that stopped biting would fail here too.
import test from 'node:test';
import assert from 'node:assert/strict';
import { layoutProblems, mayImport, readWeb } from './fixtures/imports.mjs';

const web = readWeb();

test('web/ keeps its folder rules and has no import cycle', () => {
  for (const folder of ['page/', 'worker/', 'embed/', 'shared/']) {
    assert.ok([...web.keys()].some((f) => f.startsWith(folder)), `web/${folder} holds modules`);
  }
  assert.deepEqual(layoutProblems(web), []);
});

/**
 * The real tree with `line` added to one module.
 * @param {string} file
 * @param {string} line
 */
function planted(file, line) {
  assert.ok(web.has(file), file);
  return new Map([...web].map(([f, text]) => [f, f === file ? `${line}\n${text}` : text]));
}

test('the layout check fails on each kind of forbidden import', () => {
  const cases = [
    ['page/main.js', "import { FeedConnection } from '../worker/feed.js';", /page\/main\.js imports worker\/feed\.js/],
    ['page/telemetry-page.js', "/** @typedef {import('../server/telemetry.js').SummaryRow} Row */", /imports server\/telemetry\.js/],
    ['worker/worker.js', "import '../embed/engine-worker.js';", /worker may not import embed/],
    ['embed/flowcast-map.js', "import { TripPlanner } from '../page/trip.js';", /embed may not import page/],
    ['shared/segments.js', "import { PerfPanel } from '../page/panels.js';", /shared may not import page/],
    ['page/map.js', "import { Predictor } from '../lru.js';", /page may not import engine/],
    ['flowcast.js', "import { binOf } from './shared/colors.js';", /engine may not import shared/],
    ['worker/worker.js', "const later = () => import('../server/formats.js');", /imports server\/formats\.js/],
  ];
  for (const [file, line, want] of /** @type {[string, string, RegExp][]} */ (cases)) {
    const problems = layoutProblems(planted(file, line));
    assert.equal(problems.length, 1, `${line} in ${file}: ${problems.join('; ')}`);
    assert.match(problems[0], want);
  }
});

test('the layout check fails on an import cycle and on a module outside the known folders', () => {
  const cycle = layoutProblems(planted('shared/colors.js', "import { pickCorridors } from './segments.js';"));
  assert.deepEqual(cycle, ['import cycle: shared/colors.js → shared/segments.js → shared/colors.js']);
  const dynamicCycle = layoutProblems(planted('worker/feed.js', "const later = () => import('./worker.js');"));
  assert.deepEqual(dynamicCycle, ['import cycle: worker/feed.js → worker/worker.js → worker/feed.js']);
  // a JSDoc type import back is no cycle (nothing is fetched), but still obeys the folder rules
  assert.deepEqual(layoutProblems(planted('worker/feed.js', "/** @typedef {import('./worker.js').X} X */")), []);
  assert.equal(layoutProblems(planted('shared/colors.js', "/** @typedef {import('../page/map.js').X} X */")).length, 1);
  const stray = new Map([...web, ['app/main.js', '']]);
  assert.deepEqual(layoutProblems(stray), ['app/main.js: in no known folder of web/ (page, worker, embed, shared, engine, server)']);
});

test('what each role may import', () => {
  assert.ok(mayImport('page/main.js', 'flowcast.js'), 'the public API');
  assert.ok(mayImport('worker/worker.js', 'shared/types.js'));
  assert.ok(mayImport('flowcast-embed.js', 'embed/flowcast-map.js'), 'an entry point is part of the embeds');
  assert.ok(mayImport('page/details.js', '../vendor/uplot/uPlot.esm.js'), 'the site\'s vendor libraries');
  assert.ok(!mayImport('worker/worker.js', '../vendor/uplot/uPlot.esm.js'));
  assert.ok(!mayImport('page/main.js', 'engine/runtime.js'), 'engine modules only through flowcast.js');
  assert.ok(!mayImport('shared/types.js', 'worker/feed.js'));
  assert.ok(!mayImport('embed/flowcast-map.js', 'server/telemetry.js'));
});
