// The page's start-up: index.html preloads every module of main.js's static import graph, so the
// browser fetches them in parallel instead of one import level per round trip (PERFORMANCE.md
// §17). A module added to the graph without a preload fails here.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** @param {string} file a module under web/; its static imports, as paths under web/ */
function importsOf(file) {
  const text = readFileSync(join(root, 'web', file), 'utf8');
  return [...text.matchAll(/^import\s[^'"]*['"](\.[^'"]+)['"]/gm)].map((m) => relative(join(root, 'web'), join(root, 'web', dirname(file), m[1])));
}

test('index.html preloads the whole static import graph of the page', () => {
  const graph = new Set();
  const todo = ['app/main.js'];
  while (todo.length) {
    const f = /** @type {string} */ (todo.pop());
    if (graph.has(f)) continue;
    graph.add(f);
    todo.push(...importsOf(f));
  }
  assert.ok(graph.size >= 5, [...graph].join(', '));
  const html = readFileSync(join(root, 'public/index.html'), 'utf8');
  const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="js\/([^"]+)">/g)].map((m) => m[1]));
  assert.deepEqual([...graph].filter((f) => !preloaded.has(f)), [], 'modules without a modulepreload');
  assert.deepEqual([...preloaded].filter((f) => !graph.has(f)), [], 'preloads of modules the page does not import');
});
