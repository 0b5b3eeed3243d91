// map-labels.js — road names and direction arrows over the map's segments, so that the network
// reads without map tiles (blocked, offline, a failed tile server), when nothing else on the map
// says which line is I-75 or which way a carriageway runs. Each road gets a shield ("I-75",
// "I-285") a few times along its length, beside the road rather than on it, so no speed colour is
// hidden; each carriageway gets small chevrons at regular screen distances on the outer side of
// its own line (segments are drawn right of their direction of travel), rotated to the
// segment's direction on screen. Both are placed in screen pixels, so they are recomputed when
// the zoom changes, and only those in (or near) the view are made.
//
// They are decoration for sighted readers: the segments carry the words for screen readers and
// every click, so the marks live in their own pane that is aria-hidden and takes no pointer
// events (a tap on a shield reaches the segment or hit area under it). Colours are style.css's.

import { rightOffset } from '../shared/segments.js';

/** @typedef {import('./map.js').SegmentMap} SegmentMap */
/** @typedef {{ x: number, y: number }} Point */
/** @typedef {{ left: number, right: number, top: number, bottom: number }} Box */
/** Each corridor's segments in projected pixels (corridorLines). @typedef {Map<number, { a: Point, b: Point, index: number }[]>} Lines */

/** @param {Point} p @param {{ w: number, h: number }} size @returns {Box} */
const boxAt = (p, size) => ({ left: p.x - size.w / 2, right: p.x + size.w / 2, top: p.y - size.h / 2, bottom: p.y + size.h / 2 });
/** Distance from a point to a box (0 inside). @param {Box} b @param {Point} p */
const pointGap = (b, p) => Math.hypot(Math.max(b.left - p.x, 0, p.x - b.right), Math.max(b.top - p.y, 0, p.y - b.bottom));
/**
 * Whether the segment a-b crosses the box: Liang-Barsky clipping, after a bounding-box test that
 * settles almost every segment of the map (placing runs on every pan and zoom, over every
 * segment for every candidate spot, so it allocates nothing).
 * @param {Box} r @param {Point} a @param {Point} b
 */
function crosses(r, a, b) {
  if (Math.max(a.x, b.x) < r.left || Math.min(a.x, b.x) > r.right || Math.max(a.y, b.y) < r.top || Math.min(a.y, b.y) > r.bottom) return false;
  const dx = b.x - a.x, dy = b.y - a.y;
  let t0 = 0, t1 = 1;
  /** One edge's clip; false when the segment lies wholly outside it. @param {number} p @param {number} q */
  const clip = (p, q) => {
    if (p === 0) return q >= 0;
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    return t0 <= t1;
  };
  return clip(-dx, a.x - r.left) && clip(dx, r.right - a.x) && clip(-dy, a.y - r.top) && clip(dy, r.bottom - a.y);
}
/** Distance between two boxes (0 when they overlap). @param {Box} a @param {Box} b */
const boxGap = (a, b) => Math.hypot(Math.max(a.left - b.right, 0, b.left - a.right), Math.max(a.top - b.bottom, 0, b.top - a.bottom));

/** Screen distance between a road's shields: three or four around I-285 on a phone's first view. */
const LABEL_SPACING_PX = 320;
/** A shield is skipped where its box comes closer than this to another shield's box, or to a
 * station of another road (an interchange), or where it covers a road's line (ROAD_CLEAR_PX
 * around the box). Measured between boxes, not centres: a long name (Los Angeles' "LA corridor
 * 12") is three times as wide as "I-75". */
const LABEL_CLEAR_PX = 24;
const INTERCHANGE_CLEAR_PX = 32;
const ROAD_CLEAR_PX = 4;
/** An arrow's centre at least this far from a shield's box: the 13 px chevron stays whole. */
const ARROW_CLEAR_PX = 8;
/** Screen distance between a carriageway's arrows: a few per road across a phone's screen. */
const ARROW_SPACING_PX = 110;
/** An arrow's centre right of the road's centre line: beyond the 3 px offset of the 4 px line (map.js), clear of it. */
const ARROW_OFFSET_PX = 12;
/** A shield's gap from the road's centre: beyond the arrows. Its box is measured (style.css .fc-shield). */
const SHIELD_GAP_PX = ARROW_OFFSET_PX + 8;
/** Marks this far outside the view are made too, so a short pan shows them at once. */
const VIEW_MARGIN_PX = 200;
const SVG = 'http://www.w3.org/2000/svg';

/**
 * Draws road shields and direction arrows for the map's network and keeps them placed as the
 * view changes.
 * @param {SegmentMap} segmentMap
 */
