import { LastBallotKey, type Ballot } from '../protocols/paxos/ballot.js';
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
  /** By ballot key, the values accepted in that ballot and by whom (one value, unless a bug let two share a ballot). */
  private readonly proposalsByBallot = new Map<string, { readonly value: Value; readonly acceptors: NodeId[] }[]>();
  private readonly chosenProposals: ChosenProposal[] = [];
  private readonly chosenValueSet = new Set<Value>();
  private readonly ballotKeys = new LastBallotKey();

  constructor(private readonly quorumSize: number) {}

  /** Feeds one event; returns the proposal it made chosen, if it did. */
  observe(event: TraceEvent): ChosenProposal | null {
    if (event.type !== 'accept') return null;
    // Keyed by ballot and value: under a bug, two values can share a ballot.
    const key = this.ballotKeys.of(event.ballot);
    let proposals = this.proposalsByBallot.get(key);
    if (proposals === undefined) {
      proposals = [];
      this.proposalsByBallot.set(key, proposals);
    }
    // A loop, not `find`: its closure was an allocation per acceptance.
    let proposal: { readonly value: Value; readonly acceptors: NodeId[] } | undefined;
    for (let index = 0; index < proposals.length && proposal === undefined; index++) if (proposals[index]!.value === event.value) proposal = proposals[index];
    if (proposal === undefined) {
      proposal = { value: event.value, acceptors: [] };
      proposals.push(proposal);
    }
    // A short list: a ballot is accepted by at most every acceptor once.
    if (proposal.acceptors.includes(event.node)) return null;
    proposal.acceptors.push(event.node);
    if (proposal.acceptors.length !== this.quorumSize) return null;
    const chosen = { value: event.value, ballot: event.ballot, t: event.t };
    this.chosenProposals.push(chosen);
    this.chosenValueSet.add(event.value);
    return chosen;
  }

  get chosen(): readonly ChosenProposal[] {
    return this.chosenProposals;
  }

  isChosen(value: Value): boolean {
    return this.chosenValueSet.has(value);
  }
}
