import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProtocolFactory, ProtocolNode } from '../src/protocols/effects.js';
import { EntryQueue, NO_COPIES } from '../src/sim/entry-queue.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { LinkState } from '../src/sim/network.js';
import { materializeScenario } from '../src/sim/nemesis.js';
import { observationEvent } from '../src/sim/observation-event.js';
import { randomStream } from '../src/sim/rng.js';
import { Simulation } from '../src/sim/simulation.js';
import { shippedScenario } from './helpers/scenario.js';

/**
 * The untraced hot path (issue 9, "a faster core"): entries in flat arrays
 * with reused handles, observation events built as literals, timers in short
 * lists, a cheaper nemesis and set-up. Each shortcut must give exactly what
 * the plain version gave; these tests pin what they could get wrong.
 */

describe('the entry queue', () => {
  it('pops in (time, scheduling order), whatever handles are reused, like a sort of what was pushed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 300 }), (steps) => {
        const queue = EntryQueue.acquire();
        // Reference: (time, sequence) pairs; every step pushes one entry, and some also pop one first (so handles are reused).
        const pending: { timeMs: number; sequence: number; payload: string }[] = [];
        let sequence = 0;
        let nowMs = 0;
        for (const [delayMs, popFirst] of steps) {
          if (popFirst && pending.length > 0) {
            pending.sort((a, b) => a.timeMs - b.timeMs || a.sequence - b.sequence);
            const expected = pending.shift()!;
            const handle = queue.pop();
            expect([queue.timeMs(handle), queue.payload(handle)]).toEqual([expected.timeMs, expected.payload]);
            nowMs = expected.timeMs;
            queue.release(handle);
          }
          const payload = `entry ${sequence}`;
          queue.push(queue.create(0, 1, 2, sequence, payload, NO_COPIES), nowMs + delayMs);
          pending.push({ timeMs: nowMs + delayMs, sequence: sequence++, payload });
        }
        pending.sort((a, b) => a.timeMs - b.timeMs || a.sequence - b.sequence);
        for (const expected of pending) {
          const handle = queue.pop();
          expect([queue.timeMs(handle), queue.payload(handle), queue.id(handle)]).toEqual([expected.timeMs, expected.payload, expected.sequence]);
          queue.release(handle);
        }
        expect(queue.size).toBe(0);
        queue.recycle();
      }),
    );
  });

  it('keeps every field of an entry through growth past its first arrays, and a recycled queue starts empty', () => {
    const queue = EntryQueue.acquire();
    const count = 1000;
    for (let index = 0; index < count; index++) queue.push(queue.create(index % 4, index, -index, index * 3, { index }, index % 7 === 0 ? index : NO_COPIES), count - index);
    for (let index = count - 1; index >= 0; index--) {
      const handle = queue.pop();
      expect([queue.kind(handle), queue.node(handle), queue.other(handle), queue.id(handle), queue.copies(handle), queue.payload(handle)]).toEqual([
        index % 4,
        index,
        -index,
        index * 3,
        index % 7 === 0 ? index : NO_COPIES,
        { index },
      ]);
      queue.release(handle);
    }
    queue.push(queue.create(0, 0, 0, 0, 'left behind', NO_COPIES), 5);
    queue.recycle();
    const next = EntryQueue.acquire();
    expect(next.size).toBe(0);
    expect(next.peekTimeMs()).toBe(-1);
    next.recycle();
  });

  it('refuses a time that is not a non-negative integer', () => {
    const queue = EntryQueue.acquire();
    expect(() => queue.push(queue.create(0, 0, 0, 0, null, NO_COPIES), 1.5)).toThrow(/non-negative integer/);
    expect(() => queue.push(queue.create(0, 0, 0, 0, null, NO_COPIES), -1)).toThrow(/non-negative integer/);
  });
});

describe('observation events', () => {
  // What the simulator did for every observation before: the type listed first only to hold its place.
  const spread = (t: number, node: string, observation: { type: string }) => ({ t, type: observation.type, node, ...(observation as object) });
  const ballot = [3, 'A'] as const;

  it.each([
    { type: 'propose', value: 'X', ballot },
    { type: 'adopt', ballot, value: 'X', from: [1, 'B'] },
    { type: 'promise', ballot },
    { type: 'accept', ballot, value: 'X' },
    { type: 'learn', value: 'X' },
    // Same type names, other keys or another order: spread as they are.
    { type: 'accept', slot: 4, ballot, command: { client: 'c1', requestId: 1 } },
    { type: 'accept', value: 'X', ballot },
    { type: 'promise', ballot, extra: true },
    { type: 'learn' },
    { type: 'leader', ballot },
  ])('of %j: the same keys in the same order as a spread, with the same values', (observation) => {
    const event = observationEvent(7, 'B', observation);
    expect(JSON.stringify(event)).toBe(JSON.stringify(spread(7, 'B', observation)));
    expect(Object.keys(event)).toEqual(Object.keys(spread(7, 'B', observation)));
  });
});

