import type { NodeId, ProtocolFactory, ProtocolNode } from '../effects.js';
import { assert } from '../../util/assert.js';
import { Client } from './client.js';
import type { MultiPaxosConfig } from './config.js';
import type { ClientWorkload, MultiPaxosMessage, MultiPaxosObservation } from './messages.js';
import { Replica } from './replica.js';
import { multiPaxosDurableView, type MultiPaxosRecord } from './state.js';

export type MultiPaxosFactory = ProtocolFactory<MultiPaxosMessage, MultiPaxosRecord, MultiPaxosObservation, ClientWorkload>;

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
    createNode: (effects): ProtocolNode<MultiPaxosMessage, ClientWorkload> =>
      roleOf(effects.nodeId) === 'replica' ? new Replica(effects, config) : new Client(effects, config),
    durableView: (nodeId, storage) => multiPaxosDurableView(storage, roleOf(nodeId)),
  };
}
