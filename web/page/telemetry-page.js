// telemetry-page.js — the script of public/telemetry.html: the last hour's p50/p95 per stage
// and browser family from GET api/v1/telemetry/summary (web/server/telemetry.js), refreshed
// every REFRESH_MS. Text only (textContent); a file, not an inline script, for the CSP.

/** The summary changes by the minute; refreshing more often would only cost requests. */
const REFRESH_MS = 30000;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {number} v */
const fmt = (v) => (v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0));

/** @param {import('../shared/types.js').SummaryRow[]} rows */
function renderRows(rows) {
  const body = /** @type {HTMLTableSectionElement} */ ($('summary').querySelector('tbody'));
  if (!rows.length) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 6;
    td.textContent = 'No beacons in the last hour.';
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.stage = r.stage;
    tr.dataset.family = r.family;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = r.stage;
    tr.append(th);
    for (const text of [r.family, String(r.samples), fmt(r.p50), fmt(r.p95), r.unit]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

async function refresh() {
  try {
    const r = await fetch('api/v1/telemetry/summary', { headers: { accept: 'application/json' } });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const s = await r.json();
    renderRows(s.rows);
    $('resolution').textContent = `±${s.resolutionPct}`;
    const rejected = Object.entries(s.rejected).map(([status, n]) => `${n} × ${status}`).join(', ') || 'none';
    const families = Object.entries(s.beacons).filter(([, n]) => n).map(([f, n]) => `${f} ${n}`).join(', ') || 'none';
    $('counts').textContent = `Beacons in the last hour: ${families}. Since the server started: ${s.accepted} accepted, refused: ${rejected}.`;
    $('status').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    document.documentElement.dataset.ready = 'summary';
  } catch (err) {
    $('status').textContent = `Could not load the summary: ${err instanceof Error ? err.message : String(err)}. Retrying…`;
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
