// http.js — the small HTTP vocabulary every route shares: the API's error type, strict query
// parameters, conditional GETs and content negotiation for large binaries.

/** Query values are timestamps and small integers; anything longer is abuse or a mistake. */
export const MAX_QUERY_VALUE = 256;

/** A 4xx/5xx answer with the API's JSON error shape. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * One query parameter: a single string of bounded length, or undefined.
 * @param {any} query
 * @param {string} name
 * @returns {string|undefined}
 */
export function queryValue(query, name) {
  const v = query[name];
  if (Array.isArray(v)) throw new HttpError(400, 'BAD_QUERY', `${name}: give it once`);
  return v;
}

/**
 * @param {string|undefined} text
 * @param {string} name
 * @param {number} min
 * @param {number} max
 * @param {number} dflt
 * @param {string} code
 */
export function intParam(text, name, min, max, dflt, code) {
  if (text === undefined) return dflt;
  if (!/^\d{1,9}$/.test(text)) throw new HttpError(400, code, `${name}: must be an integer in ${min}..${max}`);
  const n = Number(text);
  if (n < min || n > max) throw new HttpError(400, code, `${name}: must be an integer in ${min}..${max}, got ${n}`);
  return n;
}

/**
 * Does an If-None-Match header match this ETag (weak comparison, as RFC 9110 asks for GET)?
 * @param {string|undefined} header
 * @param {string} etag
 */
export function etagMatches(header, etag) {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * The encoding to send a large binary in: brotli, else gzip, else none (null), by the request's
 * Accept-Encoding; a coding with q=0 is refused.
 * @param {string | string[] | undefined} header
 * @returns {'br' | 'gzip' | null}
 */
export function preferredEncoding(header) {
  /** @type {Set<string>} */
  const ok = new Set();
  for (const part of String(header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((x) => x.trim());
    const q = params.find((x) => x.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) ok.add(name);
  }
  return ok.has('br') ? 'br' : ok.has('gzip') ? 'gzip' : null;
}

/**
 * Does the request's Accept-Encoding take gzip (not refused with q=0)?
 * @param {string | string[] | undefined} header
 */
export function acceptsGzip(header) {
  return String(header ?? '').toLowerCase().split(',').some((part) => {
    const [name, ...params] = part.split(';').map((x) => x.trim());
    const q = params.find((x) => x.startsWith('q='));
    return name === 'gzip' && !(q && Number(q.slice(2)) === 0);
  });
}

/**
 * The API's 404, for routes and static files alike.
 * @param {import('fastify').FastifyRequest} req
 * @param {import('fastify').FastifyReply} reply
 */
export function notFound(req, reply) {
  reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0].slice(0, 200)}` } });
}

/**
 * A copy of an upstream base URL whose path ends with "/", so that `new URL('api/v1/…', it)`
 * resolves under the base's path (https://host/feed → https://host/feed/api/v1/…) for every
 * relay request alike.
 * @param {URL} u
 */
export function withSlash(u) {
  const c = new URL(u.href);
  if (!c.pathname.endsWith('/')) c.pathname += '/';
  return c;
}
