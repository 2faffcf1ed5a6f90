import { fail } from '../util/assert.js';

/** A uniform draw in [0, 1). */
export type Random = () => number;

/**
 * One named stream per concern, derived from the run seed and the stream's
 * name (DESIGN.md rule 2), so that adding draws to one concern never shifts
 * another. The generator is seedrandom's alea: about seven times faster than
 * its default ARC4, which matters since every message draws from it.
 *
 * A run creates a few dozen streams (one per node, one per network link), so
 * instead of alea's own string seeding (~3 µs a stream) the (seed, name) pair
 * is hashed straight into alea's starting state (~0.4 µs).
 *
 * The generator is seedrandom's alea step, written out here: seedrandom's
 * `alea('', { state })` first runs its own string seeding and builds five
 * closures, only to overwrite the state, and those per-stream objects were a
 * fifth of what a fuzz seed's setup left for the garbage collector. The draws
 * are bit for bit seedrandom's (test/rng.test.ts compares them).
 */
export function randomStream(seed: number, streamName: string): Random {
  const prefix = seedPrefixHashes(seed);
  // The three state words hash the key `${seed}/${streamName}` with three salts, in one pass; the seed's part is shared by the run's streams.
  let hash0 = prefix[0]!;
  let hash1 = prefix[1]!;
  let hash2 = prefix[2]!;
  for (let index = 0; index < streamName.length; index++) {
    const code = streamName.charCodeAt(index);
    hash0 = hashStep(hash0, code);
    hash1 = hashStep(hash1, code);
    hash2 = hashStep(hash2, code);
  }
  return aleaFromState(1, hashFinish(hash0), hashFinish(hash1), hashFinish(hash2));
}

/** The seed whose key prefix was hashed last, and the three hash states after `${seed}/`: a run seeds a dozen streams from one seed. */
let prefixSeed = Number.NaN;
const prefixHashes = new Int32Array(3);

function seedPrefixHashes(seed: number): Int32Array {
  if (seed === prefixSeed) return prefixHashes;
  if (!Number.isSafeInteger(seed)) fail(`seed must be a safe integer, got ${seed}`);
  const prefix = `${seed}/`;
  let hash0 = 0x9e3779b9;
  let hash1 = 0x85ebca6b;
  let hash2 = 0xc2b2ae35;
  for (let index = 0; index < prefix.length; index++) {
    const code = prefix.charCodeAt(index);
    hash0 = hashStep(hash0, code);
    hash1 = hashStep(hash1, code);
    hash2 = hashStep(hash2, code);
  }
  prefixHashes[0] = hash0;
  prefixHashes[1] = hash1;
  prefixHashes[2] = hash2;
  prefixSeed = seed;
  return prefixHashes;
}

/** Where an alea state keeps its carry, after its three doubles. */
const CARRY = 3;

/** Baagoe's alea from a given state, exactly as seedrandom's `alea.next` steps it. */
export function aleaFromState(carry: number, s0: number, s1: number, s2: number): Random {
  // The three doubles and the carry live in a typed array: kept in closure variables, every draw would box a new heap number
  // (the carry too: an int32 past the small-integer range is boxed, and half of them are).
  // Filled field by field: building it from an array literal costs an extra array and a slower constructor path.
  const state = new Float64Array(4);
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[CARRY] = carry;
  return () => {
    const t = 2091639 * state[0]! + state[CARRY]! * 2.3283064365386963e-10; // 2^-32
    state[0] = state[1]!;
    state[1] = state[2]!;
    const c = t | 0;
    state[CARRY] = c;
    const next = t - c;
    state[2] = next;
    return next;
  };
}

/** One character of a 32-bit murmur3-style hash (the state is `salt >>> 0` before the first). */
function hashStep(hash: number, code: number): number {
  const mixed = Math.imul((hash >>> 0) ^ code, 0x5bd1e995);
  return mixed ^ (mixed >>> 15);
}

/** The hash's final avalanche, as a fraction in [0, 1). */
function hashFinish(hash: number): number {
  let mixed = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
  mixed ^= mixed >>> 16;
  return (mixed >>> 0) / 4294967296;
}

/** An integer drawn uniformly from [min, max], both inclusive. */
export function uniformInt(random: Random, min: number, max: number): number {
  if (!(Number.isInteger(min) && Number.isInteger(max) && min <= max)) fail(`bad range [${min}, ${max}]`);
  return min + Math.floor(random() * (max - min + 1));
}

/** True with probability p. Draws nothing when p is 0, so a fault-free network stays cheap. */
export function chance(random: Random, probability: number): boolean {
  if (probability <= 0) return false;
  return random() < probability;
}
