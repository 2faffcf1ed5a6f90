import type { DurableStorage, Effects, NodeId } from '../effects.js';
import { unreachable } from '../../util/assert.js';
import { emptyDict, type Dict } from '../../util/dict.js';
import { ELECTION_TIMER, HEARTBEAT_TIMER, isSameRequest, LeaderServer, type LeaderServerState } from '../leader-based/server.js';
import { applyCommand, emptyKvStore } from '../multipaxos/kv.js';
import { NOOP, type ClientCommand } from '../multipaxos/messages.js';
import { serverQuorum, type RaftConfig } from './config.js';
import type { AppendEntriesMessage, AppendReplyMessage, LogEntry, LogIndex, RaftMessage, RaftObservation, RequestVoteMessage, Term, VoteReplyMessage } from './messages.js';
import { RAFT_LOG, RAFT_TERM_KEY, readServerRecords, type RaftRecord } from './state.js';

export type RaftEffects = Effects<RaftMessage, RaftRecord, RaftObservation>;

/** Figure 2's volatile state, plus what this server needs to serve clients (the shared part: role, leader hint, failed campaigns, store, owed replies). A crash wipes it. */
export interface RaftVolatileState extends LeaderServerState {
  /** Highest log index known committed (-1: none). */
  commitIndex: LogIndex;
  /** Highest log index applied to the state machine (-1: none). */
  lastApplied: LogIndex;
  // candidate
  votesFrom: NodeId[];
  // leader (reinitialized after election)
  nextIndex: Dict<LogIndex>;
  matchIndex: Dict<LogIndex>;
}

/**
 * A Raft server, following Figure 2 of the Raft paper (Ongaro and Ousterhout,
 * 2014), with 0-based log indexes:
 *
 * - currentTerm, votedFor and every log entry are written to storage (one
 *   record per entry) and synced before any reply that depends on them.
 * - Elections with randomized timeouts; RequestVote with the election
 *   restriction (last log term, then length); anyone seeing a higher term
 *   becomes a follower in it.
 * - AppendEntries with the consistency check on (prevLogIndex, prevLogTerm),
 *   truncation only from the first conflicting entry, conflict term/index
 *   hints for fast backtracking, heartbeats every heartbeatMs (which also
 *   retransmit what a follower lacks).
 * - A leader appends a no-op at the start of its term, and commits only
 *   entries of its own term counted on a majority; earlier entries commit
 *   with them. Followers set commitIndex = min(leaderCommit, last new entry).
 * - Reads go through the log like writes, so they are linearizable.
 * - Clients are Multi-Paxos's: a non-leader answers with a redirect, and the
 *   deduplicating key-value store applies each request once.
 */
export class RaftServer extends LeaderServer<RaftMessage, RaftEffects, RaftVolatileState> {
  readonly state: RaftVolatileState;
  private readonly storage: DurableStorage<RaftRecord>;
  // Durable state, cached: each is written to storage before it changes here.
  private currentTerm: Term;
  private votedFor: NodeId | null;
  private readonly log: LogEntry[];
  private readonly quorum: number;

  constructor(
    effects: RaftEffects,
    private readonly config: RaftConfig,
  ) {
    super(effects, { servers: config.servers, electionMs: config.timing.electionMs, staleReads: config.bugs.has('stale-read') });
    this.quorum = serverQuorum(config);
    this.storage = effects.storage;
    const stored = readServerRecords(this.storage);
    this.currentTerm = stored.currentTerm;
    this.votedFor = stored.votedFor;
    this.log = stored.log;
    this.state = {
      role: 'follower',
      commitIndex: -1,
      lastApplied: -1,
      leaderHint: null,
      failedCampaigns: 0,
      votesFrom: [],
      nextIndex: emptyDict(),
      matchIndex: emptyDict(),
      store: emptyKvStore(),
      replyTo: emptyDict(),
    };
  }

  onMessage(from: NodeId, message: RaftMessage): void {
    switch (message.type) {
      case 'request-vote':
        return this.onRequestVote(from, message);
      case 'vote-reply':
        return this.onVoteReply(from, message);
      case 'append-entries':
        return this.onAppendEntries(from, message);
      case 'append-reply':
        return this.onAppendReply(from, message);
      case 'request':
        return this.onClientRequest(from, message.command);
      case 'reply':
      case 'redirect':
        return; // meant for clients
      default:
        unreachable(message, 'raft message');
    }
  }

  protected onHeartbeatTimer(): void {
    if (this.state.role === 'leader') this.broadcastAppend();
    else if (this.state.role === 'candidate') this.requestVotes();
  }

  // ── terms and persistence ─────────────────────────────────────────────────

