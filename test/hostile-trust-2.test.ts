import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { multiDecreeViolations } from './helpers/family-violations.js';
import { expectOneLine, runCli } from './helpers/cli.js';
import { writeTraceLines } from './helpers/trace-edit.js';

/** Trust, second round: a checker tool that says PASS wrongly, or loses a failure it found, is worse than none. */

const ROOT = join(import.meta.dirname, '..');
const SCENARIOS = join(ROOT, 'scenarios');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'protocols');
const dir = mkdtempSync(join(tmpdir(), 'paxsim-trust-2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ExploreJson {
  exhausted: boolean;
  distinctStates: number;
  transitions: number;
  violation: { checker: string; message: string; file: string | null } | null;
}

describe("explore keeps apart histories a user protocol's invariant tells apart", () => {
  it('finds the violation an order-sensitive invariant sees (explore merged "A then B" with "B then A" and said no violation)', async () => {
    const out = join(dir, 'order-out');
    const explored = await runCli(['explore', join(FIXTURES, 'order-invariant.yaml'), '--json', '--out', out]);
    expect(explored.stderr).toBe('');
    expect(explored.code).toBe(1);
    const json = JSON.parse(explored.stdout) as ExploreJson;
    expect(json.violation).toMatchObject({ checker: 'a-pings-first', message: 'C done after B pinged first' });
    // The counterexample replays to the same failure.
    const replayed = await runCli(['run', json.violation!.file!, '--json']);
    expect(replayed.code).toBe(1);
    expect((JSON.parse(replayed.stdout) as { violations: { checker: string }[] }).violations[0]?.checker).toBe('a-pings-first');
  });

  // paxsim's own checkers judge sets of facts: explore-workers.test.ts pins the shipped configurations' counts, unchanged.
});

describe('multi-decree commands are compared by value, not by the text of their JSON', () => {
  const ballot = [1, 'A'];

  const familyViolations = multiDecreeViolations;

  it('a command rebuilt with its keys in another order is the same command (it read as another: validity, integrity and slot-agreement failed)', () => {
    const proposed = { op: 'put', args: { key: 'k', value: 'v' } };
    const rebuilt = { args: { value: 'v', key: 'k' }, op: 'put' };
    const events = [
      { type: 'propose', node: 'A', slot: 0, command: proposed, ballot },
      ...['A', 'B', 'C'].map((node) => ({ type: 'promise', node, ballot })),
      ...['A', 'B'].map((node) => ({ type: 'accept', node, slot: 0, ballot, command: proposed })),
      { type: 'accept', node: 'C', slot: 0, ballot, command: rebuilt },
      ...['A', 'B', 'C'].map((node) => ({ type: 'learn', node, slot: 0, command: node === 'A' ? proposed : rebuilt })),
    ];
    expect(familyViolations(events)).toEqual([]);
  });

  it("a user's command with an `op` of its own is shown as its JSON (it was taken for a client request: a TypeError)", () => {
    const events = [
      { type: 'accept', node: 'A', slot: 0, ballot, command: { op: 'inc', by: 1 } },
      { type: 'accept', node: 'A', slot: 0, ballot, command: { op: 'inc', by: 2 } },
    ];
    expect(familyViolations(events).find((violation) => violation.checker === 'ballot-uniqueness')?.message).toMatch(/\{"op":"inc","by":2\}/);
  });

  it('validity and integrity quote a command once (they quoted its JSON again: ""x"")', () => {
    const learnedUnproposed = [
      { type: 'propose', node: 'A', slot: 0, command: 'x', ballot },
      { type: 'learn', node: 'B', slot: 1, command: 'x' },
    ];
    const messages = familyViolations(learnedUnproposed).map((violation) => `${violation.checker}: ${violation.message}`);
    expect(messages).toContain('validity: slot 1: B learned "x", which was never proposed');
    expect(messages).toContain('integrity: slot 1: B learned "x", which no majority of acceptors accepted in one ballot');
  });

  it('commands that differ in a value still differ, and a client command is still known by client and request id', () => {
    const learnedOther = [
      { type: 'propose', node: 'A', slot: 0, command: { op: 'put', n: 1 }, ballot },
      { type: 'learn', node: 'B', slot: 0, command: { n: 2, op: 'put' } },
    ];
    expect(familyViolations(learnedOther).map((violation) => violation.checker)).toContain('validity');
    const sameRequest = [
      { type: 'propose', node: 'A', slot: 0, command: { client: 'c1', requestId: 1, op: { kind: 'get', key: 'k' } }, ballot },
      { type: 'learn', node: 'B', slot: 0, command: { requestId: 1, client: 'c1', op: { key: 'k', kind: 'get' } } },
    ];
    expect(familyViolations(sameRequest).map((violation) => violation.checker)).not.toContain('validity');
  });
});

describe('a run stopped by a fatal event is judged where it stopped', () => {
  it('check of its trace gives the run\'s verdict (it judged liveness at the scenario\'s until, which the run never reached: a false violation)', async () => {
    const scenario = join(dir, 'fatal-liveness.yaml');
    writeFileSync(scenario, `name: fatal-liveness\nprotocol: ${join(FIXTURES, 'fatal-liveness.mjs')}\nnodes: [A, B, C]\nproposals:\n  - { at: 0, node: A, value: X }\nuntil: 200\nexpect:\n  liveness: { within: 50 }\n`);
    const trace = join(dir, 'fatal-liveness.jsonl');
    const ran = await runCli(['run', scenario, '--json', '--trace', trace]);
    const runVerdict = JSON.parse(ran.stdout) as { violations: { checker: string }[] };
    expect(runVerdict.violations.map((violation) => violation.checker)).toEqual(['no-exceptions']);
    const checked = await runCli(['check', trace, '--protocol', join(FIXTURES, 'fatal-liveness.mjs'), '--liveness-within', '50', '--json']);
    expect(checked.stderr).toBe('');
    const checkVerdict = JSON.parse(checked.stdout) as { endMs: number; violations: { checker: string }[] };
    expect(checkVerdict.violations.map((violation) => violation.checker)).toEqual(['no-exceptions']);
    expect(checkVerdict.endMs).toBe(5);
  });
});

describe('check --protocol MODULE of a trace whose meta line names no protocolModule', () => {
  it('reads it in the protocol\'s own vocabulary, as the flag says (it read it as Paxos: "put \"protocol\":\"multipaxos\" in the meta line", two lines, exit 2)', async () => {
    const trace = join(dir, 'no-module.jsonl');
    writeTraceLines(trace, [
      '{"type":"meta","scenario":"x","seed":1,"nodes":["A","B","C"],"acceptors":["A","B","C"],"proposers":["A"],"learners":["A","B","C"],"protocol":"rumor"}',
      '{"t":0,"type":"heard","node":"A","from":"B","value":"X"}',
      '{"t":1,"type":"accept","node":"A","slot":1}',
    ]);
    const checked = await runCli(['check', trace, '--protocol', join(FIXTURES, 'rumor.js'), '--no-color']);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/^result +PASS +2 events, ended t=1$/m);
  });

  it('of another protocol is refused at the meta line in one line, before its events are read', async () => {
    const trace = join(dir, 'other-protocol.jsonl');
    writeFileSync(trace, '{"type":"meta","nodes":["A","B","C"],"protocol":"paxos"}\n{"t":1,"type":"accept","node":"A","slot":1}\n');
    const module = join(FIXTURES, 'rumor.js');
    const checked = await runCli(['check', trace, '--protocol', module]);
    expect(checked.code).toBe(2);
    expect(expectOneLine(checked.stderr)).toBe(`--protocol: ${module} defines protocol "rumor", but ${trace} is a trace of protocol "paxos"`);
  });
});

