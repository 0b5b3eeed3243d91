// model-file.js — the saved model a feed offers at /api/v1/model: its name and format version,
// the file read once per change, its compressed copies made once per file and encoding, and its
// window files (?profiles=window: the next hour's profiles only), cut by the engine.

import { closeSync, openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress as brotliCb, constants as zlibConstants, gzip as gzipCb } from 'node:zlib';
import { strongEtag } from './formats.js';

/** The saved model a dataset (or snapshot directory) folder may hold, written by flowcast-train. */
export const MODEL_FILE = 'model.fcm';
/** Format version of model files this build writes and reads (the engine's
 * fc_model_format_version): start.js retrains a dataset's model file of another version. */
export { modelFormatVersion } from '../flowcast.js';

/** Copies kept by default: both files (with and without profiles) in both encodings, and a
 * window file's (its own CompressedCopies: a new window replaces the old one's copies). */
const MAX_COMPRESSED = 4;

const brotliCompress = promisify(brotliCb);
const gzip = promisify(gzipCb);

/**
 * The format version in a model file's header, or -1 when the file is too short to have one.
 * @param {string} path
 */
export function modelFileVersion(path) {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    return readSync(fd, head, 0, 12, 0) === 12 ? head.readUInt32LE(8) : -1;
  } finally {
    closeSync(fd);
  }
}

/** @typedef {{ body: Buffer, etag: string }} ModelBody */

/** A model file on disk, read again only when its size or mtime changes. */
export class ModelFile {
  /** @type {{ mtimeMs: number, size: number, body: Buffer, etag: string } | null} */
  #cached = null;

  /** @param {string | null} path null: the feed offers no model (a relay) */
  constructor(path) {
    this.path = path;
  }

  /** The file's bytes and ETag; null when there is none. @returns {Promise<ModelBody | null>} */
  async load() {
    if (!this.path) return null;
    const st = await stat(this.path).catch(() => null);
    if (!st?.isFile()) return null;
    if (this.#cached?.mtimeMs !== st.mtimeMs || this.#cached.size !== st.size) {
      const body = await readFile(this.path);
      this.#cached = { mtimeMs: st.mtimeMs, size: st.size, body, etag: strongEtag(body) };
    }
    return this.#cached;
  }
}

/**
 * Bodies compressed once per ETag and encoding: every page downloads the model (~3 MB for
 * Atlanta) and, in tile mode, its profile tiles (~370 KB each), and @fastify/compress would
 * spend ~90 ms (model) or ~40 ms (tile) of brotli on each download (PERFORMANCE.md §18, §33).
 * Asynchronous (zlib's thread pool); when `max` copies are held the next one starts afresh.
 */
export class CompressedCopies {
  /** @type {Map<string, Promise<Buffer>>} by "etag encoding" */
  #copies = new Map();

  /** @param {number} [max] copies kept (bodies × encodings) */
  constructor(max = MAX_COMPRESSED) {
    this.max = max;
  }

  /**
   * @param {ModelBody} m
   * @param {'br' | 'gzip'} encoding
   * @returns {Promise<Buffer>}
   */
  get(m, encoding) {
    const key = `${m.etag} ${encoding}`;
    let p = this.#copies.get(key);
    if (!p) {
      if (this.#copies.size >= this.max) this.#copies.clear();
      p = encoding === 'br'
        ? brotliCompress(m.body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: m.body.length } })
        : gzip(m.body, { level: 9 });
      p.catch(() => this.#copies.delete(key));
      this.#copies.set(key, p);
    }
    return p;
  }
}

/** Window files start on this grid (seconds), so one file serves every snapshot of 15 minutes. */
export const WINDOW_ALIGN_S = 900;
/** A window file covers the forecasts of this long after its start's grid step (seconds). */
export const WINDOW_HOUR_S = 3600;

/** @typedef {ModelBody & { first_ms: number, last_ms: number }} ModelWindow */

/**
 * Window files of the feed's model (GET /api/v1/model?profiles=window): the model with only the
 * profile cells that forecasts from the next hour of snapshots read, for a page's first forecast
 * (~77 KB with brotli for Atlanta, against ~225 KB for the full file). Cut by the engine (wasm,
 * fc_engine_save_model_window) from the folder's model file, for the grid step of 15 minutes
 * that holds the latest snapshot, extended so it covers an hour after any snapshot of that
 * step: one file per 15 minutes, rebuilt only when the latest snapshot enters the next step (or
 * the network or model changes); its brotli and gzip copies are made as soon as it is cut.
 */
export class ModelWindows {
  /** @type {{ key: string, file: Promise<ModelWindow> } | null} the current window */
  #window = null;

  /**
   * @param {import('./model-engine.js').ModelEngine} engine the feed's model engine
   * @param {CompressedCopies} compressed where the window's encoded copies are kept
   */
  constructor(engine, compressed) {
    this.engine = engine;
    this.compressed = compressed;
    engine.onChange(() => { this.#window = null; });
  }

  /**
   * The window file for the latest snapshot at latest_ms; 409 MODEL_MISMATCH when the model
   * file does not fit the network.
   * @param {{ json: string, etag: string, interval_s: number }} network
   * @param {ModelBody} model
   * @param {number} latest_ms
   * @returns {Promise<ModelWindow>}
   */
  async get(network, model, latest_ms) {
    const interval_ms = network.interval_s * 1000;
    // slots as the engine counts them: a snapshot at ts is in the slot holding ts - 1 ms
    const slot = Math.floor((latest_ms - 1) / interval_ms);
    const step = Math.max(1, Math.floor(WINDOW_ALIGN_S / network.interval_s));
    const first = Math.floor(slot / step) * step;
    const key = `${network.etag}/${model.etag}/${first}`;
    if (this.#window?.key !== key) {
      const p = this.engine.get(network, model);
      const file = (async () => {
        const engine = await p;
        // origins first .. first + step - 1 + an hour: any snapshot of this step plus an hour
        const span_s = (step - 1) * network.interval_s + WINDOW_HOUR_S;
        const body = Buffer.from(engine.saveModel({ window: (first + 1) * interval_ms, spanS: span_s }));
        const w = { body, etag: strongEtag(body), first_ms: (first + 1) * interval_ms, last_ms: (first + 1) * interval_ms + span_s * 1000 };
        // precompressed: the first page of the window does not wait for brotli
        for (const enc of /** @type {const} */ (['br', 'gzip'])) this.compressed.get(w, enc).catch(() => {});
        return w;
      })();
      file.catch(() => { if (this.#window?.file === file) this.#window = null; });
      this.#window = { key, file };
    }
    return this.#window.file;
  }
}
