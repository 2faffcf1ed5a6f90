import { describe, expect, it } from 'vitest';
import type { Effects, ProtocolFactory, ProtocolNode, Tagged } from '../src/protocols/effects.js';
import type { NetworkSpec } from '../src/scenario/scenario.js';
import { Simulation } from '../src/sim/simulation.js';
import { guardedFactory } from '../src/run/determinism-guard.js';

/**
 * A user protocol's message is copied at send; at delivery only when the
 * same object can reach a handler again (a network duplicate) or is kept in a
 * trace event. Otherwise the simulator hands over the send copy itself
 * (`onOwnedMessage`), which nothing else holds.
 */

interface Ping extends Tagged {
  readonly type: 'ping';
  n: number;
}

const NODES = ['A', 'B', 'C'];

/** A pings everyone (itself too); every receiver reports what it got, then scribbles over the message. */
function mutatingReceiver(): ProtocolFactory<Ping, unknown, Tagged, unknown> {
  return {
    name: 'mutating-receiver',
    createNode: (effects: Effects<Ping, unknown, Tagged>): ProtocolNode<Ping, unknown> => ({
      start() {
        if (effects.nodeId === 'A') for (const to of NODES) effects.send(to, { type: 'ping', n: 1 });
      },
      recover() {},
      onRequest() {},
      onMessage(_from, message) {
        effects.observe({ type: 'got', n: message.n } as Tagged);
        message.n = -1;
      },
      onTimer() {},
      volatileState: () => ({}),
    }),
    durableView: () => ({}),
  };
}

interface Deliveries {
  readonly got: number[];
  readonly copied: number;
  readonly owned: number;
}

function run(protocol: ProtocolFactory<Ping, unknown, Tagged, unknown>, options: { duplicate: number; traceNetwork: boolean }): Deliveries {
  const got: number[] = [];
  let copied = 0;
  let owned = 0;
  // Counts which delivery path the simulator took, without changing what the node does.
  const counting: ProtocolFactory<Ping, unknown, Tagged, unknown> = {
    ...protocol,
    createNode: (effects) => {
      const node = protocol.createNode(effects) as ProtocolNode<Ping, unknown> & { onOwnedMessage?: (from: string, message: Ping) => void };
      const onOwnedMessage = node.onOwnedMessage;
      return {
        ...node,
        onMessage: (from, message) => {
          copied += 1;
          node.onMessage(from, message);
        },
        ...(onOwnedMessage === undefined
          ? {}
          : {
              onOwnedMessage: (from: string, message: Ping) => {
                owned += 1;
                onOwnedMessage(from, message);
              },
            }),
      };
    },
  };
  const network: NetworkSpec = { delay: { distribution: 'uniform', min: 1, max: 10 }, drop: 0, duplicate: options.duplicate };
  new Simulation({
    seed: 1,
    nodes: NODES,
    network,
    faults: [],
    requests: [],
    untilMs: 100,
    maxEvents: 1000,
    protocol: counting,
    emit: (event) => {
      if (event.type === ('got' as string)) got.push((event as unknown as { n: number }).n);
    },
    traceNetwork: options.traceNetwork,
  }).run();
  return { got, copied, owned };
}

describe('copies at delivery', () => {
  it('a receiver that mutates a message does not change its duplicate: the second delivery arrives as sent', () => {
    const deliveries = run(guardedFactory(mutatingReceiver()), { duplicate: 1, traceNetwork: false });
    // B and C get the ping twice (duplicated), A once (a message to itself never leaves the process).
    expect(deliveries.got).toEqual([1, 1, 1, 1, 1]);
    expect(deliveries.copied).toBe(4);
    expect(deliveries.owned).toBe(1);
  });

  it('the unguarded protocol shows what the copy prevents (the duplicate sees the scribble)', () => {
    expect(run(mutatingReceiver(), { duplicate: 1, traceNetwork: false }).got).toContain(-1);
  });

  it('untraced and not duplicated, every delivery is handed over without a second copy', () => {
    const deliveries = run(guardedFactory(mutatingReceiver()), { duplicate: 0, traceNetwork: false });
    expect(deliveries).toEqual({ got: [1, 1, 1], copied: 0, owned: 3 });
  });

  it('traced, every delivery is copied: the send and deliver events hold the message', () => {
    const deliveries = run(guardedFactory(mutatingReceiver()), { duplicate: 0, traceNetwork: true });
    expect(deliveries).toEqual({ got: [1, 1, 1], copied: 3, owned: 0 });
  });
});
