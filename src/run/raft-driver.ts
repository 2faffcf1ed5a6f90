import { RaftChecks, raftSummaryLines } from '../check/raft-checks.js';
import type { ClientWorkload } from '../protocols/multipaxos/messages.js';
import { raftConfig, type RaftBug, type RaftConfig } from '../protocols/raft/config.js';
import { raftProtocol } from '../protocols/raft/node.js';
import type { Scenario } from '../scenario/scenario.js';
import type { ScheduledRequest } from '../sim/simulation.js';
import { emptyDict } from '../util/dict.js';

import type { ProtocolDriver } from './protocol.js';
import { clientWorkload, leaderTimingOf } from './multipaxos-driver.js';

/**
 * Raft: `nodes` are servers, `clients` extra nodes (Multi-Paxos's clients)
 * that are never crashed or cut off; each client gets its workload at t=0.
 */
export function raftDriver(scenario: Scenario, bug: RaftBug | undefined, liveness: { withinMs: number; quietFromMs: number } | undefined): ProtocolDriver {
  const clients = scenario.clients.map((client) => client.id);
  const checks = new RaftChecks({ servers: scenario.nodes, clients }, liveness);
  const requests: ScheduledRequest<ClientWorkload>[] = scenario.clients.map((client) => ({
    atMs: 0,
    node: client.id,
    request: clientWorkload(client, scenario.raft.thinkMs),
    value: client.ops ? `${client.ops.length} operations` : `${client.count ?? 0} operations`,
  }));
  return {
    simNodes: [...scenario.nodes, ...clients],
    alwaysConnected: clients,
    factory: raftProtocol(scenarioRaftConfig(scenario, bug)) as unknown as ProtocolDriver['factory'],
    requests,
    checks,
    // The checks see every event already, and keep the summary too.
    observe: () => undefined,
    facts: () => ({ chosen: null, learned: emptyDict(), summary: raftSummaryLines(scenario.nodes, checks.summary()), multipaxos: null }),
  };
}

/** The protocol config a Raft scenario asks for. */
export function scenarioRaftConfig(scenario: Scenario, bug: RaftBug | undefined): RaftConfig {
  const timing = scenario.raft;
  return raftConfig(
    scenario.nodes,
    scenario.clients.map((client) => client.id),
    {
      timing: leaderTimingOf(timing),
      ...(timing.maxRetries === undefined ? {} : { maxRetries: timing.maxRetries }),
      ...(timing.maxEntriesPerAppend === undefined ? {} : { maxEntriesPerAppend: timing.maxEntriesPerAppend }),
      bugs: bug ? [bug] : [],
    },
  );
}