  private lastLogIndex(): LogIndex {
    return this.log.length - 1;
  }

  private termAt(index: LogIndex): Term {
    return index < 0 ? 0 : (this.log[index]?.term ?? -1);
  }

  /**
   * Persist currentTerm and votedFor (synced by the caller before it replies).
   * Under `vote-twice` the vote is never stored: a restart forgets it.
   */
  private writeTerm(term: Term, votedFor: NodeId | null): void {
    this.currentTerm = term;
    this.votedFor = votedFor;
    const storedVote = this.config.bugs.has('vote-twice') ? null : votedFor;
    this.storage.write(RAFT_TERM_KEY, { kind: 'term', currentTerm: term, votedFor: storedVote });
  }

  /** Any RPC with a higher term: adopt it and follow (Figure 2, all servers). */
  private seeTerm(term: Term): void {
    if (term <= this.currentTerm) return;
    this.writeTerm(term, null);
    this.storage.sync();
    if (this.state.role !== 'follower') this.becomeFollower();
    this.state.leaderHint = null;
  }

  private becomeFollower(): void {
    const state = this.state;
    state.role = 'follower';
    state.votesFrom = [];
    state.nextIndex = emptyDict();
    state.matchIndex = emptyDict();
    this.effects.cancelTimer(HEARTBEAT_TIMER);
    this.armElection();
  }

  private appendEntry(entry: LogEntry): void {
    const index = this.log.length;
    this.storage.writeSlot(RAFT_LOG, index, { kind: 'entry', term: entry.term, command: entry.command });
    this.log.push(entry);
    this.effects.observe({ type: 'append', slot: index, term: entry.term, command: entry.command });
  }

  /** Delete the entry at `fromIndex` and all that follow it. */
  private truncateFrom(fromIndex: LogIndex): void {
    if (fromIndex >= this.log.length) return;
    for (let index = this.log.length - 1; index >= fromIndex; index--) this.storage.removeSlot(RAFT_LOG, index);
    this.log.length = fromIndex;
    this.effects.observe({ type: 'truncate', fromSlot: fromIndex });
  }

  // ── elections ─────────────────────────────────────────────────────────────

  protected campaign(): void {
    const state = this.state;
    this.writeTerm(this.currentTerm + 1, this.id);
    this.storage.sync();
    this.effects.observe({ type: 'vote', term: this.currentTerm, candidate: this.id });
    state.role = 'candidate';
    state.leaderHint = null;
    state.votesFrom = [this.id];
    state.failedCampaigns += 1;
    this.armElection();
    this.requestVotes();
    if (state.votesFrom.length >= this.quorum) this.becomeLeader();
  }

  /**
   * RequestVote to every server that has not granted its vote yet, again every
   * heartbeatMs while the campaign lasts ("servers retry RPCs if they do not
   * receive a response in a timely manner", §5.1).
   */
  private requestVotes(): void {
    const request: RequestVoteMessage = { type: 'request-vote', term: this.currentTerm, lastLogIndex: this.lastLogIndex(), lastLogTerm: this.termAt(this.lastLogIndex()) };
    for (const server of this.config.servers) {
      if (!this.state.votesFrom.includes(server)) this.effects.send(server, request);
    }
    this.effects.setTimer(HEARTBEAT_TIMER, this.config.timing.heartbeatMs);
  }

  /** The election restriction (§5.4.1): the candidate's last term is higher, or equal with a log at least as long. */
  private candidateUpToDate(message: RequestVoteMessage): boolean {
    if (this.config.bugs.has('no-log-check')) return true;
    const myLastTerm = this.termAt(this.lastLogIndex());
    if (message.lastLogTerm !== myLastTerm) return message.lastLogTerm > myLastTerm;
    return message.lastLogIndex >= this.lastLogIndex();
  }

  private onRequestVote(from: NodeId, message: RequestVoteMessage): void {
    this.seeTerm(message.term);
    let granted = false;
    if (message.term === this.currentTerm && (this.votedFor === null || this.votedFor === from) && this.candidateUpToDate(message)) {
      granted = true;
      if (this.votedFor !== from) {
        this.writeTerm(this.currentTerm, from);
        this.storage.sync();
        this.effects.observe({ type: 'vote', term: this.currentTerm, candidate: from });
      }
      this.state.failedCampaigns = 0;
      this.armElection();
    }
    this.effects.send(from, { type: 'vote-reply', term: this.currentTerm, granted });
  }

  private onVoteReply(from: NodeId, message: VoteReplyMessage): void {
    this.seeTerm(message.term);
    const state = this.state;
    if (state.role !== 'candidate' || message.term !== this.currentTerm || !message.granted) return;
    if (state.votesFrom.includes(from)) return;
    state.votesFrom.push(from);
    if (state.votesFrom.length >= this.quorum) this.becomeLeader();
  }

