// csp.js — the Content-Security-Policy of each HTML page: only what the app loads, the map tile
// host, and hashes of the page's own inline blocks; computed once per page and file version.

import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** Pages named embed*.html are made to be framed by partner sites; the others are not. */
const FRAMEABLE_PAGE = /^embed[^/]*\.html$/;

/**
 * The CSP source for a tile URL template's host: "https://{s}.tile.openstreetmap.org/..." ->
 * "https://*.tile.openstreetmap.org"; "" when there is none ("none", a relative URL).
 * @param {string} tiles
 */
export function tileSource(tiles) {
  const m = /^(https?:\/\/)([^/]+)/.exec(tiles);
  if (!m) return '';
  return m[1] + m[2].replace(/\{[a-z]+\}/g, '*');
}

/**
 * The hashes CSP needs to let the inline <script> and <style> blocks of a page run, and only
 * those (the shipped pages have none today; a page an operator adds may).
 * @param {string} html
 */
function inlineHashes(html) {
  const hash = (/** @type {string} */ text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => hash(m[1]));
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => hash(m[1]));
  return { scripts, styles };
}

/** Page policies, re-derived only when a page's mtime changes (an operator edits it). */
export class PagePolicies {
  /** @type {Map<string, { mtimeMs: number, csp: string }>} by file path */
  #policies = new Map();

  /** @param {string} tiles the map tile URL template whose host img-src allows */
  constructor(tiles) {
    this.tileHost = tileSource(tiles);
  }

  /**
   * The policy of one page.
   * @param {string} file its path on disk
   * @param {string} rel its path under the site root, '/'-separated
   */
  get(file, rel) {
    const mtimeMs = statSync(file).mtimeMs;
    let c = this.#policies.get(file);
    if (c?.mtimeMs !== mtimeMs) {
      const { scripts, styles } = inlineHashes(readFileSync(file, 'utf8'));
      const csp = [
        "default-src 'none'",
        `script-src 'self' 'wasm-unsafe-eval' ${scripts.join(' ')}`.trim(),
        `style-src 'self' ${styles.join(' ')}`.trim(),
        `img-src 'self' data: ${this.tileHost}`.trim(), // data: Leaflet blanks failed tiles with a data: GIF
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        ...(FRAMEABLE_PAGE.test(rel) ? [] : ["frame-ancestors 'self'"]),
      ].join('; ');
      c = { mtimeMs, csp };
      this.#policies.set(file, c);
    }
    return c.csp;
  }
}
