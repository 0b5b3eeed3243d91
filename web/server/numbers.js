// numbers.js — how served values are written as JSON numbers (quantised as the engine stores
// them). Kept apart from formats.js, which loads the engine, so that the history worker thread
// (history-worker.js) formats exactly as the main thread does without loading a wasm engine.

export const fmtSpeed = (/** @type {number} */ v) => (v === v ? String(Math.round(v * 100) / 100) : 'null');
export const fmtVolume = (/** @type {number} */ v) => (v === v ? String(Math.round(v)) : 'null');
export const fmtOccupancy = (/** @type {number} */ v) => (v === v ? String(Math.round(v * 10000) / 10000) : 'null');
