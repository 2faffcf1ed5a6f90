import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrace } from '../src/check/check-trace.js';
import type { MultiPaxosBug } from '../src/protocols/multipaxos/config.js';
import { applyNemesisOverrides } from '../src/run/nemesis-overrides.js';
import { runScenario, traceLines } from '../src/run/runner.js';
import { readTrace } from '../src/trace/read-trace.js';
import { runCli, type CliOutcome } from './helpers/cli.js';
import { outputLines, writeTraceFile } from './helpers/trace-files.js';
import { shippedScenario } from './helpers/scenario.js';

/** `paxsim check TRACE.jsonl` on Multi-Paxos traces: meta line `"protocol":"multipaxos"`, `nodes` = replicas, `clients`. */

const FIXTURES = 'test/fixtures/traces';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-check-multipaxos-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function runCheck(argv: readonly string[]): Promise<CliOutcome> {
  return runCli(['check', ...argv]);
}

const lines = outputLines;

interface PlainViolation {
  checker: string;
  message: string;
  t: number;
  event: number;
}

interface MultiPaxosJsonVerdict {
  trace: string;
  protocol: 'multipaxos';
  events: number;
  endMs: number;
  slotsChosen: number;
  applied: Record<string, number>;
  operations: { total: number; completed: number; gaveUp: number; inFlight: number };
  leader: { node: string; ballot: [number, string]; t: number } | null;
  summary: Record<string, string>;
  violations: PlainViolation[];
  livenessInconclusive: boolean;
  unreproduced: PlainViolation[];
  ignoredTypes: Record<string, number>;
}

function jsonOf(outcome: CliOutcome): MultiPaxosJsonVerdict {
  expect(outcome.stderr).toBe('');
  const out = lines(outcome.stdout);
  expect(out).toHaveLength(1);
  return JSON.parse(out[0]!) as MultiPaxosJsonVerdict;
}

function writeTrace(name: string, traceLines: readonly unknown[]): string {
  return writeTraceFile(dir, name, traceLines);
}

/** Expects exit 2, nothing on stdout, and exactly these stderr lines (no stack trace). */
async function expectBadInput(file: string, expected: readonly (string | RegExp)[]): Promise<void> {
  const outcome = await runCheck([file]);
  expect(outcome.code).toBe(2);
  expect(outcome.stdout).toBe('');
  const err = lines(outcome.stderr);
  expect(err, outcome.stderr).toHaveLength(expected.length);
  expected.forEach((line, index) => (typeof line === 'string' ? expect(err[index]).toBe(line) : expect(err[index]).toMatch(line)));
  expect(outcome.stderr).not.toMatch(/\n\s+at |Error:/);
}

const META = { type: 'meta', nodes: ['A', 'B', 'C'], protocol: 'multipaxos', clients: ['c1', 'c2'] };
const PUT = { kind: 'put', key: 'x', value: '1' };
const COMMAND = { client: 'c1', requestId: 1, op: PUT };

