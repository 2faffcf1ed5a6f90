import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { violationKind } from '../src/check/violation-kind.js';
import type { MultiPaxosBug } from '../src/protocols/multipaxos/config.js';
import type { PaxosBug } from '../src/protocols/paxos/config.js';
import { runScenario, type RunResult } from '../src/run/runner.js';
import { shrinkScenario, type ShrinkResult } from '../src/run/shrink.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { scenarioToYaml } from '../src/scenario/serialize.js';
import { materializeScenario } from '../src/sim/nemesis.js';
import { runCli } from './helpers/cli.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

/**
 * The shrinker must hand back the failure it was given: the same kind of
 * violation first, nothing the original did not fail, and no longer a run.
 * The fuzz-default seeds below are ones where the shrinker before this rule
 * broke it (found by running it over the failing seeds of each bug): it
 * switched checker or kind, grew the run in events, or cut `until` under a
 * liveness expectation, which then failed too.
 */

type AnyBug = PaxosBug | MultiPaxosBug;

function wholeRun(scenario: Scenario, seed: number, bug: AnyBug): RunResult {
  return runScenario(scenario, { seed, bug, hash: false });
}

function unmetExpectations(result: RunResult): string[] {
  return result.expectation.checks.filter((check) => !check.met).map((check) => check.what);
}

/** Every promise the shrinker makes, checked against independent runs of the original and of the result. */
function expectFaithful(original: Scenario, seed: number, bug: AnyBug, shrunk: ShrinkResult): void {
  const before = wholeRun(materializeScenario(original, seed), seed, bug);
  const after = wholeRun(shrunk.scenario, seed, bug);
  const firstBefore = before.violations[0]!;
  const firstAfter = after.violations[0];
  expect(firstAfter, 'the shrunk scenario still fails').toBeDefined();
  expect(violationKind(firstAfter!)).toBe(violationKind(firstBefore));
  expect(shrunk.kind).toBe(violationKind(firstBefore));
  const kindsBefore = new Set(before.violations.map((violation) => violationKind(violation)));
  for (const violation of after.violations) expect(kindsBefore, `added violation ${violation.checker}: ${violation.message}`).toContain(violationKind(violation));
  const unmetBefore = unmetExpectations(before);
  for (const what of unmetExpectations(after)) expect(unmetBefore, `added unmet expectation ${what}`).toContain(what);
  expect(after.eventCount).toBeLessThanOrEqual(before.eventCount);
  expect(firstAfter!.event).toBeLessThanOrEqual(firstBefore.event);
  expect(shrunk.after.events).toBe(after.eventCount);
  expect(shrunk.before.events).toBe(before.eventCount);
}

describe('violationKind', () => {
  const examples: readonly (readonly [checker: string, message: string, kind: string])[] = [
    ['agreement', 'two values chosen: "X" in ballot (1,A) at t=5, then "Y" in ballot (2,B)', 'agreement/two-values-chosen'],
    ['agreement', 'B learned "Y" but A learned "X" at t=9', 'agreement/learners-disagree'],
    ['integrity', 'A learned "X" a second time (first at t=3)', 'integrity/learned-twice'],
    ['integrity', 'A changed its mind: learned "Y" after learning "X" at t=3', 'integrity/changed-mind'],
    ['integrity', 'A learned "Z", which no majority of acceptors accepted in one ballot', 'integrity/learned-unchosen'],
    ['acceptor-discipline', 'C accepted "X" in ballot (1,A) after promising (2,B)', 'acceptor-discipline/accepted-below-promise'],
    ['acceptor-discipline', 'C promised ballot (1,A) after promising (2,B)', 'acceptor-discipline/promise-went-down'],
    ['validity', '"Q" was chosen but never proposed', 'validity/chose-unproposed'],
    ['validity', 'A learned "Q", which was never proposed', 'validity/learned-unproposed'],
    ['exactly-once', 'B applied put x=1 by c1 a second time, at slot 4', 'exactly-once/applied-twice'],
    ['client-liveness', 'c1 gave up on #3 (invoked at t=10) 2500 ms after the replicas became healthy at t=2000', 'client-liveness/operation-late'],
    // Unknown wording: the checker alone, never another shape.
    ['agreement', 'something new', 'agreement/other'],
    ['my-checker', 'anything', 'my-checker/other'],
  ];
  for (const [checker, message, kind] of examples) {
    it(`${kind}: ${message}`, () => expect(violationKind({ checker, message })).toBe(kind));
  }
});