describe('small ones', () => {
  it('expect.explore { exhausted: true, violation: any } is refused in one line (it was accepted, and no search could meet it)', async () => {
    for (const violation of ['any', 'integrity']) {
      const file = join(dir, `exhausted-${violation}.yaml`);
      writeFileSync(file, readFileSync(join(SCENARIOS, 'explore-paxos-3.yaml'), 'utf8').replace('explore: { violation: none }', `explore: { exhausted: true, violation: ${violation} }`));
      const explored = await runCli(['explore', file, '--out', join(dir, 'exhausted-out')]);
      expect(explored.code).toBe(2);
      expect(expectOneLine(explored.stderr)).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: expect\\.explore\\.exhausted: true cannot be met with a violation expected`));
    }
  });

  it('--max-states N says it stopped after at least N states (it said "within N states" of a search that counted more)', async () => {
    const json = JSON.parse((await runCli(['explore', join(SCENARIOS, 'explore-paxos-3.yaml'), '--max-states', '1000', '--json'])).stdout) as ExploreJson;
    // The bound is checked once a state is expanded, all its successors counted: more than N.
    expect(json.distinctStates).toBeGreaterThan(1000);
    const text = (await runCli(['explore', join(SCENARIOS, 'explore-paxos-3.yaml'), '--max-states', '1000'])).stdout;
    expect(text).toMatch(/^bounds .*, stop after ≥ 1000 states$/m);
    expect(text).toContain(`result    no violation; stopped after ≥ 1,000 states (${json.distinctStates.toLocaleString('en-US')} distinct states; not exhausted)`);
    expect(text).not.toMatch(/states ≤ 1000|within 1,000 states/);
  });

  it('fuzz --shard i/n with no seeds for shard i is bad input, exit 2 (it printed "0 seeds, all held", exit 0: a CI shard that checked nothing passed)', async () => {
    const empty = await runCli(['fuzz', join(SCENARIOS, 'explore-paxos-3.yaml'), '--seeds', '2', '--shard', '3/4', '--workers', '0']);
    expect(empty.code).toBe(2);
    expect(empty.stdout).toBe('');
    expect(expectOneLine(empty.stderr)).toBe('--shard: shard 3/4 has no seeds (--seeds 2 gives one seed each to shards 1 to 2 at most); use fewer shards or more seeds');
    // The last shard that has a seed still runs it.
    expect((await runCli(['fuzz', join(SCENARIOS, 'explore-paxos-3.yaml'), '--seeds', '2', '--shard', '2/4', '--workers', '0'])).code).toBe(0);
  });
});
