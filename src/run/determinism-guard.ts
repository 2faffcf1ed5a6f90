import type { Invariant } from '../check/invariants.js';
import type { Effects, OwnedDelivery, ProtocolFactory, ProtocolNode, Tagged } from '../protocols/effects.js';
import { EXCEPTION_EVENT, fatalEventText, SIMULATOR_EVENT_TYPES } from '../sim/events.js';
import { ContractBreach } from './contract-breach.js';
import { PlainDataProblem, plainCopy } from './plain-data.js';

/**
 * A user protocol's code, fenced for the length of each call into it: what
 * would make a run depend on anything but (scenario, seed) throws instead of
 * silently breaking replay (DESIGN.md, Determinism). Clocks, the global
 * random source and every way to schedule work outside the simulator are
 * swapped for functions that throw a {@link ProtocolError}, and put back
 * when the call returns. Module-level state that outlives a run is not
 * caught here; the determinism recheck of run and fuzz catches that.
 */

/** A user protocol broke the contract (clocks, global randomness, data that is not plain): reported as one line (exit 2). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/**
 * Whether `error` is a {@link ProtocolError} of this or another copy of paxsim
 * (a definition built by the user's own install throws that copy's class).
 */
export function isProtocolError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ProtocolError';
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

/** Runs `call` fenced; a contract breach becomes a {@link ProtocolError} naming the protocol, node and handler. Anything else it throws is rethrown. */
function fenced<Result>(name: string, node: string, what: string, call: () => Result): Result {
  enter(name, node, what);
  try {
    return call();
  } catch (error) {
    if (error instanceof PlainDataProblem) throw new ProtocolError(`protocol ${name}: node ${node} in ${what}: ${error.message}; messages, stored records, observations and requests must be plain data`);
    if (error instanceof ContractBreach) throw new ProtocolError(`protocol ${name}: node ${node} in ${what}: ${error.message}`);
    throw error;
  } finally {
    leave();
  }
}

/** The checker that reports a fatal event (a handler that threw: an {@link EXCEPTION_EVENT} line); the run ends there. */
export const NO_EXCEPTIONS: Invariant = {
  name: 'no-exceptions',
  description: 'no node handler threw',
  monitor: () => (event) => {
    const fatal = fatalEventText(event);
    return fatal === null ? null : `${String((event as { node?: unknown }).node)} ${fatal}`;
  },
  // `C threw in onMessage: Error: boom at slot 3`: the same bug throws the same error from the same handler, whichever
  // node and whatever numbers; so the shape is the handler and the error, numbers masked.
  violationShape: (message) => {
    const thrown = / threw in (.*)$/s.exec(message);
    return thrown === null ? 'other' : thrown[1]!.replace(/\d+/g, '#');
  },
};

/**
 * A factory whose nodes (and durable views) run fenced, and exchange only
 * copies of plain data with the simulator (see run/plain-data.ts). A handler
 * that throws is a bug this schedule reached, not bad input: it is reported
 * as an `exception` event (so the `no-exceptions` checker fails the run, and
 * fuzzing keeps the seed, shrinks it and writes its failure file), and the
 * node, whose state the throw left half-updated, does nothing more.
 */
export function guardedFactory<Message extends Tagged, StoredRecord, Observation extends Tagged, Request>(
  factory: ProtocolFactory<Message, StoredRecord, Observation, Request>,
): ProtocolFactory<Message, StoredRecord, Observation, Request> {
  const name = factory.name;
  return {
    name,
    createNode: (effects) => {
      const isolated = isolatedEffects(effects);
      const report = (handler: string, error: unknown): void => effects.observe({ type: EXCEPTION_EVENT, handler, error: errorText(error) } as unknown as Observation);
      try {
        const node = fenced(name, effects.nodeId, 'createNode', () => factory.createNode(isolated));
        return guardedNode(name, effects.nodeId, node, report);
      } catch (error) {
        if (error instanceof ProtocolError) throw error;
        report('createNode', error);
        return INERT_NODE;
      }
    },
    durableView: (id, storage) => fenced(name, id, 'durableView', () => factory.durableView(id, storage)),
  };
}