describe('shrink keeps the failure it was given (fuzz-default, bug same-ballot)', () => {
  const fuzz = shippedScenario('fuzz-default');
  const bug: PaxosBug = 'same-ballot';
  // What the shrinker before did with each seed (its result, run as written):
  const cases = [
    { seed: 49, was: 'switched integrity/learned-unchosen to agreement/learners-disagree, and added an unmet liveness expectation' },
    { seed: 9, was: 'switched agreement/two-values-chosen to agreement/learners-disagree (same checker), and grew 107 → 132 events' },
    { seed: 56, was: 'switched integrity/learned-unchosen to agreement/learners-disagree' },
    { seed: 60, was: 'grew 185 → 206 events' },
    { seed: 1, was: 'cut `until` under `expect.liveness`: the shrunk file failed liveness as well' },
  ];
  for (const { seed, was } of cases) {
    it(`seed ${seed} (${was})`, () => {
      const shrunk = shrinkScenario(fuzz, seed, { bug });
      expectFaithful(fuzz, seed, bug, shrunk);
      expect(shrunk.after.faultUnits).toBeLessThanOrEqual(3);
      expect(shrunk.after.proposals).toBeLessThan(shrunk.before.proposals);
      // Cut just past the violation, and without expectations a run that short cannot meet.
      expect(shrunk.scenario.untilMs).toBeLessThan(fuzz.untilMs);
      expect(shrunk.scenario.expect.liveness).toBeUndefined();
    });
  }
});

describe('shrink keeps the failure for every planted Paxos bug', () => {
  const fuzz = shippedScenario('fuzz-default');
  for (const bug of ['forget-promise', 'ignore-accepted', 'accept-lower', 'count-duplicates', 'small-quorum'] as const) {
    it(`${bug}: the first failing seed shrinks faithfully`, () => {
      let seed = 1;
      while (wholeRun(materializeScenario(fuzz, seed), seed, bug).violations.length === 0) seed += 1;
      expectFaithful(fuzz, seed, bug, shrinkScenario(fuzz, seed, { bug }));
    });
  }
});

describe('shrink keeps a liveness failure a liveness failure', () => {
  // Messages take 50–60 ms, so no learner can learn within 10 ms of B's restart at t=100; the other faults are noise.
  const scenario = scenarioFromYaml(`
name: slow-network
nodes: [A, B, C]
network: { delay: { min: 50, max: 60 } }
proposals: [ { at: 0, node: A, value: X }, { at: 10, node: C, value: Y } ]
faults:
  - { at: 0, crash: B }
  - { at: 20, cut: { from: C, to: A } }
  - { at: 40, heal: all }
  - { at: 60, burst: { for: 20, duplicate: 0.5 } }
  - { at: 100, restart: B }
until: 3000
expect: { safety: hold, liveness: { within: 10 } }
`);
  it('keeps the liveness expectation and reaches its deadline', () => {
    const first = wholeRun(scenario, 1, 'same-ballot').violations[0];
    if (first === undefined || first.checker !== 'liveness') return expect.fail(`the planted scenario should fail liveness, got ${first?.checker}`);
    const shrunk = shrinkScenario(scenario, 1, { bug: 'same-ballot' });
    expectFaithful(scenario, 1, 'same-ballot', shrunk);
    expect(shrunk.kind).toBe('liveness/missed-deadline');
    expect(shrunk.scenario.expect.liveness).toEqual({ withinMs: 10 });
    expect(shrunk.after.faults).toBeLessThan(shrunk.before.faults);
  });
});

