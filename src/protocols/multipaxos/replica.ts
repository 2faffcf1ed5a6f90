import type { DurableStorage, Effects, NodeId } from '../effects.js';
import { ballot, ballotsEqual, compareBallots, nextRound, type Ballot } from '../paxos/ballot.js';
import { assert, unreachable } from '../../util/assert.js';
import { emptyDict, type Dict } from '../../util/dict.js';
import { replicaQuorum, type MultiPaxosConfig } from './config.js';
import { applyCommand, copyKvStore, emptyKvStore, kvStoreSize } from './kv.js';
import { ELECTION_TIMER, HEARTBEAT_TIMER, isSameRequest, LeaderServer, type LeaderServerState } from '../leader-based/server.js';
import {
  NOOP,
  type AcceptedEntry,
  type AcceptMessage,
  type ClientCommand,
  type Command,
  type HeartbeatMessage,
  type MultiPaxosMessage,
  type MultiPaxosObservation,
  type PrepareMessage,
  type PromiseMessage,
  type Slot,
} from './messages.js';
import { appliedLogEnd, scanReplicaRecords, storageKeys, storageLogs, type AcceptedValue, type MultiPaxosRecord } from './state.js';

export type MultiPaxosEffects = Effects<MultiPaxosMessage, MultiPaxosRecord, MultiPaxosObservation>;

/** At most this many commits answer one catch-up request. */
const CATCHUP_BATCH = 64;

/** A slot the leader proposed in its ballot and has not yet seen chosen. */
interface Proposal {
  readonly command: Command;
  readonly acceptedBy: NodeId[];
}

/** Volatile replica state: a crash wipes it (the state machine is rebuilt from the last snapshot and the applied records after it). */
export interface ReplicaState extends LeaderServerState {
  /** This replica's ballot while it campaigns or leads. */
  ballot: Ballot | null;
  highestRoundSeen: number;
  // candidate
  promisedBy: NodeId[];
  /** slot → the highest-ballot value any promiser reported accepted there. */
  recovered: Record<Slot, AcceptedValue>;
  // leader
  /** False until every slot recovered at election is chosen; client commands wait in `queue` meanwhile. */
  serving: boolean;
  recoveryEnd: Slot;
  nextSlot: Slot;
  proposals: Record<Slot, Proposal>;
  queue: ClientCommand[];
  // learner and state machine
  /** Slots known chosen above the applied log, waiting for the gap below them to fill. */
  learned: Record<Slot, Command>;
  /** Leader: replica → the longest applied log it reported (in `accepted` and `catchup`). Applied logs only grow, so any report stays a lower bound. */
  appliedBy: Dict<number>;
}

/**
 * A Multi-Paxos replica: acceptor, leader candidate, learner and key-value
 * state machine in one node.
 *
 * - Election: a replica that hears no leader for its election timeout picks a
 *   ballot above anything it has seen and runs Phase 1 for every slot from its
 *   applied log's end at once. With promises from a majority it leads: it
 *   re-proposes, in its own ballot, the highest-ballot value the quorum
 *   accepted in each slot up to the highest such slot (no-ops in the gaps),
 *   and serves new client commands only once all of those are chosen. A
 *   stable leader then runs Phase 2 alone for each new slot.
 * - The leader sends heartbeats carrying its commit index every heartbeatMs
 *   and retransmits unacknowledged accepts with them; a follower behind the
 *   commit index asks for the missing commits. Anyone that sees a higher
 *   ballot (prepare, accept, heartbeat, nack) steps down.
 * - Acceptor: promise and accepted values are written to storage and synced
 *   before any reply.
 * - Storage is a log of records (see state.ts): one per accepted slot, one per
 *   applied slot, and every `snapshotEverySlots` applied slots a snapshot of
 *   the state machine, so recovery replays at most that many. Followers
 *   report how far they applied in `accepted` (and `catchup`); the leader's
 *   heartbeat carries the minimum over every replica, `appliedEverywhere`,
 *   and each replica drops its accepted and applied records below it (and
 *   below its snapshot). No replica can then need them: every candidate runs
 *   Phase 1 from its own log's end, and every catch-up starts there too, both
 *   at or above `appliedEverywhere`. A replica that stays down holds pruning
 *   back until it returns (no snapshot transfer yet).
 * - A command is chosen when a majority accepted it in the leader's ballot;
 *   the leader then sends `commit` to every other replica. Every replica
 *   applies chosen commands in slot order; the replica that received a
 *   client's request (the leader) replies once it is applied. A non-leader
 *   answers a request with `redirect` to the leader it last heard.
 */
