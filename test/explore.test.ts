import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeExploreExpectation } from '../src/cli/explore-command.js';
import { addHashes, combineHashes, hashPlain, subtractHashes } from '../src/explore/canonical.js';
import { FingerprintSet } from '../src/explore/fingerprint-set.js';
import { HashedStorage } from '../src/explore/hashed-storage.js';
import { exploreModelFor, NO_FAULTS, symmetryClasses } from '../src/explore/setup.js';
import { scheduleOf } from '../src/explore/schedule-replay.js';
import { search } from '../src/explore/search.js';
import { runScenario } from '../src/run/runner.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { runCli } from './helpers/cli.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

/** One proposer, no faults, no timers: small enough that both strategies exhaust it. */
const SMALL = `
name: explore-small
nodes: [A, B, C]
roles: { proposers: [A] }
proposals: [{ at: 0, node: A, value: X }]
expect: { safety: hold, explore: { exhausted: true, violation: none } }
`;

function explore(scenario: Scenario, bug: string | undefined, strategy: 'bfs' | 'dfs' = 'bfs', limits = scenario.explore ?? NO_FAULTS, maxDepth = scenario.explore?.depth, symmetry = false) {
  const { model, newChecks } = exploreModelFor(scenario, bug, limits, { symmetry });
  return { model, result: search(model, { strategy, newChecks, maxDepth, maxStates: 500_000 }) };
}

describe('paxsim explore: state hashes', () => {
  it('do not depend on the order keys were added in, at any depth', () => {
    const votes = { '1,B': { value: 'Y', acceptors: ['C'] }, '1,A': { acceptors: ['A', 'B'], value: 'X' } };
    const sameVotes = { '1,A': { value: 'X', acceptors: ['A', 'B'] }, '1,B': { acceptors: ['C'], value: 'Y' } };
    expect(hashPlain({ votes, attempt: 1 })).toBe(hashPlain({ attempt: 1, votes: sameVotes }));
    expect(hashPlain(new Map([['x', 1], ['y', 2]]))).toBe(hashPlain(new Map([['y', 2], ['x', 1]])));
    expect(hashPlain({ a: 1, b: undefined })).toBe(hashPlain({ a: 1 }));
  });

  it('tell apart what differs: array order, types, values, nesting, Maps and Sets by content', () => {
    const distinct = [['A', 'B'], ['B', 'A'], { a: 1 }, { a: '1' }, { a: 1.5 }, { a: 2 ** 40 }, { a: [1] }, [[1], 2], [1, [2]], null, 'null', new Set([1, 2]), new Set([1, 3]), new Map([['x', 1]]), new Map([['x', 2]]), { x: 1 }, true, 1];
    const hashes = distinct.map((value) => hashPlain(value));
    expect(new Set(hashes).size).toBe(distinct.length);
    for (const hash of hashes) expect(Number.isSafeInteger(hash) && hash >= 0 && hash < 2 ** 52).toBe(true);
  });

  it('sum multisets exactly and fold parts in order', () => {
    const [a, b, c] = [hashPlain('a'), hashPlain('b'), hashPlain('c')];
    expect(addHashes(addHashes(a, b), c)).toBe(addHashes(addHashes(c, a), b));
    expect(subtractHashes(addHashes(addHashes(a, b), c), b)).toBe(addHashes(a, c));
    expect(combineHashes(combineHashes(0, a), b)).not.toBe(combineHashes(combineHashes(0, b), a));
  });

  it("a node's disk hashes its whole contents (every slot, not a summary), in any write order", () => {
    const first = new HashedStorage();
    first.write('round', 1);
    first.writeSlot('accepted', 0, { value: 'x' });
    first.writeSlot('accepted', 1, { value: 'y' });
    const second = new HashedStorage();
    second.writeSlot('accepted', 1, { value: 'y' });
    second.writeSlot('accepted', 0, { value: 'stale' });
    second.write('round', 1);
    expect(second.hash).not.toBe(first.hash);
    const copy = second.copy();
    copy.writeSlot('accepted', 0, { value: 'x' });
    expect(copy.hash).toBe(first.hash);
    expect(second.readSlot('accepted', 0)).toEqual({ value: 'stale' });
    copy.removeSlot('accepted', 1);
    copy.remove('round');
    const only = new HashedStorage();
    only.writeSlot('accepted', 0, { value: 'x' });
    expect(copy.hash).toBe(only.hash);
  });

  it('the visited set keeps every fingerprint, 0 included, as it grows', () => {
    const visited = new FingerprintSet(16);
    const keys = [0, 1, 2 ** 52 - 1, ...Array.from({ length: 5000 }, (_unused, index) => hashPlain(index))];
    for (const key of keys) expect(visited.add(key)).toBe(true);
    for (const key of keys) expect(visited.add(key)).toBe(false);
    expect(visited.size).toBe(keys.length);
    expect(visited.has(12345)).toBe(false);
  });
});

