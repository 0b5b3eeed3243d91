// types.js — JSDoc shapes shared by the page's modules and the worker's messages (no code).
// The network is flowcast.network/1 (docs/FORMATS.md), parsed by the worker.

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
 */

/**
 * @typedef {object} Corridor
 * @property {string} id
 * @property {string} road
 * @property {string} direction
 * @property {boolean} [loop]
 * @property {string[]} sensors
 */

/**
 * @typedef {object} Network
 * @property {string} id
 * @property {string} [name]
 * @property {string} timezone
 * @property {number} interval_s
 * @property {Sensor[]} sensors
 * @property {Corridor[]} corridors
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
 * @property {{ hits: number, misses: number, entries: number, maxEntries: number } | null} cache route-result cache
 */

/**
 * A trip planner answer from the worker: either `error`, or the rest.
 * @typedef {object} TripResult
 * @property {string} [error]
 * @property {string} from
 * @property {string} to
 * @property {string} leave          departure, network-local "08:15"
 * @property {number} minutes
 * @property {number} low            10–90 % range, minutes
 * @property {number} high
 * @property {number} distanceMi
 * @property {number} freeFlowMinutes
 * @property {number} delayMinutes
 * @property {{ at: string, inMin: number, minutes: number, savesMinutes: number }} best
 * @property {[string, string][]} path  station pairs along the route
 */

/**
 * What the worker posts (web/worker.js).
 * @typedef {{ type: 'network', network: Network }
 *   | { type: 'progress', stage: 'network' | 'history' | 'model' | 'train' | 'ready' | 'error' | 'fatal', text: string, fraction: number }
 *   | { type: 'update', ts: number, local: string, utcOffsetMin: number, intervalS: number, receivedAt: number,
 *       speedMph: Float32Array, forecast: import('../flowcast.js').Forecast | null, perf: Perf }
 *   | { type: 'history', sensor: number, ts: number, intervalS: number, speedMph: Float32Array }
 *   | { type: 'feed' } & import('./feed.js').FeedState
 *   | { type: 'rejected', code: string, message: string }
 *   | { type: 'perf', perf: Perf }
 *   | { type: 'stats', stats: ReturnType<import('../flowcast.js').Predictor['stats']> | null }
 *   | { type: 'trip' } & TripResult} WorkerMessage
 */

export {};
