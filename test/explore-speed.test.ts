import { describe, expect, it } from 'vitest';
import type { Action, ExploreModel, ExploreState, StepSink } from '../src/explore/model.js';
import { exploreModelFor, NO_FAULTS } from '../src/explore/setup.js';
import { search } from '../src/explore/search.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { SMALL_EXPLORE } from './helpers/explore-fixtures.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

/**
 * The explorer's fast path (issue 13's speed target): a step is
 * fingerprinted before its state is built (`prepare`), and BFS keeps no
 * state at its depth bound. These tests pin that the fast path changes
 * nothing a user sees.
 */

/** Every state within `depth` steps, breadth-first, with each state's actions (the model's own step, not the fast path). */
function statesWithin(model: ExploreModel, depth: number): ExploreState[] {
  const quiet: StepSink = { traceNetwork: false, emit: () => undefined };
  const states = [model.initial(quiet)];
  for (let head = 0; head < states.length; head++) {
    const state = states[head]!;
    if (state.depth >= depth) continue;
    for (const action of model.actions(state)) states.push(model.step(state, action, quiet));
  }
  return states;
}

/** The events `step` hands an untraced sink, with their content hashes. */
function stepEvents(model: ExploreModel, state: ExploreState, action: Action): { events: AnyTraceEvent[]; hashes: number[]; next: ExploreState } {
  const events: AnyTraceEvent[] = [];
  const hashes: number[] = [];
  const next = model.step(state, action, { traceNetwork: false, emit: (event, hash) => (events.push(event), hashes.push(hash!)) });
  return { events, hashes, next };
}

describe('paxsim explore: a prepared step is the step', () => {
  for (const [name, depth] of [['explore-paxos-3', 3], ['explore-multipaxos-3', 3]] as const) {
    it(`${name}: same fingerprint, events and state as the built step, for every action within ${depth} steps`, () => {
      const scenario = shippedScenario(name);
      const { model } = exploreModelFor(scenario, undefined, scenario.explore ?? NO_FAULTS);
      let compared = 0;
      let withEvents = 0;
      for (const state of statesWithin(model, depth)) {
        for (const action of model.actions(state)) {
          const built = stepEvents(model, state, action);
          const prepared = model.prepare(state, action);
          expect(prepared.depth).toBe(built.next.depth);
          expect(prepared.fingerprint()).toBe(model.fingerprint(built.next));
          expect(Array.from({ length: prepared.eventCount }, (_unused, index) => prepared.eventHash(index))).toEqual(built.hashes);
          expect(prepared.events()).toEqual(built.events);
          const materialized = prepared.materialize();
          expect(materialized).toEqual(built.next);
          expect(model.fingerprint(materialized)).toBe(model.fingerprint(built.next));
          compared += 1;
          if (built.events.length > 0) withEvents += 1;
        }
      }
      // Enough to mean something: deliveries, requests, faults, and steps that observe.
      expect(compared).toBeGreaterThan(200);
      expect(withEvents).toBeGreaterThan(10);
    });
  }
});

describe('paxsim explore: BFS at its depth bound', () => {
  it('judges the terminal states at the bound, and says exhausted when every state there is terminal', () => {
    const scenario = scenarioFromYaml(SMALL_EXPLORE);
    const { model, newChecks } = exploreModelFor(scenario, undefined, NO_FAULTS);
    const unbounded = search(model, { strategy: 'bfs', newChecks });
    expect(unbounded.exhausted).toBe(true);
    const atDepth = search(exploreModelFor(scenario, undefined, NO_FAULTS).model, { strategy: 'bfs', newChecks, maxDepth: unbounded.depth });
    // The last level holds only terminal states: a bound there cuts nothing, and they are still counted as terminal.
    expect(atDepth).toMatchObject({ exhausted: true, cutBy: [], distinctStates: unbounded.distinctStates, transitions: unbounded.transitions, terminalStates: unbounded.terminalStates });
    const shallower = search(exploreModelFor(scenario, undefined, NO_FAULTS).model, { strategy: 'bfs', newChecks, maxDepth: unbounded.depth - 1 });
    expect(shallower.exhausted).toBe(false);
    expect(shallower.cutBy).toEqual(['depth']);
    expect(shallower.terminalStates).toBeLessThan(unbounded.terminalStates);
  });

  it('a state bound reached in the level above the depth bound cuts by states only (the bound level was never reached)', () => {
    const scenario = shippedScenario('explore-paxos-3');
    const { model, newChecks } = exploreModelFor(scenario, undefined, scenario.explore!);
    // Depth 6 holds 13,436 states, 9,875 of them at depth 6: 12,000 is crossed while depth 5 is expanded.
    const result = search(model, { strategy: 'bfs', newChecks, maxDepth: 6, maxStates: 12_000 });
    expect(result.cutBy).toEqual(['states']);
    expect(result.distinctStates).toBeGreaterThanOrEqual(12_000);
    expect(result.distinctStates).toBeLessThan(13_436);
  });

  it('explore-paxos-3 to depth 7: the counts the explorer gave before its fast path', () => {
    const scenario = shippedScenario('explore-paxos-3');
    const { model, newChecks } = exploreModelFor(scenario, undefined, scenario.explore!);
    const result = search(model, { strategy: 'dfs', newChecks, maxDepth: 7 });
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([51_212, 135_073, 7]);
  });
});
