// network-id.js — what a network's id in a feed's URLs may be (/api/v1/networks/<id>/): the one
// rule the server, the page's address bar and the embeds' `network` attribute all check.

/** 1–40 lower-case letters, digits and dashes, starting with a letter or digit. */
export const NETWORK_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
