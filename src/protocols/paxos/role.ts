import type { NodeId } from '../effects.js';
import type { PaxosConfig } from './config.js';
import type { PaxosMessage, PaxosObservation } from './messages.js';
import type { PaxosDurable } from './state.js';

/** What a role (proposer, acceptor, learner) may do: the node's effects, narrowed, plus its durable state. */
export interface PaxosRole {
  readonly nodeId: NodeId;
  readonly config: PaxosConfig;
  readonly quorum: number;
  durable(): PaxosDurable;
  /** Replace part of the durable state, write it to storage and sync before going on. */
  updateDurable(change: Partial<PaxosDurable>): void;
  send(to: NodeId, message: PaxosMessage): void;
  observe(observation: PaxosObservation): void;
  setTimer(name: string, delayMs: number): void;
  cancelTimer(name: string): void;
  /** A draw from the node's random stream; a function property, so it can be passed on without a closure per use. */
  readonly random: () => number;
}
