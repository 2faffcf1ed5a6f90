import { AUXILIARIES_IDLE, CheapPaxosChecks, cheapPaxosSummaryLines } from '../check/cheap-paxos-checks.js';
import type { CheapPaxosBug, CheapPaxosConfig } from '../protocols/cheap-paxos/config.js';
import { cheapPaxosProtocol } from '../protocols/cheap-paxos/node.js';
import type { Scenario } from '../scenario/scenario.js';
import { assert } from '../util/assert.js';
import { emptyDict } from '../util/dict.js';
import { multiPaxosRequests, scenarioMultiPaxosConfig } from './multipaxos-driver.js';
import type { ProtocolDriver } from './protocol.js';

/**
 * Cheap Paxos: `roles.main` and `roles.auxiliary` split `nodes`; clients as
 * in Multi-Paxos. With `expect.auxiliaries` the run traces network events
 * even when nothing records them, so the auxiliaries-idle checker sees every
 * delivery.
 */
export function cheapPaxosDriver(scenario: Scenario, bug: CheapPaxosBug | undefined, liveness: { withinMs: number; quietFromMs: number } | undefined): ProtocolDriver {
  const spec = scenario.cheapPaxos;
  assert(spec !== undefined, 'cheap-paxos scenario without its roles');
  const clients = scenario.clients.map((client) => client.id);
  const base = scenarioMultiPaxosConfig(scenario, undefined);
  const config: CheapPaxosConfig = {
    ...base,
    replicas: [...spec.main, ...spec.auxiliary],
    initial: { main: spec.main, auxiliary: spec.auxiliary },
    alpha: spec.alpha,
    cheapBugs: new Set(bug ? [bug] : []),
  };
  const checks = new CheapPaxosChecks({ mains: spec.main, auxiliaries: spec.auxiliary, clients, alpha: spec.alpha, auxiliaryExpectation: scenario.expect.auxiliaries }, liveness);
  // auxiliaries-idle counts deliveries to auxiliaries, judged only when the scenario expects something of them.
  const networkCheckers = scenario.expect.auxiliaries === undefined ? [] : [AUXILIARIES_IDLE];
  return {
    simNodes: [...scenario.nodes, ...clients],
    alwaysConnected: clients,
    factory: cheapPaxosProtocol(config) as unknown as ProtocolDriver['factory'],
    requests: multiPaxosRequests(scenario),
    checks,
    observe: () => undefined,
    needsNetworkEvents: networkCheckers.length > 0,
    networkCheckers,
    facts: () => {
      const summary = checks.summary();
      return { chosen: null, learned: emptyDict(), summary: cheapPaxosSummaryLines(spec.main, summary), multipaxos: summary };
    },
  };
}
