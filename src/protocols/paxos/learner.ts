import type { NodeId } from '../effects.js';
import { LastBallotKey, type Ballot } from './ballot.js';
import { backoffMs } from './config.js';
import type { AcceptedMessage, DecidedMessage, Value } from './messages.js';
import type { PaxosRole } from './role.js';
import { filterPacked } from '../../util/packed-array.js';

export const CATCHUP_TIMER = 'catchup';

/** Votes seen for one ballot: the value and the acceptors that accepted it. */
export interface BallotVotes {
  value: Value;
  acceptors: NodeId[];
}

export interface LearnerState {
  votes: Record<string, BallotVotes>;
  catchupAttempt: number;
}

/**
 * Learns a value once a quorum of acceptors report accepting it in the same
 * ballot. Until then it periodically asks the acceptors to resend what they
 * accepted and the other learners what they learned, so a learner that missed
 * the phase 2b messages (drops, a partition, a crash) still learns once the
 * network heals.
 */
export class Learner {
  readonly state: LearnerState = { votes: {}, catchupAttempt: 0 };
  /** A ballot reaches every learner in many messages: its key is built once, not per message. */
  private readonly ballotKeys = new LastBallotKey();
  /** The votes entry of the ballot object seen last, in the votes record it was found in: most messages skip the keyed lookup. */
  private lastVotes: { readonly ballot: Ballot; readonly record: Record<string, BallotVotes>; readonly votes: BallotVotes } | null = null;
  /** The `count-duplicates` bug, looked up once per node rather than at every message. */
  private readonly countsEveryMessage: boolean;
  private peers: readonly NodeId[] | null = null;

  constructor(
    private readonly role: PaxosRole,
    private readonly onLearned: () => void,
  ) {
    this.countsEveryMessage = role.config.bugs.has('count-duplicates');
  }

  boot(): void {
    if (this.role.durable().learned === null) this.armCatchup();
  }

  onAccepted(from: NodeId, message: AcceptedMessage): void {
    if (this.role.durable().learned !== null) return;
    const votes = this.votesFor(message);
    if (!this.countsEveryMessage && votes.acceptors.includes(from)) return;
    votes.acceptors.push(from);
    if (votes.acceptors.length >= this.role.quorum) this.learn(votes.value);
  }

  private votesFor(message: AcceptedMessage): BallotVotes {
    const last = this.lastVotes;
    if (last !== null && last.ballot === message.ballot && last.record === this.state.votes) return last.votes;
    const record = this.state.votes;
    const votes = (record[this.ballotKeys.of(message.ballot)] ??= { value: message.value, acceptors: [] });
    this.lastVotes = { ballot: message.ballot, record, votes };
    return votes;
  }

  /** Another learner learned: a value it learned is chosen, so this one learns it too. */
  onDecided(message: DecidedMessage): void {
    if (this.role.durable().learned !== null) return;
    this.learn(message.value);
  }

  /** A learner that is behind asks: tell it what was learned. */
  onCatchup(from: NodeId): void {
    const learned = this.role.durable().learned;
    if (learned !== null) this.role.send(from, { type: 'decided', value: learned });
  }

  onCatchupTimer(): void {
    if (this.role.durable().learned !== null) return;
    for (const peer of this.catchupPeers()) this.role.send(peer, { type: 'catchup' });
    this.state.catchupAttempt += 1;
    this.armCatchup();
  }

  /** Every acceptor and every other learner, each once, in sorted order: built at the first catch-up (the configuration never changes). */
  private catchupPeers(): readonly NodeId[] {
    if (this.peers !== null) return this.peers;
    const config = this.role.config;
    // Packed in every tier: with `filter`, the spread below deopted once this was optimized (see util/packed-array.ts).
    const others = filterPacked(config.learners, (learner) => learner !== this.role.nodeId && !config.acceptors.includes(learner));
    this.peers = [...config.acceptors, ...others];
    return this.peers;
  }

  private learn(value: Value): void {
    this.role.updateDurable({ learned: value });
    this.role.observe({ type: 'learn', value });
    this.role.cancelTimer(CATCHUP_TIMER);
    this.state.votes = {};
    this.onLearned();
  }

  private armCatchup(): void {
    const timing = this.role.config.timing;
    const delayMs = backoffMs(timing.catchupMs, timing.catchupMaxMs, this.state.catchupAttempt, this.role.random);
    this.role.setTimer(CATCHUP_TIMER, delayMs);
  }
}
