// incidents.js — the feed's incidents on the page: a marker on the map at each one (a warning
// sign, not a colour, with an accessible name that says what and where), a short list (what,
// where, since when; each entry opens that segment's details), a line in the details of a
// segment that has one, and a line in a trip answer whose route crosses one.
//
// The incidents arrive from the worker already validated by the engine (web/worker/incidents.js).
// Their text from the feed (the description) goes through textContent and attributes, never HTML.

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').PageIncident} PageIncident */
/** @typedef {import('../shared/types.js').IncidentsMessage} IncidentsMessage */
/** @typedef {import('./map.js').SegmentMap} SegmentMap */
/** @typedef {import('./map.js').Segment} Segment */

/** What each kind of the format (docs/FORMATS.md) is called: alone, and after "crosses". */
const KIND_WORDS = /** @type {Record<PageIncident['kind'], [string, string]>} */ ({
  crash: ['crash', 'a crash'], stalled_vehicle: ['stalled vehicle', 'a stalled vehicle'], debris: ['debris', 'debris'],
  roadwork: ['roadwork', 'roadwork'], closure: ['closure', 'a closure'], other: ['incident', 'an incident'],
});
const kindWords = (/** @type {PageIncident} */ inc) => KIND_WORDS[inc.kind] ?? KIND_WORDS.other;

/** Marker size (px): at least the 24 px target size of WCAG 2.5.8. */
const MARKER_PX = 26;

/**
 * Where a station is, in the words of the network: "I-285 Inner Loop at exit 20 (Cumberland)",
 * "I-75 NB near Windy Hill Rd".
 * @param {Network} net
 * @param {number} sensor
 */
export function stationWhere(net, sensor) {
  const st = net.sensors[sensor];
  const corridor = net.corridors.find((c) => c.sensors.includes(st.id));
  const road = `${st.road} ${corridor?.name ?? st.direction}`;
  if (st.exit) return `${road} at exit ${st.exit}${st.place ? ` (${st.place})` : ''}`;
  return `${road} ${st.label ?? `at milepost ${st.milepost.toFixed(1)}`}`;
}

/** "2 of 5 lanes blocked", "on the shoulder". @param {PageIncident} inc */
function lanesText(inc) {
  if (inc.lanesBlocked === 0) return 'on the shoulder, no lane blocked';
  if (inc.lanesBlocked === inc.lanes) return `all ${inc.lanes} lanes blocked`;
  return `${inc.lanesBlocked} of ${inc.lanes} lane${inc.lanes === 1 ? '' : 's'} blocked`;
}

/**
 * One sentence for a commuter: "Crash at I-285 Inner Loop at exit 20 (Cumberland), 2 of 5 lanes
 * blocked, since 07:40, expected to clear by 08:45".
 * @param {Network} net
 * @param {PageIncident} inc
 */
export function incidentText(net, inc) {
  const what = kindWords(inc)[0];
  const until = inc.endLocal ? `, expected to clear by ${inc.endLocal}` : '';
  return `${what[0].toUpperCase()}${what.slice(1)} at ${stationWhere(net, inc.sensorIndex)}, ${lanesText(inc)}, since ${inc.startLocal}${until}`;
}

/**
 * The incidents a route passes: those at a station of its path (pairs of station ids).
 * @param {PageIncident[]} incidents
 * @param {[string, string][]} path
 */
export function incidentsOnRoute(incidents, path) {
  const stations = new Set(path.flat());
  return incidents.filter((i) => stations.has(i.sensor));
}

export class IncidentsView {
  /**
   * @param {HTMLElement} section the list's panel (its `[data-field="list"]` and `[data-field="state"]`)
   * @param {HTMLElement} detailsLine the line in the segment details panel
   * @param {HTMLElement} tripOut the trip answer's <dl>
   */
  constructor(section, detailsLine, tripOut) {
    this.section = section;
    this.list = /** @type {HTMLElement} */ (section.querySelector('[data-field="list"]'));
    this.state = /** @type {HTMLElement} */ (section.querySelector('[data-field="state"]'));
    this.detailsLine = detailsLine;
    this.tripOut = tripOut;
    /** @type {SegmentMap | null} */
    this.map = null;
    /** @type {Network | null} */
    this.net = null;
    /** @type {PageIncident[]} */
    this.incidents = [];
    /** @type {any[]} Leaflet markers */
    this.markers = [];
    /** @type {Segment | null} the segment whose details are open */
    this.segment = null;
    /** @type {[string, string][] | null} the route of the trip answer shown */
    this.path = null;
  }

