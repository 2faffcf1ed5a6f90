import type { Ballot } from './ballot.js';
import type { AcceptedProposal, Value } from './messages.js';

/** What an acceptor must never forget: written to stable storage before it replies. */
export interface AcceptorRecord {
  readonly promised: Ballot | null;
  readonly accepted: AcceptedProposal | null;
}

/**
 * A node's durable state: an immutable value, replaced on every change and
 * written to storage (one record, synced) before the node acts on it.
 */
export interface PaxosDurable {
  readonly acceptor: AcceptorRecord;
  /** Highest round this node has used as a proposer, so a restarted proposer never reuses a ballot. */
  readonly lastRound: number;
  readonly learned: Value | null;
}

export const EMPTY_ACCEPTOR_RECORD: AcceptorRecord = { promised: null, accepted: null };

export const INITIAL_DURABLE: PaxosDurable = {
  acceptor: EMPTY_ACCEPTOR_RECORD,
  lastRound: 0,
  learned: null,
};
