import type { ProtocolFactory, ProtocolNode, Tagged } from '../protocols/effects.js';

/**
 * A user protocol's code, fenced for the length of each call into it: what
 * would make a run depend on anything but (scenario, seed) throws instead of
 * silently breaking replay (DESIGN.md, Determinism). Clocks, the global
 * random source and every way to schedule work outside the simulator are
 * swapped for functions that throw a {@link ProtocolError}, and put back
 * when the call returns. Module-level state that outlives a run is not
 * caught here; the determinism recheck of run and fuzz catches that.
 */

/** A user protocol broke the rules or threw: the user's bug, reported as one line (exit 2). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

type Global = typeof globalThis;

interface Forbidden {
  readonly owner: object;
  readonly key: string;
  readonly what: string;
  readonly instead: string;
}

const FORBIDDEN: readonly Forbidden[] = [
  { owner: Math, key: 'random', what: 'Math.random()', instead: 'use effects.random(), a seeded stream per node' },
  { owner: Date, key: 'now', what: 'Date.now()', instead: 'time is virtual: arm a timer with effects.setTimer(name, delayMs)' },
  { owner: performance, key: 'now', what: 'performance.now()', instead: 'time is virtual: arm a timer with effects.setTimer(name, delayMs)' },
  { owner: globalThis, key: 'setTimeout', what: 'setTimeout()', instead: 'use effects.setTimer(name, delayMs)' },
  { owner: globalThis, key: 'setInterval', what: 'setInterval()', instead: 'use effects.setTimer(name, delayMs) and re-arm it' },
  { owner: globalThis, key: 'setImmediate', what: 'setImmediate()', instead: 'handlers run to completion; act inside them' },
  { owner: globalThis, key: 'queueMicrotask', what: 'queueMicrotask()', instead: 'handlers run to completion; act inside them' },
];

let protocolName = '';
let nodeId = '';
let handler = '';
let depth = 0;
const saved: unknown[] = FORBIDDEN.map(() => undefined);
let savedDate: DateConstructor = Date;

function refuse(what: string, instead: string): never {
  throw new ProtocolError(`protocol ${protocolName}: node ${nodeId} called ${what} in ${handler}, which makes runs nondeterministic (same seed, different trace); ${instead}`);
}

/** `new Date()` reads the clock; `new Date(ms)` does not. */
function fencedDate(real: DateConstructor): DateConstructor {
  const Fenced = function (this: unknown, ...args: unknown[]) {
    if (args.length === 0) refuse('new Date()', 'time is virtual: arm a timer with effects.setTimer(name, delayMs)');
    if (!new.target) refuse('Date()', 'time is virtual: arm a timer with effects.setTimer(name, delayMs)');
    return Reflect.construct(real, args, new.target);
  } as unknown as DateConstructor;
  Object.setPrototypeOf(Fenced, real);
  (Fenced as { prototype: Date }).prototype = real.prototype;
  return Fenced;
}

function enter(name: string, node: string, what: string): void {
  depth += 1;
  if (depth > 1) return;
  protocolName = name;
  nodeId = node;
  handler = what;
  FORBIDDEN.forEach((entry, index) => {
    const owner = entry.owner as Record<string, unknown>;
    saved[index] = owner[entry.key];
    owner[entry.key] = () => refuse(entry.what, entry.instead);
  });
  savedDate = globalThis.Date;
  (globalThis as Global).Date = fencedDate(savedDate);
}

function leave(): void {
  depth -= 1;
  if (depth > 0) return;
  (globalThis as Global).Date = savedDate;
  FORBIDDEN.forEach((entry, index) => {
    (entry.owner as Record<string, unknown>)[entry.key] = saved[index];
  });
}

/** Runs `call` fenced; an error it throws becomes a {@link ProtocolError} naming the protocol, node and handler. */
function fenced<Result>(name: string, node: string, what: string, call: () => Result): Result {
  enter(name, node, what);
  try {
    return call();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ProtocolError(`protocol ${name}: node ${node} threw in ${what}: ${message}`);
  } finally {
    leave();
  }
}

/** A factory whose nodes (and durable views) run fenced. */
export function guardedFactory<Message extends Tagged, StoredRecord, Observation extends Tagged, Request>(
  factory: ProtocolFactory<Message, StoredRecord, Observation, Request>,
): ProtocolFactory<Message, StoredRecord, Observation, Request> {
  const name = factory.name;
  return {
    name,
    createNode: (effects) => {
      const node = fenced(name, effects.nodeId, 'createNode', () => factory.createNode(effects));
      return guardedNode(name, effects.nodeId, node);
    },
    durableView: (id, storage) => fenced(name, id, 'durableView', () => factory.durableView(id, storage)),
  };
}

function guardedNode<Message extends Tagged, Request>(name: string, id: string, node: ProtocolNode<Message, Request>): ProtocolNode<Message, Request> {
  return {
    start: () => fenced(name, id, 'start', () => node.start()),
    recover: () => fenced(name, id, 'recover', () => node.recover()),
    onRequest: (request) => fenced(name, id, 'onRequest', () => node.onRequest(request)),
    onMessage: (from, message) => fenced(name, id, 'onMessage', () => node.onMessage(from, message)),
    onTimer: (timer) => fenced(name, id, 'onTimer', () => node.onTimer(timer)),
    volatileState: () => fenced(name, id, 'volatileState', () => node.volatileState()),
  };
}
