import { describe, expect, it } from 'vitest';
import type { ExploreSpec, Scenario } from '../src/scenario/scenario.js';
import { parallelSearch } from '../src/explore/parallel-search.js';
import { scheduleOf } from '../src/explore/schedule-replay.js';
import { search, type SearchOptions, type SearchResult } from '../src/explore/search.js';
import { exploreModelFor, NO_FAULTS } from '../src/explore/setup.js';
import { runCli } from './helpers/cli.js';
import { SMALL_EXPLORE, SYMMETRIC_EXPLORE } from './helpers/explore-fixtures.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

/**
 * `paxsim explore --workers K` (level-synchronous BFS on worker threads,
 * which run the built `dist/`): the same states, counts, verdict and
 * counterexample as the single-threaded search, for any K.
 */

interface Job {
  readonly scenario: Scenario;
  readonly bug?: string | undefined;
  readonly limits?: ExploreSpec | undefined;
  readonly symmetry?: boolean | undefined;
  readonly maxDepth?: number | undefined;
  readonly maxStates?: number | undefined;
}

/** What a search reports, with the counterexample as the schedule `paxsim run` replays; elapsed time left out. */
async function outcome(job: Job, workers: number): Promise<Omit<SearchResult, 'elapsedMs' | 'violation'> & { violation: unknown }> {
  const limits = job.limits ?? job.scenario.explore ?? NO_FAULTS;
  const symmetry = job.symmetry === true;
  const { model, newChecks } = exploreModelFor(job.scenario, job.bug, limits, { symmetry });
  const options: SearchOptions = { strategy: 'bfs', newChecks, maxDepth: job.maxDepth ?? job.scenario.explore?.depth, maxStates: job.maxStates };
  const result = workers === 1 ? search(model, options) : await parallelSearch(model, { scenario: job.scenario, bug: job.bug, limits, symmetry }, options, workers);
  const { elapsedMs: _elapsed, violation, ...counts } = result;
  return { ...counts, violation: violation === null ? null : { ...violation.violation, schedule: scheduleOf(model, violation.actions) } };
}

async function expectSameForWorkers(job: Job, workerCounts: readonly number[]): Promise<Awaited<ReturnType<typeof outcome>>> {
  const single = await outcome(job, 1);
  for (const workers of workerCounts) expect(await outcome(job, workers), `${workers} workers`).toEqual(single);
  return single;
}

const NONE = { maxDrops: 0, maxDuplicates: 0, maxCrashes: 0, maxTimerFires: 0 };

describe('paxsim explore --workers: the same search as one worker', () => {
  it('explore-paxos-3 within its CI bounds with 2 workers, and to depth 5 with 3', async () => {
    const single = await expectSameForWorkers({ scenario: shippedScenario('explore-paxos-3') }, [2]);
    expect(single).toMatchObject({ distinctStates: 13_436, transitions: 32_972, depth: 6, cutBy: ['depth'], violation: null });
    await expectSameForWorkers({ scenario: shippedScenario('explore-paxos-3'), maxDepth: 5 }, [3]);
  });

  it('explore-multipaxos-3 within its CI bounds', async () => {
    const single = await expectSameForWorkers({ scenario: shippedScenario('explore-multipaxos-3') }, [2]);
    expect(single).toMatchObject({ distinctStates: 22_841, transitions: 60_907, violation: null });
  });

  it('a configuration it exhausts (terminal states at several depths), and one with --symmetry', async () => {
    const exhausted = await expectSameForWorkers({ scenario: scenarioFromYaml(SMALL_EXPLORE), limits: { ...NONE, maxCrashes: 1 } }, [2]);
    expect(exhausted.exhausted).toBe(true);
    expect(exhausted.terminalStates).toBeGreaterThan(0);
    const symmetric = await expectSameForWorkers({ scenario: scenarioFromYaml(SYMMETRIC_EXPLORE), limits: NONE, maxDepth: 6, symmetry: true }, [2]);
    expect(symmetric.distinctStates).toBe(348);
  });

  it('a violation: the same shortest counterexample (schedule and all) and counts', async () => {
    const scenario = shippedScenario('explore-paxos-3');
    const sameBallot = await expectSameForWorkers({ scenario, bug: 'same-ballot' }, [2]);
    expect(sameBallot.violation).toMatchObject({ checker: 'ballot-uniqueness' });
    expect((sameBallot.violation as { schedule: unknown[] }).schedule).toHaveLength(6);
    // Found at a level the workers deal out (past the first shared ones).
    const ignoreAccepted = await expectSameForWorkers({ scenario, bug: 'ignore-accepted', limits: NONE, maxDepth: 12 }, [3]);
    expect((ignoreAccepted.violation as { schedule: unknown[] }).schedule).toHaveLength(8);
  });

  it('a state bound reached within a level: the same cut and counts', async () => {
    const single = await expectSameForWorkers({ scenario: shippedScenario('explore-paxos-3'), maxStates: 5_000 }, [2]);
    expect(single.cutBy).toEqual(['states']);
  });
});

describe('paxsim explore --workers on the command line', () => {
  it('prints the same counts as one worker and says how it ran', async () => {
    const one = await runCli(['explore', 'explore-paxos-3', '--depth', '5', '--json']);
    const two = await runCli(['explore', 'explore-paxos-3', '--depth', '5', '--json', '--workers', '2']);
    expect([one.code, two.code]).toEqual([0, 0]);
    const [oneJson, twoJson] = [JSON.parse(one.stdout), JSON.parse(two.stdout)];
    expect(twoJson.workers).toBe(2);
    for (const key of ['distinctStates', 'transitions', 'depth', 'exhausted', 'cutBy', 'violation']) expect(twoJson[key], key).toEqual(oneJson[key]);
    const text = await runCli(['explore', 'explore-paxos-3', '--depth', '3', '--workers', '2']);
    expect(text.stdout).toContain('workers   2 (breadth-first, level by level');
  });
});
