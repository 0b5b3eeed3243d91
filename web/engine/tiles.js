// tiles.js — tile mode (c/src/engine_tiles.c): a predictor whose time-of-day profiles come
// from history profile tiles, one per sensor group and day type, fetched on demand by the
// caller's `fetchTile` and kept in an LRU cache inside the engine; plus exporting a tile from a
// full model (what servers do) and the tile cache's counters.

import { DAYTYPES, FC_E_STATE, FC_OK, TILE_MISSING_BASE } from './abi.js';
import { FlowcastError } from './errors.js';

/** @typedef {import('./predictor.js').Predictor} Predictor */
/** @typedef {(group: string, daytype: 'weekday' | 'weekend') => Promise<Uint8Array | ArrayBuffer>} FetchTile */

/** @type {WeakMap<Predictor, FetchTile>} the fetcher of each predictor in tile mode */
const fetchers = new WeakMap();

/**
 * Tile mode: from now on the model's time-of-day profiles come from history profile tiles —
 * one per sensor group (corridor; "~rest" for sensors in no corridor) and day type — that
 * `fetchTile` supplies on demand (e.g. from the feed server's
 * `GET /api/v1/profiles/<group>/<daytype>`), kept in an LRU cache of `maxBytes` inside the
 * engine; the model's own profile arrays are freed. Needs a loaded model. Then use
 * `await forecastAsync()` (it fetches what is missing); `forecast()` returns the newest
 * finished one. Throws FlowcastError on a bad size or state.
 * @param {Predictor} p
 * @param {{ maxBytes: number, fetchTile: FetchTile }} opts
 */
export function useProfileTiles(p, { maxBytes, fetchTile }) {
  p._live();
  if (typeof fetchTile !== 'function') throw new FlowcastError('E_ARG', 'useProfileTiles: fetchTile must be a function');
  const st = p.rt.x.fcw_tiles_enable(p.engine, Number(maxBytes));
  if (st !== FC_OK) throw p._fail(st, 'useProfileTiles');
  fetchers.set(p, fetchTile);
}

/**
 * The tile groups of the network (corridor ids, then "~rest" when some sensors are in none).
 * @param {Predictor} p
 * @returns {string[]}
 */
export function tileGroups(p) {
  p._live();
  const x = p.rt.x, out = [];
  for (let g = 0, n = x.fcw_tile_groups(p.engine); g < n; g++) out.push(p.rt.cString(x.fcw_tile_group_id(p.engine, g)));
  return out;
}

/**
 * The profile tile of one group and day type from this engine's model (servers do this; an
 * engine in tile mode has no profiles to export). Throws FlowcastError.
 * @param {Predictor} p
 * @param {string} group
 * @param {'weekday' | 'weekend'} daytype
 * @returns {Uint8Array}
 */
export function profileTile(p, group, daytype) {
  p._live();
  const g = tileGroups(p).indexOf(group);
  if (g < 0) throw new FlowcastError('E_NOT_FOUND', `profileTile: unknown group ${JSON.stringify(group)}`);
  const d = DAYTYPES.indexOf(daytype);
  if (d < 0) throw new FlowcastError('E_RANGE', `profileTile: day type must be "weekday" or "weekend"`);
  const rt = p.rt, size = rt.x.fcw_tile_size(p.engine, g);
  const at = rt.malloc(Math.max(size, 1));
  try {
    const st = rt.x.fcw_tile_export(p.engine, g, d, at, size);
    if (st !== FC_OK) throw p._fail(st, 'profileTile');
    return rt.u8.slice(at, at + size);
  } finally {
    rt.x.free(at);
  }
}

/**
 * Validates and caches one tile (untrusted bytes). Throws FlowcastError (E_SCHEMA, E_FIELD,
 * E_NETWORK_ID for another network or model, E_RANGE, E_TOO_LARGE over the cache).
 * @param {Predictor} p
 * @param {Uint8Array | ArrayBuffer} bytes
 */
export function putProfileTile(p, bytes) {
  p._live();
  const st = p._withBytes(bytes, (at, len) => p.rt.x.fcw_tile_put(p.engine, at, len));
  if (st !== FC_OK) throw p._fail(st);
}

/**
 * `forecast()` that works in tile mode too: forecasts group by group, fetching each missing
 * tile through `fetchTile` (so a cache smaller than the network's tiles still completes:
 * tiles are evicted and fetched again), then returns the forecast. Without tile mode it is
 * `forecast()`. If a snapshot is ingested while a tile is being fetched, it starts over.
 * @param {Predictor} p
 * @returns {Promise<import('./model.js').Forecast>}
 */
export async function forecastAsync(p) {
  p._live();
  const x = p.rt.x;
  if (!x.fcw_tiles_enabled(p.engine)) return p.forecast();
  const groups = tileGroups(p);
  for (let attempt = 0; attempt < 5; attempt++) {
    // fcw_forecast_tiles_begin/group (c/wasm/api.c) answer -status on failure
    const begun = x.fcw_forecast_tiles_begin(p.engine);
    if (begun < 0) throw p._fail(-begun, 'forecast');
    let restart = false;
    for (let g = 0; g < groups.length && !restart; g++) {
      for (;;) {
        const r = x.fcw_forecast_tiles_group(p.engine, g);
        if (r === FC_OK) break;
        if (r === -FC_E_STATE) { restart = true; break; } // the data changed while we awaited a tile
        if (r < 0) throw p._fail(-r, 'forecast');
        const tile = await fetchTile(p, groups[g], DAYTYPES[r - TILE_MISSING_BASE]);
        p._live();
        putProfileTile(p, tile);
      }
    }
    if (restart) continue;
    const st = x.fcw_forecast_tiles_end(p.engine);
    if (st === FC_E_STATE) continue;
    if (st !== FC_OK) throw p._fail(st, 'forecast');
    return p.forecast();
  }
  throw new FlowcastError('E_STATE', 'forecast: the data kept changing while profile tiles were fetched');
}

/**
 * @param {Predictor} p
 * @param {string} group
 * @param {'weekday' | 'weekend'} daytype
 */
async function fetchTile(p, group, daytype) {
  const fetch = fetchers.get(p);
  if (!fetch) throw new FlowcastError('E_STATE', 'profile tiles are not enabled');
  return fetch(group, daytype);
}

/**
 * Counters of the profile-tile cache (zeros unless tile mode is on).
 * @param {Predictor} p
 * @returns {import('./abi.js').CacheStats}
 */
export function tileCacheStats(p) {
  p._live();
  return p._cacheStats((at) => p.rt.x.fcw_tile_cache_stats(p.engine, at));
}
