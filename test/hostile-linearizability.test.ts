import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { etcdLinearizableHistory, staleRead, staleReadAfterRead } from '../bench/etcd-history.js';
import type { TraceEvent } from '../src/sim/events.js';
import { CheckerSuite } from '../src/check/suite.js';
import { MultiPaxosChecks } from '../src/check/multipaxos-checks.js';
import { checkLinearizability, type HistoryOperation, type KvOperation } from '../src/check/linearizability.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import { runScenario } from '../src/run/runner.js';
import { runCli } from './helpers/cli.js';
import { outputLines, writeTraceFile } from './helpers/trace-files.js';

/**
 * Trust in verdicts: a history the linearizability search cannot afford is
 * not a pass, obvious violations are found without searching, etcd-like
 * histories with many open timed-out operations are decided, and two values
 * accepted in one ballot are caught by their own checker.
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-hostile-lin-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function timedOut(id: number, operation: KvOperation, invokeMs: number): HistoryOperation {
  return { id, client: `t${id}`, operation, invokeMs, completeMs: null, outcome: { kind: 'unknown' } };
}

function read(id: number, value: string | null, invokeMs: number, completeMs: number): HistoryOperation {
  return { id, client: `r${id}`, operation: { kind: 'get', key: 'k' }, invokeMs, completeMs, outcome: { kind: 'ok', value } };
}

function put(id: number, value: string, invokeMs: number, completeMs: number): HistoryOperation {
  return { id, client: `w${id}`, operation: { kind: 'put', key: 'k', value }, invokeMs, completeMs, outcome: { kind: 'ok' } };
}

/** 23 concurrent timed-out puts and cas whose values later reads observe: the shape that made the search give up. */
function manyOpenOperations(): HistoryOperation[] {
  const history: HistoryOperation[] = [];
  for (let i = 0; i < 23; i++) {
    const operation: KvOperation = i % 2 === 0 ? { kind: 'put', key: 'k', value: `v${i}` } : { kind: 'cas', key: 'k', expected: `v${i - 1}`, value: `v${i}` };
    history.push(timedOut(i, operation, i));
  }
  for (let i = 0; i < 23; i++) history.push(read(100 + i, `v${(i * 7) % 23}`, 30 + i, 31 + i));
  return history;
}

describe('linearizability: reads no order can explain are violations at once', () => {
  it('a get of a value nobody wrote, after 23 open timed-out operations, is a violation (it used to give up: "undecided … PASS")', () => {
    const history = [...manyOpenOperations(), read(999, 'never', 60, 61)];
    const result = checkLinearizability(history);
    expect(result).toMatchObject({ linearizable: false, key: 'k', stuckAt: [999], statesExplored: 0 });
    if (result.linearizable !== false) return;
    expect(result.explanation).toBe('key "k": get k by r999 [t=60..61] returned "never", but no operation ever writes "never"');
  });

  it('a get that returns before any write of its value was invoked is a violation, naming the first write', () => {
    const history = [...manyOpenOperations(), read(999, 'late', 60, 61), put(1000, 'late', 62, 70)];
    const result = checkLinearizability(history);
    expect(result.linearizable).toBe(false);
    if (result.linearizable !== false) return;
    expect(result.explanation).toContain('returned "late", but no operation writing "late" was invoked before it returned (the first at t=62)');
  });

  it('a successful cas expecting a value nobody wrote is a violation; a write invoked as the read returns is concurrent', () => {
    const cas: HistoryOperation = { id: 1, client: 'c', operation: { kind: 'cas', key: 'k', expected: 'x', value: 'y' }, invokeMs: 0, completeMs: 5, outcome: { kind: 'cas', succeeded: true } };
    expect(checkLinearizability([cas]).linearizable).toBe(false);
    // Touching intervals are concurrent: the put invoked at t=5 may come first.
    expect(checkLinearizability([cas, put(2, 'x', 5, 9)]).linearizable).toBe(true);
    // A failed put did not happen, so it writes nothing.
    const failedPut: HistoryOperation = { ...put(3, 'x', 0, 1), outcome: { kind: 'fail' } };
    expect(checkLinearizability([failedPut, cas]).linearizable).toBe(false);
  });

  it('a stale read behind 23 open operations is decided, not given up on', () => {
    const history = [...manyOpenOperations().slice(0, 23), read(200, 'v0', 30, 31), put(201, 'b', 32, 33), read(202, 'v0', 34, 35)];
    // Both reads of "v0" can be explained only if some write of "v0" follows "b": only put v0 writes it, and only once.
    const result = checkLinearizability(history);
    expect(result.linearizable).toBe(false);
  });
});

