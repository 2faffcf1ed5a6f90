import { describe, expect, it } from 'vitest';
import {
  IMPOSSIBLE,
  RegisterInterner,
  applyToRegister,
  compileRegisterStep,
  runCompiledStep,
  type KvOperation,
  type KvOutcome,
  type RegisterValue,
} from '../src/check/kv-model.js';
import { checkLinearizability, type HistoryOperation, type LinearizabilityResult } from '../src/check/linearizability.js';
import { InvariantError } from '../src/util/assert.js';
import { etcdLinearizableHistory } from '../bench/etcd-history.js';

/** Linearizability checker for client-observed key-value histories (Wing–Gong with Lowe's improvements). */

// ---------------------------------------------------------------- builders

let nextId = 1;

function op(client: string, operation: KvOperation, invokeMs: number, completeMs: number | null, outcome: KvOutcome): HistoryOperation {
  return { id: nextId++, client, operation, invokeMs, completeMs, outcome };
}

function put(client: string, key: string, value: string, invokeMs: number, completeMs: number): HistoryOperation {
  return op(client, { kind: 'put', key, value }, invokeMs, completeMs, { kind: 'ok' });
}

function get(client: string, key: string, read: string | null, invokeMs: number, completeMs: number): HistoryOperation {
  return op(client, { kind: 'get', key }, invokeMs, completeMs, { kind: 'ok', value: read });
}

function cas(client: string, key: string, expected: string | null, value: string, succeeded: boolean, invokeMs: number, completeMs: number): HistoryOperation {
  return op(client, { kind: 'cas', key, expected, value }, invokeMs, completeMs, { kind: 'cas', succeeded });
}

function timedOut(client: string, operation: KvOperation, invokeMs: number): HistoryOperation {
  return op(client, operation, invokeMs, null, { kind: 'unknown' });
}

function failed(client: string, operation: KvOperation, invokeMs: number, completeMs: number): HistoryOperation {
  return op(client, operation, invokeMs, completeMs, { kind: 'fail' });
}

function expectViolation(result: LinearizabilityResult): Extract<LinearizabilityResult, { linearizable: false }> {
  if (result.linearizable !== false) throw new Error(`expected a violation, got ${JSON.stringify(result)}`);
  return result;
}

/** mulberry32: a tiny fixed-seed PRNG so generated histories are the same on every run. */
function prng(seed: number): { next: () => number; int: (n: number) => number; pick: <T>(items: readonly T[]) => T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)] as (typeof items)[number] };
}

// ---------------------------------------------------------------- rejections

