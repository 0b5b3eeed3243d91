// runtime.js — loading the wasm and living in its memory: compile and instantiate (one
// instance per URL, shared by every predictor and cache made from it), the imports the
// standalone module asks for, typed views over the heap that follow its growth, C strings and
// malloc. The only module that knows how a wasm instance is made.

import { FlowcastError } from './errors.js';

const isNode = typeof process === 'object' && !!process.versions?.node && !('window' in globalThis);
export const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** @type {Map<string, Promise<Runtime>>} */
const runtimes = new Map();
/** @type {string | undefined} */
let defaultUrl;

/** @returns {URL} where the release wasm sits relative to this module */
function defaultWasmUrl() {
  // The page's engine bundle (tools/build-site.js) names its content-addressed copy of the wasm,
  // relative to the bundle: the build defines FLOWCAST_WASM_URL.
  if (typeof FLOWCAST_WASM_URL === 'string') return new URL(FLOWCAST_WASM_URL, import.meta.url);
  // On a site this file is public/js/engine/runtime.js beside public/flowcast.wasm; in the npm
  // package it is web/engine/runtime.js with flowcast.wasm at the root: the same relative path.
  const packaged = new URL('../../flowcast.wasm', import.meta.url);
  if (!isNode) return packaged;
  // In the repo (Node) the build, public/flowcast.wasm, wins while it exists, so that a packed
  // copy left at the root never shadows a fresh build. getBuiltinModule (Node >= 20.16) keeps
  // node:fs out of the imports browsers load; without it, or with neither file, the repo's
  // layout (whose load error then names the missing build).
  const repo = new URL('../../public/flowcast.wasm', import.meta.url);
  const fs = /** @type {any} */ (process).getBuiltinModule?.('node:fs');
  return !fs || fs.existsSync(repo) || !fs.existsSync(packaged) ? repo : packaged;
}

/**
 * @param {string | URL} url
 * @returns {Promise<WebAssembly.Module>}
 */
async function compile(url) {
  const u = new URL(url, isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (isNode && u.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(u));
  }
  const response = await fetch(u);
  if (!response.ok) throw new FlowcastError('E_LOAD', `fetching ${u}: HTTP ${response.status}`);
  if (WebAssembly.compileStreaming && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * The imports a standalone Emscripten build asks for. Anything else means the C code pulled in
 * something it should not (stdio, say); failing at load time names it.
 * @param {WebAssembly.Module} module
 */
function importsFor(module) {
  /** @type {Record<string, Record<string, Function>>} */
  const known = {
    env: {
      emscripten_notify_memory_growth() {},
      // the engine's stage timers (c/src/stats.c): microseconds from a monotonic clock
      fc_js_now_us: () => performance.now() * 1000,
    },
  };
  /** @type {Record<string, Record<string, Function>>} */
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const fn = known[imp.module]?.[imp.name];
    if (!fn) throw new FlowcastError('E_LOAD', `flowcast.wasm needs an unsupported import ${imp.module}.${imp.name}`);
    (imports[imp.module] ??= {})[imp.name] = fn;
  }
  return imports;
}

/** One wasm instance and typed helpers over its memory. */
export class Runtime {
  /** @param {WebAssembly.Instance} instance */
  constructor(instance) {
    /** @type {any} the wasm exports (c/wasm/exports.txt lists them) */
    this.x = instance.exports;
    /** @type {WebAssembly.Memory} */
    this.memory = this.x.memory;
    /** @type {ArrayBuffer | null} the buffer the views below are over */
    this.viewBuffer = null;
    this.u8View = new Uint8Array(0);
    this.dataView = new DataView(new ArrayBuffer(0));
    if (this.x._initialize) this.x._initialize();
    this.version = this.cString(this.x.fc_version());
  }

  // A grown memory detaches the old buffer and gives a new one: the views are remade when the
  // buffer changes, not per use (two allocations per ingest showed in the binary path's 3 µs).
  get u8() {
    if (this.viewBuffer !== this.memory.buffer) this.#remakeViews();
    return this.u8View;
  }

  get view() {
    if (this.viewBuffer !== this.memory.buffer) this.#remakeViews();
    return this.dataView;
  }

  #remakeViews() {
    this.viewBuffer = this.memory.buffer;
    this.u8View = new Uint8Array(this.viewBuffer);
    this.dataView = new DataView(this.viewBuffer);
  }

  /** @param {number} ptr */
  cString(ptr) {
    if (!ptr) return '';
    const u8 = this.u8;
    let end = ptr;
    while (u8[end] !== 0) end++;
    return decoder.decode(u8.subarray(ptr, end));
  }

  /**
   * @param {number} size
   * @returns {number} the block's address (never 0: a failed allocation throws)
   */
  malloc(size) {
    const p = this.x.malloc(size);
    if (!p) throw new FlowcastError('E_NOMEM', `wasm heap: cannot allocate ${size} bytes`);
    return p;
  }

  /** @param {number} status  an fc_status; its C name ("E_TS_ORDER") */
  statusName(status) { return this.cString(this.x.fc_status_name(status)); }

  /** Bytes in the wasm heap (grows, never shrinks). */
  get heapBytes() { return this.memory.buffer.byteLength; }
}

/**
 * The shared runtime behind a wasm URL (the default: the release build beside this package).
 * @param {string | URL | undefined} wasmUrl
 * @returns {Promise<Runtime>}
 */
export function runtimeFor(wasmUrl) {
  // the default URL is computed once: the worker asks for the heap size on every update, and
  // building a URL each time showed up in the app's CPU profile (PERFORMANCE.md §7)
  const url = wasmUrl == null ? (defaultUrl ??= String(defaultWasmUrl())) : String(wasmUrl);
  let r = runtimes.get(url);
  if (!r) {
    r = compile(url).then(async (module) => new Runtime(await WebAssembly.instantiate(module, importsFor(module))));
    r.catch(() => runtimes.delete(url)); // let a later call retry a failed load
    runtimes.set(url, r);
  }
  return r;
}
