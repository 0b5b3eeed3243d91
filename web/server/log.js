// The durable snapshot log (relay and directory modes): an append-only file of checksummed
// records, and a store (DurableStore) that writes every snapshot to it, synced to disk, before
// the snapshot joins the in-memory ring the HTTP layer reads. ARCHITECTURE.md says why a plain
// log rather than SQLite.
//
// File: the 8-byte magic "FCLOG01\n", then records
//   u32 LE  payload length L
//   u32 LE  CRC-32 of the 8 + L bytes that follow (ts_ms and payload)
//   f64 LE  ts_ms (the snapshot's instant; strictly increasing through the file)
//   L bytes the snapshot's canonical flowcast.snapshot/1 JSON, exactly as served
//
// Recovery reads the file front to back. At a record that is short, fails its checksum or goes
// back in time it looks for the next good record after it: each record's payload begins with
// the snapshot's schema tag, a marker found with one indexOf per chunk, and a candidate counts
// only with a whole record and a matching checksum behind it, later in time than the last good
// one. Found: the damaged bytes between are copied aside (FILE.corrupt-<ms>), the file is
// rewritten without them (FILE.repair, synced, renamed over FILE), and a corrupt record costs
// that record only (issue 19). Not found: it was a torn or corrupt tail, copied aside
// (FILE.tail-<ms>) and cut off, so appends continue after the last good record. Compaction (retention) copies the records still wanted into FILE.compact
// with asynchronous I/O while appends continue on the old file, then, in one synchronous step,
// copies the records appended meanwhile, syncs, and renames it over FILE.

import {
  closeSync, existsSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync,
  readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { serialiseSnapshot, snapshotToEntry, strongEtag } from './formats.js';
import { MemoryStore } from './store.js';

export const LOG_FILE = 'snapshots.log';
/** The network a relay last fetched, so a restart can serve its log while the upstream is down. */
export const LOG_NETWORK_FILE = 'network.json';
/** Holds the pid of the process writing the log: two writers would interleave records. */
const LOCK_FILE = 'writer.pid';
const MAGIC = Buffer.from('FCLOG01\n', 'latin1');
const HEAD = 16;
/** How every record's payload begins (the canonical snapshot JSON): the resync marker. */
const PAYLOAD_START = Buffer.from('{"schema":"flowcast.snapshot/1"', 'latin1');
/** The resync scan reads this much at a time. */
const SCAN_CHUNK = 4 * 1024 * 1024;
/** A record longer than this is corruption, not a snapshot (Atlanta's are ~36 KB; 50k sensors ~4 MB). */
const MAX_RECORD = 64 * 1024 * 1024;
/** Compaction copies in chunks this size, yielding to requests between them. */
const COPY_CHUNK = 1024 * 1024;
const DAY_MS = 86400000;

/**
 * @typedef {Object} RecordInfo
 * @property {number} offset of the record header in the file
 * @property {number} ts_ms
 * @property {number} length payload bytes
 */

/** @param {string} dir */
function fsyncDir(dir) {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* some platforms cannot sync a directory; the rename is still atomic */ }
}

/**
 * One record's bytes.
 * @param {number} ts_ms
 * @param {string} json
 */
