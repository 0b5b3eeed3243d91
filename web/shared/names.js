// names.js — the words a commuter reads for a place on the network, in one place so that the
// details headline, the map's accessible names and the trip answer say the same thing. Atlantans
// (and 511GA's signs and radio) call I-285's carriageways the Inner Loop (clockwise) and the Outer
// Loop, not "CW/CCW"; other roads go by their compass direction in full ("I-75 northbound"). A
// spot is its exit number and area when the network has them ("exit 20 (Cumberland)"), else the
// area ("near Smyrna"), else the station's label or its milepost. Every word comes from the
// network document (docs/FORMATS.md: corridor `name`, sensor `exit`, `place`, `label`); the
// direction codes are the format's own examples. No DOM: Node tests use it too.

/** @typedef {import('./types.js').Network} Network */
/** @typedef {import('./types.js').Sensor} Sensor */
/** @typedef {import('./types.js').Corridor} Corridor */

/** The direction codes of docs/FORMATS.md in words; any other code is shown as the network wrote it. */
const DIRECTION_WORDS = /** @type {Record<string, string>} */ ({
  NB: 'northbound', SB: 'southbound', EB: 'eastbound', WB: 'westbound',
  CW: 'clockwise', CCW: 'counterclockwise',
});

/**
 * "northbound" for "NB", "clockwise" for "CW"; an unknown code as it is.
 * @param {string} direction
 */
export const directionWords = (direction) => DIRECTION_WORDS[direction.toUpperCase()] ?? direction;

/**
 * A carriageway by its local name when it has one, the direction in words beside it for
 * newcomers: "I-285 Inner Loop (clockwise)", "I-75 northbound".
 * @param {Pick<Corridor, 'road' | 'direction' | 'name'>} corridor
 */
export function carriagewayName(corridor) {
  const dir = directionWords(corridor.direction);
  if (!corridor.name) return `${corridor.road} ${dir}`;
  return dir === corridor.direction ? `${corridor.road} ${corridor.name}` : `${corridor.road} ${corridor.name} (${dir})`;
}

/**
 * Where on its road a station is: "exit 20 (Cumberland)", "near Smyrna", "at Washington Rd",
 * "mile 12.3" (the first the network provides).
 * @param {Sensor} st
 */
export function spotName(st) {
  if (st.exit) return `exit ${st.exit}${st.place ? ` (${st.place})` : ''}`;
  if (st.place) return `near ${st.place}`;
  return st.label ?? mileName(st);
}

/**
 * The milepost and, when the network has one, the station's own label: "mile 12.3 at Cobb Pkwy".
 * Distinguishes neighbouring stations that share an exit or an area.
 * @param {Sensor} st
 */
export const mileName = (st) => `mile ${st.milepost.toFixed(1)}${st.label ? ` ${st.label}` : ''}`;

/**
 * Which network corridor a station belongs to (the first that lists it), or null.
 * @param {Network} network
 * @param {string} id
 */
export function corridorOf(network, id) {
  return network.corridors.find((c) => c.sensors.includes(id)) ?? null;
}

/**
 * The carriageway and spot of a station: "I-285 Inner Loop (clockwise), exit 20 (Cumberland)".
 * A station on no corridor is named from its own road and direction.
 * @param {Sensor} st
 * @param {Corridor | null} corridor
 */
export const stationName = (st, corridor) => `${carriagewayName(corridor ?? st)}, ${spotName(st)}`;

/**
 * A station named in full, for a screen reader moving from segment to segment, where stations
 * that share an exit or an area must still sound different: "I-285 Inner Loop (clockwise),
 * exit 20 (Cumberland), mile 19.1 at Cobb Pkwy".
 * @param {Sensor} st
 * @param {Corridor | null} corridor
 */
export function fullStationName(st, corridor) {
  const spot = spotName(st);
  const mile = spot === st.label ? `mile ${st.milepost.toFixed(1)}` : mileName(st);
  // a station with no exit, place or label is named by its milepost already: once is enough
  return spot === mile ? `${carriagewayName(corridor ?? st)}, ${spot}` : `${carriagewayName(corridor ?? st)}, ${spot}, ${mile}`;
}
