import { performance } from 'node:perf_hooks';
import { combineHashes } from '../src/explore/canonical.js';
import { FingerprintSet } from '../src/explore/fingerprint-set.js';
import { exploreModelFor, NO_FAULTS } from '../src/explore/setup.js';
import { parallelSearch } from '../src/explore/parallel-search.js';
import { search, type SearchResult, type SearchStrategy } from '../src/explore/search.js';
import type { Scenario } from '../src/scenario/scenario.js';

/** One `paxsim explore` search within the scenario's own bounds (what CI runs), timed with CPU time beside wall time. */
export interface ExploreRow {
  readonly scenario: string;
  /** The depth bound used, when not the scenario's own. */
  readonly depthOverride: number | undefined;
  readonly strategy: SearchStrategy;
  /** Worker threads (1: the single-threaded search). */
  readonly workers: number;
  readonly verdict: string;
  readonly distinctStates: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

export const TARGET_EXPLORE_STATES_PER_SECOND = 100_000;

/** The depth at which explore-paxos-3's rate is measured: deep enough (about 190,000 states) that start-up and warm-up do not count. */
export const RATE_DEPTH = 8;

/** Workers of the parallel row (`--workers`): the bench machine's two cores. */
export const EXPLORE_WORKERS = 2;

export function measureExplore(scenario: Scenario, strategy: SearchStrategy, depthOverride?: number): ExploreRow {
  const { model, newChecks } = exploreModelFor(scenario, undefined, scenario.explore ?? NO_FAULTS);
  const started = startClocks();
  const result = search(model, { strategy, newChecks, maxDepth: depthOverride ?? scenario.explore?.depth, maxStates: scenario.explore?.maxStates });
  return exploreRow(scenario, strategy, depthOverride, 1, result, started);
}

/** The same BFS on `workers` worker threads (`--workers`): CPU time counts every thread of the process. */
export async function measureExploreOnWorkers(scenario: Scenario, depthOverride: number | undefined, workers: number): Promise<ExploreRow> {
  const limits = scenario.explore ?? NO_FAULTS;
  const { model, newChecks } = exploreModelFor(scenario, undefined, limits);
  const started = startClocks();
  const options = { strategy: 'bfs' as const, newChecks, maxDepth: depthOverride ?? scenario.explore?.depth, maxStates: scenario.explore?.maxStates };
  const result = await parallelSearch(model, { scenario, bug: undefined, limits, symmetry: false }, options, workers);
  return exploreRow(scenario, 'bfs', depthOverride, workers, result, started);
}

function startClocks(): { wallMs: number; cpu: NodeJS.CpuUsage } {
  return { wallMs: performance.now(), cpu: process.cpuUsage() };
}

function exploreRow(scenario: Scenario, strategy: SearchStrategy, depthOverride: number | undefined, workers: number, result: SearchResult, started: ReturnType<typeof startClocks>): ExploreRow {
  const cpu = process.cpuUsage(started.cpu);
  const verdict = result.violation ? `violation: ${result.violation.violation.checker}` : result.exhausted ? 'exhausted' : `no violation within ${result.cutBy.join(', ')}`;
  return {
    scenario: scenario.name,
    depthOverride,
    strategy,
    workers,
    verdict,
    distinctStates: result.distinctStates,
    transitions: result.transitions,
    depth: result.depth,
    seconds: (performance.now() - started.wallMs) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/**
 * The explorer's bare loop, for context: a breadth-first search that does no
 * protocol work at all, only what every state costs the search itself (a
 * fingerprint folded, a visited-set insert, a frontier push and pop). Its
 * rate is the ceiling distinct states/s can approach in this process.
 */
export function measureExploreBareLoop(states = 2_000_000): { states: number; cpuSeconds: number } {
  const startCpu = process.cpuUsage();
  const visited = new FingerprintSet();
  const frontier: { fingerprint: number; depth: number }[] = [{ fingerprint: 1, depth: 0 }];
  let head = 0;
  while (visited.size < states) {
    const state = frontier[head++]!;
    for (let child = 0; child < 3; child++) {
      const fingerprint = combineHashes(state.fingerprint, child);
      if (visited.add(fingerprint)) frontier.push({ fingerprint, depth: state.depth + 1 });
    }
  }
  const cpu = process.cpuUsage(startCpu);
  return { states: visited.size, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

export function exploreSection(rows: readonly ExploreRow[], bareLoop: { states: number; cpuSeconds: number }): string[] {
  const lines = [
    "## (k) exhaustive exploration (`paxsim explore`, the scenario's own bounds unless a depth is given; one thread unless workers are named)",
    '',
    '| scenario | strategy | verdict | distinct states | transitions | depth | seconds | distinct states/s | states/s of CPU | cores busy |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const qualifiers = [row.depthOverride === undefined ? null : `depth ${row.depthOverride}`, row.workers === 1 ? null : `${row.workers} workers`].filter((part) => part !== null);
    const name = qualifiers.length === 0 ? row.scenario : `${row.scenario} (${qualifiers.join(', ')})`;
    lines.push(
      `| ${name} | ${row.strategy} | ${row.verdict} | ${row.distinctStates.toLocaleString('en-US')} | ${row.transitions.toLocaleString('en-US')} | ${row.depth} | ${row.seconds.toFixed(2)} | ${Math.round(row.distinctStates / row.seconds).toLocaleString('en-US')} | ${Math.round(row.distinctStates / row.cpuSeconds).toLocaleString('en-US')} | ${(row.cpuSeconds / row.seconds).toFixed(2)} |`,
    );
  }
  const bareRate = bareLoop.states / bareLoop.cpuSeconds;
  lines.push('', `Bare search loop in this process (fingerprint, visited-set insert, frontier push and pop; no protocol): ${Math.round(bareRate).toLocaleString('en-US')} states/s of CPU.`);
  const paxos = rows.find((row) => row.scenario === 'explore-paxos-3' && row.strategy === 'bfs' && row.depthOverride === RATE_DEPTH && row.workers === 1);
  const parallel = rows.find((row) => row.scenario === 'explore-paxos-3' && row.depthOverride === RATE_DEPTH && row.workers > 1);
  if (paxos && parallel) {
    lines.push(
      `--workers ${parallel.workers} vs 1 on explore-paxos-3 to depth ${RATE_DEPTH}: ${(paxos.seconds / parallel.seconds).toFixed(2)}× the speed in wall time, ${(parallel.cpuSeconds / paxos.cpuSeconds).toFixed(2)}× the CPU time (a speed-up needs as many idle cores as workers; the machine's load moves it).`,
    );
  }
  if (paxos) {
    const rate = paxos.distinctStates / paxos.cpuSeconds;
    lines.push(
      `Target: ≥ ${TARGET_EXPLORE_STATES_PER_SECOND.toLocaleString('en-US')} distinct states/s on explore-paxos-3 (BFS to depth ${RATE_DEPTH}, CPU time; an absolute figure, so the machine's load moves it): ${Math.round(rate).toLocaleString('en-US')}, ${rate >= TARGET_EXPLORE_STATES_PER_SECOND ? 'PASS' : 'MISS'}`,
    );
  }
  lines.push('');
  return lines;
}
