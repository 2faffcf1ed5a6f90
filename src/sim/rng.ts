import seedrandom from 'seedrandom';
import { assert } from '../util/assert.js';

/** A uniform draw in [0, 1). */
export type Random = () => number;

/**
 * One named stream per concern, derived from the run seed and the stream's
 * name (DESIGN.md rule 2), so that adding draws to one concern never shifts
 * another. alea is used because every message draws from it: it is about
 * seven times faster than seedrandom's default ARC4 generator.
 */
export function randomStream(seed: number, streamName: string): Random {
  assert(Number.isSafeInteger(seed), `seed must be a safe integer, got ${seed}`);
  return seedrandom.alea(`paxsim/${seed}/${streamName}`);
}

/** An integer drawn uniformly from [min, max], both inclusive. */
export function uniformInt(random: Random, min: number, max: number): number {
  assert(Number.isInteger(min) && Number.isInteger(max) && min <= max, `bad range [${min}, ${max}]`);
  return min + Math.floor(random() * (max - min + 1));
}

/** True with probability p. Draws nothing when p is 0, so a fault-free network stays cheap. */
export function chance(random: Random, probability: number): boolean {
  if (probability <= 0) return false;
  return random() < probability;
}
