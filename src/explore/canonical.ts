/**
 * State hashing for the explorer: structural hashes of plain data (no
 * canonical text is built), and the ways parts are combined into a state's
 * fingerprint (order-sensitive folds, and sums for multisets).
 */

/**
 * A 52-bit structural hash of plain data, equal for equal data whatever order
 * object keys were added in (keys are visited sorted; Maps and Sets combine
 * their entries' hashes order-free), without building a canonical string: a
 * state is hashed once per step, so this is the explorer's hot loop. Types
 * are tagged (1 and "1" differ); undefined object fields count as absent, as
 * in JSON. The result is below 2^52 so that sums of hashes stay exact (the
 * multiset of messages in flight is hashed as such a sum).
 */
export function hashPlain(value: unknown): number {
  lowLane = 0x811c9dc5;
  highLane = 0x01000193;
  feedValue(value);
  return finishLanes();
}

/**
 * `hashPlain` of the data with node ids renamed: every string (value or
 * object key) equal to a key of `renaming` counts as its image. The hash of
 * a state under a permutation of interchangeable nodes (`--symmetry`).
 */
export function hashPlainRenamed(value: unknown, names: ReadonlyMap<string, string>): number {
  renaming = names;
  try {
    return hashPlain(value);
  } finally {
    renaming = null;
  }
}

/** The node renaming `hashPlainRenamed` applies, while it runs. */
let renaming: ReadonlyMap<string, string> | null = null;

function renamed(text: string): string {
  return renaming === null ? text : (renaming.get(text) ?? text);
}

/** Two 32-bit lanes of the hash being built (module state: no allocation per value). */
let lowLane = 0;
let highLane = 0;

function feed(word: number): void {
  lowLane = Math.imul(lowLane ^ word, 0x9e3779b1);
  lowLane ^= lowLane >>> 15;
  highLane = Math.imul(highLane ^ word ^ (lowLane >>> 11), 0x85ebca6b);
  highLane ^= highLane >>> 13;
}

function finishLanes(): number {
  let low = Math.imul(lowLane ^ (highLane >>> 16), 0xc2b2ae35);
  low ^= low >>> 16;
  const high = Math.imul(highLane ^ (low >>> 13), 0x27d4eb2f);
  return ((high ^ (high >>> 15)) & 0xfffff) * 0x100000000 + (low >>> 0);
}

/** Strings hashed before (object keys, node ids, phases recur in every state): V8 caches a string's own hash, so a lookup is cheap. */
const stringHashes = new Map<string, number>();
const STRING_CACHE_LIMIT = 1 << 16;

function hashString(text: string): number {
  const cached = stringHashes.get(text);
  if (cached !== undefined) return cached;
  let hash = 0x811c9dc5 ^ text.length;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d) >>> 0;
  if (stringHashes.size < STRING_CACHE_LIMIT) stringHashes.set(text, hash);
  return hash;
}

const float = new Float64Array(1);
const floatWords = new Int32Array(float.buffer);

function feedValue(value: unknown): void {
  switch (typeof value) {
    case 'string':
      feed(1);
      feed(hashString(renamed(value)));
      return;
    case 'number':
      if (Number.isInteger(value) && Math.abs(value) <= 0x7fffffff) {
        feed(2);
        feed(value);
      } else {
        float[0] = value;
        feed(3);
        feed(floatWords[0]!);
        feed(floatWords[1]!);
      }
      return;
    case 'boolean':
      feed(value ? 4 : 5);
      return;
    case 'undefined':
      feed(6);
      return;
    case 'bigint':
      feed(7);
      feed(hashString(value.toString()));
      return;
    case 'object':
      if (value === null) feed(8);
      else if (Array.isArray(value)) feedArray(value);
      else if (value instanceof Map) feedUnordered(9, [...value].map(([key, entry]) => [key, entry]));
      else if (value instanceof Set) feedUnordered(10, [...value]);
      else feedObject(value as Record<string, unknown>);
      return;
    default:
      feed(11);
      feed(hashString(String(value)));
  }
}

function feedArray(items: readonly unknown[]): void {
  feed(12);
  feed(items.length);
  for (const item of items) feedValue(item);
}

/**
 * An object's fields in sorted key order. Most objects are built with their
 * keys already in order, so a first pass only checks that (for…in allocates
 * nothing, and the check makes its history-dependent order harmless); an
 * object whose keys are out of order is walked again by sorted keys.
 */
function feedObject(object: Record<string, unknown>): void {
  feed(13);
  if (renaming !== null) {
    // Renamed keys sort differently: sort the images.
    const names = renaming;
    const pairs = Object.keys(object).map((key) => [names.get(key) ?? key, key] as const);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [image, key] of pairs) feedField(image, object[key]);
    feed(14);
    return;
  }
  let previous = '';
  let sorted = true;
  for (const key in object) {
    if (key < previous) {
      sorted = false;
      break;
    }
    previous = key;
  }
  if (sorted) {
    for (const key in object) feedField(key, object[key]);
  } else {
    for (const key of Object.keys(object).sort()) feedField(key, object[key]);
  }
  feed(14);
}

function feedField(key: string, entry: unknown): void {
  if (entry === undefined) return;
  feed(hashString(key));
  feedValue(entry);
}

/** A Map's or Set's entries, hashed on their own (saving the lanes around them) and summed: order-free. */
function feedUnordered(tag: number, entries: readonly unknown[]): void {
  const savedLow = lowLane;
  const savedHigh = highLane;
  let sum = 0;
  for (const entry of entries) sum = addHashes(sum, hashPlain(entry));
  lowLane = savedLow;
  highLane = savedHigh;
  feed(tag);
  feed(entries.length);
  feed(sum % 0x100000000);
  feed(Math.floor(sum / 0x100000000));
}

const HASH_MODULUS = 0x10000000000000; // 2^52

/** The sum of two 52-bit hashes modulo 2^52 (exact in doubles): a multiset's hash is the sum of its members'. */
export function addHashes(a: number, b: number): number {
  const sum = a + b;
  return sum >= HASH_MODULUS ? sum - HASH_MODULUS : sum;
}

/** `a` minus `b` modulo 2^52: removing a member from a multiset's sum. */
export function subtractHashes(a: number, b: number): number {
  const difference = a - b;
  return difference < 0 ? difference + HASH_MODULUS : difference;
}

/** Folds `value` (any 52-bit hash or small integer) into `accumulator`, order-sensitive; a 52-bit result. */
export function combineHashes(accumulator: number, value: number): number {
  lowLane = (accumulator >>> 0) ^ 0x5bd1e995;
  highLane = Math.floor(accumulator / 0x100000000) ^ 0x1b873593;
  feed(value >>> 0);
  feed(Math.floor(value / 0x100000000));
  return finishLanes();
}
