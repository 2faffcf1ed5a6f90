import { assert, fail } from '../util/assert.js';

/** Numeric fields of an entry, at `handle * STRIDE + field` in one Float64Array. */
const TIME = 0;
const SEQUENCE = 1;
const KIND = 2;
const NODE = 3;
const OTHER = 4;
const ID = 5;
const COPIES = 6;
/** Fields per entry, rounded up to a power of two so a handle's base is a shift. */
const STRIDE_SHIFT = 3;

const INITIAL_CAPACITY = 128;

/** Queues whose run ended, kept for the next run: their arrays cost more to allocate than a short fuzz seed spends on them. */
const spareQueues: EntryQueue[] = [];
/** Kept at most: as many as runs that could be live at once in a thread (a run inside a run's observer is the most seen). */
const MAX_SPARE_QUEUES = 4;

/** `copies` of an entry that is not one of a duplicated message's two deliveries. */
export const NO_COPIES = -1;

/**
 * The simulator's event queue: a binary min-heap ordered by (timeMs, sequence),
 * whose entries live in flat arrays and are named by integer handles that are
 * reused once an entry has been taken and released. A run schedules one entry
 * per message delivery and timer; as objects they were most of what a run
 * left for the garbage collector, and the heap's comparisons chased a pointer
 * per entry. The sequence, handed out in scheduling order, breaks ties in
 * time (DESIGN.md rule 3), so the order never depends on which handle an
 * entry got.
 *
 * Fields, per entry (their meaning per kind is the simulator's): kind, node,
 * other, id and copies are numbers; payload is any value.
 */
export class EntryQueue {
  /** An empty queue: a spare one if a finished run left one, otherwise new. */
  static acquire(): EntryQueue {
    return spareQueues.pop() ?? new EntryQueue();
  }

  /** The run is over: empty the queue (dropping its payloads) and keep it for the next run. Never use it after this. */
  recycle(): void {
    this.payloads.fill(null, 0, this.allocated);
    this.heapSize = 0;
    this.freeCount = 0;
    this.allocated = 0;
    this.nextSequence = 0;
    if (spareQueues.length < MAX_SPARE_QUEUES) spareQueues.push(this);
  }

  // The arrays `grow` replaces are declared here and set in the constructor: a field set
  // only where it is declared is "const" to V8, and the first run in a thread that
  // outgrew the initial capacity (thousands of seeds into a fuzz worker) made it
  // mutable, which deoptimized every optimized caller (the simulation's run loop).
  private fields: Float64Array;
  private payloads: unknown[] = new Array<unknown>(INITIAL_CAPACITY).fill(null);
  /** Handles in heap order. */
  private heap: Int32Array;
  private heapSize = 0;
  /** Released handles, ready for reuse; handles at or above `allocated` were never used. */
  private free: Int32Array;
  private freeCount = 0;
  private allocated = 0;
  private capacity = INITIAL_CAPACITY;
  private nextSequence = 0;

  private constructor() {
    this.fields = new Float64Array(INITIAL_CAPACITY << STRIDE_SHIFT);
    this.heap = new Int32Array(INITIAL_CAPACITY);
    this.free = new Int32Array(INITIAL_CAPACITY);
  }

  get size(): number {
    return this.heapSize;
  }

  /** A new entry, not yet in the heap: fill it, then `push` it. */
  create(kind: number, node: number, other: number, id: number, payload: unknown, copies: number): number {
    let handle: number;
    if (this.freeCount > 0) handle = this.free[--this.freeCount]!;
    else {
      if (this.allocated === this.capacity) this.grow();
      handle = this.allocated++;
    }
    const base = handle << STRIDE_SHIFT;
    const fields = this.fields;
    fields[base + KIND] = kind;
    fields[base + NODE] = node;
    fields[base + OTHER] = other;
    fields[base + ID] = id;
    fields[base + COPIES] = copies;
    this.payloads[handle] = payload;
    return handle;
  }

