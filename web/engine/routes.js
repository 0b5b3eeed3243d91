// routes.js — travel-time questions on a predictor's forecast: the time-dependent travel time
// between two stations, the best departure in a window, and the route cache's counters. The
// engine (c/src/route.c behind fc_engine_travel_time) does the work and caches the answers per
// data version; this side maps station ids to indices and reads the result structs.

import {
  DEPARTURE, DEPARTURE_BYTES, FC_E_GAP, FC_OK, FC_ROUTE_NO_CACHE, TRAVEL_SEGMENT, TRAVEL_SEGMENT_BYTES, TRAVEL_TIME, TRAVEL_TIME_BYTES,
} from './abi.js';
import { FlowcastError } from './errors.js';

/** @typedef {import('./predictor.js').Predictor} Predictor */

/**
 * @typedef {object} TravelSegment
 * @property {string} from          station id where the segment starts
 * @property {string} to            station id where it ends
 * @property {number} lengthMi
 * @property {number} speedMph      speed used: harmonic mean of both ends' forecasts at entry
 * @property {number} entryMinutes  minutes after departure when the traveller enters it
 * @property {boolean} estimated    an end's speed is estimated from its neighbours (no reading
 *   of its own, evidence `neighbours`), with their wider interval
 */

/**
 * @typedef {object} TravelTime
 * @property {number} departAt         Unix ms
 * @property {number} minutes          predicted travel time (central forecast)
 * @property {number} distanceMi
 * @property {number} freeFlowMinutes  at the speed limits
 * @property {number} delayMinutes     max(0, minutes - freeFlowMinutes)
 * @property {number} low              10–90% range of the travel time, minutes
 * @property {number} high
 * @property {number} estimatedSegments segments costed from a neighbour estimate (`estimated`)
 * @property {TravelSegment[]} segments the path, origin first
 */

/**
 * @typedef {object} Departure
 * @property {number} departAt  Unix ms
 * @property {number} minutes
 * @property {number} low
 * @property {number} high
 */

/**
 * @typedef {object} BestDeparture
 * @property {Departure[]} departures  one per departure time in the window
 * @property {Departure} best          the fastest (the earliest among equals)
 * @property {number} savesMinutes     minutes saved against leaving at the window's start
 */

/** @type {WeakMap<string[], Map<string, number>>} station index per network's id list */
const stationIndexes = new WeakMap();

/**
 * Index of a station id (a Map built once per network: a new network is a new id list).
 * @param {Predictor} p
 * @param {unknown} id
 * @param {string} what  for the message
 */
function station(p, id, what) {
  let ids = stationIndexes.get(p.sensorIds);
  if (!ids) stationIndexes.set(p.sensorIds, ids = new Map(p.sensorIds.map((s, i) => [s, i])));
  const i = typeof id === 'string' ? ids.get(id) : undefined;
  if (i === undefined) throw new FlowcastError('E_NOT_FOUND', `${what}: unknown station ${JSON.stringify(id)}`);
  return i;
}

/**
 * @param {Predictor} p
 * @param {number} status
 * @param {string} what
 */
function routeError(p, status, what) {
  const x = p.rt.x;
  const msg = p.rt.cString(x.fc_engine_message(p.engine)) || p.rt.cString(x.fc_strerror(status));
  const err = new FlowcastError(p.rt.statusName(status), `${what}: ${msg.replace(/^(travel time|best departure): /, '')}`);
  // E_GAP: the station without evidence, as route.c names it ("no data at station \"id\"")
  const gap = status === FC_E_GAP ? /no data at station "([^"]*)"/.exec(msg) : null;
  if (gap) return Object.assign(err, { station: gap[1] });
  return err;
}

/**
 * Time-dependent travel time between two stations on the current forecast: each segment at
 * the speed forecast for when the traveller reaches it, along the fastest path. Results are
 * cached per data version (a new snapshot or model invalidates them). Throws FlowcastError for
 * a bad query: E_NOT_FOUND (unknown station, no path), E_ARG (from === to), E_RANGE (departure
 * outside the forecast), E_STATE (no model or data), E_GAP (the path crosses a station with no
 * evidence at all: no reading, learned profile or reporting neighbour; the message names it and
 * the error's `station` holds its id). A travel time is never costed from an invented speed.
 * @param {Predictor} p
 * @param {{ from: string, to: string, departAt?: number, cache?: boolean }} query
 *   departAt: Unix ms, default the newest data time; cache: false computes afresh (benchmarks)
 * @returns {TravelTime}
 */
