import type { TraceChecks } from '../check/checker.js';
import type { NodeId, Scenario } from '../scenario/scenario.js';
import type { ExploreSpec } from '../scenario/scenario.js';
import { driverFor, type ProtocolBug, type ProtocolDriver } from '../run/protocol.js';
import { protocolNamed } from '../run/registry.js';
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
 * The classes of interchangeable nodes `--symmetry` permutes: what the
 * protocol's definition says (its `symmetry`; see explore/symmetry.ts for
 * paxsim's own), classes of one left out. A protocol that says nothing has
 * none.
 */
export function symmetryClasses(scenario: Scenario, requests: readonly { node: NodeId; request: unknown }[], clients: readonly NodeId[]): NodeId[][] {
  const symmetry = protocolNamed(scenario.protocol)?.symmetry;
  if (symmetry === undefined) return [];
  return symmetry(scenario, requests, clients).filter((group) => group.length > 1);
}
