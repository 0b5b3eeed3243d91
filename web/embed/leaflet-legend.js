// leaflet-legend.js — the speed legend of the Leaflet layer, as a Leaflet control
// (`L.Control` with onAdd/onRemove, in a corner of the host's map): the colour key the page
// and the element show (shared/colors.js renderLegend, so it follows the colour scheme there)
// and one status line, which the layer fills with its data time or its problem. Added with the
// layer by its `legend` option, or on its own with `L.flowcastLegend({ position })`.

import { renderLegend } from '../shared/colors.js';
import { adoptStyles } from './styles.js';

/**
 * In the partner's document (a control is not in a shadow root), so every rule is scoped to
 * the control's class. The swatch rules give renderLegend's markup the look it has on the page
 * (public/style.css), which the partner's page does not load.
 */
const LEGEND_CSS = `
.flowcast-legend { background: rgba(255, 255, 255, 0.92); color: #1b1b1b; padding: 4px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); font: 12px/1.45 system-ui, sans-serif; max-width: 15em; }
.flowcast-legend .flowcast-legend-title { display: block; font-weight: 600; }
.flowcast-legend ul { list-style: none; margin: 2px 0; padding: 0; }
.flowcast-legend li { display: flex; align-items: center; gap: 6px; }
.flowcast-legend .swatch { display: inline-block; flex: none; width: 1.5em; height: 0.5em; background: var(--swatch);
  outline: 1px solid rgba(0, 0, 0, 0.5); }
.flowcast-legend .swatch.dashed { background-image: repeating-linear-gradient(90deg, transparent 0 9px, #fff 9px 12px); }
.flowcast-legend .swatch.dotted { background-image: repeating-linear-gradient(90deg, transparent 0 3px, #fff 3px 6px); }
.flowcast-legend .flowcast-legend-status { margin: 2px 0 0; }
.flowcast-legend .flowcast-legend-status:empty { display: none; }
.flowcast-legend .flowcast-legend-status.problem { font-weight: 600; color: #8a1c00; }
`;

/**
 * @typedef {object} FlowcastLegendOptions
 * @property {string} [position] Leaflet's corner: 'topleft', 'topright', 'bottomleft', 'bottomright'
 * @property {string} [title]    the heading over the key
 */

/** @type {WeakMap<object, any>} one control class per Leaflet instance */
const classes = new WeakMap();

/**
 * The legend control class for a Leaflet instance (made once per instance: it extends its
 * L.Control).
 * @param {any} L
 */
export function legendClass(L) {
  let cls = classes.get(L);
  if (cls) return cls;
  cls = L.Control.extend({
    options: /** @type {FlowcastLegendOptions} */ ({ position: 'bottomright', title: 'Traffic speed' }),

    /** @param {FlowcastLegendOptions} [options] */
    initialize(options = {}) {
      L.setOptions(this, options);
      this._text = '';
      this._isProblem = false;
      /** @type {HTMLElement | null} */
      this._status = null;
    },

    onAdd() {
      adoptStyles(document, LEGEND_CSS);
      const div = L.DomUtil.create('div', 'flowcast-legend');
      L.DomUtil.create('span', 'flowcast-legend-title', div).textContent = this.options.title;
      renderLegend(L.DomUtil.create('ul', '', div));
      this._status = L.DomUtil.create('p', 'flowcast-legend-status', div);
      /** @type {HTMLElement} */ (this._status).setAttribute('role', 'status');
      this._paint();
      // reading the legend must not pan or zoom the map under it
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    },

    onRemove() {
      this._status = null;
    },

    /**
     * The line under the key: the data time, or a problem (shown as one).
     * @param {string} text
     * @param {boolean} [isProblem]
     */
    setStatus(text, isProblem = false) {
      this._text = text;
      this._isProblem = isProblem;
      this._paint();
      return this;
    },

    _paint() {
      if (!this._status) return;
      this._status.textContent = this._text;
      this._status.classList.toggle('problem', this._isProblem);
    },
  });
  classes.set(L, cls);
  return cls;
}

/**
 * Leaflet-style factory: `flowcastLegend({ position })` (or `L.flowcastLegend`).
 * @param {FlowcastLegendOptions & { L?: any }} [options]
 */
export function flowcastLegend(options = {}) {
  const { L = /** @type {any} */ (globalThis).L, ...rest } = options;
  const Cls = legendClass(L);
  return new Cls(rest);
}
