#!/usr/bin/env node
// check-exports.js — the build-time check that the wasm exports exactly what JavaScript calls.
//
// A missing export otherwise shows up only when a page reaches the call ("x.fc_foo is not a
// function"), and a stale one lingers in the list for ever. This reads what the built module
// really exports (WebAssembly.Module.exports, not the list's text), scans the browser-side
// JavaScript for calls on the exports object, and compares both with c/wasm/exports.txt.
//
//   node c/wasm/check-exports.js [--list FILE] [--src DIR]... [--exclude DIR]... WASM...
//
// Defaults: --list c/wasm/exports.txt --src web --exclude web/server (the feed server reaches
// the engine only through web/flowcast.js). Exit status 1 with one line per problem.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Exports Emscripten adds to every standalone module besides the listed functions (the
 * emscripten_stack_* ones in -sASSERTIONS builds); JavaScript may use some (memory,
 * _initialize) but they are not ours to list.
 */
export const RUNTIME_EXPORTS = new Set([
  'memory', '__indirect_function_table', '_initialize', '__errno_location', 'stackSave', 'stackRestore', 'stackAlloc',
  'emscripten_stack_init', 'emscripten_stack_get_free', 'emscripten_stack_get_base', 'emscripten_stack_get_end',
]);

/**
 * The names in an export list: one per line, `#` starts a comment.
 * @param {string} text
 * @returns {string[]}
 */
export function parseList(text) {
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

/**
 * The export names a JavaScript source uses, with the line of the first use. An export is
 * reached through the exports object (`rt.x.name`, `x.name` after `const x = rt.x`) or by its
 * C prefix (`.fc_name`, `.fcw_name` on any object); comments are skipped so that prose naming
 * a function does not count as a call.
 * @param {string} source
 * @returns {Map<string, number>}
 */
export function scanCalls(source) {
  /** @type {Map<string, number>} */
  const found = new Map();
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  code.split('\n').forEach((line, i) => {
    const text = line.replace(/(^|\s)\/\/.*$/, '');
    for (const m of text.matchAll(/(?<![\w$])x\.([A-Za-z_$][\w$]*)|\.(fcw?_\w+)/g)) {
      const name = m[1] ?? m[2];
      // through `x.` only names that can be exports: the C prefixes, the heap, the runtime's own
      if (m[1] && !/^fcw?_/.test(name) && name !== 'malloc' && name !== 'free' && !RUNTIME_EXPORTS.has(name)) continue;
      if (!found.has(name)) found.set(name, i + 1);
    }
  });
  return found;
}

/**
 * Every .js file under the source folders, less the excluded ones.
 * @param {string[]} srcDirs
 * @param {string[]} excludeDirs
 */
export function jsFiles(srcDirs, excludeDirs) {
  const excluded = excludeDirs.map((d) => resolve(d));
  /** @type {string[]} */
  const out = [];
  const walk = (/** @type {string} */ dir) => {
    if (excluded.includes(resolve(dir))) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) out.push(path);
    }
  };
  srcDirs.forEach(walk);
  return out;
}

/**
 * Problems between the list, what one wasm exports and what the sources call.
 * @param {{ list: string[], wasmName: string, wasmExports: string[], calls: Map<string, string> }} a
 *   calls: export name -> "file:line" of a use
 * @returns {string[]}
 */
export function compare({ list, wasmName, wasmExports, calls }) {
  const listed = new Set(list), exported = new Set(wasmExports);
  const problems = [];
  for (const [name, where] of calls) {
    if (!exported.has(name)) {
      problems.push(`${where} calls ${name}, which ${wasmName} does not export: add it to c/wasm/exports.txt ` +
        '(and declare it in c/include/flowcast.h or c/wasm/api.c)');
    } else if (!listed.has(name) && !RUNTIME_EXPORTS.has(name)) {
      problems.push(`${where} calls ${name}, exported by ${wasmName} but not named in c/wasm/exports.txt: add it there`);
    }
  }
  for (const name of listed) {
    if (!calls.has(name)) problems.push(`c/wasm/exports.txt names ${name}, which no JavaScript calls: remove the dead export`);
    else if (!exported.has(name)) problems.push(`c/wasm/exports.txt names ${name}, but ${wasmName} does not export it`);
  }
  for (const name of exported) {
    if (!listed.has(name) && !RUNTIME_EXPORTS.has(name) && !calls.has(name)) {
      problems.push(`${wasmName} exports ${name}, which c/wasm/exports.txt does not name (an EMSCRIPTEN_KEEPALIVE left over?)`);
    }
  }
  if (new Set(list).size !== list.length) problems.push('c/wasm/exports.txt names a function twice');
  return problems;
}

/**
 * The whole check, as build.sh runs it.
 * @param {{ listPath: string, srcDirs: string[], excludeDirs: string[], wasmPaths: string[] }} o
 * @returns {Promise<string[]>} problems, empty when all agree
 */
export async function checkExports({ listPath, srcDirs, excludeDirs, wasmPaths }) {
  const list = parseList(readFileSync(listPath, 'utf8'));
  /** @type {Map<string, string>} */
  const calls = new Map();
  for (const file of jsFiles(srcDirs, excludeDirs)) {
    for (const [name, line] of scanCalls(readFileSync(file, 'utf8'))) {
      if (!calls.has(name)) calls.set(name, `${relative(process.cwd(), file)}:${line}`);
    }
  }
  const problems = [];
  for (const wasm of wasmPaths) {
    const module = await WebAssembly.compile(readFileSync(wasm));
    const wasmExports = WebAssembly.Module.exports(module).map((e) => e.name);
    problems.push(...compare({ list, wasmName: relative(process.cwd(), wasm), wasmExports, calls }));
  }
  return [...new Set(problems)];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let listPath = 'c/wasm/exports.txt';
  const srcDirs = [], excludeDirs = [], wasmPaths = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--list') listPath = args[++i];
    else if (args[i] === '--src') srcDirs.push(args[++i]);
    else if (args[i] === '--exclude') excludeDirs.push(args[++i]);
    else wasmPaths.push(args[i]);
  }
  if (!wasmPaths.length) {
    console.error('usage: check-exports.js [--list FILE] [--src DIR]... [--exclude DIR]... WASM...');
    process.exit(2);
  }
  if (!srcDirs.length) srcDirs.push('web');
  if (!excludeDirs.length) excludeDirs.push('web/server');
  const problems = await checkExports({ listPath, srcDirs, excludeDirs, wasmPaths });
  for (const p of problems) console.error(`check-exports: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
