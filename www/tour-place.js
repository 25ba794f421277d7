// Where the tour's card goes on a wide page (the narration beside the
// picture), so that it covers neither the narration nor a node (over the
// narration's top at 1920×1080 it hid half its newest lines): in the
// stage's free column beside the ring, the wider of the two (1920×1080);
// where that column is too narrow (1280×720), over the logs under the
// narration, at their foot; where the card is too tall for both, tour.js
// puts it over the narration, held to its height, and fitCaption gives the
// caption the room first. tour.js calls them when it places the card.

/** A column narrower than this would make the card a tower: the card goes elsewhere. */
const MIN_WIDTH = 210;
/** The card's widest (tour.js uses the same beside the narration). */
const MAX_WIDTH = 440;
/** Air kept between the card and what it must not cover. */
const AIR = 8;

/**
 * The stage's free column beside the ring as {left, top, right, bottom, side}
 * in viewport px (under the term legend, over the Key and the stage's foot),
 * the wider one; null when neither is wide enough or the picture is not
 * drawn.
 */
export function freeColumn(shadow) {
  const rect = (sel) => {
    const r = shadow.querySelector(sel)?.getBoundingClientRect();
    return r && r.width > 0 && r.height > 0 ? r : null;
  };
  const stage = rect('.qs-stage');
  const nodes = rect('.cv-nodes'); // every node with its badges and labels
  if (!stage || !nodes) return null;
  const legend = rect('.cv-legend');
  const key = rect('.cv-key');
  const top = Math.max(stage.top, legend?.bottom ?? stage.top) + AIR;
  const bottom = (key?.top ?? stage.bottom) - AIR;
  const left = { left: stage.left + AIR, right: nodes.left - AIR, side: 'left' };
  const right = { left: nodes.right + AIR, right: stage.right - AIR, side: 'right' };
  const wider = right.right - right.left >= left.right - left.left ? right : left;
  if (wider.right - wider.left < MIN_WIDTH || bottom - top < 120) return null;
  return { ...wider, top, bottom };
}

/** The logs panel beside the picture, less a margin, or null. */
function logsBox(shadow) {
  const r = shadow.querySelector('.qs-logs')?.getBoundingClientRect();
  if (!r || r.width < MIN_WIDTH || r.height < 120) return null;
  return { left: r.left + AIR, right: r.right - AIR, top: r.top + AIR, bottom: r.bottom - AIR, side: 'right', foot: true };
}

/**
 * Puts `ref` (the card or the pill) in the free column (against the ring's
 * side), else over the logs' foot, at most MAX_WIDTH wide; `base` is the
 * tour layer's rect. Returns false, leaving the card to tour.js (over the
 * narration, held to its height: see fitCaption), when it fits in neither.
 */
export function placeBeside(ref, card, shadow, base) {
  fitCaption(card, false);
  for (const spot of [freeColumn(shadow), logsBox(shadow)]) {
    if (!spot) continue;
    const width = Math.min(MAX_WIDTH, spot.right - spot.left);
    const room = spot.bottom - spot.top;
    ref.style.width = `${width}px`;
    card.style.maxHeight = ''; // its natural height: a caption cut to fit would teach nothing
    const h = ref.offsetHeight;
    if (h > room) continue;
    const left = spot.side === 'right' ? (spot.foot ? spot.right - width : spot.left) : spot.right - width;
    ref.style.left = `${left - base.left}px`;
    ref.style.top = `${(spot.foot ? spot.bottom - h : spot.top) - base.top}px`;
    return true;
  }
  return false;
}

/**
 * A card held to a height (`capped`: over the narration beside the
 * picture) gives its room to the caption, which is what the moment
 * teaches: "What just happened" repeats the narration's newest line, and a
 * banner's, so it shrinks to two lines, then goes, before the caption is
 * cut (1280×720 with a violation and a handover banner: the caption showed
 * two of its five lines). Not capped, the card shows all of it again.
 */
export function fitCaption(card, capped) {
  const event = card.querySelector('.qs-tour-event');
  const caption = card.querySelector('.qs-tour-caption');
  if (!event || !caption) return;
  event.style.display = '';
  event.firstElementChild.style.webkitLineClamp = '';
  const cut = () => capped && !caption.hidden && caption.scrollHeight > caption.clientHeight + 2;
  if (cut()) event.firstElementChild.style.webkitLineClamp = '2';
  if (cut()) event.style.display = 'none';
}
