import { describe, expect, it } from 'vitest';
import { CHECKERS } from '../src/check/suite.js';
import type { PaxosBug } from '../src/protocols/paxos/config.js';
import { runScenario, type RunResult } from '../src/run/runner.js';
import { ddmin, faultUnits, shrinkScenario, type ShrinkResult } from '../src/run/shrink.js';
import { parseScenarioText } from '../src/scenario/load.js';
import type { Fault, Scenario } from '../src/scenario/scenario.js';
import { scenarioToYaml } from '../src/scenario/serialize.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

/**
 * A planted forget-promise failure: A gets X chosen by C and D (the cut keeps
 * E out of it), C crashes and comes back with an empty memory, so B's later
 * ballot can find a quorum (C, E) that never saw X. Only the cut and C's
 * crash/restart matter; the other ten faults are noise for the shrinker to
 * strip. B is no learner, so learning X does not stop it from proposing.
 */
const PLANTED = `
name: planted-forget-promise
nodes: [A, B, C, D, E]
roles: { proposers: [A, B], acceptors: [C, D, E], learners: [A, C, D, E] }
network: { delay: { min: 1, max: 10 } }
proposals:
  - { at: 0, node: A, value: X }
  - { at: 100, node: B, value: Y }
faults:
  - { at: 0, cut: { from: A, to: E } }
  - { at: 20, cut: { from: B, to: A } }
  - { at: 30, burst: { for: 15, drop: 0.3 } }
  - { at: 50, crash: C }
  - { at: 60, restart: C }
  - { at: 70, pause: A }
  - { at: 90, resume: A }
  - { at: 150, partition: [[A, B, C], [D, E]] }
  - { at: 200, heal: all }
  - { at: 220, burst: { for: 50, duplicate: 0.5, delay: { min: 1, max: 40 } } }
  - { at: 300, drift: { node: D, rate: 2 } }
  - { at: 350, partition: [[A], [B, C, D, E]] }
  - { at: 400, heal: all }
  - { at: 500, drift: { node: D, rate: 1 } }
until: 3000
expect: { safety: hold }
`;

const SAFETY_CHECKERS = new Set(CHECKERS.filter((checker) => checker.kind === 'safety').map((checker) => checker.name));

function run(scenario: Scenario, seed: number, bug: PaxosBug): RunResult {
  return runScenario(scenario, { seed, bug, stopOnViolation: true, hash: false });
}

function failsWith(scenario: Scenario, seed: number, bug: PaxosBug, checker: string): boolean {
  return run(scenario, seed, bug).violations.some((violation) => violation.checker === checker);
}

/** The first seed in [1, last] whose run the predicate accepts; searched in order, so deterministic. */
function firstSeed(last: number, accept: (seed: number) => boolean): number {
  for (let seed = 1; seed <= last; seed++) if (accept(seed)) return seed;
  throw new Error(`no seed in 1..${last} qualifies`);
}

function withoutUnit(faults: readonly Fault[], unit: readonly number[]): Fault[] {
  return faults.filter((_, index) => !unit.includes(index));
}

