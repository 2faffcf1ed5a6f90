/**
 * The visited set: 52-bit fingerprints in an open-addressing table of
 * doubles. A `Set<number>` of such numbers boxes each one (they are not small
 * integers), which at millions of states makes the garbage collector the
 * search's biggest cost; this table holds them unboxed in one array.
 */
export class FingerprintSet {
  private table: Float64Array;
  private mask: number;
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
    const key = stored(fingerprint);
    const table = this.table;
    for (let slot = firstSlot(key) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = table[slot]!;
      if (entry === key) return true;
      if (entry === EMPTY) return false;
    }
  }

  /** Adds `fingerprint`; false when it was already there. */
  add(fingerprint: number): boolean {
    const key = stored(fingerprint);
    const table = this.table;
    let slot = firstSlot(key) & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const entry = table[slot]!;
      if (entry === key) return false;
      if (entry === EMPTY) break;
    }
    table[slot] = key;
    this.count += 1;
    // Kept at most half full, so probes stay short.
    if (this.count * 2 > table.length) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.mask = this.table.length - 1;
    for (const key of old) {
      if (key === EMPTY) continue;
      let slot = firstSlot(key) & this.mask;
      while (this.table[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.table[slot] = key;
    }
  }
}

const EMPTY = 0;
/** Fingerprints are below 2^52, so 2^52 can stand for a fingerprint of 0 (0 marks an empty slot). */
const ZERO_STANDIN = 0x10000000000000;

function stored(fingerprint: number): number {
  return fingerprint === 0 ? ZERO_STANDIN : fingerprint;
}

/** The fingerprint's low bits are well mixed already. */
function firstSlot(key: number): number {
  return (key % 0x100000000) ^ Math.floor(key / 0x100000000);
}
