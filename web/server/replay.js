// Replay of a dataset folder on the wall clock. The dataset's rows are mapped onto the wall clock
// by local time of week in the network's time zone: a visitor at 08:00 on a Tuesday sees the
// dataset's Tuesday-08:00 row, so the morning peak arrives in the morning. Dataset weeks are used
// in turn and wrap around. Snapshots carry wall-clock (or, accelerated, virtual-clock) timestamps,
// and only slots that have ended exist.
//
// Slots are aligned to the Unix epoch (FORMATS.md "Slots"): slot k ends at k * interval. Its
// period starts at (k - 1) * interval; the local time of week of that start picks the row.
//
// The engine decides here too: the dataset's rows are normalised by it once at start (the values
// a snapshot of each row commits), and the network's engine ingests each slot as it becomes due
// (and, at start, the slots the history endpoint may serve), so /history reads its rows as in
// every other mode.

import { StoreBase } from './store.js';
import { WEEK_S } from './clock.js';
import { encodeSnapshotBinary } from './formats.js';

/** Slots of history the engine is fed at start: the longest window /history serves (672 h of
 * 5-minute slots), or the whole replay span if shorter. */
const HISTORY_SLOTS_S = 672 * 3600;

/** @typedef {import('./dataset.js').Dataset} Dataset */
/** @typedef {import('./clock.js').VirtualClock} VirtualClock */
/** @typedef {import('./formats.js').Entry} Entry */

export class ReplayStore extends StoreBase {
  /**
   * @param {Dataset} dataset
   * @param {VirtualClock} clock
   */
  constructor(dataset, clock) {
    super(dataset.network);
    this.ds = dataset;
    this.clock = clock;
    this.interval_ms = dataset.interval_s * 1000;
    this.n = dataset.network.sensor_ids.length;
    if (WEEK_S % dataset.interval_s !== 0) throw new Error(`dataset interval_s ${dataset.interval_s} does not divide a week`);
    this.rows_per_week = WEEK_S / dataset.interval_s;
    this.weeks = Math.floor(dataset.rows / this.rows_per_week);
    if (this.weeks < 1) throw new Error(`dataset has ${dataset.rows} rows: replay needs at least one whole week (${this.rows_per_week} rows)`);
    this.tz = dataset.network.tz;
    this.start_week = this.tz.local(dataset.start_ms).week;
    this.table = this.buildTable();
    /** Catch-up and history reach back one dataset span: older slots would repeat its data. */
    this.size = this.weeks * this.rows_per_week;
    this.normalise();
    this.latest_slot = Math.floor(clock.now() / this.interval_ms);
    this.feedFrom(this.latest_slot - Math.min(this.size, Math.ceil(HISTORY_SLOTS_S / dataset.interval_s)) + 1);
    /** @type {NodeJS.Timeout|null} */
    this.timer = null;
  }

  /**
   * Row for each (dataset week, slot of the local week). Built from each row's own local time, so
   * a dataset that crosses a daylight-saving change still lines up by local clock time; slots
   * no row reached (the skipped spring-forward hour) take the row before them.
   */
  buildTable() {
    const { rows, start_ms, interval_s } = this.ds;
    const table = new Int32Array(this.weeks * this.rows_per_week).fill(-1);
    for (let r = 0; r < rows; r++) {
      const t = this.tz.local(start_ms + r * interval_s * 1000);
      const w = t.week - this.start_week;
      if (w < 0 || w >= this.weeks) continue;
      const k = w * this.rows_per_week + Math.floor(t.week_s / interval_s);
      if (table[k] < 0) table[k] = r;
    }
    const first = table.findIndex((r) => r >= 0);
    let prev = table[first];
    for (let i = 1; i <= table.length; i++) {
      const k = (first + i) % table.length;
      if (table[k] < 0) table[k] = prev; else prev = table[k];
    }
    return table;
  }

  /**
   * Dataset row shown for the period that starts at `ms`.
   * @param {number} ms
   */
  rowFor(ms) {
    const t = this.tz.local(ms);
    const w = (((t.week - this.start_week) % this.weeks) + this.weeks) % this.weeks;
    return this.table[w * this.rows_per_week + Math.floor(t.week_s / this.ds.interval_s)];
  }

