// styles.js — styles for the embeds as constructed stylesheets, adopted by a shadow root (the
// element) or by the partner's document (the Leaflet legend). A constructed stylesheet is not
// an inline <style> for the Content Security Policy, so a partner's CSP needs no
// 'unsafe-inline' for them (docs/embedding.md).

/** @type {Map<string, CSSStyleSheet>} one sheet per text, shared by every root that adopts it */
const sheets = new Map();
/** @type {WeakMap<Document | ShadowRoot, Set<string>>} texts already added as <style> (old browsers) */
const fallbacks = new WeakMap();

/**
 * Adds `text` to a root's styles once.
 * @param {Document | ShadowRoot} root
 * @param {string} text
 */
export function adoptStyles(root, text) {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    let sheet = sheets.get(text);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      sheets.set(text, sheet);
    }
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  // Browsers without constructable stylesheets (before 2023 in Safari): a <style>, which a
  // strict CSP may refuse; the drawing then still works, plainer.
  const done = fallbacks.get(root) ?? new Set();
  fallbacks.set(root, done);
  if (done.has(text)) return;
  done.add(text);
  const style = document.createElement('style');
  style.textContent = text;
  (root instanceof Document ? root.head : root).append(style);
}