describe('link state in typed arrays', () => {
  it('blocks, describes and heals partitions and cuts as before', () => {
    const links = new LinkState(['A', 'B', 'C', 'D'], ['D']);
    links.partition([['A'], ['B']]);
    links.cutLink('C', 'B');
    expect(links.isBlocked(0, 1)).toBe(true);
    expect(links.isBlocked(2, 1)).toBe(true);
    expect(links.isBlocked(1, 2)).toBe(true);
    expect(links.isBlocked(0, 3)).toBe(false);
    expect(links.describe()).toEqual({ groups: [['A'], ['B'], ['C']], cuts: [['C', 'B']] });
    links.healAll();
    expect(links.isBlocked(2, 1)).toBe(false);
    expect(links.describe()).toEqual({ groups: null, cuts: [] });
    expect(links.isWhole()).toBe(true);
  });

  it.each([4, 8, 9, 30])('finds every node of a %i-node cluster by id (scanned or mapped), and refuses an unknown one', (count) => {
    const nodes = Array.from({ length: count }, (_, index) => `n${index}`);
    const links = new LinkState(nodes);
    // Ids built again, so they are equal strings but not the same objects.
    expect(nodes.map((_, index) => links.index(`n${String(index)}`))).toEqual(nodes.map((_, index) => index));
    expect(() => links.index('nowhere')).toThrow(/unknown node nowhere/);
  });
});

describe('the cheaper nemesis and streams', () => {
  it('draws the schedules it drew before (seeds 1–300 of the default fuzz scenario, pinned)', () => {
    const scenario = shippedScenario('fuzz-default');
    const hash = createHash('sha256');
    for (let seed = 1; seed <= 300; seed++) {
      const run = materializeScenario(scenario, seed);
      hash.update(JSON.stringify([run.faults, run.proposals]));
    }
    // Computed with the generator as it was before this change (sorting with Array.prototype.sort, Map-based mixes).
    expect(hash.digest('hex')).toBe('0f22cc63212803ae4e558c37ebbd58db8aff1336ebb020551e49915f972e17d3');
  });

  it('seeds streams as before (first draws of a few named streams, pinned)', () => {
    const draws = ['nemesis', 'node/A', 'network/from/E'].map((name) => randomStream(42, name)());
    expect(draws).toEqual(PINNED_FIRST_DRAWS);
  });
});

/** Timers named per request, more than a node's short list holds: each must still fire once, when armed last. */
function manyTimersProtocol(names: number): ProtocolFactory<{ type: 'none' }, string, { type: 'fired'; timer: string }, never> {
  return {
    name: 'many-timers',
    createNode: (effects): ProtocolNode<{ type: 'none' }, never> => ({
      start: () => {
        for (let index = 0; index < names; index++) effects.setTimer(`t${index}`, 10 + index);
        // Re-armed: only the later arming fires. Cancelled: never fires.
        effects.setTimer('t0', 500);
        effects.cancelTimer('t1');
      },
      recover: () => {},
      onRequest: () => {},
      onMessage: () => {},
      onTimer: (timer) => effects.observe({ type: 'fired', timer }),
      volatileState: () => null,
    }),
    durableView: () => null,
  };
}

describe('timers kept in short lists', () => {
  it.each([3, 40])('fire once per live arming with %i timer names (past the list, a map)', (names) => {
    const events: AnyTraceEvent[] = [];
    new Simulation({
      seed: 1,
      nodes: ['A'],
      network: { delay: { distribution: 'uniform', min: 1, max: 1 }, drop: 0, duplicate: 0 },
      faults: [],
      requests: [],
      untilMs: 1000,
      maxEvents: 10_000,
      protocol: manyTimersProtocol(names),
      emit: (event) => events.push(event),
      traceNetwork: false,
    }).run();
    const fired = events.filter((event) => event.type === ('fired' as string)).map((event) => [(event as unknown as { timer: string }).timer, event.t]);
    const expected = Array.from({ length: names }, (_, index) => [`t${index}`, 10 + index]).filter(([name]) => name !== 't0' && name !== 't1');
    expect(fired).toEqual([...expected, ['t0', 500]]);
  });
});

/** randomStream(42, name)() for those names, computed before the seeding was done in one pass. */
const PINNED_FIRST_DRAWS = [0.50411107391119, 0.6925269369967282, 0.6651314694900066];
