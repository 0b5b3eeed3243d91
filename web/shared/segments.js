// segments.js — what every drawing of the network shares, whatever draws it: which corridors to
// show, the segments between consecutive stations, the right-hand offset that keeps the two
// directions of a road apart, and the speed a segment shows at a horizon. The page's map
// (page/map.js), the Leaflet layer for partner sites (embed/leaflet-layer.js) and the
// <flowcast-map> element (embed/flowcast-map.js) draw with different tools from these same
// pieces. No DOM, no Leaflet: only numbers, so Node can test it too.
//
// A segment is the stretch from one station to the next along a directional corridor (and, on
// a loop, from the last back to the first); it is represented by the detector at its start,
// whose speed colours it.

import { DASHED_BIN, colorOfBin } from './colors.js';

/** @typedef {import('./types.js').Network} Network */
/** @typedef {import('./types.js').Corridor} Corridor */
/** @typedef {import('../flowcast.js').Forecast} Forecast */

/**
 * @typedef {object} SegmentPair
 * @property {number} sensor    network sensor index of the station at its start
 * @property {number} next      sensor index of the station at its end
 * @property {number} corridor  index in network.corridors
 * @property {number} first     index (in the returned list) of its corridor's first segment
 * @property {number} count     segments in its corridor
 */

/** Dash pattern of a segment with no data, so that grey never reads as a speed. */
export const NO_DATA_DASH = '4 4';
/**
 * Dash pattern of the slowest class (colors.js DASHED_BIN): long dashes, unlike no data's even
 * ones, so that a reader who cannot tell dark red from the other colours still sees the jam.
 */
export const JAM_DASH = '12 4';

/**
 * The corridors a drawing shows: `want` names a road ("I-285": both directions) or a corridor
 * id ("I285-CW"); empty means all of them. An unknown name gives an empty list.
 * @param {Network} network
 * @param {string | null | undefined} want
 * @returns {Corridor[]}
 */
export function pickCorridors(network, want) {
  const w = (want ?? '').trim();
  return w ? network.corridors.filter((c) => c.id === w || c.road === w) : network.corridors;
}

/**
 * The segments of the given corridors, in corridor order.
 * @param {Network} network
 * @param {Corridor[]} [corridors] default: all
 * @returns {SegmentPair[]}
 */
export function segmentPairs(network, corridors = network.corridors) {
  const index = new Map(network.sensors.map((s, i) => [s.id, i]));
  /** @type {SegmentPair[]} */
  const out = [];
  for (const c of corridors) {
    const ci = network.corridors.indexOf(c);
    const ids = c.sensors.map((id) => /** @type {number} */ (index.get(id))).filter((i) => i !== undefined);
    const pairs = ids.slice(0, -1).map((s, k) => [s, ids[k + 1]]);
    if (c.loop && ids.length > 2) pairs.push([ids[ids.length - 1], ids[0]]);
    const first = out.length;
    for (const [sensor, next] of pairs) out.push({ sensor, next, corridor: ci, first, count: pairs.length });
  }
  return out;
}

/**
 * The shift that moves a line from (0,0) to (dx,dy) `dist` units to the right of its direction
 * of travel (as traffic drives in the US), in a frame whose y axis points down (screen pixels,
 * or SVG user units with y = -latitude).
 * @param {number} dx
 * @param {number} dy
 * @param {number} dist
 * @returns {[number, number]}
 */
export function rightOffset(dx, dy, dist) {
  const len = Math.hypot(dx, dy) || 1;
  return [(-dy / len) * dist, (dx / len) * dist];
}

/**
 * A segment's end points shifted `offsetPx` screen pixels to the right of travel at the map's
 * current zoom, so that the gap between the directions stays constant on screen. Call again on
 * every zoom change.
 * @param {any} map a Leaflet map
 * @param {{ lat: number, lon: number }} a start station
 * @param {{ lat: number, lon: number }} b end station
 * @param {number} offsetPx
 * @returns {any[]} two Leaflet LatLngs
 */
export function offsetLatLngs(map, a, b, offsetPx) {
  const zoom = map.getZoom();
  const pa = map.project([a.lat, a.lon], zoom), pb = map.project([b.lat, b.lon], zoom);
  const [ox, oy] = rightOffset(pb.x - pa.x, pb.y - pa.y, offsetPx);
  return [map.unproject([pa.x + ox, pa.y + oy], zoom), map.unproject([pb.x + ox, pb.y + oy], zoom)];
}

/**
 * The forecast step for a horizon in minutes (0 = now), rounded to the feed's interval and
 * clamped to 0…60 min and to the forecast's horizons; 0 while there is no forecast.
 * @param {Forecast | null | undefined} forecast
 * @param {number} minutes
 */
export function horizonStep(forecast, minutes) {
  if (!forecast) return 0;
  const m = Math.max(0, Math.min(60, Number(minutes) || 0));
  return Math.min(forecast.horizons, Math.round((m * 60) / forecast.intervalS));
}

/**
 * The speed (mph, NaN = missing) a sensor shows at a forecast step (0 = the current reading).
 * @param {ArrayLike<number>} speedMph current speeds by sensor
 * @param {Forecast | null | undefined} forecast
 * @param {number} sensor
 * @param {number} step
 */
export function speedAt(speedMph, forecast, sensor, step) {
  return step > 0 && forecast ? forecast.mid[sensor * forecast.horizons + step - 1] : speedMph[sensor];
}

/**
 * Leaflet path style for a speed bin (see colors.js; -1 = no data): the light-background colour,
 * which a page with themes overrides in CSS (colors.js applySpeedColors), and the line pattern.
 * @param {number} bin
 * @returns {{ color: string, dashArray: string | null }}
 */
export function segmentStyle(bin) {
  return { color: colorOfBin(bin), dashArray: bin < 0 ? NO_DATA_DASH : bin === DASHED_BIN ? JAM_DASH : null };
}
