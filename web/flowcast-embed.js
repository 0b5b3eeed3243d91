// flowcast-embed.js — the entry point partner pages load for the <flowcast-map> element, at the
// URL docs/embedding.md gives them (https://HOST/js/flowcast-embed.js). The element itself is
// embed/flowcast-map.js; this file keeps the published URL working.
//
// It imports the element's whole static module graph, not only the element: a browser requests
// every import of a module in parallel as soon as that module arrives, so listing them all here
// keeps everything two import levels (two round trips) from the partner's page, as when the
// element lived at this URL. A bare re-export would add a level. tests/preload.test.mjs fails
// when this list misses a module of the element's graph or names one outside it.

import './shared/colors.js';
import './shared/network-id.js';
import './shared/segments.js';
import './shared/telemetry.js';
import './embed/errors.js';
import './embed/styles.js';
import './embed/engine-worker.js';
export { FlowcastMapElement } from './embed/flowcast-map.js';
