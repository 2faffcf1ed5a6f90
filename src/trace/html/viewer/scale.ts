import { IDLE_PX, TOP, BOTTOM } from './geometry.js';

/**
 * Virtual time to canvas y and back. Every distinct event time gets a y; a gap
 * between two of them is drawn `scale` px per ms, except an idle gap (no
 * message in flight across it), which "squeeze idle time" caps at
 * {@link IDLE_PX}: squeezing it bends no arrow, it only skips waiting.
 */
export class TimeScale {
  /** y of each distinct event time, recomputed by {@link layout}. */
  readonly ys: Float64Array;
  scale: number;
  squeeze = true;

  constructor(
    /** The distinct event times, ascending (0 and the end included). */
    readonly times: readonly number[],
    /** idle[i]: the gap (times[i-1], times[i]) has no message in flight. */
    readonly idle: Uint8Array,
    scale: number,
  ) {
    this.ys = new Float64Array(times.length);
    this.scale = scale;
  }

  private gapPx(i: number): number {
    const px = (this.times[i]! - this.times[i - 1]!) * this.scale;
    return this.squeeze && this.idle[i] && px > IDLE_PX ? IDLE_PX : px;
  }

  layout(): void {
    const ys = this.ys;
    ys[0] = TOP;
    for (let i = 1; i < ys.length; i++) ys[i] = ys[i - 1]! + this.gapPx(i);
  }

  totalHeight(): number {
    return this.ys[this.ys.length - 1]! + BOTTOM;
  }

  /** Index of the last distinct time <= t. */
  timeIndex(t: number): number {
    return lastAtMost(this.times, t);
  }

  yAt(t: number): number {
    const { times, ys } = this;
    const i = this.timeIndex(t);
    const t0 = times[i]!;
    if (i + 1 >= ys.length || t <= t0) return ys[i]! + Math.max(0, t - t0) * this.scale;
    return ys[i]! + ((ys[i + 1]! - ys[i]!) * (t - t0)) / (times[i + 1]! - t0);
  }

  timeAt(y: number): number {
    const { times, ys } = this;
    const lo = lastAtMost(ys, y);
    if (lo + 1 >= ys.length || ys[lo + 1] === ys[lo]) return times[lo]! + Math.max(0, y - ys[lo]!) / this.scale;
    return times[lo]! + ((times[lo + 1]! - times[lo]!) * Math.max(0, y - ys[lo]!)) / (ys[lo + 1]! - ys[lo]!);
  }
}

/** Index of the last element <= x in an ascending array (0 when there is none), by binary search. */
function lastAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