export class Replica extends LeaderServer<MultiPaxosMessage, MultiPaxosEffects, ReplicaState> {
  readonly state: ReplicaState;
  protected readonly storage: DurableStorage<MultiPaxosRecord>;
  // What the stored records say, cached: each is written to storage before it changes here.
  private promised: Ballot | null;
  private lastRound: number;
  /** The applied log's length: slots 0 … appliedEnd-1 are applied. */
  protected appliedEnd: Slot;
  /** The slot after the last snapshot (0: none). */
  private snapshotNextSlot: Slot;
  /** Applied slots between snapshots before the next one: grows with the store, so copying it stays O(1) per slot. */
  private snapshotIntervalSlots: number;
  /** No accepted or applied record is stored below this slot. */
  protected prunedBelow: Slot;
  private highestAcceptedSlot: Slot;
  private readonly quorum: number;
  /** False under `no-dedup`: the client table is never consulted. */
  private readonly dedup: boolean;

  constructor(
    effects: MultiPaxosEffects,
    protected readonly config: MultiPaxosConfig,
  ) {
    super(effects, { servers: config.replicas, electionMs: config.timing.electionMs, staleReads: config.bugs.has('stale-read') });
    this.quorum = replicaQuorum(config);
    this.dedup = !config.bugs.has('no-dedup');
    this.storage = effects.storage;
    // Recovery reads every record once; the state machine replays only what follows the snapshot.
    const records = scanReplicaRecords(this.storage);
    this.promised = records.promised;
    this.lastRound = records.lastRound;
    this.snapshotNextSlot = records.snapshot?.nextSlot ?? 0;
    this.appliedEnd = appliedLogEnd(this.snapshotNextSlot, records.applied);
    const store = records.snapshot === null ? emptyKvStore() : copyKvStore(records.snapshot.store);
    for (let slot = this.snapshotNextSlot; slot < this.appliedEnd; slot++) applyCommand(store, records.applied.get(slot)!, this.dedup);
    this.snapshotIntervalSlots = Math.max(config.snapshotEverySlots, kvStoreSize(store));
    this.prunedBelow = Math.min(this.appliedEnd, records.lowestRecordSlot);
    this.highestAcceptedSlot = records.highestAcceptedSlot;
    this.state = {
      role: 'follower',
      ballot: null,
      leaderHint: null,
      highestRoundSeen: 0,
      failedCampaigns: 0,
      promisedBy: [],
      recovered: {},
      serving: false,
      recoveryEnd: 0,
      nextSlot: 0,
      proposals: {},
      queue: [],
      learned: {},
      replyTo: emptyDict(),
      store,
      appliedBy: emptyDict(),
    };
  }

  onMessage(from: NodeId, message: MultiPaxosMessage): void {
    switch (message.type) {
      case 'prepare':
        return this.onPrepare(from, message);
      case 'promise':
        return this.onPromise(from, message);
      case 'nack':
        this.seeRound(message.promised);
        if (this.state.role !== 'follower' && this.state.ballot !== null && ballotsEqual(message.ballot, this.state.ballot)) this.stepDown();
        return;
      case 'accept':
        return this.onAccept(from, message);
      case 'accepted':
        return this.onAccepted(from, message.ballot, message.slot, message.applied);
      case 'commit':
        return this.learn(message.slot, message.command);
      case 'heartbeat':
        return this.onHeartbeat(from, message);
      case 'catchup':
        return this.onCatchup(from, message.fromSlot);
      case 'request':
        return this.onClientRequest(from, message.command);
      case 'reply':
      case 'redirect':
        return; // meant for clients
      default:
        unreachable(message, 'multipaxos message');
    }
  }

  protected onHeartbeatTimer(): void {
    if (this.state.role === 'leader') this.beat();
  }

  // ── election ──────────────────────────────────────────────────────────────

  protected campaign(): void {
    const state = this.state;
    const round = nextRound(this.lastRound, this.promised?.[0] ?? 0, state.highestRoundSeen);
    this.lastRound = round;
    this.storage.write(storageKeys.round, { kind: 'round', round });
    this.storage.sync();
    this.clearLeadership();
    state.role = 'candidate';
    state.ballot = ballot(round, this.id);
    state.leaderHint = null;
    state.promisedBy = [];
    state.recovered = {};
    const prepare: PrepareMessage = { type: 'prepare', ballot: state.ballot, fromSlot: this.appliedEnd };
    for (const replica of this.prepareTargets()) this.effects.send(replica, prepare);
    this.armElection();
    state.failedCampaigns += 1;
    this.onCampaign();
  }

