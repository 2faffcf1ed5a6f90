import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { violationKind } from '../src/check/violation-kind.js';
import { formatVerdict } from '../src/cli/verdict.js';
import { stylesFor } from '../src/cli/io.js';
import { multiPaxosDefinition, paxosDefinition } from '../src/run/builtin-protocols.js';
import { exploreModelFor, NO_FAULTS } from '../src/explore/setup.js';
import { defineProtocol } from '../src/run/protocol-definition.js';
import { registerProtocol } from '../src/run/registry.js';
import { runScenario } from '../src/run/runner.js';
import { auxiliaryIdleYaml } from './helpers/cheap-paxos-fixtures.js';
import { multiDecreeViolations } from './helpers/family-violations.js';
import { expectOneLine, runCli } from './helpers/cli.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';
import { recordTrace } from './helpers/trace-edit.js';

/** Trust, third round: a checker tool that says PASS wrongly, or loses a failure it found, is worse than none. */

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'protocols');
const dir = mkdtempSync(join(tmpdir(), 'paxsim-trust-3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a user protocol's commands are compared by their whole value", () => {
  const ballot = [1, 'A'];

  const familyViolations = multiDecreeViolations;

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

describe('explore says which checkers it does not judge, and refuses an expectation it cannot meet', () => {
  /** Cheap Paxos with two mains and one auxiliary, expecting no message to reach the auxiliary: B's crash makes A ask C (3 steps). */
  function cheapScenario(name: string, exploreExpect = ''): string {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, auxiliaryIdleYaml(name, { explore: '{ maxCrashes: 1, maxTimerFires: 1, depth: 4 }', expectMore: exploreExpect }));
    return file;
  }

  it("a checker counting message deliveries (Cheap Paxos's auxiliaries-idle) is named as not judged (explore said it ran every safety checker: \"no violation\" where run fails)", async () => {
    const file = cheapScenario('aux-idle');
    const ran = await runCli(['run', file, '--json']);
    expect((JSON.parse(ran.stdout) as { violations: { checker: string }[] }).violations.map((violation) => violation.checker)).toEqual(['auxiliaries-idle']);
    const explored = await runCli(['explore', file, '--out', join(dir, 'aux-out')]);
    expect(explored.stdout).toMatch(/^checkers +safety checkers of `paxsim run` on every transition except auxiliaries-idle \(it counts message deliveries, which explore's states do not keep: run and fuzz judge it\); liveness is not checked by explore$/m);
    const json = await runCli(['explore', file, '--json', '--out', join(dir, 'aux-out')]);
    expect((JSON.parse(json.stdout) as { notJudged: string[] }).notJudged).toEqual(['auxiliaries-idle']);
  });

  it('expect.explore.violation naming it, or a liveness checker, is bad input (it was accepted, and no search could meet it: exit 1 whatever was searched)', async () => {
    const aux = cheapScenario('aux-expect', ', explore: { violation: auxiliaries-idle }');
    const outcome = await runCli(['explore', aux, '--out', join(dir, 'aux-out')]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(
      `${aux}: expect.explore.violation: explore does not judge auxiliaries-idle (it counts message deliveries, which explore's states do not keep); use none, any or one of: slot-agreement, ballot-uniqueness, log-consistency, exactly-once, linearizability, configuration-safety`,
    );
    const liveness = join(dir, 'liveness-expect.yaml');
    writeFileSync(liveness, readFileSync(join(ROOT, 'scenarios', 'explore-paxos-3.yaml'), 'utf8').replace('explore: { violation: none }', 'explore: { violation: liveness }'));
    const refused = await runCli(['explore', liveness, '--depth', '2']);
    expect(refused.code).toBe(2);
    expect(expectOneLine(refused.stderr)).toBe(
      `${liveness}: expect.explore.violation: explore does not judge liveness (explore judges safety only; run and fuzz judge liveness); use none, any or one of: agreement, validity, integrity, acceptor-discipline, ballot-uniqueness`,
    );
  });

  it('held: a configuration whose checkers explore all judges says nothing more', async () => {
    const json = await runCli(['explore', 'explore-paxos-3', '--depth', '2', '--json']);
    expect((JSON.parse(json.stdout) as { notJudged: string[] }).notJudged).toEqual([]);
  });
});

describe('check: where a run stopped', () => {
  it("an event of a type the trace format ignores never ends the run (a Paxos trace's own \"exception\" line ended it at t=0: liveness failure turned inconclusive, PASS)", async () => {
    const exception = '{"t":0,"type":"exception","node":"A","handler":"onTimer","error":"x"}';
    const trace = await recordTrace(join(dir, 'foreign-exception.jsonl'), ['seed-example'], 0, {
      // Nobody learns, and a line of the writer's own vocabulary comes first.
      events: (events) => [exception, ...events.filter((line) => !line.includes('"type":"learn"'))],
    });
    const outcome = await runCli(['check', trace, '--liveness-within', '2000', '--json']);
    expect(outcome.code).toBe(1);
    const json = JSON.parse(outcome.stdout) as { endMs: number; violations: { checker: string }[]; ignoredTypes: Record<string, number> };
    expect(json.violations.map((violation) => violation.checker)).toEqual(['liveness']);
    expect(json.endMs).toBe(10_000);
    expect(json.ignoredTypes).toEqual({ exception: 1 });
  });

  it("an event after a user protocol's fatal event is bad input naming its line (it was judged as if the run had gone on)", async () => {
    const module = join(FIXTURES, 'fatal-liveness.mjs');
    const scenario = join(dir, 'fatal.yaml');
    writeFileSync(scenario, `name: fatal\nprotocol: ${module}\nnodes: [A, B, C]\nproposals:\n  - { at: 0, node: A, value: X }\nuntil: 200\n`);
    const learnAfter = '{"t":6,"type":"learn","node":"A","value":"X"}';
    const trace = await recordTrace(join(dir, 'fatal.jsonl'), [scenario], 1, { events: (events) => [...events.filter((line) => line !== ''), learnAfter] });
    const lines = readFileSync(trace, 'utf8').split('\n');
    const fatalLine = lines.findIndex((line) => line.includes('"type":"exception"')) + 1;
    const outcome = await runCli(['check', trace, '--protocol', module]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(`${trace}:${lines.length}: learn: comes after the run stopped at line ${fatalLine} (a fatal event); a run writes only its violation lines after it`);
    // held: the trace as the run wrote it, violation lines after the fatal event included, checks as the run judged it.
    const asWritten = await recordTrace(join(dir, 'fatal-as-written.jsonl'), [scenario], 1);
    const checked = await runCli(['check', asWritten, '--protocol', module, '--json']);
    expect(checked.code).toBe(1);
    expect((JSON.parse(checked.stdout) as { violations: { checker: string }[] }).violations.map((violation) => violation.checker)).toEqual(['no-exceptions']);
  });
});

describe('a protocol registered under another name behaves as the one it copies (its definition is asked, not its name)', () => {
  // A new built-in in all but name: Multi-Paxos's checkers plus one of its own, and Paxos under another name.
  const extra = { name: 'extra-check', kind: 'safety' as const, summary: 'one more property' };
  const multiPlus = defineProtocol({
    name: 'multipaxos-plus',
    scenario: multiPaxosDefinition.scenarioShape,
    traceFormat: 'multipaxos',
    checkerDescriptions: [...(multiPaxosDefinition.checkerDescriptions ?? []), extra],
    setup: (cluster) => multiPaxosDefinition.setup(cluster),
  });
  const paxosTwin = defineProtocol({ name: 'paxos-twin', scenario: paxosDefinition.scenarioShape, traceFormat: 'paxos', checkerDescriptions: paxosDefinition.checkerDescriptions ?? [], setup: (cluster) => paxosDefinition.setup(cluster) });
  registerProtocol(multiPlus, '/nowhere/multipaxos-plus.js');
  registerProtocol(paxosTwin, '/nowhere/paxos-twin.js');

  it('paxsim list shows its checkers with their summaries, only what it adds to a protocol listed before (it listed the built-ins by name only)', async () => {
    const listed = await runCli(['list', '--no-color']);
    expect(listed.code).toBe(0);
    const section = listed.stdout.split('\n\n').find((part) => part.startsWith('multipaxos-plus checkers'));
    expect(section?.split('\n')).toEqual(['multipaxos-plus checkers  (and every multipaxos checker)', `  ${'extra-check'.padEnd(26)}one more property`]);
    // Cheap Paxos's section is as before: what it adds to Multi-Paxos's.
    expect(listed.stdout).toContain('cheap-paxos checkers  (and every multipaxos checker)\n  configuration-safety');
  });

  it("explore --symmetry asks the definition which nodes are interchangeable (it matched paxos and multipaxos by name: a twin got no reduction)", () => {
    const symmetricTwin = defineProtocol({ name: 'paxos-symmetric-twin', scenario: paxosDefinition.scenarioShape, traceFormat: 'paxos', symmetry: paxosDefinition.symmetry!, setup: (cluster) => paxosDefinition.setup(cluster) });
    registerProtocol(symmetricTwin, '/nowhere/paxos-symmetric-twin.js');
    const yaml = ['name: sym', 'nodes: [A, B, C]', 'roles: { proposers: [A] }', 'proposals: [{ at: 0, node: A, value: X }]', 'expect: { safety: hold }', ''].join('\n');
    const classes = (protocol: string) => exploreModelFor({ ...scenarioFromYaml(yaml), protocol }, undefined, NO_FAULTS, { symmetry: true }).model.setup.symmetry;
    expect(classes('paxos')).toEqual([['B', 'C']]);
    expect(classes('paxos-symmetric-twin')).toEqual([['B', 'C']]);
    // A definition that says nothing gets no reduction (the safe direction).
    expect(classes('paxos-twin')).toEqual([]);
  });

  it("the verdict shows a single-decree twin's chosen and learned lines and its liveness checker, as Paxos's", () => {
    const shipped = shippedScenario('seed-example');
    const scenario = { ...shipped, protocol: 'paxos-twin', expect: { ...shipped.expect, liveness: undefined } };
    const verdict = formatVerdict(runScenario(scenario, { seed: 1 }), 'paxsim run x', stylesFor(0));
    expect(verdict).toMatch(/^chosen +"X" in ballot \(10,A\) at t=17$/m);
    expect(verdict).toMatch(/^learned +A "X"/m);
    expect(verdict).toMatch(/^ +- liveness +not checked: the scenario has no expect\.liveness$/m);
  });
});

describe("a violation's kind comes from the protocol's reading of its own checkers", () => {
  const noop = () => ({ start() {}, recover() {}, onMessage() {}, onTimer() {}, onRequest() {}, volatileState: () => ({}) });
  it("a user's invariant with a violationShape is read by it; one without is its checker alone; no-exceptions is the definition's", () => {
    const definition = defineProtocol({
      name: 'shapes',
      createNode: noop,
      invariants: [
        { name: 'bounded', description: 'x', monitor: () => () => null, violationShape: (message: string) => (message.includes('over') ? 'over' : 'under') },
        { name: 'plain', description: 'y', monitor: () => () => null },
      ],
    });
    const kind = (checker: string, message: string) => violationKind({ checker, message }, definition.violationShape);
    expect(kind('bounded', 'A is over 3')).toBe('bounded/over');
    expect(kind('bounded', 'B is under 1')).toBe('bounded/under');
    expect(kind('plain', 'anything')).toBe('plain/other');
    expect(kind('no-exceptions', 'C threw in onTimer: Error: boom 3')).toBe('no-exceptions/onTimer: Error: boom #');
    // paxsim's checkers are read by the kind table, whatever the protocol.
    expect(kind('agreement', 'two values chosen: "X" in ballot (1,A) at t=5, then "Y" in ballot (2,B)')).toBe('agreement/two-values-chosen');
  });
});

describe("diff's outcome lines say what each side's verdict says", () => {
  it('a side that failed its expectations says FAIL (it said "chose nothing; no violations", as a pass reads)', async () => {
    const short = join(dir, 'short.yaml');
    writeFileSync(short, readFileSync(join(ROOT, 'scenarios', 'seed-example.yaml'), 'utf8').replace(/^until: .*$/m, '').concat('\nuntil: 10\n'));
    const outcome = await runCli(['diff', short, 'seed-example']);
    expect(outcome.code).toBe(1);
    const lines = outcome.stdout.trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual(['outcome', '  left   chose nothing; no violations; 23 events; FAIL', '  right  chose "X" at t=17; no violations; 97 events; PASS']);
  });

  it('a log protocol says its log, not "chose nothing"', async () => {
    const outcome = await runCli(['diff', 'seed-example', 'multipaxos-kv']);
    expect(outcome.stdout.trimEnd().split('\n').at(-1)).toMatch(/^ {2}right  log \d+ slots chosen; applied: A \d+ · B \d+ · C \d+ · D \d+ · E \d+; no violations; \d+ events; PASS$/);
  });
});

describe('diff of two protocols', () => {
  it("shows each side in its own protocol's vocabulary (the built-in side was shown as a user protocol's: prepare {\"ballot\":[10,\"A\"]})", async () => {
    const outcome = await runCli(['diff', join(ROOT, 'examples', 'register', 'scenarios', 'register.yaml'), 'seed-example', '--context', '2']);
    expect(outcome.stdout).toContain('  left   0  A→A       send prepare {"ballot":[1,"A"]}  #1\n');
    expect(outcome.stdout).toContain('  right  0  A→A       send prepare (10,A)  #1\n');
  });
});
