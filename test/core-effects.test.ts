import { describe, expect, it } from 'vitest';
import type { Effects, ProtocolFactory, ProtocolNode } from '../src/protocols/effects.js';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { Simulation } from '../src/sim/simulation.js';
import { InvariantError } from '../src/util/assert.js';

type Ping = { readonly type: 'ping' };
type Seen = { readonly type: 'seen'; readonly what: string };

/**
 * A node that keeps the effects of its first incarnation and, once restarted,
 * acts through them with `act`: the simulator must refuse, loudly.
 */
function stalingProtocol(act: (stale: Effects<Ping, string, Seen>) => void): ProtocolFactory<Ping, string, Seen, never> {
  let first: Effects<Ping, string, Seen> | null = null;
  return {
    name: 'staling',
    createNode: (effects): ProtocolNode<Ping, never> => ({
      start: () => {
        first = effects;
        effects.storage.write('boot', 'first');
        effects.setTimer('tick', 5);
      },
      recover: () => act(first!),
      onRequest: () => {},
      onMessage: () => effects.observe({ type: 'seen', what: 'ping' }),
      onTimer: () => effects.send('A', { type: 'ping' }),
      volatileState: () => null,
    }),
    durableView: (_node, storage) => storage.read('boot'),
  };
}

function run(act: (stale: Effects<Ping, string, Seen>) => void): AnyTraceEvent[] {
  const events: AnyTraceEvent[] = [];
  new Simulation<Ping, string, Seen, never>({
    seed: 1,
    nodes: ['A'],
    network: { delay: { distribution: 'uniform', min: 1, max: 1 }, drop: 0, duplicate: 0 },
    faults: [
      { at: 10, kind: 'crash', node: 'A' },
      { at: 20, kind: 'restart', node: 'A' },
    ],
    requests: [],
    untilMs: 100,
    maxEvents: 1000,
    protocol: stalingProtocol(act),
    emit: (event) => events.push(event),
  }).run();
  return events;
}

describe('node effects (one object per incarnation)', () => {
  it('work when called on the effects object: timer, send to itself, observe, storage', () => {
    const events = run(() => {});
    expect(events.map((event) => event.type)).toEqual(['timer', 'send', 'deliver', 'seen', 'crash', 'restart']);
  });

  it.each<[string, (stale: Effects<Ping, string, Seen>) => void]>([
    ['send', (stale) => stale.send('A', { type: 'ping' })],
    ['set a timer', (stale) => stale.setTimer('tick', 1)],
    ['cancel a timer', (stale) => stale.cancelTimer('tick')],
    ['observe', (stale) => stale.observe({ type: 'seen', what: 'ghost' })],
    ['write to storage', (stale) => stale.storage.write('boot', 'ghost')],
    ['remove from storage', (stale) => stale.storage.remove('boot')],
    ['write to storage', (stale) => stale.storage.writeSlot('log', 1, 'ghost')],
    ['sync storage', (stale) => stale.storage.sync()],
  ])('refuse to %s from a dead incarnation', (action, act) => {
    expect(() => run(act)).toThrow(new InvariantError(`A tried to ${action} from a dead incarnation`));
  });

  it('can be wrapped with a spread, as a protocol wrapper or a test does ({ ...effects, storage: { ...storage, write } })', () => {
    const events: AnyTraceEvent[] = [];
    const inner = stalingProtocol(() => {});
    const writes: string[] = [];
    const wrapped: ProtocolFactory<Ping, string, Seen, never> = {
      ...inner,
      createNode: (effects) =>
        inner.createNode({
          ...effects,
          storage: { ...effects.storage, write: (key, record) => (writes.push(record), effects.storage.write(key, record)) },
        }),
    };
    new Simulation<Ping, string, Seen, never>({
      seed: 1,
      nodes: ['A'],
      network: { delay: { distribution: 'uniform', min: 1, max: 1 }, drop: 0, duplicate: 0 },
      faults: [],
      requests: [],
      untilMs: 100,
      maxEvents: 1000,
      protocol: wrapped,
      emit: (event) => events.push(event),
    }).run();
    expect(events.map((event) => event.type)).toEqual(['timer', 'send', 'deliver', 'seen']);
    expect(writes).toEqual(['first']);
  });

  it('still read the disk for a dead incarnation (reads never change anything)', () => {
    let read: string | undefined;
    run((stale) => {
      read = stale.storage.read('boot');
    });
    expect(read).toBe('first');
  });
});
