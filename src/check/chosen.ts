import { ballotKey, type Ballot } from '../protocols/paxos/ballot.js';
import type { Value } from '../protocols/paxos/messages.js';
import type { NodeId } from '../scenario/scenario.js';
import type { TraceEvent } from '../sim/events.js';

export interface ChosenProposal {
  readonly value: Value;
  readonly ballot: Ballot;
  readonly t: number;
}

/**
 * The omniscient view of what is chosen: a (ballot, value) is chosen once a
 * strict majority of acceptors have accepted it in that ballot, whatever any
 * node believes. Computed once per run and shared by every checker.
 */
export class ChosenLedger {
  private readonly acceptorsByProposal = new Map<string, Set<NodeId>>();
  private readonly chosenProposals: ChosenProposal[] = [];
  private readonly chosenValueSet = new Set<Value>();

  constructor(private readonly quorumSize: number) {}

  /** Feeds one event; returns the proposal it made chosen, if it did. */
  observe(event: TraceEvent): ChosenProposal | null {
    if (event.type !== 'accept') return null;
    // Keyed by ballot and value: under a bug, two values can share a ballot.
    const key = `${ballotKey(event.ballot)}=${event.value}`;
    let acceptors = this.acceptorsByProposal.get(key);
    if (acceptors === undefined) {
      acceptors = new Set();
      this.acceptorsByProposal.set(key, acceptors);
    }
    if (acceptors.has(event.node)) return null;
    acceptors.add(event.node);
    if (acceptors.size !== this.quorumSize) return null;
    const proposal = { value: event.value, ballot: event.ballot, t: event.t };
    this.chosenProposals.push(proposal);
    this.chosenValueSet.add(event.value);
    return proposal;
  }

  get chosen(): readonly ChosenProposal[] {
    return this.chosenProposals;
  }

  isChosen(value: Value): boolean {
    return this.chosenValueSet.has(value);
  }
}