  private onPromise(from: NodeId, message: PromiseMessage): void {
    const state = this.state;
    if (state.role !== 'candidate' || state.ballot === null || !ballotsEqual(message.ballot, state.ballot)) return;
    if (state.promisedBy.includes(from)) return;
    state.promisedBy.push(from);
    for (const entry of message.accepted) {
      const known = state.recovered[entry.slot];
      if (known === undefined || compareBallots(entry.ballot, known.ballot) > 0) {
        state.recovered[entry.slot] = { ballot: entry.ballot, command: entry.command };
      }
    }
    if (this.isPhase1Complete(state.promisedBy)) this.becomeLeader();
  }

  protected becomeLeader(): void {
    const state = this.state;
    const leaderBallot = state.ballot!;
    state.role = 'leader';
    state.leaderHint = this.id;
    state.failedCampaigns = 0;
    this.effects.cancelTimer(ELECTION_TIMER);
    this.effects.observe({ type: 'leader', ballot: leaderBallot });
    this.onElected(state.promisedBy);
    const logLength = this.appliedEnd;
    const afterLearned = highestKey(state.learned) + 1;
    if (this.config.bugs.has('leader-skips-recovery')) {
      // Trusts its own log: whatever the quorum accepted above it is ignored, and overwritten.
      state.nextSlot = Math.max(logLength, afterLearned);
    } else {
      state.recoveryEnd = Math.max(logLength, afterLearned, highestKey(state.recovered) + 1);
      state.nextSlot = logLength;
      this.proposeRecovered();
    }
    if (state.nextSlot >= state.recoveryEnd) {
      state.recoveryEnd = state.nextSlot;
      state.recovered = {};
    }
    state.promisedBy = [];
    this.beat();
    this.checkServing();
  }

  /**
   * Re-propose, in this leader's ballot, what its promise quorum reported
   * accepted in each slot up to `recoveryEnd` (no-ops in the gaps), as far as
   * `canPropose` allows; the rest waits until the applied log grows.
   */
  protected proposeRecovered(): void {
    const state = this.state;
    while (state.nextSlot < state.recoveryEnd && this.canPropose(state.nextSlot)) {
      const slot = state.nextSlot;
      // Chosen already (learned, or applied since: a Cheap Paxos leader recovers slot by slot as its log grows).
      if (slot >= this.appliedEnd && state.learned[slot] === undefined) this.propose(slot, state.recovered[slot]?.command ?? NOOP);
      state.nextSlot += 1;
    }
  }

  protected stepDown(): void {
    const state = this.state;
    state.role = 'follower';
    state.ballot = null;
    state.leaderHint = null;
    state.promisedBy = [];
    state.recovered = {};
    this.clearLeadership();
    this.armElection();
  }

  private clearLeadership(): void {
    const state = this.state;
    state.serving = false;
    state.recoveryEnd = 0;
    state.nextSlot = 0;
    state.proposals = {};
    state.queue = [];
    state.appliedBy = emptyDict();
    this.effects.cancelTimer(HEARTBEAT_TIMER);
  }

  private seeRound(seen: Ballot): void {
    if (seen[0] > this.state.highestRoundSeen) this.state.highestRoundSeen = seen[0];
  }

  /** True (after sending a nack) when `messageBallot` is below this acceptor's promise. */
  private refuseBelowPromise(from: NodeId, messageBallot: Ballot): boolean {
    this.seeRound(messageBallot);
    const promised = this.promised;
    if (promised === null || compareBallots(messageBallot, promised) >= 0) return false;
    this.effects.send(from, { type: 'nack', ballot: messageBallot, promised });
    return true;
  }

  // ── acceptor ──────────────────────────────────────────────────────────────

  private onPrepare(from: NodeId, message: PrepareMessage): void {
    if (this.refuseBelowPromise(from, message.ballot)) return;
    const promised = this.promised;
    if (promised === null || compareBallots(message.ballot, promised) > 0) {
      this.writePromise(message.ballot);
      this.storage.sync();
      this.effects.observe({ type: 'promise', ballot: message.ballot });
      if (from !== this.id) {
        // Another replica is taking over: stop leading or campaigning, and give it time to win.
        if (this.state.role !== 'follower') this.stepDown();
        this.state.leaderHint = null;
        this.armElection();
      }
    }
    this.effects.send(from, { type: 'promise', ballot: message.ballot, accepted: this.acceptedFrom(message.fromSlot) });
  }