describe('rejects non-linearizable histories', () => {
  it('a stale read: a get that starts after a newer put completed returns the old value (found from real time, before searching)', () => {
    const a = put('c1', 'k1', 'a', 10, 20);
    const b = put('c3', 'k1', 'b', 30, 35);
    const stale = get('c2', 'k1', 'a', 40, 55);
    const result = expectViolation(checkLinearizability([a, b, stale]));
    expect(result.key).toBe('k1');
    expect(result.longestPrefix).toEqual([]);
    expect(result.stuckAt).toEqual([stale.id]);
    expect(result.statesExplored).toBe(0);
    expect(result.explanation).toBe(
      'key "k1": get k1 by c2 [t=40..55] returned "a", but put k1="b" by c3 [t=30..35] returned before it was invoked, ' +
        'and every operation writing "a" that could precede it had returned before that write was invoked (a stale read)',
    );
    // A write of "a" still open when "b" was written could come after it: no longer a stale read.
    const late = put('c4', 'k1', 'a', 33, 60);
    expect(checkLinearizability([a, b, late, stale]).linearizable).toBe(true);
  });

  it('a value read again after another was read, with only one write of it: the search finds it and explains the longest prefix', () => {
    const a = put('c1', 'k1', 'a', 0, 100);
    const b = put('c3', 'k1', 'b', 0, 100);
    const readA = get('c2', 'k1', 'a', 10, 20);
    const readB = get('c2', 'k1', 'b', 30, 40);
    const readAAgain = get('c2', 'k1', 'a', 50, 60);
    const result = expectViolation(checkLinearizability([a, b, readA, readB, readAAgain]));
    expect(result.longestPrefix).toEqual([a.id, readA.id, b.id, readB.id]);
    expect(result.stuckAt).toEqual([readAAgain.id]);
    expect(result.explanation).toBe(
      'key "k1": get k1 by c2 [t=50..60] returned "a", but no order of the operations before it allows that ' +
        '(longest linearizable prefix: put k1="a" by c1 [t=0..100], get k1 by c2 [t=10..20] returned "a", put k1="b" by c3 [t=0..100], get k1 by c2 [t=30..40] returned "b"; ' +
        'after it the register holds "b"; none of these could be linearized next: get k1 by c2 [t=50..60] returned "a")',
    );
  });

  it('a lost write: a completed put is never visible, later reads see the older value', () => {
    const history = [put('c1', 'x', '1', 0, 10), put('c2', 'x', '2', 20, 30), get('c3', 'x', '1', 35, 45), get('c1', 'x', '1', 50, 60)];
    const result = expectViolation(checkLinearizability(history));
    expect(result.explanation).toContain('get x by c3 [t=35..45] returned "1"');
  });

  it('a duplicated write: a put applied twice shows up as the value flipping back', () => {
    // put 1 completes before put 2 starts, yet a read after "2" sees "1" again:
    // only a second application of put 1 explains it.
    const history = [put('c1', 'x', '1', 0, 10), put('c2', 'x', '2', 20, 30), get('c3', 'x', '2', 40, 50), get('c3', 'x', '1', 60, 70)];
    const result = expectViolation(checkLinearizability(history));
    expect(result.stuckAt).toEqual([history[3]?.id]);
  });

  it('a cas that succeeded although the register held something else', () => {
    const history = [put('c1', 'k', 'a', 0, 10), cas('c2', 'k', 'b', 'c', true, 20, 30)];
    const result = expectViolation(checkLinearizability(history));
    expect(result.explanation).toContain('cas k "b"→"c" by c2 [t=20..30] succeeded, but no operation ever writes "b"');
    // With "b" written before "a", it is a stale read.
    const stale = [put('c1', 'k', 'b', 0, 5), put('c1', 'k', 'a', 6, 10), cas('c2', 'k', 'b', 'c', true, 20, 30)];
    expect(expectViolation(checkLinearizability(stale)).explanation).toContain('cas k "b"→"c" by c2 [t=20..30] succeeded, but put k="a" by c1 [t=6..10] returned before');
    // With "b" written concurrently with "a" and already read, only the search can tell.
    const searched = [put('c1', 'k', 'b', 0, 15), put('c3', 'k', 'a', 0, 15), get('c4', 'k', 'b', 1, 2), get('c4', 'k', 'a', 3, 4), cas('c2', 'k', 'b', 'c', true, 20, 30)];
    expect(expectViolation(checkLinearizability(searched)).explanation).toContain('cas k "b"→"c" by c2 [t=20..30] succeeded, but no order');
  });

  it('a cas that failed although the register held the expected value', () => {
    const history = [put('c1', 'k', 'a', 0, 10), cas('c2', 'k', 'a', 'c', false, 20, 30)];
    expectViolation(checkLinearizability(history));
  });

  it('a read of a value nobody wrote, and a read of null after a completed put', () => {
    expectViolation(checkLinearizability([get('c1', 'k', 'ghost', 0, 5)]));
    expectViolation(checkLinearizability([put('c1', 'k', 'a', 0, 5), get('c2', 'k', null, 6, 9)]));
  });

  it('a failed put definitely did not happen, so reading its value is a violation', () => {
    const history = [failed('c1', { kind: 'put', key: 'k', value: 'z' }, 0, 5), get('c2', 'k', 'z', 10, 20)];
    expectViolation(checkLinearizability(history));
  });

  it('a timed-out put cannot take effect before it was invoked', () => {
    const history = [get('c1', 'k', 'late', 0, 5), timedOut('c2', { kind: 'put', key: 'k', value: 'late' }, 10)];
    expectViolation(checkLinearizability(history));
  });

  it('names the violating key; other keys do not hide it', () => {
    const history = [
      put('c1', 'a', '1', 0, 10),
      get('c2', 'a', '1', 20, 30),
      put('c1', 'b', '1', 0, 10),
      put('c1', 'b', '2', 20, 30),
      get('c2', 'b', '1', 40, 50),
      put('c1', 'c', '1', 0, 10),
    ];
    expect(expectViolation(checkLinearizability(history)).key).toBe('b');
  });

  it('shortens long prefixes in the explanation but returns every id', () => {
    const history: HistoryOperation[] = [];
    for (let i = 0; i < 20; i++) history.push(put('c1', 'k', `v${i}`, i * 10, i * 10 + 5));
    // The search's case: "p" read, then "q", then "p" again, with one write of each, concurrent.
    history.push(put('c3', 'k', 'p', 300, 1000), put('c4', 'k', 'q', 300, 1000));
    history.push(get('c2', 'k', 'p', 400, 410), get('c2', 'k', 'q', 420, 430), get('c2', 'k', 'p', 440, 450));
    const result = expectViolation(checkLinearizability(history));
    expect(result.longestPrefix).toHaveLength(24);
    expect(result.explanation).toContain('… 18 earlier, then put k="v18"');
  });
});

