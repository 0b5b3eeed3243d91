// hit-areas.js — wider, invisible twins under the map's segments, so a finger finds a road: a
// segment is drawn 4 px wide, and WCAG 2.5.8 asks for targets of at least 24 px. A twin covers
// the 24 px to the right of the road's centre line, the side its direction is drawn on, so the
// two directions' twins meet at the centre instead of overlapping: a tap beside a road picks the
// carriageway on that side. The twins sit under every visible line, so a tap on a line still
// picks that line. They are not focusable and hidden from assistive technology (the visible
// segments carry the keyboard and the names); the visible lines' colours are left to map.js.

import { offsetLatLngs } from '../shared/segments.js';

/** The touch target's width (WCAG 2.5.8 minimum target size). */
const HIT_WEIGHT_PX = 24;

/** @param {import('./map.js').SegmentMap} segmentMap */
export function addHitAreas(segmentMap) {
  const { L, map, segments, network } = segmentMap;
  const place = (/** @type {import('./map.js').Segment} */ seg) =>
    offsetLatLngs(map, network.sensors[seg.sensor], network.sensors[seg.next], HIT_WEIGHT_PX / 2);
  const twins = segments.map((seg) => {
    const twin = L.polyline(place(seg), { className: 'fc-hit', weight: HIT_WEIGHT_PX, opacity: 0, lineCap: 'butt' }).addTo(map);
    twin.on('click', () => segmentMap.select(seg.index, 'pointer'));
    const el = /** @type {SVGPathElement} */ (twin.getElement());
    el.setAttribute('aria-hidden', 'true');
    el.dataset.hitFor = String(seg.index);
    twin.bringToBack();
    return twin;
  });
  map.on('zoomend', () => twins.forEach((twin, i) => twin.setLatLngs(place(segments[i]))));
}
