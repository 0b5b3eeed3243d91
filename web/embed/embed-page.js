// embed-page.js — the script of public/embed.html, the iframe form of <flowcast-map>:
// embed.html?corridor=I-285&horizon=30 (feed= for another feed's API base; network= for one of
// its networks, e.g. network=la; telemetry= to send
// performance beacons, web/shared/telemetry.js, off unless given). The parameters
// become attributes of the element, never markup. A file rather than an inline script, and
// styles through the CSSOM rather than a <style> element, so the page runs under a Content
// Security Policy without 'unsafe-inline'.

import './flowcast-map.js';

const params = new URLSearchParams(location.search);
const map = document.createElement('flowcast-map');
for (const name of ['corridor', 'horizon', 'feed', 'network', 'telemetry']) {
  const value = params.get(name);
  if (value !== null) map.setAttribute(name, value);
}
for (const el of [document.documentElement, document.body]) {
  el.style.margin = '0';
  el.style.height = '100%';
}
map.style.height = '100vh';
document.body.append(map);