describe('linearizability: etcd-like register histories (5 processes replaced after timeouts, values 0-4, ~170 events)', () => {
  it('decides every one of 40 seeds correctly: linearizable by construction, or with one read made stale', () => {
    let stale = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const history = etcdLinearizableHistory({ seed });
      expect(history.length * 2).toBeGreaterThanOrEqual(170);
      expect(history.filter((op) => op.completeMs === null).length, `seed ${seed}: some operations stay open`).toBeGreaterThan(0);
      expect(checkLinearizability(history).linearizable, `seed ${seed}`).toBe(true);
      const mutated = staleRead(history, seed);
      if (mutated === null) continue;
      stale += 1;
      expect(checkLinearizability(mutated).linearizable, `seed ${seed} with a stale read`).toBe(false);
    }
    expect(stale).toBeGreaterThan(30);
  });

  it('with many more timeouts (30%), still decides every seed of 1-20', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const history = etcdLinearizableHistory({ seed, timeoutRate: 0.3 });
      expect(checkLinearizability(history).linearizable, `seed ${seed}`).toBe(true);
      const mutated = staleRead(history, seed);
      if (mutated !== null) expect(checkLinearizability(mutated).linearizable, `seed ${seed} stale`).toBe(false);
    }
  });

  it('decides a read made stale behind another read (the search, not only pruning) on every seed that has one', () => {
    let mutated = 0;
    let searched = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const history = staleReadAfterRead(etcdLinearizableHistory({ seed }), seed);
      if (history === null) continue;
      mutated += 1;
      const result = checkLinearizability(history);
      expect(result.linearizable, `seed ${seed}`).toBe(false);
      if (result.statesExplored > 0) searched += 1;
    }
    expect(mutated).toBeGreaterThan(20);
    expect(searched).toBeGreaterThan(10);
  });

  it('the generator is deterministic per seed', () => {
    expect(etcdLinearizableHistory({ seed: 7 })).toEqual(etcdLinearizableHistory({ seed: 7 }));
    expect(etcdLinearizableHistory({ seed: 7 })).not.toEqual(etcdLinearizableHistory({ seed: 8 }));
  });

  it('past its budget the search says unknown with the reason, never true or false', () => {
    const result = checkLinearizability(etcdLinearizableHistory({ seed: 3, timeoutRate: 0.3 }), { maxStatesPerKey: 20 });
    expect(result.linearizable).toBe('unknown');
    if (result.linearizable !== 'unknown') return;
    expect(result.reason).toMatch(/^key "r": gave up after exploring \d+ configurations \(maxStatesPerKey 20\)/);
  });
});

// ---------------------------------------------------------------- ballot uniqueness

const META = { type: 'meta', nodes: ['A', 'B', 'C'] };

function paxosSuite(): CheckerSuite {
  return new CheckerSuite({ nodes: ['A', 'B', 'C'], proposers: ['A', 'B', 'C'], acceptors: ['A', 'B', 'C'], learners: ['A', 'B', 'C'], quorumSize: 2 }, undefined);
}

function feed(suite: CheckerSuite, events: readonly TraceEvent[]): void {
  events.forEach((event, index) => suite.observe(event, index));
  suite.finish(events.at(-1)?.t ?? 0, events.length);
}

