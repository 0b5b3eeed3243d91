// Time for the feed server: local wall time in the network's time zone (for the replay's
// time-of-week mapping and for the local offsets in snapshot timestamps), strict ISO 8601
// parsing, and a virtual clock that can run faster than real time for demos and tests.

/** Thursday 1970-01-01 + 4 days = Monday 1970-01-05: weeks are counted from a Monday. */
const MONDAY_EPOCH_DAYS = 4;
const DAY_S = 86400;
const WEEK_S = 7 * DAY_S;

/**
 * Local calendar fields of an instant in one time zone.
 * @typedef {Object} LocalTime
 * @property {number} year
 * @property {number} month 1..12
 * @property {number} day 1..31
 * @property {number} hour 0..23
 * @property {number} minute
 * @property {number} second
 * @property {number} offset_min local minus UTC, in minutes (-300 for EST)
 * @property {number} week Monday-based local week number since 1970-01-05
 * @property {number} week_s seconds since local Monday 00:00 (0 .. 604799)
 */

/**
 * Time zone arithmetic: IANA names through Intl (Node's ICU carries the tz database), and the
 * POSIX TZ rules FORMATS.md also allows (`EST5EDT,M3.2.0,M11.1.0`, Mm.w.d form, as the C engine).
 */
export class TimeZone {
  /** @param {string} name */
  constructor(name) {
    this.name = name;
    /** @type {PosixTz|null} */
    this.posix = null;
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: name, hourCycle: 'h23',
        year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      this.posix = parsePosixTz(name);
      if (!this.posix) throw new Error(`time zone "${name}": neither an IANA name known to this Node.js nor a POSIX TZ rule`);
    }
    /** Offsets change at most a few times a year: cache them per UTC hour. */
    this.offsetCache = new Map();
  }

  /**
   * Local minus UTC in minutes at the instant.
   * @param {number} ms Unix milliseconds
   */
  offsetMin(ms) {
    if (this.posix) return posixOffsetS(this.posix, Math.floor(ms / 1000)) / 60;
    const hour = Math.floor(ms / 3600000);
    let off = this.offsetCache.get(hour);
    if (off === undefined) {
      // An offset changes at most once an hour: when the first and last second of this UTC hour
      // agree, the whole hour has that offset.
      off = this.exactOffset(hour * 3600000);
      if (this.exactOffset(hour * 3600000 + 3599000) !== off) return this.exactOffset(ms);
      if (this.offsetCache.size > 100000) this.offsetCache.clear();
      this.offsetCache.set(hour, off);
    }
    return off;
  }

  /** @param {number} ms */
  exactOffset(ms) {
    const s = Math.floor(ms / 1000) * 1000;
    const p = this.parts(s);
    return Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - s) / 60000);
  }

  /** @param {number} ms */
  parts(ms) {
    /** @type {Record<string, number>} */
    const f = {};
    for (const { type, value } of /** @type {Intl.DateTimeFormat} */ (this.format).formatToParts(new Date(ms))) {
      if (type !== 'literal') f[type] = Number(value);
    }
    return { year: f.year, month: f.month, day: f.day, hour: f.hour % 24, minute: f.minute, second: f.second };
  }

  /**
   * @param {number} ms Unix milliseconds
   * @returns {LocalTime}
   */
  local(ms) {
    const offset_min = this.offsetMin(ms);
    const localS = Math.floor(ms / 1000) + offset_min * 60;
    const days = Math.floor(localS / DAY_S);
    const d = new Date(localS * 1000);
    const mondayDays = days - MONDAY_EPOCH_DAYS;
    const week = Math.floor(mondayDays / 7);
    return {
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
      offset_min, week,
      week_s: localS - (week * 7 + MONDAY_EPOCH_DAYS) * DAY_S,
    };
  }

  /**
   * ISO 8601 with the local offset: `2026-11-25T08:15:00-05:00` (milliseconds only when non-zero).
   * @param {number} ms
   */
  iso(ms) {
    const off = this.offsetMin(ms);
    const local = new Date(ms + off * 60000).toISOString(); // "YYYY-MM-DDTHH:MM:SS.mmmZ" in local time
    const frac = ms % 1000 === 0 ? '' : local.slice(19, 23);
    const sign = off < 0 ? '-' : '+';
    const a = Math.abs(off);
    return `${local.slice(0, 19)}${frac}${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
  }
}

/**
 * @typedef {{ month: number, week: number, wday: number, time_s: number }} PosixRule
 * @typedef {{ std_s: number, dst_s: number, start: PosixRule|null, end: PosixRule|null }} PosixTz
 * Offsets are local minus UTC in seconds (POSIX writes them the other way round: EST5 is -5 h).
 */

const POSIX_RE = /^([A-Za-z]{3,}|<[A-Za-z0-9+-]+>)([+-]?\d{1,2}(?::\d{2}){0,2})(?:([A-Za-z]{3,}|<[A-Za-z0-9+-]+>)([+-]?\d{1,2}(?::\d{2}){0,2})?(?:,(M\d{1,2}\.\d\.\d(?:\/[+-]?\d{1,3}(?::\d{2}){0,2})?),(M\d{1,2}\.\d\.\d(?:\/[+-]?\d{1,3}(?::\d{2}){0,2})?))?)?$/;

/** `[+-]hh[:mm[:ss]]` in seconds. @param {string} t */
function hms(t) {
  const sign = t[0] === '-' ? -1 : 1;
  const [h, m = 0, s = 0] = t.replace(/^[+-]/, '').split(':').map(Number);
  return sign * (h * 3600 + m * 60 + s);
}

/** `Mm.w.d[/time]` @param {string} r @returns {PosixRule|null} */
function posixRule(r) {
  const [date, time] = r.slice(1).split('/');
  const [month, week, wday] = date.split('.').map(Number);
  if (month < 1 || month > 12 || week < 1 || week > 5 || wday > 6) return null;
  return { month, week, wday, time_s: time === undefined ? 7200 : hms(time) };
}

/** @param {string} text @returns {PosixTz|null} */
export function parsePosixTz(text) {
  const m = POSIX_RE.exec(text);
  if (!m) return null;
  const std_s = -hms(m[2]);
  if (!m[3]) return { std_s, dst_s: std_s, start: null, end: null };
  const dst_s = m[4] ? -hms(m[4]) : std_s + 3600;
  // No rule: the US one, as POSIX systems assume.
  const start = posixRule(m[5] ?? 'M3.2.0');
  const end = posixRule(m[6] ?? 'M11.1.0');
  return start && end ? { std_s, dst_s, start, end } : null;
}

/**
 * UTC seconds of a rule's change in a year, given the offset in force just before it.
 * @param {PosixRule} r @param {number} year @param {number} before_s
 */
function ruleUtc(r, year, before_s) {
  const first = new Date(Date.UTC(year, r.month - 1, 1)).getUTCDay();
  let day = 1 + ((r.wday - first + 7) % 7) + (r.week - 1) * 7;
  const days = new Date(Date.UTC(year, r.month, 0)).getUTCDate();
  while (day > days) day -= 7; // week 5 = the last such weekday
  return Date.UTC(year, r.month - 1, day) / 1000 + r.time_s - before_s;
}

/** @param {PosixTz} tz @param {number} utc_s */
export function posixOffsetS(tz, utc_s) {
  if (!tz.start || !tz.end) return tz.std_s;
  const year = new Date((utc_s + tz.std_s) * 1000).getUTCFullYear();
  const on = ruleUtc(tz.start, year, tz.std_s);
  const off = ruleUtc(tz.end, year, tz.dst_s);
  const dst = on < off ? utc_s >= on && utc_s < off : utc_s >= on || utc_s < off; // southern hemisphere
  return dst ? tz.dst_s : tz.std_s;
}

/** @param {number} n */
function pad2(n) { return n < 10 ? `0${n}` : String(n); }

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parse `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` strictly (FORMATS.md); NaN when invalid.
 * @param {unknown} text
 * @returns {number} Unix milliseconds or NaN
 */
export function parseIso(text) {
  if (typeof text !== 'string' || text.length > 40) return NaN;
  const m = ISO_RE.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return NaN;
  const base = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(base).getUTCDate() !== d) return NaN; // 2026-02-30
  const frac = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  let off = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[8].slice(1, 3));
    const om = Number(m[8].slice(4, 6));
    if (oh > 23 || om > 59) return NaN;
    off = (m[8][0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return base + frac - off * 60000;
}

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