export function encodeRecord(ts_ms, json) {
  const len = Buffer.byteLength(json);
  const buf = Buffer.allocUnsafe(HEAD + len);
  buf.writeUInt32LE(len, 0);
  buf.writeDoubleLE(ts_ms, 8);
  buf.write(json, HEAD, 'utf8');
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** The append-only file: recovery, synced appends, reads, compaction. */
export class SnapshotLog {
  /**
   * Open (creating if needed) and recover the log in `dir`.
   * @param {string} dir
   * @param {{ log?: (msg: string) => void }} [opts]
   */
  constructor(dir, opts = {}) {
    this.dir = dir;
    this.path = join(dir, LOG_FILE);
    this.say = opts.log ?? (() => {});
    mkdirSync(dir, { recursive: true });
    this.lock = join(dir, LOCK_FILE);
    this.takeLock();
    /** @type {RecordInfo[]} */
    this.records = [];
    this.recovered = {
      records: 0, dropped_bytes: 0, tail_file: /** @type {string|null} */ (null),
      /** damaged stretches skipped between good records, and where their bytes were kept */
      skipped: 0, skipped_bytes: 0, corrupt_file: /** @type {string|null} */ (null),
    };
    this.compactions = 0;
    /** @type {Promise<number>|null} */
    this.compacting = null;
    this.fd = openSync(this.path, existsSync(this.path) ? 'r+' : 'w+');
    this.bytes = fstatSync(this.fd).size;
    this.recover();
  }

  /** Refuse a log another live process writes; take over one whose writer is gone (a crash). */
  takeLock() {
    try {
      const pid = Number(readFileSync(this.lock, 'utf8'));
      if (pid && pid !== process.pid) {
        let alive = true;
        try { process.kill(pid, 0); } catch (err) { alive = /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM'; }
        if (alive) throw new Error(`log ${this.dir} is in use by process ${pid} (${this.lock}); give this server its own --log`);
      }
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err;
    }
    writeFileSync(this.lock, String(process.pid));
  }

  /** Read the whole file, keep the good prefix, cut and keep aside whatever follows it. */
  recover() {
    if (this.bytes < MAGIC.length || !this.read(0, MAGIC.length).equals(MAGIC)) {
      if (this.bytes > 0) this.setAside(0, 'not a flowcast log (bad magic)');
      ftruncateSync(this.fd, 0);
      writeSync(this.fd, MAGIC, 0, MAGIC.length, 0);
      fdatasyncSync(this.fd);
      this.bytes = MAGIC.length;
      return;
    }
    let off = MAGIC.length;
    let last = -Infinity;
    const size = this.bytes;
    let why = '';
    /** @type {{ from: number, to: number, why: string }[]} damaged stretches with good records after them */
    const skipped = [];
    while (off < size) {
      const bad = this.check(off, size, last);
      if (typeof bad !== 'string') {
        this.records.push({ offset: off, ts_ms: bad.ts_ms, length: bad.length });
        last = bad.ts_ms;
        off += HEAD + bad.length;
        continue;
      }
      const next = this.resync(off + 1, size, last);
      if (next < 0) { why = bad; break; }
      skipped.push({ from: off, to: next, why: bad });
      off = next;
    }
    this.recovered.records = this.records.length;
    if (off < size) {
      this.setAside(off, why);
      ftruncateSync(this.fd, off);
      fdatasyncSync(this.fd);
      this.bytes = off;
    }
    if (skipped.length) this.repair(skipped);
  }

  /**
   * The record at `off`, or why it is not one.
   * @param {number} off
   * @param {number} size
   * @param {number} last the previous good record's ts_ms
   * @returns {{ ts_ms: number, length: number } | string}
   */
  check(off, size, last) {
    if (off + HEAD > size) return 'short header';
    const head = this.read(off, HEAD);
    const len = head.readUInt32LE(0);
    const ts_ms = head.readDoubleLE(8);
    if (len > MAX_RECORD || off + HEAD + len > size) return 'short record';
    if (crc32(this.read(off + 8, 8 + len)) !== head.readUInt32LE(4)) return 'checksum mismatch';
    if (!(ts_ms > last)) return 'timestamp out of order';
    return { ts_ms, length: len };
  }

  /**
   * The offset of the first good record at or after `from`, or -1: each place the payload
   * marker occurs is a candidate whose header sits just before it.
   * @param {number} from
   * @param {number} size
   * @param {number} last
   */
  resync(from, size, last) {
    for (let pos = from + HEAD; pos < size; pos += SCAN_CHUNK - PAYLOAD_START.length) {
      const chunk = this.read(pos, Math.min(SCAN_CHUNK, size - pos));
      for (let i = chunk.indexOf(PAYLOAD_START); i >= 0; i = chunk.indexOf(PAYLOAD_START, i + 1)) {
        const at = pos + i - HEAD;
        if (typeof this.check(at, size, last) !== 'string') return at;
      }
      if (pos + chunk.length >= size) break;
    }
    return -1;
  }

  /**
   * Rewrites the file without the damaged stretches (their bytes kept aside first): the good
   * records only, synced, renamed over the log.
   * @param {{ from: number, to: number, why: string }[]} skipped
   */
  repair(skipped) {
    const aside = `${this.path}.corrupt-${Date.now()}`;
    writeFileSync(aside, Buffer.concat(skipped.map((k) => this.read(k.from, k.to - k.from))));
    const lost = skipped.reduce((n, k) => n + k.to - k.from, 0);
    this.recovered.skipped = skipped.length;
    this.recovered.skipped_bytes = lost;
    this.recovered.corrupt_file = aside;
    for (const k of skipped) this.say(`log ${this.path}: ${k.why} at byte ${k.from}; skipped ${k.to - k.from} damaged bytes up to the next good record (kept in ${aside})`);
    const tmp = `${this.path}.repair`;
    const out = openSync(tmp, 'w');
    /** @type {RecordInfo[]} */
    const moved = [];
    try {
      writeSync(out, MAGIC, 0, MAGIC.length, 0);
      let at = MAGIC.length;
      for (const r of this.records) {
        const rec = this.read(r.offset, HEAD + r.length);
        writeSync(out, rec, 0, rec.length, at);
        moved.push({ offset: at, ts_ms: r.ts_ms, length: r.length });
        at += rec.length;
      }
      fdatasyncSync(out);
      closeSync(out);
      renameSync(tmp, this.path);
      fsyncDir(this.dir);
      closeSync(this.fd);
      this.fd = openSync(this.path, 'r+');
      this.records = moved;
      this.bytes = at;
    } catch (err) {
      try { closeSync(out); } catch { /* closed */ }
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Copy bytes [from, end of file) to FILE.tail-<ms> before they are cut off.
   * @param {number} from
   * @param {string} why
   */
  setAside(from, why) {
    const tail = `${this.path}.tail-${Date.now()}`;
    writeFileSync(tail, this.read(from, this.bytes - from));
    this.recovered.dropped_bytes = this.bytes - from;
    this.recovered.tail_file = tail;
    this.say(`log ${this.path}: ${why} at byte ${from}; dropped ${this.bytes - from} bytes (kept in ${tail})`);
  }

  /**
   * @param {number} pos
   * @param {number} len
   */
  read(pos, len) {
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, buf, got, len - got, pos + got);
      if (n === 0) throw new Error(`log ${this.path}: unexpected end of file at ${pos + got}`);
      got += n;
    }
    return buf;
  }

  /** @param {RecordInfo} r */
  payload(r) { return this.read(r.offset + HEAD, r.length).toString('utf8'); }

  get latestTs() { return this.records.at(-1)?.ts_ms ?? -Infinity; }

  /**
   * Append records and sync them to disk: when this returns they survive a crash of the
   * process (and of the machine, as far as fdatasync reaches). On a failed write the file is cut
   * back, so a half-written batch never stays behind a good record.
   * @param {{ ts_ms: number, json: string }[]} items strictly increasing ts, after latestTs
   */
  append(items) {
    if (!items.length) return;
    const bufs = items.map((it) => encodeRecord(it.ts_ms, it.json));
    const all = bufs.length === 1 ? bufs[0] : Buffer.concat(bufs);
    const start = this.bytes;
    try {
      let done = 0;
      while (done < all.length) done += writeSync(this.fd, all, done, all.length - done, start + done);
      fdatasyncSync(this.fd);
    } catch (err) {
      try { ftruncateSync(this.fd, start); } catch { /* the next recovery cuts it instead */ }
      throw err;
    }
    let off = start;
    items.forEach((it, i) => {
      this.records.push({ offset: off, ts_ms: it.ts_ms, length: bufs[i].length - HEAD });
      off += bufs[i].length;
    });
    this.bytes = off;
  }

  /**
   * Drop every record older than cutoff_ms by rewriting the file; requests and appends go on
   * meanwhile. Resolves to the number of records dropped.
   * @param {number} cutoff_ms
   * @returns {Promise<number>}
   */
  compact(cutoff_ms) {
    this.compacting ??= this.rewrite(cutoff_ms).finally(() => { this.compacting = null; });
    return this.compacting;
  }

  /** @param {number} cutoff_ms */
  async rewrite(cutoff_ms) {
    const first = this.records.findIndex((r) => r.ts_ms >= cutoff_ms);
    const drop = first < 0 ? this.records.length : first;
    if (drop === 0) return 0;
    const from = drop < this.records.length ? this.records[drop].offset : this.bytes;
    const end = this.bytes; // appends after this point are copied in the final step
    const tmp = `${this.path}.compact`;
    const out = await open(tmp, 'w');
    let swapped = false;
    try {
      await out.write(MAGIC);
      const src = await open(this.path, 'r');
      try {
        const buf = Buffer.allocUnsafe(COPY_CHUNK);
        for (let pos = from; pos < end;) {
          const { bytesRead } = await src.read(buf, 0, Math.min(COPY_CHUNK, end - pos), pos);
          if (!bytesRead) throw new Error('log shrank during compaction');
          await out.write(buf.subarray(0, bytesRead));
          pos += bytesRead;
        }
      } finally {
        await src.close();
      }
      await out.datasync();
      // The swap: synchronous, so no append can slip in between the copy and the rename.
      const extra = this.bytes - end;
      if (extra) {
        const rest = this.read(end, extra);
        let done = 0;
        while (done < extra) done += writeSync(out.fd, rest, done, extra - done, MAGIC.length + (end - from) + done);
      }
      fdatasyncSync(out.fd);
      renameSync(tmp, this.path);
      swapped = true;
      fsyncDir(dirname(this.path));
      closeSync(this.fd);
      this.fd = openSync(this.path, 'r+');
      const shift = from - MAGIC.length;
      this.records = this.records.slice(drop).map((r) => ({ ...r, offset: r.offset - shift }));
      this.bytes -= shift;
      this.compactions++;
      return drop;
    } finally {
      await out.close().catch(() => {});
      if (!swapped) rmSync(tmp, { force: true });
    }
  }

  close() {
    closeSync(this.fd);
    rmSync(this.lock, { force: true });
  }
}

/**
 * A MemoryStore whose every entry is first written to a SnapshotLog. On creation it recovers
 * the log and loads the newest `capacity` entries within the retention window into memory.
 */
export class DurableStore extends MemoryStore {
  /**
   * @param {import('./formats.js').Network} network
   * @param {{ dir: string, capacity?: number, retention_days?: number, log?: (msg: string) => void }} opts
   */
  constructor(network, opts) {
    super(network, { capacity: opts.capacity });
    this.say = opts.log ?? (() => {});
    this.retention_ms = (opts.retention_days ?? 14) * DAY_MS;
    this.log = new SnapshotLog(opts.dir, { log: this.say });
    this.last_error = '';
    const cutoff = this.log.latestTs - this.retention_ms;
    // every record in the window goes back through the network's engine, emptied first: the
    // log is what the engine holds for this network (its history serves /history); the newest
    // `capacity` records fill the ring
    network.rules.reset();
    const keep = this.log.records.filter((r) => r.ts_ms >= cutoff);
    const ringFrom = keep.length - this.capacity;
    let skipped = 0;
    /** @type {Set<number>} records of another network (the upstream changed it): never served */
    this.unfit = new Set();
    keep.forEach((r, k) => {
      try {
        const { entry } = snapshotToEntry(this.log.payload(r), network);
        if (k >= ringFrom) super.append(entry);
      } catch {
        skipped++;
        this.unfit.add(r.ts_ms);
      }
    });
    if (skipped) this.say(`log ${this.log.path}: ${skipped} records do not fit network "${network.id}" and are not served`);
    this.maybeCompact();
  }

  /** @param {import('./formats.js').Entry} entry */
  append(entry) {
    return this.appendMany([entry]) === 1;
  }

  /**
   * Entries after ts_ms: those older than the ring come from the log itself (the records it
   * keeps within retention, as stored: the served text), so `--capacity` bounds memory, never
   * what a catch-up can have (issue 19). At most `limit` of them are read (their first bytes).
   * @param {number} ts_ms
   * @param {number} limit
   */
  after(ts_ms, limit) {
    const older = this.logged(ts_ms, Infinity, limit);
    if (older.length === limit) return { entries: older, more: true };
    const rest = super.after(ts_ms, limit - older.length);
    return { entries: older.length ? older.concat(rest.entries) : rest.entries, more: rest.more };
  }

  /**
   * Stand-ins for the log's records after from_ms, up to to_ms, that are older than the ring's
   * oldest entry and within retention: a record's instant and its `ts` text (read from its first
   * bytes); the rest is read when it is served.
   * @param {number} from_ms
   * @param {number} to_ms
   * @param {number} limit
   * @returns {import('./formats.js').Entry[]}
   */
  logged(from_ms, to_ms, limit) {
    const ringOldest = this.size ? this.at(0).ts_ms : Infinity;
    const recs = this.log.records;
    if (!recs.length || from_ms >= ringOldest - 1 || recs[0].ts_ms >= ringOldest) return [];
    const cutoff = this.log.latestTs - this.retention_ms;
    let lo = 0, hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (recs[mid].ts_ms <= from_ms || recs[mid].ts_ms < cutoff) lo = mid + 1; else hi = mid;
    }
    const out = [];
    for (let i = lo; i < recs.length && recs[i].ts_ms < ringOldest && recs[i].ts_ms <= to_ms && out.length < limit; i++) {
      if (this.unfit.has(recs[i].ts_ms)) continue;
      const head = this.log.read(recs[i].offset + 16, Math.min(recs[i].length, 256)).toString('latin1');
      const ts = /"ts":"([^"]+)"/.exec(head)?.[1];
      if (ts) out.push(/** @type {any} */ ({ ts_ms: recs[i].ts_ms, ts, fromLog: true }));
    }
    return out;
  }

  /**
   * A stand-in's text, read from the log by its instant (the offsets move when the log is
   * compacted); gone by then (expired meanwhile): an error, which ends that response.
   * @param {any} entry
   */
  loggedText(entry) {
    const text = this.storedText(entry.ts_ms);
    if (text === null) throw new Error(`snapshot ${entry.ts} expired from the log while being served`);
    return text;
  }

  /**
   * The served text of the log's record at ts_ms (the record is the body the routes serve), or
   * null when the log has none.
   * @param {number} ts_ms
   * @returns {string | null}
   */
  storedText(ts_ms) {
    const recs = this.log.records;
    let lo = 0, hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (recs[mid].ts_ms < ts_ms) lo = mid + 1; else hi = mid;
    }
    return recs[lo]?.ts_ms === ts_ms ? this.log.payload(recs[lo]) : null;
  }

  /** @param {import('./formats.js').Entry} entry */
  payload(entry) {
    if (!(/** @type {any} */ (entry).fromLog)) return super.payload(entry);
    const json = this.loggedText(entry); // not cached: a catch-up must not push out what is shared
    return { json, etag: strongEtag(json) };
  }

  /**
   * A catch-up's text: the cached serialisation, else the log's stored one (a read of the record:
   * 58 µs against 229 µs to serialise a 460-sensor snapshot again, PERFORMANCE.md §31; issue
   * 19's "catch-up pages from stored serialisations"), else serialised.
   * @param {import('./formats.js').Entry} entry
   */
  payloadText(entry) {
    if (/** @type {any} */ (entry).fromLog) return this.loggedText(entry);
    return this.payloads.get(entry.ts_ms)?.json ?? this.storedText(entry.ts_ms) ?? super.payloadText(entry);
  }

  /**
   * Persist the entries that are newer than the latest (one sync for all), then make them
   * visible and emit them. Throws when the log cannot be written: nothing is then accepted.
   * @param {import('./formats.js').Entry[]} entries
   * @returns {number} entries accepted
   */
  appendMany(entries) {
    let last = this.latest()?.ts_ms ?? -Infinity;
    const fresh = [];
    for (const e of entries) {
      if (e.ts_ms > last && e.ts_ms > this.log.latestTs) { fresh.push(e); last = e.ts_ms; }
    }
    if (!fresh.length) return 0;
    const items = fresh.map((e) => ({ ts_ms: e.ts_ms, json: serialiseSnapshot(e, this.network) }));
    this.log.append(items);
    for (const e of fresh) super.append(e);
    this.maybeCompact();
    return fresh.length;
  }

  /** Compact once a tenth of the retention window (at least) has expired. */
  maybeCompact() {
    const oldest = this.log.records[0]?.ts_ms;
    if (oldest === undefined || this.log.compacting) return;
    const cutoff = this.log.latestTs - this.retention_ms;
    if (oldest >= cutoff - this.retention_ms / 10) return;
    this.compact().catch(() => {});
  }

  /** Apply retention now: drop expired entries from memory and the log. */
  async compact() {
    const cutoff = this.log.latestTs - this.retention_ms;
    this.dropBefore(cutoff);
    try {
      return await this.log.compact(cutoff);
    } catch (err) {
      this.last_error = `compaction: ${err instanceof Error ? err.message : err}`;
      this.say(`log ${this.log.path}: ${this.last_error}`);
      throw err;
    }
  }

  health() {
    const l = this.log;
    return {
      path: l.path, records: l.records.length, bytes: l.bytes,
      oldest: l.records.length ? this.network.tz.iso(l.records[0].ts_ms) : null,
      retention_days: this.retention_ms / DAY_MS,
      recovered: l.recovered, compactions: l.compactions, last_error: this.last_error || null,
    };
  }

  close() {
    this.log.close();
  }
}