  private becomeLeader(): void {
    const state = this.state;
    state.role = 'leader';
    state.leaderHint = this.id;
    state.failedCampaigns = 0;
    state.votesFrom = [];
    this.effects.cancelTimer(ELECTION_TIMER);
    this.effects.observe({ type: 'leader', term: this.currentTerm });
    state.nextIndex = emptyDict();
    state.matchIndex = emptyDict();
    for (const server of this.config.servers) {
      state.nextIndex[server] = this.log.length;
      state.matchIndex[server] = -1;
    }
    // Figure 2: "upon election: send initial empty AppendEntries RPCs (heartbeat) to each server".
    for (const server of this.config.servers) {
      if (server !== this.id) this.sendAppend(server, false);
    }
    // Then a no-op of the new term: committing it commits every earlier entry. It goes out with the replies.
    // Under `commit-old-term` earlier entries seem to commit on their own (the bug), so the no-op looks useless and is left out.
    if (!this.config.bugs.has('commit-old-term')) {
      this.appendEntry({ term: this.currentTerm, command: NOOP });
      this.storage.sync();
    }
    state.matchIndex[this.id] = this.lastLogIndex();
    this.effects.setTimer(HEARTBEAT_TIMER, this.config.timing.heartbeatMs);
    this.advanceCommit();
  }

  // ── leader: replication ───────────────────────────────────────────────────

  /** AppendEntries to every follower (heartbeat and retransmission in one), then re-arm the heartbeat. */
  private broadcastAppend(): void {
    for (const server of this.config.servers) {
      if (server !== this.id) this.sendAppend(server);
    }
    this.effects.setTimer(HEARTBEAT_TIMER, this.config.timing.heartbeatMs);
  }

  private sendAppend(server: NodeId, withEntries = true): void {
    const nextIndex = this.state.nextIndex[server] ?? this.log.length;
    const prevLogIndex = nextIndex - 1;
    const message: AppendEntriesMessage = {
      type: 'append-entries',
      term: this.currentTerm,
      prevLogIndex,
      prevLogTerm: this.termAt(prevLogIndex),
      entries: withEntries ? this.log.slice(nextIndex, nextIndex + this.config.maxEntriesPerAppend) : [],
      leaderCommit: this.state.commitIndex,
    };
    this.effects.send(server, message);
  }

  private onAppendReply(from: NodeId, message: AppendReplyMessage): void {
    this.seeTerm(message.term);
    const state = this.state;
    if (state.role !== 'leader' || message.term !== this.currentTerm) return;
    const matched = state.matchIndex[from] ?? -1;
    if (message.success) {
      // A stale or duplicated success teaches nothing: answering it too would turn every extra reply into another AppendEntries.
      if (message.matchIndex <= matched) return;
      state.matchIndex[from] = message.matchIndex;
      state.nextIndex[from] = Math.max(state.nextIndex[from] ?? 0, message.matchIndex + 1);
      this.advanceCommit();
      if (state.nextIndex[from]! < this.log.length) this.sendAppend(from);
      return;
    }
    // Only ever backwards (a stale failure must not skip ahead), never at or below what is known to match.
    const nextIndex = state.nextIndex[from] ?? this.log.length;
    state.nextIndex[from] = Math.max(matched + 1, Math.min(nextIndex - 1, this.backtrackTo(message)));
    this.sendAppend(from);
  }

  /**
   * Fast backtracking: past the leader's last entry of the conflicting term
   * when it has one, else to the follower's first index of that term (or its
   * log's end when the log was shorter).
   */
  private backtrackTo(reply: AppendReplyMessage): LogIndex {
    if (reply.conflictTerm >= 0) {
      for (let index = this.lastLogIndex(); index >= 0 && this.termAt(index) >= reply.conflictTerm; index--) {
        if (this.termAt(index) === reply.conflictTerm) return index + 1;
      }
    }
    return reply.conflictIndex;
  }

  /**
   * The highest N above commitIndex with log[N] of the current term on a
   * majority becomes the commit index (Figure 2, leaders, last rule). Terms
   * only grow along the log, so the scan stops at the first older entry;
   * under `commit-old-term` it does not, and entries of earlier terms commit
   * on their own majority.
   */
  private advanceCommit(): void {
    const state = this.state;
    const oldTermsCount = this.config.bugs.has('commit-old-term');
    for (let index = this.lastLogIndex(); index > state.commitIndex; index--) {
      if (!oldTermsCount && this.termAt(index) !== this.currentTerm) return;
      if (this.replicatedOn(index) >= this.quorum) {
        this.commitTo(index);
        return;
      }
    }
  }

