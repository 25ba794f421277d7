// Writing a guided tour in the page: pause anywhere, write a caption, pick
// what to point at (a node, a message in flight, a log entry, the banner),
// add the moment, move on. The tour is the scenario with `pauses`
// ({step, caption, highlight}), which the tour player (tour.js) plays:
// played here, shared as a link or downloaded as a file, and embeddable as
// any scenario file is. Loaded on demand (a dynamic import from
// share-actions.js): most readers never write a tour.
//
// Captions are only ever set as text. Their limit is the core's (the
// scenario reader's `pauses[i].caption` error), asked by building the tour
// before a moment is added, so the page states no second copy of it.
import { el } from './dom.js';
import { hashForScenario } from './share.js';
import { scenarioWithActions, slug, download } from './scenario-export.js';
import { describeHighlight } from './tour-highlight.js';
import { messageOf } from './app.js';

const STYLESHEET = new URL('./tour-author.css', import.meta.url);
/** Log entries offered per node (the newest): enough to point at what just happened. */
const LOG_CHOICES = 8;

let uid = 0;

/**
 * Opens the author panel in `host` (a <quorum-scope> with full controls);
 * `ctx` is the header's (settings.js): `loadAndShow`, `setHash`, `say`.
 * Returns {close}. Opening it again while open focuses it.
 */
