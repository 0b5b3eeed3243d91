// errors.js — what the embeds (the <flowcast-map> element and the Leaflet layer) report when
// something is wrong, as the `flowcast:error` detail { code, message, retrying }: a stable code a
// partner's script can branch on, a plain sentence a partner's visitor can read, and whether
// flowcast keeps trying by itself. One table for both embeds, so that the same mistake gives
// the same code whichever embed the partner chose; docs/embedding.md lists the codes.
// Also the checks of the values a partner writes (horizon, corridor), done here once for both.

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */

/**
 * @typedef {'FEED_UNREACHABLE' | 'FEED_NOT_FOUND' | 'FEED_DOWN' | 'FORECAST_UNAVAILABLE' | 'ENGINE_FAILED'
 *   | 'BAD_FEED' | 'BAD_NETWORK' | 'BAD_CORRIDOR' | 'BAD_HORIZON' | 'MAP_HAS_NO_SIZE'} ErrorCode
 * @typedef {{ code: ErrorCode, message: string, retrying: boolean }} EmbedError
 */

/**
 * How long an embed waits for the feed's network before saying the feed is unreachable. The
 * network is what the first drawing needs; it arrives once the feed has answered and the wasm
 * (72 KB gzip) is compiled, about 2 s on a slow mobile link (400 kbit/s, 400 ms round trips),
 * well under 1 s otherwise. 8 s is four times that, and far from the minute or more a browser
 * may wait on a host that never answers (a connect that hangs). The worker keeps retrying after
 * it, and the embed draws as soon as the network arrives: a false alarm on a very slow link
 * costs one event, not the map.
 */
export const LOAD_TIMEOUT_MS = 8000;

/** The forecast's reach in minutes: the model's 12 steps of 5 minutes (docs/embedding.md). */
export const MAX_HORIZON_MIN = 60;

/**
 * @param {ErrorCode} code
 * @param {string} message
 * @param {boolean} [retrying]
 * @returns {EmbedError}
 */
export const embedError = (code, message, retrying = false) => ({ code, message, retrying });

/**
 * The error a worker message reports, else null. The worker (web/worker/worker.js) reports a
 * failing start as progress text; its two failures before the network arrives are told apart
 * here by that text, which tests/embed.test.mjs pins (an unreachable feed, a feed URL that
 * answers 404).
 * @param {WorkerMessage} m
 * @param {string} feed the feed's API base URL, named in the messages
 * @returns {EmbedError | null}
 */
export function errorOfMessage(m, feed) {
  if (m.type === 'feed' && m.state === 'down') {
    return embedError('FEED_DOWN', 'The traffic feed stopped answering; showing the last data and retrying.', true);
  }
  if (m.type !== 'progress') return null;
  if (m.stage === 'network' && /unreachable/i.test(m.text)) return unreachable(feed);
  if (m.stage === 'error') return embedError('FORECAST_UNAVAILABLE', 'Forecasts are unavailable; showing current speeds.');
  if (m.stage !== 'fatal') return null;
  const http = /network: HTTP (\d+)/.exec(m.text);
  if (http) return embedError('FEED_NOT_FOUND', `No traffic feed at ${feed} (HTTP ${http[1]}): check the feed address.`);
  return embedError('ENGINE_FAILED', `The traffic map could not start (${m.text.replace(/^Could not start: /, '')}).`);
}

/** @param {string} feed */
export function unreachable(feed) {
  return embedError('FEED_UNREACHABLE', `Can't reach the traffic feed at ${feed}; retrying.`, true);
}

/**
 * Minutes ahead from an attribute or option: empty means now (0).
 * @param {unknown} value
 * @returns {{ minutes: number, error: EmbedError | null }} minutes 0 (now) when the value is bad
 */
export function parseHorizon(value) {
  const text = value === null || value === undefined ? '' : String(value).trim();
  const n = text === '' ? 0 : Number(text);
  if (Number.isFinite(n) && n >= 0 && n <= MAX_HORIZON_MIN) return { minutes: n, error: null };
  return {
    minutes: 0,
    error: embedError('BAD_HORIZON', `"${text.slice(0, 20)}" is not a horizon: use minutes from 0 to ${MAX_HORIZON_MIN}. Showing current speeds.`),
  };
}

/**
 * Why `want` names nothing in the network (with the names that do), else null.
 * @param {Network} network
 * @param {string} want a road, a corridor id, or empty for all
 * @param {number} found corridors `want` picked
 * @returns {EmbedError | null}
 */
export function corridorError(network, want, found) {
  if (found || !want.trim()) return null;
  const names = [...new Set(network.corridors.map((c) => c.road)), ...network.corridors.map((c) => c.id)];
  return embedError('BAD_CORRIDOR', `No corridor "${want.trim().slice(0, 20)}" on this map. Try: ${names.join(', ')}.`);
}

/** @typedef {'feed' | 'corridor' | 'horizon' | 'map'} ProblemSource */

/**
 * The problems an embed has now, by what has them: the feed (cleared by new data), or a value
 * the partner set (cleared when it is set right). Each is reported once, not at every recolour.
 */
export class Problems {
  /** @type {Map<ProblemSource, EmbedError>} */
  #bySource = new Map();

  /**
   * Records a problem, or with null clears it.
   * @param {ProblemSource} source
   * @param {EmbedError | null} error
   * @returns {boolean} whether it is news, to report (not the same problem again)
   */
  set(source, error) {
    const had = this.#bySource.get(source);
    if (!error) {
      this.#bySource.delete(source);
      return false;
    }
    this.#bySource.set(source, error);
    return had?.code !== error.code || had.message !== error.message;
  }

  /**
   * The problem to show: what the partner set before the feed's (the partner can fix it).
   * @returns {EmbedError | null}
   */
  shown() {
    for (const s of /** @type {ProblemSource[]} */ (['map', 'corridor', 'horizon', 'feed'])) {
      const e = this.#bySource.get(s);
      if (e) return e;
    }
    return null;
  }
}