  private replicatedOn(index: LogIndex): number {
    let count = 0;
    for (const server of this.config.servers) {
      if ((this.state.matchIndex[server] ?? -1) >= index) count += 1;
    }
    return count;
  }

  private commitTo(index: LogIndex): void {
    if (index <= this.state.commitIndex) return;
    this.state.commitIndex = index;
    this.effects.observe({ type: 'commit', slot: index });
    this.applyCommitted();
  }

  // ── follower ──────────────────────────────────────────────────────────────

  private onAppendEntries(from: NodeId, message: AppendEntriesMessage): void {
    this.seeTerm(message.term);
    const state = this.state;
    if (message.term < this.currentTerm) {
      this.effects.send(from, { type: 'append-reply', term: this.currentTerm, success: false, matchIndex: -1, conflictIndex: -1, conflictTerm: -1 });
      return;
    }
    // The leader of this term: a candidate of the same term lost.
    if (state.role !== 'follower') this.becomeFollower();
    this.followLeader(from);
    const conflict = this.consistencyCheck(message.prevLogIndex, message.prevLogTerm);
    if (conflict !== null) {
      this.effects.send(from, { type: 'append-reply', term: this.currentTerm, success: false, matchIndex: -1, ...conflict });
      return;
    }
    const lastNewIndex = this.storeEntries(message.prevLogIndex, message.entries);
    this.storage.sync();
    const commitBound = this.config.bugs.has('commit-ahead') ? this.lastLogIndex() : lastNewIndex;
    if (message.leaderCommit > state.commitIndex) this.commitTo(Math.min(message.leaderCommit, commitBound));
    this.effects.send(from, { type: 'append-reply', term: this.currentTerm, success: true, matchIndex: lastNewIndex, conflictIndex: -1, conflictTerm: -1 });
  }

  /** Null when the log holds prevLogIndex with prevLogTerm; else the backtracking hints. */
  private consistencyCheck(prevLogIndex: LogIndex, prevLogTerm: Term): { conflictIndex: LogIndex; conflictTerm: Term } | null {
    if (prevLogIndex < 0) return null;
    if (prevLogIndex >= this.log.length) return { conflictIndex: this.log.length, conflictTerm: -1 };
    const term = this.termAt(prevLogIndex);
    if (term === prevLogTerm) return null;
    let first = prevLogIndex;
    while (first > 0 && this.termAt(first - 1) === term) first -= 1;
    return { conflictIndex: first, conflictTerm: term };
  }

  /**
   * Store the leader's entries after prevLogIndex: an existing entry that
   * conflicts (same index, other term) is deleted with all that follow; entries
   * already present are left alone, so a delayed, older AppendEntries cannot
   * erase newer ones. Returns the index of the last new entry.
   */
  private storeEntries(prevLogIndex: LogIndex, entries: readonly LogEntry[]): LogIndex {
    if (this.config.bugs.has('truncate-always')) this.truncateFrom(prevLogIndex + 1);
    entries.forEach((entry, offset) => {
      const index = prevLogIndex + 1 + offset;
      if (index < this.log.length) {
        if (this.termAt(index) === entry.term) return;
        this.truncateFrom(index);
      }
      this.appendEntry(entry);
    });
    return prevLogIndex + entries.length;
  }

  // ── state machine and clients ─────────────────────────────────────────────

  private applyCommitted(): void {
    const state = this.state;
    while (state.lastApplied < state.commitIndex) {
      const slot = state.lastApplied + 1;
      const entry = this.log[slot];
      // Under `commit-ahead` a follower may commit past its log's end: nothing there to apply yet.
      if (entry === undefined) return;
      state.lastApplied = slot;
      this.reportApplied(slot, entry.command, applyCommand(state.store, entry.command, true));
    }
  }

  protected serve(command: ClientCommand): void {
    const state = this.state;
    if (this.answeredFromSessions(command)) return;
    this.expectReply(command);
    if (this.isUnapplied(command)) return;
    this.appendEntry({ term: this.currentTerm, command });
    this.storage.sync();
    state.matchIndex[this.id] = this.lastLogIndex();
    for (const server of this.config.servers) {
      if (server !== this.id && state.nextIndex[server] === this.log.length - 1) this.sendAppend(server);
    }
    this.advanceCommit();
  }

  /** The request is in the log above lastApplied already (a retry): it will be applied and answered from there. */
  private isUnapplied(command: ClientCommand): boolean {
    for (let index = this.lastLogIndex(); index > this.state.lastApplied; index--) {
      if (isSameRequest(command, this.log[index]!.command)) return true;
    }
    return false;
  }
}
