// "Export SVG" of the sequence diagram: the rows in view as a standalone
// SVG file for a design document. Built from clones of the drawn elements
// and serialized by XMLSerializer, which escapes every text: nothing is
// ever parsed as markup. Colours are written out (the file has no page
// around it to resolve the theme's variables).
import { svgEl } from './svg.js';

const STYLE = `
text { font: 11px system-ui, sans-serif; fill: #1d2330; }
.qs-seq-headbg { fill: #f4f6fa; }
.qs-seq-lanelabel { font-weight: 600; }
.qs-seq-lane { stroke: #b9c0cc; stroke-width: 1; }
.qs-seq-role { stroke-width: 4; stroke: #5d6679; }
.qs-seq-role.role-candidate { stroke-dasharray: 4 3; }
.qs-seq-role.role-crashed { stroke: #c62828; stroke-dasharray: 1 4; stroke-width: 2; }
.qs-seq-lanesel { fill: #2c6bed; fill-opacity: 0.08; }
.qs-seq-hit { stroke: none; }
.qs-seq-shaft { stroke: #1d2330; stroke-width: 1.3; fill: none; }
.qs-seq-head { fill: #1d2330; }
.qs-seq-cross { stroke: #c62828; stroke-width: 2; }
.qs-seq-open { fill: #ffffff; stroke: #1d2330; }
.fate-dropped .qs-seq-shaft { stroke: #c62828; }
.fate-flight .qs-seq-shaft, .held .qs-seq-shaft { stroke-dasharray: 2 3; }
.dup .qs-seq-shaft { stroke-dasharray: 7 3; }
.qs-seq-msg, .qs-seq-step, .qs-seq-gap, .qs-seq-gutterlabel { fill: #5d6679; font-size: 10px; }
.qs-seq-markbg { fill: #ffffff; stroke: #5d6679; }
.refusal .qs-seq-markbg { stroke: #b26a00; fill: #fff4e0; }
.qs-seq-beats { fill: #e9edf4; }
.qs-seq-beatslabel { fill: #5d6679; font-size: 10px; }
.qs-seq-band line { stroke: #b26a00; stroke-width: 2; }
.qs-seq-band.kind-violation line { stroke: #c62828; }
.qs-seq-playhead { stroke: #2c6bed; stroke-width: 2; }
.future { opacity: 0.45; }
`;

/**
 * Downloads the rows from y `top` (body coordinates) for `height` px, under
 * the lanes' header, as `quorumscope-sequence-steps-A-B.svg`. Returns the
 * SVG text (tests read it).
 */
export function exportSvg({ header, body, top, height, width, headerHeight, steps }) {
  const out = svgEl('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height: headerHeight + height,
    viewBox: `0 0 ${width} ${headerHeight + height}` });
  svgEl('style', {}, out).textContent = STYLE;
  svgEl('rect', { x: 0, y: 0, width, height: headerHeight + height, fill: '#ffffff' }, out);
  const rows = svgEl('g', { transform: `translate(0 ${headerHeight - top})` }, out);
  for (const child of body.children) rows.append(child.cloneNode(true));
  const head = svgEl('g', {}, out);
  for (const child of header.children) head.append(child.cloneNode(true));
  // The file's viewBox shows only the range asked for; nothing in it takes focus.
  for (const node of rows.querySelectorAll('[tabindex]')) node.removeAttribute('tabindex');
  const text = new XMLSerializer().serializeToString(out);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `quorumscope-sequence-steps-${steps[0]}-${steps[1]}.svg`;
  a.hidden = true;
  body.getRootNode().append?.(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return text;
}