// ---------------------------------------------------------------- acceptance

describe('accepts linearizable histories', () => {
  it('concurrent overlapping operations that some order explains', () => {
    // put a spans everything; put b lands first, then put a.
    const history = [put('c1', 'k', 'a', 0, 50), put('c2', 'k', 'b', 10, 20), get('c3', 'k', 'b', 30, 40), get('c3', 'k', 'a', 60, 70)];
    expect(checkLinearizability(history)).toMatchObject({ linearizable: true, keys: 1, operations: 4 });
  });

  it('a get concurrent with a put may see the old or the new value', () => {
    const base = put('c1', 'k', 'old', 0, 5);
    const write = put('c1', 'k', 'new', 10, 30);
    expect(checkLinearizability([base, write, get('c2', 'k', 'old', 15, 20)]).linearizable).toBe(true);
    expect(checkLinearizability([base, write, get('c2', 'k', 'new', 15, 20)]).linearizable).toBe(true);
  });

  it('reads of an absent key return null', () => {
    const history = [get('c1', 'k', null, 0, 5), put('c2', 'k', 'a', 10, 20), get('c1', 'other', null, 30, 40)];
    expect(checkLinearizability(history)).toMatchObject({ linearizable: true, keys: 2 });
  });

  it('a timed-out put that took effect', () => {
    const history = [put('c1', 'k', 'a', 0, 10), timedOut('c2', { kind: 'put', key: 'k', value: 'b' }, 20), get('c3', 'k', 'b', 30, 40)];
    expect(checkLinearizability(history).linearizable).toBe(true);
  });

  it('a timed-out put that never took effect', () => {
    const history = [put('c1', 'k', 'a', 0, 10), timedOut('c2', { kind: 'put', key: 'k', value: 'b' }, 20), get('c3', 'k', 'a', 30, 40)];
    expect(checkLinearizability(history).linearizable).toBe(true);
  });

  it('a timed-out put that took effect long after it was invoked', () => {
    const history = [
      put('c1', 'k', 'a', 0, 10),
      timedOut('c2', { kind: 'put', key: 'k', value: 'b' }, 20),
      get('c3', 'k', 'a', 100, 110),
      get('c3', 'k', 'b', 500, 510),
    ];
    expect(checkLinearizability(history).linearizable).toBe(true);
  });

  it('a timed-out get imposes no constraint', () => {
    const lonely = timedOut('c1', { kind: 'get', key: 'k' }, 0);
    expect(checkLinearizability([lonely])).toMatchObject({ linearizable: true, keys: 0, operations: 0 });
    const history = [put('c1', 'k', 'a', 0, 10), timedOut('c2', { kind: 'get', key: 'k' }, 5), get('c3', 'k', 'a', 20, 30)];
    expect(checkLinearizability(history).linearizable).toBe(true);
  });

  it('timed-out cas, taking effect or not', () => {
    const attempt = (): HistoryOperation => timedOut('c2', { kind: 'cas', key: 'k', expected: 'a', value: 'b' }, 20);
    expect(checkLinearizability([put('c1', 'k', 'a', 0, 10), attempt(), get('c3', 'k', 'b', 30, 40)]).linearizable).toBe(true);
    expect(checkLinearizability([put('c1', 'k', 'a', 0, 10), attempt(), get('c3', 'k', 'a', 30, 40)]).linearizable).toBe(true);
    // It could only take effect while the register held "a".
    const history = [put('c1', 'k', 'z', 0, 10), attempt(), get('c3', 'k', 'b', 30, 40)];
    expectViolation(checkLinearizability(history));
  });

  it('failed operations are dropped', () => {
    const history = [put('c1', 'k', 'a', 0, 10), failed('c2', { kind: 'put', key: 'k', value: 'z' }, 15, 20), get('c3', 'k', 'a', 30, 40)];
    expect(checkLinearizability(history)).toMatchObject({ linearizable: true, operations: 2 });
  });

  it('cas on an absent key, then reads of its value', () => {
    const history = [
      cas('c1', 'k', null, 'a', true, 0, 10),
      cas('c2', 'k', null, 'b', false, 5, 15),
      cas('c2', 'k', 'a', 'c', true, 20, 30),
      get('c1', 'k', 'c', 40, 50),
    ];
    expect(checkLinearizability(history).linearizable).toBe(true);
  });

  it('treats an interval ending at t and one starting at t as concurrent', () => {
    // Integer timestamps cannot order the two, so the checker gives the benefit of the doubt.
    expect(checkLinearizability([put('c1', 'k', 'a', 0, 10), get('c2', 'k', null, 10, 20)]).linearizable).toBe(true);
  });

  it('many unread timed-out puts under a partition stay cheap', () => {
    const history = [put('c0', 'k', 'base', 0, 5)];
    for (let i = 0; i < 200; i++) history.push(timedOut(`c${i}`, { kind: 'put', key: 'k', value: `lost${i}` }, 10 + i));
    for (let i = 0; i < 50; i++) history.push(get('r', 'k', 'base', 300 + 10 * i, 305 + 10 * i));
    const result = checkLinearizability(history);
    expect(result.linearizable).toBe(true);
    expect(result.statesExplored).toBeLessThan(100);
  });

  it('the result depends on the operations, not the order of the input array', () => {
    const history = [put('c1', 'k', 'a', 0, 10), put('c2', 'k', 'b', 5, 25), get('c3', 'k', 'a', 30, 40), put('c1', 'j', 'x', 0, 3), get('c2', 'j', 'y', 5, 8)];
    const reversed = [...history].reverse();
    expect(checkLinearizability(reversed)).toEqual(checkLinearizability(history));
  });
});

