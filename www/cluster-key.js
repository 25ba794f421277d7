// The collapsible key of message glyphs: what each shape means.
import { svgEl, htmlEl, termColor } from './svg.js';
import { drawGlyph } from './cluster-messages.js';

/** A collapsible key of message glyphs: what each shape means. */
export function buildKey(root) {
  const details = htmlEl('details', 'cv-key', null, root);
  htmlEl('summary', null, 'Key', details);
  const list = htmlEl('ul', null, null, details);
  const rows = [
    ['probe', 'probe: "would you vote for me?" (bumps no term)'],
    ['vote', 'vote request (real election, new term)'],
    ['vote_reply', 'reply: ✓ granted / ✗ refused'],
    ['append', 'append entries'],
    ['heartbeat', 'heartbeat (append with no entries)'],
    ['snapshot', 'snapshot'],
    ['timeout_now', 'timeout now: campaign at once'],
    ['doomed', 'lost on the way (cut or drop)'],
  ];
  for (const [kind, text] of rows) {
    const li = htmlEl('li', null, null, list);
    const s = svgEl('svg', { viewBox: '-15 -13 30 26', width: 30, height: 26, 'aria-hidden': 'true' }, li);
    const label = kind === 'vote_reply' ? 'vote ✓' : '';
    const m = { kind: kind === 'heartbeat' || kind === 'doomed' ? 'append' : kind, term: 1, label: kind === 'heartbeat' ? 'heartbeat' : label };
    const g = svgEl('g', { class: `cv-msg k-${m.kind}${kind === 'heartbeat' ? ' heartbeat' : ''}` }, s);
    g.style.setProperty('--term', termColor(1));
    drawGlyph(g, m);
    if (kind === 'doomed') svgEl('path', { class: 'cv-x', d: 'M-6 -6 L6 6 M6 -6 L-6 6' }, g);
    htmlEl('span', null, text, li);
  }
}
