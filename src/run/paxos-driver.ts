import { majorityOf, type CheckContext } from '../check/checker.js';
import { CheckerSuite } from '../check/suite.js';
import { DEFAULT_PAXOS_TIMING, type PaxosBug, type PaxosConfig } from '../protocols/paxos/config.js';
import type { ProposeRequest } from '../protocols/paxos/messages.js';
import { paxosProtocol } from '../protocols/paxos/node.js';
import type { Scenario } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import type { ScheduledRequest } from '../sim/simulation.js';
import type { LivenessOptions } from '../check/liveness.js';
import { emptyDict } from '../util/dict.js';
import { mapPacked } from '../util/packed-array.js';
import type { ProtocolDriver, RunFactsSummary } from './protocol.js';

/** The protocol configuration a scenario asks for, with an optional injected bug. */
export function paxosConfigFor(scenario: Scenario, bug: PaxosBug | undefined): PaxosConfig {
  const timing = scenario.paxos;
  return {
    proposers: scenario.roles.proposers,
    acceptors: scenario.roles.acceptors,
    learners: scenario.roles.learners,
    timing: {
      retryMs: timing.retryMs ?? DEFAULT_PAXOS_TIMING.retryMs,
      retryMaxMs: timing.retryMaxMs ?? Math.max(DEFAULT_PAXOS_TIMING.retryMaxMs, timing.retryMs ?? 0),
      catchupMs: timing.catchupMs ?? DEFAULT_PAXOS_TIMING.catchupMs,
      catchupMaxMs: timing.catchupMaxMs ?? Math.max(DEFAULT_PAXOS_TIMING.catchupMaxMs, timing.catchupMs ?? 0),
    },
    bugs: new Set(bug ? [bug] : []),
  };
}

export function requestsFor(scenario: Scenario): ScheduledRequest<ProposeRequest>[] {
  // Packed in every tier: the simulation's constructor iterates them every seed (see util/packed-array.ts).
  return mapPacked(scenario.proposals, (proposal) => ({
    atMs: proposal.at,
    node: proposal.node,
    request: { value: proposal.value, round: proposal.ballot },
    value: proposal.value,
  }));
}

/** The checkers' view of the cluster: always the true majority, whatever a buggy protocol counts. */
export function checkContextFor(scenario: Scenario): CheckContext {
  return {
    nodes: scenario.nodes,
    proposers: scenario.roles.proposers,
    acceptors: scenario.roles.acceptors,
    learners: scenario.roles.learners,
    quorumSize: majorityOf(scenario.roles.acceptors.length),
  };
}

/** Single-decree Paxos: proposals are client requests; the facts are the chosen value and who learned it. */
export function paxosDriver(scenario: Scenario, bug: PaxosBug | undefined, liveness: LivenessOptions | undefined): ProtocolDriver {
  const config = paxosConfigFor(scenario, bug);
  const checks = new CheckerSuite(checkContextFor(scenario), liveness);
  const facts = singleDecreeFacts(checks);
  return {
    simNodes: scenario.nodes,
    alwaysConnected: [],
    factory: paxosProtocol(config) as ProtocolDriver['factory'],
    requests: requestsFor(scenario),
    checks,
    observe: facts.observe,
    observeSkipsNetwork: true,
    facts: facts.facts,
  };
}

/** The facts of a single-decree run (any protocol the single-decree checkers judge): the chosen value and each learner's first learned value. */
export function singleDecreeFacts(checks: CheckerSuite): { observe(event: AnyTraceEvent): void; facts(): RunFactsSummary } {
  const learned = emptyDict<{ value: string; t: number }>();
  return {
    observe: (event: AnyTraceEvent) => {
      if (event.type === 'learn' && 'value' in event && learned[event.node] === undefined) learned[event.node] = { value: event.value, t: event.t };
    },
    facts: (): RunFactsSummary => ({ chosen: checks.ledger.chosen[0] ?? null, learned, summary: [], multipaxos: null }),
  };
}