describe('paxsim check on Multi-Paxos traces written by paxsim run --trace', () => {
  it('a clean multipaxos-kv run checks clean, with the events, log, operations and leader the run reported', async () => {
    const trace = path.join(dir, 'multipaxos-kv.jsonl');
    const ran = await runCli(['run', 'scenarios/multipaxos-kv.yaml', '--trace', trace, '--json']);
    expect(ran.code).toBe(0);
    const runJson = JSON.parse(ran.stdout) as { summary: Record<string, string>; events: number; violations: unknown[] };
    expect(runJson.violations).toEqual([]);

    const checked = await runCheck([trace, '--json', '--liveness-within', '2000']);
    expect(checked.code).toBe(0);
    const json = jsonOf(checked);
    expect(json.protocol).toBe('multipaxos');
    expect(json.events).toBe(runJson.events);
    expect(json.summary).toEqual(runJson.summary);
    // multipaxos-kv: 3 clients × 20 operations, all completed; one slot per operation.
    expect(json.operations).toEqual({ total: 60, completed: 60, gaveUp: 0, inFlight: 0 });
    expect(runJson.summary['clients']).toMatch(/^60 operations: 60 completed, 0 gave up/);
    expect(json.slotsChosen).toBe(60);
    expect(json.applied).toEqual({ A: 60, B: 60, C: 60, D: 60, E: 60 });
    expect(json.leader).toMatchObject({ node: 'A', ballot: [1, 'A'] });
    expect(json.violations).toEqual([]);
    expect(json.livenessInconclusive).toBe(false);
    expect(json.unreproduced).toEqual([]);
    expect(json.ignoredTypes).toEqual({});

    const text = await runCheck([trace, '--no-color']);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    const out = lines(text.stdout);
    expect(out[0]).toBe(`── check: ${trace}, multipaxos, scenario multipaxos-kv, seed 1 ──`);
    expect(out).toContain(`log       ${runJson.summary['log']}`);
    expect(out).toContain(`clients   ${runJson.summary['clients']}`);
    expect(out).toContain(`leader    ${runJson.summary['leader']}`);
    for (const checker of ['slot-agreement', 'log-consistency', 'exactly-once', 'linearizability']) {
      expect(out.some((line) => line.includes(`✓ ${checker} `)), checker).toBe(true);
    }
    expect(out.some((line) => /- client-liveness\s+not checked: pass --liveness-within MS/.test(line))).toBe(true);
    expect(out.some((line) => line.startsWith('chosen') || line.startsWith('learned'))).toBe(false);
    expect(out.some((line) => /^result\s+PASS\b/.test(line) && line.includes(`${runJson.events} events`))).toBe(true);

    const withLiveness = lines((await runCheck([trace, '--no-color', '--liveness-within', '2000'])).stdout);
    expect(withLiveness.some((line) => /✓ client-liveness\s+every operation completed in time/.test(line))).toBe(true);
  });

  // no-dedup fails exactly-once at an apply event; stale-read fails linearizability, judged at the end of the trace.
  it.each(['no-dedup', 'stale-read'] as const)('a failing nemesis run with --bug %s: exit 1 with the same checkers and event indexes the run reported', async (bug: MultiPaxosBug) => {
    const scenario = applyNemesisOverrides(shippedScenario('multipaxos-kv'), { enable: true });
    let seed = 0;
    for (let candidate = 1; candidate <= 80 && seed === 0; candidate++) {
      const result = runScenario(scenario, { seed: candidate, bug, stopOnViolation: false, hash: false });
      if (result.violations.some((violation) => violation.checker !== 'client-liveness')) seed = candidate;
    }
    expect(seed, `some seed of multipaxos-kv under the nemesis fails a safety checker with --bug ${bug}`).toBeGreaterThan(0);

    const result = runScenario(scenario, { seed, bug, stopOnViolation: false, record: true });
    const trace = path.join(dir, `multipaxos-${bug}-${seed}.jsonl`);
    fs.writeFileSync(trace, traceLines(result).join('\n') + '\n');
    const runViolations = result.violations.map(({ checker, message, t, event }) => ({ checker, message, t, event }));
    const runSafety = runViolations.filter((violation) => violation.checker !== 'client-liveness');

    // Safety only: exactly the run's safety violations, same event indexes, same messages.
    const safety = await runCheck([trace, '--json']);
    expect(safety.code).toBe(1);
    const safetyJson = jsonOf(safety);
    expect(safetyJson.violations).toEqual(runSafety);
    expect(safetyJson.events).toBe(result.eventCount);
    // The same log, operations (completed, gave up) and leader lines as the run's verdict.
    expect(safetyJson.summary).toEqual(Object.fromEntries(result.summary.map((line) => [line.label, line.text])));
    const recordedLiveness = runViolations.some((violation) => violation.checker === 'client-liveness');
    expect(safetyJson.unreproduced.map((violation) => violation.checker)).toEqual(recordedLiveness ? ['client-liveness'] : []);

    // With the scenario's liveness deadline: every violation the run reported.
    const within = scenario.expect.liveness?.withinMs;
    expect(within).toBeDefined();
    const all = jsonOf(await runCheck([trace, '--json', '--liveness-within', String(within)]));
    expect(all.violations).toEqual(runViolations);
    expect(all.unreproduced).toEqual([]);

    // The index points at the violating event (or, for a violation found at the end, at the violation line the run appended).
    const first = runSafety[0]!;
    const traceText = fs.readFileSync(trace, 'utf8').trimEnd().split('\n');
    expect((JSON.parse(traceText[first.event + 1]!) as { t: number }).t).toBe(first.t);

    const text = await runCheck([trace, '--no-color']);
    expect(text.code).toBe(1);
    const out = lines(text.stdout);
    expect(out[0]).toBe(`── check: ${trace}, multipaxos, scenario multipaxos-kv, seed ${seed}, bug ${bug} ──`);
    expect(out.some((line) => line.includes(`✗ ${first.checker}`) && line.includes(`(event #${first.event}, line ${first.event + 2}, t=${first.t})`))).toBe(true);
    expect(out.some((line) => /^result\s+FAIL\b/.test(line))).toBe(true);
  });
});

