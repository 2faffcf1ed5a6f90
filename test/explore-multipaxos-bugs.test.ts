import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheapPaxosChecks } from '../src/check/cheap-paxos-checks.js';
import type { TraceChecks } from '../src/check/checker.js';
import { InvariantChecks } from '../src/check/invariants.js';
import { MultiPaxosChecks } from '../src/check/multipaxos-checks.js';
import { RaftChecks } from '../src/check/raft-checks.js';
import { runScenario } from '../src/run/runner.js';
import { shrinkScenario } from '../src/run/shrink.js';
import { loadScenarioFile, validateScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { scenarioToFileObject } from '../src/scenario/serialize.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { runCli } from './helpers/cli.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

/**
 * Issue 13, "The Multi-Paxos bugs are found on explore-multipaxos-3": a
 * client's `startAt` (the replica it contacts first), linearizability judged
 * after every explore step, and the two bugs that needed both.
 */

function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'paxsim-exmp-'));
}

function scenarioFile(text: string): string {
  const file = join(scratchDir(), 'clients.yaml');
  writeFileSync(file, text);
  return file;
}

/** Bad input: exit 2, one line on stderr naming the file and the field, no stack trace. */
async function expectBadInput(file: string, ...fragments: string[]): Promise<void> {
  const outcome = await runCli(['run', file]);
  expect(outcome.code).toBe(2);
  const lines = outcome.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(file);
  for (const fragment of fragments) expect(lines[0]).toContain(fragment);
  expect(outcome.stderr).not.toMatch(/\n\s+at /);
}

const MULTIPAXOS = (clients: string, protocol = 'multipaxos', extra = '') => `
name: start-at
protocol: ${protocol}
nodes: [A, B, C]
${extra}clients:
${clients}
network: { delay: { min: 1, max: 10 } }
until: 2000
expect: { safety: hold }
`;

/** Where each client's first request went: the receiver of its first delivered message. */
function firstRequestTargets(scenario: Scenario): Record<string, string> {
  const events = runScenario(scenario, { record: true }).events as AnyTraceEvent[];
  const targets: Record<string, string> = {};
  for (const event of events) {
    if (event.type !== 'deliver') continue;
    const { from, to } = event as unknown as { from: string; to: string };
    if (from.startsWith('c') && targets[from] === undefined) targets[from] = to;
  }
  return targets;
}