// ---------------------------------------------------------------- budget and malformed input

describe('budget and input', () => {
  it('returns unknown instead of searching past maxStatesPerKey', () => {
    const history = simulateLinearizable(7, { ops: 300, keys: 1, clients: 8, timeoutRate: 0, failRate: 0, perturbOne: false });
    const result = checkLinearizability(history, { maxStatesPerKey: 10 });
    expect(result).toMatchObject({ linearizable: 'unknown', key: 'k0' });
    if (result.linearizable === 'unknown') expect(result.reason).toContain('maxStatesPerKey 10');
  });

  it('crashes on malformed histories: those are bugs in the recorder', () => {
    const a = put('c1', 'k', 'a', 0, 10);
    expect(() => checkLinearizability([a, a])).toThrow(InvariantError);
    expect(() => checkLinearizability([op('c1', { kind: 'put', key: 'k', value: 'a' }, 0, 5, { kind: 'unknown' })])).toThrow(/timed out but has completeMs/);
    expect(() => checkLinearizability([op('c1', { kind: 'get', key: 'k' }, 0, 5, { kind: 'ok' })])).toThrow(/value read/);
    expect(() => checkLinearizability([put('c1', 'k', 'a', 10, 5)])).toThrow(/before its invocation/);
  });
});

// ---------------------------------------------------------------- the model

