import type { NodeId } from '../effects.js';
import type { Command, KvOp, KvResult, RedirectMessage, ReplyMessage, RequestMessage } from '../multipaxos/messages.js';

/** A log index: 0, 1, 2, … (Multi-Paxos's slots; the paper counts from 1). -1: before the first entry. */
export type LogIndex = number;
export type Term = number;

/** One log entry: the command and the term in which a leader created it. */
export interface LogEntry {
  readonly term: Term;
  readonly command: Command;
}

export interface RequestVoteMessage {
  readonly type: 'request-vote';
  readonly term: Term;
  /** -1 with term 0 for an empty log. */
  readonly lastLogIndex: LogIndex;
  readonly lastLogTerm: Term;
}

export interface VoteReplyMessage {
  readonly type: 'vote-reply';
  readonly term: Term;
  readonly granted: boolean;
}

export interface AppendEntriesMessage {
  readonly type: 'append-entries';
  readonly term: Term;
  /** -1 (term 0) when the entries start the log. */
  readonly prevLogIndex: LogIndex;
  readonly prevLogTerm: Term;
  /** Empty: a heartbeat. */
  readonly entries: readonly LogEntry[];
  readonly leaderCommit: LogIndex;
}

/**
 * Success: `matchIndex` is the last index known to match the leader's log
 * (prevLogIndex + entries). Failure: the fast-backtracking hints, as in the
 * extended Raft paper: `conflictTerm` is the follower's term at prevLogIndex
 * (-1 when its log is shorter) and `conflictIndex` its first index of that
 * term (its log length when shorter).
 */
export interface AppendReplyMessage {
  readonly type: 'append-reply';
  readonly term: Term;
  readonly success: boolean;
  readonly matchIndex: LogIndex;
  readonly conflictIndex: LogIndex;
  readonly conflictTerm: Term;
}

export type RaftMessage = RequestVoteMessage | VoteReplyMessage | AppendEntriesMessage | AppendReplyMessage | RequestMessage | ReplyMessage | RedirectMessage;

/**
 * Protocol facts reported to the trace (README, trace format). Indexes are
 * 0-based slots. Client events are Multi-Paxos's.
 */
export type RaftObservation =
  | { readonly type: 'leader'; readonly term: Term }
  | { readonly type: 'vote'; readonly term: Term; readonly candidate: NodeId }
  | { readonly type: 'append'; readonly slot: LogIndex; readonly term: Term; readonly command: Command }
  | { readonly type: 'truncate'; readonly fromSlot: LogIndex }
  | { readonly type: 'commit'; readonly slot: LogIndex }
  | { readonly type: 'apply'; readonly slot: LogIndex; readonly command: Command; readonly result: KvResult; readonly duplicate?: true }
  | { readonly type: 'invoke'; readonly client: NodeId; readonly requestId: number; readonly op: KvOp }
  | { readonly type: 'complete'; readonly client: NodeId; readonly requestId: number; readonly op: KvOp; readonly result: KvResult }
  | { readonly type: 'timeout'; readonly client: NodeId; readonly requestId: number; readonly op: KvOp };