describe('shrinkScenario on a planted forget-promise failure', () => {
  const bug: PaxosBug = 'forget-promise';
  const planted = scenarioFromYaml(PLANTED);
  const seed = firstSeed(500, (candidate) => {
    const violation = run(planted, candidate, bug).violations[0];
    return violation !== undefined && SAFETY_CHECKERS.has(violation.checker);
  });
  const result = shrinkScenario(planted, seed, { bug });

  it('keeps failing the same checker with the same seed and no nemesis', () => {
    expect(result.checker).toBe(run(planted, seed, bug).violations[0]!.checker);
    expect(result.scenario.seed).toBe(seed);
    expect(result.scenario.nemesis).toBeUndefined();
    expect(failsWith(result.scenario, seed, bug, result.checker)).toBe(true);
    expect(result.exhausted).toBe(false);
    expect(result.attempts).toBeLessThanOrEqual(400);
  });

  it('strips the noise: fewer faults, at most 3, sizes reported as run', () => {
    const whole = (scenario: Scenario) => runScenario(scenario, { seed, bug, hash: false });
    expect(result.before).toEqual({ faults: 14, faultUnits: 11, proposals: 2, clients: 0, operations: 0, events: whole(planted).eventCount, violationEvent: whole(planted).violations[0]!.event });
    expect(result.after.faults).toBeLessThan(result.before.faults);
    expect(result.after.faults).toBeLessThanOrEqual(3);
    expect(result.after).toEqual({
      faults: result.scenario.faults.length,
      faultUnits: faultUnits(result.scenario.faults).length,
      proposals: result.scenario.proposals.length,
      clients: 0,
      operations: 0,
      events: whole(result.scenario).eventCount,
      violationEvent: whole(result.scenario).violations[0]!.event,
    });
    // The bug needs an acceptor to crash and come back.
    expect(result.scenario.faults.some((fault) => fault.kind === 'crash' && fault.node === 'C')).toBe(true);
  });

  it('is 1-minimal in fault units: dropping any one makes the failure go away', () => {
    const units = faultUnits(result.scenario.faults);
    expect(units.length).toBeGreaterThan(0);
    for (const unit of units) {
      const smaller = { ...result.scenario, faults: withoutUnit(result.scenario.faults, unit) };
      expect(failsWith(smaller, seed, bug, result.checker), `without faults ${unit.join('+')}`).toBe(false);
    }
  });

  it('round-trips through YAML and fails identically', () => {
    const loaded = parseScenarioText(scenarioToYaml(result.scenario), 'shrunk.yaml');
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    expect(loaded.scenario).toEqual(result.scenario);
    const original = run(result.scenario, seed, bug);
    const reloaded = run(loaded.scenario, seed, bug);
    expect(reloaded.violations).toEqual(original.violations);
    expect(reloaded.eventCount).toBe(original.eventCount);
  });

  it('is deterministic: same input, same scenario, same attempt count', () => {
    const again = shrinkScenario(planted, seed, { bug });
    expect(again).toEqual(result);
  });

  it('stops on its budget, still failing', () => {
    const budgeted = shrinkScenario(planted, seed, { bug, maxAttempts: 5 });
    expect(budgeted.exhausted).toBe(true);
    expect(budgeted.attempts).toBeLessThanOrEqual(5);
    expect(failsWith(budgeted.scenario, seed, bug, budgeted.checker)).toBe(true);
  });

  it('stops when shouldStop says so, after the first run only', () => {
    const stopped = shrinkScenario(planted, seed, { bug, shouldStop: () => true });
    expect(stopped).toMatchObject({ attempts: 1, exhausted: true, before: result.before, after: result.before });
    expect(stopped.scenario.faults).toEqual(planted.faults);
  });

  it('throws when the scenario does not fail', () => {
    expect(() => shrinkScenario(planted, seed)).toThrow(/does not fail/);
  });
});

describe('shrinkScenario on a fuzz-default failure', () => {
  it('materializes the nemesis and shrinks a same-ballot failure to at most 3 faults', () => {
    const bug: PaxosBug = 'same-ballot';
    const fuzz = shippedScenario('fuzz-default');
    expect(fuzz.nemesis).toBeDefined();
    const seed = firstSeed(2000, (candidate) => run(fuzz, candidate, bug).violations.length > 0);
    const result: ShrinkResult = shrinkScenario(fuzz, seed, { bug });
    expect(result.scenario.nemesis).toBeUndefined();
    expect(result.scenario.seed).toBe(seed);
    expect(result.checker).toBe(run(fuzz, seed, bug).violations[0]!.checker);
    expect(result.after.faults).toBeLessThanOrEqual(3);
    expect(result.after.faults).toBeLessThanOrEqual(result.before.faults);
    expect(failsWith(result.scenario, seed, bug, result.checker)).toBe(true);
  });
});

describe('shrink building blocks', () => {
  it('faultUnits pairs crash/restart, pause/resume and drift/reset per node, in time order', () => {
    const faults: Fault[] = [
      { at: 0, kind: 'crash', node: 'A' },
      { at: 5, kind: 'pause', node: 'B' },
      { at: 7, kind: 'heal' },
      { at: 10, kind: 'restart', node: 'A' },
      { at: 12, kind: 'drift', node: 'C', rate: 2 },
      { at: 15, kind: 'crash', node: 'A' },
      { at: 20, kind: 'resume', node: 'B' },
      { at: 30, kind: 'drift', node: 'C', rate: 1 },
      { at: 40, kind: 'restart', node: 'A' },
      { at: 50, kind: 'drift', node: 'D', rate: 1 },
    ];
    expect(faultUnits(faults)).toEqual([[0, 3], [1, 6], [2], [4, 7], [5, 8], [9]]);
  });

  it('ddmin finds a 1-minimal failing subset', () => {
    let tries = 0;
    const fails = (kept: readonly number[]) => {
      tries += 1;
      return kept.includes(3) && kept.includes(6);
    };
    expect(ddmin([1, 2, 3, 4, 5, 6, 7, 8], fails)).toEqual([3, 6]);
    expect(tries).toBeLessThan(20);
    expect(ddmin([1, 2, 3], () => true)).toEqual([]);
  });
});
