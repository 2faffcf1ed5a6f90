import type { TraceChecks, Violation } from '../check/checker.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { assert } from '../util/assert.js';
import { combineHashes } from './canonical.js';
import { FingerprintSet } from './fingerprint-set.js';
import type { Action, ExploreModel, ExploreState, StepSink } from './model.js';

export type SearchStrategy = 'bfs' | 'dfs';

export interface SearchOptions {
  readonly strategy: SearchStrategy;
  /** States at this depth are not expanded. */
  readonly maxDepth?: number | undefined;
  /** Stop after this many distinct states. */
  readonly maxStates?: number | undefined;
  /** Stop after this many ms of `clock` (the CLI's wall clock; the search itself reads none). */
  readonly timeLimitMs?: number | undefined;
  readonly clock?: (() => number) | undefined;
  /**
   * Asked every few hundred expansions: true stops the search, cut by
   * 'memory' (the CLI's heap probe, so an unbounded search ends with a
   * verdict instead of running out of memory; the search itself reads none).
   */
  readonly memoryFull?: (() => boolean) | undefined;
  /** The same safety checkers as `run`, fresh for each evaluation. */
  readonly newChecks: () => TraceChecks;
  /** Canonical fingerprint of a state (symmetry reduction plugs in here). */
  readonly fingerprint?: ((state: ExploreState) => number) | undefined;
}

export type SearchBound = 'depth' | 'states' | 'time' | 'memory';

export interface SearchResult {
  /** True when every reachable state within the limits was expanded: no bound cut the search. */
  readonly exhausted: boolean;
  /** Which bounds cut it, when not exhausted (empty when a violation ended it). */
  readonly cutBy: readonly SearchBound[];
  readonly distinctStates: number;
  /** Every state generated, revisits included (TLC's "states generated"). */
  readonly transitions: number;
  /** Deepest state reached. */
  readonly depth: number;
  /** States without an enabled action. */
  readonly terminalStates: number;
  readonly violation: { readonly violation: Violation; readonly actions: readonly Action[] } | null;
  readonly elapsedMs: number | null;
}

/**
 * The path to a state: its last action and its parent's trail; events are
 * the checked ones that step produced. Trails are shared by every path
 * through them (a linked history), so a step costs one small object.
 */
export interface Trail {
  readonly action: Action | null;
  readonly parent: Trail | null;
  readonly events: readonly AnyTraceEvent[] | null;
  /** Hash of the whole event history up to here, in order (times left out): the key of the checkers' verdict on it. */
  readonly history: number;
  /** The state itself while it waits in the frontier (dropped once expanded, so trails do not keep states alive). */
  state: ExploreState | null;
}

/** A violation, with the path that reaches it. */
export type Found = NonNullable<SearchResult['violation']>;

/** The history hash after events with these content hashes. */
function historyAfter(history: number, contentHashes: readonly number[]): number {
  for (const hash of contentHashes) history = combineHashes(history, hash);
  return history;
}

/** Marks a verdict key as the judgement at a terminal state (with the checkers' end-of-run checks). */
const AT_END = 0xe4d;

/**
 * A new successor, as the expander hands it over (one object, reused):
 * `atBound` says whether it lies at the depth bound of a breadth-first
 * search, where it is never expanded (then `state` is null) and only a
 * terminal one is judged, at its end.
 */
export class Successor {
  action!: Action;
  actionIndex = 0;
  parent!: Trail;
  events: AnyTraceEvent[] | null = null;
  history = 0;
  fingerprint = 0;
  state: ExploreState | null = null;
  atBound: 'terminal' | 'cut' | null = null;

  trail(): Trail {
    return { action: this.action, parent: this.parent, events: this.events, history: this.history, state: this.state };
  }
}

/**
 * The work each state costs, shared by the single-threaded search and each
 * worker of a parallel one: a popped state is judged at its end when
 * terminal, cut at the depth bound, or expanded: every transition that
 * produced events is judged (each distinct history once), and every new
 * successor is handed to `keep`.
 */
export class Expander {
  transitions = 0;
  terminalStates = 0;
  /** Deepest new state met. */
  depth = 0;
  /** A state at the depth bound had actions left. */
  cutByDepth = false;
  /**
   * Histories the checkers already judged clean. A verdict is a function of
   * the ordered event history (the checkers use times only in messages), and
   * many schedules report the very same history (deliveries that observe
   * nothing reorder freely), so each is judged once.
   */
  private readonly clean = new FingerprintSet();
  private readonly fingerprintOf: (state: ExploreState) => number;
  /** A fingerprint that needs the built state (symmetry, or one given): a step is built before it is fingerprinted. */
  private readonly fingerprintsBuiltStates: boolean;
  private readonly successor = new Successor();

