// Constants the site build (tools/build-site.js) defines with esbuild's `define`. Run unbundled
// (public/js/, the npm package, Node) they do not exist, so the code reads them only behind
// `typeof NAME === '…'`; declared here for the type check (tsconfig.check.json).

/** The engine worker bundle's content-addressed URL, relative to the page. */
declare const FLOWCAST_WORKER_URL: string | undefined;
/** The service worker's URL ("sw.js"): only the built page registers it. */
declare const FLOWCAST_SERVICE_WORKER: string | undefined;
/** The wasm's content-addressed file name, beside the worker bundle. */
declare const FLOWCAST_WASM_URL: string | undefined;
/** The page's files the service worker keeps, relative to it. */
declare const FLOWCAST_SHELL: string[] | undefined;
/** The service worker's cache of this build. */
declare const FLOWCAST_CACHE: string | undefined;
