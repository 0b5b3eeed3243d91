// places.js — what a commuter types for a trip's end, turned into stations: named places and
// their aliases ("Spaghetti Junction", "airport"), exit numbers ("Exit 255"), mileposts ("I-285
// mile 20"), a corridor's local name ("Inner Loop at Cumberland"), an area, a station id, or a
// position (geolocation). A place gives every carriageway's station there, not one direction:
// the trip planner lets the engine find which pair is the trip from A to B. Every word comes
// from the network document (flowcast.network/1, docs/FORMATS.md), which the engine validated.

import { carriagewayName, directionWords, fullStationName, stationName } from '../shared/names.js';

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').Sensor} Sensor */

/**
 * A resolved trip end, or why it could not be.
 * @typedef {{ label: string, stations: string[] } | { error: string }} Resolved
 */

/** @typedef {{ value: string, label: string }} Suggestion */

/** What the From/To boxes accept for the browser's position. */
export const MY_LOCATION = 'My location';
/** Farther than this from every station, a position is not on the network's roads. */
const NEAR_MI = 3;
/** A milepost farther than this from every station of its road is not on the network. */
const MILEPOST_SLACK_MI = 1;
const SUGGESTIONS = 12;

/**
 * Lower case, accents and punctuation gone, road names in one spelling ("Interstate 75",
 * "I75", "i 75" → "i-75"), so that what people type meets what the network says.
 * @param {string} s
 */
export function normalize(s) {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[–—]/g, '-')
    .replace(/\binterstate\s*/g, 'i-')
    .replace(/\b(i|us|ga|sr)\s*-?\s*(\d+)/g, '$1-$2')
    .replace(/[^a-z0-9.-]+/g, ' ').replace(/(^|\s)[.-]+|[.-]+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ').trim();
}

/**
 * How a station reads in full (road, direction, milepost, label): still accepted in a box, so
 * that links and habits from before places keep working.
 * @param {Sensor} st
 */
export function stationText(st) {
  return `${st.road} ${st.direction} · milepost ${st.milepost.toFixed(1)}${st.label ? ` · ${st.label}` : ''}`;
}

