import type { TraceChecks } from '../check/checker.js';
import type { NodeId, Scenario } from '../scenario/scenario.js';
import type { ExploreSpec } from '../scenario/scenario.js';
import { driverFor, type ProtocolBug, type ProtocolDriver } from '../run/protocol.js';
import { protocolNamed } from '../run/registry.js';
import { hashPlain } from './canonical.js';
import { ExploreModel, type ExploreLimits } from './model.js';

/** The bounds `paxsim explore` uses when neither the scenario's `explore` key nor a flag sets them: no faults, no timers. */
export const NO_FAULTS: ExploreSpec = { maxDrops: 0, maxDuplicates: 0, maxCrashes: 0, maxTimerFires: 0 };

/**
 * The model of a scenario: the same nodes, node factory, requests and
 * checkers its `paxsim run` uses (through the protocol's driver), with the
 * fault budgets of `limits`. Liveness is not checked: a bounded search
 * cannot tell a stuck schedule from an unfair one.
 */
export function exploreModelFor(
  scenario: Scenario,
  bug: ProtocolBug | undefined,
  limits: ExploreLimits,
  options: { readonly symmetry?: boolean } = {},
): { model: ExploreModel; newChecks: () => TraceChecks; judged: ExploreJudged } {
  const driver = driverFor(scenario, bug, undefined);
  const clients = new Set(driver.alwaysConnected);
  const model = new ExploreModel({
    nodes: driver.simNodes,
    crashable: driver.simNodes.filter((node) => !clients.has(node)),
    ordered: driver.alwaysConnected,
    orderedHistory: driver.checksEventOrder ?? protocolNamed(scenario.protocol)?.traceFormat === undefined,
    requests: driver.requests.map((request) => ({ node: request.node, request: request.request })),
    factory: driver.factory,
    limits,
    symmetry: options.symmetry ? symmetryClasses(scenario, driver.requests, driver.alwaysConnected) : undefined,
  });
  return { model, newChecks: () => driverFor(scenario, bug, undefined).checks, judged: exploreJudged(driver) };
}

/** Which of a run's checkers explore judges, asked of the checkers themselves. */
export interface ExploreJudged {
  /** Safety checkers explore judges on every transition. */
  readonly checkers: readonly string[];
  /** Safety checkers it cannot judge: they count message deliveries, which its states do not keep. */
  readonly notJudged: readonly string[];
}

function exploreJudged(driver: ProtocolDriver): ExploreJudged {
  const notJudged = driver.networkCheckers ?? [];
  // Liveness is never judged (no liveness options: those checkers are not even built).
  const safety = driver.checks.reports().filter((report) => report.kind === 'safety').map((report) => report.name);
  return { checkers: safety.filter((name) => !notJudged.includes(name)), notJudged: safety.filter((name) => notJudged.includes(name)) };
}

/**
 * The classes of interchangeable nodes `--symmetry` permutes: nodes whose
 * ids the protocol never orders or compares, in the same role, with the same
 * scenario requests. Single-decree Paxos: acceptors/learners that are not
 * proposers (a proposer's id is part of its ballots, and ballots are ordered
 * by it), grouped by role. Multi-Paxos: clients with equal workloads
 * (replicas can all lead, and a leader's id is in its ballots). Other
 * protocols: none. Classes of one are left out.
 */
export function symmetryClasses(scenario: Scenario, requests: readonly { node: NodeId; request: unknown }[], clients: readonly NodeId[]): NodeId[][] {
  const requestsOf = (node: NodeId): number => hashPlain(requests.filter((request) => request.node === node).map((request) => request.request));
  const groups = new Map<string, NodeId[]>();
  const add = (key: string, node: NodeId): void => {
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [node]);
    else group.push(node);
  };
  if (scenario.protocol === 'paxos') {
    const { proposers, acceptors, learners } = scenario.roles;
    for (const node of scenario.nodes) {
      if (proposers.includes(node) || requests.some((request) => request.node === node)) continue;
      add(`${acceptors.includes(node)}|${learners.includes(node)}`, node);
    }
  } else if (scenario.protocol === 'multipaxos') {
    for (const client of clients) add(String(requestsOf(client)), client);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}
