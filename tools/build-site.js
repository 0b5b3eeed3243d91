// build-site.js — the page as a phone needs it (build.sh's site step; issue 16): its code in two
// minified bundles with esbuild, one for the page and one for the engine worker, instead of
// ~36 modules fetched import level by import level; every file under public/app/ named by its
// content (NAME-HASH.EXT), so the feed server can let browsers keep it for a year without
// asking again (web/server/routes/static.js); public/index.html written from its template
// (web/page/index.html) with those names and boot.js inlined; public/sw.js, the service
// worker, with the list of those files.
//
//   node tools/build-site.js        (build.sh runs it after the wasm and public/js/ are built)
//
// Incremental: the inputs' digest is kept in public/app/.inputs, and an unchanged tree writes
// nothing. Files under public/app/ that the build did not write are stale and removed.
// public/js/ (the modules one by one, for partner embeds and tests) is build.sh's and unchanged.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PUBLIC = join(ROOT, 'public');
const APP = join(PUBLIC, 'app');
const STAMP = join(APP, '.inputs');
const TEMPLATE = join(ROOT, 'web/page/index.html');

/** Browsers the bundles are written for: module workers and `??=` are needed anyway. */
const TARGET = ['es2022', 'chrome100', 'firefox110', 'safari16'];

/** Every input of the site step, relative to the root: a change in any rebuilds it. */
function inputs() {
  const web = readdirSync(join(ROOT, 'web'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(js|css|html)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath ?? /** @type {any} */ (e).path, e.name)))
    .filter((f) => !f.startsWith('web/server/'));
  return [...web, 'public/style.css', 'public/flowcast.wasm', 'tools/build-site.js', 'package-lock.json',
    ...['leaflet/dist/leaflet.js', 'leaflet/dist/leaflet.css', 'uplot/dist/uPlot.esm.js', 'uplot/dist/uPlot.min.css']
      .map((f) => `node_modules/${f}`),
    ...readdirSync(join(ROOT, 'node_modules/leaflet/dist/images')).map((f) => `node_modules/leaflet/dist/images/${f}`)].sort();
}

/** @param {string | Uint8Array} bytes @returns {string} 8 characters, like esbuild's [hash] */
const contentHash = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 8).toUpperCase();

/**
 * The page's dynamic import of uPlot names the site's vendor/ copy (right for the modules under
 * public/js/); the bundle takes it from npm like the copy, as a chunk of its own.
 * @type {esbuild.Plugin}
 */
