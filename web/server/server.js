// The flowcast feed server: the HTTP API over a snapshot source (replay, relay or directory),
// plus the static site. `buildServer()` (./app.js) is for tests and embedding; run this file for
// the command line (./cli.js). docs/API.md is the reference for every route.

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { main } from './cli.js';

export { buildServer } from './app.js';
export { main } from './cli.js';
/** @typedef {import('./options.js').ServerOptions} ServerOptions */

const invoked = process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
if (invoked) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`flowcast-server: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