  /**
   * Every stored accepted value from `fromSlot` on. Below `prunedBelow` every
   * replica has applied the slot, the candidate included (its log only grows),
   * so it will not propose there: a late prepare from further back loses nothing.
   */
  private acceptedFrom(fromSlot: Slot): AcceptedEntry[] {
    const entries: AcceptedEntry[] = [];
    for (let slot = Math.max(0, fromSlot, this.prunedBelow); slot <= this.highestAcceptedSlot; slot++) {
      const record = this.storage.readSlot(storageLogs.accepted, slot);
      if (record?.kind === 'accepted') entries.push({ slot, ballot: record.ballot, command: record.command });
    }
    return entries;
  }

  private onAccept(from: NodeId, message: AcceptMessage): void {
    if (this.refuseBelowPromise(from, message.ballot)) return;
    const state = this.state;
    if (state.role !== 'follower' && state.ballot !== null && compareBallots(message.ballot, state.ballot) > 0) this.stepDown();
    const current = this.storage.readSlot(storageLogs.accepted, message.slot);
    // A leader proposes one command per slot in its ballot: the same ballot again is a retransmission.
    if (current?.kind !== 'accepted' || !ballotsEqual(current.ballot, message.ballot)) {
      const promised = this.promised;
      if (promised === null || compareBallots(message.ballot, promised) > 0) this.writePromise(message.ballot);
      this.storage.writeSlot(storageLogs.accepted, message.slot, { kind: 'accepted', slot: message.slot, ballot: message.ballot, command: message.command });
      this.storage.sync();
      if (message.slot > this.highestAcceptedSlot) this.highestAcceptedSlot = message.slot;
      // A late retransmission for a slot already pruned: accepted again (as a fresh acceptor would), and pruned again next time.
      if (message.slot < this.prunedBelow) this.prunedBelow = message.slot;
      this.effects.observe({ type: 'accept', slot: message.slot, ballot: message.ballot, command: message.command });
    }
    this.effects.send(from, { type: 'accepted', ballot: message.ballot, slot: message.slot, applied: this.appliedEnd });
    if (from !== this.id) this.followLeader(from);
    // The bug: the leader's word is taken as the decision.
    if (this.config.bugs.has('apply-unchosen')) this.learn(message.slot, message.command);
  }

  // ── leader ────────────────────────────────────────────────────────────────

  protected propose(slot: Slot, command: Command): void {
    const state = this.state;
    state.proposals[slot] = { command, acceptedBy: [] };
    const accept: AcceptMessage = { type: 'accept', ballot: state.ballot!, slot, command };
    for (const replica of this.acceptTargets(slot)) this.effects.send(replica, accept);
  }

  private onAccepted(from: NodeId, acceptedBallot: Ballot, slot: Slot, applied: Slot): void {
    const state = this.state;
    if (state.role !== 'leader') return;
    this.noteApplied(from, applied);
    if (!ballotsEqual(acceptedBallot, state.ballot!)) return;
    const proposal = state.proposals[slot];
    if (proposal === undefined || proposal.acceptedBy.includes(from)) return;
    proposal.acceptedBy.push(from);
    if (!this.isChosenBy(slot, proposal.acceptedBy)) return;
    delete state.proposals[slot];
    for (const replica of this.learnerTargets()) {
      if (replica !== this.id) this.effects.send(replica, { type: 'commit', slot, command: proposal.command });
    }
    this.learn(slot, proposal.command);
    this.checkServing();
  }

  /** Heartbeat to every other replica, with a retransmission of every accept not yet acknowledged. */
  private beat(): void {
    const state = this.state;
    const leaderBallot = state.ballot!;
    const appliedEverywhere = this.appliedEverywhere();
    const heartbeat: HeartbeatMessage = { type: 'heartbeat', ballot: leaderBallot, commitIndex: this.appliedEnd, appliedEverywhere };
    for (const replica of this.learnerTargets()) {
      if (replica !== this.id) this.effects.send(replica, heartbeat);
    }
    this.prune(appliedEverywhere);
    for (const key of Object.keys(state.proposals)) {
      const slot = Number(key);
      const proposal = state.proposals[slot]!;
      for (const replica of this.acceptTargets(slot)) {
        if (!proposal.acceptedBy.includes(replica)) this.effects.send(replica, { type: 'accept', ballot: leaderBallot, slot, command: proposal.command });
      }
    }
    this.effects.setTimer(HEARTBEAT_TIMER, this.config.timing.heartbeatMs);
    this.afterBeat();
  }

