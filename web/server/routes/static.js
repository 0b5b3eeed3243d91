// The static site under public/ (the page, embeds, the built JS, the wasm, vendored libraries):
// pages get a Content-Security-Policy, and the files a partner site loads for <flowcast-map>
// from this server get the same CORS headers as the API. Caching: the page's files under app/
// are named by their content (tools/build-site.js), so a browser may keep them for a year
// without asking again; everything else (the pages, sw.js, the unhashed js/, vendor/, the wasm)
// is revalidated on every use (its ETag and Last-Modified make that a 304).

import { realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { PagePolicies } from '../csp.js';

/** Static files a partner site on another origin loads for <flowcast-map>: its module, worker
 * and their imports (js/), vendored libraries, the wasm. Paths under the site root: the one
 * place that knows the layout the build gives public/. */
const CROSS_ORIGIN_STATIC = /^(js|vendor)\/|^flowcast(-debug)?\.wasm$/;
/** The build's content-addressed files: app/NAME-HASH.EXT (a new content, a new name). */
const CONTENT_ADDRESSED = /^app\/[^/]+-[A-Z0-9]{8}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * @param {import('fastify').FastifyInstance} app
 * @param {{ root: string, tiles: string }} opts root: the site folder, tiles: the map tile URL template
 */
export async function staticRoutes(app, opts) {
  const root = realpathSync(opts.root);
  const policies = new PagePolicies(opts.tiles);
  await app.register(fastifyStatic, {
    root, index: ['index.html'],
    cacheControl: false, // set per file below
    // A deployment's public/ may hold a .git/, an .env or an editor's swap file: a path with any
    // segment starting with "." is answered like a missing file (404), never served.
    dotfiles: 'ignore',
    // Whatever the URL decodes to, the file served must really be inside the root: a symlink
    // in public/ pointing elsewhere is refused like a path with "..".
    allowedPath: (pathName) => {
      let real;
      try {
        real = realpathSync(join(root, pathName));
      } catch {
        return true; // does not exist: a 404 follows
      }
      return real === root || real.startsWith(root + sep);
    },
    setHeaders: (/** @type {any} */ reply, /** @type {string} */ file) => {
      const rel = relative(root, file).split(sep).join('/');
      reply.header('cache-control', CONTENT_ADDRESSED.test(rel) ? IMMUTABLE : 'no-cache');
      if (/\.html?$/.test(file)) {
        reply.header('content-security-policy', policies.get(file, rel));
      } else if (CROSS_ORIGIN_STATIC.test(rel)) {
        reply.header('access-control-allow-origin', '*');
        reply.header('cross-origin-resource-policy', 'cross-origin');
      }
    },
  });
}
