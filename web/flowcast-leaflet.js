// flowcast-leaflet.js — the entry point partner pages import for the Leaflet layer, at the URL
// docs/embedding.md gives them (https://HOST/js/flowcast-leaflet.js). The layer itself is
// embed/leaflet-layer.js (which adds L.FlowcastLayer, L.flowcastLayer and the legend control's
// L.FlowcastLegend, L.flowcastLegend to a global Leaflet);
// this file keeps the published URL and its named exports.
//
// It imports the layer's whole static module graph, not only the layer, so the browser requests
// them all at once when this file arrives (two import levels, as when the layer lived at this
// URL; a bare re-export would add one). tests/preload.test.mjs keeps the list complete.

import './shared/colors.js';
import './shared/network-id.js';
import './shared/segments.js';
import './embed/errors.js';
import './embed/styles.js';
import './embed/engine-worker.js';
import './embed/leaflet-legend.js';
export { flowcastLayer, flowcastLegend, install, layerClass } from './embed/leaflet-layer.js';

/** @typedef {import('./embed/leaflet-layer.js').FlowcastLayerOptions} FlowcastLayerOptions */
/** @typedef {import('./embed/leaflet-legend.js').FlowcastLegendOptions} FlowcastLegendOptions */