  /** @param {SegmentMap} map @param {Network} net */
  setMap(map, net) {
    this.map = map;
    this.net = net;
    this.#render();
  }

  /** @param {IncidentsMessage} m */
  update(m) {
    this.incidents = m.incidents;
    this.section.hidden = m.state === 'none';
    this.state.hidden = m.state === 'ok' && m.incidents.length > 0;
    this.state.textContent = m.state === 'refused' ? 'Incident information is unavailable right now.' : 'No incidents reported.';
    this.#render();
  }

  /** The details panel opened on a segment (null: closed). @param {Segment | null} seg */
  showSegment(seg) {
    this.segment = seg;
    this.#renderDetails();
  }

  /** A trip answer was shown (null: an error, or cleared). @param {[string, string][] | null} path */
  showTrip(path) {
    this.path = path;
    this.#renderTrip();
  }

  /**
   * The segment an incident belongs to: the one starting at its station (segments are
   * represented by the detector at their start), else the one ending there.
   * @param {PageIncident} inc
   */
  #segmentOf(inc) {
    const segs = this.map?.segments ?? [];
    return segs.find((s) => s.sensor === inc.sensorIndex) ?? segs.find((s) => s.next === inc.sensorIndex) ?? null;
  }

  /** @param {PageIncident} inc */
  #open(inc) {
    const seg = this.#segmentOf(inc);
    if (seg && this.map) this.map.select(seg.index, 'pointer');
  }

  #render() {
    const net = this.net;
    if (!net || !this.map) return;
    this.#drawMarkers(net, /** @type {SegmentMap} */ (this.map));
    this.list.replaceChildren(...this.incidents.map((inc) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'incident-item';
      b.dataset.incident = inc.id;
      b.textContent = incidentText(net, inc);
      b.addEventListener('click', () => this.#open(inc));
      li.append(b);
      if (inc.description) {
        const d = document.createElement('span');
        d.className = 'incident-note';
        d.textContent = inc.description;
        li.append(d);
      }
      return li;
    }));
    this.#renderDetails();
    this.#renderTrip();
  }

  /** @param {Network} net @param {SegmentMap} map */
  #drawMarkers(net, map) {
    for (const m of this.markers) m.remove();
    this.markers = this.incidents.map((inc) => {
      const st = net.sensors[inc.sensorIndex];
      const label = incidentText(net, inc);
      const marker = map.L.marker([st.lat, st.lon], {
        icon: map.L.divIcon({ className: 'fc-incident', html: '<span aria-hidden="true"><b>!</b></span>', iconSize: [MARKER_PX, MARKER_PX] }),
        title: label, keyboard: true, riseOnHover: true, zIndexOffset: 1000,
      }).addTo(map.map);
      const el = marker.getElement();
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', label);
      el.dataset.incident = inc.id;
      marker.on('click', () => this.#open(inc));
      return marker;
    });
  }

  #renderDetails() {
    const seg = this.segment, net = this.net;
    const here = seg && net ? this.incidents.filter((i) => this.#segmentOf(i) === seg) : [];
    this.detailsLine.hidden = here.length === 0;
    this.detailsLine.textContent = net ? here.map((i) => incidentText(net, i)).join('. ') : '';
  }

  #renderTrip() {
    this.tripOut.querySelectorAll('[data-field="incidents"], .trip-incidents-label').forEach((el) => el.remove());
    const net = this.net;
    if (!this.path || !net) return;
    const crossed = incidentsOnRoute(this.incidents, this.path);
    if (!crossed.length) return;
    const dt = document.createElement('dt');
    dt.className = 'trip-incidents-label';
    dt.textContent = crossed.length === 1 ? 'Incident' : 'Incidents';
    const dd = document.createElement('dd');
    dd.dataset.field = 'incidents';
    dd.textContent = crossed.map((i) => `crosses ${kindWords(i)[1]} at ${stationWhere(net, i.sensorIndex)}, ${lanesText(i)}`).join('; ');
    this.tripOut.append(dt, dd);
  }
}