export function addRoadMarks(segmentMap) {
  const { L, map, network } = segmentMap;
  const pane = map.createPane('fcMarks');
  pane.classList.add('fc-marks');
  pane.setAttribute('aria-hidden', 'true');
  const layer = L.layerGroup().addTo(map);
  /** The roads, each once, in the network's order: one shield kind each. */
  const roads = [...new Set(network.corridors.map((c) => c.road))];
  /** @type {Map<string, { w: number, h: number }>} */
  const sizes = new Map();
  /** Every road's shield as style.css draws it, measured in the (hidden) pane: all at once, so
   * the page is laid out once, not once per road. A map not laid out yet measures 0: those are
   * measured again next time. */
  const measure = () => {
    const todo = roads.filter((r) => !sizes.has(r));
    if (!todo.length) return;
    const probes = todo.map((road) => {
      const probe = shieldElement(road);
      probe.style.visibility = 'hidden';
      pane.append(probe);
      return probe;
    });
    probes.forEach((probe, k) => {
      if (probe.offsetWidth > 0) sizes.set(todo[k], { w: probe.offsetWidth, h: probe.offsetHeight });
    });
    for (const probe of probes) probe.remove();
  };
  const sizeOf = (/** @type {string} */ road) => sizes.get(road) ?? { w: 8 * road.length + 10, h: 20 };
  const place = () => {
    layer.clearLayers();
    const zoom = map.getZoom();
    const at = network.sensors.map((s) => map.project([s.lat, s.lon], zoom));
    const view = map.getPixelBounds();
    const inView = (/** @type {Point} */ p) => p.x > view.min.x - VIEW_MARGIN_PX && p.x < view.max.x + VIEW_MARGIN_PX
      && p.y > view.min.y - VIEW_MARGIN_PX && p.y < view.max.y + VIEW_MARGIN_PX;
    /** @param {Point} p @param {HTMLElement} el */
    const mark = (p, el) => L.marker(map.unproject([p.x, p.y], zoom), {
      icon: L.divIcon({ className: 'fc-mark', html: el, iconSize: null }), interactive: false, keyboard: false, pane: 'fcMarks',
    }).addTo(layer);
    measure();
    const lines = corridorLines(segmentMap, at);
    const arrows = arrowSpots(lines);
    for (const a of arrows) if (inView(a)) mark(a, arrowElement(a));
    // a shield beyond the map's edge would show cut ("85"): it goes to the road's other side
    const fits = (/** @type {Box} */ b) => b.left > view.min.x && b.right < view.max.x && b.top > view.min.y && b.bottom < view.max.y;
    for (const s of shieldSpots(segmentMap, roads, at, lines, arrows, fits, sizeOf)) if (inView(s)) mark(s, shieldElement(s.road));
  };
  map.on('zoomend moveend', place);
  place();
}

/**
 * Each segment's end points in projected pixels, by corridor.
 * @param {SegmentMap} segmentMap
 * @param {Point[]} at projected station positions
 * @returns {Lines}
 */
function corridorLines(segmentMap, at) {
  /** @type {Lines} */
  const lines = new Map();
  for (const seg of segmentMap.segments) {
    const list = lines.get(seg.corridor) ?? [];
    list.push({ a: at[seg.sensor], b: at[seg.next], index: seg.index });
    lines.set(seg.corridor, list);
  }
  return lines;
}

/**
 * The point `dist` pixels along a chain of segments, with the segment it is on.
 * @param {{ a: Point, b: Point, index: number }[]} line
 * @param {number[]} ends cumulative length at each segment's end
 * @param {number} dist
 */
function pointAlong(line, ends, dist) {
  let k = 0;
  while (k < line.length - 1 && ends[k] < dist) k++;
  const { a, b } = line[k], len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const t = Math.min(1, Math.max(0, 1 - (ends[k] - dist) / len));
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, dx: (b.x - a.x) / len, dy: (b.y - a.y) / len, index: line[k].index };
}

/** @param {{ a: Point, b: Point }[]} line */
function cumulative(line) {
  let sum = 0;
  return line.map(({ a, b }) => (sum += Math.hypot(b.x - a.x, b.y - a.y)));
}

/**
 * Arrows every ARROW_SPACING_PX along each carriageway, right of its line, pointing its way.
 * @param {Lines} lines corridorLines
 */
function arrowSpots(lines) {
  const out = [];
  for (const [corridor, line] of lines) {
    const ends = cumulative(line), total = ends[ends.length - 1] ?? 0;
    for (let d = ARROW_SPACING_PX / 2; d < total; d += ARROW_SPACING_PX) {
      const p = pointAlong(line, ends, d);
      const [ox, oy] = rightOffset(p.dx, p.dy, ARROW_OFFSET_PX);
      out.push({ x: p.x + ox, y: p.y + oy, degrees: (Math.atan2(p.dy, p.dx) * 180) / Math.PI, corridor, segment: p.index });
    }
  }
  return out;
}