describe('clients: startAt, the replica a client contacts first', () => {
  const clients = `  - { id: c1, startAt: C, ops: [{ put: { key: x, value: "1" } }] }
  - { id: c2, ops: [{ get: x }] }`;

  for (const protocol of ['multipaxos', 'raft'] as const) {
    it(`${protocol}: the first request goes to startAt; without it, to the first replica`, () => {
      const scenario = scenarioFromYaml(MULTIPAXOS(clients, protocol));
      expect(scenario.clients[0]!.startAt).toBe('C');
      expect(firstRequestTargets(scenario)).toEqual({ c1: 'C', c2: 'A' });
    });
  }

  it('cheap-paxos: a client may start at any main', () => {
    const roles = 'roles: { main: [A, B], auxiliary: [C] }\n';
    const scenario = scenarioFromYaml(MULTIPAXOS(`  - { id: c1, startAt: B, ops: [{ put: { key: x, value: "1" } }] }`, 'cheap-paxos', roles));
    expect(firstRequestTargets(scenario)).toEqual({ c1: 'B' });
  });

  it('round-trips through the file form (what fuzz, shrink and explore write), and is absent when not given', () => {
    const scenario = scenarioFromYaml(MULTIPAXOS(clients));
    const file = scenarioToFileObject(scenario);
    expect(file['clients']).toEqual([
      { id: 'c1', startAt: 'C', ops: [{ put: { key: 'x', value: '1' } }] },
      { id: 'c2', ops: [{ get: 'x' }] },
    ]);
    const loaded = validateScenario(file, { file: 'round-trip', lineOf: () => undefined });
    expect(loaded.ok && loaded.scenario.clients).toEqual(scenario.clients);
  });

  it('survives shrinking: the shrunk scenario still names it and still fails', () => {
    // A stale read found by fuzz (seed 5 of a nemesis), with two extra faults for the shrinker to remove.
    const failing = scenarioFromYaml(`
name: shrink-start-at
protocol: multipaxos
nodes: [A, B, C]
clients:
  - { id: c1, startAt: C, ops: [{ put: { key: x, value: "1" } }, { put: { key: x, value: "2" } }] }
  - { id: c2, startAt: B, ops: [{ get: x }, { get: x }, { get: x }] }
seed: 5
network: { delay: { min: 1, max: 1 } }
faults:
  - { at: 32, burst: { for: 30, drop: 0.9 } }
  - { at: 100, crash: C }
  - { at: 150, restart: C }
  - { at: 406, partition: [[B, C], [A]] }
until: 900
multipaxos: { thinkMs: 333 }
bug: stale-read
expect: { safety: hold }
`);
    const shrunk = shrinkScenario(failing, 5, { maxAttempts: 60 });
    expect(shrunk.checker).toBe('linearizability');
    expect(shrunk.after.faults).toBeLessThan(shrunk.before.faults);
    const startAt: Record<string, string> = { c1: 'C', c2: 'B' };
    expect(shrunk.scenario.clients.length).toBeGreaterThan(0);
    for (const client of shrunk.scenario.clients) expect([client.id, client.startAt]).toEqual([client.id, startAt[client.id]]);
    expect(runScenario(shrunk.scenario).violations[0]?.checker).toBe('linearizability');
  });

  it('bad input: a replica that does not exist', async () => {
    const file = scenarioFile(MULTIPAXOS(`  - { id: c1, startAt: Z, ops: [{ get: x }] }`));
    await expectBadInput(file, 'clients[0].startAt', '"Z" is not one of the nodes (A, B, C)');
  });

  it('bad input: another client, not a replica', async () => {
    const file = scenarioFile(MULTIPAXOS(`  - { id: c1, ops: [{ get: x }] }\n  - { id: c2, startAt: c1, ops: [{ get: x }] }`));
    await expectBadInput(file, 'clients[1].startAt', '"c1" is not one of the nodes');
  });

  it('bad input: not a node id', async () => {
    const file = scenarioFile(MULTIPAXOS(`  - { id: c1, startAt: [A], ops: [{ get: x }] }`));
    await expectBadInput(file, 'clients[0].startAt', 'node id');
  });

  it('bad input: a Cheap Paxos auxiliary (clients know the mains only)', async () => {
    const file = scenarioFile(MULTIPAXOS(`  - { id: c1, startAt: C, ops: [{ get: x }] }`, 'cheap-paxos', 'roles: { main: [A, B], auxiliary: [C] }\n'));
    await expectBadInput(file, 'clients[0].startAt', 'auxiliary', 'mains only (A, B)');
  });

  it('bad input: on drawn clients ({count, ops}), which have no ids to start anywhere', async () => {
    const file = scenarioFile(MULTIPAXOS('  { count: 2, ops: 1, startAt: B }').replace('clients:\n  {', 'clients: {'));
    await expectBadInput(file, 'clients.startAt', 'unknown key "startAt"');
  });
});

describe('linearizability on a prefix (judgeSoFar): what explore asks after every step', () => {
  const put = { kind: 'put', key: 'x', value: '1' };
  const get = { kind: 'get', key: 'x' };
  const history = (getResult: string | null | undefined): AnyTraceEvent[] => {
    const events = [
      { t: 1, type: 'invoke', node: 'c1', client: 'c1', requestId: 1, op: put },
      { t: 2, type: 'complete', node: 'c1', client: 'c1', requestId: 1, op: put, result: 'ok' },
      { t: 3, type: 'invoke', node: 'c2', client: 'c2', requestId: 1, op: get },
    ];
    if (getResult !== undefined) events.push({ t: 4, type: 'complete', node: 'c2', client: 'c2', requestId: 1, op: get, result: getResult } as never);
    return events as unknown as AnyTraceEvent[];
  };
  const multiPaxos = () => new MultiPaxosChecks({ replicas: ['A', 'B', 'C'], clients: ['c1', 'c2'], quorumSize: 2 }, undefined);
  const judged = (events: AnyTraceEvent[], checks: TraceChecks = multiPaxos()) => {
    events.forEach((event, index) => expect(checks.observe(event, index).violations).toEqual([]));
    return { checks, soFar: checks.judgeSoFar!(events.at(-1)!.t, events.length - 1) };
  };

  it('a completed stale read is a violation at once, and finish does not report it twice', () => {
    const { checks, soFar } = judged(history(null));
    expect(soFar.map((violation) => [violation.checker, violation.event])).toEqual([['linearizability', 3]]);
    expect(checks.finish(10, 3)).toEqual([]);
    expect(checks.violations.map((violation) => violation.checker)).toEqual(['linearizability']);
  });

  it('Raft, Cheap Paxos and checks with invariants pass it on (their clients are the same)', () => {
    const families: [string, TraceChecks][] = [
      ['raft', new RaftChecks({ servers: ['A', 'B', 'C'], clients: ['c1', 'c2'] }, undefined)],
      ['cheap-paxos', new CheapPaxosChecks({ mains: ['A', 'B'], auxiliaries: ['C'], clients: ['c1', 'c2'], alpha: 3, auxiliaryExpectation: undefined }, undefined)],
      ['invariants', new InvariantChecks(multiPaxos(), [], { nodes: ['A', 'B', 'C'] })],
    ];
    for (const [family, checks] of families) {
      expect([family, judged(history(null), checks).soFar.map((violation) => violation.checker)]).toEqual([family, ['linearizability']]);
    }
  });

  it('an open read, or a fresh one, is not (an open operation may still take effect)', () => {
    expect(judged(history(undefined)).soFar).toEqual([]);
    expect(judged(history('1')).soFar).toEqual([]);
  });
});

