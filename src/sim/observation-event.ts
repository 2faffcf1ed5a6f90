import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent } from './events.js';

/** A protocol's observation as the simulator receives it: a type, then its own fields. */
type Observation = { readonly type: string } & Record<string, unknown>;

/**
 * The trace event of an observation: `t`, `type` and `node`, then the
 * observation's other fields in its order (`{ t, type, node, ...observation }`,
 * the type keeping its place).
 *
 * A spread after other properties is a slow runtime copy in V8 (about four
 * times an object literal, and it iterates), and a run makes one event per
 * protocol fact. So the single-decree Paxos observations, most of what a fuzz
 * seed observes, are built as literals once their keys are checked to be
 * exactly those of the type, in order; anything else (a Multi-Paxos `accept`
 * with a slot, a user protocol's facts) is spread as before. Both give the
 * same keys, in the same order, with the same values (symbol keys aside,
 * which no plain-data observation has).
 */
export function observationEvent(t: number, node: NodeId, observation: Observation): AnyTraceEvent {
  const o = observation;
  switch (o.type) {
    case 'promise':
      if (hasKeys(o, 'ballot')) return { t, type: o.type, node, ballot: o.ballot } as AnyTraceEvent;
      break;
    case 'accept':
      if (hasKeys(o, 'ballot', 'value')) return { t, type: o.type, node, ballot: o.ballot, value: o.value } as AnyTraceEvent;
      break;
    case 'propose':
      if (hasKeys(o, 'value', 'ballot')) return { t, type: o.type, node, value: o.value, ballot: o.ballot } as AnyTraceEvent;
      break;
    case 'learn':
      if (hasKeys(o, 'value')) return { t, type: o.type, node, value: o.value } as AnyTraceEvent;
      break;
    case 'adopt':
      if (hasKeys(o, 'ballot', 'value', 'from')) return { t, type: o.type, node, ballot: o.ballot, value: o.value, from: o.from } as AnyTraceEvent;
      break;
  }
  // The type is listed first only to hold its place: the spread writes it again.
  return { t, type: o.type, node, ...(o as object) } as unknown as AnyTraceEvent;
}

/**
 * The observation's enumerable string keys are exactly `type` and then the
 * given ones, in this order, all its own. Walked with for-in, which reads the
 * object's cached key list without allocating (Object.keys copies it: as much
 * garbage as the event itself). Fixed arity: no array per call.
 */
function hasKeys(observation: object, first: string, second?: string, third?: string): boolean {
  let position = 0;
  for (const key in observation) {
    const expected = position === 0 ? 'type' : position === 1 ? first : position === 2 ? second : position === 3 ? third : undefined;
    if (key !== expected || !Object.prototype.hasOwnProperty.call(observation, key)) return false;
    position += 1;
  }
  return position === (third !== undefined ? 4 : second !== undefined ? 3 : 2);
}
