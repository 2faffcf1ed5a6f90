import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './helpers/cli.js';

/**
 * Trust in the checker families a user protocol asks for: planted bugs are
 * caught by `run`, `explore` and `check --protocol` alike, and a legal
 * observation never crashes paxsim. The fixture observes what its config's
 * script says (test/fixtures/protocols/scripted.mjs; it imports 'paxsim',
 * this package's build).
 */

const SCRIPTED = join(import.meta.dirname, 'fixtures', 'protocols', 'scripted.mjs');
const SCRIPTED_SINGLE_DECREE = join(import.meta.dirname, 'fixtures', 'protocols', 'scripted-single-decree.mjs');
const dir = mkdtempSync(join(tmpdir(), 'paxsim-trust-families-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Step {
  readonly node: string;
  readonly atMs: number;
  readonly obs: Record<string, unknown>;
}

let files = 0;
function scriptedScenario(script: readonly Step[], more: Record<string, unknown> = {}, protocol = SCRIPTED): string {
  const file = join(dir, `s${(files += 1)}.yaml`);
  writeFileSync(file, JSON.stringify({ name: `scripted-${files}`, protocol, nodes: ['A', 'B', 'C'], until: 100, config: { script }, ...more }));
  return file;
}

interface RunJson {
  violations: { checker: string }[];
  leader: unknown;
  summary: Record<string, string>;
}

describe('leaders family beside a log family: a leader that names a term', () => {
  const script: Step[] = [
    { node: 'A', atMs: 1, obs: { type: 'leader', term: 1 } },
    { node: 'B', atMs: 2, obs: { type: 'leader', term: 1 } },
  ];

  it('run: leader-uniqueness fails (exit 1) and the leader line names the term (it crashed the verdict: exit 3)', async () => {
    const file = scriptedScenario(script);
    const text = await runCli(['run', file, '--quiet']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('leader    last elected: B in term 1 at t=2');
    expect(text.stdout).toMatch(/✗ leader-uniqueness +B became leader of term 1, which A already leads/);
    const json = await runCli(['run', file, '--json']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as RunJson;
    expect(parsed.violations.map((violation) => violation.checker)).toEqual(['leader-uniqueness']);
    expect(parsed.leader).toEqual({ node: 'B', term: 1, t: 2 });
  });

  it('check --protocol of that run\'s trace: the same verdict', async () => {
    const file = scriptedScenario(script);
    const trace = join(dir, 'term-leaders.jsonl');
    expect((await runCli(['run', file, '--quiet', '--trace', trace])).code).toBe(1);
    const checked = await runCli(['check', trace, '--protocol', SCRIPTED, '--no-color']);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('leader    last elected: B in term 1 at t=2');
    expect(checked.stdout).toMatch(/✗ leader-uniqueness +B became leader of term 1, which A already leads/);
  });
});

describe("expectations none of a user protocol's checkers judges are bad input, not a vacuous ✓", () => {
  it('expect.liveness without a liveness checker (it printed "✓ liveness within 1000 everything owed progress made it in time", exit 0)', async () => {
    const file = scriptedScenario([], { until: 5000, expect: { safety: 'hold', liveness: { within: 1000 } } });
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(
      `${file}: expect.liveness: protocol scripted has no liveness checker (the checker families single-decree and clients have one), so nothing would judge it`,
    );
    expect((await runCli(['fuzz', file, '--seeds', '2', '--no-progress', '--out', join(dir, 'fuzz')])).code).toBe(2);
  });

  it('expect.chosen without the single-decree family (chosen: none always held)', async () => {
    const file = scriptedScenario([], { expect: { safety: 'hold', chosen: 'none' } });
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(`${file}: expect.chosen: protocol scripted reports no chosen value (only the checker family single-decree does); use safety and liveness`);
  });

  it('expect.liveness with only client-liveness, and no clients in the scenario', async () => {
    const families = join(import.meta.dirname, 'fixtures', 'protocols', 'families-fixture.mjs');
    const file = scriptedScenario([], { protocol: families, config: { mode: 'ok' }, expect: { safety: 'hold', liveness: { within: 1000 } } });
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(`${file}: expect.liveness: protocol families-fixture's liveness checker (client-liveness) judges paxsim's clients, and the scenario declares none`);
  });

  it('held: the examples, whose families judge their expectations, still run', async () => {
    const examples = join(import.meta.dirname, '..', 'examples');
    expect((await runCli(['run', join(examples, 'register', 'scenarios', 'register.yaml'), '--quiet'])).code).toBe(0);
    expect((await runCli(['run', join(examples, 'kvlog', 'scenarios', 'kvlog.yaml'), '--quiet'])).code).toBe(0);
  });
});

describe('single-decree observations a checker cannot read are the protocol\'s fault: one line, exit 2', () => {
  const SHAPE = '(checker family single-decree reads propose {value, ballot}, adopt {ballot, value, from}, promise {ballot}, accept {ballot, value}, learn {value})';
  const cases: [string, Record<string, unknown>, string][] = [
    // Each was an internal error (exit 3), a checker's TypeError blamed on the node's handler (no-exceptions), or a silent PASS.
    ['an object value (exit 3)', { type: 'accept', ballot: [1, 'A'], value: { v: 'x' } }, 'accept with value {"v":"x"}: must be a string (observe String(x) or JSON.stringify(x) for other values)'],
    ['a number value (exit 3)', { type: 'learn', value: 1 }, 'learn with value 1: must be a string (observe String(x) or JSON.stringify(x) for other values)'],
    ['no value (exit 3)', { type: 'propose', ballot: [1, 'A'] }, 'propose with value undefined: must be a string (observe String(x) or JSON.stringify(x) for other values)'],
    ['no ballot (reported as the node throwing)', { type: 'accept', value: 'x' }, 'accept with ballot undefined: must be a ballot [round, node] (a non-negative integer and a node id)'],
    ['a bare-number ballot (silently PASS)', { type: 'promise', ballot: 5 }, 'promise with ballot 5: must be a ballot [round, node] (a non-negative integer and a node id)'],
    ['a one-element ballot (silently PASS)', { type: 'adopt', ballot: [1], value: 'x', from: [0, 'A'] }, 'adopt with ballot [1]: must be a ballot [round, node] (a non-negative integer and a node id)'],
  ];
  for (const [what, obs, problem] of cases) {
    it(what, async () => {
      const file = scriptedScenario([{ node: 'A', atMs: 1, obs }], {}, SCRIPTED_SINGLE_DECREE);
      const outcome = await runCli(['run', file]);
      expect(outcome.code).toBe(2);
      expect(expectOneLine(outcome.stderr)).toBe(`paxsim: protocol scripted-single-decree: node A observed ${problem} ${SHAPE}`);
    });
  }

  it('held: well-formed observations of two values chosen fail agreement, in run, explore and check --protocol', async () => {
    const script: Step[] = [
      { node: 'A', atMs: 1, obs: { type: 'propose', ballot: [1, 'A'], value: 'x' } },
      { node: 'B', atMs: 1, obs: { type: 'propose', ballot: [2, 'B'], value: 'y' } },
      { node: 'A', atMs: 2, obs: { type: 'accept', ballot: [1, 'A'], value: 'x' } },
      { node: 'B', atMs: 3, obs: { type: 'accept', ballot: [1, 'A'], value: 'x' } },
      { node: 'B', atMs: 4, obs: { type: 'accept', ballot: [2, 'B'], value: 'y' } },
      { node: 'C', atMs: 5, obs: { type: 'accept', ballot: [2, 'B'], value: 'y' } },
    ];
    const file = scriptedScenario(script, {}, SCRIPTED_SINGLE_DECREE);
    const trace = join(dir, 'two-chosen.jsonl');
    const ran = await runCli(['run', file, '--json', '--trace', trace]);
    expect(ran.code).toBe(1);
    expect((JSON.parse(ran.stdout) as RunJson).violations.map((violation) => violation.checker)).toEqual(['agreement']);
    const checked = await runCli(['check', trace, '--protocol', SCRIPTED_SINGLE_DECREE, '--json']);
    expect(checked.code).toBe(1);
    expect((JSON.parse(checked.stdout) as RunJson).violations.map((violation) => violation.checker)).toEqual(['agreement']);
    const explored = await runCli(['explore', file, '--max-timers', '6', '--json', '--out', join(dir, 'explore-out')]);
    expect(explored.code).toBe(1);
    // Timers fire in any order under explore: the shortest schedule chooses "x" before anyone proposed it.
    expect((JSON.parse(explored.stdout) as { violation: { checker: string } }).violation.checker).toBe('validity');
  });
});

describe('a node that throws in start()', () => {
  it('ends the run there, before any event (the run went on to its next event, so the half-started node kept acting)', async () => {
    const file = scriptedScenario([{ node: 'A', atMs: 5, obs: { type: 'leader', term: 1 } }], { config: { script: [{ node: 'A', atMs: 5, obs: { type: 'leader', term: 1 } }], throwInStart: 'A' } });
    const trace = join(dir, 'throws-in-start.jsonl');
    const outcome = await runCli(['run', file, '--json', '--trace', trace]);
    expect(outcome.code).toBe(1);
    const json = JSON.parse(outcome.stdout) as RunJson & { endMs: number };
    expect(json.violations.map((violation) => violation.checker)).toEqual(['no-exceptions']);
    expect(json.endMs).toBe(0);
    const types = readFileSync(trace, 'utf8').trimEnd().split('\n').slice(1).map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(['exception', 'violation']);
  });

  it('ends a pinned schedule there too, before its first step', async () => {
    const script = [{ node: 'A', atMs: 5, obs: { type: 'leader', term: 1 } }];
    const file = scriptedScenario(script, { config: { script, throwInStart: 'B' }, schedule: [{ fire: { node: 'A', timer: 's0' } }] });
    const outcome = await runCli(['run', file, '--json']);
    expect(outcome.code).toBe(1);
    const json = JSON.parse(outcome.stdout) as RunJson & { endMs: number; events: number };
    expect(json.violations.map((violation) => violation.checker)).toEqual(['no-exceptions']);
    expect([json.endMs, json.events]).toEqual([0, 2]);
  });
});