describe('paxsim check on hand-written Multi-Paxos traces', () => {
  it('multipaxos-diverged-log: two replicas apply different commands at slot 0: log-consistency at #10', async () => {
    const file = `${FIXTURES}/multipaxos-diverged-log.jsonl`;
    const outcome = await runCheck([file, '--json']);
    expect(outcome.code).toBe(1);
    expect(jsonOf(outcome)).toEqual({
      trace: file,
      protocol: 'multipaxos',
      events: 13,
      endMs: 8,
      slotsChosen: 1,
      applied: { A: 1, B: 1, C: 1 },
      operations: { total: 2, completed: 1, gaveUp: 0, inFlight: 1 },
      leader: { node: 'A', ballot: [1, 'A'], t: 2 },
      summary: {
        log: '1 slot chosen; applied: A 1 · B 1 · C 1',
        clients: '2 operations: 1 completed, 0 gave up (outcome unknown), 1 in flight at the end',
        leader: 'last elected: A with ballot (1,A) at t=2',
      },
      violations: [{ checker: 'log-consistency', message: 'B applied c2#1 put x="2" at slot 0, but c1#1 put x="1" was chosen there', t: 7, event: 10 }],
      livenessInconclusive: false,
      inconclusive: [],
      unreproduced: [],
      ignoredTypes: {},
    });

    const text = await runCheck([file, '--no-color']);
    expect(text.code).toBe(1);
    const out = lines(text.stdout);
    expect(out[0]).toBe(`── check: ${file}, multipaxos, scenario diverged-log ──`);
    expect(out).toContain('          ✗ log-consistency      B applied c2#1 put x="2" at slot 0, but c1#1 put x="1" was chosen there (event #10, line 12, t=7)');
    expect(out.some((line) => /^result\s+FAIL\s+13 events, ended t=8$/.test(line))).toBe(true);
  });

  it('multipaxos-stale-read: a get returns null after a completed put: linearizability, charged to the last line', async () => {
    const file = `${FIXTURES}/multipaxos-stale-read.jsonl`;
    const outcome = await runCheck([file, '--json']);
    expect(outcome.code).toBe(1);
    const json = jsonOf(outcome);
    expect(json.violations).toHaveLength(1);
    expect(json.violations[0]).toMatchObject({ checker: 'linearizability', t: 14, event: 12 });
    expect(json.violations[0]!.message).toMatch(/^key "x": get x by c2 \[t=7\.\.9\] returned null \(absent\)/);
    expect(json.operations).toEqual({ total: 2, completed: 2, gaveUp: 0, inFlight: 0 });
    const out = lines((await runCheck([file, '--no-color'])).stdout);
    expect(out.some((line) => line.includes('✗ linearizability') && line.endsWith('(event #12, line 14, t=14)'))).toBe(true);
    for (const checker of ['slot-agreement', 'log-consistency', 'exactly-once']) expect(out.some((line) => line.includes(`✓ ${checker} `)), checker).toBe(true);
  });

  it('--liveness-within: client-liveness judged from the last fault; violated, or inconclusive when the trace ends first', async () => {
    const file = `${FIXTURES}/multipaxos-diverged-log.jsonl`;
    // No faults: healthy from t=0, so c1's put (invoked at t=0, completed at t=6) is late for 1 ms at the first event past t=1.
    const late = jsonOf(await runCheck([file, '--json', '--liveness-within', '1']));
    expect(late.violations).toContainEqual({
      checker: 'client-liveness',
      message: 'c1 still waits for #1 (invoked at t=0) 1 ms after the replicas became healthy at t=0',
      t: 2,
      event: 3,
    });
    // With 100 ms, c2's put is still open when the trace ends at t=8, before its deadline: inconclusive.
    const open = await runCheck([file, '--no-color', '--liveness-within', '100']);
    const out = lines(open.stdout);
    expect(out).toContain('          ? client-liveness      inconclusive: the trace ends at t=8, before operations still open are due');
    expect(out.some((line) => line.startsWith('note') && line.includes('liveness is inconclusive'))).toBe(true);
    expect(jsonOf(await runCheck([file, '--json', '--liveness-within', '100'])).livenessInconclusive).toBe(true);

    // The stale-read trace partitions C away at t=6 and heals at t=12: every operation had completed, so liveness holds.
    const held = lines((await runCheck([`${FIXTURES}/multipaxos-stale-read.jsonl`, '--no-color', '--liveness-within', '5'])).stdout);
    expect(held.some((line) => /✓ client-liveness\s+every operation completed in time \(healthy since t=12\)/.test(line))).toBe(true);
  });

  it('recorded chosen and violation lines are recomputed; unknown types are ignored and counted', async () => {
    const stale = fs.readFileSync(`${FIXTURES}/multipaxos-stale-read.jsonl`, 'utf8').trimEnd().split('\n');
    const file = writeTrace('recorded.jsonl', [
      ...stale.slice(0, 5),
      { t: 3, type: 'chosen', slot: 0, command: { noop: true }, ballot: [9, 'Z'] },
      { t: 3, type: 'violation', checker: 'exactly-once', message: 'made up' },
      { t: 3, type: 'heartbeat', from: 'A' },
      { t: 3, type: 'propose', node: 'A', value: 'v', ballot: [1, 'A'] },
      ...stale.slice(5),
      { t: 14, type: 'violation', checker: 'client-liveness', message: 'late' },
    ]);
    const json = jsonOf(await runCheck([file, '--json']));
    expect(json.violations.map((violation) => violation.checker)).toEqual(['linearizability']);
    // The recorded client-liveness line at the end is where the run would have charged its end-of-trace findings.
    expect(json.violations[0]!.event).toBe(17);
    expect(json.slotsChosen).toBe(1);
    expect(json.unreproduced).toEqual([
      { checker: 'exactly-once', message: 'made up', t: 3, event: 5 },
      { checker: 'client-liveness', message: 'late', t: 14, event: 17 },
    ]);
    expect(json.ignoredTypes).toEqual({ heartbeat: 1, propose: 1 });
    const out = lines((await runCheck([file, '--no-color'])).stdout);
    expect(out).toContain('note      the trace records a violation of exactly-once (event #5, t=3) that these checkers do not reproduce: made up');
    expect(out).toContain('          the trace records a violation of client-liveness (event #17, t=14); client-liveness is checked only with --liveness-within MS');
    expect(out).toContain('          ignored 2 events of types outside the trace format: "heartbeat" ×1, "propose" ×1');
  });
});