interface ExploreReport {
  readonly violation: { checker: string; message: string; steps: number; file: string; schedule: Record<string, unknown>[] } | null;
  readonly distinctStates: number;
}

/** `paxsim explore explore-multipaxos-3 --bug BUG --depth N`, then `paxsim run` of the counterexample it wrote. */
async function exploreAndReplay(bug: string, depth: number) {
  const out = scratchDir();
  const found = await runCli(['explore', 'explore-multipaxos-3', '--bug', bug, '--depth', String(depth), '--out', out, '--json']);
  expect(found.code).toBe(1);
  const report = JSON.parse(found.stdout) as ExploreReport;
  const violation = report.violation!;
  expect(violation.file).toBe(join(out, `explore-multipaxos-3-${bug}-counterexample.yaml`));
  const replay = await runCli(['run', violation.file, '--json']);
  expect(replay.code).toBe(1);
  const verdict = JSON.parse(replay.stdout) as { violations: { checker: string }[] };
  // The correct protocol on the very same steps: no violation (or the steps cannot be taken).
  const pinned = loadScenarioFile(violation.file);
  expect(pinned.ok).toBe(true);
  let correct: string[];
  try {
    correct = runScenario({ ...(pinned.ok ? pinned.scenario : shippedScenario('explore-multipaxos-3')), bug: undefined }).violations.map((v) => v.checker);
  } catch {
    correct = [];
  }
  return { report, violation, replayed: verdict.violations.map((v) => v.checker), correct, yaml: readFileSync(violation.file, 'utf8') };
}

describe('explore-multipaxos-3: the planted Multi-Paxos bugs not found before', () => {
  it('the shipped configuration: a put by c1 starting at B, a get by c2 starting at A, one timer firing', () => {
    const scenario = shippedScenario('explore-multipaxos-3');
    expect(scenario.clients.map((client) => [client.id, client.startAt, client.ops?.map((op) => op.kind)])).toEqual([
      ['c1', 'B', ['put']],
      ['c2', undefined, ['get']],
    ]);
    expect(scenario.explore?.maxTimerFires).toBe(1);
  });

  it('stale-read: 13 steps, linearizability; replayed by paxsim run (exit 1, same checker)', async () => {
    const { violation, replayed, correct, yaml } = await exploreAndReplay('stale-read', 13);
    expect([violation.checker, violation.steps]).toEqual(['linearizability', 13]);
    // The story: B takes over (its election timer), commits c1's put and answers it; then A, deposed without knowing, answers c2's get from its own store.
    expect(violation.schedule.filter((step) => step['kind'] === 'fire')).toEqual([{ kind: 'fire', node: 'B', timer: 'election' }]);
    expect(violation.schedule.filter((step) => step['kind'] === 'request')).toEqual([{ kind: 'request', node: 'c1' }, { kind: 'request', node: 'c2' }]);
    expect(violation.message).toMatch(/get x by c2 .* returned null .* put x="1" by c1 .* returned before it was invoked/);
    expect(yaml).toContain('startAt: B');
    expect(replayed).toEqual(['linearizability']);
    expect(correct).toEqual([]);
  }, 120_000);

  it('leader-skips-recovery: 11 steps, slot-agreement; replayed by paxsim run (exit 1, same checker)', async () => {
    const { violation, replayed, correct } = await exploreAndReplay('leader-skips-recovery', 11);
    expect([violation.checker, violation.steps]).toEqual(['slot-agreement', 11]);
    expect(violation.schedule.filter((step) => step['kind'] === 'fire')).toEqual([{ kind: 'fire', node: 'B', timer: 'election' }]);
    expect(replayed).toEqual(['slot-agreement']);
    expect(correct).toEqual([]);
  }, 120_000);
});
