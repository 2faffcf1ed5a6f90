import { multiPaxosCoverage, paxosCoverage, raftCoverage } from '../check/coverage.js';
import { CHECKERS } from '../check/suite.js';
import { MULTIPAXOS_CHECKERS } from '../check/multipaxos-checks.js';
import { RAFT_CHECKERS } from '../check/raft-checks.js';
import { CHEAP_PAXOS_CHECKERS } from '../check/cheap-paxos-checks.js';
import { MULTIPAXOS_BUGS, type MultiPaxosBug } from '../protocols/multipaxos/config.js';
import { PAXOS_BUGS, type PaxosBug } from '../protocols/paxos/config.js';
import { RAFT_BUGS, type RaftBug } from '../protocols/raft/config.js';
import { CHEAP_PAXOS_BUGS, type CheapPaxosBug } from '../protocols/cheap-paxos/config.js';
import { multiPaxosDriver } from './multipaxos-driver.js';
import { paxosDriver } from './paxos-driver.js';
import { raftDriver } from './raft-driver.js';
import { cheapPaxosDriver } from './cheap-paxos-driver.js';
import { defineProtocol } from './protocol-definition.js';
import { interchangeableAcceptors, interchangeableClients } from '../explore/symmetry.js';

/**
 * paxsim's own protocols, defined through the public API (src/index.ts) like
 * any user's: each is one definition, listed once in run/registry.ts. Their
 * timing lives in the scenario's `paxos:` / `multipaxos:` / `raft:` keys (Cheap
 * Paxos: `roles.main/auxiliary`, `cheapPaxos:`, `expect.auxiliaries`), which the
 * scenario schema validates, so they take no `config`; each one's `scenario`
 * shape says which of those keys it reads (scenario/protocol-shape.ts).
 */

export const paxosDefinition = defineProtocol({
  name: 'paxos',
  description: 'single-decree Paxos: proposers, acceptors and learners agree on one value',
  bugs: PAXOS_BUGS,
  scenario: { clients: false, timingBlock: 'paxos' },
  checkerDescriptions: CHECKERS,
  symmetry: interchangeableAcceptors,
  coverage: paxosCoverage(),
  traceFormat: 'paxos',
  setup: ({ scenario, bug, liveness }) => paxosDriver(scenario, bug as PaxosBug | undefined, liveness),
});

export const multiPaxosDefinition = defineProtocol({
  name: 'multipaxos',
  description: 'Multi-Paxos: a replicated key-value log with a stable leader, and closed-loop clients',
  bugs: MULTIPAXOS_BUGS,
  scenario: { clients: true, timingBlock: 'multipaxos' },
  checkerDescriptions: MULTIPAXOS_CHECKERS,
  symmetry: interchangeableClients,
  coverage: multiPaxosCoverage(),
  traceFormat: 'multipaxos',
  setup: ({ scenario, bug, liveness }) => multiPaxosDriver(scenario, bug as MultiPaxosBug | undefined, liveness),
});

export const raftDefinition = defineProtocol({
  name: 'raft',
  description: 'Raft: a replicated key-value log (leader election, log replication), with Multi-Paxos\'s closed-loop clients',
  bugs: RAFT_BUGS,
  scenario: { clients: true, timingBlock: 'raft' },
  checkerDescriptions: RAFT_CHECKERS,
  coverage: raftCoverage(),
  traceFormat: 'raft',
  setup: ({ scenario, bug, liveness }) => raftDriver(scenario, bug as RaftBug | undefined, liveness),
});

export const cheapPaxosDefinition = defineProtocol({
  name: 'cheap-paxos',
  description: 'Cheap Paxos: Multi-Paxos on f+1 main processors, with f auxiliaries that help only to reconfigure around a failed main',
  bugs: CHEAP_PAXOS_BUGS,
  scenario: { clients: true, timingBlock: 'multipaxos', mainAndAuxiliaryRoles: true },
  checkerDescriptions: CHEAP_PAXOS_CHECKERS,
  coverage: multiPaxosCoverage(),
  traceFormat: 'cheap-paxos',
  setup: ({ scenario, bug, liveness }) => cheapPaxosDriver(scenario, bug as CheapPaxosBug | undefined, liveness),
});