/** @param {number} lat1 @param {number} lon1 @param {number} lat2 @param {number} lon2 */
function miles(lat1, lon1, lat2, lon2) {
  const r = Math.PI / 180, dLat = (lat2 - lat1) * r, dLon = (lon2 - lon1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
  return 3958.8 * 2 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * The network's exits: exit number (lower case) → its stations, in the network's order.
 * @param {Network} network
 */
function exitsOf(network) {
  /** @type {Map<string, string[]>} */
  const exits = new Map();
  for (const s of network.sensors) {
    if (s.exit) exits.set(s.exit.toLowerCase(), [...(exits.get(s.exit.toLowerCase()) ?? []), s.id]);
  }
  return exits;
}

/**
 * What a commuter could type on this network, each a real one of its places, exits, mileposts
 * and (where it has no names) detectors: the trip form's hint and the error's advice. Without a
 * PlaceIndex: the hint is written when the network arrives, the index built when it is needed.
 * @param {Network} network
 * @returns {string[]} quoted examples, "My location" last
 */
export function placeExamples(network) {
  // a place as people say it: its shortest name in words (no road numbers, not an acronym):
  // "Cumberland", "airport", "Spaghetti Junction"
  const spoken = (/** @type {{ name: string, aliases?: string[] }} */ p) => [p.name, ...(p.aliases ?? [])]
    .filter((n) => !/\d/.test(n) && /[a-z]/.test(n)).sort((a, b) => a.length - b.length)[0];
  const out = (network.places ?? []).map(spoken).filter(Boolean).slice(0, 2);
  const exits = [...exitsOf(network).keys()];
  const exit = exits[Math.floor(exits.length / 2)];
  if (exit) out.push(`Exit ${exit.toUpperCase()}`);
  const c = network.corridors.find((k) => k.road && k.sensors.length > 1);
  const mid = c && c.sensors[Math.floor(c.sensors.length / 2)];
  const st = mid && network.sensors.find((s) => s.id === mid);
  if (c && st && Number.isFinite(st.milepost)) out.push(`${c.road} mile ${Math.round(st.milepost)}`);
  if (!out.length && network.sensors.length) out.push(network.sensors[0].id); // a detector's id
  return [...out.map((e) => `“${e}”`), '“My location”'];
}

export class PlaceIndex {
  /** @param {Network} network */
  constructor(network) {
    this.network = network;
    /** @type {Map<string, Sensor>} */
    this.byId = new Map(network.sensors.map((s) => [s.id, s]));
    /** @type {Map<string, string>} stationText → station id */
    this.byText = new Map(network.sensors.map((s) => [stationText(s), s.id]));
    /** @type {Map<string, string>} station id → corridor id */
    this.corridorOf = new Map();
    for (const c of network.corridors) for (const id of c.sensors) this.corridorOf.set(id, c.id);
    /** @type {Map<string, { label: string, stations: string[] }>} normalized name or alias → place */
    this.names = new Map();
    /** @type {{ value: string, label: string, key: string }[]} what suggestions are drawn from */
    this.entries = [{ value: MY_LOCATION, label: 'nearest road to you', key: 'my location' }];
    for (const p of network.places ?? []) {
      const place = { label: p.name, stations: p.sensors };
      this.names.set(normalize(p.name), place);
      this.entries.push({ value: p.name, label: this.#roadsOf(p.sensors), key: normalize(p.name) });
      for (const a of p.aliases ?? []) {
        if (!this.names.has(normalize(a))) this.names.set(normalize(a), place);
        this.entries.push({ value: a, label: p.name, key: normalize(a) });
      }
    }
    /** @type {Map<string, string[]>} exit number (lower case) → stations */
    this.exits = exitsOf(network);
    /** @type {Map<string, string[]>} normalized area → stations */
    this.areas = new Map();
    for (const s of network.sensors) {
      if (s.place) this.areas.set(normalize(s.place), [...(this.areas.get(normalize(s.place)) ?? []), s.id]);
    }
    for (const [exit, ids] of this.exits) {
      const st = /** @type {Sensor} */ (this.byId.get(ids[0]));
      const value = `Exit ${exit.toUpperCase()}`;
      this.entries.push({ value, label: `${st.road}${st.place ? ` · ${st.place}` : ''}`, key: normalize(`${value} ${st.road}`) });
    }
    /** @type {{ key: string, corridor: string, name: string }[]} "inner loop", "i-75 nb" … */
    this.qualifiers = [];
    for (const c of network.corridors) {
      for (const q of new Set([c.name, `${c.road} ${c.direction}`, `${c.road} ${directionWords(c.direction)}`])) {
        if (q) this.qualifiers.push({ key: normalize(q), corridor: c.id, name: c.name ?? carriagewayName(c) });
      }
      if (c.name) {
        for (const p of network.places ?? []) {
          if (!p.sensors.some((id) => this.corridorOf.get(id) === c.id)) continue;
          const value = `${c.name} at ${p.name}`;
          this.entries.push({ value, label: c.road, key: normalize(value) });
        }
      }
    }
    this.qualifiers.sort((a, b) => b.key.length - a.key.length);
    /** @type {Set<string>} the roads' names, normalized: what a milepost may name ("la corridor 5") */
    this.roads = new Set(network.corridors.map((c) => normalize(c.road ?? '')).filter(Boolean));
  }

  /** @returns {string[]} the network's examples (placeExamples) */
  examples() {
    return placeExamples(this.network);
  }

  /** @param {string[]} ids */
  #roadsOf(ids) {
    return [...new Set(ids.map((id) => this.byId.get(id)?.road))].join(' and ');
  }

  /**
   * Up to 12 suggestions for what has been typed so far: every typed word must begin a word of
   * the suggestion; those that begin with the whole text first.
   * @param {string} text
   * @returns {Suggestion[]}
   */
  suggest(text) {
    const q = normalize(text);
    if (!q) return this.entries.slice(0, SUGGESTIONS).map(({ value, label }) => ({ value, label }));
    const words = q.split(' ');
    /** @type {{ value: string, label: string, key: string }[]} */
    const extra = [];
    const mile = this.#parseMilepost(q);
    if (mile) {
      const r = this.resolve(text);
      if ('stations' in r) extra.push({ value: text.trim(), label: r.label, key: q });
    }
    const scored = [];
    for (const e of [...extra, ...this.entries]) {
      const keyWords = e.key.split(' ');
      if (!words.every((w) => keyWords.some((k) => k.startsWith(w)))) continue;
      scored.push({ e, score: e.key.startsWith(q) ? 0 : 1 });
    }
    scored.sort((a, b) => a.score - b.score || a.e.key.length - b.e.key.length);
    const seen = new Set();
    return scored.filter(({ e }) => !seen.has(e.value) && seen.add(e.value)).slice(0, SUGGESTIONS)
      .map(({ e }) => ({ value: e.value, label: e.label }));
  }

  /**
   * "i-285 mile 20", "mile 20 on i-285", "i-285 mm 20.5" → road and milepost, or null.
   * @param {string} q normalized
   */
  #parseMilepost(q) {
    const m = /^(?:(.+?)\s+)?(?:mile ?post|mile ?marker|mile|mp|mm)\s+(\d+(?:\.\d+)?)(?:\s+(?:on\s+)?(.+))?$/.exec(q);
    const road = m && (m[1] ?? m[3]);
    // a road: one of this network's ("la corridor 5"), or one written as roads are ("i-20")
    if (!m || !road || (m[1] && m[3]) || !(this.roads.has(road) || /^[a-z]+-\d+$/.test(road))) return null;
    return { road, milepost: Number(m[2]) };
  }

  /**
   * What a box's text means, or a sentence saying why it means nothing.
   * @param {string} text
   * @returns {Resolved}
   */
  resolve(text) {
    const raw = text.trim();
    if (!raw) return { error: 'Type a place, an exit or a milepost.' };
    // an exact station id, or a station's text from an older link: that station only
    const exact = this.byId.has(raw) ? raw : this.byText.get(raw) ?? this.#byName().get(raw);
    if (exact) return { label: exact, stations: [exact] };
    const q = normalize(raw);
    for (const ql of this.qualifiers) {
      const at = ` ${q} `.indexOf(` ${ql.key} `);
      if (at < 0) continue;
      // "inner loop at X", "X on the inner loop": only the words joining the two go
      const rest = `${q.slice(0, at)} ${q.slice(at + ql.key.length)}`.trim()
        .replace(/^((at|on|the|via)\s+)+|(\s+(at|on|the|via))+$/g, '').trim();
      if (!rest) return { error: `Say where on the ${ql.name}: for example "${ql.name} at ${this.network.places?.[0]?.name ?? 'exit 20'}".` };
      const inner = this.resolve(rest);
      if ('error' in inner) return inner;
      const stations = inner.stations.filter((id) => this.corridorOf.get(id) === ql.corridor);
      if (!stations.length) return { error: `${inner.label} is not on the ${ql.name}.` };
      return { label: `${inner.label}, ${ql.name}`, stations };
    }
    const named = this.names.get(q);
    if (named) return named;
    const exit = /^exit\s+(\d+[a-z]?)\b\s*(.*)$/.exec(q);
    if (exit) {
      let ids = this.exits.get(exit[1]) ?? [];
      const road = /\b([a-z]+-\d+)\b/.exec(exit[2])?.[1];
      if (road) ids = ids.filter((id) => normalize(this.byId.get(id)?.road ?? '') === road);
      if (!ids.length) return { error: `There is no exit ${exit[1].toUpperCase()} on these roads.` };
      const st = /** @type {Sensor} */ (this.byId.get(ids[0]));
      return { label: `Exit ${exit[1].toUpperCase()} (${st.road}${st.place ? `, ${st.place}` : ''})`, stations: ids };
    }
    const mile = this.#parseMilepost(q);
    if (mile) return this.#atMilepost(mile.road, mile.milepost);
    const area = this.areas.get(q);
    if (area) return { label: raw, stations: this.#middlePerCorridor(area) };
    // a word that begins one place's names only ("spaghetti"): that place
    const options = this.suggest(raw).filter((s) => s.value !== MY_LOCATION);
    for (const list of [options.filter((o) => normalize(o.value).startsWith(q)), options]) {
      const found = new Map(list.map((o) => this.resolve(o.value)).filter((r) => 'stations' in r)
        .map((r) => [/** @type {{ stations: string[] }} */ (r).stations.join(), r]));
      if (found.size === 1) return /** @type {Resolved} */ ([...found.values()][0]);
    }
    if (options.length > 1) return { error: `More than one place matches: ${options.slice(0, 3).map((o) => `"${o.value}"`).join(', ')}… Pick one from the list.` };
    return { error: `"${raw}" is not a place on these roads. Try for example ${this.examples().slice(0, -1).join(', ')}.` };
  }

  /**
   * On each carriageway of `road`, the station nearest the milepost (loops wrap round).
   * @param {string} road normalized
   * @param {number} mp
   * @returns {Resolved}
   */
  #atMilepost(road, mp) {
    const corridors = this.network.corridors.filter((c) => normalize(c.road) === road);
    if (!corridors.length) return { error: `${road.toUpperCase()} is not one of these roads.` };
    const stations = [];
    for (const c of corridors) {
      const len = c.loop ? Math.max(...c.sensors.map((id) => this.byId.get(id)?.milepost ?? 0)) : 0;
      let best = '', bd = Infinity;
      for (const id of c.sensors) {
        let d = Math.abs((this.byId.get(id)?.milepost ?? NaN) - mp);
        if (c.loop) d = Math.min(d, Math.abs(len - d));
        if (d < bd) { bd = d; best = id; }
      }
      if (bd <= MILEPOST_SLACK_MI) stations.push(best);
    }
    const roadName = corridors[0].road;
    if (!stations.length) return { error: `${roadName} has no mile ${mp} here.` };
    const st = /** @type {Sensor} */ (this.byId.get(stations[0]));
    return { label: `${roadName} mile ${mp}${st.place ? ` (${st.place})` : ''}`, stations };
  }

  /**
   * An area's stations are many; its middle one on each carriageway stands for it.
   * @param {string[]} ids
   */
  #middlePerCorridor(ids) {
    /** @type {Map<string, string[]>} */
    const by = new Map();
    for (const id of ids) {
      const c = this.corridorOf.get(id) ?? '';
      by.set(c, [...(by.get(c) ?? []), id]);
    }
    return [...by.values()].map((list) => list[Math.floor(list.length / 2)]);
  }

  /**
   * Where a commuter stands: the nearest station on each carriageway close to the nearest one
   * (both directions, and the other road at an interchange), or why not.
   * @param {number} lat
   * @param {number} lon
   * @returns {Resolved}
   */
  nearest(lat, lon) {
    /** @type {Map<string, { id: string, d: number }>} */
    const best = new Map();
    for (const s of this.network.sensors) {
      const d = miles(lat, lon, s.lat, s.lon), c = this.corridorOf.get(s.id) ?? s.id;
      if (d < (best.get(c)?.d ?? Infinity)) best.set(c, { id: s.id, d });
    }
    const all = [...best.values()].sort((a, b) => a.d - b.d);
    if (!all.length || all[0].d > NEAR_MI) {
      return { error: `You are ${all.length ? `${Math.round(all[0].d)} miles` : 'far'} from these roads: type a place instead.` };
    }
    const near = all.filter((x) => x.d <= all[0].d + 0.5);
    const st = /** @type {Sensor} */ (this.byId.get(near[0].id));
    return { label: `your location (${st.road}${st.place ? ` near ${st.place}` : ''})`, stations: near.map((x) => x.id) };
  }

  /** @type {Map<string, string> | null} a station's full name (fullStationName) → its id, for names no other station has */
  #names = null;

  /** Built on first need (a station picked on the map, or its name typed): most visits have none. */
  #byName() {
    if (this.#names) return this.#names;
    /** @type {Map<string, string>} */
    const names = new Map();
    const taken = new Set();
    for (const s of this.network.sensors) {
      const name = fullStationName(s, this.corridor(s.id));
      if (names.has(name)) taken.add(name);
      names.set(name, s.id);
    }
    for (const name of taken) names.delete(name);
    return (this.#names = names);
  }

  /**
   * What a box says for one station picked on the map: its full name, as its segment is named on
   * the map ("I-285 Inner Loop (clockwise), near Smyrna, mile 16.3 at Atlanta Rd"), when no other
   * station has it, else its station text; either means that station and no other.
   * @param {string} id
   */
  textOf(id) {
    const s = this.byId.get(id);
    if (!s) return id;
    const name = fullStationName(s, this.corridor(id));
    return this.#byName().get(name) === id ? name : stationText(s);
  }

  /**
   * How a chosen station reads in an answer, in the words of the map and the details
   * (shared/names.js): "I-285 Inner Loop (clockwise), exit 20 (Cumberland)".
   * @param {string} id
   */
  describe(id) {
    const s = this.byId.get(id);
    return s ? stationName(s, this.corridor(id)) : id;
  }

  /**
   * The carriageway a station is on, or null.
   * @param {string} id
   */
  corridor(id) {
    return this.network.corridors.find((x) => x.id === this.corridorOf.get(id)) ?? null;
  }
}