export function openTourAuthor(ctx) {
  const { app, host } = ctx;
  const existing = host.shadowRoot.querySelector('.qs-author');
  if (existing) {
    existing.querySelector('textarea')?.focus();
    return existing.author;
  }
  const id = `qs-author-${(uid += 1)}`;
  const offs = [];
  const listen = (node, type, fn) => {
    node.addEventListener(type, fn);
    offs.push(() => node.removeEventListener(type, fn));
  };

  // --- DOM ---------------------------------------------------------------
  const sheet = el('link', { rel: 'stylesheet', href: STYLESHEET.href });
  const heading = el('h2', { class: 'qs-author-h', id: `${id}-h`, text: 'Write a tour' });
  const close = el('button', { type: 'button', class: 'qs-author-close', 'aria-label': 'Close the tour writer', text: '×' });
  const hint = el('p', { class: 'qs-author-hint', text: 'Pause anywhere (Step, the timeline, a marker), write what to look at, '
    + 'pick what to point at and add the moment. Then play the tour, copy its link or download it.' });
  const titleInput = el('input', { type: 'text', id: `${id}-title`, class: 'qs-author-title' });
  const list = el('ol', { class: 'qs-author-list', 'aria-label': 'Moments of the tour' });
  const empty = el('p', { class: 'qs-author-empty', text: 'No moment yet.' });
  const legend = el('legend');
  const caption = el('textarea', { id: `${id}-caption`, rows: 3, class: 'qs-author-caption', 'aria-describedby': `${id}-count` });
  const count = el('span', { id: `${id}-count`, class: 'qs-author-count' });
  const pick = el('select', { id: `${id}-pick`, class: 'qs-author-pick' });
  const add = el('button', { type: 'button', class: 'qs-author-add' });
  const error = el('p', { class: 'qs-author-error', role: 'alert' });
  const moment = el('fieldset', { class: 'qs-author-moment' }, legend,
    el('label', { for: caption.id, text: 'Caption (what to look at, as plain text)' }), caption, count,
    el('label', { for: pick.id, text: 'Point at' }), pick, add);
  const playBtn = el('button', { type: 'button', class: 'qs-author-play', text: 'Play the tour ▶' });
  const linkBtn = el('button', { type: 'button', text: 'Copy link' });
  const fileBtn = el('button', { type: 'button', text: 'Download file' });
  const linkField = el('input', { type: 'text', readonly: true, class: 'qs-author-link', 'aria-label': 'Link to this tour', hidden: true });
  const status = el('p', { class: 'qs-author-status', role: 'status' });
  const panel = el('section', { class: 'qs-author', role: 'region', 'aria-labelledby': heading.id },
    sheet, close, heading, hint,
    el('label', { for: titleInput.id, text: 'Tour title' }), titleInput,
    list, empty, moment, error,
    el('div', { class: 'qs-author-actions' }, playBtn, linkBtn, fileBtn), linkField, status);

  // --- state ---------------------------------------------------------------
  let scenario = null; // the app's scenario the tour is written on
  let moments = []; // [{step, caption, highlight}] by step

  const rebase = () => {
    scenario = app.scenario;
    moments = (scenario?.pauses ?? []).filter((p) => p.step != null).map(({ step, caption: c, highlight }) => ({ step, caption: c, highlight }));
    titleInput.value = scenario?.title ?? '';
  };

  /** The tour as a scenario file: the scenario (with the reader's actions as script steps) and the moments. */
  const tour = (withMoments = moments) => {
    const base = scenarioWithActions(app);
    const pauses = withMoments.map(({ step, caption: c, highlight }) => (highlight ? { step, caption: c, highlight } : { step, caption: c }));
    return { ...base, title: titleInput.value.trim() || base.title, pauses };
  };

  /** The core's verdict on a tour: null, or its error naming the field (`pauses[2].caption: …`). */
  const problemWith = (file) => {
    let copy = null;
    try {
      copy = app.bindings.Cluster.fromScenario(JSON.stringify(file));
      return null;
    } catch (e) {
      return messageOf(e);
    } finally {
      copy?.free();
    }
  };

  // --- rendering -------------------------------------------------------------
  const renderList = () => {
    list.replaceChildren(...moments.map((m, i) => {
      const where = el('span', { class: 'qs-author-step', text: `Step ${m.step}` });
      const text = el('span', { class: 'qs-author-text', text: m.caption });
      const at = m.highlight ? el('span', { class: 'qs-author-at', text: `points at ${describeHighlight(m.highlight)}` }) : null;
      const go = el('button', { type: 'button', class: 'qs-author-go', 'data-step': m.step, text: 'Go',
        'aria-label': `Go to step ${m.step} (moment ${i + 1})` });
      const remove = el('button', { type: 'button', class: 'qs-author-remove', 'data-index': i, text: 'Remove',
        'aria-label': `Remove moment ${i + 1}` });
      return el('li', {}, where, text, at, el('span', { class: 'qs-author-row' }, go, remove));
    }));
    empty.hidden = moments.length > 0;
    playBtn.disabled = linkBtn.disabled = fileBtn.disabled = moments.length === 0;
  };

  let choicesKey = '';
  /** What can be pointed at now: the banner, each node, each message in flight, the newest log entries. */
  const renderChoices = (state) => {
    const banner = host.shadowRoot.querySelector('.qs-banner .bn-box');
    const key = `${state.step}|${banner ? 1 : 0}|${state.nodes.length}`;
    if (key === choicesKey) return;
    choicesKey = key;
    const keep = pick.value;
    const option = (value, text) => el('option', { value, text });
    const group = (label, options) => (options.length ? el('optgroup', { label }, ...options) : null);
    const nodes = state.nodes.map((n) => option(`node ${n.id}`, `Node ${n.id} (${n.role}, term ${n.term})`));
    const messages = state.messages.map((m) => option(`message ${m.seq}`, `#${m.seq} ${m.from}→${m.to} ${m.label ?? m.kind}`));
    const logs = state.nodes.flatMap((n) => n.log.slice(-LOG_CHOICES).map((e) => option(`log ${n.id}:${e.index}`,
      `Node ${n.id}, entry ${e.index} (term ${e.term})`)));
    pick.replaceChildren(...[option('', 'Nothing'), banner ? option('banner', 'The banner') : null,
      group('Nodes', nodes), group('Messages in flight', messages), group('Log entries', logs)].filter(Boolean));
    pick.value = [...pick.options].some((o) => o.value === keep) ? keep : '';
  };

  const renderMoment = () => {
    const step = app.state?.step ?? 0;
    const replacing = moments.some((m) => m.step === step);
    legend.textContent = `Moment at step ${step} (tick ${app.state?.tick ?? 0})`;
    add.textContent = replacing ? `Replace the moment at step ${step}` : `Add moment at step ${step}`;
    const n = [...caption.value].length;
    count.textContent = `${n} character${n === 1 ? '' : 's'}`;
  };

  const render = (state) => {
    if (!state) return;
    if (app.scenario !== scenario) {
      const had = moments.length;
      rebase();
      renderList();
      if (had) status.textContent = 'Another scenario is loaded: its tour starts empty.';
    }
    if (!app.playing) renderChoices(state);
    renderMoment();
  };

  // --- actions ---------------------------------------------------------------
  const fail = (text) => {
    error.textContent = text;
  };

  listen(add, 'click', () => {
    app.pause();
    const text = caption.value.trim();
    if (!text) {
      fail('Write a caption first: what should the reader look at here?');
      caption.focus();
      return;
    }
    const step = app.state.step;
    const next = [...moments.filter((m) => m.step !== step), { step, caption: text, highlight: pick.value || undefined }]
      .sort((a, b) => a.step - b.step);
    const problem = problemWith(tour(next));
    if (problem) {
      fail(`This moment cannot be added: ${problem}`);
      caption.focus();
      return;
    }
    fail('');
    moments = next;
    caption.value = '';
    pick.value = '';
    status.textContent = `Moment ${moments.findIndex((m) => m.step === step) + 1} of ${moments.length} added at step ${step}.`;
    renderList();
    renderMoment();
  });
  listen(caption, 'input', () => {
    renderMoment();
    if (error.textContent) fail('');
  });
  listen(list, 'click', (ev) => {
    const go = ev.target.closest?.('.qs-author-go');
    const remove = ev.target.closest?.('.qs-author-remove');
    if (go) {
      app.pause();
      app.seekGradually(Number(go.dataset.step));
    } else if (remove) {
      moments.splice(Number(remove.dataset.index), 1);
      renderList();
      renderMoment();
      status.textContent = `Moment removed; ${moments.length} left.`;
    }
  });

  const linkFor = () => {
    const url = new URL(location.href);
    url.hash = '';
    return url.href.replace(/#$/, '') + hashForScenario(tour());
  };
  listen(linkBtn, 'click', async () => {
    const url = linkFor();
    linkField.value = url;
    linkField.hidden = false;
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      status.textContent = `Link copied: it opens this tour, ${moments.length} moment${moments.length === 1 ? '' : 's'}.`;
    } catch {
      linkField.focus();
      linkField.select();
      status.textContent = 'The clipboard is not available here: the link is selected below, copy it by hand.';
    }
  });
  listen(fileBtn, 'click', () => {
    const file = tour();
    download(`${slug(file.title)}-tour.json`, `${JSON.stringify(file, null, 2)}\n`, 'application/json');
    status.textContent = 'Downloaded: load it with Import…, share it, or embed it with <quorum-scope src="…">.';
  });
  listen(playBtn, 'click', async () => {
    const file = tour();
    try {
      const loaded = await ctx.loadAndShow(JSON.stringify(file), null);
      const hash = hashForScenario(loaded);
      if (hash.length <= 8000) ctx.setHash(hash);
      author.close();
      // Asked for: its intro card shows even if the reader dismissed a tour before.
      host.dispatchEvent(new CustomEvent('qs-tour-start'));
    } catch (e) {
      fail(`This tour cannot be played: ${messageOf(e)}`);
    }
  });
  listen(close, 'click', () => author.close());
  listen(panel, 'keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.stopPropagation();
      author.close();
    }
    // Typing in the caption must not play, step or write (help.js ignores
    // fields already; the node keys 1–9 too).
  });

  // --- placement ----------------------------------------------------------
  // Over the narration on wide screens (the picture and the transport stay
  // in view, so that pausing anywhere is one click away); in the flow under
  // the transport when the narration is stacked below the picture.
  const place = () => {
    const root = host.shadowRoot.querySelector('.qs-root');
    const side = root?.querySelector('.qs-side');
    const r = side?.getBoundingClientRect();
    const besides = r && r.width > 0 && root.getBoundingClientRect().width - r.width > 400;
    panel.dataset.float = String(Boolean(besides));
    if (!besides) {
      panel.style.cssText = '';
      return;
    }
    const base = root.getBoundingClientRect();
    panel.style.left = `${r.left - base.left}px`;
    panel.style.top = `${r.top - base.top}px`;
    panel.style.width = `${r.width}px`;
    panel.style.maxHeight = `${Math.max(240, r.height)}px`;
  };
  const root = host.shadowRoot.querySelector('.qs-root');
  const resize = new ResizeObserver(place);
  resize.observe(root);
  offs.push(() => resize.disconnect());

  offs.push(app.on('update', render));
  offs.push(app.on('play', (playing) => {
    if (!playing && app.state) renderChoices(app.state);
  }));

  const author = {
    close() {
      for (const off of offs.splice(0)) off();
      panel.remove();
      host.dispatchEvent(new CustomEvent('qs-author-closed'));
    },
  };
  panel.author = author;

  root.append(panel);
  rebase();
  renderList();
  if (app.state) render(app.state);
  place();
  caption.focus({ preventScroll: true });
  return author;
}
