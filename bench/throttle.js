// throttle.js — a slow mobile link between the browser and the feed server, in process (no root,
// no netem): a TCP proxy whose two directions are each one bottleneck link. The start-up
// benchmark (bench/startup.js) points the page at the proxy's port as its origin, so every byte
// of every request and response (headers, chunk framing, the event stream) crosses the link.
//
// The model, per direction (down: server → browser, up: browser → server):
// - one serialiser at `kbps`: data is cut into TCP-sized packets (MSS bytes + IP/TCP headers
//   counted on the link) and sent one at a time; the link is a token bucket one packet deep, so
//   it never bursts above its rate;
// - shared fairly: the connections with data waiting take turns, one packet each (round robin,
//   as a fair-queuing bottleneck router shares a link between flows);
// - propagation: each packet arrives rtt/2 after its last bit left the serialiser;
// - a new connection pays its handshake: the browser's first bytes may start only one round
//   trip after it connected (SYN, SYN-ACK), as over real TCP (there is no TLS here: a real HTTPS
//   site pays one more round trip per connection).
// Not modelled: TCP slow start and receive windows (a fresh connection gets its fair share at
// once), packet loss, the radio's wake-up.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** TCP payload per packet on a 1,500-byte MTU. */
const MSS = 1460;
/** IPv4 + TCP headers with timestamps: on the link, not in the payload. */
const HEADER_BYTES = 52;
/** A connection with more than this waiting to cross the link stops reading from its source
 * (back-pressure, like a full socket buffer), so a large body queues in the server, not here. */
const QUEUE_HIGH_BYTES = 256 * 1024;

/** Epoch milliseconds with sub-millisecond resolution (the page's performance.timeOrigin base). */
export const epochNow = () => performance.timeOrigin + performance.now();

/** One direction of the bottleneck: a serialiser shared round robin between flows. */
export class Link {
  /**
   * @param {{ kbps: number, delayMs: number }} o link rate (kilobits/s) and one-way delay
   */
  constructor({ kbps, delayMs }) {
    this.bytesPerMs = (kbps * 1000) / 8 / 1000;
    this.delayMs = delayMs;
    /** @type {Set<Flow>} flows with data waiting, in turn order */
    this.waiting = new Set();
    /** When the serialiser is free again (performance.now() time). */
    this.freeAt = 0;
    /** Whether packets have been waiting since the last one was sent (no idle gap). */
    this.backlogged = false;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
  }

  /**
   * A flow through this link: bytes are delivered to `deliver` in order, delayed and paced.
   * @param {(chunk: Buffer | null) => void} deliver null: the sender ended
   * @param {number} [readyAt] performance.now() time before which nothing may be sent
   */
  flow(deliver, readyAt = 0) {
    return new Flow(this, deliver, readyAt);
  }

  /** Sends every packet whose turn has come; re-arms itself for the next one. */
  pump() {
    // new data may be sendable before the armed wake-up (the wake-up was for a later packet or
    // a handshake): recompute; virtual time (freeAt) keeps the rate whatever wakes it
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (;;) {
      const now = performance.now();
      const ready = [...this.waiting].filter((f) => f.readyAt <= now);
      if (ready.length === 0) {
        this.backlogged = false;
        const next = Math.min(...[...this.waiting].map((f) => f.readyAt));
        if (Number.isFinite(next)) this.arm(next - now);
        return;
      }
      if (this.freeAt > now) {
        this.arm(this.freeAt - now);
        return;
      }
      const flow = ready[0];
      const packet = flow.take();
      // round robin: the flow goes to the back of the turn order, or leaves it when empty
      this.waiting.delete(flow);
      if (flow.queued > 0 || flow.ending) this.waiting.add(flow);
      // an idle link starts now; a backlogged one at the end of the previous packet (virtual
      // time: a late timer delays the sending, not the packets' arrival, and never the rate)
      const start = this.backlogged ? this.freeAt : Math.max(now, this.freeAt);
      this.backlogged = true;
      this.freeAt = start + (packet ? packet.length + HEADER_BYTES : HEADER_BYTES) / this.bytesPerMs;
      flow.schedule(packet, this.freeAt + this.delayMs);
    }
  }

  /** @param {number} ms */
  arm(ms) {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(0, ms));
  }
}

