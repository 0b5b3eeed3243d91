// network-view.js — the map's view on a page whose layout moves: the first view shows the whole
// network, and keeps showing it while the map's box changes size (the header wraps, the status
// line grows, a phone turns) until the commuter moves the map or a route is shown; and a segment
// chosen under the phone's bottom sheet is brought into the part of the map left visible.

/** Margin kept between the chosen segment and the sheet's top edge, in pixels. */
const SHEET_MARGIN_PX = 16;

/**
 * @param {import('./map.js').SegmentMap} segmentMap
 * @param {HTMLElement} container the map's element
 */
export function keepNetworkInView(segmentMap, container) {
  const map = segmentMap.map;
  let whole = true, fitting = false;
  // any move but this module's own (a drag, a zoom, a route fitted, a segment panned to)
  map.on('movestart zoomstart', () => { if (!fitting) whole = false; });
  new ResizeObserver(() => {
    fitting = true;
    map.invalidateSize({ animate: false });
    if (whole) segmentMap.fitNetwork();
    fitting = false;
  }).observe(container);
}

/**
 * Pans the map so the segment stays above `sheet` when the sheet covers the map (on a phone it
 * is fixed to the bottom of the screen); does nothing where the panel sits beside the map.
 * @param {import('./map.js').SegmentMap} segmentMap
 * @param {import('./map.js').Segment} seg
 * @param {HTMLElement} sheet
 */
export function revealAboveSheet(segmentMap, seg, sheet) {
  if (getComputedStyle(sheet).position !== 'fixed') return;
  const mapBox = segmentMap.map.getContainer().getBoundingClientRect();
  const covered = Math.max(0, mapBox.bottom - sheet.getBoundingClientRect().top);
  segmentMap.map.panInside(seg.line.getCenter(), {
    paddingTopLeft: [SHEET_MARGIN_PX, SHEET_MARGIN_PX], paddingBottomRight: [SHEET_MARGIN_PX, covered + SHEET_MARGIN_PX], animate: false,
  });
}
