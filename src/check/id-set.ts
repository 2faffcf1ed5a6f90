/**
 * A set of positive integers (a client's request ids) kept as sorted,
 * disjoint, non-adjacent intervals. Ids mostly arrive in increasing order, so
 * adding one is O(1) and the set is as small as the number of gaps in it;
 * an id out of order costs a binary search and, rarely, a splice.
 */
export class IdSet {
  private readonly lows: number[] = [];
  private readonly highs: number[] = [];

  /** Adds `id`; false when it was already there. */
  add(id: number): boolean {
    const last = this.highs.length - 1;
    if (last < 0 || id > this.highs[last]! + 1) {
      this.lows.push(id);
      this.highs.push(id);
      return true;
    }
    if (id === this.highs[last]! + 1) {
      this.highs[last] = id;
      return true;
    }
    return this.addInside(id);
  }

  has(id: number): boolean {
    const index = this.intervalAtOrBefore(id);
    return index >= 0 && id <= this.highs[index]!;
  }

  /** Intervals held: the set's size in memory. */
  get intervals(): number {
    return this.lows.length;
  }

  private addInside(id: number): boolean {
    const index = this.intervalAtOrBefore(id);
    if (index >= 0 && id <= this.highs[index]!) return false;
    const joinsBefore = index >= 0 && this.highs[index]! + 1 === id;
    const joinsAfter = index + 1 < this.lows.length && this.lows[index + 1]! - 1 === id;
    if (joinsBefore && joinsAfter) {
      this.highs[index] = this.highs[index + 1]!;
      this.lows.splice(index + 1, 1);
      this.highs.splice(index + 1, 1);
    } else if (joinsBefore) {
      this.highs[index] = id;
    } else if (joinsAfter) {
      this.lows[index + 1] = id;
    } else {
      this.lows.splice(index + 1, 0, id);
      this.highs.splice(index + 1, 0, id);
    }
    return true;
  }

  /** The index of the last interval starting at or below `id`, or -1. */
  private intervalAtOrBefore(id: number): number {
    let low = 0;
    let high = this.lows.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.lows[middle]! <= id) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }
}
