// <quorum-scope scenario="…" autoplay controls="full|minimal|none" height="…">
// The whole visualizer as one custom element: the page uses it, and any
// static documentation page embeds it with one module script. Several on a
// page run independently (each owns its own simulator).
import { App, messageOf } from './app.js';
import { mountCluster } from './cluster-view.js';
import { mountLogs } from './log-view.js';
import { mountNarration } from './narration.js';
import { mountBanner } from './banner.js';
import { mountTransport } from './transport.js';
import { mountSettings } from './settings.js';
import { mountTour } from './tour.js';
import { mountHelp } from './help.js';
import { mountFig16 } from './fig16.js';
import { readHash, applyHash } from './share.js';

const STYLES = ['theme.css', 'layout.css', 'cluster-view.css', 'log-view.css', 'narration.css', 'banner.css',
  'transport.css', 'settings.css', 'tour.css', 'help.css', 'fig16.css'];

/** Builds the element's skeleton: one container per module. */
function layout() {
  const box = (tag, cls) => {
    const node = document.createElement(tag);
    node.className = cls;
    return node;
  };
  const root = box('div', 'qs-root');
  root.setAttribute('part', 'root');
  const error = box('div', 'qs-error');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const main = box('div', 'qs-main');
  main.append(box('div', 'qs-stage'), box('aside', 'qs-side'));
  root.append(error, box('header', 'qs-header'), box('div', 'qs-banner'), main, box('div', 'qs-transport'),
    box('div', 'qs-logs'), box('div', 'qs-tour'), box('div', 'qs-panels'), box('div', 'qs-help'));
  return root;
}

export class QuorumScope extends HTMLElement {
  static get observedAttributes() {
    return ['scenario', 'height', 'controls'];
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.app = new App(this);
    this.unmounts = [];
  }

  /** The simulator wrapper (part of the DOM contract for tests and embedders). */
  get cluster() {
    return this.app;
  }

  get controlsLevel() {
    const c = this.getAttribute('controls') ?? 'full';
    return ['full', 'minimal', 'none'].includes(c) ? c : 'full';
  }

  connectedCallback() {
    if (this.shadowRoot.childElementCount) return;
    const base = new URL('.', import.meta.url);
    for (const name of STYLES) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = new URL(name, base).href;
      this.shadowRoot.append(link);
    }
    this.root = layout();
    this.shadowRoot.append(this.root);
    this.root.dataset.controls = this.controlsLevel;
    this.applyHeight();
    this.mountAll();
    this.start();
  }

  disconnectedCallback() {
    for (const unmount of this.unmounts) unmount();
    this.unmounts = [];
    this.app.destroy();
  }

  attributeChangedCallback(name) {
    if (!this.root) return;
    if (name === 'height') this.applyHeight();
    if (name === 'scenario') this.loadScenario(this.getAttribute('scenario'));
  }

  applyHeight() {
    const h = this.getAttribute('height');
    if (h && /^\d+(px|vh|em|rem|%)?$/.test(h)) this.style.setProperty('--qs-height', /\d$/.test(h) ? `${h}px` : h);
  }

  part(name) {
    return this.shadowRoot.querySelector(`.qs-${name}`);
  }

  mountAll() {
    const level = this.controlsLevel;
    const add = (fn) => this.unmounts.push(fn);
    add(mountCluster(this.part('stage'), this.app, this));
    add(mountBanner(this.part('banner'), this.app, this));
    // An autoplaying embed is a self-running illustration: a tour would
    // stop it at the first moment and wait for a click nobody expects.
    const selfRunning = level !== 'full' && this.hasAttribute('autoplay');
    if (level !== 'none' && !selfRunning) add(mountTour(this.part('tour'), this.app, this));
    if (level !== 'none') add(mountTransport(this.part('transport'), this.app, this));
    if (level === 'full') {
      add(mountNarration(this.part('side'), this.app, this));
      add(mountLogs(this.part('logs'), this.app, this));
      add(mountSettings(this.part('header'), this.app, this));
      add(mountHelp(this.part('help'), this.app, this));
      add(mountFig16(this.part('panels'), this.app, this));
    }
  }

  async start() {
    const fromHash = this.controlsLevel === 'full' && this.hasAttribute('use-hash') ? readHash(location.hash) : null;
    try {
      if (fromHash?.error) throw new Error(fromHash.error);
      if (fromHash?.value) await applyHash(this.app, fromHash.value);
      else await this.loadScenario(this.getAttribute('scenario') ?? 'first-election');
    } catch (e) {
      // Keep the link's error visible over the default scenario it falls
      // back to.
      const message = messageOf(e);
      if (!this.app.cluster) await this.loadScenario('first-election');
      this.showError(message);
    }
    // Under reduced motion an autoplay embed starts paused, its Play control shown.
    if (this.hasAttribute('autoplay') && !matchMedia('(prefers-reduced-motion: reduce)').matches) this.app.play();
  }

  async loadScenario(source) {
    try {
      await this.app.load(source);
      this.showError(null);
    } catch (e) {
      this.showError(messageOf(e));
    }
  }

  /** Shows a readable error (as text, never HTML), or hides it. */
  showError(message) {
    const box = this.part('error');
    if (!box) return;
    box.hidden = !message;
    box.textContent = message ?? '';
  }
}

if (!customElements.get('quorum-scope')) customElements.define('quorum-scope', QuorumScope);
