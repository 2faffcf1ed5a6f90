import type { NodeId } from '../effects.js';
import { ballot, ballotsEqual, compareBallots, nextRound, type Ballot } from './ballot.js';
import { backoffMs } from './config.js';
import type { AcceptedMessage, AcceptedProposal, NackMessage, PromiseMessage, ProposeRequest, Value } from './messages.js';
import type { PaxosRole } from './role.js';

export const RETRY_TIMER = 'retry';

type ProposerPhase = 'idle' | 'preparing' | 'accepting' | 'waiting' | 'done';

/** Volatile proposer state: a crash wipes it, including the value it was asked to propose. */
export interface ProposerState {
  phase: ProposerPhase;
  input: Value | null;
  ballot: Ballot | null;
  /** The value sent in phase 2 (own input, or the adopted one). */
  proposalValue: Value | null;
  promisedBy: NodeId[];
  highestAccepted: AcceptedProposal | null;
  acceptedBy: NodeId[];
  attempt: number;
  highestRoundSeen: number;
}

/**
 * Phase 1a and 2a, retried with a fresh, higher ballot after a randomized,
 * growing timeout until a quorum accepts this proposer's ballot, so progress
 * resumes after drops, crashes and partitions heal, and duels settle.
 */
export class Proposer {
  readonly state: ProposerState = {
    phase: 'idle',
    input: null,
    ballot: null,
    proposalValue: null,
    promisedBy: [],
    highestAccepted: null,
    acceptedBy: [],
    attempt: 0,
    highestRoundSeen: 0,
  };

  /** This proposer's tag in its ballots (none under the `same-ballot` bug), decided once per node rather than per ballot. */
  private readonly ballotTag: NodeId;

  constructor(private readonly role: PaxosRole) {
    this.ballotTag = role.config.bugs.has('same-ballot') ? '' : role.nodeId;
  }

  onRequest(request: ProposeRequest): void {
    this.state.input = request.value;
    this.state.attempt = 0;
    this.startBallot(request.round);
  }

  onRetryTimer(): void {
    if (this.state.input === null || this.state.phase === 'done') return;
    this.state.attempt += 1;
    this.startBallot(undefined);
  }

  onPromise(from: NodeId, message: PromiseMessage): void {
    const state = this.state;
    if (state.phase !== 'preparing' || !this.isCurrent(message.ballot)) return;
    if (state.promisedBy.includes(from)) return;
    state.promisedBy.push(from);
    const accepted = message.accepted;
    if (accepted !== null && (state.highestAccepted === null || compareBallots(accepted.ballot, state.highestAccepted.ballot) > 0)) {
      state.highestAccepted = accepted;
    }
    if (state.promisedBy.length >= this.role.quorum) this.startPhaseTwo();
  }

  onAccepted(from: NodeId, message: AcceptedMessage): void {
    const state = this.state;
    if (state.phase !== 'accepting' || !this.isCurrent(message.ballot)) return;
    if (state.acceptedBy.includes(from)) return;
    state.acceptedBy.push(from);
    if (state.acceptedBy.length >= this.role.quorum) this.finish();
  }

  /** A refusal: remember how high the competition went; the retry timer starts a higher ballot. */
  onNack(message: NackMessage): void {
    const state = this.state;
    state.highestRoundSeen = Math.max(state.highestRoundSeen, message.promised[0]);
    if ((state.phase === 'preparing' || state.phase === 'accepting') && this.isCurrent(message.ballot)) {
      state.phase = 'waiting';
    }
  }

  /** The co-located learner learned: a value is chosen, so there is nothing left to drive. */
  finish(): void {
    if (this.state.phase === 'done' || this.state.phase === 'idle') return;
    this.state.phase = 'done';
    this.role.cancelTimer(RETRY_TIMER);
  }

  private startBallot(requestedRound: number | undefined): void {
    const state = this.state;
    const input = state.input;
    if (input === null) return;
    const round = Math.max(nextRound(this.role.durable().lastRound, state.highestRoundSeen), requestedRound ?? 0);
    this.role.updateDurable({ lastRound: round });
    state.ballot = ballot(round, this.ballotTag);
    state.phase = 'preparing';
    state.proposalValue = null;
    state.promisedBy = [];
    state.highestAccepted = null;
    state.acceptedBy = [];
    this.role.observe({ type: 'propose', value: input, ballot: state.ballot });
    // One message object for the whole broadcast: messages are immutable, so every acceptor can be handed the same one.
    const prepare = { type: 'prepare', ballot: state.ballot } as const;
    for (const acceptor of this.role.config.acceptors) this.role.send(acceptor, prepare);
    const timing = this.role.config.timing;
    this.role.setTimer(RETRY_TIMER, backoffMs(timing.retryMs, timing.retryMaxMs, state.attempt, this.role.random));
  }

  private startPhaseTwo(): void {
    const state = this.state;
    const currentBallot = state.ballot!;
    let value = state.input!;
    const adopted = state.highestAccepted;
    if (adopted !== null && !this.role.config.bugs.has('ignore-accepted')) {
      value = adopted.value;
      this.role.observe({ type: 'adopt', ballot: currentBallot, value, from: adopted.ballot });
    }
    state.phase = 'accepting';
    state.proposalValue = value;
    const accept = { type: 'accept', ballot: currentBallot, value } as const;
    for (const acceptor of this.role.config.acceptors) this.role.send(acceptor, accept);
  }

  private isCurrent(messageBallot: Ballot): boolean {
    return this.state.ballot !== null && ballotsEqual(this.state.ballot, messageBallot);
  }
}
