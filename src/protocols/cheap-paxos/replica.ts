import type { NodeId } from '../effects.js';
import { ballotsEqual, compareBallots } from '../paxos/ballot.js';
import { NOOP, type Command, type PromiseMessage, type Slot } from '../multipaxos/messages.js';
import { Replica, type MultiPaxosEffects, type ReplicaState } from '../multipaxos/replica.js';
import { storageLogs } from '../multipaxos/state.js';
import {
  configurationAt,
  isQuorumOf,
  isValidConfiguration,
  type CheapPaxosConfig,
  type Configuration,
  type ConfigurationEntry,
} from './config.js';
import { isReconfig, type CheapPaxosMessage, type CheapPaxosObservation, type ReconfigCommand } from './messages.js';

/** A candidate that lacks a quorum of mains this long after its prepare asks the auxiliaries too. */
export const HELPER_TIMER = 'helpers';
/** Stored once per reconfiguration: the history survives pruning of the applied log. */
const CONFIGURATIONS_KEY = 'configurations';
/** A proposal unanswered by a main for this many heartbeats means the main is suspected. */
const SUSPECT_AFTER_BEATS = 2;
/** A removed main heard within this many beats, and this close to the leader's log, is added back. */
const ALIVE_WITHIN_BEATS = 2;
const CAUGHT_UP_SLOTS = 64;

/** Cheap Paxos leader bookkeeping (volatile, plain data). */
export interface CheapLeaderState {
  /** Promises for this ballot: Phase 1 must hold a quorum of each slot's configuration before that slot is proposed. */
  promisedBy: NodeId[];
  /** True while the leader also sends its accepts to the auxiliaries (a main stopped answering). */
  auxEngaged: boolean;
  /** Prepare for this ballot sent to the auxiliaries. */
  auxPrepared: boolean;
  /** The highest slot an auxiliary may hold an accepted value for (-1: none known). */
  auxUsedUpTo: Slot;
  /** slot → heartbeats its proposal has waited. */
  waitingBeats: Record<Slot, number>;
  beats: number;
  /** main → the beat it was last heard at. */
  heardAt: Record<NodeId, number>;
  /** The reconfiguration to propose at the next free slot (ahead of queued client commands). */
  wanted: Configuration | null;
  /** The beat Phase 1 was last extended to a configuration's missing members (-1: never). */
  extendedAtBeat: number;
}

function freshLeaderState(): CheapLeaderState {
  return { promisedBy: [], auxEngaged: false, auxPrepared: false, auxUsedUpTo: -1, waitingBeats: {}, beats: 0, heardAt: Object.create(null) as Record<NodeId, number>, wanted: null, extendedAtBeat: -1 };
}

/**
 * A Cheap Paxos node (Lamport and Massa, DSN 2004): the Multi-Paxos replica
 * with per-slot configurations. Mains run the state machine; in the common
 * case a slot goes to the mains only and is chosen when all of them accept.
 * An auxiliary is an acceptor only: it never campaigns, learns or applies,
 * and hears from a leader only while a main is failing.
 *
 * - Configurations are commands in the log (`ReconfigCommand`); the one
 *   chosen at slot i governs slots from i + α on, so the leader proposes a
 *   slot only once every slot α before it is applied (it knows its quorum).
 * - A proposal a main leaves unanswered for two heartbeats makes the leader
 *   engage the auxiliaries (Phase 1 with them for its ballot, then its
 *   accepts) and propose a configuration without that main. A removed main
 *   that answers again is added back.
 * - Once the configuration without auxiliaries' help is in effect and every
 *   main (removed ones too: a lagging main could otherwise recover a slot
 *   from a quorum that no longer holds its value) has applied every slot an
 *   auxiliary may hold, the leader tells the auxiliaries to discard.
 */
export class CheapReplica extends Replica {
  private readonly cheap: CheapPaxosConfig;
  private readonly isAuxiliary: boolean;
  private readonly mains: readonly NodeId[];
  /** Every configuration chosen so far, in slot order, from the initial one: durable. */
  private history: ConfigurationEntry[];
  private leader: CheapLeaderState = freshLeaderState();
  /** Highest slot any auxiliary reported accepted in a promise for the current campaign. */
  private auxReportedUpTo: Slot = -1;

  constructor(effects: MultiPaxosEffects, config: CheapPaxosConfig) {
    super(effects, config);
    this.cheap = config;
    this.isAuxiliary = config.initial.auxiliary.includes(effects.nodeId);
    this.mains = config.replicas.filter((id) => !config.initial.auxiliary.includes(id));
    const stored = this.storage.read(CONFIGURATIONS_KEY) as unknown as { history: ConfigurationEntry[] } | undefined;
    this.history = stored?.history ?? [{ slot: -1, ...config.initial }];
  }

  override start(): void {
    if (!this.isAuxiliary) super.start();
  }

