import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Violation } from '../src/check/checker.js';
import { familyChecks } from '../src/run/checker-families.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { expectOneLine, runCli } from './helpers/cli.js';
import { scenarioFromYaml } from './helpers/scenario.js';
import { recordTrace } from './support/trace-edit.js';

/** Trust, third round: a checker tool that says PASS wrongly, or loses a failure it found, is worse than none. */

const dir = mkdtempSync(join(tmpdir(), 'paxsim-trust-3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a user protocol's commands are compared by their whole value", () => {
  const SCENARIO = scenarioFromYaml('name: families\nprotocol: ./user.mjs\nnodes: [A, B, C]\n');
  const ballot = [1, 'A'];

  /** The multi-decree family's violations over `events` (t = their index), finish included. */
  function familyViolations(events: Record<string, unknown>[]): Violation[] {
    const { checks } = familyChecks('user', ['multi-decree'], SCENARIO, undefined);
    const found: Violation[] = [];
    events.forEach((event, index) => found.push(...checks.observe({ t: index, ...event } as unknown as AnyTraceEvent, index).violations));
    return [...found, ...checks.finish(10_000, events.length)];
  }

  /** Two different commands accepted in one ballot of slot 0. */
  const twoInOneBallot = (first: unknown, second: unknown) => [
    { type: 'accept', node: 'A', slot: 0, ballot, command: first },
    { type: 'accept', node: 'B', slot: 0, ballot, command: second },
  ];

  it('a key named __proto__ counts (it was dropped: {"__proto__":1} and {"__proto__":2} were one command, ballot-uniqueness held)', () => {
    const first = JSON.parse('{"set":{"__proto__":1}}') as unknown;
    const second = JSON.parse('{"set":{"__proto__":2}}') as unknown;
    expect(familyViolations(twoInOneBallot(first, second)).map((violation) => violation.checker)).toContain('ballot-uniqueness');
  });

  it('a command with a field named noop is not a no-op unless it is one (every such command was "noop": two values passed as one)', () => {
    const checkers = familyViolations(twoInOneBallot({ noop: false, value: 'X' }, { noop: false, value: 'Y' })).map((violation) => violation.checker);
    expect(checkers).toContain('ballot-uniqueness');
    const noops = familyViolations(twoInOneBallot({ noop: true, by: 'A' }, { noop: true, by: 'B' })).map((violation) => violation.checker);
    expect(noops).toContain('ballot-uniqueness');
  });

  it('held: the same no-op, and equal values of every shape, are one command', () => {
    const same = [
      [{ noop: true }, { noop: true }],
      [{ a: [1, { b: 'é', c: null }] }, { a: [1.0, { c: null, b: 'é' }] }],
    ];
    for (const [first, second] of same) expect(familyViolations(twoInOneBallot(first, second)).map((violation) => violation.checker)).not.toContain('ballot-uniqueness');
    expect(familyViolations(twoInOneBallot({ n: 1 }, { n: '1' })).map((violation) => violation.checker)).toContain('ballot-uniqueness');
  });
});

describe("check of a trace whose meta line names a protocol paxsim does not know", () => {
  it('whose events are not Paxos\'s is one line naming the protocol field (it was a line per event, each saying "for a Multi-Paxos trace, put …")', async () => {
    const trace = await recordTrace(join(dir, 'mystery.jsonl'), ['explore-multipaxos-3'], 0, { meta: (meta) => (meta['protocol'] = 'mystery') });
    const outcome = await runCli(['check', trace]);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    const line = expectOneLine(outcome.stderr);
    expect(line).toMatch(new RegExp(`^${trace}:1: protocol: "mystery" is no protocol paxsim knows, so the trace was read as single-decree Paxos, which it is not \\(line \\d+: accept\\.value: missing\\); check a user protocol's trace with --protocol MODULE, or name its protocol in the meta line$`));
  });

  it("held: a foreign single-decree Paxos trace under a name of its own is still checked as Paxos", async () => {
    const trace = await recordTrace(join(dir, 'other-paxos.jsonl'), ['seed-example'], 0, { meta: (meta) => (meta['protocol'] = 'other-paxos') });
    const outcome = await runCli(['check', trace, '--no-color']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^result +PASS/m);
  });
});