  /**
   * @param {number} slot
   * @returns {Entry}
   */
  entry(slot) {
    const ts_ms = slot * this.interval_ms;
    return this.rowEntry(this.rowFor(ts_ms - this.interval_ms), ts_ms);
  }

  /**
   * @param {number} row dataset row
   * @param {number} ts_ms
   * @returns {Entry}
   */
  rowEntry(row, ts_ms) {
    const a = row * this.n;
    const b = a + this.n;
    return {
      ts_ms, ts: this.tz.iso(ts_ms), interval_s: this.ds.interval_s, row,
      speed: this.ds.speed.subarray(a, b), volume: this.ds.volume.subarray(a, b),
      occupancy: this.ds.occupancy.subarray(a, b), quality: this.ds.quality.subarray(a, b),
    };
  }

  /**
   * Replace every dataset row by what the engine commits for a snapshot of it (quantised,
   * out-of-range readings dropped), so that what is served is what a page's engine holds. Rows
   * go to the network's normalising engine at made-up, increasing times: values do not depend
   * on the time.
   */
  normalise() {
    const rules = this.network.rules.normaliser();
    const { speed, volume, occupancy, quality } = this.ds;
    for (let r = 0; r < this.ds.rows; r++) {
      const e = this.rowEntry(r, (r + 1) * this.interval_ms);
      const res = rules.ingest(encodeSnapshotBinary(e, this.network), { binary: true });
      if (!res.ok) throw new Error(`dataset row ${r}: ${res.message}`);
      const a = r * this.n;
      speed.set(res.entry.speed, a);
      volume.set(res.entry.volume, a);
      occupancy.set(res.entry.occupancy, a);
      quality.set(res.entry.quality, a);
    }
  }

  /**
   * Let the network's engine ingest slots first .. latest_slot (after a jump of the clock
   * beyond what it may skip, it starts afresh).
   * @param {number} first
   */
  feedFrom(first) {
    const rules = this.network.rules;
    // slot k here ends at k * interval; the engine numbers a slot by its start, so the last
    // slot it holds is its head + 1 in this numbering
    const fed = rules.historyHead() + 1;
    if (Number.isFinite(fed) && first > fed + 1) rules.reset(); // a jump beyond the engine's max_ahead
    for (let k = Math.max(first, rules.historyHead() + 2); k <= this.latest_slot; k++) {
      const res = rules.commitBinary(encodeSnapshotBinary(this.entry(k), this.network));
      if (!res.ok) throw new Error(`replay slot ${k}: ${res.message}`);
    }
  }

  oldestSlot() { return this.latest_slot - this.size + 1; }

  latest() { return this.entry(this.latest_slot); }

  /**
   * @param {number} ts_ms
   * @param {number} limit
   */
  after(ts_ms, limit) {
    const first = Math.max(Math.floor(ts_ms / this.interval_ms) + 1, this.oldestSlot());
    const end = Math.min(this.latest_slot, first + limit - 1);
    const entries = [];
    for (let k = first; k <= end; k++) entries.push(this.entry(k));
    return { entries, more: end < this.latest_slot };
  }

  /**
   * @param {number} from_ms
   * @param {number} to_ms
   */
  range(from_ms, to_ms) {
    const first = Math.max(Math.floor(from_ms / this.interval_ms) + 1, this.oldestSlot());
    const last = Math.min(this.latest_slot, Math.floor(to_ms / this.interval_ms));
    const entries = [];
    for (let k = first; k <= last; k++) entries.push(this.entry(k));
    return entries;
  }

  /** Emit every slot that has ended since the last call, in order. */
  advance() {
    const now_slot = Math.floor(this.clock.now() / this.interval_ms);
    if (now_slot - this.latest_slot > this.size) this.latest_slot = now_slot - this.size;
    while (this.latest_slot < now_slot) {
      this.latest_slot++;
      this.feedFrom(this.latest_slot);
      this.emit('append', this.entry(this.latest_slot));
    }
  }

  start() {
    const tick = () => {
      this.advance();
      // +1 ms: a timer may fire a hair early; advance() would then find nothing and re-arm.
      this.timer = setTimeout(tick, this.clock.realDelayUntil((this.latest_slot + 1) * this.interval_ms) + 1);
    };
    tick();
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
