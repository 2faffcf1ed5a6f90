import type { TraceChecks } from '../check/checker.js';
import type { Scenario } from '../scenario/scenario.js';
import type { ExploreSpec } from '../scenario/scenario.js';
import { driverFor, type ProtocolBug } from '../run/protocol.js';
import { ExploreModel, type ExploreLimits } from './model.js';

/** The bounds `paxsim explore` uses when neither the scenario's `explore` key nor a flag sets them: no faults, no timers. */
export const NO_FAULTS: ExploreSpec = { maxDrops: 0, maxDuplicates: 0, maxCrashes: 0, maxTimerFires: 0 };

/**
 * The model of a scenario: the same nodes, node factory, requests and
 * checkers its `paxsim run` uses (through the protocol's driver), with the
 * fault budgets of `limits`. Liveness is not checked: a bounded search
 * cannot tell a stuck schedule from an unfair one.
 */
export function exploreModelFor(scenario: Scenario, bug: ProtocolBug | undefined, limits: ExploreLimits): { model: ExploreModel; newChecks: () => TraceChecks } {
  const driver = driverFor(scenario, bug, undefined);
  const clients = new Set(driver.alwaysConnected);
  const model = new ExploreModel({
    nodes: driver.simNodes,
    crashable: driver.simNodes.filter((node) => !clients.has(node)),
    ordered: driver.alwaysConnected,
    requests: driver.requests.map((request) => ({ node: request.node, request: request.request })),
    factory: driver.factory,
    limits,
  });
  return { model, newChecks: () => driverFor(scenario, bug, undefined).checks };
}
