import { performance } from 'node:perf_hooks';
import { exploreModelFor, NO_FAULTS } from '../src/explore/setup.js';
import { search, type SearchStrategy } from '../src/explore/search.js';
import type { Scenario } from '../src/scenario/scenario.js';

/** One `paxsim explore` search within the scenario's own bounds (what CI runs), timed with CPU time beside wall time. */
export interface ExploreRow {
  readonly scenario: string;
  readonly strategy: SearchStrategy;
  readonly verdict: string;
  readonly distinctStates: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

export const TARGET_EXPLORE_STATES_PER_SECOND = 100_000;

export function measureExplore(scenario: Scenario, strategy: SearchStrategy): ExploreRow {
  const { model, newChecks } = exploreModelFor(scenario, undefined, scenario.explore ?? NO_FAULTS);
  const startMs = performance.now();
  const startCpu = process.cpuUsage();
  const result = search(model, { strategy, newChecks, maxDepth: scenario.explore?.depth, maxStates: scenario.explore?.maxStates });
  const cpu = process.cpuUsage(startCpu);
  const verdict = result.violation ? `violation: ${result.violation.violation.checker}` : result.exhausted ? 'exhausted' : `no violation within ${result.cutBy.join(', ')}`;
  return {
    scenario: scenario.name,
    strategy,
    verdict,
    distinctStates: result.distinctStates,
    transitions: result.transitions,
    depth: result.depth,
    seconds: (performance.now() - startMs) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

export function exploreSection(rows: readonly ExploreRow[]): string[] {
  const lines = [
    '## (k) exhaustive exploration (`paxsim explore`, the scenario\'s own bounds, one core)',
    '',
    '| scenario | strategy | verdict | distinct states | transitions | depth | seconds | distinct states/s | states/s of CPU | cores busy |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${row.strategy} | ${row.verdict} | ${row.distinctStates.toLocaleString('en-US')} | ${row.transitions.toLocaleString('en-US')} | ${row.depth} | ${row.seconds.toFixed(2)} | ${Math.round(row.distinctStates / row.seconds).toLocaleString('en-US')} | ${Math.round(row.distinctStates / row.cpuSeconds).toLocaleString('en-US')} | ${(row.cpuSeconds / row.seconds).toFixed(2)} |`,
    );
  }
  const paxos = rows.find((row) => row.scenario === 'explore-paxos-3' && row.strategy === 'bfs');
  if (paxos) {
    const rate = paxos.distinctStates / paxos.cpuSeconds;
    lines.push('', `Target: ≥ ${TARGET_EXPLORE_STATES_PER_SECOND.toLocaleString('en-US')} distinct states/s on explore-paxos-3 (BFS, CPU time): ${Math.round(rate).toLocaleString('en-US')}, ${rate >= TARGET_EXPLORE_STATES_PER_SECOND ? 'PASS' : 'MISS'}`);
  }
  lines.push('');
  return lines;
}
