import type { AnyTraceEvent } from '../sim/events.js';

export interface TraceDivergence {
  /** Index of the first event that differs (or that only one trace has). */
  readonly index: number;
  readonly left: AnyTraceEvent | undefined;
  readonly right: AnyTraceEvent | undefined;
  /** Field by field: `t: 12 ≠ 14`, `msg.ballot: [1,"A"] ≠ [2,"A"]`. */
  readonly differences: readonly string[];
}

/** Where two traces first part ways, or null when they are identical. */
export function firstDivergence(left: readonly AnyTraceEvent[], right: readonly AnyTraceEvent[]): TraceDivergence | null {
  const length = Math.max(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left[index];
    const b = right[index];
    if (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b)) continue;
    return { index, left: a, right: b, differences: describeDifferences(a, b) };
  }
  return null;
}

function describeDifferences(left: AnyTraceEvent | undefined, right: AnyTraceEvent | undefined): string[] {
  if (left === undefined) return ['only the second trace has this event (the first ended)'];
  if (right === undefined) return ['only the first trace has this event (the second ended)'];
  const differences: string[] = [];
  compareValues(left, right, '', differences);
  return differences;
}

function compareValues(left: unknown, right: unknown, path: string, into: string[]): void {
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
    for (const key of keys) compareValues(left[key], right[key], path === '' ? key : `${path}.${key}`, into);
    return;
  }
  const a = JSON.stringify(left);
  const b = JSON.stringify(right);
  if (a !== b) into.push(`${path}: ${a ?? '(absent)'} ≠ ${b ?? '(absent)'}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
