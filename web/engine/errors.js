// errors.js — the one error class of the JavaScript API, in its own module so that every part
// of web/engine/ (and web/lru.js through web/flowcast.js) throws the same type.

/** An error thrown for programming or set-up mistakes (never for bad feed data). */
export class FlowcastError extends Error {
  /**
   * @param {string} code   the C status name ("E_ARG") or a JavaScript-side one ("E_LOAD")
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'FlowcastError';
    this.code = code;
  }
}