  override recover(): void {
    if (!this.isAuxiliary) super.recover();
  }

  override onMessage(from: NodeId, message: CheapPaxosMessage): void {
    if (message.type === 'discard') {
      this.discard(message.uptoSlot);
      return;
    }
    if (!this.isAuxiliary && this.state.role === 'leader') this.leader.heardAt[from] = this.leader.beats;
    if (message.type === 'promise') this.notePromise(from, message);
    super.onMessage(from, message);
    // The bug: the auxiliary forgets as soon as it has answered.
    if (message.type === 'accept' && this.isAuxiliary && this.cheap.cheapBugs.has('aux-forgets-early')) this.discard(message.slot + 1);
  }

  override onTimer(name: string): void {
    if (name === HELPER_TIMER) {
      if (this.state.role === 'candidate') this.prepareAuxiliaries();
      return;
    }
    super.onTimer(name);
  }

  override volatileState(): ReplicaState & { cheap: CheapLeaderState; configurations: readonly ConfigurationEntry[] } {
    return { ...this.state, cheap: this.leader, configurations: this.history };
  }

  // ── hooks ─────────────────────────────────────────────────────────────────

  protected override prepareTargets(): readonly NodeId[] {
    return this.mains;
  }

  protected override isPhase1Complete(promisedBy: readonly NodeId[]): boolean {
    return isQuorumOf(this.configurationAt(this.appliedEnd), promisedBy);
  }

  protected override acceptTargets(_slot: Slot): readonly NodeId[] {
    return this.leader.auxEngaged ? this.cheap.replicas : this.mains;
  }

  protected override isChosenBy(slot: Slot, acceptedBy: readonly NodeId[]): boolean {
    return isQuorumOf(this.configurationAt(slot), acceptedBy);
  }

  protected override learnerTargets(): readonly NodeId[] {
    return this.mains;
  }

  protected override canPropose(slot: Slot): boolean {
    if (!this.cheap.cheapBugs.has('no-alpha') && slot >= this.appliedEnd + this.cheap.alpha) return false;
    const configuration = this.configurationAt(slot);
    if (isQuorumOf(configuration, this.leader.promisedBy)) return true;
    // A configuration this ballot has no Phase 1 quorum of: ask its members that have not promised (again each beat: prepares get lost).
    this.extendPhase1(configuration);
    return false;
  }

  protected override onCampaign(): void {
    this.leader = freshLeaderState();
    this.auxReportedUpTo = -1;
    const helperMs = 2 * this.cheap.timing.heartbeatMs;
    if (helperMs < this.cheap.timing.electionMs) this.effects.setTimer(HELPER_TIMER, helperMs);
  }

  protected override onElected(promisedBy: readonly NodeId[]): void {
    const leader = this.leader;
    leader.promisedBy = [...promisedBy];
    leader.auxUsedUpTo = this.auxReportedUpTo;
    leader.auxPrepared = leader.auxPrepared || promisedBy.some((id) => this.cheap.initial.auxiliary.includes(id));
    // Elected without some main: it is failing, so the auxiliaries work until it is removed.
    const latest = this.latestConfiguration();
    if (latest.main.some((id) => !promisedBy.includes(id))) leader.auxEngaged = true;
    this.effects.cancelTimer(HELPER_TIMER);
  }

  protected override afterBeat(): void {
    const leader = this.leader;
    leader.beats += 1;
    const suspects = this.suspectedMains();
    if (suspects.length > 0 && !leader.auxEngaged) this.engageAuxiliaries();
    this.reconfigure(suspects);
    this.fillUntilInEffect();
    this.releaseAuxiliaries(suspects);
    // Whatever waits for a Phase 1 quorum of a newer configuration asks again.
    this.proposeWaiting();
  }

  protected override onApplied(slot: Slot, command: Command): void {
    if (!isReconfig(command)) return;
    const { main, auxiliary } = command.configuration;
    this.history = [...this.history, { slot, main, auxiliary }];
    this.storage.write(CONFIGURATIONS_KEY, { history: this.history } as never);
    this.storage.sync();
    this.observe({ type: 'config', slot, main, auxiliary });
  }

  protected override afterApply(): void {
    if (this.state.role === 'leader') this.proposeWanted();
    this.proposeWaiting();
  }

  protected override armElection(): void {
    if (!this.isAuxiliary) super.armElection();
  }

  // ── leader ────────────────────────────────────────────────────────────────

  private configurationAt(slot: Slot): ConfigurationEntry {
    return configurationAt(this.history, slot, this.cheap.cheapBugs.has('no-alpha') ? null : this.cheap.alpha);
  }

  private latestConfiguration(): ConfigurationEntry {
    return this.history[this.history.length - 1]!;
  }