const INERT_NODE: ProtocolNode<never, never> = Object.freeze({
  start: () => undefined,
  recover: () => undefined,
  onRequest: () => undefined,
  onMessage: () => undefined,
  onTimer: () => undefined,
  volatileState: () => ({ threw: true }),
});

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function guardedNode<Message extends Tagged, Request>(
  name: string,
  id: string,
  node: ProtocolNode<Message, Request>,
  report: (handler: string, error: unknown) => void,
): ProtocolNode<Message, Request> & OwnedDelivery<Message> {
  let threw = false;
  const call = (handler: string, body: () => void): void => {
    if (threw) return;
    try {
      fenced(name, id, handler, body);
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      threw = true;
      report(handler, error);
    }
  };
  return {
    start: () => call('start', () => node.start()),
    recover: () => call('recover', () => node.recover()),
    onRequest: (request) => call('onRequest', () => node.onRequest(plainCopy(request, 'the request'))),
    // A copy per delivery: a duplicate's second copy (or the trace, or an explorer replaying the input) must not see what the receiver did to the first.
    onMessage: (from, message) => call('onMessage', () => node.onMessage(from, plainCopy(message, 'the message'))),
    // The driver hands over the only reference (a copy made at send): nothing to protect.
    onOwnedMessage: (from, message) => call('onMessage', () => node.onMessage(from, message)),
    onTimer: (timer) => call('onTimer', () => node.onTimer(timer)),
    volatileState: () => (threw ? { threw: true } : fenced(name, id, 'volatileState', () => node.volatileState())),
  };
}

/** The simulator's effects, with every value that crosses them copied as plain data (checked, too). */
function isolatedEffects<Message extends Tagged, StoredRecord, Observation extends Tagged>(
  effects: Effects<Message, StoredRecord, Observation>,
): Effects<Message, StoredRecord, Observation> {
  const storage = effects.storage;
  const copyOut = <Value>(record: Value | undefined): Value | undefined => (record === undefined ? undefined : plainCopy(record, 'a stored record'));
  return {
    nodeId: effects.nodeId,
    send: (to, message) => effects.send(to, taggedCopy(message, `the message to ${to}`)),
    setTimer: (timer, delayMs) => effects.setTimer(timer, delayMs),
    cancelTimer: (timer) => effects.cancelTimer(timer),
    observe: (observation) => effects.observe(observationCopy(observation)),
    random: () => effects.random(),
    storage: {
      read: (key) => copyOut(storage.read(key)),
      readSlot: (log, slot) => copyOut(storage.readSlot(log, slot)),
      *entries() {
        for (const [key, record] of storage.entries()) yield [key, plainCopy(record, `stored record ${key}`)];
      },
      *slotEntries(log) {
        for (const [slot, record] of storage.slotEntries(log)) yield [slot, plainCopy(record, `stored record ${log}[${slot}]`)];
      },
      get size() {
        return storage.size;
      },
      write: (key, record) => storage.write(key, plainCopy(record, `the record written at ${key}`)),
      remove: (key) => storage.remove(key),
      writeSlot: (log, slot, record) => storage.writeSlot(log, slot, plainCopy(record, `the record written at ${log}[${slot}]`)),
      removeSlot: (log, slot) => storage.removeSlot(log, slot),
      sync: () => storage.sync(),
    },
  };
}

function taggedCopy<Value extends Tagged>(value: Value, path: string): Value {
  if (typeof value !== 'object' || value === null || typeof value.type !== 'string') throw new PlainDataProblem(`${path} has no string \`type\``);
  return plainCopy(value, path);
}

/** An observation's `t` and `node` are the simulator's to write, and its type may not pass for one of the simulator's events. */
function observationCopy<Value extends Tagged>(observation: Value): Value {
  const copy = taggedCopy(observation, 'the observation');
  if (SIMULATOR_EVENT_TYPES.has(copy.type)) throw new PlainDataProblem(`the observation's type "${copy.type}" is one of paxsim's own trace events`);
  for (const field of ['t', 'node']) {
    if (field in copy) throw new PlainDataProblem(`the observation has a field "${field}", which paxsim writes itself (the time and the observing node)`);
  }
  return copy;
}
