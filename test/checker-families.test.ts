import { describe, expect, it } from 'vitest';
import type { TraceChecks, Violation } from '../src/check/checker.js';
import { familyCheckerNames, familyChecks, type CheckerFamily } from '../src/run/checker-families.js';
import { defineProtocol } from '../src/run/protocol-definition.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { scenarioFromYaml } from './helpers/scenario.js';

/**
 * The checker families a user protocol asks for (issue 10): each catches a
 * planted violation in a hand-written observation stream and passes a
 * correct one. The streams are what a user protocol's nodes would observe.
 */

const SCENARIO = scenarioFromYaml('name: families\nprotocol: ./user.mjs\nnodes: [A, B, C]\nclients: { count: 2, ops: 1 }\n');

type Event = Record<string, unknown> & { type: string };

/** Feeds `events` (t = their index) to a fresh run's checks for `families`; returns every violation, finish included. */
function judge(families: CheckerFamily[], events: Event[], liveness?: { withinMs: number; quietFromMs: number }): { violations: Violation[]; checks: TraceChecks; derived: AnyTraceEvent[] } {
  const { checks } = familyChecks('user', families, SCENARIO, liveness);
  const violations: Violation[] = [];
  const derived: AnyTraceEvent[] = [];
  events.forEach((event, index) => {
    const seen = checks.observe({ t: index, ...event } as unknown as AnyTraceEvent, index);
    violations.push(...seen.violations);
    if (seen.derived !== null) derived.push(seen.derived);
  });
  violations.push(...checks.finish(10_000, events.length));
  return { violations, checks, derived };
}

const checkersOf = (violations: Violation[]) => violations.map((violation) => violation.checker);

const put = (client: string, requestId: number, key: string, value: string) => ({ client, requestId, op: { kind: 'put', key, value } });
const get = (client: string, requestId: number, key: string) => ({ client, requestId, op: { kind: 'get', key } });

/** One slot decided by all three: proposed, promised, accepted, learned. */
function decided(slot: number, command: unknown, ballot: [number, string] = [1, 'A']): Event[] {
  return [
    { type: 'propose', node: ballot[1], slot, command, ballot },
    ...['A', 'B', 'C'].map((node) => ({ type: 'promise', node, ballot })),
    ...['A', 'B', 'C'].map((node) => ({ type: 'accept', node, slot, ballot, command })),
    ...['A', 'B', 'C'].map((node) => ({ type: 'learn', node, slot, command })),
  ];
}