  private noteApplied(replica: NodeId, applied: Slot): void {
    const known = this.state.appliedBy[replica];
    if (known === undefined || applied > known) this.state.appliedBy[replica] = applied;
  }

  /** The shortest applied log over every replica, as far as reports show (0 until each has reported). */
  private appliedEverywhere(): Slot {
    let lowest = this.appliedEnd;
    for (const replica of this.learnerTargets()) {
      if (replica === this.id) continue;
      const applied = this.state.appliedBy[replica];
      if (applied === undefined) return 0;
      if (applied < lowest) lowest = applied;
    }
    return lowest;
  }

  /** Once every recovered slot is chosen, serve the commands that waited. */
  private checkServing(): void {
    const state = this.state;
    if (state.role !== 'leader' || state.serving || state.nextSlot < state.recoveryEnd) return;
    for (const key of Object.keys(state.proposals)) {
      if (Number(key) < state.recoveryEnd) return;
    }
    state.serving = true;
    const waiting = state.queue;
    state.queue = [];
    for (const command of waiting) this.serve(command);
  }

  protected serve(command: ClientCommand): void {
    const state = this.state;
    if (this.dedup) {
      if (this.answeredFromSessions(command)) return;
      if (this.isInFlight(command)) {
        this.expectReply(command);
        return;
      }
    }
    this.expectReply(command);
    if (!state.serving || !this.canPropose(state.nextSlot)) {
      state.queue.push(command);
      return;
    }
    this.propose(state.nextSlot, command);
    state.nextSlot += 1;
  }

  /** Leader: propose what waits (recovered slots, then queued commands) as far as `canPropose` allows, once the applied log grew. */
  protected proposeWaiting(): void {
    const state = this.state;
    if (state.role !== 'leader') return;
    this.proposeRecovered();
    if (state.nextSlot >= state.recoveryEnd) state.recovered = {};
    this.checkServing();
    if (!state.serving) return;
    while (state.queue.length > 0 && this.canPropose(state.nextSlot)) {
      this.propose(state.nextSlot, state.queue.shift()!);
      state.nextSlot += 1;
    }
  }

  /** Proposed, queued or chosen-but-not-yet-applied here already. */
  private isInFlight(command: ClientCommand): boolean {
    const state = this.state;
    const same = (other: Command) => isSameRequest(command, other);
    if (state.queue.some(same)) return true;
    for (const key of Object.keys(state.proposals)) {
      if (same(state.proposals[Number(key)]!.command)) return true;
    }
    for (const key of Object.keys(state.learned)) {
      if (same(state.learned[Number(key)]!)) return true;
    }
    return false;
  }

  // ── follower and learner ──────────────────────────────────────────────────

  private onHeartbeat(from: NodeId, message: HeartbeatMessage): void {
    if (this.refuseBelowPromise(from, message.ballot)) return;
    // At or above this replica's promise, from another replica: above any ballot of its own.
    if (this.state.role !== 'follower') this.stepDown();
    this.followLeader(from);
    this.prune(message.appliedEverywhere);
    const logLength = this.appliedEnd;
    if (message.commitIndex > logLength) this.effects.send(from, { type: 'catchup', fromSlot: logLength });
  }

  /**
   * The applied log is chosen: any replica may hand it out. A request from
   * below `prunedBelow` is a late copy (the asker has applied further since),
   * so the pruned slots are skipped.
   */
  private onCatchup(from: NodeId, fromSlot: Slot): void {
    if (this.state.role === 'leader') this.noteApplied(from, fromSlot);
    const start = Math.max(0, fromSlot, this.prunedBelow);
    const end = Math.min(this.appliedEnd, fromSlot + CATCHUP_BATCH);
    for (let slot = start; slot < end; slot++) this.effects.send(from, { type: 'commit', slot, command: this.appliedCommand(slot) });
  }

  private appliedCommand(slot: Slot): Command {
    const record = this.storage.readSlot(storageLogs.applied, slot);
    assert(record?.kind === 'applied', () => `${this.id}: no applied record for slot ${slot} (applied ${this.appliedEnd}, pruned below ${this.prunedBelow})`);
    return record.command;
  }

  protected learn(slot: Slot, command: Command): void {
    const state = this.state;
    if (slot < this.appliedEnd || state.learned[slot] !== undefined) return;
    state.learned[slot] = command;
    this.effects.observe({ type: 'learn', slot, command });
    this.applyLearned();
  }

