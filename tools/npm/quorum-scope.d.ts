// Types for `import 'quorumscope'`: importing the module defines the
// <quorum-scope> element; the class is exported for `instanceof` and
// subclassing. The wasm bindings have their own types under
// 'quorumscope/bindings'.

export interface QuorumScopeReadyDetail {
  /** The built-in scenario's name, or null for a scenario given as JSON. */
  scenario: string | null;
  /** The step the embed shows. */
  step: number;
}

export interface QuorumScopeErrorDetail {
  /** What went wrong, as plain text. */
  message: string;
  /** What the page's author can do about it, or null. */
  fix: string | null;
}

export declare class QuorumScope extends HTMLElement {
  /** A built-in scenario's name or a scenario's JSON (attribute `scenario`). */
  scenario: string | null;
  /** A scenario file, relative to the page (attribute `src`). */
  src: string | null;
  /** A share link's payload, the part after `#s=` (attribute `state`). */
  state: string | null;
  /** The step to open at (attribute `start-step`). */
  startStep: number | null;
  autoplay: boolean;
  loop: boolean;
  controls: 'full' | 'minimal' | 'none';
  theme: 'auto' | 'light' | 'dark';
  /** A CSS length or a number of pixels (attribute `height`). */
  height: string | null;
  useHash: boolean;
}

declare global {
  interface HTMLElementTagNameMap {
    'quorum-scope': QuorumScope;
  }
  interface HTMLElementEventMap {
    'qs-ready': CustomEvent<QuorumScopeReadyDetail>;
    'qs-error': CustomEvent<QuorumScopeErrorDetail>;
  }
}
