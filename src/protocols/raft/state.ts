import { assert } from '../../util/assert.js';
import type { NodeId, StorageReader } from '../effects.js';
import type { Command } from '../multipaxos/messages.js';
import type { MultiPaxosRecord } from '../multipaxos/state.js';
import type { LogEntry, LogIndex, Term } from './messages.js';

/**
 * What a Raft server keeps in stable storage (Figure 2's persistent state):
 * one record for currentTerm and votedFor, and one per log index in the slot
 * log `log`, so an append or a truncation costs O(1) per entry. Clients keep
 * Multi-Paxos's request-id record (they are Multi-Paxos's clients).
 */
export type RaftRecord =
  | { readonly kind: 'term'; readonly currentTerm: Term; readonly votedFor: NodeId | null }
  | { readonly kind: 'entry'; readonly term: Term; readonly command: Command }
  | Extract<MultiPaxosRecord, { kind: 'client' }>;

export const RAFT_TERM_KEY = 'term';
export const RAFT_LOG = 'log';

/** Reads a server's records once: O(log), for recovery and views. */
export function readServerRecords(storage: StorageReader<RaftRecord>): { currentTerm: Term; votedFor: NodeId | null; log: LogEntry[] } {
  const termRecord = storage.read(RAFT_TERM_KEY);
  const log: LogEntry[] = [];
  for (const [index, record] of storage.slotEntries(RAFT_LOG)) {
    if (record.kind === 'entry') log[index] = { term: record.term, command: record.command };
  }
  for (let index = 0; index < log.length; index++) {
    assert(log[index] !== undefined, () => `raft: stored log has a hole at index ${index}`);
  }
  return {
    currentTerm: termRecord?.kind === 'term' ? termRecord.currentTerm : 0,
    votedFor: termRecord?.kind === 'term' ? termRecord.votedFor : null,
    log,
  };
}

/** A server's durable state as the replay state table shows it. */
export interface RaftServerDurableView {
  readonly kind: 'server';
  readonly currentTerm: Term;
  readonly votedFor: NodeId | null;
  /** The term of every entry, index order. */
  readonly logTerms: readonly Term[];
  readonly lastIndex: LogIndex;
}

export interface RaftClientDurableView {
  readonly kind: 'client';
  readonly nextRequestId: number;
}

export type RaftDurableView = RaftServerDurableView | RaftClientDurableView;