  /** Apply every learned slot that extends the log, storing (and syncing) the applied records before anything is reported or answered. */
  private applyLearned(): void {
    const state = this.state;
    const firstSlot = this.appliedEnd;
    const ready: Command[] = [];
    for (let slot = firstSlot; state.learned[slot] !== undefined; slot++) {
      const command = state.learned[slot]!;
      ready.push(command);
      delete state.learned[slot];
      this.storage.writeSlot(storageLogs.applied, slot, { kind: 'applied', slot, command });
    }
    if (ready.length === 0) return;
    this.storage.sync();
    this.appliedEnd = firstSlot + ready.length;
    ready.forEach((command, index) => {
      const slot = firstSlot + index;
      this.reportApplied(slot, command, applyCommand(state.store, command, this.dedup));
      this.onApplied(slot, command);
    });
    if (this.appliedEnd - this.snapshotNextSlot >= this.snapshotIntervalSlots) this.snapshot();
    this.afterApply();
  }

  /** Store the state machine as of the applied log's end, so recovery replays only what follows. */
  private snapshot(): void {
    const store = copyKvStore(this.state.store);
    this.storage.write(storageKeys.snapshot, { kind: 'snapshot', nextSlot: this.appliedEnd, store });
    this.storage.sync();
    this.snapshotNextSlot = this.appliedEnd;
    this.snapshotIntervalSlots = Math.max(this.config.snapshotEverySlots, kvStoreSize(store));
  }

  /**
   * Drop the accepted and applied records of every slot below both
   * `appliedEverywhere` (no replica will ask for them: see the class comment)
   * and the snapshot (recovery does not need them). Each slot is removed
   * once, so pruning costs O(1) per slot over a run.
   */
  private prune(appliedEverywhere: Slot): void {
    const below = Math.min(appliedEverywhere, this.snapshotNextSlot);
    if (below <= this.prunedBelow) return;
    for (let slot = this.prunedBelow; slot < below; slot++) {
      this.storage.removeSlot(storageLogs.accepted, slot);
      this.storage.removeSlot(storageLogs.applied, slot);
    }
    this.storage.sync();
    this.prunedBelow = below;
  }

  private writePromise(ballot: Ballot): void {
    this.promised = ballot;
    this.storage.write(storageKeys.promise, { kind: 'promise', ballot });
  }

  // ── quorum and configuration hooks ────────────────────────────────────────
  // Multi-Paxos: every replica is an acceptor and any majority is a quorum,
  // for every slot. Cheap Paxos overrides these (protocols/cheap-paxos/).

  /** Where a candidate sends its prepare. */
  protected prepareTargets(): readonly NodeId[] {
    return this.config.replicas;
  }

  /** Whether the promises gathered so far let the candidate lead. */
  protected isPhase1Complete(promisedBy: readonly NodeId[]): boolean {
    return promisedBy.length >= this.quorum;
  }

  /** Where the leader sends (and resends) its accept for `slot`. */
  protected acceptTargets(_slot: Slot): readonly NodeId[] {
    return this.config.replicas;
  }

  /** Whether these acceptors, having accepted the leader's proposal at `slot`, make it chosen. */
  protected isChosenBy(_slot: Slot, acceptedBy: readonly NodeId[]): boolean {
    return acceptedBy.length >= this.quorum;
  }

  /** The replicas that learn chosen commands (commit, heartbeat) and whose applied logs bound pruning. */
  protected learnerTargets(): readonly NodeId[] {
    return this.config.replicas;
  }

  /** Whether the leader may propose at `slot` now (else it waits until the applied log grows). */
  protected canPropose(_slot: Slot): boolean {
    return true;
  }

  /** A campaign just sent its prepares. */
  protected onCampaign(): void {}

  /** Phase 1 completed with these promises, before any proposal. */
  protected onElected(_promisedBy: readonly NodeId[]): void {}

  /** A leader's heartbeat went out. */
  protected afterBeat(): void {}

  /** `command` was applied at `slot` (called in slot order). */
  protected onApplied(_slot: Slot, _command: Command): void {}

  /** The applied log grew. */
  protected afterApply(): void {}
}

/** The highest integer key of a slot-keyed record, or -1. Integer keys iterate in ascending order. */
function highestKey(record: Record<Slot, unknown>): number {
  const keys = Object.keys(record);
  return keys.length === 0 ? -1 : Number(keys[keys.length - 1]);
}
