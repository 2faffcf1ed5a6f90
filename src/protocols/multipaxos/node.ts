import type { NodeId, ProtocolFactory, ProtocolNode } from '../effects.js';
import { assert } from '../../util/assert.js';
import { Client } from './client.js';
import type { MultiPaxosConfig } from './config.js';
import type { ClientWorkload, MultiPaxosMessage, MultiPaxosObservation } from './messages.js';
import { Replica } from './replica.js';
import { INITIAL_CLIENT_DURABLE, INITIAL_REPLICA_DURABLE, type MultiPaxosDurable } from './state.js';

export type MultiPaxosFactory = ProtocolFactory<MultiPaxosMessage, MultiPaxosDurable, MultiPaxosObservation, ClientWorkload>;

/**
 * Multi-Paxos with a key-value state machine: every id in `config.replicas`
 * is a replica (acceptor, leader candidate, learner, state machine), every id
 * in `config.clients` a client whose request (`onRequest`) is its workload.
 */
export function multiPaxosProtocol(config: MultiPaxosConfig): MultiPaxosFactory {
  const roleOf = (nodeId: NodeId): 'replica' | 'client' => {
    if (config.replicas.includes(nodeId)) return 'replica';
    assert(config.clients.includes(nodeId), () => `multipaxos: node ${nodeId} is neither a replica nor a client`);
    return 'client';
  };
  assert(!config.replicas.some((id) => config.clients.includes(id)), 'multipaxos: a node cannot be both replica and client');
  return {
    name: 'multipaxos',
    initialDurable: (nodeId) => (roleOf(nodeId) === 'replica' ? INITIAL_REPLICA_DURABLE : INITIAL_CLIENT_DURABLE),
    createNode: (effects, durable): ProtocolNode<MultiPaxosMessage, ClientWorkload> => {
      const role = roleOf(effects.nodeId);
      assert(durable.kind === role, () => `multipaxos: ${effects.nodeId} is a ${role} but its durable state is a ${durable.kind}'s`);
      return durable.kind === 'replica' ? new Replica(effects, durable, config) : new Client(effects, durable, config);
    },
  };
}