/**
 * Shield positions: along the first carriageway of each road, spread evenly, moved aside of the
 * road (to the left of that carriageway, beyond the other one, or to its right where the left
 * is off the map) and skipped near an interchange or another shield. A road with no spot clear
 * of the others keeps its clearest spot that hides no line, arrow or shield; with none, it has
 * no shield in this view (a zoom makes room).
 * @param {SegmentMap} segmentMap
 * @param {string[]} roads the network's roads, each once
 * @param {Point[]} at
 * @param {Lines} lines corridorLines
 * @param {Point[]} arrows the arrows' centres: a shield hides none
 * @param {(b: Box) => boolean} fits whether a shield's box is whole on the map
 * @param {(road: string) => { w: number, h: number }} sizeOf a road's shield size
 */
function shieldSpots(segmentMap, roads, at, lines, arrows, fits, sizeOf) {
  const { network } = segmentMap;
  /** @type {(Point & { road: string, box: Box })[]} */
  const out = [];
  /** Whether a box hides a road's line or an arrow. @param {Box} b */
  const covers = (b) => {
    const wide = { left: b.left - ROAD_CLEAR_PX, right: b.right + ROAD_CLEAR_PX, top: b.top - ROAD_CLEAR_PX, bottom: b.bottom + ROAD_CLEAR_PX };
    for (const segs of lines.values()) for (const s of segs) if (crosses(wide, s.a, s.b)) return true;
    return arrows.some((a) => pointGap(b, a) < ARROW_CLEAR_PX);
  };
  for (const road of roads) {
    const ci = network.corridors.findIndex((c) => c.road === road);
    const line = lines.get(ci);
    if (!line?.length) continue;
    const others = network.sensors.flatMap((s, i) => (s.road === road ? [] : [at[i]]));
    const ends = cumulative(line), total = ends[ends.length - 1];
    const count = Math.max(1, Math.round(total / LABEL_SPACING_PX));
    const size = sizeOf(road);
    /** @type {(Point & { road: string, box: Box, clear: number }) | null} */
    let best = null;
    let placed = 0;
    for (let k = 0; k < count; k++) {
      // from the even spot outwards, the first one clear of interchanges and other shields
      for (const shift of [0, 0.15, -0.15, 0.3, -0.3]) {
        const p = pointAlong(line, ends, (((k + 0.5 + shift) / count) * total + total) % total);
        const sides = [-1, 1].map((side) => {
          const [nx, ny] = rightOffset(p.dx, p.dy, side);
          const off = SHIELD_GAP_PX + Math.abs(nx) * (size.w / 2) + Math.abs(ny) * (size.h / 2);
          const c = { x: p.x + nx * off, y: p.y + ny * off };
          return { ...c, road, box: boxAt(c, size) };
        });
        const spot = sides.find((s) => fits(s.box));
        if (!spot) continue;
        // a shield over a road's line or an arrow hides what it is there to explain: never, even
        // as a road's only shield (it shows again when a zoom makes room)
        const clear = Math.min(Infinity, ...others.map((o) => pointGap(spot.box, o)));
        const crowded = out.some((o) => boxGap(o.box, spot.box) < LABEL_CLEAR_PX) || covers(spot.box);
        if (!crowded && (!best || clear > best.clear)) best = { ...spot, clear };
        if (crowded || clear < INTERCHANGE_CLEAR_PX) continue;
        out.push(spot);
        placed++;
        break;
      }
    }
    if (!placed && best) out.push(best);
  }
  return out;
}

/**
 * The sign a road's name is drawn on, as drivers know them: an Interstate's red and blue shield
 * ("I-75"), a U.S. route's white one ("US 101"), a state route's ("SR 400", "CA-134"); a road
 * named otherwise ("LA corridor 5": a network built from detector positions alone) is labelled
 * on a plain tag, not dressed as an Interstate it is not.
 * @param {string} road
 * @returns {'interstate' | 'us' | 'state' | 'plain'}
 */
export function shieldKind(road) {
  if (/^I[- ]?\d+\b/i.test(road)) return 'interstate';
  if (/^US[- ]?\d+\b/i.test(road)) return 'us';
  if (/^(SR|CA|GA|State Route|Route)[- ]?\d+\b/i.test(road)) return 'state';
  return 'plain';
}

/** @param {string} road */
function shieldElement(road) {
  const el = document.createElement('span');
  el.className = `fc-shield fc-shield-${shieldKind(road)}`;
  el.textContent = road;
  return el;
}

/**
 * A chevron pointing east, turned to the direction of travel on screen. The rotation is set
 * through the style object (CSSOM), which the page's CSP allows, unlike a style attribute.
 * @param {{ degrees: number, corridor: number, segment: number }} a
 */
function arrowElement(a) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'fc-arrow');
  svg.setAttribute('viewBox', '-5 -5 10 10');
  for (const cls of ['halo', 'ink']) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', 'M-2.2 -3.6 L2.4 0 L-2.2 3.6');
    path.setAttribute('class', cls);
    svg.append(path);
  }
  svg.style.transform = `translate(-50%, -50%) rotate(${a.degrees.toFixed(1)}deg)`;
  svg.dataset.corridor = String(a.corridor);
  svg.dataset.segment = String(a.segment);
  return /** @type {HTMLElement} */ (/** @type {unknown} */ (svg));
}