  constructor(
    private readonly model: ExploreModel,
    private readonly options: Pick<SearchOptions, 'strategy' | 'maxDepth' | 'newChecks' | 'fingerprint'>,
    /** Fingerprints met so far; a successor is new when adding it here succeeds. */
    readonly visited: FingerprintSet,
  ) {
    this.fingerprintOf = options.fingerprint ?? ((state: ExploreState) => model.symmetricFingerprint(state));
    this.fingerprintsBuiltStates = options.fingerprint !== undefined || model.permutationCount > 1;
  }

  /** The checkers' verdict on the path's history plus `latest` (and at its end), unless this history was judged clean before. */
  judgeOnce(trail: Trail, latest: readonly AnyTraceEvent[] | null, history: number, atEnd = false): Violation | null {
    const key = atEnd ? combineHashes(history, AT_END) : history;
    if (this.clean.has(key)) return null;
    const violation = judge(this.options.newChecks, trail, latest, atEnd);
    if (violation === null) this.clean.add(key);
    return violation;
  }

  /** A terminal state (no enabled action), judged at its end. */
  judgeTerminal(trail: Trail): Found | null {
    this.terminalStates += 1;
    const violation = this.judgeOnce(trail, null, trail.history, true);
    return violation === null ? null : { violation, actions: actionsOf(trail) };
  }

  /** A popped state (see the class): the first violation found, or null. */
  expand(trail: Trail, state: ExploreState, keep: (successor: Successor) => void): Found | null {
    const { model, options } = this;
    const actions = model.actions(state);
    if (actions.length === 0) return this.judgeTerminal(trail);
    if (options.maxDepth !== undefined && state.depth >= options.maxDepth) {
      this.cutByDepth = true;
      return null;
    }
    // BFS never expands a state at the depth bound: it is only judged at its end when terminal, so it is not kept as a state.
    const boundLevel = options.strategy === 'bfs' ? options.maxDepth : undefined;
    const successor = this.successor;
    for (let actionIndex = 0; actionIndex < actions.length; actionIndex++) {
      const action = actions[actionIndex]!;
      const prepared = model.prepare(state, action);
      this.transitions += 1;
      const eventCount = prepared.eventCount;
      let history = trail.history;
      for (let index = 0; index < eventCount; index++) history = combineHashes(history, prepared.eventHash(index));
      let events: AnyTraceEvent[] | null = null;
      // The events are built only for a history the checkers have not judged clean yet (or a kept state's trail).
      if (eventCount > 0 && !this.clean.has(history)) {
        events = prepared.events();
        const violation = judge(options.newChecks, trail, events);
        if (violation) {
          this.depth = Math.max(this.depth, prepared.depth);
          return { violation, actions: actionsOf({ action, parent: trail, events, history, state: null }) };
        }
        this.clean.add(history);
      }
      let next: ExploreState | null = this.fingerprintsBuiltStates ? prepared.materialize() : null;
      const fingerprint = next === null ? prepared.fingerprint() : this.fingerprintOf(next);
      if (!this.visited.add(fingerprint)) continue;
      if (prepared.depth > this.depth) this.depth = prepared.depth;
      successor.action = action;
      successor.actionIndex = actionIndex;
      successor.parent = trail;
      successor.history = history;
      successor.fingerprint = fingerprint;
      if (boundLevel !== undefined && prepared.depth >= boundLevel) {
        // Most states at the bound have a delivery enabled: they only cut the search, and are never built.
        successor.state = null;
        successor.atBound = prepared.deliversSomething() || model.actions(next ?? prepared.materialize()).length > 0 ? 'cut' : 'terminal';
      } else {
        successor.state = next ?? prepared.materialize();
        successor.atBound = null;
      }
      // Only a state kept for its path gets a trail (and its events): a revisit, or a cut one at the bound, leaves nothing behind.
      successor.events = successor.atBound === 'cut' || eventCount === 0 ? null : (events ?? prepared.events());
      keep(successor);
    }
    return null;
  }
}

/**
 * Breadth-first (shortest counterexample first) or depth-first search of
 * every schedule of the model, pruning revisited states by fingerprint. The
 * checkers judge every transition that produced observations, on the whole
 * observation history of its path, and every terminal state at its end.
 * Safety only: liveness needs fairness, which a bounded search cannot judge.
 */
