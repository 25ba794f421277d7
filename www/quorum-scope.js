// <quorum-scope scenario="…" src="…" state="…" start-step="…" autoplay loop
//               controls="full|minimal|none" theme="auto|light|dark" height="…"
//               compare='{"switches":{"pre_vote":false}}'>
// The whole visualizer as one custom element: the page uses it, and any
// static documentation page embeds it with one module script. Several on a
// page run independently (each owns its own simulator). Nothing is fetched
// or run until the element comes near the viewport; it pauses when scrolled
// away, and removing and re-inserting it (slides, single-page apps) picks up
// where it was. Events: qs-ready {scenario, step} once a scenario is
// loaded, qs-error {message, fix} when loading fails (also shown inside).
import { App, messageOf } from './app.js';
import { mountCluster } from './cluster-view.js';
import { mountLogs } from './log-view.js';
import { mountNarration } from './narration.js';
import { mountBanner } from './banner.js';
import { mountTransport } from './transport.js';
import { mountSettings } from './settings.js';
import { mountTour } from './tour.js';
import { mountHelp } from './help.js';
import { mountShortcuts } from './shortcuts.js';
import { mountLazyPanel } from './lazy-panel.js';
import { readHash, applyHash } from './share.js';
import { STYLESHEETS } from './styles.js';
import { ATTRIBUTES, reflectAttributes, warnUnknownAttributes } from './attributes.js';
import { LoadError, fetchScenario, missingStylesheet, scenarioFailure } from './load-errors.js';

/** How far outside the viewport an embed starts loading (and keeps playing). */
const NEAR_VIEWPORT = '300px 0px';

/** The regions of the element, each a container and a ::part of the same name. */
const REGIONS = ['error', 'header', 'banner', 'stage', 'side', 'transport', 'logs', 'tour', 'panels', 'help'];

/** Room kept before the stylesheets arrive, so a page does not jump (a constructed sheet: no fetch, any CSP). */
let placeholder = null;
function placeholderSheet() {
  if (!placeholder && 'adoptedStyleSheets' in Document.prototype) {
    placeholder = new CSSStyleSheet();
    placeholder.replaceSync(':host { display: block; min-height: 160px; }');
  }
  return placeholder;
}

/** Builds the element's skeleton: one container per region. */
function layout() {
  const box = (tag, region) => {
    const node = document.createElement(tag);
    node.className = `qs-${region}`;
    node.setAttribute('part', region);
    return node;
  };
  const root = box('div', 'root');
  const tags = { header: 'header', side: 'aside' };
  const [error, header, banner, stage, side, transport, logs, tour, panels, help] =
    REGIONS.map((r) => box(tags[r] ?? 'div', r));
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const main = document.createElement('div');
  main.className = 'qs-main';
  main.append(stage, side);
  // The tour card comes first in the tab order (it is placed over the
  // narration, or in the flow by its CSS order, whatever its DOM position):
  // a keyboard reader reaches "Start tour" in a press or two, not 37.
  root.append(error, tour, header, banner, main, transport, logs, panels, help);
  return root;
}

export class QuorumScope extends HTMLElement {
  static get observedAttributes() {
    return Object.keys(ATTRIBUTES);
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    const sheet = placeholderSheet();
    if (sheet) this.shadowRoot.adoptedStyleSheets = [sheet];
    this.app = null;
    this.root = null;
    this.unmounts = [];
    this.warned = new Set();
    this.resume = null; // {link, playing} kept across a removal: what a share link would hold
    this.compareView = null; // the Compare view once opened ({set, unmount}); its module loads on demand
  }

  /** The simulator wrapper (part of the DOM contract for tests and embedders); null until started. */
  get cluster() {
    return this.app;
  }

  get controlsLevel() {
    return this.controls;
  }

  connectedCallback() {
    warnUnknownAttributes(this, this.warned);
    this.applyHeight();
    if (typeof IntersectionObserver !== 'function') {
      this.boot();
      return;
    }
    this.observer = new IntersectionObserver((entries) => {
      const near = entries[entries.length - 1].isIntersecting;
      if (near) this.boot();
      this.app?.setOffscreen(!near);
    }, { rootMargin: NEAR_VIEWPORT });
    this.observer.observe(this);
  }

