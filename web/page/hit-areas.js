// hit-areas.js — wider, invisible twins under the map's segments, so a finger finds a road: a
// segment is drawn 4 px wide, and WCAG 2.5.8 asks for targets of at least 24 px. The twins sit
// under every visible line, so a tap on a line still picks that line; a tap beside it picks the
// nearest twin. They are not focusable and hidden from assistive technology (the visible
// segments carry the keyboard and the names); the visible lines' colours are left to map.js.

/** The touch target's width, centred on the segment (WCAG 2.5.8 minimum target size). */
const HIT_WEIGHT_PX = 24;

/** @param {import('./map.js').SegmentMap} segmentMap */
export function addHitAreas(segmentMap) {
  const { L, map, segments } = segmentMap;
  const twins = segments.map((seg) => {
    const twin = L.polyline(seg.line.getLatLngs(), { className: 'fc-hit', weight: HIT_WEIGHT_PX, opacity: 0, lineCap: 'round' }).addTo(map);
    twin.on('click', () => segmentMap.select(seg.index, 'pointer'));
    const el = /** @type {SVGPathElement} */ (twin.getElement());
    el.setAttribute('aria-hidden', 'true');
    el.dataset.hitFor = String(seg.index);
    twin.bringToBack();
    return twin;
  });
  // map.js re-places its segments on zoomend, registered before this: follow where they went
  map.on('zoomend', () => twins.forEach((twin, i) => twin.setLatLngs(segments[i].line.getLatLngs())));
}
