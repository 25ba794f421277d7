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
  /** Run B's difference from the scenario, as JSON scenario fields: opens the Compare view (attribute `compare`). */
  compare: string | null;
  /**
   * The simulator wrapper once the element has started (near the viewport),
   * else null: `state`, `trace`, `step()`, `back()`, `seek(n)`,
   * `command({do: …})`, `play()`, `pause()`, `load(name)`.
   */
  readonly cluster: QuorumScopeCluster | null;
  /** The container of one region, the same names as the ::part()s. */
  region(name: 'error' | 'header' | 'banner' | 'stage' | 'side' | 'transport' | 'logs' | 'tour' | 'panels' | 'help'): HTMLElement | null;
}

/** The parts of the simulator wrapper that embedders use (README, "DOM contract"). */
export interface QuorumScopeCluster {
  readonly state: { step: number; tick: number; leader: number | null; [key: string]: unknown } | null;
  readonly trace: ReadonlyArray<{ step: number; kind: string; [key: string]: unknown }>;
  readonly playing: boolean;
  step(): unknown[];
  back(): void;
  seek(step: number): void;
  command(command: { do: string; [key: string]: unknown }): unknown[];
  play(): void;
  pause(): void;
  load(source: string | object): Promise<unknown>;
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
