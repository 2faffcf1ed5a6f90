import type { Effects, NodeId, ProtocolFactory, ProtocolNode, StorageReader } from '../effects.js';
import { unreachable } from '../../util/assert.js';
import { quorumSize, type PaxosConfig } from './config.js';
import { Acceptor } from './acceptor.js';
import { CATCHUP_TIMER, Learner } from './learner.js';
import type { PaxosMessage, PaxosObservation, ProposeRequest } from './messages.js';
import { Proposer, RETRY_TIMER } from './proposer.js';
import type { PaxosRole } from './role.js';
import { INITIAL_DURABLE, type PaxosDurable } from './state.js';

export type PaxosEffects = Effects<PaxosMessage, PaxosDurable, PaxosObservation>;

/**
 * One single-decree Paxos node: any mix of proposer, acceptor and learner
 * (by default all three), sharing one durable record.
 */
export class PaxosNode implements ProtocolNode<PaxosMessage, ProposeRequest> {
  private readonly role: NodeRole;
  private readonly proposer: Proposer | null;
  private readonly acceptor: Acceptor | null;
  private readonly learner: Learner | null;

  constructor(
    effects: PaxosEffects,
    config: PaxosConfig,
  ) {
    const role = new NodeRole(effects, config, quorumSize(config), storedDurable(effects.storage));
    this.role = role;
    const id = effects.nodeId;
    this.proposer = config.proposers.includes(id) ? new Proposer(role) : null;
    this.acceptor = config.acceptors.includes(id) ? new Acceptor(role) : null;
    this.learner = config.learners.includes(id) ? new Learner(role, () => this.proposer?.finish()) : null;
  }

  start(): void {
    this.boot();
  }

  recover(): void {
    this.boot();
  }

  /**
   * A client request always starts a full ballot, even when this node's
   * learner already knows the outcome: phase 1 then adopts the chosen value.
   * That is what a retried client request does in most implementations, and
   * it keeps late proposals exercising the acceptors.
   */
  onRequest(request: ProposeRequest): void {
    this.proposer?.onRequest(request);
  }

  onMessage(from: NodeId, message: PaxosMessage): void {
    switch (message.type) {
      case 'prepare':
        this.acceptor?.onPrepare(from, message);
        return;
      case 'accept':
        this.acceptor?.onAccept(from, message);
        return;
      case 'catchup':
        this.acceptor?.onCatchup(from);
        this.learner?.onCatchup(from);
        return;
      case 'decided':
        this.learner?.onDecided(message);
        return;
      case 'promise':
        this.proposer?.onPromise(from, message);
        return;
      case 'nack':
        this.proposer?.onNack(message);
        return;
      case 'accepted':
        this.learner?.onAccepted(from, message);
        this.proposer?.onAccepted(from, message);
        return;
      default:
        unreachable(message, 'paxos message');
    }
  }

  onTimer(name: string): void {
    if (name === RETRY_TIMER) this.proposer?.onRetryTimer();
    else if (name === CATCHUP_TIMER) this.learner?.onCatchupTimer();
  }

  volatileState(): unknown {
    return {
      proposer: this.proposer?.state ?? null,
      acceptor: this.acceptor !== null && this.acceptor.record() !== this.role.durable().acceptor ? this.acceptor.record() : null,
      learner: this.learner?.state ?? null,
    };
  }

  private boot(): void {
    this.learner?.boot();
  }
}

/**
 * The node's effects as its roles see them, and the durable record they
 * share: one object per node (a class, not a bag of closures: a fuzz seed
 * builds every node again at each restart).
 */
class NodeRole implements PaxosRole {
  readonly nodeId: NodeId;

  constructor(
    private readonly effects: PaxosEffects,
    readonly config: PaxosConfig,
    readonly quorum: number,
    private durableRecord: PaxosDurable,
  ) {
    this.nodeId = effects.nodeId;
  }

  durable(): PaxosDurable {
    return this.durableRecord;
  }

  updateDurable(change: Partial<PaxosDurable>): void {
    const current = this.durableRecord;
    // Field by field rather than a spread of both (same keys, same order): this runs on every promise, accept and ballot.
    this.durableRecord = {
      acceptor: change.acceptor ?? current.acceptor,
      lastRound: change.lastRound ?? current.lastRound,
      learned: change.learned !== undefined ? change.learned : current.learned,
    };
    this.effects.storage.write(DURABLE_KEY, this.durableRecord);
    this.effects.storage.sync();
  }

  send(to: NodeId, message: PaxosMessage): void {
    this.effects.send(to, message);
  }

  observe(observation: PaxosObservation): void {
    this.effects.observe(observation);
  }

  setTimer(name: string, delayMs: number): void {
    this.effects.setTimer(name, delayMs);
  }

  cancelTimer(name: string): void {
    this.effects.cancelTimer(name);
  }

  /** One function per node, handed to each backoff draw as it is (a closure per timer armed was garbage). */
  readonly random = (): number => this.effects.random();
}

export function paxosProtocol(config: PaxosConfig): ProtocolFactory<PaxosMessage, PaxosDurable, PaxosObservation, ProposeRequest> {
  return {
    name: 'paxos',
    createNode: (effects) => new PaxosNode(effects, config),
    durableView: (_nodeId, storage) => storedDurable(storage),
  };
}

/** A Paxos node's durable state is small: one record, rewritten whole on each change. */
const DURABLE_KEY = 'node';

function storedDurable(storage: StorageReader<PaxosDurable>): PaxosDurable {
  return storage.read(DURABLE_KEY) ?? INITIAL_DURABLE;
}