describe('paxsim explore: the model and the search', () => {
  it('exhausts a small configuration, and BFS and DFS agree on its distinct states', () => {
    const scenario = scenarioFromYaml(SMALL);
    const bfs = explore(scenario, undefined, 'bfs').result;
    const dfs = explore(scenario, undefined, 'dfs').result;
    expect(bfs.exhausted).toBe(true);
    expect(dfs.exhausted).toBe(true);
    expect(bfs.violation).toBeNull();
    expect(bfs.distinctStates).toBeGreaterThan(10);
    expect(dfs.distinctStates).toBe(bfs.distinctStates);
    expect(bfs.terminalStates).toBeGreaterThan(0);
    expect(judgeExploreExpectation(scenario, bfs)?.met).toBe(true);
  });

  it('also agrees with a crash allowed', () => {
    const scenario = scenarioFromYaml(SMALL);
    const limits = { maxDrops: 0, maxDuplicates: 0, maxCrashes: 1, maxTimerFires: 0 };
    const bfs = explore(scenario, undefined, 'bfs', limits).result;
    const dfs = explore(scenario, undefined, 'dfs', limits).result;
    expect(bfs.exhausted && dfs.exhausted).toBe(true);
    expect(dfs.distinctStates).toBe(bfs.distinctStates);
    // Faults reach states the fault-free search cannot.
    expect(bfs.distinctStates).toBeGreaterThan(explore(scenario, undefined).result.distinctStates);
  });

  it('explore-paxos-3: no violation within the bounds CI uses, and says it did not exhaust', () => {
    const scenario = shippedScenario('explore-paxos-3');
    const { result } = explore(scenario, undefined);
    expect(result.violation).toBeNull();
    expect(result.exhausted).toBe(false);
    expect(result.cutBy).toEqual(['depth']);
    expect(result.depth).toBe(scenario.explore!.depth);
    // The counts before structural hashing, recorded outcomes and interned node states: none of them may merge or lose a state.
    expect([result.distinctStates, result.transitions]).toEqual([13_436, 32_972]);
    expect(judgeExploreExpectation(scenario, result)).toEqual({ met: true, lines: ['✓ violation: none'] });
  });

  it('judges expect.explore honestly: exhausted: true is unmet when a bound cut the search', () => {
    const scenario = shippedScenario('explore-paxos-3');
    const demanding = { ...scenario, expect: { ...scenario.expect, explore: { exhausted: true, violation: 'none' } } };
    expect(judgeExploreExpectation(demanding, explore(scenario, undefined).result)?.met).toBe(false);
  });
});

/**
 * Shortest counterexample lengths on explore-paxos-3 (BFS, its own bounds),
 * and the checker that catches each bug. ignore-accepted needs 8 steps, past
 * the shipped depth: it is searched without faults or timers, to depth 12.
 */
const NONE = { maxDrops: 0, maxDuplicates: 0, maxCrashes: 0, maxTimerFires: 0 };
const PAXOS_BUGS: readonly [string, number, string, { limits: typeof NONE; depth: number } | null][] = [
  ['forget-promise', 5, 'acceptor-discipline', null],
  ['ignore-accepted', 8, 'agreement', { limits: NONE, depth: 12 }],
  ['accept-lower', 5, 'acceptor-discipline', null],
  ['same-ballot', 6, 'ballot-uniqueness', null],
  ['count-duplicates', 4, 'integrity', null],
  ['small-quorum', 1, 'integrity', null],
];