describe('kv model', () => {
  it('the compiled steps agree with the readable specification', () => {
    const values: RegisterValue[] = [null, 'a', 'b', 'c'];
    const operations: KvOperation[] = [];
    for (const value of ['a', 'b']) operations.push({ kind: 'put', key: 'k', value });
    operations.push({ kind: 'get', key: 'k' });
    for (const expected of [null, 'a', 'c']) operations.push({ kind: 'cas', key: 'k', expected, value: 'b' });
    const outcomes = (operation: KvOperation): KvOutcome[] => {
      if (operation.kind === 'put') return [{ kind: 'ok' }, { kind: 'unknown' }];
      if (operation.kind === 'get') return [...values.map((value): KvOutcome => ({ kind: 'ok', value })), { kind: 'unknown' }];
      return [{ kind: 'cas', succeeded: true }, { kind: 'cas', succeeded: false }, { kind: 'unknown' }];
    };
    // Everything distinguishable, so ids map one-to-one onto values.
    const interner = new RegisterInterner(new Set(values));
    for (const operation of operations) {
      for (const outcome of outcomes(operation)) {
        const step = compileRegisterStep(operation, outcome, interner);
        for (const current of values) {
          const expected = applyToRegister(current, operation, outcome);
          const actual = runCompiledStep(step.kind, step.a, step.b, interner.id(current));
          expect(actual, `${JSON.stringify(operation)} ${JSON.stringify(outcome)} on ${current}`).toBe(expected === IMPOSSIBLE ? -1 : interner.id(expected));
        }
      }
    }
  });
});

// ---------------------------------------------------------------- generated histories

interface SimulationShape {
  readonly ops: number;
  readonly keys: number;
  readonly clients: number;
  readonly timeoutRate: number;
  readonly failRate: number;
  /** Also return one completed get whose value is replaced by one never written. */
  readonly perturbOne: boolean;
}

/**
 * A linearizable concurrent execution: each client runs operations one after
 * another; each operation takes effect at a point inside its interval, and
 * outcomes come from applying the model in the order of those points. Timed-out
 * operations take effect at their point or not at all; failed ones never do.
 */
function simulateLinearizable(seed: number, shape: SimulationShape): HistoryOperation[] {
  const rng = prng(seed);
  const clocks = Array.from({ length: shape.clients }, () => rng.int(5));
  const written: string[][] = Array.from({ length: shape.keys }, () => []);
  type Draft = { base: Omit<HistoryOperation, 'outcome' | 'completeMs'>; completeMs: number; point: number; fate: 'ok' | 'applied-then-lost' | 'lost' | 'fail' };
  const drafts: Draft[] = [];
  for (let id = 0; id < shape.ops; id++) {
    const client = id % shape.clients;
    const keyIndex = rng.int(shape.keys);
    const key = `k${keyIndex}`;
    const history = written[keyIndex] as string[];
    const roll = rng.next();
    let operation: KvOperation;
    if (roll < 0.45) operation = { kind: 'get', key };
    else if (roll < 0.6) {
      const expected = history.length === 0 || rng.next() < 0.1 ? null : (history[Math.max(0, history.length - 1 - rng.int(3))] as string);
      operation = { kind: 'cas', key, expected, value: `v${id}` };
      history.push(`v${id}`);
    } else {
      operation = { kind: 'put', key, value: `v${id}` };
      history.push(`v${id}`);
    }
    const invokeMs = clocks[client] as number;
    const duration = 1 + rng.int(20);
    const fateRoll = rng.next();
    const fate: Draft['fate'] =
      fateRoll < shape.failRate ? 'fail' : fateRoll < shape.failRate + shape.timeoutRate ? (rng.next() < 0.5 ? 'applied-then-lost' : 'lost') : 'ok';
    drafts.push({ base: { id, client: `c${client}`, operation, invokeMs }, completeMs: invokeMs + duration, point: invokeMs + rng.int(duration + 1), fate });
    // A client that timed out waits before moving on; its operation may still land later.
    clocks[client] = (fate === 'ok' || fate === 'fail' ? invokeMs + duration : invokeMs + 60) + rng.int(5);
  }
  const registers = new Map<string, RegisterValue>();
  const outcomes = new Map<number, KvOutcome>();
  for (const draft of [...drafts].sort((x, y) => x.point - y.point || x.base.id - y.base.id)) {
    const { operation, id } = draft.base;
    if (draft.fate === 'fail' || draft.fate === 'lost') {
      outcomes.set(id, { kind: draft.fate === 'fail' ? 'fail' : 'unknown' });
      continue;
    }
    const current = registers.get(operation.key) ?? null;
    const outcome: KvOutcome =
      operation.kind === 'get' ? { kind: 'ok', value: current } : operation.kind === 'cas' ? { kind: 'cas', succeeded: current === operation.expected } : { kind: 'ok' };
    const after = applyToRegister(current, operation, outcome);
    if (after === IMPOSSIBLE) throw new Error('the simulation disagrees with the model');
    registers.set(operation.key, after);
    outcomes.set(id, draft.fate === 'ok' ? outcome : { kind: 'unknown' });
  }
  const history = drafts.map(({ base, completeMs }): HistoryOperation => {
    const outcome = outcomes.get(base.id) as KvOutcome;
    return { ...base, outcome, completeMs: outcome.kind === 'unknown' ? null : completeMs };
  });
  if (!shape.perturbOne) return history;
  const reads = history.filter((h) => h.operation.kind === 'get' && h.outcome.kind === 'ok');
  const victim = rng.pick(reads);
  return history.map((h) => (h.id === victim.id ? { ...h, outcome: { kind: 'ok', value: 'never-written' } } : h));
}

