// cost-limit.js — the second, cost-weighted rate limit for the heavy routes (issue 19). The
// request limit (600 a minute per address) counts a catch-up page of 2016 snapshots like a
// `latest`; this one counts what a request makes the server do, in snapshots' worth of work: a
// catch-up page costs the snapshots it sends, an event stream's resend after a reconnect the
// snapshots resent, a history window a quarter of its rows (a row of four matrices is about a
// quarter of a snapshot's JSON), a speeds-only window a sixteenth. Each address has a bucket of
// `perMin` units that refills continuously; a request that would overdraw it gets 429
// RATE_LIMITED with Retry-After. A page opening costs a few units; one week of catch-up
// (2016) fits four times in the default budget.

import { HttpError } from './http.js';

/** Units per minute per client address: four full catch-up pages, or four 28-day histories. */
export const COST_PER_MIN = 4 * 2016;
/** Addresses tracked at most (the oldest forgotten first): bounds the limiter's own memory. */
const MAX_ADDRESSES = 100000;

export class CostLimit {
  /** @param {number} perMin units per minute per address; 0 = no limit */
  constructor(perMin) {
    this.perMin = perMin;
    /** @type {Map<string, { units: number, at: number }>} what each address has left, and when */
    this.buckets = new Map();
  }

  /**
   * Charge `cost` units to `ip`, or throw 429 (and set Retry-After on `reply`) if it has not got
   * them. A cost larger than the whole budget is charged as the whole budget (it must stay
   * possible once a minute).
   * @param {string} ip
   * @param {number} cost
   * @param {import('fastify').FastifyReply} [reply]
   * @param {number} [now]
   */
  charge(ip, cost, reply, now = Date.now()) {
    if (!this.perMin || cost <= 0) return;
    const c = Math.min(cost, this.perMin);
    const b = this.buckets.get(ip) ?? { units: this.perMin, at: now };
    b.units = Math.min(this.perMin, b.units + ((now - b.at) * this.perMin) / 60000);
    b.at = now;
    this.buckets.delete(ip); // most recently seen last
    this.buckets.set(ip, b);
    if (this.buckets.size > MAX_ADDRESSES) this.buckets.delete(/** @type {string} */ (this.buckets.keys().next().value));
    if (b.units < c) {
      const wait = Math.ceil(((c - b.units) * 60) / this.perMin);
      reply?.header('retry-after', String(wait));
      throw new HttpError(429, 'RATE_LIMITED', `this address asked for more than ${this.perMin} snapshots' worth of work a minute (catch-up pages, stream resends, history windows); retry in ${wait} s`);
    }
    b.units -= c;
  }
}
