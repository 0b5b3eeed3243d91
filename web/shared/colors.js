// colors.js — the speed colour scale and its legend, for the page and the embeds.
//
// The traffic-map convention every commuter already reads (Google Maps, Waze, Georgia 511):
// green is free flow, then yellow, orange, red, and dark red for stop-and-go. Red/green alone is
// what a colour-blind reader cannot tell apart, so the scale does not rely on hue: lightness falls
// steadily from free flow to the jam class (a greyscale print keeps the order), and the jam class
// is also drawn dashed (segments.js), a pattern that needs no colour vision at all.
//
// Thresholds are absolute mph, not a share of each road's free-flow speed: the legend can then say
// "30–40 mph" and mean it on every road, and the numbers match the mph in the details panel and
// the trip planner. On the Atlanta network every limit is 50–65 mph, so 50 mph and over is free
// flow everywhere (ARCHITECTURE.md, "Speed colours").
//
// Each class has one colour per theme, because no single colour can reach 3:1 contrast (WCAG
// 1.4.11) against both a light and a dark map and keep the dark red dark: `color` is for light
// backgrounds (the default, and what partner sites on light tiles get), `dark` for dark ones.
// The page turns them into CSS custom properties (applySpeedColors) that follow the user's
// colour scheme; tests/commuter-map.test.mjs measures the contrast in Chromium in both themes.

/** @typedef {{ min: number, color: string, dark: string, label: string, name: string }} SpeedBin */

/**
 * Lower bounds in mph, slowest first. `label` is the legend's text, `name` the class in words
 * (screen readers, details).
 */
export const SPEED_BINS = /** @type {SpeedBin[]} */ ([
  { min: 0, color: '#700c14', dark: '#dc3444', label: 'under 15 mph', name: 'stop and go' },
  { min: 15, color: '#c41f1f', dark: '#ef5a4a', label: '15–30 mph', name: 'heavy' },
  { min: 30, color: '#b45200', dark: '#ee8a3c', label: '30–40 mph', name: 'slow' },
  { min: 40, color: '#927400', dark: '#d6b22a', label: '40–50 mph', name: 'slowing' },
  { min: 50, color: '#37934a', dark: '#86e39c', label: '50+ mph', name: 'free flow' },
]);

/** Missing data: a mid grey that keeps 3:1 on both themes' map backgrounds, drawn dotted. */
export const NO_DATA_COLOR = '#7a7a7a';

/** The class that is drawn dashed as well as coloured (the slowest). */
export const DASHED_BIN = 0;

/**
 * @param {number} speedMph NaN when missing
 * @returns {number} bin index, -1 for no data
 */
export function binOf(speedMph) {
  if (!(speedMph >= 0)) return -1;
  let b = 0;
  while (b + 1 < SPEED_BINS.length && speedMph >= SPEED_BINS[b + 1].min) b++;
  return b;
}

/**
 * @param {number} bin
 * @param {'light' | 'dark'} [scheme] the background it is drawn on
 */
export function colorOfBin(bin, scheme = 'light') {
  if (bin < 0) return NO_DATA_COLOR;
  return scheme === 'dark' ? SPEED_BINS[bin].dark : SPEED_BINS[bin].color;
}

/**
 * The CSS custom property that holds a class's colour once applySpeedColors has run.
 * @param {number} bin -1 for no data
 */
export const speedVar = (bin) => (bin < 0 ? '--speed-none' : `--speed-${bin}`);

/**
 * Defines --speed-0 … --speed-4 and --speed-none on an element (the page's root) in the palette
 * of the user's colour scheme, and follows it when it changes. Set through the CSSOM, which a
 * Content-Security-Policy without 'unsafe-inline' allows. (Not CSS light-dark(): browsers without
 * it would drop the stroke altogether and the roads would vanish.)
 * @param {HTMLElement} el
 */
export function applySpeedColors(el) {
  const dark = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
  const set = () => {
    SPEED_BINS.forEach((_, i) => el.style.setProperty(speedVar(i), colorOfBin(i, dark?.matches ? 'dark' : 'light')));
    el.style.setProperty(speedVar(-1), NO_DATA_COLOR);
  };
  set();
  dark?.addEventListener('change', set);
}

/**
 * Fills a list element with the legend, fastest class first (as a commuter scans: "is it
 * green?"). Swatches use the custom properties of applySpeedColors, so the legend shows exactly
 * the colours the map draws in the current theme; the jam and no-data swatches carry their line
 * patterns too.
 * @param {HTMLElement} list a <ul>
 */
export function renderLegend(list) {
  list.replaceChildren();
  const item = (/** @type {number} */ bin, /** @type {string} */ label) => {
    const li = document.createElement('li');
    li.dataset.bin = String(bin);
    const swatch = document.createElement('span');
    swatch.className = bin < 0 ? 'swatch dotted' : bin === DASHED_BIN ? 'swatch dashed' : 'swatch';
    swatch.style.setProperty('--swatch', `var(${speedVar(bin)}, ${colorOfBin(bin)})`);
    swatch.setAttribute('aria-hidden', 'true');
    li.append(swatch, label);
    list.append(li);
  };
  // the two ends named, which says how to read the scale; the middle classes are plain mph, so
  // the legend stays short enough for a phone
  const last = SPEED_BINS.length - 1;
  for (let i = last; i >= 0; i--) item(i, i === 0 || i === last ? `${SPEED_BINS[i].label} (${SPEED_BINS[i].name})` : SPEED_BINS[i].label);
  item(-1, 'no data');
}
