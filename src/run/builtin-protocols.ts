import { CHECKERS } from '../check/suite.js';
import { MULTIPAXOS_CHECKERS } from '../check/multipaxos-checks.js';
import { MULTIPAXOS_BUGS, type MultiPaxosBug } from '../protocols/multipaxos/config.js';
import { PAXOS_BUGS, type PaxosBug } from '../protocols/paxos/config.js';
import { multiPaxosDriver } from './multipaxos-driver.js';
import { paxosDriver } from './paxos-driver.js';
import { defineProtocol } from './protocol-definition.js';

/**
 * paxsim's own protocols, defined through the public API (src/index.ts) like
 * any user's: each is one definition, listed once in run/registry.ts. Their
 * timing lives in the scenario's `paxos:` / `multipaxos:` keys, which the
 * scenario schema validates, so they take no `config`.
 */

export const paxosDefinition = defineProtocol({
  name: 'paxos',
  description: 'single-decree Paxos: proposers, acceptors and learners agree on one value',
  bugs: PAXOS_BUGS,
  checkerNames: CHECKERS.map((checker) => checker.name),
  setup: ({ scenario, bug, liveness }) => paxosDriver(scenario, bug as PaxosBug | undefined, liveness),
});

export const multiPaxosDefinition = defineProtocol({
  name: 'multipaxos',
  description: 'Multi-Paxos: a replicated key-value log with a stable leader, and closed-loop clients',
  bugs: MULTIPAXOS_BUGS,
  checkerNames: MULTIPAXOS_CHECKERS.map((checker) => checker.name),
  setup: ({ scenario, bug, liveness }) => multiPaxosDriver(scenario, bug as MultiPaxosBug | undefined, liveness),
});
