// history-worker.js — the worker thread that turns a history window into a response body: the
// JSON text (~3 s and ~64 MB for four weeks of Atlanta) and the compressed forms (brotli or gzip
// of up to 47 MB). On the main thread either would stall every other client for seconds (issue
// 19); here it costs one core while the event loop keeps answering. The window's columns arrive
// as views of SharedArrayBuffers (history.js), so nothing is copied to get them here; the body
// goes back as transferred buffers.
//
// Job: { id, fmt: 'json'|'bin', enc: null|'gzip'|'br', head: string, n, rows, planes: [name,
// TypedArray][] }. For JSON `head` is the header object's text without its closing brace; for
// binary the whole FCH1 prefix (magic, length, padded header) as bytes.
// Answer: { id, parts: Uint8Array[] } or { id, error }.

import { parentPort } from 'node:worker_threads';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import { fmtOccupancy, fmtSpeed, fmtVolume } from './numbers.js';

/** Bytes per part of a body: the worker writes text straight into parts of this size, so its
 * own memory is the body plus short-lived row strings (no 64 MB string). */
const PART_BYTES = 1 << 20;
/** Brotli quality for history bodies: 11 takes minutes on 47 MB; 5 is gzip's speed, ~15% smaller. */
const BR_QUALITY = 5;

/** @type {Record<string, (v: number) => string>} */
const FORMAT = { speed_mph: fmtSpeed, volume_vph: fmtVolume, occupancy: fmtOccupancy, quality: String };

/**
 * The JSON body as short strings (a row each, about 3 kB for Atlanta).
 * @param {any} job
 */
function* jsonPieces(job) {
  const { n, rows } = job;
  const cells = new Array(n);
  yield job.head;
  for (const [name, values] of job.planes) {
    const fmt = FORMAT[name];
    yield `,"${name}":[`;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < n; i++) cells[i] = fmt(values[r * n + i]);
      yield `${r ? ',' : ''}[${cells.join(',')}]`;
    }
    yield ']';
  }
  yield '}';
}

/**
 * The binary body: the prefix, then each plane's bytes (views, not copies).
 * @param {any} job
 */
function* binaryPieces(job) {
  yield job.head; // the prefix's bytes (a Uint8Array)
  for (const [, values] of job.planes) yield new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Text encoded into parts of PART_BYTES, each a buffer of its own (transferable). */
class Parts {
  /** @param {(part: Uint8Array) => void | Promise<void>} emit */
  constructor(emit) {
    this.emit = emit;
    this.part = new Uint8Array(PART_BYTES);
    this.at = 0;
    this.enc = new TextEncoder();
  }

  /** @param {string} s */
  async add(s) {
    let rest = s;
    for (;;) {
      const { read, written } = this.enc.encodeInto(rest, this.part.subarray(this.at));
      this.at += /** @type {number} */ (written);
      if (read === rest.length) return;
      rest = rest.slice(read);
      await this.flush();
    }
  }

  async flush() {
    if (this.at) await this.emit(this.part.subarray(0, this.at));
    this.part = new Uint8Array(PART_BYTES);
    this.at = 0;
  }
}

/**
 * @param {any} job
 * @returns {Promise<Uint8Array[]>}
 */
async function run(job) {
  /** @type {Uint8Array[]} */
  const out = [];
  if (!job.enc) { // JSON as it is (binary as it is never comes here)
    const parts = new Parts((p) => { out.push(p); });
    for (const s of jsonPieces(job)) await parts.add(s);
    await parts.flush();
    return out;
  }
  const z = job.enc === 'br'
    ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: BR_QUALITY } })
    : createGzip({ level: 6 });
  z.on('data', (d) => out.push(d));
  const done = new Promise((resolve, reject) => { z.on('end', resolve); z.on('error', reject); });
  /** @param {Uint8Array} p */
  const write = async (p) => {
    if (!z.write(p)) await new Promise((resolve) => z.once('drain', resolve));
  };
  if (job.fmt === 'json') {
    const parts = new Parts(write);
    for (const s of jsonPieces(job)) await parts.add(s);
    await parts.flush();
  } else {
    for (const p of binaryPieces(job)) await write(p);
  }
  z.end();
  await done;
  const all = new Uint8Array(out.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of out) { all.set(b, at); at += b.length; }
  return [all];
}

/** @param {any} job */
async function answer(job) {
  try {
    const parts = await run(job);
    // views of the shared columns (binary, identity) are never asked for here, so every part
    // owns its buffer and can be moved rather than copied
    parentPort?.postMessage({ id: job.id, parts }, parts.map((p) => /** @type {ArrayBuffer} */ (p.buffer)));
  } catch (err) {
    parentPort?.postMessage({ id: job.id, error: String(/** @type {any} */ (err)?.stack ?? err) });
  }
}

// one job at a time: four bodies being built at once would hold four bodies' memory
let chain = Promise.resolve();
parentPort?.on('message', (job) => { chain = chain.then(() => answer(job)); });