export function travelTime(p, { from, to, departAt, cache = true }) {
  p._live();
  const a = station(p, from, 'travelTime: from'), b = station(p, to, 'travelTime: to');
  const rt = p.rt, n = p.sensorIds.length;
  const at = p._block(TRAVEL_TIME_BYTES + TRAVEL_SEGMENT_BYTES * n);
  const depart = departAt ?? p._newest();
  if (typeof depart !== 'number' || Number.isNaN(depart)) {
    if (departAt === undefined) throw new FlowcastError('E_STATE', 'travelTime: no data: ingest a snapshot first');
    throw new FlowcastError('E_ARG', `travelTime: departAt must be Unix milliseconds, got ${String(departAt)}`);
  }
  const segAt = at + TRAVEL_TIME_BYTES;
  const status = rt.x.fcw_travel_time(p.engine, a, b, depart, cache ? 0 : FC_ROUTE_NO_CACHE, at, segAt, n);
  if (status !== FC_OK) throw routeError(p, status, 'travelTime');
  const v = rt.view, t = TRAVEL_TIME, s = TRAVEL_SEGMENT;
  const count = v.getUint32(at + t.n_segments, true);
  /** @type {TravelSegment[]} */
  const segments = new Array(count);
  for (let i = 0, q = segAt; i < count; i++, q += TRAVEL_SEGMENT_BYTES) {
    segments[i] = {
      from: p.sensorIds[v.getUint32(q + s.from, true)],
      to: p.sensorIds[v.getUint32(q + s.to, true)],
      lengthMi: v.getFloat32(q + s.length_mi, true),
      speedMph: v.getFloat32(q + s.speed_mph, true),
      entryMinutes: v.getFloat64(q + s.entry_min, true),
      estimated: v.getUint32(q + s.estimated, true) !== 0,
    };
  }
  return {
    departAt: depart,
    minutes: v.getFloat64(at + t.minutes, true),
    distanceMi: v.getFloat64(at + t.distance_mi, true),
    freeFlowMinutes: v.getFloat64(at + t.free_flow_minutes, true),
    delayMinutes: v.getFloat64(at + t.delay_minutes, true),
    low: v.getFloat64(at + t.low_minutes, true),
    high: v.getFloat64(at + t.high_minutes, true),
    estimatedSegments: v.getUint32(at + t.n_estimated, true),
    segments,
  };
}

/**
 * "When should I leave?": the travel time for each departure in [earliest, latest] every
 * stepMin minutes, the fastest, and the minutes it saves against leaving at `earliest`.
 * Defaults: earliest = the newest data time, latest = the end of the forecast, stepMin = 5.
 * Throws FlowcastError like travelTime (E_RANGE for a window outside the forecast).
 * @param {Predictor} p
 * @param {{ from: string, to: string, earliest?: number, latest?: number, stepMin?: number }} query
 * @returns {BestDeparture}
 */
export function bestDeparture(p, { from, to, earliest, latest, stepMin = 5 }) {
  p._live();
  const a = station(p, from, 'bestDeparture: from'), b = station(p, to, 'bestDeparture: to');
  const rt = p.rt, x = rt.x;
  const start = earliest ?? p._newest();
  const end = latest ?? start + x.fc_engine_horizons(p.engine) * p.intervalS * 1000;
  const stepMs = Math.round(stepMin * 60000);
  if (!(stepMs >= 1000)) throw new FlowcastError('E_ARG', `bestDeparture: stepMin must be at least 1/60 (one second), got ${stepMin}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    if (earliest === undefined && Number.isNaN(start)) throw new FlowcastError('E_STATE', 'bestDeparture: no data: ingest a snapshot first');
    throw new FlowcastError('E_ARG', 'bestDeparture: earliest and latest must be Unix milliseconds');
  }
  const count = Math.max(1, Math.min(100000, Math.floor((end - start) / stepMs) + 1));
  // two u32 first (how many, index of the fastest: fcw_best_departure), then the departures
  const at = p._block(8 + DEPARTURE_BYTES * count);
  const status = x.fcw_best_departure(p.engine, a, b, start, end, stepMs, at + 8, count, at);
  if (status !== FC_OK) throw routeError(p, status, 'bestDeparture');
  const v = rt.view, d = DEPARTURE;
  const n = v.getUint32(at, true), bi = v.getUint32(at + 4, true);
  /** @type {Departure[]} */
  const departures = new Array(n);
  for (let i = 0, q = at + 8; i < n; i++, q += DEPARTURE_BYTES) {
    departures[i] = {
      departAt: Number(v.getBigInt64(q + d.depart_ms, true)),
      minutes: v.getFloat64(q + d.minutes, true),
      low: v.getFloat64(q + d.low_minutes, true),
      high: v.getFloat64(q + d.high_minutes, true),
    };
  }
  return { departures, best: departures[bi], savesMinutes: departures[0].minutes - departures[bi].minutes };
}

/**
 * Counters of the route-result cache (zeros before the first query).
 * @param {Predictor} p
 * @returns {import('./abi.js').CacheStats}
 */
export function cacheStats(p) {
  p._live();
  return p._cacheStats((at) => p.rt.x.fc_engine_route_cache_stats(p.engine, at));
}
