// 405 Method Not Allowed for the feed's routes, derived from the routes themselves: every GET
// route registered inside this scope (the API and /healthz) answers the other methods with 405
// and `Allow: GET, HEAD`, so a new route cannot be left answering 404 to a POST. Static files
// are outside the scope: a POST to a page is a 404, as for a file that does not exist.

import { HttpError } from '../http.js';

/** The methods answered with 405 (OPTIONS is CORS's preflight; HEAD comes with every GET). */
const REFUSED = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** @param {import('fastify').FastifyRequest} req @param {import('fastify').FastifyReply} reply */
async function methodNotAllowed(req, reply) {
  reply.header('allow', 'GET, HEAD');
  throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use GET`);
}

/**
 * Registers `plugins` (each `[plugin, options]`) in this scope, then a 405 route for each GET
 * route they registered; `paths` receives those routes' URLs.
 * @param {import('fastify').FastifyInstance} scope
 * @param {{ plugins: Array<[import('fastify').FastifyPluginAsync<any>, object]>, paths: string[] }} opts
 */
export async function getOnlyRoutes(scope, { plugins, paths }) {
  let installed = false;
  scope.addHook('onRoute', (route) => {
    if (![route.method].flat().includes('GET') || /** @type {{ notFound?: boolean } | undefined} */ (route.config)?.notFound) return;
    // a GET route added after the 405s (from a hook, say) would silently miss its own
    if (installed) throw new Error(`${route.url}: GET route registered after the 405 handlers`);
    paths.push(route.url);
  });
  for (const [plugin, options] of plugins) await scope.register(plugin, options);
  installed = true;
  for (const url of paths) scope.route({ method: REFUSED, url, handler: methodNotAllowed });
}