  /** The newest configuration governs every slot from here on. */
  private latestInEffect(): boolean {
    const latest = this.latestConfiguration();
    return latest.slot < 0 || this.appliedEnd >= latest.slot + this.cheap.alpha;
  }

  private prepareAuxiliaries(): void {
    const state = this.state;
    if (this.leader.auxPrepared || state.ballot === null) return;
    this.leader.auxPrepared = true;
    if (this.cheap.cheapBugs.has('aux-no-phase1')) {
      this.assumeAuxiliariesPromised(this.cheap.initial.auxiliary);
      return;
    }
    for (const id of this.cheap.initial.auxiliary) this.effects.send(id, { type: 'prepare', ballot: state.ballot, fromSlot: this.appliedEnd });
  }

  /**
   * The `aux-no-phase1` bug: the auxiliaries are counted as having promised
   * this ballot with nothing accepted, and no prepare is sent, so the leader
   * goes straight to Phase 2 with them and never learns what they accepted
   * under an earlier leader. (Delivered to this node's own promise handling,
   * as their promises would be.)
   */
  private assumeAuxiliariesPromised(auxiliaries: readonly NodeId[]): void {
    for (const id of auxiliaries) {
      const ballot = this.state.ballot;
      if (ballot === null || this.state.role === 'follower') return;
      this.onMessage(id, { type: 'promise', ballot, accepted: [] });
    }
  }

  private extendPhase1(configuration: Configuration): void {
    const state = this.state;
    const leader = this.leader;
    if (state.role !== 'leader' || leader.extendedAtBeat === leader.beats) return;
    leader.extendedAtBeat = leader.beats;
    const skipsAuxiliaries = this.cheap.cheapBugs.has('aux-no-phase1');
    const members = skipsAuxiliaries ? configuration.main : [...configuration.main, ...configuration.auxiliary];
    for (const id of members) {
      if (!leader.promisedBy.includes(id)) this.effects.send(id, { type: 'prepare', ballot: state.ballot!, fromSlot: this.appliedEnd });
    }
    if (skipsAuxiliaries) this.assumeAuxiliariesPromised(configuration.auxiliary.filter((id) => !leader.promisedBy.includes(id)));
  }

  /** Promises: a candidate remembers what auxiliaries hold; a leader extending Phase 1 adds the promiser and what it reported for slots not yet proposed. */
  private notePromise(from: NodeId, message: PromiseMessage): void {
    const state = this.state;
    if (state.ballot === null || !ballotsEqual(message.ballot, state.ballot)) return;
    const fromAuxiliary = this.cheap.initial.auxiliary.includes(from);
    if (fromAuxiliary) for (const entry of message.accepted) this.auxReportedUpTo = Math.max(this.auxReportedUpTo, entry.slot);
    if (state.role !== 'leader') return;
    const leader = this.leader;
    if (fromAuxiliary) leader.auxUsedUpTo = Math.max(leader.auxUsedUpTo, this.auxReportedUpTo);
    if (leader.promisedBy.includes(from)) return;
    leader.promisedBy.push(from);
    for (const entry of message.accepted) {
      if (entry.slot < state.nextSlot) continue; // proposed already, from a quorum of that slot's configuration
      const known = state.recovered[entry.slot];
      if (known === undefined || compareBallots(entry.ballot, known.ballot) > 0) {
        state.recovered[entry.slot] = { ballot: entry.ballot, command: entry.command };
      }
      if (entry.slot >= state.recoveryEnd) state.recoveryEnd = entry.slot + 1;
    }
    this.proposeWaiting();
  }

  /** Mains of a waiting slot's configuration that left its proposal unanswered for SUSPECT_AFTER_BEATS beats. */
  private suspectedMains(): NodeId[] {
    const leader = this.leader;
    const proposals = this.state.proposals;
    const waiting: Record<Slot, number> = {};
    const suspects: NodeId[] = [];
    for (const key of Object.keys(proposals)) {
      const slot = Number(key);
      const beats = (leader.waitingBeats[slot] ?? 0) + 1;
      waiting[slot] = beats;
      if (beats < SUSPECT_AFTER_BEATS) continue;
      for (const id of this.configurationAt(slot).main) {
        if (!proposals[slot]!.acceptedBy.includes(id) && !suspects.includes(id)) suspects.push(id);
      }
    }
    leader.waitingBeats = waiting;
    return suspects.sort();
  }

  private engageAuxiliaries(): void {
    const state = this.state;
    this.leader.auxEngaged = true;
    this.prepareAuxiliaries();
    for (const key of Object.keys(state.proposals)) {
      const slot = Number(key);
      const proposal = state.proposals[slot]!;
      this.leader.auxUsedUpTo = Math.max(this.leader.auxUsedUpTo, slot);
      for (const id of this.cheap.initial.auxiliary) {
        if (!proposal.acceptedBy.includes(id)) this.effects.send(id, { type: 'accept', ballot: state.ballot!, slot, command: proposal.command });
      }
    }
  }

