// Start-up round trips. The page: index.html (written by tools/build-site.js) starts the engine
// worker from its first, inline script, before the stylesheet and any other script, and loads
// the page as one bundle; neither the page's bundle nor the worker's imports anything more
// before it runs (each import level would be one more round trip before the worker could start
// or the map could be drawn: PERFORMANCE.md §17, §24), and every file they name is
// content-addressed under app/. The partner entry points (web/flowcast-embed.js,
// web/flowcast-leaflet.js), served module by module from js/, import the whole graph of the
// embed they front for the same reason; one that misses a module fails here.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { importsOf, readWeb, staticGraph } from './fixtures/imports.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = readWeb();
const html = readFileSync(`${root}public/index.html`, 'utf8');
const HASHED = /^app\/[^/]+-[A-Z0-9]{8}\.[a-z0-9]+$/;

/**
 * The imports a built file makes, read by esbuild's parser: static (fetched before it runs) and
 * dynamic (fetched when the code asks), as paths relative to the file.
 * @param {string} path under public/
 */
async function importsOfBuilt(path) {
  const result = await esbuild.build({
    entryPoints: [`${root}public/${path}`], bundle: true, write: false, metafile: true, format: 'esm',
    logLevel: 'silent', plugins: [{ name: 'all-external', setup: (b) => b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'entry-point' ? undefined : { path: a.path, external: true })) }],
  });
  const imports = Object.values(result.metafile.inputs)[0].imports;
  return {
    static: imports.filter((i) => i.kind === 'import-statement').map((i) => i.path),
    dynamic: imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path),
  };
}

test('index.html starts the engine worker first, then loads one stylesheet, Leaflet and one page bundle, all content-addressed', () => {
  const head = html.slice(0, html.indexOf('</head>'));
  const tags = [...head.matchAll(/<(script|link)\b[^>]*>/g)].map((m) => m[0]).filter((t) => !/rel="icon"/.test(t));
  assert.deepEqual(tags.map((t) => t.replace(/app\/[^"]+/, 'app/…')), [
    '<script>',
    '<link rel="stylesheet" href="app/…">',
    '<script defer src="app/…">',
    '<script type="module" src="app/…">',
  ]);
  const boot = /** @type {string} */ (head.match(/<script>([\s\S]*?)<\/script>/)?.[1]);
  const worker = boot.match(/"(app\/worker-[^"]+\.js)"/)?.[1];
  assert.ok(worker && HASHED.test(worker) && /new Worker\(/.test(boot), 'the inline script creates the worker bundle');
  for (const url of [worker, ...tags.map((t) => t.match(/(?:href|src)="([^"]+)"/)?.[1]).filter(Boolean)]) {
    assert.match(/** @type {string} */ (url), HASHED);
    assert.ok(existsSync(`${root}public/${url}`), `${url} is built`);
  }
  assert.doesNotMatch(html, /js\/page\/|modulepreload|\{\{/, 'no module of the unbundled page, no template slot left');
});

test('the page bundle and the worker bundle import nothing before they run', async () => {
  const main = /** @type {string} */ (html.match(/<script type="module" src="(app\/main-[^"]+)"/)?.[1]);
  const worker = /** @type {string} */ (html.match(/"(app\/worker-[^"]+\.js)"/)?.[1]);
  const page = await importsOfBuilt(main);
  assert.deepEqual(page.static, [], 'static imports of the page bundle');
  // uPlot, on first use of the details chart: a chunk of its own, content-addressed too
  assert.equal(page.dynamic.length, 1, page.dynamic.join(', '));
  assert.match(page.dynamic[0], /^\.\/uPlot[^/]*-[A-Z0-9]{8}\.js$/);
  assert.ok(existsSync(`${root}public/app/${page.dynamic[0].slice(2)}`));
  const engine = await importsOfBuilt(worker);
  assert.deepEqual(engine.static, [], 'static imports of the worker bundle');
  assert.deepEqual(engine.dynamic, ['node:fs/promises'], 'only the engine\'s Node-only file read (never run in a browser)');
  // the worker loads the wasm by its content-addressed name, beside the bundle
  const wasm = readFileSync(`${root}public/${worker}`, 'utf8').match(/"(flowcast-[A-Z0-9]{8}\.wasm)"/)?.[1];
  assert.ok(wasm && existsSync(`${root}public/app/${wasm}`), `the worker names its wasm: ${wasm}`);
  assert.deepEqual(readFileSync(`${root}public/app/${wasm}`), readFileSync(`${root}public/flowcast.wasm`), 'the same bytes as the release wasm');
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