describe('paxsim check on Multi-Paxos traces: bad input is exit 2, one line per problem', () => {
  it('every problem at once, in line order (multipaxos-malformed.jsonl)', async () => {
    const file = `${FIXTURES}/multipaxos-malformed.jsonl`;
    await expectBadInput(file, [
      `${file}:3: accept.slot: missing; an accept event needs a slot (a non-negative integer)`,
      `${file}:4: accept.command.op.kind: must be "put", "get" or "cas", got "del"`,
      `${file}:5: learn.node: "c1" is a client; a learn event names a replica (nodes: A, B, C)`,
      `${file}:6: apply.slot: must be a non-negative integer, got -1`,
      `${file}:7: accept.command.noop: must be true (a no-op command is {"noop":true}), got false`,
      `${file}:8: invoke.op.expected: missing; a cas op needs expected: the value it replaces, or null for an absent key`,
      `${file}:10: timeout.requestId: c1 has no operation in flight to time out (#2 needs an invoke before it)`,
      `${file}:11: invoke.requestId: c1 already invoked #1 on line 2; a request id names one command, so it is never reused`,
      `${file}:13: complete.result: must be what the get read: a string, or null when the key is absent; got true`,
      `${file}:14: crash.node: "c2" is a client; a crash event names a replica (nodes: A, B, C)`,
    ]);
  });

  it('the meta line: clients are not replicas', async () => {
    const file = writeTrace('client-is-replica.jsonl', [{ ...META, clients: ['c1', 'B'] }]);
    await expectBadInput(file, [`${file}:1: clients[1]: "B" is also in nodes; in a Multi-Paxos trace nodes are the replicas and clients the other ids`]);
  });

  it('client ids must be the meta line’s clients', async () => {
    const noClients = writeTrace('no-clients.jsonl', [{ type: 'meta', nodes: ['A', 'B', 'C'], protocol: 'multipaxos' }, { t: 0, type: 'invoke', node: 'c1', client: 'c1', requestId: 1, op: PUT }]);
    await expectBadInput(noClients, [
      `${noClients}:2: invoke.node: "c1" is not a client: the meta line lists no clients (add "clients":["c1", …] to it)`,
      `${noClients}:2: invoke.client: "c1" is not a client: the meta line lists no clients (add "clients":["c1", …] to it)`,
    ]);
    const replica = writeTrace('replica-command.jsonl', [META, { t: 0, type: 'accept', node: 'A', slot: 0, ballot: [1, 'A'], command: { ...COMMAND, client: 'B' } }]);
    await expectBadInput(replica, [`${replica}:2: accept.command.client: "B" is a replica, not one of the meta line's clients (c1, c2)`]);
  });

  it('commands, ops and results of the wrong shape', async () => {
    const cases: [unknown, RegExp][] = [
      [{ t: 0, type: 'learn', node: 'A', slot: 0, command: 'put x 1' }, /:2: learn\.command: must be a command \{client, requestId, op\} or \{noop: true\}, got "put x 1"$/],
      [{ t: 0, type: 'learn', node: 'A', slot: 0, command: { client: 'c1', requestId: 1 } }, /:2: learn\.command\.op: missing; a command needs an op \{kind: "put" \| "get" \| "cas", key, …\}$/],
      [{ t: 0, type: 'learn', node: 'A', slot: 0, command: { client: 'c1', op: PUT } }, /:2: learn\.command\.requestId: missing; a command \{client, requestId, op\} or \{noop: true\} needs the request id$/],
      [{ t: 0, type: 'accept', node: 'A', slot: 1.5, ballot: 1, command: COMMAND }, /:2: accept\.slot: must be a non-negative integer, got 1\.5$/],
      [{ t: 0, type: 'accept', node: 'A', slot: 0, ballot: 'b1', command: COMMAND }, /:2: accept\.ballot: must be a ballot \[round, "node"\]/],
      [{ t: 0, type: 'apply', node: 'A', slot: 0, command: COMMAND }, /:2: apply\.result: missing; an apply event needs a result$/],
      [{ t: 0, type: 'apply', node: 'A', slot: 0, command: COMMAND, result: 'ok', duplicate: 'yes' }, /:2: apply\.duplicate: must be true or false, got "yes"$/],
      [{ t: 0, type: 'invoke', node: 'c1', client: 'c1', requestId: -1, op: PUT }, /:2: invoke\.requestId: must be a non-negative integer, got -1$/],
      [{ t: 0, type: 'invoke', node: 'c1', client: 'c1', requestId: 1, op: { kind: 'put', key: 'x' } }, /:2: invoke\.op\.value: missing; a put op needs the value it writes$/],
      [{ t: 0, type: 'invoke', node: 'c1', client: 'c1', requestId: 1 }, /:2: invoke\.op: missing; an invoke event needs an op/],
      [{ t: 0, type: 'leader', node: 'A' }, /:2: leader\.ballot: missing; a leader event needs a ballot/],
    ];
    for (const [index, [event, pattern]] of cases.entries()) {
      const file = writeTrace(`shape-${index}.jsonl`, [META, event]);
      await expectBadInput(file, [pattern]);
    }
  });

  it('client histories pair up: one operation in flight per client, closed with its own request id and op', async () => {
    const get = { kind: 'get', key: 'x' };
    const cas = { kind: 'cas', key: 'x', expected: null, value: '2' };
    const overlapping = writeTrace('overlapping.jsonl', [
      META,
      { t: 0, type: 'invoke', node: 'c1', client: 'c1', requestId: 1, op: PUT },
      { t: 1, type: 'invoke', node: 'c1', client: 'c1', requestId: 2, op: get },
    ]);
    await expectBadInput(overlapping, [
      `${overlapping}:3: invoke.requestId: c1 invokes #2 while #1 (line 2) has neither completed nor timed out; a client has one operation in flight at a time`,
    ]);
    const wrongId = writeTrace('wrong-id.jsonl', [
      META,
      { t: 0, type: 'invoke', node: 'c1', client: 'c1', requestId: 1, op: PUT },
      { t: 1, type: 'complete', node: 'c1', client: 'c1', requestId: 7, op: PUT, result: 'ok' },
    ]);
    await expectBadInput(wrongId, [`${wrongId}:3: complete.requestId: #7 is not c1's operation in flight, #1 (invoked on line 2)`]);
    const wrongOp = writeTrace('wrong-op.jsonl', [
      META,
      { t: 0, type: 'invoke', node: 'c2', client: 'c2', requestId: 1, op: cas },
      { t: 1, type: 'timeout', node: 'c2', client: 'c2', requestId: 1, op: get },
    ]);
    await expectBadInput(wrongOp, [`${wrongOp}:3: timeout.op: get x differs from the op c2 invoked as #1 on line 2 (cas x absent→"2")`]);
    const casResult = writeTrace('cas-result.jsonl', [
      META,
      { t: 0, type: 'invoke', node: 'c2', client: 'c2', requestId: 1, op: cas },
      { t: 1, type: 'complete', node: 'c2', client: 'c2', requestId: 1, op: cas, result: 'ok' },
    ]);
    await expectBadInput(casResult, [`${casResult}:3: complete.result: must be true or false (whether the cas swapped), got "ok"`]);
  });

  it('a Multi-Paxos trace whose meta line forgets the protocol is read as Paxos, with a hint', async () => {
    const file = writeTrace('forgot-protocol.jsonl', [{ type: 'meta', nodes: ['A', 'B', 'C'] }, { t: 0, type: 'accept', node: 'A', slot: 0, ballot: [1, 'A'], command: COMMAND }]);
    await expectBadInput(file, [
      `${file}:2: accept.value: missing; an accept event needs a value (this one has a slot or a command: for a Multi-Paxos trace, put "protocol":"multipaxos" in the meta line)`,
    ]);
  });
});