/** Sequential (non-overlapping) histories straight from the model. */
function sequentialHistory(seed: number, length: number): HistoryOperation[] {
  const rng = prng(seed);
  const registers = new Map<string, RegisterValue>();
  const history: HistoryOperation[] = [];
  let t = 0;
  for (let id = 0; id < length; id++) {
    const key = rng.pick(['a', 'b', 'c']);
    const current = registers.get(key) ?? null;
    const value = rng.pick(['x', 'y', 'z']);
    const roll = rng.next();
    const operation: KvOperation =
      roll < 0.4 ? { kind: 'get', key } : roll < 0.7 ? { kind: 'put', key, value } : { kind: 'cas', key, expected: rng.pick([null, 'x', 'y', 'z']), value };
    const outcome: KvOutcome =
      operation.kind === 'get' ? { kind: 'ok', value: current } : operation.kind === 'cas' ? { kind: 'cas', succeeded: current === operation.expected } : { kind: 'ok' };
    const after = applyToRegister(current, operation, outcome);
    if (after === IMPOSSIBLE) throw new Error('the generator disagrees with the model');
    registers.set(key, after);
    const invokeMs = t + 1 + rng.int(3);
    const completeMs = invokeMs + rng.int(4);
    t = completeMs;
    history.push({ id, client: `c${rng.int(3)}`, operation, invokeMs, completeMs, outcome });
  }
  return history;
}

/**
 * The definition, by brute force: some order of the operations, each placed
 * only when no unplaced completed operation returned before it was invoked,
 * makes every completed answer right. Timed-out operations may also be left
 * out (never took effect); failed ones are always left out.
 */
function bruteForceLinearizable(history: readonly HistoryOperation[]): boolean {
  const live = history.filter((h) => h.outcome.kind !== 'fail');
  const search = (placed: ReadonlySet<number>, registers: ReadonlyMap<string, RegisterValue>): boolean => {
    const remaining = live.filter((h) => !placed.has(h.id));
    if (remaining.every((h) => h.completeMs === null)) return true;
    for (const candidate of remaining) {
      const blocked = remaining.some((other) => other.completeMs !== null && other.completeMs < candidate.invokeMs);
      if (blocked) continue;
      const key = candidate.operation.key;
      const after = applyToRegister(registers.get(key) ?? null, candidate.operation, candidate.outcome);
      if (after === IMPOSSIBLE) continue;
      if (search(new Set([...placed, candidate.id]), new Map([...registers, [key, after]]))) return true;
    }
    return false;
  };
  return search(new Set(), new Map());
}

/** Small arbitrary histories (linearizable or not) over few values, so orders collide often. */
function arbitraryHistory(seed: number): HistoryOperation[] {
  const rng = prng(seed);
  const length = 2 + rng.int(6);
  const values = ['a', 'b'];
  const history: HistoryOperation[] = [];
  for (let id = 0; id < length; id++) {
    const key = rng.next() < 0.8 ? 'k' : 'j';
    const roll = rng.next();
    const operation: KvOperation =
      roll < 0.4
        ? { kind: 'get', key }
        : roll < 0.75
          ? { kind: 'put', key, value: rng.pick(values) }
          : { kind: 'cas', key, expected: rng.pick([null, ...values]), value: rng.pick(values) };
    const invokeMs = rng.int(12);
    const fate = rng.next();
    let outcome: KvOutcome;
    if (fate < 0.15) outcome = { kind: 'unknown' };
    else if (fate < 0.22) outcome = { kind: 'fail' };
    else if (operation.kind === 'get') outcome = { kind: 'ok', value: rng.pick([null, ...values]) };
    else if (operation.kind === 'cas') outcome = { kind: 'cas', succeeded: rng.next() < 0.5 };
    else outcome = { kind: 'ok' };
    const completeMs = outcome.kind === 'unknown' ? null : invokeMs + rng.int(8);
    history.push({ id, client: `c${id % 3}`, operation, invokeMs, completeMs, outcome });
  }
  return history;
}

