// colors.js — the speed colour scale and its legend.
//
// Five bins from viridis (van der Walt and Smith, matplotlib's default), a sequential scale that keeps its order
// for the common colour-vision deficiencies and in greyscale: dark purple is a jam, yellow is free
// flow. The traditional red/green traffic palette is the one thing a colour-blind commuter cannot
// read. Bins rather than a continuous ramp, because "which band is this road in" is the question,
// and the legend can name each band. Missing data is grey and dashed, so it never reads as a speed.

/** @typedef {{ min: number, color: string, label: string }} SpeedBin */

/** Lower bounds in mph, slowest first; the bounds follow the usual freeway service levels. */
export const SPEED_BINS = /** @type {SpeedBin[]} */ ([
  { min: 0, color: '#440154', label: 'under 25 mph' },
  { min: 25, color: '#3b528b', label: '25–40 mph' },
  { min: 40, color: '#21918c', label: '40–50 mph' },
  { min: 50, color: '#5ec962', label: '50–60 mph' },
  { min: 60, color: '#fde725', label: '60 mph and over' },
]);

export const NO_DATA_COLOR = '#8c8c8c';

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

/** @param {number} bin */
export function colorOfBin(bin) {
  return bin < 0 ? NO_DATA_COLOR : SPEED_BINS[bin].color;
}

/**
 * Fills a list element with the legend (text only; fastest band first, as on a road sign).
 * @param {HTMLElement} list a <ul>
 */
export function renderLegend(list) {
  list.replaceChildren();
  const item = (/** @type {string} */ color, /** @type {string} */ label, dashed = false) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = dashed ? 'swatch dashed' : 'swatch';
    swatch.style.setProperty('--swatch', color);
    swatch.setAttribute('aria-hidden', 'true');
    li.append(swatch, label);
    list.append(li);
  };
  for (let i = SPEED_BINS.length - 1; i >= 0; i--) item(SPEED_BINS[i].color, SPEED_BINS[i].label);
  item(NO_DATA_COLOR, 'no data', true);
}
