import type { RaftMessage } from '../protocols/raft/messages.js';
import type { RaftObservationEvent } from '../check/raft-checks.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { describeCommand } from './format.js';

/** Raft's own message types (client messages are Multi-Paxos's). */
export type RaftPeerMessage = Extract<RaftMessage, { type: 'request-vote' | 'vote-reply' | 'append-entries' | 'append-reply' }>;

const RAFT_PEER_MESSAGE_TYPES: ReadonlySet<string> = new Set(['request-vote', 'vote-reply', 'append-entries', 'append-reply']);

export function isRaftMessage(message: { type: string }): message is RaftPeerMessage {
  return RAFT_PEER_MESSAGE_TYPES.has(message.type);
}

/** `append-entries t3 prev 4/t2 [2 entries] commit 5`, `vote-reply t3 granted`. */
export function describeRaftMessage(message: RaftPeerMessage): string {
  switch (message.type) {
    case 'request-vote':
      return `request-vote t${message.term} last ${message.lastLogIndex}/t${message.lastLogTerm}`;
    case 'vote-reply':
      return `vote-reply t${message.term} ${message.granted ? 'granted' : 'refused'}`;
    case 'append-entries': {
      const entries = message.entries.length === 0 ? 'heartbeat' : message.entries.length === 1 ? `[${describeCommand(message.entries[0]!.command)} t${message.entries[0]!.term}]` : `[${message.entries.length} entries]`;
      return `append-entries t${message.term} prev ${message.prevLogIndex}/t${message.prevLogTerm} ${entries} commit ${message.leaderCommit}`;
    }
    case 'append-reply':
      return message.success
        ? `append-reply t${message.term} ok, match ${message.matchIndex}`
        : `append-reply t${message.term} refused${message.conflictIndex >= 0 ? `, conflict at ${message.conflictIndex}${message.conflictTerm >= 0 ? ` (t${message.conflictTerm})` : ''}` : ''}`;
  }
}

/** Raft's observations as timeline text, or null for any other event (client events are Multi-Paxos's). */
export function describeRaftEvent(anyEvent: AnyTraceEvent): { who: string; what: string; decision: boolean } | null {
  const event = anyEvent as RaftObservationEvent | AnyTraceEvent;
  switch (event.type) {
    case 'leader':
      return 'term' in event ? { who: event.node, what: `● leader of term ${event.term}`, decision: true } : null;
    case 'vote':
      return 'candidate' in event ? { who: event.node, what: `● votes for ${event.candidate} in term ${event.term}`, decision: false } : null;
    case 'append':
      return 'term' in event ? { who: event.node, what: `● stored slot ${event.slot}: ${describeCommand(event.command)} (term ${event.term})`, decision: false } : null;
    case 'truncate':
      return 'fromSlot' in event ? { who: event.node, what: `● truncated its log from slot ${event.fromSlot}`, decision: false } : null;
    case 'commit':
      return 'slot' in event && !('command' in event) ? { who: event.node, what: `● commit index → ${event.slot}`, decision: true } : null;
    default:
      return null;
  }
}


/** Every type a Raft trace's events may have: the shared network, fault and node events, Raft's observations and the client events. */
export const RAFT_EVENT_TYPES: Readonly<Record<string, true>> = {
  ...Object.fromEntries(['send', 'deliver', 'drop', 'duplicate', 'crash', 'restart', 'partition', 'cut', 'heal', 'pause', 'resume', 'drift', 'burst', 'timer', 'request-lost', 'violation'].map((type) => [type, true as const])),
  leader: true,
  vote: true,
  append: true,
  truncate: true,
  commit: true,
  apply: true,
  invoke: true,
  complete: true,
  timeout: true,
};

/** Every Raft message type (client messages included). */
export const RAFT_MESSAGE_TYPES: Readonly<Record<RaftMessage['type'], true>> = {
  'request-vote': true,
  'vote-reply': true,
  'append-entries': true,
  'append-reply': true,
  request: true,
  reply: true,
  redirect: true,
};