describe('multi-decree', () => {
  it('passes a correct log and derives each chosen slot', () => {
    const { violations, derived, checks } = judge(['multi-decree'], [...decided(0, 'x'), ...decided(1, { anything: ['plain', 'data'] })]);
    expect(violations).toEqual([]);
    expect(derived.map((event) => [event.type, (event as { slot?: number }).slot])).toEqual([['chosen', 0], ['chosen', 1]]);
    expect(checks.reports().map((report) => report.name)).toEqual(familyCheckerNames(['multi-decree']));
  });

  it('catches two commands chosen in one slot (slot agreement)', () => {
    const events = [...decided(0, 'x'), { type: 'propose', node: 'B', slot: 0, command: 'y', ballot: [2, 'B'] }, ...['B', 'C'].map((node) => ({ type: 'accept', node, slot: 0, ballot: [2, 'B'], command: 'y' }))];
    const { violations } = judge(['multi-decree'], events);
    expect(checkersOf(violations)).toEqual(['slot-agreement']);
    expect(violations[0]!.message).toMatch(/^slot 0: "y" chosen in \(2,B\) after "x" was chosen/);
  });

  it('catches a learned command nobody proposed for that slot (validity)', () => {
    const events = [...decided(0, 'x'), { type: 'learn', node: 'A', slot: 1, command: 'x' }];
    const { violations } = judge(['multi-decree'], events);
    expect(checkersOf(violations)).toContain('validity');
    expect(violations.find((violation) => violation.checker === 'validity')!.message).toBe('slot 1: A learned "x", which was never proposed');
  });

  it('catches a learner that learns a slot twice (integrity)', () => {
    const { violations } = judge(['multi-decree'], [...decided(0, 'x'), { type: 'learn', node: 'B', slot: 0, command: 'x' }]);
    expect(checkersOf(violations)).toEqual(['integrity']);
    expect(violations[0]!.message).toMatch(/^slot 0: B learned .* a second time/);
  });

  it('catches an accept below a promise, in another slot than the promise was made for (acceptor discipline)', () => {
    const events = [...decided(0, 'x', [3, 'C']), { type: 'propose', node: 'B', slot: 1, command: 'y', ballot: [2, 'B'] }, { type: 'accept', node: 'A', slot: 1, ballot: [2, 'B'], command: 'y' }];
    const { violations } = judge(['multi-decree'], events);
    expect(checkersOf(violations)).toEqual(['acceptor-discipline']);
    expect(violations[0]!.message).toMatch(/^slot 1: A accepted .* in ballot \(2,B\) after promising \(3,C\)/);
  });

  it('catches two commands accepted in one ballot at one slot (ballot uniqueness)', () => {
    const events = [{ type: 'accept', node: 'A', slot: 4, ballot: [1, 'A'], command: 'x' }, { type: 'accept', node: 'B', slot: 4, ballot: [1, 'A'], command: 'y' }];
    const { violations } = judge(['multi-decree'], events);
    expect(checkersOf(violations)).toEqual(['ballot-uniqueness']);
  });

  it('refuses an observation without the fields it reads, naming node, event and field', () => {
    expect(() => judge(['multi-decree'], [{ type: 'accept', node: 'B', ballot: [1, 'A'], command: 'x' }])).toThrow(
      /^protocol user: node B observed accept with slot undefined: must be a non-negative integer \(checker family multi-decree reads .*accept \{slot, ballot, command\}/,
    );
    expect(() => judge(['multi-decree'], [{ type: 'promise', node: 'C', ballot: 7 }])).toThrow(/node C observed promise with ballot 7: must be a ballot \[round, node\]/);
  });
});

describe('leaders', () => {
  it('passes one leader per ballot and per term', () => {
    const events = [
      { type: 'leader', node: 'A', ballot: [1, 'A'] },
      { type: 'leader', node: 'B', ballot: [2, 'B'] },
      { type: 'leader', node: 'B', ballot: [2, 'B'] },
      { type: 'leader', node: 'C', term: 3 },
      { type: 'leader', node: 'A', term: 4 },
    ];
    expect(judge(['leaders'], events).violations).toEqual([]);
  });

  it('catches two leaders of one ballot', () => {
    const { violations } = judge(['leaders'], [{ type: 'leader', node: 'A', ballot: [1, 'A'] }, { type: 'leader', node: 'B', ballot: [1, 'A'] }]);
    expect(violations).toEqual([{ checker: 'leader-uniqueness', message: 'B became leader of ballot (1,A), which A already leads', t: 1, event: 1 }]);
  });

  it('catches two leaders of one term', () => {
    const { violations } = judge(['leaders'], [{ type: 'leader', node: 'A', term: 2 }, { type: 'leader', node: 'C', term: 2 }]);
    expect(violations.map((violation) => violation.message)).toEqual(['C became leader of term 2, which A already leads']);
  });

  it('refuses a leader event with both or neither of ballot and term', () => {
    expect(() => judge(['leaders'], [{ type: 'leader', node: 'A' }])).toThrow(/node A observed leader with ballot undefined and term undefined: give exactly one of them/);
    expect(() => judge(['leaders'], [{ type: 'leader', node: 'A', term: 1, ballot: [1, 'A'] }])).toThrow(/give exactly one of them/);
  });
});

describe('state-machine', () => {
  const apply = (node: string, slot: number, command: unknown) => ({ type: 'apply', node, slot, command, result: 'ok' });

  it('passes replicas that apply the same commands in slot order', () => {
    const events = ['A', 'B', 'C'].flatMap((node) => [apply(node, 0, put('c1', 1, 'x', '1')), apply(node, 1, put('c2', 1, 'x', '2'))]);
    expect(judge(['state-machine'], events).violations).toEqual([]);
  });

  it('catches two replicas applying different commands at a slot (log consistency)', () => {
    const { violations } = judge(['state-machine'], [apply('A', 0, put('c1', 1, 'x', '1')), apply('B', 0, put('c2', 1, 'x', '2'))]);
    expect(checkersOf(violations)).toEqual(['log-consistency']);
    expect(violations[0]!.message).toMatch(/B applied c2#1 put x="2" at slot 0, but A applied another command there/);
  });

  it('catches a replica applying a slot out of order (log consistency)', () => {
    const { violations } = judge(['state-machine'], [apply('A', 0, 'a'), apply('A', 2, 'b')]);
    expect(violations.map((violation) => violation.message)).toEqual(['A applied slot 2 when its next slot was 1: the log must be applied in order, without gaps']);
  });

  it('catches a client command applied twice by one replica (exactly-once)', () => {
    const { violations } = judge(['state-machine'], [apply('A', 0, put('c1', 1, 'x', '1')), apply('A', 1, put('c1', 1, 'x', '1'))]);
    expect(checkersOf(violations)).toEqual(['exactly-once']);
  });

  it('with multi-decree, applying a command that was never chosen breaks log consistency', () => {
    const { violations } = judge(['multi-decree', 'state-machine'], [...decided(0, 'x'), apply('A', 0, 'x'), apply('B', 0, 'x'), apply('B', 1, 'y')]);
    expect(violations.map((violation) => violation.message)).toEqual(['B applied "y" at slot 1, which no majority of replicas had accepted']);
  });
});

describe('clients', () => {
  const invoke = (client: string, requestId: number, op: unknown) => ({ type: 'invoke', node: client, client, requestId, op });
  const complete = (client: string, requestId: number, op: unknown, result: unknown) => ({ type: 'complete', node: client, client, requestId, op, result });

  it('passes a linearizable history', () => {
    const events = [invoke('c1', 1, put('c1', 1, 'x', '1').op), complete('c1', 1, put('c1', 1, 'x', '1').op, 'ok'), invoke('c2', 1, get('c2', 1, 'x').op), complete('c2', 1, get('c2', 1, 'x').op, '1')];
    const { violations, checks } = judge(['clients'], events);
    expect(violations).toEqual([]);
    expect(checks.reports().find((report) => report.name === 'linearizability')!.detail).toMatch(/^2 operations on 1 key are linearizable/);
  });

  it('catches a stale read (linearizability)', () => {
    const events = [invoke('c1', 1, put('c1', 1, 'x', '1').op), complete('c1', 1, put('c1', 1, 'x', '1').op, 'ok'), invoke('c2', 1, get('c2', 1, 'x').op), complete('c2', 1, get('c2', 1, 'x').op, null)];
    expect(checkersOf(judge(['clients'], events).violations)).toEqual(['linearizability']);
  });

  it('catches an operation that never completes once the cluster is healthy (client liveness)', () => {
    const { violations } = judge(['clients'], [invoke('c1', 1, get('c1', 1, 'x').op)], { withinMs: 500, quietFromMs: 0 });
    expect(checkersOf(violations)).toEqual(['client-liveness']);
    expect(violations[0]!.message).toMatch(/^c1 still waits for #1 \(invoked at t=0\) 500 ms after the replicas became healthy/);
  });

  it('client liveness is not judged without expect.liveness', () => {
    const { violations, checks } = judge(['clients'], [invoke('c1', 1, get('c1', 1, 'x').op)]);
    expect(violations).toEqual([]);
    expect(checks.reports().map((report) => report.name)).toEqual(['linearizability']);
  });
});

describe('asking for families', () => {
  const node = () => ({ start() {}, recover() {}, onRequest() {}, onMessage() {}, onTimer() {}, volatileState: () => ({}) });

  it('lists each family\'s checkers by name (paxsim list)', () => {
    const definition = defineProtocol({ name: 'all', checkers: ['multi-decree', 'leaders', 'state-machine', 'clients'], createNode: node });
    expect(definition.checkerNames).toEqual([
      'slot-agreement',
      'ballot-uniqueness',
      'validity',
      'integrity',
      'acceptor-discipline',
      'leader-uniqueness',
      'log-consistency',
      'exactly-once',
      'linearizability',
      'client-liveness',
      'no-exceptions',
    ]);
    expect(definition.takesClients).toBe(false);
  });

  it('refuses single-decree with multi-decree, and unknown families', () => {
    expect(() => defineProtocol({ name: 'both', checkers: ['single-decree', 'multi-decree'], createNode: node })).toThrow(/single-decree and multi-decree exclude each other/);
    expect(() => defineProtocol({ name: 'typo', checkers: ['leader' as CheckerFamily], createNode: node })).toThrow(/"leader" is none of them/);
  });
});
