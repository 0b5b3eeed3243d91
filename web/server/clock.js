// Time for the feed server, formatting only: timestamps with a local offset, the local week of
// an instant, and a virtual clock that can run faster than real time for demos and tests. The
// rules (ISO 8601 parsing, the time zone's offsets) are the engine's: parseIso below is its
// parser, and offsets come from the network's engine (rules.js).

import { timestampParser } from '../flowcast.js';

/** Thursday 1970-01-01 + 4 days = Monday 1970-01-05: weeks are counted from a Monday. */
const MONDAY_EPOCH_DAYS = 4;
const DAY_S = 86400;
const WEEK_S = 7 * DAY_S;

/**
 * ISO 8601 with seconds and an offset (Unix ms), or NaN: the engine's own parser
 * (fc_parse_timestamp), so a `since=` or a meta.json `start` is read exactly as a snapshot's `ts`.
 * @type {(text: unknown) => number}
 */
export const parseIso = await timestampParser();

/**
 * The local week of an instant, given its UTC offset (from the engine: rules.js).
 * @param {number} ms Unix milliseconds
 * @param {number} offset_min local minus UTC, minutes
 * @returns {{ week: number, week_s: number }} Monday-based local week number since 1970-01-05,
 *   and seconds since that local Monday 00:00 (0 .. 604799)
 */
export function localWeek(ms, offset_min) {
  const localS = Math.floor(ms / 1000) + offset_min * 60;
  const week = Math.floor((Math.floor(localS / DAY_S) - MONDAY_EPOCH_DAYS) / 7);
  return { week, week_s: localS - (week * 7 + MONDAY_EPOCH_DAYS) * DAY_S };
}

/**
 * ISO 8601 with a local offset: `2026-11-25T08:15:00-05:00` (milliseconds only when non-zero).
 * @param {number} ms Unix milliseconds
 * @param {number} offset_min local minus UTC, minutes (from the engine: rules.js)
 */
export function formatIso(ms, offset_min) {
  const local = new Date(ms + offset_min * 60000).toISOString(); // "YYYY-MM-DDTHH:MM:SS.mmmZ" in local time
  const frac = ms % 1000 === 0 ? '' : local.slice(19, 23);
  const sign = offset_min < 0 ? '-' : '+';
  const a = Math.abs(offset_min);
  return `${local.slice(0, 19)}${frac}${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** @param {number} n */
function pad2(n) { return n < 10 ? `0${n}` : String(n); }

/**
 * A clock that starts at `start_ms` (default: now) and runs `speed` times faster than real time.
 * At speed 1 without a start it is the wall clock.
 */
export class VirtualClock {
  /**
   * @param {{ speed?: number, start_ms?: number, realNow?: () => number }} [opts]
   */
  constructor(opts = {}) {
    this.realNow = opts.realNow ?? Date.now;
    this.speed = opts.speed ?? 1;
    if (!(this.speed > 0) || !Number.isFinite(this.speed)) throw new Error('speed must be a positive number');
    this.realStart = this.realNow();
    this.virtualStart = opts.start_ms ?? this.realStart;
  }

  /** Virtual Unix milliseconds. */
  now() {
    return this.virtualStart + (this.realNow() - this.realStart) * this.speed;
  }

  /**
   * Real milliseconds until the virtual clock reaches `ms` (0 if already past).
   * @param {number} ms
   */
  realDelayUntil(ms) {
    return Math.max(0, (ms - this.now()) / this.speed);
  }
}

export { DAY_S, WEEK_S };
