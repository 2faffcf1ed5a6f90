import { ContractBreach } from './contract-breach.js';

/**
 * A copy of a value that crosses a user protocol's boundary (a message, a
 * stored record, an observation, a request), made the way a real network or
 * disk would: by value. Without it, a node that sends an object and then
 * changes it would change the message in flight, and a node that writes a
 * record and then mutates it in memory would have that mutation "survive" a
 * crash without ever writing it: a forgotten persist would pass unnoticed.
 *
 * Only what the trace can carry is accepted (it is written as JSON, and
 * `paxsim check` judges the trace, not the objects): null, booleans, finite
 * numbers, strings, arrays and plain objects. Anything else is a contract
 * breach, reported as a {@link PlainDataProblem} naming the path.
 */
/** Deeper than this is taken for a cycle (the scenario format allows 64 levels of nesting, too). */
const MAX_DEPTH = 64;

export class PlainDataProblem extends ContractBreach {
  override name = 'PlainDataProblem';
}

export function plainCopy<Value>(value: Value, path: string): Value {
  return copyAt(value, path, 0) as Value;
}

function copyAt(value: unknown, path: string, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PlainDataProblem(`${path} is ${value}, which a JSON trace cannot carry (it would read back as null)`);
    return value;
  }
  if (typeof value !== 'object') throw new PlainDataProblem(`${path} is ${describe(value)}, not plain data`);
  if (depth >= MAX_DEPTH) throw new PlainDataProblem(`${path} is nested deeper than ${MAX_DEPTH} levels (a cycle?)`);
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) copy[index] = copyAt(value[index], `${path}[${index}]`, depth + 1);
    return copy;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) throw new PlainDataProblem(`${path} is ${describe(value)}, not plain data (use arrays and plain objects)`);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    // JSON leaves undefined fields out; so does the copy, so memory and trace agree.
    if (field === undefined) continue;
    const fieldCopy = copyAt(field, `${path}.${key}`, depth + 1);
    // Assigning `__proto__` would set the copy's prototype instead of a field.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: fieldCopy, enumerable: true, writable: true, configurable: true });
    else copy[key] = fieldCopy;
  }
  return copy;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `a ${(value as object).constructor?.name ?? 'object'}`;
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
