// map-draft.js — the map drawn from the network as the worker fetched it, before the engine has
// accepted it, and not shown until then. On a phone the page's main thread is idle while the
// wasm downloads, and drawing the network is most of what stands between the engine's first
// speeds and their paint (PERFORMANCE.md §40). The engine stays the network's judge: the draft
// is shown only when its 'network' message brings the same network, and dropped otherwise.

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('./map.js').SegmentMap} SegmentMap */

/**
 * Whether two networks are the same document (the worker's and the one an earlier visit kept,
 * say).
 * @param {Network} a
 * @param {Network} b
 */
export const sameNetwork = (a, b) => a === b || JSON.stringify(a) === JSON.stringify(b);

export class MapDraft {
  /** @param {(net: Network, hidden: boolean) => SegmentMap} newMap draws a network's map (hidden: not shown) */
  constructor(newMap) {
    this.newMap = newMap;
    /** @type {{ net: Network, map: SegmentMap } | null} */
    this.draft = null;
  }

  /**
   * Draws the network hidden, unless a draft is already drawn.
   * @param {Network} net
   */
  draw(net) {
    if (this.draft) return;
    try {
      this.draft = { net, map: this.newMap(net, true) };
    } catch (err) {
      // not drawable: the engine will say why (or accept it, and the map is drawn then, as before)
      console.warn(`flowcast: the network could not be drawn ahead of the engine: ${/** @type {Error} */ (err).message}`);
    }
  }

  /** Drops the draft (its worker was replaced: the next one's 'network' says nothing of it). */
  drop() {
    this.draft?.map.remove();
    this.draft = null;
  }

  /**
   * The draft's map when it was drawn for this network, shown; else null (and the draft dropped).
   * @param {Network} net
   * @param {boolean} [fromWorker] net is the worker's accepted network: a draft is that worker's
   *   (a replaced worker's was dropped), drawn from the same text, so no need to compare
   */
  take(net, fromWorker = false) {
    const d = this.draft;
    this.draft = null;
    if (!d) return null;
    if (!fromWorker && !sameNetwork(d.net, net)) {
      d.map.remove();
      return null;
    }
    d.map.reveal();
    return d.map;
  }
}
