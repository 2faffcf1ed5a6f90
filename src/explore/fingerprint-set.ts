/**
 * The visited set: 52-bit fingerprints in an open-addressing table of
 * doubles. A `Set<number>` of such numbers boxes each one (they are not small
 * integers), which at millions of states makes the garbage collector the
 * search's biggest cost; this table holds them unboxed in one array.
 */
export class FingerprintSet {
  protected table: Float64Array;
  protected mask: number;
  private count = 0;

  constructor(initialCapacity = 1 << 16) {
    let capacity = 1 << 4;
    while (capacity < initialCapacity) capacity *= 2;
    this.table = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  has(fingerprint: number): boolean {
    return this.table[probe(this.table, this.mask, stored(fingerprint))] !== EMPTY;
  }

  /** Adds `fingerprint`; false when it was already there. */
  add(fingerprint: number): boolean {
    return this.insert(fingerprint) >= 0;
  }

  /** Adds `fingerprint` and returns its slot, or -1 when it was already there (no slot moves until the next insert). */
  protected insert(fingerprint: number): number {
    const key = stored(fingerprint);
    const slot = probe(this.table, this.mask, key);
    if (this.table[slot] === key) return -1;
    this.table[slot] = key;
    this.count += 1;
    // Kept at most half full, so probes stay short.
    if (this.count * 2 > this.table.length) {
      this.grow();
      return probe(this.table, this.mask, key);
    }
    return slot;
  }

  /** The slot holding `fingerprint`, or -1. */
  protected slotOf(fingerprint: number): number {
    const slot = probe(this.table, this.mask, stored(fingerprint));
    return this.table[slot] === EMPTY ? -1 : slot;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.mask = this.table.length - 1;
    const moved = this.moved(old.length * 2);
    for (let oldSlot = 0; oldSlot < old.length; oldSlot++) {
      const key = old[oldSlot]!;
      if (key === EMPTY) continue;
      const slot = probe(this.table, this.mask, key);
      this.table[slot] = key;
      moved?.(oldSlot, slot);
    }
  }

  /** A subclass keeping values beside the keys moves them here as the table grows to `capacity` (old slot → new slot). */
  protected moved(_capacity: number): ((from: number, to: number) => void) | null {
    return null;
  }
}

/**
 * Fingerprints mapped to non-negative integers (an index into the caller's
 * arrays), in the same unboxed table: how the parallel search's coordinator
 * finds each new state's best candidate among its workers'.
 */
export class FingerprintMap extends FingerprintSet {
  private values: Int32Array;

  constructor(initialCapacity = 1 << 16) {
    super(initialCapacity);
    this.values = new Int32Array(this.table.length);
  }

  /** The value of `fingerprint`, or -1 when absent. */
  get(fingerprint: number): number {
    const slot = this.slotOf(fingerprint);
    return slot < 0 ? -1 : this.values[slot]!;
  }

  /** Adds `fingerprint` with `value` (at least 0); false when it was already there (its value unchanged). */
  setNew(fingerprint: number, value: number): boolean {
    const slot = this.insert(fingerprint);
    if (slot < 0) return false;
    this.values[slot] = value;
    return true;
  }

  protected override moved(capacity: number): (from: number, to: number) => void {
    const old = this.values;
    this.values = new Int32Array(capacity);
    return (from, to) => {
      this.values[to] = old[from]!;
    };
  }
}

const EMPTY = 0;
/** Fingerprints are below 2^52, so 2^52 can stand for a fingerprint of 0 (0 marks an empty slot). */
const ZERO_STANDIN = 0x10000000000000;

function stored(fingerprint: number): number {
  return fingerprint === 0 ? ZERO_STANDIN : fingerprint;
}

/** The slot holding `key`, or the empty slot where it would go (linear probing from its hash). */
function probe(table: Float64Array, mask: number, key: number): number {
  let slot = firstSlot(key) & mask;
  for (; ; slot = (slot + 1) & mask) {
    const entry = table[slot]!;
    if (entry === key || entry === EMPTY) return slot;
  }
}

/** The fingerprint's low bits are well mixed already. */
function firstSlot(key: number): number {
  return (key % 0x100000000) ^ Math.floor(key / 0x100000000);
}
