import { describe, expect, it } from 'vitest';
import { StructuralHash } from '../src/util/structural-hash.js';

/** The digest of these values fed in order. */
function hashOf(...values: unknown[]): string {
  const hash = new StructuralHash();
  for (const value of values) hash.value(value);
  return hash.digest();
}

describe('StructuralHash: equal when JSON is equal', () => {
  it('equal structures built apart hash equal, and the digest is 16 hex digits', () => {
    const a = { t: 12, type: 'accepted', node: 'A', ballot: [3, 'B'], value: 'X', extra: { nested: [1, 2.5, null, true] } };
    const b = JSON.parse(JSON.stringify(a)) as unknown;
    expect(hashOf(a)).toBe(hashOf(b));
    expect(hashOf(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('hashes what JSON prints: undefined fields are missing, non-finite numbers and array holes are null, -0 is 0, toJSON is called', () => {
    expect(hashOf({ a: 1, b: undefined, c: () => 1 })).toBe(hashOf({ a: 1 }));
    expect(hashOf([undefined, () => 1, NaN, Infinity])).toBe(hashOf([null, null, null, null]));
    expect(hashOf(-0)).toBe(hashOf(0));
    expect(hashOf({ when: { toJSON: () => 'later' } })).toBe(hashOf({ when: 'later' }));
    expect(hashOf(new Number(3), new String('x'))).toBe(hashOf(3, 'x'));
  });

  it('refuses a BigInt as JSON does, rather than pass what the trace cannot carry', () => {
    expect(() => hashOf({ n: 1n })).toThrow(/BigInt/);
  });
});

describe('StructuralHash: different when JSON is different', () => {
  /** Pairs JSON tells apart; every one must hash differently. */
  const pairs: [string, unknown, unknown][] = [
    ['key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['key order, equal values', { a: 1, b: 1 }, { b: 1, a: 1 }],
    ['key names', { a: 1 }, { b: 1 }],
    ['string vs number', '1', 1],
    ['null vs missing field', { a: 1, b: null }, { a: 1 }],
    ['null vs false vs 0 vs empty string', null, false],
    ['false vs 0', false, 0],
    ['0 vs empty string', 0, ''],
    ['array vs object', [], {}],
    ['array vs object with index keys', ['x'], { 0: 'x' }],
    ['nesting', [[1], 2], [[1, 2]]],
    ['nesting in objects', { a: { b: 1 }, c: 2 }, { a: { b: 1, c: 2 } }],
    ['a deep field', { a: { b: { c: [1, { d: 'x' }] } } }, { a: { b: { c: [1, { d: 'y' }] } } }],
    ['key vs value', { a: 'b' }, { b: 'a' }],
    ['string boundaries', ['ab', 'c'], ['a', 'bc']],
    ['odd-length strings', 'abc', 'abd'],
    ['string vs its code units', 'ab', [97, 98]],
    ['integer vs float', 1, 1.5],
    ['float bits', 0.1 + 0.2, 0.3],
    ['large integers', 2 ** 40, 2 ** 40 + 1],
    ['negative int32', -1, 4294967295],
    ['empty string vs missing', [''], []],
    ['non-ASCII', 'é', 'e'],
    ['surrogate pairs', '😀', '😁'],
  ];
  it.each(pairs)('%s', (_what, a, b) => {
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(hashOf(a)).not.toBe(hashOf(b));
  });

  it('the order values are fed in counts, and where one ends', () => {
    expect(hashOf(1, 2)).not.toBe(hashOf(2, 1));
    expect(hashOf([1], 2)).not.toBe(hashOf([1, 2]));
    expect(hashOf()).not.toBe(hashOf(null));
  });

  it('10,000 distinct small events give 10,000 distinct digests (both lanes mix)', () => {
    const digests = new Set<string>();
    const lanes = [new Set<string>(), new Set<string>()];
    for (let index = 0; index < 10_000; index++) {
      const digest = hashOf(index % 97, { t: index, type: 'promise', node: `n${index % 5}`, ballot: [index >> 3, 'A'] });
      digests.add(digest);
      lanes[0]!.add(digest.slice(0, 8));
      lanes[1]!.add(digest.slice(8));
    }
    expect(digests.size).toBe(10_000);
    // Each 32-bit lane alone is nearly collision-free at this size (expect ~0.01 collisions each).
    expect(lanes[0]!.size).toBeGreaterThan(9_990);
    expect(lanes[1]!.size).toBeGreaterThan(9_990);
  });
});