describe('shrink reduces Multi-Paxos clients and operations', () => {
  it('drawn workloads: fewer clients and operations per client (multipaxos-nemesis, no-dedup, first failing seed)', () => {
    const nemesis = shippedScenario('multipaxos-nemesis');
    const bug: MultiPaxosBug = 'no-dedup';
    let seed = 1;
    while (wholeRun(nemesis, seed, bug).violations.length === 0) seed += 1;
    const shrunk = shrinkScenario(nemesis, seed, { bug });
    expectFaithful(nemesis, seed, bug, shrunk);
    expect(shrunk.kind).toBe('exactly-once/applied-twice');
    expect(shrunk.before).toMatchObject({ clients: 3, operations: 60 });
    // Before, clients and operations were never shrunk.
    expect(shrunk.after.operations).toBeLessThan(shrunk.before.operations);
    expect(shrunk.after.operations).toBe(shrunk.scenario.clients.reduce((total, client) => total + (client.count ?? 0), 0));
  });

  it('listed operations: ddmin removes the ones not needed, and clients not needed go', () => {
    const listed = scenarioFromYaml(`
name: listed-ops
protocol: multipaxos
nodes: [A, B, C]
clients:
  - { id: c1, ops: [ { put: { key: x, value: "1" } }, { get: x }, { put: { key: y, value: "2" } }, { get: y }, { cas: { key: x, expected: "1", value: "3" } }, { get: x } ] }
  - { id: c2, ops: [ { get: y }, { put: { key: y, value: "4" } }, { get: x }, { get: y } ] }
until: 3000
expect: { safety: hold }
`);
    const bug: MultiPaxosBug = 'apply-unchosen';
    if (wholeRun(listed, 1, bug).violations.length === 0) return expect.fail('apply-unchosen should fail the listed workload');
    const shrunk = shrinkScenario(listed, 1, { bug });
    expectFaithful(listed, 1, bug, shrunk);
    expect(shrunk.before).toMatchObject({ clients: 2, operations: 10 });
    expect(shrunk.after.clients).toBe(1);
    expect(shrunk.after.operations).toBe(1);
  });
});

describe('paxsim shrink and the fuzz summary report what changed', () => {
  it('paxsim shrink names the kind kept and writes a file that fails only that way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paxsim-hostile-shrink-'));
    const file = join(dir, 'seed-49.yaml');
    writeFileSync(file, scenarioToYaml({ ...materializeScenario(shippedScenario('fuzz-default'), 49), bug: 'same-ballot' }));
    const result = await runCli(['shrink', file]);
    expect(result.code).toBe(0);
    // ballot-uniqueness sees the broken ballot first, before any learner acts on it.
    expect(result.stdout).toMatch(/violation\s+ballot-uniqueness\/two-values-in-one-ballot: /);
    expect(result.stdout).toMatch(/proposals\s+\d+ → \d+/);
    expect(result.stdout).toMatch(/events\s+\d+ → \d+ \(first violation at event #\d+ → #\d+\)/);
    const shrunkFile = join(dir, 'seed-49.min.yaml');
    expect(readFileSync(shrunkFile, 'utf8')).toContain('proposals');
    const loaded = loadScenarioFile(shrunkFile);
    if (!loaded.ok) return expect.fail(loaded.errors.join('\n'));
    const replayed = JSON.parse((await runCli(['run', shrunkFile, '--json'])).stdout);
    expect(replayed.violations.map((violation: { checker: string; message: string }) => violationKind(violation))).toEqual(['ballot-uniqueness/two-values-in-one-ballot']);
  });

  it('the fuzz summary line gives faults, proposals and events before and after', async () => {
    const out = mkdtempSync(join(tmpdir(), 'paxsim-hostile-shrink-'));
    const fuzzed = await runCli(['fuzz', '--bug', 'same-ballot', '--from', '49', '--seeds', '1', '--workers', '0', '--out', out, '--no-progress']);
    expect(fuzzed.code).toBe(1);
    expect(fuzzed.stdout).toMatch(/shrunk\s+\S+\.min\.yaml: faults \d+ → \d+( \([^)]*\))?, proposals \d+ → \d+, events \d+ → \d+ \(\d+ runs\)/);
  });
});
