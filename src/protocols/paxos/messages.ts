import type { Ballot } from './ballot.js';

export type Value = string;

export interface AcceptedProposal {
  readonly ballot: Ballot;
  readonly value: Value;
}

/** Phase 1a: a proposer asks acceptors to promise to ignore lower ballots. */
export interface PrepareMessage {
  readonly type: 'prepare';
  readonly ballot: Ballot;
}

/** Phase 1b: the promise, carrying the highest proposal this acceptor accepted (or null). */
export interface PromiseMessage {
  readonly type: 'promise';
  readonly ballot: Ballot;
  readonly accepted: AcceptedProposal | null;
}

/** Phase 2a: a proposer asks acceptors to accept (ballot, value). */
export interface AcceptMessage {
  readonly type: 'accept';
  readonly ballot: Ballot;
  readonly value: Value;
}

/** Phase 2b: an acceptor tells learners (and the proposer) it accepted (ballot, value). */
export interface AcceptedMessage {
  readonly type: 'accepted';
  readonly ballot: Ballot;
  readonly value: Value;
}

/** An acceptor refuses a lower-numbered prepare or accept, telling the proposer what it promised. */
export interface NackMessage {
  readonly type: 'nack';
  readonly ballot: Ballot;
  readonly promised: Ballot;
}

/** A learner that has not learned asks acceptors to resend what they accepted, and learners what they learned. */
export interface CatchupMessage {
  readonly type: 'catchup';
}

/**
 * A learner that learned answers a catch-up with the value. Needed because
 * after a duel the acceptors' latest accepted ballots can stay split, so no
 * single ballot shows a majority any more although a value was chosen.
 */
export interface DecidedMessage {
  readonly type: 'decided';
  readonly value: Value;
}

export type PaxosMessage =
  | PrepareMessage
  | PromiseMessage
  | AcceptMessage
  | AcceptedMessage
  | NackMessage
  | CatchupMessage
  | DecidedMessage;

export type PaxosObservation =
  | { readonly type: 'propose'; readonly value: Value; readonly ballot: Ballot }
  | { readonly type: 'adopt'; readonly ballot: Ballot; readonly value: Value; readonly from: Ballot }
  | { readonly type: 'promise'; readonly ballot: Ballot }
  | { readonly type: 'accept'; readonly ballot: Ballot; readonly value: Value }
  | { readonly type: 'learn'; readonly value: Value };

/** What a client asks a proposer: propose this value, optionally starting at this round. */
export interface ProposeRequest {
  readonly value: Value;
  readonly round?: number | undefined;
}
