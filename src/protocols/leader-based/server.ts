import type { NodeId, ProtocolNode, Tagged } from '../effects.js';
import type { Dict } from '../../util/dict.js';
import { electionDelayMs } from '../multipaxos/config.js';
import { readLocal, type ApplyOutcome, type KvStore } from '../multipaxos/kv.js';
import { isNoop, type ClientCommand, type ClientWorkload, type Command, type KvResult, type RedirectMessage, type ReplyMessage } from '../multipaxos/messages.js';

export const ELECTION_TIMER = 'election';
export const HEARTBEAT_TIMER = 'heartbeat';

export type LeaderRole = 'follower' | 'candidate' | 'leader';

/** The volatile state every leader-based server keeps (each protocol's state adds its own). */
export interface LeaderServerState {
  role: LeaderRole;
  /** The server this one last heard lead, or null. */
  leaderHint: NodeId | null;
  /** Campaigns since this server last heard a leader (or, in Raft, granted a vote); lengthens the election timeout. */
  failedCampaigns: number;
  store: KvStore;
  /** client → the request id this server received and owes a reply for once applied. */
  replyTo: Dict<number>;
}

/** The `apply` observation both protocols report, with the same fields. */
export interface ApplyObservation {
  readonly type: 'apply';
  readonly slot: number;
  readonly command: Command;
  readonly result: KvResult;
  readonly duplicate?: true;
}

/** The part of a protocol's effects the shared skeleton uses: any protocol whose messages include the client replies fits. */
export interface LeaderServerEffects {
  readonly nodeId: NodeId;
  send(to: NodeId, message: ReplyMessage | RedirectMessage): void;
  setTimer(name: string, delayMs: number): void;
  observe(observation: ApplyObservation): void;
  random(): number;
}

export interface LeaderServerSettings {
  /** Every server, in configuration order: the first campaigns at start. */
  readonly servers: readonly NodeId[];
  readonly electionMs: number;
  /** The `stale-read` bug: a leader answers reads from its own state. */
  readonly staleReads: boolean;
}

/**
 * The skeleton Multi-Paxos replicas and Raft servers share: boot and
 * recovery arm (or run) an election, timers dispatch to a campaign or a
 * heartbeat, clients are redirected by non-leaders and answered once their
 * command is applied to the key-value store. What a campaign, a heartbeat
 * and serving a request mean is each protocol's own.
 */
export abstract class LeaderServer<Message extends Tagged, ServerEffects extends LeaderServerEffects, State extends LeaderServerState> implements ProtocolNode<Message, ClientWorkload> {
  abstract readonly state: State;
  protected readonly id: NodeId;

  constructor(
    protected readonly effects: ServerEffects,
    private readonly settings: LeaderServerSettings,
  ) {
    this.id = effects.nodeId;
  }

  /** Start an election: this server asks the others to make it leader. */
  protected abstract campaign(): void;
  /** The heartbeat timer fired (a leader's heartbeat; Raft also re-requests votes with it). */
  protected abstract onHeartbeatTimer(): void;
  /** A leader takes a client's command (after the redirect and `stale-read` cases). */
  protected abstract serve(command: ClientCommand): void;

  abstract onMessage(from: NodeId, message: Message): void;

  /** The first server campaigns at once, so a fresh cluster has a leader without waiting out a timeout. */
  start(): void {
    if (this.id === this.settings.servers[0]) this.campaign();
    else this.armElection();
  }

  recover(): void {
    this.armElection();
  }

  /** Servers take commands from clients over the network, never as scheduled requests. */
  onRequest(): void {}

  onTimer(name: string): void {
    if (name === ELECTION_TIMER) {
      if (this.state.role !== 'leader') this.campaign();
    } else if (name === HEARTBEAT_TIMER) {
      this.onHeartbeatTimer();
    }
  }

  volatileState(): State {
    return this.state;
  }

  protected armElection(): void {
    const delayMs = electionDelayMs(this.settings.electionMs, this.state.failedCampaigns, () => this.effects.random());
    this.effects.setTimer(ELECTION_TIMER, delayMs);
  }

  /** A leader this server accepts is alive: follow it and wait for it again. */
  protected followLeader(leader: NodeId): void {
    this.state.leaderHint = leader;
    this.state.failedCampaigns = 0;
    this.armElection();
  }

  protected onClientRequest(from: NodeId, command: ClientCommand): void {
    const state = this.state;
    if (state.role !== 'leader') {
      this.effects.send(from, { type: 'redirect', requestId: command.requestId, leaderHint: state.leaderHint === this.id ? null : state.leaderHint });
      return;
    }
    if (command.op.kind === 'get' && this.settings.staleReads) {
      // The bug: "I am the leader, so my state is the latest." No round, no log entry, no lease.
      this.reply(command.client, command.requestId, readLocal(state.store, command.op.key));
      return;
    }
    this.serve(command);
  }

  /** True (after answering from the client table) when the request was applied already: a retry, or a duplicated message. */
  protected answeredFromSessions(command: ClientCommand): boolean {
    const session = this.state.store.sessions[command.client];
    if (session === undefined || session.requestId < command.requestId) return false;
    if (session.requestId === command.requestId) this.reply(command.client, command.requestId, session.result);
    return true;
  }

  protected expectReply(command: ClientCommand): void {
    const owed = this.state.replyTo[command.client];
    if (owed === undefined || owed < command.requestId) this.state.replyTo[command.client] = command.requestId;
  }

  /** Report `command` applied at `slot`, and answer its client if this server owes the reply. */
  protected reportApplied(slot: number, command: Command, outcome: ApplyOutcome): void {
    this.effects.observe(
      outcome.duplicate ? { type: 'apply', slot, command, result: outcome.result, duplicate: true } : { type: 'apply', slot, command, result: outcome.result },
    );
    const replyTo = this.state.replyTo;
    if (!isNoop(command) && replyTo[command.client] === command.requestId) {
      delete replyTo[command.client];
      this.reply(command.client, command.requestId, outcome.result);
    }
  }

  protected reply(client: NodeId, requestId: number, result: KvResult): void {
    this.effects.send(client, { type: 'reply', requestId, result });
  }
}

/** `other` is the same client request as `command` (a retry of it, or the same message twice). */
export function isSameRequest(command: ClientCommand, other: Command): boolean {
  return !isNoop(other) && other.client === command.client && other.requestId === command.requestId;
}
