import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrace } from '../src/check/check-trace.js';
import { runFuzzSeed } from '../src/run/fuzz-seed.js';
import { readTrace } from '../src/trace/read-trace.js';
import { runCli, type CliOutcome } from './helpers/cli.js';
import { outputLines, writeTraceFile } from './helpers/trace-files.js';
import { shippedScenario } from './helpers/scenario.js';

/** `paxsim check TRACE.jsonl`: every checker over a recorded trace, from paxsim or from another implementation. */

const FIXTURES = 'test/fixtures/traces';
const ANSI = /\u001b\[/;

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-check-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `paxsim check …` through the real CLI. */
function runCheck(argv: readonly string[], options: { env?: Record<string, string>; isTTY?: boolean } = {}): Promise<CliOutcome> {
  return runCli(['check', ...argv], options);
}

const lines = outputLines;

interface JsonVerdict {
  trace: string;
  events: number;
  endMs: number;
  chosen: string | null;
  learned: Record<string, string>;
  violations: { checker: string; message: string; t: number; event: number }[];
  livenessInconclusive: boolean;
  unreproduced: { checker: string; message: string; t: number; event: number }[];
  ignoredTypes: Record<string, number>;
}

function jsonOf(outcome: CliOutcome): JsonVerdict {
  expect(outcome.stderr).toBe('');
  const out = lines(outcome.stdout);
  expect(out).toHaveLength(1);
  return JSON.parse(out[0]!) as JsonVerdict;
}

function writeTrace(name: string, traceLines: readonly unknown[]): string {
  return writeTraceFile(dir, name, traceLines);
}

/** Expects exit 2 and exactly one stderr line, matching `pattern`, with no stack trace. */
async function expectOneBadInputLine(file: string, pattern: RegExp): Promise<string> {
  const outcome = await runCheck([file]);
  expect(outcome.code).toBe(2);
  expect(outcome.stdout).toBe('');
  const err = lines(outcome.stderr);
  expect(err, outcome.stderr).toHaveLength(1);
  expect(err[0]).toMatch(pattern);
  expect(outcome.stderr).not.toMatch(/\n\s+at |Error:/);
  return err[0]!;
}

const META = { type: 'meta', nodes: ['A', 'B', 'C'] };

describe('paxsim check on traces written by paxsim run --trace', () => {
  it('a clean lossy-network run checks clean, with the chosen value, learners and event count the run reported', async () => {
    const trace = path.join(dir, 'lossy.jsonl');
    const ran = await runCli(['run', 'scenarios/lossy-network.yaml', '--trace', trace, '--json']);
    expect(ran.code).toBe(0);
    const runJson = JSON.parse(ran.stdout) as { chosen: string; learned: Record<string, string>; events: number; violations: unknown[] };
    expect(runJson.chosen).not.toBeNull();

    const checked = await runCheck([trace, '--json', '--liveness-within', '10000']);
    expect(checked.code).toBe(0);
    const json = jsonOf(checked);
    expect(json.trace).toBe(trace);
    expect(json.chosen).toBe(runJson.chosen);
    expect(json.learned).toEqual(runJson.learned);
    expect(json.events).toBe(runJson.events);
    expect(json.violations).toEqual([]);
    expect(json.unreproduced).toEqual([]);
    expect(json.ignoredTypes).toEqual({});

    const text = await runCheck([trace, '--no-color']);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    const out = lines(text.stdout);
    expect(out[0]).toBe(`── check: ${trace}, scenario lossy-network, seed 1 ──`);
    expect(out.some((line) => line.startsWith(`chosen    "${runJson.chosen}" in ballot (`))).toBe(true);
    for (const checker of ['agreement', 'validity', 'integrity', 'acceptor-discipline', 'ballot-uniqueness']) {
      expect(out.some((line) => new RegExp(`✓ ${checker} `).test(line)), checker).toBe(true);
    }
    expect(out.some((line) => /- liveness\s+not checked: pass --liveness-within MS/.test(line))).toBe(true);
    expect(out.some((line) => /^result\s+PASS\b/.test(line) && line.includes(`${runJson.events} events`))).toBe(true);
  });

  it('a failing forget-promise run: exit 1 with the same checkers and event indexes the run reported', async () => {
    const scenario = shippedScenario('fuzz-default');
    let seed = 0;
    for (let candidate = 1; candidate <= 300 && seed === 0; candidate++) {
      const result = runFuzzSeed(scenario, candidate, { bug: 'forget-promise' });
      if (result.firstViolation !== null && result.firstViolation.checker !== 'liveness') seed = candidate;
    }
    expect(seed, 'some seed of fuzz-default fails a safety checker with --bug forget-promise').toBeGreaterThan(0);

    const trace = path.join(dir, `forget-promise-${seed}.jsonl`);
    const ran = await runCli(['run', 'scenarios/fuzz-default.yaml', '--seed', String(seed), '--bug', 'forget-promise', '--trace', trace, '--json']);
    expect(ran.code).toBe(1);
    const runJson = JSON.parse(ran.stdout) as { violations: JsonVerdict['violations']; chosen: string | null; events: number };
    const runSafety = runJson.violations.filter((violation) => violation.checker !== 'liveness');
    expect(runSafety.length).toBeGreaterThan(0);

    // Safety only: exactly the run's safety violations, same event indexes, same messages.
    const safety = await runCheck([trace, '--json']);
    expect(safety.code).toBe(1);
    const safetyJson = jsonOf(safety);
    expect(safetyJson.violations).toEqual(runSafety);
    expect(safetyJson.chosen).toBe(runJson.chosen);
    expect(safetyJson.events).toBe(runJson.events);
    // The run also checked liveness (fuzz-default expects it); without the flag that is said, not hidden.
    const recordedLiveness = runJson.violations.some((violation) => violation.checker === 'liveness');
    expect(safetyJson.unreproduced.map((violation) => violation.checker)).toEqual(recordedLiveness ? ['liveness'] : []);

    // With the scenario's liveness deadline: every violation the run reported.
    const all = jsonOf(await runCheck([trace, '--json', '--liveness-within', '2500']));
    expect(all.violations).toEqual(runJson.violations);
    expect(all.unreproduced).toEqual([]);

    // The index points at the violating event: the run's trace has the violation line right after it.
    const traceLines = fs.readFileSync(trace, 'utf8').trimEnd().split('\n');
    const first = runSafety[0]!;
    const violating = JSON.parse(traceLines[first.event + 1]!) as { t: number; type: string };
    expect(violating.t).toBe(first.t);

    const text = await runCheck([trace, '--no-color']);
    expect(text.code).toBe(1);
    const out = lines(text.stdout);
    expect(out.some((line) => line.includes(`✗ ${first.checker}`) && line.includes(`(event #${first.event}, line ${first.event + 2}, t=${first.t})`))).toBe(true);
    expect(out.some((line) => /^result\s+FAIL\b/.test(line))).toBe(true);
    expect(out[0]).toContain(`seed ${seed}, bug forget-promise`);
  });
});

describe('paxsim check on hand-written traces from another implementation', () => {
  it('foreign-clean: bare integer ballots, a crash and restart, one value chosen and learned: exit 0', async () => {
    const outcome = await runCheck([`${FIXTURES}/foreign-clean.jsonl`, '--no-color']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const out = lines(outcome.stdout);
    expect(out[0]).toBe(`── check: ${FIXTURES}/foreign-clean.jsonl ──`);
    expect(out).toContain('chosen    "v1" in ballot (1,) at t=5');
    expect(out).toContain('learned   n1 "v1" t=7 · n2 "v1" t=8 · n3 "v1" t=12');
    expect(out.filter((line) => line.includes('✓'))).toHaveLength(5);
    expect(out.some((line) => /^result\s+PASS\s+11 events, ended t=12$/.test(line))).toBe(true);
    expect(out.some((line) => line.startsWith('note'))).toBe(false);

    const json = jsonOf(await runCheck([`${FIXTURES}/foreign-clean.jsonl`, '--json']));
    expect(json).toEqual({
      trace: `${FIXTURES}/foreign-clean.jsonl`,
      events: 11,
      endMs: 12,
      chosen: 'v1',
      learned: { n1: 'v1', n2: 'v1', n3: 'v1' },
      violations: [],
      livenessInconclusive: false,
      inconclusive: [],
      unreproduced: [],
      ignoredTypes: {},
    });
  });

  it('foreign-split-brain: two values chosen by different majorities: agreement at the second majority accept, #10', async () => {
    const file = `${FIXTURES}/foreign-split-brain.jsonl`;
    const json = jsonOf(await runCheck([file, '--json']));
    expect(json.violations).toEqual([
      { checker: 'agreement', message: 'two values chosen: "X" in ballot (1,A) at t=4, then "Y" in ballot (2,C)', t: 10, event: 10 },
    ]);
    expect(json.chosen).toBe('X');
    expect(json.learned).toEqual({ A: 'X', C: 'Y' });

    const outcome = await runCheck([file, '--no-color']);
    expect(outcome.code).toBe(1);
    const out = lines(outcome.stdout);
    expect(out[0]).toBe(`── check: ${file}, scenario split-brain ──`);
    expect(out).toContain('checkers  ✗ agreement            two values chosen: "X" in ballot (1,A) at t=4, then "Y" in ballot (2,C) (event #10, line 12, t=10)');
    expect(out.some((line) => /^result\s+FAIL\b/.test(line))).toBe(true);
  });

  it('foreign-lower-accept: an acceptor accepts below its promise: acceptor-discipline at #7', async () => {
    const outcome = await runCheck([`${FIXTURES}/foreign-lower-accept.jsonl`, '--json']);
    expect(outcome.code).toBe(1);
    expect(jsonOf(outcome).violations).toEqual([
      { checker: 'acceptor-discipline', message: 'B accepted "X" in ballot (1,A) after promising (2,B)', t: 7, event: 7 },
    ]);
  });

  it('--liveness-within: held, violated at the first event past the deadline, or inconclusive when the trace ends first', async () => {
    const file = `${FIXTURES}/foreign-clean.jsonl`;
    // The last fault is the restart at t=9: with 100 ms, every learner learned in time.
    const held = await runCheck([file, '--no-color', '--liveness-within', '100']);
    expect(held.code).toBe(0);
    expect(lines(held.stdout)).toContain('          ✓ liveness             3 connected learners learned by t=12 (stable since t=9, deadline t=109)');

    // With 1 ms, n3 (learning at t=12) is late for the deadline t=10; judged at the end of the trace,
    // so charged to its last line, at the deadline's time.
    const late = await runCheck([file, '--json', '--liveness-within', '1']);
    expect(late.code).toBe(1);
    expect(jsonOf(late).violations).toEqual([
      { checker: 'liveness', message: 'n3 had not learned a value by t=10, 1 ms after the cluster became stable at t=9', t: 10, event: 10 },
    ]);

    // n3 never learns: with the trace ending before the deadline, liveness cannot be judged (exit 0, but said so).
    const unfinished = fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(0, -1);
    const cut = writeTrace('unfinished.jsonl', [...unfinished, { t: 20, type: 'timer', node: 'n3', timer: 'catchup' }]);
    const inconclusive = await runCheck([cut, '--no-color', '--liveness-within', '100']);
    expect(inconclusive.code).toBe(0);
    const out = lines(inconclusive.stdout);
    expect(out.some((line) => /\? liveness\s+inconclusive: the run ended before the deadline t=109/.test(line))).toBe(true);
    expect(out.some((line) => line.startsWith('note') && line.includes('liveness is inconclusive'))).toBe(true);
    expect(jsonOf(await runCheck([cut, '--json', '--liveness-within', '100'])).livenessInconclusive).toBe(true);

    // …and with protocol events past the deadline, it is a violation charged to the first of them.
    const overdue = writeTrace('overdue.jsonl', [
      ...unfinished,
      { t: 20, type: 'promise', node: 'n1', ballot: 2 },
      { t: 200, type: 'promise', node: 'n2', ballot: 2 },
      { t: 300, type: 'timer', node: 'n3', timer: 'catchup' },
    ]);
    expect(jsonOf(await runCheck([overdue, '--json', '--liveness-within', '100'])).violations).toEqual([
      { checker: 'liveness', message: 'n3 had not learned a value by t=109, 100 ms after the cluster became stable at t=9', t: 200, event: 11 },
    ]);

    const bad = await runCheck([file, '--liveness-within', 'soon']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual(['--liveness-within: must be a duration like 60s, 5m or 1h, got "soon"']);
  });

  it('recorded violation and chosen lines are recomputed, not trusted; one the checkers do not reproduce is noted', async () => {
    const clean = fs.readFileSync(`${FIXTURES}/foreign-clean.jsonl`, 'utf8').trimEnd().split('\n');
    const file = writeTrace('recorded.jsonl', [
      ...clean.slice(0, 8),
      { t: 5, type: 'chosen', value: 'bogus', ballot: [9, 'n1'] },
      { t: 5, type: 'violation', checker: 'agreement', message: 'made up' },
      ...clean.slice(8),
    ]);
    const outcome = await runCheck([file, '--no-color']);
    expect(outcome.code).toBe(0);
    const out = lines(outcome.stdout);
    expect(out).toContain('chosen    "v1" in ballot (1,) at t=5');
    expect(out).toContain('note      the trace records a violation of agreement (event #8, t=5) that these checkers do not reproduce: made up');
    const json = jsonOf(await runCheck([file, '--json']));
    expect(json.violations).toEqual([]);
    expect(json.events).toBe(13);
    expect(json.unreproduced).toEqual([{ checker: 'agreement', message: 'made up', t: 5, event: 8 }]);
  });

  it('events of unknown types are ignored, counted and named; other documented types pass through unvalidated', async () => {
    const clean = fs.readFileSync(`${FIXTURES}/foreign-clean.jsonl`, 'utf8').trimEnd().split('\n');
    const file = writeTrace('unknown-types.jsonl', [
      clean[0],
      { t: 0, type: 'heartbeat', from: 'n1' },
      ...clean.slice(1, 5),
      { t: 4, type: 'send', from: 'n1', to: 'n2', payload: 'whatever' },
      { t: 4, type: 'commit', slot: 1 },
      { t: 4, type: 'heartbeat', from: 'n2' },
      ...clean.slice(5),
    ]);
    const json = jsonOf(await runCheck([file, '--json']));
    expect(json.violations).toEqual([]);
    expect(json.chosen).toBe('v1');
    expect(json.ignoredTypes).toEqual({ heartbeat: 2, commit: 1 });
    const out = lines((await runCheck([file, '--no-color'])).stdout);
    expect(out).toContain('note      ignored 3 events of types outside the trace format: "heartbeat" ×2, "commit" ×1');
  });

  it('colors only on a terminal, and never with --no-color', async () => {
    const file = `${FIXTURES}/foreign-split-brain.jsonl`;
    expect((await runCheck([file], { isTTY: true })).stdout).toMatch(ANSI);
    expect((await runCheck([file, '--no-color'], { isTTY: true })).stdout).not.toMatch(ANSI);
    expect((await runCheck([file], { isTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await runCheck([file])).stdout).not.toMatch(ANSI);
  });
});

describe('paxsim check: bad input is exit 2, one line per problem naming file:line and the field', () => {
  it('not JSON on line 3', async () => {
    const file = writeTrace('not-json.jsonl', [META, { t: 0, type: 'propose', node: 'A', value: 'X', ballot: [1, 'A'] }, '{"t": 1, "type": promise}']);
    await expectOneBadInputLine(file, new RegExp(`^${escape(file)}:3: not valid JSON \\(`));
  });

  it('a missing meta line', async () => {
    const file = writeTrace('no-meta.jsonl', [{ t: 0, type: 'propose', node: 'A', value: 'X', ballot: [1, 'A'] }]);
    const line = await expectOneBadInputLine(file, new RegExp(`^${escape(file)}:1: type: line 1 must be the meta line`));
    expect(line).toContain('got type "propose"');
  });

  it('an empty file', async () => {
    await expectOneBadInputLine(writeTrace('empty.jsonl', []), /:1: meta: the trace is empty/);
  });

  it('a meta line without nodes, or with a role outside nodes', async () => {
    await expectOneBadInputLine(writeTrace('no-nodes.jsonl', [{ type: 'meta', scenario: 'x' }]), /:1: nodes: missing/);
    await expectOneBadInputLine(writeTrace('bad-role.jsonl', [{ type: 'meta', nodes: ['A', 'B'], acceptors: ['A', 'Z'] }]), /:1: acceptors\[1\]: "Z" is not in nodes$/);
  });

  it('an event without t, or with a t that is not a non-negative integer, or going back in time', async () => {
    await expectOneBadInputLine(writeTrace('no-t.jsonl', [META, { type: 'crash', node: 'A' }]), /:2: t: missing; every event needs a non-negative integer virtual time t$/);
    await expectOneBadInputLine(writeTrace('float-t.jsonl', [META, { t: 1.5, type: 'crash', node: 'A' }]), /:2: t: must be a non-negative integer, got 1\.5$/);
    await expectOneBadInputLine(
      writeTrace('back-t.jsonl', [META, { t: 5, type: 'crash', node: 'A' }, { t: 4, type: 'restart', node: 'A' }]),
      /:3: t: 4 is before the previous event's t=5; events must be in time order$/,
    );
  });

  it('an event without a type', async () => {
    await expectOneBadInputLine(writeTrace('no-type.jsonl', [META, { t: 0, node: 'A' }]), /:2: type: missing/);
  });

  it('a ballot of the wrong shape', async () => {
    const file = writeTrace('bad-ballot.jsonl', [META, { t: 0, type: 'accept', node: 'A', ballot: [1, 'A', 3], value: 'X' }]);
    const line = await expectOneBadInputLine(file, new RegExp(`^${escape(file)}:2: accept\\.ballot: must be a ballot \\[round, "node"\\]`));
    expect(line).toContain('got [1,"A",3]');
  });

  it('an unknown node, or a node without the role', async () => {
    await expectOneBadInputLine(
      writeTrace('unknown-node.jsonl', [META, { t: 0, type: 'learn', node: 'Z', value: 'X' }]),
      /:2: learn\.node: "Z" is not a node in the meta line \(nodes: A, B, C\)$/,
    );
    await expectOneBadInputLine(
      writeTrace('not-acceptor.jsonl', [{ ...META, acceptors: ['A', 'B'] }, { t: 0, type: 'promise', node: 'C', ballot: 1 }]),
      /:2: promise\.node: "C" is not one of the meta line's acceptors \(A, B\)$/,
    );
    await expectOneBadInputLine(
      writeTrace('bad-partition.jsonl', [META, { t: 0, type: 'partition', groups: [['A'], ['B', 'Q']] }]),
      /:2: partition\.groups\[1\]\[1\]: "Q" is not a node in the meta line/,
    );
    await expectOneBadInputLine(writeTrace('self-cut.jsonl', [META, { t: 0, type: 'cut', from: 'A', to: 'A' }]), /:2: cut\.to: must differ from from/);
  });

  it('a required field missing', async () => {
    await expectOneBadInputLine(
      writeTrace('no-value.jsonl', [META, { t: 0, type: 'accept', node: 'A', ballot: [1, 'A'] }]),
      /:2: accept\.value: missing; an accept event needs a value$/,
    );
  });

  it('a missing file', async () => {
    const file = path.join(dir, 'does-not-exist.jsonl');
    await expectOneBadInputLine(file, new RegExp(`^${escape(file)}: cannot read the trace \\(no such file\\)$`));
  });

  it('every problem at once, in line order (malformed-several.jsonl)', async () => {
    const file = `${FIXTURES}/malformed-several.jsonl`;
    const outcome = await runCheck([file, '--json']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(lines(outcome.stderr)).toEqual([
      `${file}:3: t: missing; every event needs a non-negative integer virtual time t`,
      `${file}:4: promise.node: "Q" is not a node in the meta line (nodes: A, B, C)`,
      `${file}:5: accept.ballot: must be a ballot [round, "node"] (an integer round and a string id) or a bare integer round, got {"round":1}`,
      `${file}:6: accept.value: missing; an accept event needs a value`,
      expect.stringMatching(new RegExp(`^${escape(file)}:7: not valid JSON \\(`)),
    ]);
  });

  it('caps the report at 20 problems and says how many more there were', async () => {
    const events = Array.from({ length: 25 }, (_, t) => ({ t, type: 'crash', node: 'Z' }));
    const outcome = await runCheck([writeTrace('many.jsonl', [META, ...events])]);
    expect(outcome.code).toBe(2);
    const err = lines(outcome.stderr);
    expect(err).toHaveLength(21);
    expect(err[20]).toMatch(/: … and 5 more problems$/);
  });
});

describe('readTrace and checkTrace as a library', () => {
  it('normalizes bare integer ballots and integer ids, and defaults the roles to nodes', () => {
    const read = readTrace(
      [JSON.stringify({ type: 'meta', nodes: [1, 2, 3] }), JSON.stringify({ t: 0, type: 'propose', node: 1, value: 42, ballot: 7 }), JSON.stringify({ t: 1, type: 'promise', node: 2, ballot: [7, 1] })].join('\r\n'),
      'x.jsonl',
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.meta).toMatchObject({ type: 'meta', nodes: ['1', '2', '3'], acceptors: ['1', '2', '3'], proposers: ['1', '2', '3'], learners: ['1', '2', '3'], scenario: '', seed: 0 });
    expect(read.metaKeys).toEqual(['type', 'nodes']);
    expect(read.events[0]).toEqual({ t: 0, type: 'propose', node: '1', value: '42', ballot: [7, ''] });
    expect(read.events[1]).toEqual({ t: 1, type: 'promise', node: '2', ballot: [7, '1'] });
  });

  it('quorum is a strict majority of meta.acceptors, not of nodes; liveness quiet time counts the end of a burst', () => {
    const meta = { type: 'meta', nodes: ['A', 'B', 'C', 'D', 'E'], acceptors: ['A', 'B', 'C'] };
    const text = [
      meta,
      { t: 0, type: 'propose', node: 'A', value: 'X', ballot: [1, 'A'] },
      { t: 1, type: 'accept', node: 'A', ballot: [1, 'A'], value: 'X' },
      { t: 2, type: 'burst', for: 300, drop: 0.5 },
      { t: 3, type: 'accept', node: 'B', ballot: [1, 'A'], value: 'X' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const read = readTrace(text, 'q.jsonl');
    if (!read.ok) throw new Error(read.errors.join('\n'));
    const result = checkTrace(read.meta, read.events, { livenessWithinMs: 50 });
    expect(result.chosen).toEqual({ value: 'X', ballot: [1, 'A'], t: 3 });
    expect(result.quietFromMs).toBe(302);
    expect(result.endMs).toBe(3);
    expect(result.violations).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
