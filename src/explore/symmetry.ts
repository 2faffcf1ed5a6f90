import type { NodeId, Scenario } from '../scenario/scenario.js';
import { hashPlain } from './canonical.js';

/**
 * Which nodes of a configuration `paxsim explore --symmetry` may permute: a
 * protocol definition's own knowledge (its `symmetry`), since only the
 * protocol knows which ids it never orders or compares. Classes of one are
 * left out by the caller.
 */
export type SymmetryClasses = (scenario: Scenario, requests: readonly { readonly node: NodeId; readonly request: unknown }[], clients: readonly NodeId[]) => NodeId[][];

/**
 * Single-decree Paxos: acceptors/learners that are not proposers and get no
 * requests (a proposer's id is part of its ballots, and ballots are ordered
 * by it), grouped by role.
 */
export const interchangeableAcceptors: SymmetryClasses = (scenario, requests) => {
  const { proposers, acceptors, learners } = scenario.roles;
  const classes = new Classes();
  for (const node of scenario.nodes) {
    if (proposers.includes(node) || requests.some((request) => request.node === node)) continue;
    classes.add(`${acceptors.includes(node)}|${learners.includes(node)}`, node);
  }
  return classes.list();
};

/** Multi-Paxos: clients with equal workloads (replicas can all lead, and a leader's id is in its ballots). */
export const interchangeableClients: SymmetryClasses = (_scenario, requests, clients) => {
  const requestsOf = (node: NodeId): number => hashPlain(requests.filter((request) => request.node === node).map((request) => request.request));
  const classes = new Classes();
  for (const client of clients) classes.add(String(requestsOf(client)), client);
  return classes.list();
};

/** Nodes grouped by a key, in first-seen order. */
class Classes {
  private readonly groups = new Map<string, NodeId[]>();

  add(key: string, node: NodeId): void {
    const group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, [node]);
    else group.push(node);
  }

  list(): NodeId[][] {
    return [...this.groups.values()];
  }
}
