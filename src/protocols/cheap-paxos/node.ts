import type { NodeId, ProtocolNode } from '../effects.js';
import { assert } from '../../util/assert.js';
import { Client } from '../multipaxos/client.js';
import type { ClientWorkload, MultiPaxosMessage } from '../multipaxos/messages.js';
import type { MultiPaxosFactory } from '../multipaxos/node.js';
import { multiPaxosDurableView } from '../multipaxos/state.js';
import type { CheapPaxosConfig } from './config.js';
import { CheapReplica } from './replica.js';

/**
 * Cheap Paxos with the Multi-Paxos key-value machine and clients: every id
 * in `config.replicas` (mains first, then auxiliaries: the first main
 * campaigns at boot) is a main or an auxiliary (`config.initial`), every id
 * in `config.clients` a client.
 */
export function cheapPaxosProtocol(config: CheapPaxosConfig): MultiPaxosFactory {
  const roleOf = (nodeId: NodeId): 'replica' | 'client' => {
    if (config.replicas.includes(nodeId)) return 'replica';
    assert(config.clients.includes(nodeId), () => `cheap-paxos: node ${nodeId} is neither a main, an auxiliary nor a client`);
    return 'client';
  };
  // Clients know the mains only: an auxiliary never hears from a client.
  const clientConfig = { ...config, replicas: config.initial.main };
  return {
    name: 'cheap-paxos',
    createNode: (effects): ProtocolNode<MultiPaxosMessage, ClientWorkload> =>
      roleOf(effects.nodeId) === 'replica' ? new CheapReplica(effects, config) : new Client(effects, clientConfig),
    durableView: (nodeId, storage) => multiPaxosDurableView(storage, roleOf(nodeId)),
  };
}
