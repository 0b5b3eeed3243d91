// GET /api/v1/model[?profiles=1|0|window]: the folder's saved model file; with profiles=0 the
// same model without its profiles (for pages that read profiles from tiles); with
// profiles=window the window file for the latest snapshot (the next hour's profiles only: what a
// page's first forecast needs, while the full file follows in the background). Precompressed.

import { HttpError, etagMatches, preferredEncoding, queryValue } from '../http.js';
import { CompressedCopies, ModelWindows } from '../model-file.js';

/** @param {import('fastify').FastifyInstance} api @param {{ feed: import('../context.js').FeedContext }} opts */
export async function modelRoutes(api, { feed }) {
  const compressed = new CompressedCopies();
  const windows = new ModelWindows(feed.modelEngine, new CompressedCopies());
  // What a page asks for first is ready before it asks: the window for the latest snapshot
  // (cut again when a snapshot moves it on) and the full file's compressed copies. Errors are
  // left to the requests, which report them.
  const prepare = async () => {
    try {
      const file = await feed.modelFile.load();
      const store = feed.source.store;
      const latest = store?.latest();
      if (!file) return;
      if (store && latest) await windows.get(store.network, file, latest.ts_ms);
      await Promise.all([compressed.get(file, 'br'), compressed.get(file, 'gzip')]);
    } catch { /* reported by the request that needs it */ }
  };
  const onAppend = () => { prepare(); };
  api.addHook('onReady', async () => {
    prepare();
    feed.source.store?.on('append', onAppend);
  });
  api.addHook('onClose', async () => {
    feed.source.store?.off('append', onAppend);
  });
  api.get('/model', async (req, reply) => {
    const profiles = queryValue(req.query, 'profiles') ?? '1';
    if (profiles !== '0' && profiles !== '1' && profiles !== 'window') {
      throw new HttpError(400, 'BAD_PROFILES', 'profiles: 1 (all), 0 (leave the profiles out, for tile mode) or window (the next hour\'s)');
    }
    const file = await feed.modelFile.load();
    if (!file) throw new HttpError(404, 'NO_MODEL', 'this feed offers no saved model: train one from /api/v1/history');
    /** @type {import('../model-file.js').ModelBody} */
    let m = file;
    let copies = compressed;
    if (profiles === '0') {
      // weights and intervals only, for engines that read profiles from tiles
      m = await feed.withTiles((net, f) => feed.profileTiles.modelWithoutProfiles(net, f));
    } else if (profiles === 'window') {
      const latest = feed.latest(); // 503 NO_SNAPSHOT before the first: no time to cut for
      const w = await windows.get(feed.store().network, file, latest.ts_ms);
      reply.header('x-flowcast-window', `${new Date(w.first_ms).toISOString()}/${new Date(w.last_ms).toISOString()}`);
      m = w;
      copies = windows.compressed;
    }
    reply.header('etag', m.etag).header('cache-control', 'no-cache').header('vary', 'Accept-Encoding');
    if (etagMatches(req.headers['if-none-match'], m.etag)) return reply.code(304).send();
    reply.type('application/octet-stream');
    const encoding = preferredEncoding(req.headers['accept-encoding']);
    if (!encoding) return reply.send(m.body);
    return reply.header('content-encoding', encoding).send(await copies.get(m, encoding));
  });
}
