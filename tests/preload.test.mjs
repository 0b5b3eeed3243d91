// Start-up round trips. The page: index.html preloads every module of main.js's static import
// graph, so the browser fetches them in parallel instead of one import level per round trip
// (PERFORMANCE.md §17); a module added to the graph without a preload fails here. The partner
// entry points (web/flowcast-embed.js, web/flowcast-leaflet.js) import the whole graph of the
// embed they front for the same reason; one that misses a module fails here.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importsOf, readWeb, staticGraph } from './fixtures/imports.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = readWeb();

test('index.html preloads the whole static import graph of the page', () => {
  const html = readFileSync(`${root}public/index.html`, 'utf8');
  const entry = html.match(/<script type="module" src="js\/([^"]+)">/)?.[1];
  assert.equal(entry, 'page/main.js', 'the page\'s module script');
  const graph = staticGraph(web, entry);
  assert.ok(graph.size >= 5, [...graph].join(', '));
  const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="js\/([^"]+)">/g)].map((m) => m[1]));
  assert.deepEqual([...graph].filter((f) => !preloaded.has(f)), [], 'modules without a modulepreload');
  assert.deepEqual([...preloaded].filter((f) => !graph.has(f)), [], 'preloads of modules the page does not import');
});

for (const [entry, front] of [['flowcast-embed.js', 'embed/flowcast-map.js'], ['flowcast-leaflet.js', 'embed/leaflet-layer.js']]) {
  test(`${entry} imports the whole static graph of ${front} itself`, () => {
    const direct = new Set(importsOf(entry, /** @type {string} */ (web.get(entry))).static);
    assert.ok(direct.has(front), `${entry} imports ${front}`);
    const graph = staticGraph(web, front);
    assert.ok(graph.size >= 3, [...graph].join(', '));
    assert.deepEqual([...graph].filter((f) => !direct.has(f)), [], 'modules two or more levels below the entry point');
    assert.deepEqual([...direct].filter((f) => !graph.has(f)), [], 'imports the embed does not need');
  });
}