class Flow {
  /**
   * @param {Link} link
   * @param {(chunk: Buffer | null) => void} deliver
   * @param {number} readyAt
   */
  constructor(link, deliver, readyAt) {
    this.link = link;
    this.deliver = deliver;
    this.readyAt = readyAt;
    /** @type {Buffer[]} */
    this.queue = [];
    this.queued = 0;
    this.ending = false;
    /** @type {{ at: number, packet: Buffer | null }[]} packets on the wire, in order */
    this.inFlight = [];
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.arrival = null;
    /** @type {(() => void) | null} called when the queue drains under the high-water mark */
    this.onDrain = null;
  }

  /** @param {Buffer} chunk */
  write(chunk) {
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.link.waiting.add(this);
    this.link.pump();
    return this.queued < QUEUE_HIGH_BYTES;
  }

  end() {
    this.ending = true;
    this.link.waiting.add(this);
    this.link.pump();
  }

  /** The next packet: up to MSS bytes from the head of the queue; null once ended and empty. */
  take() {
    if (this.queued === 0) {
      this.ending = false;
      return null;
    }
    const head = this.queue[0];
    const packet = head.subarray(0, MSS);
    if (packet.length === head.length) this.queue.shift();
    else this.queue[0] = head.subarray(MSS);
    this.queued -= packet.length;
    if (this.queued < QUEUE_HIGH_BYTES && this.onDrain) this.onDrain();
    return packet;
  }

  /**
   * @param {Buffer | null} packet
   * @param {number} at performance.now() time of arrival
   */
  schedule(packet, at) {
    this.inFlight.push({ at, packet });
    if (!this.arrival) this.arriveLater();
  }

  /** Delivers, in order, every packet that has arrived; one timer per flow keeps the order. */
  arriveLater() {
    const now = performance.now();
    while (this.inFlight.length > 0 && this.inFlight[0].at <= now) {
      this.deliver(/** @type {{ packet: Buffer | null }} */ (this.inFlight.shift()).packet);
    }
    this.arrival = this.inFlight.length === 0 ? null
      : setTimeout(() => this.arriveLater(), this.inFlight[0].at - now);
  }
}

/**
 * @typedef {object} ThrottledProxy
 * @property {string} origin http://127.0.0.1:PORT — give the browser this as the site's origin
 * @property {{ at: number, bytes: number }[]} down every packet delivered to the browser (epoch ms, payload bytes)
 * @property {{ at: number, bytes: number }[]} up every packet delivered to the server
 * @property {() => number} connections connections accepted since the last reset
 * @property {() => void} reset clears the logs (between page loads)
 * @property {() => Promise<void>} close
 */

/**
 * Starts a proxy to `target` ("host:port") over one bottleneck link per direction.
 * @param {{ target: string, downKbps: number, upKbps: number, rttMs: number }} o
 * @returns {Promise<ThrottledProxy>}
 */
export async function startThrottledProxy({ target, downKbps, upKbps, rttMs }) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const downLink = new Link({ kbps: downKbps, delayMs: rttMs / 2 });
  const upLink = new Link({ kbps: upKbps, delayMs: rttMs / 2 });
  /** @type {{ at: number, bytes: number }[]} */
  let down = [];
  /** @type {{ at: number, bytes: number }[]} */
  let up = [];
  let accepted = 0;
  const sockets = new Set();
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(port, host);
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const toServer = upLink.flow((chunk) => {
      if (upstream.destroyed) return;
      if (chunk === null) upstream.end();
      else {
        up.push({ at: epochNow(), bytes: chunk.length });
        upstream.write(chunk);
      }
    }, performance.now() + rttMs);
    const toClient = downLink.flow((chunk) => {
      if (client.destroyed) return;
      if (chunk === null) client.end();
      else {
        down.push({ at: epochNow(), bytes: chunk.length });
        client.write(chunk);
      }
    });
    pipe(client, toServer);
    pipe(upstream, toClient);
    // the browser closing (or an error) drops both; the server closing only ends its flow, which
    // closes the browser's side when the last packet has crossed the link
    const destroy = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', destroy).on('close', destroy);
    upstream.on('error', destroy).on('close', () => sockets.delete(upstream));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    origin: `http://127.0.0.1:${address.port}`,
    get down() { return down; },
    get up() { return up; },
    connections: () => accepted,
    reset() {
      down = [];
      up = [];
      accepted = 0;
    },
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve(undefined));
    }),
  };
}

/**
 * Feeds a socket's bytes into a flow, pausing the socket while the flow's queue is full.
 * @param {import('node:net').Socket} from
 * @param {Flow} flow
 */
function pipe(from, flow) {
  flow.onDrain = () => from.resume();
  from.on('data', (chunk) => {
    if (!flow.write(chunk)) from.pause();
  });
  from.on('end', () => flow.end());
}