  /** One reconfiguration at a time, once the last is in effect: remove a suspected main, or add back a removed one that answers and has caught up. */
  private reconfigure(suspects: readonly NodeId[]): void {
    const state = this.state;
    if (!state.serving || !this.latestInEffect() || this.reconfigPending()) return;
    const latest = this.latestConfiguration();
    let next: Configuration | null = null;
    for (const id of suspects) {
      const candidate = { main: latest.main.filter((main) => main !== id), auxiliary: latest.auxiliary };
      if (latest.main.includes(id) && isValidConfiguration(candidate)) {
        next = candidate;
        break;
      }
    }
    if (next === null) {
      const back = this.mains.find((id) => !latest.main.includes(id) && this.isAliveAndCaughtUp(id));
      if (back !== undefined) next = { main: [...latest.main, back].sort(), auxiliary: latest.auxiliary };
    }
    this.leader.wanted = next;
    this.proposeWanted();
  }

  private proposeWanted(): void {
    const state = this.state;
    const wanted = this.leader.wanted;
    if (wanted === null || !state.serving || state.nextSlot < state.recoveryEnd || !this.canPropose(state.nextSlot)) return;
    this.leader.wanted = null;
    const command: ReconfigCommand = { noop: true, configuration: wanted };
    this.propose(state.nextSlot, command);
    state.nextSlot += 1;
  }

  private reconfigPending(): boolean {
    const proposals = this.state.proposals;
    return Object.keys(proposals).some((key) => isReconfig(proposals[Number(key)]!.command));
  }

  private isAliveAndCaughtUp(id: NodeId): boolean {
    const heard = this.leader.heardAt[id];
    const applied = this.state.appliedBy[id];
    return heard !== undefined && this.leader.beats - heard <= ALIVE_WITHIN_BEATS && applied !== undefined && applied + CAUGHT_UP_SLOTS >= this.appliedEnd;
  }

  /** A chosen configuration takes effect only α slots later: fill them with no-ops when nothing else would. */
  private fillUntilInEffect(): void {
    const state = this.state;
    if (!state.serving || this.latestInEffect() || state.queue.length > 0 || Object.keys(state.proposals).length > 0) return;
    const effectiveSlot = this.latestConfiguration().slot + this.cheap.alpha;
    while (state.nextSlot < effectiveSlot && state.nextSlot >= state.recoveryEnd && this.canPropose(state.nextSlot)) {
      this.propose(state.nextSlot, NOOP);
      state.nextSlot += 1;
    }
  }

  /** Stop using the auxiliaries once the configuration in effect needs none, and let them discard once every main has what they held. */
  private releaseAuxiliaries(suspects: readonly NodeId[]): void {
    const leader = this.leader;
    const latest = this.latestConfiguration();
    if (leader.auxEngaged && suspects.length === 0 && this.latestInEffect() && latest.main.every((id) => id === this.id || this.recentlyHeard(id))) {
      leader.auxEngaged = false;
    }
    if (leader.auxEngaged || leader.auxUsedUpTo < 0 || this.appliedEnd <= leader.auxUsedUpTo) return;
    const uptoSlot = leader.auxUsedUpTo + 1;
    if (!this.mains.every((id) => id === this.id || (this.state.appliedBy[id] ?? 0) >= uptoSlot)) return;
    for (const id of this.cheap.initial.auxiliary) this.send(id, { type: 'discard', uptoSlot });
    leader.auxUsedUpTo = -1;
  }

  private recentlyHeard(id: NodeId): boolean {
    const heard = this.leader.heardAt[id];
    return heard !== undefined && this.leader.beats - heard <= ALIVE_WITHIN_BEATS;
  }

  protected override propose(slot: Slot, command: Command): void {
    if (this.leader.auxEngaged) this.leader.auxUsedUpTo = Math.max(this.leader.auxUsedUpTo, slot);
    super.propose(slot, command);
  }

  // ── auxiliary ─────────────────────────────────────────────────────────────

  /** Drop every accepted value below `uptoSlot` (an auxiliary's whole state, in the common case). */
  private discard(uptoSlot: Slot): void {
    if (uptoSlot <= this.prunedBelow) return;
    for (let slot = this.prunedBelow; slot < uptoSlot; slot++) this.storage.removeSlot(storageLogs.accepted, slot);
    this.storage.sync();
    this.prunedBelow = uptoSlot;
    this.observe({ type: 'discard', uptoSlot });
  }

  private send(to: NodeId, message: CheapPaxosMessage): void {
    (this.effects.send as (to: NodeId, message: CheapPaxosMessage) => void)(to, message);
  }

  private observe(observation: CheapPaxosObservation): void {
    (this.effects.observe as (observation: CheapPaxosObservation) => void)(observation);
  }
}
