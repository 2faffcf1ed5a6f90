import type { Ballot } from '../paxos/ballot.js';
import type { Command } from './messages.js';

/** One slot's accepted proposal, as an acceptor stores it. */
export interface AcceptedValue {
  readonly ballot: Ballot;
  readonly command: Command;
}

/**
 * A replica's durable state: an immutable value, replaced on every change and
 * persisted (whole) before the replica replies or acts on it.
 */
export interface ReplicaDurable {
  readonly kind: 'replica';
  /** Acceptor: the highest ballot promised (or accepted), for every slot at once. */
  readonly promised: Ballot | null;
  /** Acceptor: `accepted[slot]`, null where nothing was accepted. Never pruned: a lagging leader may need any slot. */
  readonly accepted: readonly (AcceptedValue | null)[];
  /** The highest round this replica campaigned with, so a restarted replica never reuses a ballot. */
  readonly lastRound: number;
  /**
   * The applied log: the chosen command of slots 0 … log.length-1, in order.
   * The state machine and the client table are rebuilt from it after a crash
   * (silently: those applies were already reported).
   */
  readonly log: readonly Command[];
}

export const INITIAL_REPLICA_DURABLE: ReplicaDurable = {
  kind: 'replica',
  promised: null,
  accepted: [],
  lastRound: 0,
  log: [],
};

/** A client's durable state: the next request id, so ids are never reused. */
export interface ClientDurable {
  readonly kind: 'client';
  readonly nextRequestId: number;
}

export const INITIAL_CLIENT_DURABLE: ClientDurable = { kind: 'client', nextRequestId: 1 };

export type MultiPaxosDurable = ReplicaDurable | ClientDurable;