  disconnectedCallback() {
    this.observer?.disconnect();
    this.observer = null;
    if (!this.app) return;
    const app = this.app;
    if (app.cluster) {
      // The scenario, the reader's commands and the step, as a share link
      // holds them: re-inserted, the embed replays them and is where it was.
      const link = { v: 1, scenario: app.scenarioName ?? app.scenario, inputs: app.cluster.inputs(), step: app.cluster.stepCount() };
      if (app.compare) link.compare = app.compare;
      this.resume = { link, playing: app.playing };
    }
    this.unmountAll();
    this.app.destroy();
    this.app = null;
    this.root = null;
    this.shadowRoot.replaceChildren();
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    if (this.isConnected) warnUnknownAttributes(this, this.warned);
    if (name === 'height') this.applyHeight();
    if (!this.app) return;
    if (name === 'controls') this.remount();
    if (name === 'start-step' && this.app.cluster && this.startStep != null) this.app.seek(this.startStep);
    if (name === 'autoplay' && this.autoplay) this.app.play();
    if (name === 'compare' && this.app.cluster) {
      if (this.compare) this.openCompare(this.compare);
      else this.closeCompare();
    }
    if (name === 'scenario' || name === 'src' || name === 'state') {
      const keepPlaying = this.app.playing || this.autoplay;
      this.start(keepPlaying);
    }
  }

  applyHeight() {
    const h = this.getAttribute('height');
    if (h && /^\d+(px|vh|em|rem|%)?$/.test(h)) this.style.setProperty('--qs-height', /\d$/.test(h) ? `${h}px` : h);
    else this.style.removeProperty('--qs-height');
  }

  /** The container of one region (`stage`, `side`, `transport`, …). */
  region(name) {
    return this.shadowRoot.querySelector(`.qs-${name}`);
  }

