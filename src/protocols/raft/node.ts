import type { Effects, NodeId, ProtocolFactory, ProtocolNode } from '../effects.js';
import { assert } from '../../util/assert.js';
import { Client } from '../multipaxos/client.js';
import { multiPaxosConfig } from '../multipaxos/config.js';
import type { ClientWorkload, MultiPaxosMessage, MultiPaxosObservation } from '../multipaxos/messages.js';
import { storedNextRequestId, type MultiPaxosRecord } from '../multipaxos/state.js';
import type { RaftConfig } from './config.js';
import type { RaftMessage, RaftObservation } from './messages.js';
import { RaftServer } from './server.js';
import { readServerRecords, type RaftDurableView, type RaftRecord } from './state.js';

export type RaftFactory = ProtocolFactory<RaftMessage, RaftRecord, RaftObservation, ClientWorkload>;

/**
 * Raft with a key-value state machine: every id in `config.servers` is a Raft
 * server, every id in `config.clients` a Multi-Paxos client (the same
 * request, reply and redirect messages, the same request-id record), whose
 * request (`onRequest`) is its workload.
 */
export function raftProtocol(config: RaftConfig): RaftFactory {
  const roleOf = (nodeId: NodeId): 'server' | 'client' => {
    if (config.servers.includes(nodeId)) return 'server';
    assert(config.clients.includes(nodeId), () => `raft: node ${nodeId} is neither a server nor a client`);
    return 'client';
  };
  assert(!config.servers.some((id) => config.clients.includes(id)), 'raft: a node cannot be both server and client');
  // The client reads only the server ids, its timeouts and its retry budget.
  const clientConfig = multiPaxosConfig(config.servers, config.clients, {
    timing: { clientTimeoutMs: config.timing.clientTimeoutMs, retryMs: config.timing.retryMs },
    maxRetries: config.maxRetries,
  });
  return {
    name: 'raft',
    createNode: (effects): ProtocolNode<RaftMessage, ClientWorkload> =>
      roleOf(effects.nodeId) === 'server'
        ? new RaftServer(effects, config)
        : // A client sends only requests, keeps only its request-id record and observes only client events, which Raft shares.
          (new Client(effects as unknown as Effects<MultiPaxosMessage, MultiPaxosRecord, MultiPaxosObservation>, clientConfig) as unknown as ProtocolNode<RaftMessage, ClientWorkload>),
    durableView: (nodeId, storage): RaftDurableView => {
      if (roleOf(nodeId) === 'client') return { kind: 'client', nextRequestId: storedNextRequestId(storage as never) };
      const stored = readServerRecords(storage);
      return { kind: 'server', currentTerm: stored.currentTerm, votedFor: stored.votedFor, logTerms: stored.log.map((entry) => entry.term), lastIndex: stored.log.length - 1 };
    },
  };
}
