import { majorityOf } from '../check/checker.js';
import { MultiPaxosChecks, multiPaxosSummaryLines } from '../check/multipaxos-checks.js';
import { multiPaxosConfig, type MultiPaxosBug, type MultiPaxosConfig } from '../protocols/multipaxos/config.js';
import type { ClientWorkload } from '../protocols/multipaxos/messages.js';
import { multiPaxosProtocol } from '../protocols/multipaxos/node.js';
import type { ClientSpec, Scenario } from '../scenario/scenario.js';
import type { ScheduledRequest } from '../sim/simulation.js';
import { emptyDict } from '../util/dict.js';

import type { ProtocolDriver } from './protocol.js';

/**
 * Multi-Paxos: `nodes` are replicas, `clients` extra nodes that are never
 * crashed or cut off; each client gets its workload at t=0.
 */
export function multiPaxosDriver(scenario: Scenario, bug: MultiPaxosBug | undefined, liveness: { withinMs: number; quietFromMs: number } | undefined): ProtocolDriver {
  const clients = scenario.clients.map((client) => client.id);
  const config = scenarioMultiPaxosConfig(scenario, bug);
  const checks = new MultiPaxosChecks({ replicas: scenario.nodes, clients, quorumSize: majorityOf(scenario.nodes.length) }, liveness);
  const requests = multiPaxosRequests(scenario);
  return {
    simNodes: [...scenario.nodes, ...clients],
    alwaysConnected: clients,
    factory: multiPaxosProtocol(config) as unknown as ProtocolDriver['factory'],
    requests,
    checks,
    // The checks see every event already, and keep the summary too.
    observe: () => undefined,
    facts: () => {
      const summary = checks.summary();
      return { chosen: null, learned: emptyDict(), summary: multiPaxosSummaryLines(scenario.nodes, summary), multipaxos: summary };
    },
  };
}

/** Each client's workload, handed to it at t=0. */
export function multiPaxosRequests(scenario: Scenario): ScheduledRequest<ClientWorkload>[] {
  return scenario.clients.map((client) => ({
    atMs: 0,
    node: client.id,
    request: clientWorkload(client, scenario.multipaxos.thinkMs),
    value: client.ops ? `${client.ops.length} operations` : `${client.count ?? 0} operations`,
  }));
}

/** What a scenario's client is asked to do (`startAt` only when given, so workloads without it stay as they were). */
export function clientWorkload(client: ClientSpec, thinkMs: number | undefined): ClientWorkload {
  const workload: ClientWorkload = { ops: client.ops, count: client.count, mix: client.mix, keys: client.keys, thinkMs };
  return client.startAt === undefined ? workload : { ...workload, startAt: client.startAt };
}

/** The protocol config a Multi-Paxos scenario asks for. */
export function scenarioMultiPaxosConfig(scenario: Scenario, bug: MultiPaxosBug | undefined): MultiPaxosConfig {
  const timing = scenario.multipaxos;
  return multiPaxosConfig(
    scenario.nodes,
    scenario.clients.map((client) => client.id),
    {
      timing: leaderTimingOf(timing),
      maxRetries: timing.maxRetries,
      bugs: bug ? [bug] : [],
    },
  );
}

/**
 * The leader-based protocols' timers a scenario sets (Multi-Paxos's and Raft's
 * blocks share them): only the fields given, so the protocol's defaults fill in the rest.
 */
export function leaderTimingOf(timing: { heartbeatMs?: number | undefined; electionMs?: number | undefined; clientTimeoutMs?: number | undefined; retryMs?: number | undefined }): {
  heartbeatMs?: number;
  electionMs?: number;
  clientTimeoutMs?: number;
  retryMs?: number;
} {
  return {
    ...(timing.heartbeatMs === undefined ? {} : { heartbeatMs: timing.heartbeatMs }),
    ...(timing.electionMs === undefined ? {} : { electionMs: timing.electionMs }),
    ...(timing.clientTimeoutMs === undefined ? {} : { clientTimeoutMs: timing.clientTimeoutMs }),
    ...(timing.retryMs === undefined ? {} : { retryMs: timing.retryMs }),
  };
}
