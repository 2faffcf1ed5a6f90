import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAXOS_BUGS, type PaxosBug } from '../src/protocols/paxos/config.js';
import type { SeedResult } from '../src/run/fuzz-seed.js';
import { runFuzzSeed } from '../src/run/fuzz-seed.js';
import { fuzz, type FuzzPlan } from '../src/run/fuzz.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import { faultUnits } from '../src/run/shrink.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { materializeScenario } from '../src/sim/nemesis.js';
import { runCli } from './helpers/cli.js';
import { shippedScenario } from './helpers/scenario.js';

const fuzzDefault = shippedScenario('fuzz-default');

function plan(overrides: Partial<FuzzPlan>): FuzzPlan {
  return {
    scenarios: [fuzzDefault],
    fromSeed: 1,
    seedCount: 120,
    shard: { index: 0, count: 1 },
    workers: 0,
    keepGoing: true,
    determinismEvery: 20,
    chunkSize: 7,
    ...overrides,
  };
}

async function perSeedResults(fuzzPlan: FuzzPlan): Promise<SeedResult[]> {
  const results: SeedResult[] = [];
  await fuzz(fuzzPlan, { onSeed: (result) => results.push(result) });
  return results.sort((a, b) => a.seed - b.seed);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'paxsim-fuzz-'));
}

describe('fuzz: results do not depend on workers or shards', () => {
  it('gives identical per-seed results with 0, 1 and 2 workers and across 3 shards', async () => {
    const base = plan({ bug: 'small-quorum' });
    const inProcess = await perSeedResults(base);
    const oneWorker = await perSeedResults({ ...base, workers: 1 });
    const twoWorkers = await perSeedResults({ ...base, workers: 2 });
    const shards = (await Promise.all([0, 1, 2].map((index) => perSeedResults({ ...base, workers: 1, shard: { index, count: 3 } })))).flat().sort((a, b) => a.seed - b.seed);

    expect(inProcess.map((result) => result.seed)).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
    const failing = inProcess.filter((result) => !result.passed);
    expect(failing.length).toBeGreaterThan(5);
    expect(failing.length).toBeLessThan(120);
    expect(oneWorker).toEqual(inProcess);
    expect(twoWorkers).toEqual(inProcess);
    expect(shards).toEqual(inProcess);
  });

  it('stops each scenario at its first failing seed, the same one for any worker count', async () => {
    const base = plan({ bug: 'forget-promise', keepGoing: false, seedCount: 2000, chunkSize: 25 });
    const reports = await Promise.all([0, 1, 2].map((workers) => fuzz({ ...base, workers })));
    const summaries = reports.map((report) => ({
      seedsRun: report.seedsRun,
      failing: report.scenarios[0]!.failures.map((failure) => failure.seed),
      events: report.events,
    }));
    expect(summaries[0]!.failing).toHaveLength(1);
    expect(summaries[0]!.seedsRun).toBe(summaries[0]!.failing[0]);
    expect(summaries[1]).toEqual(summaries[0]);
    expect(summaries[2]).toEqual(summaries[0]);
  });

  it('runs every 20th seed twice and finds its trace identical', async () => {
    const report = await fuzz(plan({ seedCount: 60 }));
    expect(report.scenarios[0]!.determinismChecks).toBe(3);
    expect(report.scenarios[0]!.nondeterministicSeeds).toEqual([]);
  });
});

describe('fuzz: the nemesis and workload', () => {
  it('holds for 300 seeds of the correct protocol, reaching every coverage situation', async () => {
    const report = await fuzz(plan({ seedCount: 300 }));
    const scenario = report.scenarios[0]!;
    expect(scenario.failureCount).toBe(0);
    expect(scenario.seedsRun).toBe(300);
    for (const count of scenario.coverageCounts) expect(count).toBeGreaterThan(0);
  });

  it('draws requests throughout the window, at restarted proposers, with values that collide and differ', () => {
    const windowMs = fuzzDefault.nemesis!.windowMs;
    const schedules = Array.from({ length: 100 }, (_, index) => materializeScenario(fuzzDefault, index + 1));
    const share = (test: (scenario: Scenario) => boolean) => schedules.filter(test).length;
    // Before, every request but the last came within the first quarter of the window and a few round trips.
    expect(share((scenario) => scenario.proposals.some((proposal) => proposal.at > windowMs / 2 && proposal.at < windowMs))).toBeGreaterThan(50);
    const requestSoonAfterRestart = (scenario: Scenario) =>
      scenario.faults.some((fault) => fault.kind === 'restart' && scenario.proposals.some((proposal) => proposal.node === fault.node && proposal.at > fault.at && proposal.at <= fault.at + 40));
    expect(share(requestSoonAfterRestart)).toBeGreaterThan(10);
    const valuesOf = (scenario: Scenario, node: string) => new Set(scenario.proposals.filter((proposal) => proposal.node === node).map((proposal) => proposal.value));
    expect(share((scenario) => scenario.nodes.some((node) => valuesOf(scenario, node).size >= 2))).toBeGreaterThan(50);
    const sameValueAtTwoNodes = (scenario: Scenario) => scenario.proposals.some((a) => scenario.proposals.some((b) => a.node !== b.node && a.value === b.value));
    expect(share(sameValueAtTwoNodes)).toBeGreaterThan(50);
    // Swarm: how busy the clients are varies from seed to seed.
    expect(new Set(schedules.map((scenario) => scenario.proposals.length)).size).toBeGreaterThan(4);
    for (const scenario of schedules) expect(scenario.proposals.at(-1)!.at).toBe(windowMs + 1);
  });

  it('materializes a different schedule per seed, with competing proposers in most seeds', () => {
    const duels = Array.from({ length: 100 }, (_, index) => runFuzzSeed(fuzzDefault, index + 1)).filter((result) => result.coverage & 0b1000).length;
    expect(duels).toBeGreaterThan(50);
  });
});