export function search(model: ExploreModel, options: SearchOptions): SearchResult {
  const clock = options.clock;
  const startedMs = clock?.();
  const visited = new FingerprintSet();
  const expander = new Expander(model, options, visited);
  const root = initialTrail(model, visited, options.fingerprint);
  const cutBy = new Set<SearchBound>();
  const frontier: Trail[] = [root];
  let head = 0;
  const finish = (violation: SearchResult['violation']): SearchResult => {
    if (violation === null && expander.cutByDepth) cutBy.add('depth');
    return {
      exhausted: violation === null && cutBy.size === 0,
      cutBy: violation === null ? [...cutBy] : [],
      distinctStates: visited.size,
      transitions: expander.transitions,
      depth: expander.depth,
      terminalStates: expander.terminalStates,
      violation,
      elapsedMs: clock === undefined ? null : clock() - startedMs!,
    };
  };
  const initialViolation = judge(options.newChecks, root, null);
  if (initialViolation) return finish({ violation: initialViolation, actions: [] });
  /** BFS: the terminal states at the depth bound, judged in the order the queue would have popped them (after the level above). */
  const terminalAtBound: Trail[] = [];
  /** BFS: a state at the depth bound had actions left (it cuts the search once its turn would have come). */
  let cutAtBound = false;
  const keep = (successor: Successor): void => {
    if (successor.atBound === null) frontier.push(successor.trail());
    else if (successor.atBound === 'terminal') terminalAtBound.push(successor.trail());
    else cutAtBound = true;
  };
  /** Expansions since the clock and the heap were last looked at: both cost more than an expansion's worth to read each time. */
  let sinceProbe = 0;
  while (options.strategy === 'bfs' ? head < frontier.length : frontier.length > 0) {
    const trail = options.strategy === 'bfs' ? frontier[head++]! : frontier.pop()!;
    const state = trail.state!;
    trail.state = null;
    if (options.strategy === 'bfs' && head > 4096 && head * 2 > frontier.length) {
      frontier.splice(0, head);
      head = 0;
    }
    const expandedFrom = expander.transitions;
    const found = expander.expand(trail, state, keep);
    if (found) return finish(found);
    // A terminal or cut state only counts toward the bounds below once expanded.
    if (expander.transitions === expandedFrom) continue;
    if (options.maxStates !== undefined && visited.size >= options.maxStates) {
      cutBy.add('states');
      return finish(null);
    }
    if (++sinceProbe >= PROBE_EVERY) {
      sinceProbe = 0;
      if (options.timeLimitMs !== undefined && clock !== undefined && clock() - startedMs! >= options.timeLimitMs) {
        cutBy.add('time');
        return finish(null);
      }
      if (options.memoryFull?.() === true) {
        cutBy.add('memory');
        return finish(null);
      }
    }
  }
  for (const trail of terminalAtBound) {
    const found = expander.judgeTerminal(trail);
    if (found) return finish(found);
  }
  if (cutAtBound) cutBy.add('depth');
  return finish(null);
}

/** Expansions between looks at the clock and the heap. */
const PROBE_EVERY = 256;

/** The initial state's trail (its events those of booting), its fingerprint added to `visited`. */
export function initialTrail(model: ExploreModel, visited: FingerprintSet, fingerprint?: (state: ExploreState) => number): Trail {
  const events: AnyTraceEvent[] = [];
  const contentHashes: number[] = [];
  const sink: StepSink = {
    traceNetwork: false,
    emit: (event, contentHash) => {
      assert(contentHash !== undefined, () => `explore: a ${event.type} event came without its content hash`);
      events.push(event);
      contentHashes.push(contentHash);
    },
  };
  const initial = model.initial(sink);
  visited.add(fingerprint === undefined ? model.symmetricFingerprint(initial) : fingerprint(initial));
  return { action: null, parent: null, history: historyAfter(0, contentHashes), events: events.length === 0 ? null : events, state: initial };
}

/** The first violation the checkers find on the path's history plus `latest` (and, at a terminal state, at its end). */
function judge(newChecks: () => TraceChecks, trail: Trail, latest: readonly AnyTraceEvent[] | null, atEnd = false): Violation | null {
  const history: (readonly AnyTraceEvent[])[] = [];
  for (let at: Trail | null = trail; at !== null; at = at.parent) if (at.events !== null) history.push(at.events);
  history.reverse();
  if (latest !== null) history.push(latest);
  if (history.length === 0 && !atEnd) return null;
  const checks = newChecks();
  let index = 0;
  let lastT = 0;
  for (const events of history) {
    for (const event of events) {
      const { violations } = checks.observe(event, index++);
      lastT = event.t;
      if (violations.length > 0) return violations[0]!;
    }
  }
  if (!atEnd) return checks.judgeSoFar?.(lastT, index - 1)[0] ?? null;
  return checks.finish(lastT, index)[0] ?? null;
}

function actionsOf(trail: Trail): Action[] {
  const actions: Action[] = [];
  for (let at: Trail | null = trail; at !== null && at.action !== null; at = at.parent) actions.push(at.action);
  return actions.reverse();
}
