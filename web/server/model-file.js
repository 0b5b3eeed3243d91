// model-file.js — the saved model a feed offers at /api/v1/model: its name and format version,
// the file read once per change, and its compressed copies made once per file and encoding.

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

/** Copies kept: both files (with and without profiles) in both encodings. */
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
 * Model bodies compressed once per ETag and encoding: every page downloads the model (~3 MB for
 * Atlanta), and @fastify/compress would spend ~90 ms of brotli on each download
 * (PERFORMANCE.md §18). Asynchronous (zlib's thread pool); a new file replaces the old copies.
 */
export class CompressedCopies {
  /** @type {Map<string, Promise<Buffer>>} by "etag encoding" */
  #copies = new Map();

  /**
   * @param {ModelBody} m
   * @param {'br' | 'gzip'} encoding
   * @returns {Promise<Buffer>}
   */
  get(m, encoding) {
    const key = `${m.etag} ${encoding}`;
    let p = this.#copies.get(key);
    if (!p) {
      if (this.#copies.size >= MAX_COMPRESSED) this.#copies.clear();
      p = encoding === 'br'
        ? brotliCompress(m.body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: m.body.length } })
        : gzip(m.body, { level: 9 });
      p.catch(() => this.#copies.delete(key));
      this.#copies.set(key, p);
    }
    return p;
  }
}
