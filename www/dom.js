// The small element helpers the page's modules share. Text always goes in
// through textContent: nothing here ever parses HTML.

/** Builds an element: el('button', {class: 'x', type: 'button', text: 'Go'}, child…). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

/** Builds an element with a class and text, appended to `parent` if given. */
export function box(tag, className, text, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  if (parent) parent.append(node);
  return node;
}

/**
 * Sets `node`'s text only when it differs: writing the same text again still
 * replaces the text node, and the browser lays it out anew (on every frame,
 * for a readout that playback refreshes).
 */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Sets an attribute only when its value changes: the picture's labels are placed
 * again whenever any node's text changes, mostly to the same places, and
 * writing an SVG attribute, even unchanged, makes the browser restyle and lay out
 * the element again.
 */
export function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Shows or hides an element through its inline display, writing only on change. */
export function setShown(el, shown) {
  const display = shown ? '' : 'none';
  if (el.style.display !== display) el.style.display = display;
}