describe('readTrace and checkTrace on Multi-Paxos traces, as a library', () => {
  it('reads protocol multipaxos with its clients, and normalizes integer ids, keys, values and get results to strings', () => {
    const text = [
      { type: 'meta', nodes: [1, 2, 3], protocol: 'multipaxos', clients: [9] },
      { t: 0, type: 'invoke', node: 9, client: 9, requestId: 1, op: { kind: 'put', key: 5, value: 6 } },
      { t: 1, type: 'accept', node: 1, slot: 0, ballot: 3, command: { client: 9, requestId: 1, op: { kind: 'cas', key: 5, expected: 4, value: 6 } } },
      { t: 2, type: 'apply', node: 1, slot: 0, command: { noop: true }, result: null, duplicate: false },
      { t: 3, type: 'complete', node: 9, client: 9, requestId: 1, op: { kind: 'put', key: 5, value: 6 }, result: 'ok' },
      { t: 4, type: 'invoke', node: 9, client: 9, requestId: 2, op: { kind: 'get', key: 5 } },
      { t: 5, type: 'complete', node: 9, client: 9, requestId: 2, op: { kind: 'get', key: 5 }, result: 6 },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const read = readTrace(text, 'mp.jsonl');
    if (!read.ok) throw new Error(read.errors.join('\n'));
    expect(read.protocol).toBe('multipaxos');
    expect(read.meta).toMatchObject({ nodes: ['1', '2', '3'], clients: ['9'], protocol: 'multipaxos' });
    expect(read.events[0]).toEqual({ t: 0, type: 'invoke', node: '9', client: '9', requestId: 1, op: { kind: 'put', key: '5', value: '6' } });
    expect(read.events[1]).toEqual({ t: 1, type: 'accept', node: '1', slot: 0, ballot: [3, ''], command: { client: '9', requestId: 1, op: { kind: 'cas', key: '5', expected: '4', value: '6' } } });
    expect(read.events[2]).toEqual({ t: 2, type: 'apply', node: '1', slot: 0, command: { noop: true }, result: null });
    expect(read.events[5]).toMatchObject({ type: 'complete', result: '6' });
    const result = checkTrace(read.meta, read.events);
    expect(result.protocol).toBe('multipaxos');
    expect(result.chosen).toBeNull();
    expect(result.multipaxos?.operations).toBe(2);
  });

  it('quorum is a strict majority of the replicas (meta.nodes), whatever the Paxos role lists say', () => {
    const meta = { type: 'meta', nodes: ['A', 'B', 'C', 'D', 'E'], acceptors: ['A'], protocol: 'multipaxos' };
    const accept = (t: number, node: string) => ({ t, type: 'accept', node, slot: 0, ballot: [1, 'A'], command: { noop: true } });
    const text = [meta, accept(0, 'A'), accept(1, 'B'), accept(2, 'C'), { t: 3, type: 'burst', for: 300 }].map((line) => JSON.stringify(line)).join('\n');
    const read = readTrace(text, 'q.jsonl');
    if (!read.ok) throw new Error(read.errors.join('\n'));
    const two = checkTrace(read.meta, read.events.slice(0, 2));
    expect(two.multipaxos?.slotsChosen).toBe(0);
    const three = checkTrace(read.meta, read.events, { livenessWithinMs: 50 });
    expect(three.multipaxos?.slotsChosen).toBe(1);
    expect(three.quietFromMs).toBe(303);
    expect(three.violations).toEqual([]);
  });

  it('a Paxos trace still reads and checks as Paxos', () => {
    const read = readTrace(fs.readFileSync(`${FIXTURES}/foreign-clean.jsonl`, 'utf8'), 'foreign-clean.jsonl');
    if (!read.ok) throw new Error(read.errors.join('\n'));
    expect(read.protocol).toBe('paxos');
    const result = checkTrace(read.meta, read.events);
    expect(result.protocol).toBe('paxos');
    expect(result.multipaxos).toBeNull();
    expect(result.chosen?.value).toBe('v1');
  });
});
