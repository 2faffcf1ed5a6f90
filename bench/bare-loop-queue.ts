import { fail } from '../src/util/assert.js';

/** Anything the scheduler can order: integer virtual time, then scheduling sequence. */
export interface Scheduled {
  timeMs: number;
  sequence: number;
}

/**
 * The bench's bare loop runs on this queue: the simulator's queue when issue 9
 * set its targets as shares of the bare loop, kept as it was so the baseline
 * does not move. The simulator now uses src/sim/entry-queue.ts (flat arrays,
 * no object per entry), which runs the same loop about a third faster.
 *
 * A binary min-heap ordered by (timeMs, sequence). The sequence is handed out
 * by the owner at scheduling time, so ties never depend on object identity
 * (DESIGN.md rule 3).
 */
export class EventQueue<E extends Scheduled> {
  private readonly heap: E[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: E): void {
    if (!(Number.isInteger(event.timeMs) && event.timeMs >= 0)) fail(`event time must be a non-negative integer, got ${event.timeMs}`);
    const heap = this.heap;
    let index = heap.length;
    heap.push(event);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(event, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = event;
  }

  peek(): E | undefined {
    return this.heap[0];
  }

  pop(): E | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const length = heap.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      let childEvent = heap[left]!;
      if (right < length) {
        const rightEvent = heap[right]!;
        if (before(rightEvent, childEvent)) {
          child = right;
          childEvent = rightEvent;
        }
      }
      if (!before(childEvent, last)) break;
      heap[index] = childEvent;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.sequence < b.sequence);
}