  /** Puts an entry in the heap at `timeMs`, with the next sequence number (so it follows everything scheduled before it at that time). */
  push(handle: number, timeMs: number): void {
    if (!(Number.isInteger(timeMs) && timeMs >= 0)) fail(`event time must be a non-negative integer, got ${timeMs}`);
    const fields = this.fields;
    const base = handle << STRIDE_SHIFT;
    fields[base + TIME] = timeMs;
    const sequence = this.nextSequence++;
    fields[base + SEQUENCE] = sequence;
    const heap = this.heap;
    let index = this.heapSize++;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      const parentBase = parent << STRIDE_SHIFT;
      const parentTime = fields[parentBase + TIME]!;
      if (parentTime < timeMs || (parentTime === timeMs && fields[parentBase + SEQUENCE]! < sequence)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = handle;
  }

  /** The earliest entry's time, or -1 when the queue is empty. */
  peekTimeMs(): number {
    return this.heapSize === 0 ? -1 : this.fields[(this.heap[0]! << STRIDE_SHIFT) + TIME]!;
  }

  /** Takes the earliest entry out of the heap; the caller reads it, then releases it (or pushes it again). */
  pop(): number {
    assert(this.heapSize > 0, 'pop from an empty event queue');
    const heap = this.heap;
    const fields = this.fields;
    const top = heap[0]!;
    const length = --this.heapSize;
    if (length === 0) return top;
    const last = heap[length]!;
    const lastBase = last << STRIDE_SHIFT;
    const lastTime = fields[lastBase + TIME]!;
    const lastSequence = fields[lastBase + SEQUENCE]!;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      let child = heap[left]!;
      let childBase = child << STRIDE_SHIFT;
      let childTime = fields[childBase + TIME]!;
      const right = left + 1;
      let childIndex = left;
      if (right < length) {
        const other = heap[right]!;
        const otherBase = other << STRIDE_SHIFT;
        const otherTime = fields[otherBase + TIME]!;
        if (otherTime < childTime || (otherTime === childTime && fields[otherBase + SEQUENCE]! < fields[childBase + SEQUENCE]!)) {
          child = other;
          childBase = otherBase;
          childTime = otherTime;
          childIndex = right;
        }
      }
      if (lastTime < childTime || (lastTime === childTime && lastSequence < fields[childBase + SEQUENCE]!)) break;
      heap[index] = child;
      index = childIndex;
    }
    heap[index] = last;
    return top;
  }

  /** The entry's handle may be handed out again. */
  release(handle: number): void {
    this.payloads[handle] = null;
    this.free[this.freeCount++] = handle;
  }

  timeMs(handle: number): number {
    return this.fields[(handle << STRIDE_SHIFT) + TIME]!;
  }

  kind(handle: number): number {
    return this.fields[(handle << STRIDE_SHIFT) + KIND]!;
  }

  node(handle: number): number {
    return this.fields[(handle << STRIDE_SHIFT) + NODE]!;
  }

  other(handle: number): number {
    return this.fields[(handle << STRIDE_SHIFT) + OTHER]!;
  }

  id(handle: number): number {
    return this.fields[(handle << STRIDE_SHIFT) + ID]!;
  }

  copies(handle: number): number {
    return this.fields[(handle << STRIDE_SHIFT) + COPIES]!;
  }

  setCopies(handle: number, copies: number): void {
    this.fields[(handle << STRIDE_SHIFT) + COPIES] = copies;
  }

  payload(handle: number): unknown {
    return this.payloads[handle];
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const fields = new Float64Array(capacity << STRIDE_SHIFT);
    fields.set(this.fields);
    this.fields = fields;
    const heap = new Int32Array(capacity);
    heap.set(this.heap);
    this.heap = heap;
    const free = new Int32Array(capacity);
    free.set(this.free);
    this.free = free;
    for (let handle = this.capacity; handle < capacity; handle++) this.payloads.push(null);
    this.capacity = capacity;
  }
}