  /** Starts for real, once near the viewport: stylesheets, skeleton, simulator. */
  boot() {
    if (this.app) return;
    this.app = new App(this);
    this.app.on('update', (state) => this.maybeLoop(state));
    this.assetProblem = null;
    const links = STYLESHEETS.map((url) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = url.href;
      link.addEventListener('error', () => {
        this.assetProblem = missingStylesheet(url.href);
        this.fail(this.assetProblem);
      }, { once: true });
      return link;
    });
    this.shadowRoot.replaceChildren(...links);
    this.remount();
    const resume = this.resume;
    this.resume = null;
    this.start(resume ? resume.playing : this.autoplay, resume?.link);
  }

  /** (Re)builds the skeleton and mounts the modules the `controls` level asks for. */
  remount() {
    const compare = this.app.compare;
    this.unmountAll();
    const root = layout();
    if (this.root) this.root.replaceWith(root);
    else this.shadowRoot.append(root);
    this.root = root;
    root.dataset.controls = this.controlsLevel;
    this.mountAll();
    if (compare) this.openCompare(compare);
    if (this.app.state) this.app.emit('update', this.app.state);
  }

  unmountAll() {
    this.closeCompare();
    for (const unmount of this.unmounts) unmount();
    this.unmounts = [];
  }

  mountAll() {
    const level = this.controlsLevel;
    const add = (fn) => this.unmounts.push(fn);
    add(mountCluster(this.region('stage'), this.app, this));
    add(mountBanner(this.region('banner'), this.app, this));
    // An autoplaying embed is a self-running illustration: a tour would
    // stop it at the first moment and wait for a click nobody expects.
    const selfRunning = level !== 'full' && this.autoplay;
    if (level !== 'none' && !selfRunning) add(mountTour(this.region('tour'), this.app, this));
    if (level !== 'none') add(mountTransport(this.region('transport'), this.app, this));
    if (level === 'full') {
      add(mountNarration(this.region('side'), this.app, this));
      add(mountLogs(this.region('logs'), this.app, this));
      add(mountSettings(this.region('header'), this.app, this));
      add(mountHelp(this.region('help'), this.app, this));
      add(mountLazyPanel(this.region('panels'), { className: 'qs-seq',
        summary: 'Sequence diagram (one lane per node, time running down)', loading: 'Loading the diagram…',
        load: () => import('./sequence-view.js'), mount: (m, body) => m.mountSequence(body, this.app, this) }));
      add(mountLazyPanel(this.region('panels'), { className: 'qs-f16',
        summary: 'Election timing (Raft paper, Figure 16)', loading: 'Loading the experiment…',
        load: () => import('./fig16.js'), mount: (m, body, details) => m.mountFig16(body, details) }));
      add(mountLazyPanel(this.region('panels'), { className: 'qs-find',
        summary: 'Find a run where… (model checker)', loading: 'Loading the model checker…',
        load: () => import('./find-run.js'), mount: (m, body, details) => m.mountFindRun(body, details, this.app, this) }));
      const open = document.createElement('button');
      open.type = 'button';
      open.className = 'qs-compare-open';
      open.textContent = 'Compare with a variant…';
      open.addEventListener('click', () => this.openCompare());
      this.region('panels').prepend(open);
    }
    // Embeds keep the keys, without the list (help.js adds `?` on a full page).
    else add(mountShortcuts(this.app, this, { commands: level === 'minimal' }));
  }

  /**
   * Opens the Compare view with a difference for run B (JSON text or an
   * object; none: the view opens empty). Its module is imported on first
   * use, so the page's start-up does not carry it.
   */
  async openCompare(patch) {
    const app = this.app;
    this.compareLoading ??= import('./compare-view.js');
    const { mountCompare } = await this.compareLoading;
    if (app !== this.app || !app) return; // removed meanwhile
    this.compareView ??= mountCompare(this.region('panels'), app, this);
    if (patch) await this.compareView.set(patch);
  }

  closeCompare() {
    this.compareView?.unmount();
    this.compareView = null;
  }

  /** Loads what the attributes name (or a `resume` link), moves to start-step, then plays if asked. */
  async start(play, resume = null) {
    const app = this.app;
    try {
      if (resume) await applyHash(app, resume);
      else await this.loadSource(app);
      if (app !== this.app) return; // removed meanwhile
      if (!resume && this.startStep) app.seek(this.startStep);
      const compare = app.compare ?? this.compare;
      if (compare) await this.openCompare(compare);
      this.showError(this.assetProblem?.message ?? null, this.assetProblem?.fix);
      this.dispatchEvent(new CustomEvent('qs-ready', {
        bubbles: true, composed: true, detail: { scenario: app.scenarioName, step: app.cluster.stepCount() },
      }));
      // Under reduced motion an autoplay embed starts paused, its Play control shown.
      if (play && !matchMedia('(prefers-reduced-motion: reduce)').matches) app.play();
    } catch (e) {
      if (app === this.app) this.fail(e);
    }
  }

  /**
   * The scenario, from the first of: the page's link (use-hash, full
   * controls), `state`, `src`, a child <script type="application/json">,
   * `scenario` (a built-in name or inline JSON), first-election.
   */
  async loadSource(app) {
    const fromHash = this.controlsLevel === 'full' && this.useHash ? readHash(location.hash) : null;
    if (fromHash?.value) return applyHash(app, fromHash.value);
    if (fromHash?.error) {
      // Keep the link's error visible over the default scenario it falls back to.
      await app.load('first-election');
      throw new LoadError(fromHash.error, 'Ask for the link again, or pick a scenario from the list.');
    }
    const state = this.state;
    if (state) {
      const link = readHash(state.startsWith('#') ? state : `#s=${state}`);
      if (link?.error) throw new LoadError(`state: ${link.error}`, 'Copy it again from a share link: the part after #s=.');
      if (link?.value) return applyHash(app, link.value);
    }
    if (this.src) return this.loadText(app, await fetchScenario(this.src), this.src);
    const child = this.querySelector(':scope > script[type="application/json"]');
    if (child) return this.loadText(app, child.textContent, 'the <script type="application/json"> inside <quorum-scope>');
    const scenario = this.scenario ?? 'first-election';
    return this.loadText(app, scenario, scenario.trim().startsWith('{') ? 'scenario="{…}"' : `scenario="${scenario}"`);
  }

  async loadText(app, text, where) {
    try {
      return await app.load(text);
    } catch (e) {
      if (e instanceof LoadError) throw e;
      throw scenarioFailure(where, e);
    }
  }

  /** With `loop`, an embed that plays past its scenario's run_until starts again. */
  maybeLoop(state) {
    const until = this.app?.scenario?.run_until;
    if (!this.loop || !this.app.playing || !until || state.tick < until) return;
    this.app.seek(this.startStep ?? 0);
  }

  fail(e) {
    const fix = e instanceof LoadError ? e.fix : null;
    const message = messageOf(e);
    this.showError(message, fix);
    this.dispatchEvent(new CustomEvent('qs-error', { bubbles: true, composed: true, detail: { message, fix } }));
  }

  /** Shows a readable error and what to do about it (as text, never HTML), or hides it. */
  showError(message, fix = null) {
    const box = this.region('error');
    if (!box) return;
    box.hidden = !message;
    box.textContent = message ? (fix ? `${message}\n${fix}` : message) : '';
  }
}

reflectAttributes(QuorumScope);

if (!customElements.get('quorum-scope')) customElements.define('quorum-scope', QuorumScope);