describe('ballot-uniqueness (single-decree)', () => {
  const acceptXY: TraceEvent[] = [
    { t: 1, type: 'accept', node: 'A', ballot: [1, 'A'], value: 'X' },
    { t: 2, type: 'accept', node: 'B', ballot: [2, 'B'], value: 'Y' },
    { t: 3, type: 'accept', node: 'C', ballot: [1, 'A'], value: 'Y' },
  ];

  it('reports the first acceptance of a second value in one ballot, before anything is chosen', () => {
    const suite = paxosSuite();
    feed(suite, acceptXY);
    expect(suite.violations).toEqual([
      { checker: 'ballot-uniqueness', message: 'C accepted "Y" in ballot (1,A), but A accepted "X" in that ballot at t=1: a ballot must carry one value', t: 3, event: 2 },
    ]);
    expect(suite.ledger.chosen).toEqual([]);
  });

  it('holds for the same value accepted again in one ballot, and different values in different ballots', () => {
    const suite = paxosSuite();
    feed(suite, [acceptXY[0]!, acceptXY[1]!, { t: 3, type: 'accept', node: 'C', ballot: [1, 'A'], value: 'X' }, { t: 4, type: 'accept', node: 'A', ballot: [1, 'A'], value: 'X' }]);
    expect(suite.violations.filter((violation) => violation.checker === 'ballot-uniqueness')).toEqual([]);
    expect(suite.reports().find((report) => report.name === 'ballot-uniqueness')).toMatchObject({ violation: null, detail: 'each ballot carried one value' });
  });

  it('paxsim check reports it on a foreign trace (bare integer ballots), exit 1', async () => {
    const file = writeTraceFile(tmp, 'two-values.jsonl', [
      META,
      { t: 1, type: 'accept', node: 'A', ballot: 7, value: 'X' },
      { t: 2, type: 'accept', node: 'B', ballot: 7, value: 'Y' },
    ]);
    const outcome = await runCli(['check', file, '--no-color']);
    expect(outcome.code).toBe(1);
    expect(outputLines(outcome.stdout).some((line) => /✗ ballot-uniqueness\s+B accepted "Y" in ballot \(7,\), but A accepted "X" in that ballot at t=1.*line 3, t=2\)$/.test(line))).toBe(true);
  });

  it('catches the same-ballot bug, no later than any other checker, on every seed where it breaks safety', () => {
    const loaded = loadScenarioFile('scenarios/dueling-proposers.yaml');
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    let caught = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const result = runScenario(loaded.scenario, { seed, bug: 'same-ballot', hash: false });
      if (result.violations.length === 0) continue;
      const ballot = result.violations.find((violation) => violation.checker === 'ballot-uniqueness');
      expect(ballot, `seed ${seed}`).toBeDefined();
      expect(ballot!.event).toBe(Math.min(...result.violations.map((violation) => violation.event)));
      caught += 1;
    }
    expect(caught).toBeGreaterThanOrEqual(5);
  });

  it('paxsim list names it for both protocols', async () => {
    const outcome = await runCli(['list', '--no-color']);
    expect(outcome.stdout.match(/^ {2}ballot-uniqueness /gm)).toHaveLength(2);
  });
});

describe('ballot-uniqueness (Multi-Paxos, per slot)', () => {
  const context = { replicas: ['A', 'B', 'C'], clients: ['c1'], quorumSize: 2 };
  const putX = { client: 'c1', requestId: 1, op: { kind: 'put', key: 'x', value: '1' } } as const;
  const putY = { client: 'c1', requestId: 2, op: { kind: 'put', key: 'x', value: '2' } } as const;

  it('two commands accepted in one ballot at one slot are a violation; the same ballot at another slot is not', () => {
    const checks = new MultiPaxosChecks(context, undefined);
    const events = [
      { t: 1, type: 'accept', node: 'A', slot: 0, ballot: [1, 'A'], command: putX },
      { t: 2, type: 'accept', node: 'B', slot: 1, ballot: [1, 'A'], command: putY },
      { t: 3, type: 'accept', node: 'B', slot: 0, ballot: [1, 'A'], command: putX },
      { t: 4, type: 'accept', node: 'C', slot: 0, ballot: [1, 'A'], command: putY },
    ] as const;
    events.forEach((event, index) => checks.observe(event as never, index));
    expect(checks.violations.filter((violation) => violation.checker === 'ballot-uniqueness')).toEqual([
      {
        checker: 'ballot-uniqueness',
        message: 'C accepted c1#2 put x="2" in ballot (1,A) at slot 0, but A accepted c1#1 put x="1" in that ballot at t=1: a ballot must carry one value',
        t: 4,
        event: 3,
      },
    ]);
    expect(checks.hasSafetyViolation).toBe(true);
  });

  it('holds on a clean history', () => {
    const checks = new MultiPaxosChecks(context, undefined);
    checks.observe({ t: 1, type: 'accept', node: 'A', slot: 0, ballot: [1, 'A'], command: putX } as never, 0);
    checks.observe({ t: 2, type: 'accept', node: 'B', slot: 0, ballot: [2, 'B'], command: putY } as never, 1);
    expect(checks.reports().find((report) => report.name === 'ballot-uniqueness')).toMatchObject({ violation: null });
  });
});