describe('generated histories', () => {
  it('sequential histories from the model are always linearizable', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const result = checkLinearizability(sequentialHistory(seed, 40));
      expect(result.linearizable, `seed ${seed}`).toBe(true);
    }
  });

  it('a perturbed read that overlaps nothing is always detected', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const history = sequentialHistory(seed, 40);
      const rng = prng(seed * 31);
      const reads = history.filter((h) => h.operation.kind === 'get');
      if (reads.length === 0) continue;
      const victim = rng.pick(reads);
      const actual = victim.outcome.kind === 'ok' ? victim.outcome.value : undefined;
      const wrong = rng.pick([null, 'x', 'y', 'z'].filter((v) => v !== actual));
      const perturbed = history.map((h) => (h.id === victim.id ? { ...h, outcome: { kind: 'ok' as const, value: wrong } } : h));
      const result = expectViolation(checkLinearizability(perturbed));
      expect(result.key, `seed ${seed}`).toBe(victim.operation.key);
    }
  });

  it('agrees with a brute-force search of every order on small arbitrary histories', () => {
    let violations = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const history = arbitraryHistory(seed);
      const expected = bruteForceLinearizable(history);
      const result = checkLinearizability(history);
      expect(result.linearizable, `seed ${seed}: ${JSON.stringify(history)}`).toBe(expected);
      if (!expected) violations++;
    }
    // Both verdicts must be well represented for the comparison to mean anything.
    expect(violations).toBeGreaterThan(300);
    expect(violations).toBeLessThan(1200);
  });

  it('agrees with brute force on small etcd-like histories with many timeouts (the timed-out-operation reductions)', () => {
    let violations = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rng = prng(seed * 7919);
      const history = etcdLinearizableHistory({ seed, events: 18, timeoutRate: 0.45 });
      // Corrupt one completed answer at random, so both verdicts occur.
      const completed = history.filter((h) => h.completeMs !== null && h.operation.kind !== 'put');
      const victim = completed.length > 0 && rng.next() < 0.6 ? rng.pick(completed) : null;
      const mutated = history.map((h): HistoryOperation => {
        if (h !== victim) return h;
        if (h.operation.kind === 'cas') return { ...h, outcome: { kind: 'cas', succeeded: !(h.outcome.kind === 'cas' && h.outcome.succeeded) } };
        return { ...h, outcome: { kind: 'ok', value: rng.pick([null, '0', '1', '2', '3', '4']) } };
      });
      const expected = bruteForceLinearizable(mutated);
      expect(checkLinearizability(mutated).linearizable, `seed ${seed}: ${JSON.stringify(mutated)}`).toBe(expected);
      if (!expected) violations++;
    }
    expect(violations).toBeGreaterThan(60);
    expect(violations).toBeLessThan(340);
  });

  it('accepts a large overlapping linearizable execution within the default budget', () => {
    const history = simulateLinearizable(42, { ops: 4000, keys: 8, clients: 10, timeoutRate: 0.03, failRate: 0.02, perturbOne: false });
    const result = checkLinearizability(history);
    expect(result).toMatchObject({ linearizable: true, keys: 8 });
    expect(result.statesExplored).toBeLessThan(200_000);
  });

  it('accepts generated executions over many seeds, and finds one corrupted read in each', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const shape = { ops: 400, keys: 3, clients: 6, timeoutRate: 0.05, failRate: 0.03 };
      expect(checkLinearizability(simulateLinearizable(seed, { ...shape, perturbOne: false })).linearizable, `seed ${seed}`).toBe(true);
      expect(checkLinearizability(simulateLinearizable(seed, { ...shape, perturbOne: true })).linearizable, `seed ${seed}`).toBe(false);
    }
  });
});
