// types.js — JSDoc shapes (no code) that cross a folder boundary: what the worker posts to the
// page and the embeds, the network they all draw, and the telemetry documents the page sends and
// reads. One place, so the page, the worker, the embeds and the feed server need no imports of
// each other for their types. The network is flowcast.network/1 (docs/FORMATS.md), parsed by the
// worker.

/**
 * @typedef {object} Sensor
 * @property {string} id
 * @property {number} lat
 * @property {number} lon
 * @property {string} road
 * @property {string} direction
 * @property {number} milepost
 * @property {number} lanes
 * @property {number} speed_limit_mph
 * @property {string} [twin]
 * @property {string} [label]
 * @property {string} [exit]   exit number at this station ("255", "19B")
 * @property {string} [place]  the area it is in ("Cumberland")
 */

/**
 * @typedef {object} Corridor
 * @property {string} id
 * @property {string} road
 * @property {string} direction
 * @property {boolean} [loop]
 * @property {string} [name]   local name ("Inner Loop")
 * @property {string[]} sensors
 */

/**
 * A named place for search: an interchange or landmark and its station on each carriageway.
 * @typedef {object} Place
 * @property {string} name
 * @property {string[]} [aliases]
 * @property {string[]} sensors
 */

/**
 * @typedef {object} Network
 * @property {string} id
 * @property {string} [name]
 * @property {string} timezone
 * @property {boolean} [simulated] true when the feed for this network is simulated (the page says so)
 * @property {number} interval_s
 * @property {Sensor[]} sensors
 * @property {Corridor[]} corridors
 * @property {Place[]} [places]
 */

/**
 * @typedef {object} StageTiming
 * @property {number} last   ms
 * @property {number} total  ms
 * @property {number} count
 * @property {number} max    ms
 */

/**
 * @typedef {object} Perf
 * @property {Record<string, StageTiming>} stages
 * @property {number} heapBytes
 * @property {{ hits: number, misses: number, entries: number, maxEntries: number }} cache route-result cache
 */

/**
 * A trip planner answer the engine could not give: its error code and message (for the
 * console: the page words the code for people).
 * @typedef {object} TripError
 * @property {number} [id]     the query's id, echoed
 * @property {string} code
 * @property {string} error
 */

/**
 * A trip planner answer from the worker (or, if it failed, a TripError).
 * @typedef {object} TripResult
 * @property {number} [id]     the query's id, echoed
 * @property {string} from
 * @property {string} to
 * @property {string} leave          departure, network-local "08:15"
 * @property {number} minutes
 * @property {number} low            10–90 % range, minutes
 * @property {number} high
 * @property {number} distanceMi
 * @property {number} freeFlowMinutes
 * @property {number} delayMinutes
 * @property {number} [estimatedSegments] segments costed from neighbouring detectors' estimates
 *   (their own detector has no data)
 * @property {{ at: string, inMin: number, minutes: number, savesMinutes: number }} best
 * @property {[string, string][]} path  station pairs along the route
 * @property {{ at: string, inMin: number, arriveAt: string, lateMin: number }} [arrive]
 *   an "arrive by" query: the time asked, when to leave (minutes from now), when it arrives,
 *   and minutes late when even leaving now is too late
 */

/**
 * A forecast as the worker posts it: the engine's, plus `estimated` (1 where the engine estimated
 * the sensor from neighbouring detectors, its evidence `neighbours`).
 * @typedef {import('../flowcast.js').Forecast & { estimated?: Uint8Array }} PageForecast
 */

/**
 * An incident as the page gets it: the engine's validated incident (web/engine/incidents.js)
 * with its start and expected end on the network's clock ("07:40").
 * @typedef {import('../flowcast.js').Incident & { startLocal: string, endLocal: string | null }} PageIncident
 */

/**
 * The feed's incidents (web/worker/incidents.js): `ok` with the list (maybe empty), `none` when
 * the feed offers no incidents, `refused` when it sent a document the engine refused.
 * @typedef {{ type: 'incidents', state: 'ok' | 'none' | 'refused', incidents: PageIncident[] }} IncidentsMessage
 */

/**
 * What the worker posts (web/worker/worker.js).
 * ('network-draft': the network as fetched, before the engine has accepted it: for drawing a
 * map that is shown only once the 'network' message brings the same network, posted after it.
 * A 'fatal' progress carries `code`: what failed, web/worker/worker.js postFatal.)
 * @typedef {{ type: 'network', network: Network }
 *   | { type: 'network-draft', network: Network }
 *   | { type: 'progress', stage: 'network' | 'history' | 'model' | 'train' | 'ready' | 'error' | 'fatal', text: string, fraction: number,
 *       code?: string }
 *   | { type: 'update', ts: number, local: string, utcOffsetMin: number, intervalS: number, receivedAt: number,
 *       speedMph: Float32Array, forecast: PageForecast | null, perf: Perf }
 *   | { type: 'history', sensor: number, ts: number, intervalS: number, speedMph: Float32Array }
 *   | { type: 'feed' } & FeedState
 *   | { type: 'rejected', code: string, message: string }
 *   | { type: 'perf', perf: Perf }
 *   | { type: 'stats', stats: ReturnType<import('../flowcast.js').Predictor['stats']> | null }
 *   | { type: 'trip' } & (TripResult | TripError)
 *   | IncidentsMessage} WorkerMessage
 */

/**
 * The worker's live connection to the feed, as the page's status line shows it.
 * @typedef {object} FeedState
 * @property {'connecting' | 'live' | 'down'} state
 * @property {'stream' | 'poll'} mode
 * @property {number} failures     consecutive failures
 * @property {number} retryInMs    when down: delay before the next attempt
 * @property {string} error        when down: what failed
 */

/**
 * A telemetry beacon (docs/API.md "Telemetry"): what web/shared/telemetry.js sends and the feed
 * server's telemetry.js checks field by field. Stage names are the engine's stage timers
 * (c/src/stats.c, `Predictor.stats()`).
 * @typedef {object} Beacon
 * @property {1} v
 * @property {Partial<Record<'parse' | 'commit' | 'forecast' | 'train' | 'route', { calls: number, medianUs: number, p95Us: number }>>} [stages]
 * @property {{ loadMs?: number, firstForecastMs?: number }} [page]
 * @property {{ fastParses: number, fallbackParses: number }} [counters]
 * @property {{ wasmHeapBytes: number }} [memory]
 * @property {boolean} [embed]
 */

/**
 * One row of GET api/v1/telemetry/summary, as the telemetry page shows it.
 * @typedef {object} SummaryRow
 * @property {string} stage a metric name (the engine stages, page_load, first_forecast, wasm_heap)
 * @property {string} unit
 * @property {string} family a browser family, or "all"
 * @property {number} samples values in the window
 * @property {number} p50
 * @property {number} p95
 */

export {};
