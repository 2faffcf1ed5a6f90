import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MULTIPAXOS_BUGS } from '../src/protocols/multipaxos/config.js';
import { runFuzzSeed } from '../src/run/fuzz-seed.js';
import { runScenario } from '../src/run/runner.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { scenarioToYaml } from '../src/scenario/serialize.js';
import { runCli } from './helpers/cli.js';
import { shippedScenario } from './helpers/scenario.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'paxsim-multipaxos-'));
}

describe('Multi-Paxos through paxsim run', () => {
  it('runs the steady-state scenario: one leader, every operation completes, the same log everywhere', async () => {
    const result = await runCli(['run', 'scenarios/multipaxos-kv.yaml', '--json']);
    expect(result.code).toBe(0);
    const verdict = JSON.parse(result.stdout);
    expect(verdict.violations).toEqual([]);
    expect(verdict.summary.clients).toMatch(/^60 operations: 60 completed, 0 gave up/);
    expect(verdict.summary.log).toMatch(/^60 slots chosen; applied: A 60 · B 60 · C 60 · D 60 · E 60$/);
  });

  it('elects a new leader with a higher ballot after the leader crashes', () => {
    const result = runScenario(shippedScenario('leader-crash'), { record: true });
    const leaders = result.events!.filter((event) => event.type === 'leader');
    expect(leaders[0]).toMatchObject({ node: 'A' });
    const after = leaders.filter((event) => event.t > 150);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!.node).not.toBe('A');
    expect(result.expectation.met).toBe(true);
  });

  it('shows two replicas that both believe they lead while the old leader is cut off', async () => {
    const { stdout } = await runCli(['replay', 'scenarios/leader-partitioned.yaml', '--state-at', '1000', '--type', 'leader']);
    const table = stdout.split('── state at t=1000')[1]!.split('── verdict')[0]!;
    expect(table).toMatch(/\nA\s+up\s+leader \(1,A\)/);
    expect(table).toMatch(/\n[CDE]\s+up\s+leader \(2,[CDE]\)/);
    expect(table).toContain('links: partition {A B} | {C D E}');
  });

  it('writes a failure file that replays with paxsim run alone', () => {
    const scenario = shippedScenario('multipaxos-nemesis');
    const materialized = runScenario(scenario, { seed: 7, record: true }).scenario;
    const text = scenarioToYaml(materialized);
    const loaded = parseScenarioText(text, 'roundtrip.yaml');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.scenario).toEqual({ ...materialized, nemesis: undefined });
    expect(runScenario(loaded.scenario, { seed: 7 }).traceHash).toBe(runScenario(scenario, { seed: 7 }).traceHash);
  });
});

describe('Multi-Paxos bugs are found by fuzzing within 2000 seeds', () => {
  for (const bug of Object.keys(MULTIPAXOS_BUGS)) {
    it(`finds ${bug}`, () => {
      const scenario = shippedScenario('multipaxos-nemesis');
      let found: string | undefined;
      for (let seed = 1; seed <= 2000 && found === undefined; seed++) found = runFuzzSeed(scenario, seed, { bug }).failedCheckers[0];
      expect(found, `${bug} not found`).toBeDefined();
      expect(found).not.toBe('client-liveness');
    });
  }

  it('replays a stale read from its failure file and names the operation', async () => {
    const out = tempDir();
    const fuzzed = await runCli(['fuzz', 'scenarios/multipaxos-nemesis.yaml', '--bug', 'stale-read', '--seeds', '2000', '--workers', '2', '--out', out, '--no-shrink', '--no-progress']);
    expect(fuzzed.code).toBe(1);
    const file = readdirSync(out).find((name) => /^multipaxos-nemesis-stale-read-seed-\d+\.yaml$/.test(name))!;
    const replayed = JSON.parse((await runCli(['run', join(out, file), '--json'])).stdout);
    expect(replayed.bug).toBe('stale-read');
    expect(replayed.violations[0].checker).toBe('linearizability');
    expect(replayed.violations[0].message).toMatch(/^key "\w+": get \w+ by c\d/);
  });

  it('the correct protocol holds for 200 nemesis seeds', async () => {
    const result = await runCli(['fuzz', 'scenarios/multipaxos-nemesis.yaml', '--seeds', '200', '--workers', '2', '--json', '--out', tempDir()]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.failures).toBe(0);
    expect(summary.scenarios[0].coverage.leaderChanged).toBeGreaterThan(0.3);
  });
});

describe('Multi-Paxos scenario validation', () => {
  const cases: [string, string, RegExp][] = [
    ['clients on single-decree Paxos', 'name: x\nnodes: [A, B, C]\nclients: { count: 2, ops: 3 }\n', /clients: clients need `protocol: multipaxos`/],
    ['proposals on Multi-Paxos', 'name: x\nprotocol: multipaxos\nnodes: [A, B, C]\nclients: { count: 2, ops: 3 }\nproposals: [ { at: 0, node: A, value: X } ]\n', /proposals: does not apply to `protocol: multipaxos`/],
    ['missing clients', 'name: x\nprotocol: multipaxos\nnodes: [A, B, C]\n', /clients: is required with `protocol: multipaxos`/],
    ['a client named like a node', 'name: x\nprotocol: multipaxos\nnodes: [A, B, c1]\nclients: { count: 2, ops: 3 }\n', /client "c1" has the name of a node/],
    ['an operation with two kinds', 'name: x\nprotocol: multipaxos\nnodes: [A, B, C]\nclients: [ { id: k, ops: [ { get: x, put: { key: x, value: 1 } } ] } ]\n', /clients\[0\]\.ops\[0\]: names put and get/],
  ];
  for (const [what, yaml, message] of cases) {
    it(`rejects ${what} with one line and exit 2`, async () => {
      const file = join(tempDir(), 'bad.yaml');
      writeFileSync(file, yaml);
      const result = await runCli(['run', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('rejects a single-decree bug on a Multi-Paxos scenario', async () => {
    const result = await runCli(['run', 'scenarios/multipaxos-kv.yaml', '--bug', 'forget-promise']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^--bug: unknown multipaxos bug "forget-promise"; known: leader-skips-recovery/);
  });
});