describe('paxsim explore: planted single-decree bugs on explore-paxos-3', () => {
  for (const [bug, length, checker, bounds] of PAXOS_BUGS) {
    it(`${bug}: a shortest counterexample of ${length} steps, which paxsim run replays to the same violation`, () => {
      const scenario = shippedScenario('explore-paxos-3');
      const { model, result } = bounds === null ? explore(scenario, bug) : explore(scenario, bug, 'bfs', bounds.limits, bounds.depth);
      expect(result.violation?.violation.checker).toBe(checker);
      expect(result.violation?.actions.length).toBe(length);
      const schedule = scheduleOf(model, result.violation!.actions);
      const pinned: Scenario = { ...scenario, bug, schedule, faults: [], explore: undefined, expect: { safety: 'hold' } };
      const replayed = runScenario(pinned, { record: true });
      expect(replayed.violations[0]?.checker).toBe(checker);
      expect(replayed.expectation.met).toBe(false);
      // Deterministic, and the schedule is what breaks it: the correct protocol holds on the same steps (or cannot take them).
      expect(runScenario(pinned).traceHash).toBe(replayed.traceHash);
      let correctViolations: number;
      try {
        correctViolations = runScenario({ ...pinned, bug: undefined }).violations.length;
      } catch {
        correctViolations = 0;
      }
      expect(correctViolations).toBe(0);
    });
  }
});

/** Two proposers and three plain acceptors: C, D and E are interchangeable. */
const SYMMETRIC = `
name: explore-symmetric
nodes: [A, B, C, D, E]
roles: { proposers: [A, B] }
proposals: [{ at: 0, node: A, value: X }, { at: 0, node: B, value: Y }]
expect: { safety: hold }
`;

describe('paxsim explore --symmetry', () => {
  it('finds the interchangeable nodes: plain acceptors, never proposers; none in the shipped configurations', () => {
    expect(symmetryClasses(scenarioFromYaml(SYMMETRIC), [{ node: 'A', request: {} }, { node: 'B', request: {} }], [])).toEqual([['C', 'D', 'E']]);
    for (const name of ['explore-paxos-3', 'explore-multipaxos-3']) {
      const { model } = exploreModelFor(shippedScenario(name), undefined, NO_FAULTS, { symmetry: true });
      expect(model.permutationCount).toBe(1);
    }
  });

  it('exhausts a symmetric configuration in fewer states, BFS and DFS agreeing', () => {
    const scenario = scenarioFromYaml(SMALL); // B and C are plain acceptors
    const plain = explore(scenario, undefined, 'bfs').result;
    const bfs = explore(scenario, undefined, 'bfs', NO_FAULTS, undefined, true).result;
    const dfs = explore(scenario, undefined, 'dfs', NO_FAULTS, undefined, true).result;
    expect(plain.exhausted && bfs.exhausted && dfs.exhausted).toBe(true);
    expect(dfs.distinctStates).toBe(bfs.distinctStates);
    expect(bfs.distinctStates).toBeLessThan(plain.distinctStates);
    expect(bfs.terminalStates).toBeGreaterThan(0);
  });

  // Every bug still found, at the same shortest length, where symmetry really merges states (and replayed by paxsim run).
  const crashOnly = { maxDrops: 0, maxDuplicates: 0, maxCrashes: 1, maxTimerFires: 0 };
  for (const [bug, length, checker] of [['small-quorum', 5, 'integrity'], ['forget-promise', 5, 'acceptor-discipline'], ['accept-lower', 7, 'acceptor-discipline']] as const) {
    it(`${bug}: found with --symmetry on five nodes at the same ${length} steps as without`, () => {
      const scenario = scenarioFromYaml(SYMMETRIC);
      const plain = explore(scenario, bug, 'bfs', crashOnly, 8).result;
      const { model, result } = explore(scenario, bug, 'bfs', crashOnly, 8, true);
      expect([plain.violation?.violation.checker, plain.violation?.actions.length]).toEqual([checker, length]);
      expect([result.violation?.violation.checker, result.violation?.actions.length]).toEqual([checker, length]);
      expect(result.distinctStates).toBeLessThan(plain.distinctStates);
      const pinned: Scenario = { ...scenario, bug, schedule: scheduleOf(model, result.violation!.actions), explore: undefined, expect: { safety: 'hold' } };
      expect(runScenario(pinned).violations[0]?.checker).toBe(checker);
    });
  }

  it('every single-decree bug is still found on explore-paxos-3 with --symmetry, at the same length', () => {
    const scenario = shippedScenario('explore-paxos-3');
    for (const [bug, length, checker, bounds] of PAXOS_BUGS) {
      const { result } = bounds === null ? explore(scenario, bug, 'bfs', undefined, undefined, true) : explore(scenario, bug, 'bfs', bounds.limits, bounds.depth, true);
      expect([bug, result.violation?.violation.checker, result.violation?.actions.length]).toEqual([bug, checker, length]);
    }
  });
});

