// Element helpers for the picture's modules: SVG elements built from
// attributes (never from markup), the HTML helper shared with the rest of
// the page, and the colour of a term.
import { box } from './dom.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svgEl(tag, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

/** An HTML element with a class and text, appended to `parent` if given. */
export const htmlEl = box;

export const termColor = (term) => `var(--qs-term-${((term % 8) + 8) % 8})`;