const vendorFromNpm = {
  name: 'vendor-from-npm',
  setup(build) {
    build.onResolve({ filter: /\/vendor\/uplot\// }, (args) => ({
      path: join(ROOT, 'node_modules/uplot/dist', args.path.replace(/^.*\/vendor\/uplot\//, '')),
    }));
  },
};

/** Options every bundle shares. */
const COMMON = /** @type {const} */ ({
  bundle: true, minify: true, write: false, target: TARGET, legalComments: 'none', logLevel: 'warning',
  // in the unbundled modules, the fallbacks after these defines use import.meta (not in the iife)
  logOverride: { 'empty-import-meta': 'silent' },
});

/**
 * @param {esbuild.BuildResult} result
 * @returns {Map<string, Uint8Array>} path under public/ → bytes
 */
const outputsOf = (result) => new Map((result.outputFiles ?? []).map((f) => [relative(PUBLIC, f.path).split('\\').join('/'), f.contents]));

/** @param {Map<string, Uint8Array>} out @param {RegExp} re */
const nameOf = (out, re) => {
  const names = [...out.keys()].filter((k) => re.test(k));
  if (names.length !== 1) throw new Error(`expected one output matching ${re}, got ${names.join(', ') || 'none'}`);
  return names[0];
};

async function build() {
  /** @type {Map<string, Uint8Array>} path under public/ → bytes: everything this step writes */
  const files = new Map();
  const copy = (/** @type {string} */ src, /** @type {string} */ name, /** @type {string} */ ext) => {
    const bytes = readFileSync(join(ROOT, src));
    const path = `app/${name}-${contentHash(bytes)}.${ext}`;
    files.set(path, bytes);
    return path;
  };
  const wasm = copy('public/flowcast.wasm', 'flowcast', 'wasm');
  const leaflet = copy('node_modules/leaflet/dist/leaflet.js', 'leaflet', 'js');

  // The engine worker: the wasm's name relative to the bundle, beside it in app/.
  const worker = outputsOf(await esbuild.build({
    ...COMMON, entryPoints: { worker: join(ROOT, 'web/worker/worker.js') }, format: 'esm', outdir: PUBLIC,
    entryNames: 'app/[name]-[hash]', external: ['node:*'],
    define: { FLOWCAST_WASM_URL: JSON.stringify(wasm.slice('app/'.length)) },
  }));
  worker.forEach((v, k) => files.set(k, v));
  const workerPath = nameOf(worker, /^app\/worker-/);

  // The page (uPlot, loaded on first use, is a chunk of its own) and its first lines (boot.js,
  // inlined into index.html), both starting the same worker bundle; URLs relative to the page.
  const pageDefines = { FLOWCAST_WORKER_URL: JSON.stringify(workerPath), FLOWCAST_SERVICE_WORKER: '"sw.js"' };
  const page = outputsOf(await esbuild.build({
    ...COMMON, entryPoints: { main: join(ROOT, 'web/page/main.js') }, format: 'esm', splitting: true, outdir: PUBLIC,
    entryNames: 'app/[name]-[hash]', chunkNames: 'app/[name]-[hash]', plugins: [vendorFromNpm], define: pageDefines,
  }));
  page.forEach((v, k) => files.set(k, v));
  const boot = outputsOf(await esbuild.build({
    ...COMMON, entryPoints: [join(ROOT, 'web/page/boot.js')], format: 'iife', outfile: join(PUBLIC, 'boot.js'), define: pageDefines,
  }));
  const bootJs = new TextDecoder().decode(/** @type {Uint8Array} */ (boot.get('boot.js'))).trim();
  if (bootJs.includes('</')) throw new Error('boot.js cannot be inlined: it contains "</"');

  // One stylesheet: Leaflet's, uPlot's and the page's, with Leaflet's images beside it.
  const css = outputsOf(await esbuild.build({
    ...COMMON, outdir: PUBLIC, entryNames: 'app/[name]-[hash]', assetNames: 'app/[name]-[hash]',
    loader: { '.png': 'file', '.svg': 'file' },
    stdin: {
      contents: ['leaflet/dist/leaflet.css', 'uplot/dist/uPlot.min.css'].map((f) => `@import "${join(ROOT, 'node_modules', f)}";`).join('\n')
        + `\n@import "${join(PUBLIC, 'style.css')}";\n`,
      resolveDir: ROOT, loader: 'css', sourcefile: 'style.css',
    },
  }));
  // stdin's output is named after the entry ("stdin"): renamed to what it is, keeping the hash
  for (const [k, v] of css) files.set(k.replace(/^app\/stdin-/, 'app/style-'), v);

  const template = readFileSync(TEMPLATE, 'utf8');
  /** @type {Record<string, string>} */
  const slots = { boot: bootJs, css: nameOf(files, /^app\/style-.*\.css$/), leaflet, main: nameOf(page, /^app\/main-/) };
  const html = template.replace(/\{\{(\w+)\}\}/g, (m, name) => {
    if (!(name in slots)) throw new Error(`${relative(ROOT, TEMPLATE)}: unknown slot ${m}`);
    return slots[name];
  });

  // The service worker: the page and every file above; its cache's name changes with any of them.
  const shell = ['./', ...[...files.keys()].sort()];
  const version = contentHash(html + shell.join('\n'));
  const sw = outputsOf(await esbuild.build({
    ...COMMON, entryPoints: [join(ROOT, 'web/page/service-worker.js')], format: 'iife', outfile: join(PUBLIC, 'sw.js'),
    define: { FLOWCAST_SHELL: JSON.stringify(shell), FLOWCAST_CACHE: JSON.stringify(`flowcast-${version}`) },
  }));
  files.set('sw.js', /** @type {Uint8Array} */ (sw.get('sw.js')));
  files.set('index.html', new TextEncoder().encode(html));
  return files;
}

/** @param {string} digest */
function upToDate(digest) {
  if (!existsSync(STAMP)) return false;
  const [kept, ...written] = readFileSync(STAMP, 'utf8').trim().split('\n');
  return kept === digest && written.every((f) => existsSync(join(PUBLIC, f)));
}

const list = inputs();
const hash = createHash('sha256');
for (const f of list) hash.update(`${f}\0`).update(readFileSync(join(ROOT, f))).update('\0');
hash.update(esbuild.version);
const digest = hash.digest('hex');
if (!upToDate(digest)) {
  const files = await build();
  mkdirSync(APP, { recursive: true });
  for (const [path, bytes] of files) {
    const dest = join(PUBLIC, path);
    const old = existsSync(dest) ? readFileSync(dest) : null;
    if (old && Buffer.compare(old, bytes) === 0) continue;
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, bytes);
    console.log(`[build] site: wrote public/${path} (${bytes.length.toLocaleString('en-US')} bytes)`);
  }
  // a file in app/ this build did not write belongs to an older build: gone, so that nothing
  // keeps loading it (the service worker of an open page has its own copy)
  for (const f of readdirSync(APP)) {
    if (f !== '.inputs' && !files.has(`app/${f}`)) {
      console.log(`[build] site: removing stale public/app/${f}`);
      rmSync(join(APP, f), { recursive: true, force: true });
    }
  }
  writeFileSync(STAMP, `${digest}\n${[...files.keys()].join('\n')}\n`);
}
