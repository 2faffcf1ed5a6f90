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
  /** The same safety checkers as `run`, fresh for each evaluation. */
  readonly newChecks: () => TraceChecks;
  /** Canonical fingerprint of a state (symmetry reduction plugs in here). */
  readonly fingerprint?: ((state: ExploreState) => number) | undefined;
}

export type SearchBound = 'depth' | 'states' | 'time';

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
interface Trail {
  readonly action: Action | null;
  readonly parent: Trail | null;
  readonly events: readonly AnyTraceEvent[] | null;
  /** Hash of the whole event history up to here, in order (times left out): the key of the checkers' verdict on it. */
  readonly history: number;
  /** The state itself while it waits in the frontier (dropped once expanded, so trails do not keep states alive). */
  state: ExploreState | null;
}

/** The history hash after events with these content hashes. */
function historyAfter(history: number, contentHashes: readonly number[]): number {
  for (const hash of contentHashes) history = combineHashes(history, hash);
  return history;
}

/** Marks a verdict key as the judgement at a terminal state (with the checkers' end-of-run checks). */
const AT_END = 0xe4d;

/**
 * Breadth-first (shortest counterexample first) or depth-first search of
 * every schedule of the model, pruning revisited states by fingerprint. The
 * checkers judge every transition that produced observations, on the whole
 * observation history of its path, and every terminal state at its end.
 * Safety only: liveness needs fairness, which a bounded search cannot judge.
 */
