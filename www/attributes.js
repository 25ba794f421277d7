// The <quorum-scope> element's attributes: each is reflected as a property
// (`el.scenario`, `el.startStep`, `el.autoplay`, …), observed, and checked,
// so that a misspelt attribute is a console warning rather than silence.

/** attribute → [property, kind, allowed values (enums only)] */
export const ATTRIBUTES = {
  scenario: ['scenario', 'string'],
  src: ['src', 'string'],
  state: ['state', 'string'],
  'start-step': ['startStep', 'number'],
  autoplay: ['autoplay', 'boolean'],
  loop: ['loop', 'boolean'],
  controls: ['controls', 'enum', ['full', 'minimal', 'none']],
  theme: ['theme', 'enum', ['auto', 'light', 'dark']],
  height: ['height', 'string'],
  'use-hash': ['useHash', 'boolean'],
  compare: ['compare', 'string'],
};

/** Attributes any HTML element may carry, which are no concern of ours. */
const GLOBAL = new Set(['id', 'class', 'style', 'hidden', 'title', 'lang', 'dir', 'tabindex', 'slot', 'part',
  'exportparts', 'role', 'is', 'inert', 'nonce', 'autofocus', 'draggable', 'translate', 'spellcheck',
  'contenteditable', 'accesskey', 'enterkeyhint', 'popover', 'itemprop', 'itemscope', 'itemtype']);

/** Defines a property per attribute on `Element` (a custom element class). */
export function reflectAttributes(Element) {
  for (const [name, [prop, kind, values]] of Object.entries(ATTRIBUTES)) {
    Object.defineProperty(Element.prototype, prop, {
      configurable: true,
      get() {
        if (kind === 'boolean') return this.hasAttribute(name);
        const raw = this.getAttribute(name);
        if (kind === 'number') return raw == null || raw === '' || !Number.isFinite(Number(raw)) ? null : Number(raw);
        if (kind === 'enum') return values.includes(raw) ? raw : values[0];
        return raw;
      },
      set(value) {
        if (kind === 'boolean') this.toggleAttribute(name, Boolean(value));
        else if (value == null) this.removeAttribute(name);
        else this.setAttribute(name, String(value));
      },
    });
  }
}

/** Warns (once per element and attribute) about attributes and values this element does not know. */
export function warnUnknownAttributes(el, warned) {
  for (const { name, value } of el.attributes) {
    if (warned.has(name) || GLOBAL.has(name) || /^(aria-|data-|on[a-z]+$)/.test(name)) continue;
    const known = ATTRIBUTES[name];
    let problem = null;
    if (!known) problem = `unknown attribute "${name}" (known: ${Object.keys(ATTRIBUTES).join(', ')})`;
    else if (known[1] === 'enum' && !known[2].includes(value)) {
      problem = `${name}="${value}" is not one of ${known[2].join(', ')}; using "${known[2][0]}"`;
    } else if (known[1] === 'number' && !Number.isFinite(Number(value))) problem = `${name}="${value}" is not a number`;
    if (!problem) continue;
    warned.add(name);
    console.warn(`<quorum-scope>: ${problem}.`);
  }
}