describe('paxsim explore: Multi-Paxos on explore-multipaxos-3', () => {
  it('no violation within the bounds CI uses', () => {
    const scenario = shippedScenario('explore-multipaxos-3');
    const { result } = explore(scenario, undefined);
    expect(result.violation).toBeNull();
    expect(result.cutBy).toEqual(['depth']);
    expect(judgeExploreExpectation(scenario, result)?.met).toBe(true);
  });

  it('apply-unchosen: found in 4 steps by log-consistency, replayed by paxsim run', () => {
    const scenario = shippedScenario('explore-multipaxos-3');
    const { model, result } = explore(scenario, 'apply-unchosen');
    expect(result.violation?.violation.checker).toBe('log-consistency');
    expect(result.violation?.actions.length).toBe(4);
    const pinned: Scenario = { ...scenario, bug: 'apply-unchosen', schedule: scheduleOf(model, result.violation!.actions), explore: undefined, expect: { safety: 'hold' } };
    expect(runScenario(pinned).violations[0]?.checker).toBe('log-consistency');
  });

  it('no-dedup: a duplicated client request applied twice, 10 steps, caught by exactly-once', () => {
    const scenario = shippedScenario('explore-multipaxos-3');
    const limits = { maxDrops: 0, maxDuplicates: 1, maxCrashes: 0, maxTimerFires: 0 };
    const { model, result } = explore(scenario, 'no-dedup', 'bfs', limits, 14);
    expect(result.violation?.violation.checker).toBe('exactly-once');
    expect(result.violation?.actions.length).toBe(10);
    const pinned: Scenario = { ...scenario, bug: 'no-dedup', schedule: scheduleOf(model, result.violation!.actions), explore: undefined, expect: { safety: 'hold' } };
    expect(runScenario(pinned).violations[0]?.checker).toBe('exactly-once');
  }, 120_000);
});

describe('paxsim explore: CLI', () => {
  it('writes a counterexample that `paxsim run FILE` replays (exit 1, same checker)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'paxsim-explore-'));
    const found = await runCli(['explore', 'explore-paxos-3', '--bug', 'count-duplicates', '--out', out]);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('VIOLATION of integrity after 4 steps');
    expect(found.stdout).toMatch(/ {2}1\. request to A\n +2\. deliver #\d+ A→[BC] prepare/);
    const file = join(out, 'explore-paxos-3-count-duplicates-counterexample.yaml');
    expect(readFileSync(file, 'utf8')).toContain('schedule:');
    const loaded = loadScenarioFile(file);
    expect(loaded.ok).toBe(true);
    const replay = await runCli(['run', file, '--json']);
    expect(replay.code).toBe(1);
    const verdict = JSON.parse(replay.stdout) as { violations: { checker: string }[] };
    expect(verdict.violations.map((violation) => violation.checker)).toEqual(['integrity']);
    expect(readFileSync(join(out, 'explore-paxos-3-count-duplicates-counterexample.jsonl'), 'utf8').split('\n')[0]).toContain('"type":"meta"');
  });

  it('reports bounds honestly in --json and meets the shipped expect (exit 0)', async () => {
    const outcome = await runCli(['explore', 'explore-paxos-3', '--json']);
    expect(outcome.code).toBe(0);
    const report = JSON.parse(outcome.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ exhausted: false, cutBy: ['depth'], violation: null, expectMet: true });
    expect(report['distinctStates']).toBeGreaterThan(1000);
    expect(report['transitions']).toBeGreaterThan(report['distinctStates'] as number);
  });

  it('--symmetry says which nodes it permutes, or that none are interchangeable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paxsim-explore-'));
    const file = join(dir, 'small.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, SMALL);
    const symmetric = await runCli(['explore', file, '--symmetry']);
    expect(symmetric.code).toBe(0);
    expect(symmetric.stdout).toContain('symmetry  {B, C} interchangeable (2 permutations)');
    const shipped = await runCli(['explore', 'explore-paxos-3', '--symmetry', '--depth', '2']);
    expect(shipped.stdout).toContain('no interchangeable nodes');
  });

  it('says "exhausted" only when it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paxsim-explore-'));
    const file = join(dir, 'small.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, SMALL);
    const outcome = await runCli(['explore', file, '--strategy', 'dfs']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/result {4}exhausted: [\d,]+ distinct states, no violation/);
    const cut = await runCli(['explore', file, '--depth', '2']);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain('no violation within depth 2');
    expect(cut.stdout).toContain('✗ exhausted: true');
  });
});
