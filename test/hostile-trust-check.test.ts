import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './helpers/cli.js';
import { auxiliaryIdleYaml } from './helpers/cheap-paxos-fixtures.js';
import { editTrace, recordTrace, writeTraceLines } from './helpers/trace-edit.js';

/**
 * `paxsim check` never says PASS for a trace of a failing run because its
 * meta line names other checkers than the ones that judged it, and never
 * ignores the protocol it was asked to check with.
 */

const FIXTURES = join(import.meta.dirname, 'fixtures');
const SCRIPTED = join(FIXTURES, 'protocols', 'scripted.mjs');
const dir = mkdtempSync(join(tmpdir(), 'paxsim-trust-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The trace of `argv` (a failing run), with its meta line rewritten by `edit`. */
async function failingTrace(name: string, argv: readonly string[], edit: (meta: Record<string, unknown>) => void): Promise<string> {
  return recordTrace(join(dir, `${name}.jsonl`), argv, 1, { meta: edit });
}

describe('a recorded violation of a checker these checks do not have is bad input, not a PASS', () => {
  it('a failing Paxos run whose meta line says raft: every Paxos event was ignored and it checked as PASS (exit 0)', async () => {
    const trace = await failingTrace('paxos-as-raft', ['dueling-proposers', '--bug', 'same-ballot'], (meta) => (meta['protocol'] = 'raft'));
    const outcome = await runCli(['check', trace]);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    const lines = outcome.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^${trace}:\\d+: violation\\.checker: "ballot-uniqueness" is not one of the raft checkers; the trace was checked by another protocol's checkers: fix the meta line's protocol, or pass --protocol MODULE$`),
    );
    expect(lines[1]).toMatch(/:\d+: violation\.checker: "agreement" is not one of the raft checkers/);
  });

  it("a user protocol's failing trace without its protocolModule: read as Paxos, its leader-uniqueness violation was a note under PASS", async () => {
    const scenario = join(dir, 'leaders.json');
    const script = [
      { node: 'A', atMs: 1, obs: { type: 'leader', ballot: [1, 'A'] } },
      { node: 'B', atMs: 2, obs: { type: 'leader', ballot: [1, 'A'] } },
    ];
    writeFileSync(scenario, JSON.stringify({ name: 'leaders', protocol: SCRIPTED, nodes: ['A', 'B', 'C'], until: 100, config: { script } }));
    const trace = await failingTrace('no-module', [scenario], (meta) => delete meta['protocolModule']);
    const outcome = await runCli(['check', trace]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(
      `${trace}:6: violation.checker: "leader-uniqueness" is not one of the single-decree Paxos checkers (the meta line's protocol "scripted" is no built-in one); the trace was checked by another protocol's checkers: fix the meta line's protocol, or pass --protocol MODULE`,
    );
    // With its module the trace checks as the run did.
    const checked = await runCli(['check', trace, '--protocol', SCRIPTED, '--no-color']);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/✗ leader-uniqueness +B became leader of ballot \(1,A\), which A already leads/);
  });

  it('held: a recorded violation of a checker these checks have but do not reproduce stays a note; an unchecked liveness one too', async () => {
    const trace = join(dir, 'made-up.jsonl');
    writeTraceLines(trace, [
      '{"type":"meta","nodes":["A","B","C"]}',
      '{"t":1,"type":"violation","checker":"agreement","message":"made up"}',
      '{"t":2,"type":"violation","checker":"liveness","message":"made up too"}',
    ]);
    const outcome = await runCli(['check', trace, '--no-color']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('that these checkers do not reproduce: made up');
    expect(outcome.stdout).toContain('liveness is checked only with --liveness-within MS');
  });

  it("held: a recorded violation of a checker of the protocol that check does not run (Cheap Paxos's auxiliaries-idle) stays a note", async () => {
    const trace = join(dir, 'cheap.jsonl');
    writeTraceLines(trace, [
      '{"type":"meta","nodes":["A","B","C"],"protocol":"cheap-paxos","main":["A","B"],"auxiliary":["C"],"alpha":1,"clients":[]}',
      '{"t":1,"type":"violation","checker":"auxiliaries-idle","message":"made up"}',
    ]);
    const outcome = await runCli(['check', trace, '--no-color']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('the trace records a violation of auxiliaries-idle');
  });
});

describe('check --protocol NAME of a built-in on a trace whose meta line names no protocol', () => {
  it('is bad input naming the meta line (it was ignored: a Multi-Paxos stale read checked as PASS by the Paxos checkers)', async () => {
    // The stale-read fixture without its accept and learn lines (so it also reads as Paxos) and without "protocol".
    const lines = readFileSync(join(FIXTURES, 'traces', 'multipaxos-stale-read.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => !/"type":"(accept|learn)"/.test(line));
    const withProtocol = join(dir, 'stale-read.jsonl');
    writeFileSync(withProtocol, lines.join('\n'));
    const stale = await runCli(['check', withProtocol, '--no-color']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/✗ linearizability/);
    const without = join(dir, 'stale-read-no-protocol.jsonl');
    writeFileSync(without, lines.join('\n').replace('"protocol":"multipaxos",', ''));
    const outcome = await runCli(['check', without, '--protocol', 'multipaxos']);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(
      `${without}:1: protocol: missing, so the trace reads as single-decree Paxos, not multipaxos (--protocol multipaxos): put "protocol":"multipaxos" in its meta line`,
    );
  });

  it('held: --protocol paxos on such a trace checks it as Paxos', async () => {
    const trace = join(dir, 'split-brain-no-protocol.jsonl');
    writeFileSync(trace, readFileSync(join(FIXTURES, 'traces', 'foreign-split-brain.jsonl'), 'utf8').replace(',"protocol":"other-paxos"', ''));
    const outcome = await runCli(['check', trace, '--protocol', 'paxos', '--no-color']);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/✗ agreement/);
  });
});

describe("a user protocol's trace edited to name a node the run did not have", () => {
  it('is bad input naming the line (the checks counted it as a node of its own: a renamed acceptor hid its lower accept)', async () => {
    const scenario = join(dir, 'discipline.json');
    const script = [
      { node: 'A', atMs: 1, obs: { type: 'promise', ballot: [5, 'B'] } },
      { node: 'A', atMs: 2, obs: { type: 'accept', slot: 0, ballot: [3, 'C'], command: 'x' } },
    ];
    writeFileSync(scenario, JSON.stringify({ name: 'discipline', protocol: SCRIPTED, nodes: ['A', 'B', 'C'], until: 100, config: { script } }));
    const trace = await recordTrace(join(dir, 'discipline.jsonl'), [scenario], 1);
    expect((await runCli(['check', trace, '--protocol', SCRIPTED])).code).toBe(1);
    // The accept renamed to a node of no run, and the violation line the run wrote removed.
    const isAccept = (line: string) => line.startsWith('{"t":') && line.includes('"type":"accept"');
    editTrace(trace, {
      events: (events) => events.filter((line) => !line.includes('"type":"violation"')).map((line) => (isAccept(line) ? line.replace('"node":"A"', '"node":"A2"') : line)),
    });
    const lineOfAccept = readFileSync(trace, 'utf8').split('\n').findIndex(isAccept) + 1;
    const outcome = await runCli(['check', trace, '--protocol', SCRIPTED]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(`${trace}:${lineOfAccept}: node: "A2" is not a node or client of the meta line (nodes: A, B, C)`);
  });
});

describe('check --liveness-within on a user protocol without a liveness checker', () => {
  it('is bad input (it printed the verdict as if liveness had been checked)', async () => {
    const scenario = join(dir, 'quiet.json');
    writeFileSync(scenario, JSON.stringify({ name: 'quiet', protocol: SCRIPTED, nodes: ['A', 'B', 'C'], until: 100, config: { script: [] } }));
    const trace = join(dir, 'quiet.jsonl');
    expect((await runCli(['run', scenario, '--quiet', '--trace', trace])).code).toBe(0);
    expect((await runCli(['check', trace, '--protocol', SCRIPTED])).code).toBe(0);
    const outcome = await runCli(['check', trace, '--protocol', SCRIPTED, '--liveness-within', '10']);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe('--liveness-within: protocol scripted has no liveness checker (the checker families single-decree and clients have one)');
  });
});

describe("check judges Cheap Paxos's auxiliaries-idle as the run did", () => {
  /** Two mains and one auxiliary, no message allowed to reach it: B's crash at 0 makes A ask C (the run fails auxiliaries-idle). */
  function auxiliaryScenario(): string {
    const file = join(dir, 'aux-idle.yaml');
    writeFileSync(file, auxiliaryIdleYaml('aux-idle'));
    return file;
  }

  it("a failing run's own trace checks as FAIL (its meta line lacked the scenario's limits, so check said PASS with a note)", async () => {
    const trace = join(dir, 'aux-idle.jsonl');
    const ran = await runCli(['run', auxiliaryScenario(), '--trace', trace]);
    expect(ran.code).toBe(1);
    expect(JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!)).toMatchObject({ auxiliaryLimits: { maxMessages: 0 } });
    const checked = await runCli(['check', trace, '--no-color']);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/✗ auxiliaries-idle +1 message reached auxiliaries/);
    expect(checked.stdout).toMatch(/^result +FAIL/m);
    expect(checked.stdout).not.toContain('do not reproduce');
  });

  it('a meta line whose auxiliaryLimits is malformed is bad input, one line naming the field', async () => {
    const trace = join(dir, 'aux-bad.jsonl');
    writeTraceLines(trace, ['{"type":"meta","nodes":["A","B","C"],"protocol":"cheap-paxos","main":["A","B"],"auxiliary":["C"],"alpha":1,"clients":[],"auxiliaryLimits":{"maxMessages":-1}}']);
    const outcome = await runCli(['check', trace]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(`${trace}:1: auxiliaryLimits.maxMessages: must be a non-negative integer, got -1`);
  });
});