describe('fuzz: every catalogued bug is found within its budget', () => {
  for (const bug of Object.keys(PAXOS_BUGS) as PaxosBug[]) {
    it(`finds ${bug} within 2000 seeds of the default fuzz scenario`, () => {
      let found: SeedResult | undefined;
      for (let seed = 1; seed <= 2000 && found === undefined; seed++) {
        const result = runFuzzSeed(fuzzDefault, seed, { bug });
        if (result.failedCheckers.length > 0) found = result;
      }
      expect(found, `${bug} not found in 2000 seeds`).toBeDefined();
      expect(found!.failedCheckers[0]).not.toBe('liveness');
    });
  }
});

describe('paxsim fuzz (CLI)', () => {
  it('writes a failure that replays, and a shrunk form with at most 3 faults that replays the same violation', async () => {
    const out = tempDir();
    const junit = join(out, 'junit.xml');
    const fuzzed = await runCli(['fuzz', '--bug', 'forget-promise', '--seeds', '2000', '--out', out, '--junit', junit, '--workers', '0', '--no-progress']);
    expect(fuzzed.code).toBe(1);
    const files = readdirSync(out);
    const failureFile = files.find((file) => /^fuzz-default-forget-promise-seed-\d+\.yaml$/.test(file));
    const shrunkFile = files.find((file) => /^fuzz-default-forget-promise-seed-\d+\.min\.yaml$/.test(file));
    expect(failureFile).toBeDefined();
    expect(shrunkFile).toBeDefined();
    expect(files).toContain(failureFile!.replace(/\.yaml$/, '.trace.jsonl'));
    const html = readFileSync(join(out, failureFile!.replace(/\.yaml$/, '.html')), 'utf8');
    expect(html).toContain('id="violation"');
    expect(fuzzed.stdout).toContain(`replay      paxsim run ${join(out, shrunkFile!)}`);

    const replayed = JSON.parse((await runCli(['run', join(out, failureFile!), '--json'])).stdout);
    const shrunk = JSON.parse((await runCli(['run', join(out, shrunkFile!), '--json'])).stdout);
    const reportedChecker = /failure\s+fuzz-default seed \d+: ([a-z-]+):/.exec(fuzzed.stdout)![1];
    expect(replayed.violations[0].checker).toBe(reportedChecker);
    expect(shrunk.violations[0].checker).toBe(reportedChecker);
    expect(replayed.bug).toBe('forget-promise');

    // At most 3 faults, counting a crash with its restart as one: forget-promise may need a majority of acceptors to forget.
    const minimal = loadScenarioFile(join(out, shrunkFile!));
    expect(minimal.ok).toBe(true);
    if (minimal.ok) expect(faultUnits(minimal.scenario.faults).length).toBeLessThanOrEqual(3);

    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testcase classname="paxsim.fuzz" name="fuzz-default"');
    expect(xml).toContain('<failure message=');
    expect(xml).toContain(`replay: paxsim run ${join(out, shrunkFile!)}`);
  });

  it('holds on lossy-network and writes a passing JUnit report', async () => {
    const out = tempDir();
    const junit = join(out, 'junit.xml');
    const result = await runCli(['fuzz', 'scenarios/lossy-network.yaml', '--seeds', '200', '--out', out, '--junit', junit, '--workers', '1', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.seeds).toBe(200);
    expect(summary.failures).toBe(0);
    expect(summary.scenarios[0].scenario).toBe('lossy-network');
    expect(readFileSync(junit, 'utf8')).not.toContain('<failure');
    expect(existsSync(join(out, 'lossy-network-seed-1.yaml'))).toBe(false);
  });

  it('turns on the default nemesis for a scenario without one with --nemesis', async () => {
    const fixed = JSON.parse((await runCli(['fuzz', 'scenarios/seed-example.yaml', '--seeds', '30', '--workers', '0', '--json', '--out', tempDir()])).stdout);
    const withNemesis = await runCli(['fuzz', 'scenarios/seed-example.yaml', '--nemesis', '--seeds', '30', '--workers', '0', '--json', '--out', tempDir()]);
    expect(withNemesis.code).toBe(0);
    const summary = JSON.parse(withNemesis.stdout);
    // The fault events of the generated schedules are in the trace; the fixed scenario has none.
    expect(summary.events).toBeGreaterThan(fixed.events + 30 * 5);
  });

  it('stops a --time run by the clock and still prints the summary', async () => {
    const result = await runCli(['fuzz', '--time', '300ms', '--workers', '1', '--out', tempDir(), '--no-progress']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/fuzz-default: \d+ seeds, all held/);
  });

  for (const [flags, field] of [
    [['--seeds', '0'], '--seeds'],
    [['--shard', '3/2'], '--shard'],
    [['--time', 'soon'], '--time'],
    [['--seeds', '5', '--time', '1s'], '--seeds and --time'],
    [['--bug', 'off-by-one'], '--bug'],
    [['--faults', 'crash,meteor'], '--faults'],
    [['scenarios/missing.yaml'], 'scenarios/missing.yaml'],
  ] as const) {
    it(`rejects bad input ${flags.join(' ')} with one line and exit 2`, async () => {
      const result = await runCli(['fuzz', ...flags, '--workers', '0', '--out', tempDir()]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(field);
      expect(result.stdout).toBe('');
    });
  }
});
