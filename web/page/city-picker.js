// city-picker.js — the city picker: the networks the feed serves (GET api/v1/networks), shown
// when there is more than one. The choice goes into the address bar (`network`, read by boot.js)
// and the page loads again for it: a new engine worker, map and kept forecast, each network's
// own. A feed without the list (an older server, static hosting) shows no picker.

/**
 * @typedef {{ id: string, name?: string, city?: string, simulated?: boolean, default?: boolean, status: string }} ServedNetwork
 */

/**
 * Fills the picker and shows it; does nothing when the feed lists fewer than two networks.
 * @param {HTMLSelectElement} select
 * @param {{ apiRoot: string, network: string }} settings boot.js's
 * @param {typeof fetch} [fetchFn]
 */
export async function showCityPicker(select, { apiRoot, network }, fetchFn = globalThis.fetch.bind(globalThis)) {
  /** @type {ServedNetwork[]} */
  let list;
  try {
    const r = await fetchFn(`${apiRoot}networks`);
    if (!r.ok) return;
    list = (await r.json()).networks.filter((/** @type {ServedNetwork} */ n) => n.status === 'ready');
  } catch {
    return; // no list: one network, as before
  }
  if (list.length < 2) return;
  const current = network || list.find((n) => n.default)?.id;
  select.replaceChildren(...list.map((n) => {
    const o = document.createElement('option');
    o.value = n.id;
    o.textContent = `${n.city ?? n.name ?? n.id}${n.simulated ? ' (simulated)' : ''}`;
    o.title = n.name ?? n.id;
    o.selected = n.id === current;
    return o;
  }));
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    const chosen = list.find((n) => n.id === select.value);
    // the default network keeps the plain address; the view of another city does not carry over
    if (chosen?.default) url.searchParams.delete('network');
    else url.searchParams.set('network', select.value);
    for (const p of ['seg', 'from', 'to']) url.searchParams.delete(p);
    location.assign(url.href);
  });
  /** @type {HTMLElement} */ (select.closest('.city')).hidden = false;
}
