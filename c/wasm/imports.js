// imports.js — declares, for Emscripten's link step, the functions the standalone wasm imports
// from its embedder. They are never used from here at run time: web/engine/runtime.js provides them.
mergeInto(LibraryManager.library, {
  // c/src/stats.c: monotonic microseconds for the stage timers
  fc_js_now_us: function () { return performance.now() * 1000; },
});