export function search(model: ExploreModel, options: SearchOptions): SearchResult {
  const fingerprintOf = options.fingerprint ?? ((state: ExploreState) => model.symmetricFingerprint(state));
  const clock = options.clock;
  const startedMs = clock?.();
  const collected: AnyTraceEvent[] = [];
  const contentHashes: number[] = [];
  const sink: StepSink = {
    traceNetwork: false,
    emit: (event, contentHash) => {
      assert(contentHash !== undefined, () => `explore: a ${event.type} event came without its content hash`);
      collected.push(event);
      contentHashes.push(contentHash);
    },
  };
  /** The events the last step produced (null: none); `historyAfter` first, for the history hash after them. */
  const takeEvents = (): AnyTraceEvent[] | null => {
    if (collected.length === 0) return null;
    contentHashes.length = 0;
    return collected.splice(0);
  };
  const initial = model.initial(sink);
  const visited = new FingerprintSet();
  visited.add(fingerprintOf(initial));
  const rootHistory = historyAfter(0, contentHashes);
  const root: Trail = { action: null, parent: null, history: rootHistory, events: takeEvents(), state: initial };
  /**
   * Histories the checkers already judged clean. A verdict is a function of
   * the ordered event history (the checkers use times only in messages), and
   * many schedules report the very same history (deliveries that observe
   * nothing reorder freely), so each is judged once.
   */
  const clean = new FingerprintSet();
  const judgeOnce = (trail: Trail, latest: readonly AnyTraceEvent[] | null, history: number, atEnd = false): Violation | null => {
    const key = atEnd ? combineHashes(history, AT_END) : history;
    if (clean.has(key)) return null;
    const violation = judge(options.newChecks, trail, latest, atEnd);
    if (violation === null) clean.add(key);
    return violation;
  };
  let transitions = 0;
  let depth = 0;
  let terminalStates = 0;
  const cutBy = new Set<SearchBound>();
  const frontier: Trail[] = [root];
  let head = 0;
  const finish = (violation: SearchResult['violation']): SearchResult => ({
    exhausted: violation === null && cutBy.size === 0,
    cutBy: violation === null ? [...cutBy] : [],
    distinctStates: visited.size,
    transitions,
    depth,
    terminalStates,
    violation,
    elapsedMs: clock === undefined ? null : clock() - startedMs!,
  });
  const initialViolation = judge(options.newChecks, root, null);
  if (initialViolation) return finish({ violation: initialViolation, actions: [] });
  /** A fingerprint that needs the built state (symmetry, or one given): a step is built before it is fingerprinted. */
  const fingerprintsBuiltStates = options.fingerprint !== undefined || model.permutationCount > 1;
  /**
   * BFS: states at the depth bound are never expanded; popped, each would
   * only be judged at its end when terminal, or cut the search by depth.
   * So only the terminal ones are kept (in the order they would be popped,
   * and judged when their turn comes, after the level above), and the rest
   * are counted and dropped: the last level is most of the states.
   */
  const boundLevel = options.strategy === 'bfs' ? options.maxDepth : undefined;
  const terminalAtBound: Trail[] = [];
  let cutAtBound = false;
  let sinceClock = 0;
  while (options.strategy === 'bfs' ? head < frontier.length : frontier.length > 0) {
    const trail = options.strategy === 'bfs' ? frontier[head++]! : frontier.pop()!;
    const state = trail.state!;
    trail.state = null;
    if (options.strategy === 'bfs' && head > 4096 && head * 2 > frontier.length) {
      frontier.splice(0, head);
      head = 0;
    }
    const actions = model.actions(state);
    if (actions.length === 0) {
      terminalStates += 1;
      const violation = judgeOnce(trail, null, trail.history, true);
      if (violation) return finish({ violation, actions: actionsOf(trail) });
      continue;
    }
    if (options.maxDepth !== undefined && state.depth >= options.maxDepth) {
      cutBy.add('depth');
      continue;
    }
    for (const action of actions) {
      const prepared = model.prepare(state, action);
      transitions += 1;
      const eventCount = prepared.eventCount;
      let history = trail.history;
      for (let index = 0; index < eventCount; index++) history = combineHashes(history, prepared.eventHash(index));
      let events: AnyTraceEvent[] | null = null;
      // The events are built only for a history the checkers have not judged clean yet (or a kept state's trail).
      if (eventCount > 0 && !clean.has(history)) {
        events = prepared.events();
        const violation = judge(options.newChecks, trail, events);
        if (violation) {
          depth = Math.max(depth, prepared.depth);
          return finish({ violation, actions: actionsOf({ action, parent: trail, events, history, state: null }) });
        }
        clean.add(history);
      }
      let next: ExploreState | null = fingerprintsBuiltStates ? prepared.materialize() : null;
      if (!visited.add(next === null ? prepared.fingerprint() : fingerprintOf(next))) continue;
      if (prepared.depth > depth) depth = prepared.depth;
      // Only a new state gets a trail: a revisit leaves nothing behind.
      if (eventCount > 0) events ??= prepared.events();
      next ??= prepared.materialize();
      if (boundLevel !== undefined && next.depth >= boundLevel) {
        if (model.actions(next).length === 0) terminalAtBound.push({ action, parent: trail, events, history, state: null });
        else cutAtBound = true;
        continue;
      }
      frontier.push({ action, parent: trail, events, history, state: next });
    }
    if (options.maxStates !== undefined && visited.size >= options.maxStates) {
      cutBy.add('states');
      return finish(null);
    }
    if (options.timeLimitMs !== undefined && clock !== undefined && ++sinceClock >= 256) {
      sinceClock = 0;
      if (clock() - startedMs! >= options.timeLimitMs) {
        cutBy.add('time');
        return finish(null);
      }
    }
  }
  // The states at the depth bound, in the order the queue would have popped them.
  for (const trail of terminalAtBound) {
    terminalStates += 1;
    const violation = judgeOnce(trail, null, trail.history, true);
    if (violation) return finish({ violation, actions: actionsOf(trail) });
  }
  if (cutAtBound) cutBy.add('depth');
  return finish(null);
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
  if (!atEnd) return null;
  return checks.finish(lastT, index)[0] ?? null;
}

function actionsOf(trail: Trail): Action[] {
  const actions: Action[] = [];
  for (let at: Trail | null = trail; at !== null && at.action !== null; at = at.parent) actions.push(at.action);
  return actions.reverse();
}
