import type { Ballot } from '../protocols/paxos/ballot.js';
import type { PaxosMessage, Value } from '../protocols/paxos/messages.js';
import type { DelaySpec, NodeId } from '../scenario/scenario.js';

/**
 * One line of the trace, in the order the simulator processed it. This is the
 * documented trace format (README, "Trace format"): checkers read only these,
 * so they can also check a trace written by another implementation.
 */
export type DropReason = 'random' | 'partition' | 'crashed';

export type NetworkEvent =
  | { t: number; type: 'send'; from: NodeId; to: NodeId; id: number; msg: PaxosMessage }
  | { t: number; type: 'deliver'; from: NodeId; to: NodeId; id: number; msg: PaxosMessage }
  | { t: number; type: 'drop'; from: NodeId; to: NodeId; id: number; reason: DropReason }
  | { t: number; type: 'duplicate'; from: NodeId; to: NodeId; id: number };

export type FaultEvent =
  | { t: number; type: 'crash'; node: NodeId }
  | { t: number; type: 'restart'; node: NodeId }
  | { t: number; type: 'partition'; groups: NodeId[][] }
  | { t: number; type: 'cut'; from: NodeId; to: NodeId }
  | { t: number; type: 'heal' }
  | { t: number; type: 'pause'; node: NodeId }
  | { t: number; type: 'resume'; node: NodeId }
  | { t: number; type: 'drift'; node: NodeId; rate: number }
  | { t: number; type: 'burst'; for: number; drop?: number; duplicate?: number; delay?: DelaySpec };

export type ObservationEvent =
  | { t: number; type: 'propose'; node: NodeId; value: Value; ballot: Ballot }
  | { t: number; type: 'adopt'; node: NodeId; ballot: Ballot; value: Value; from: Ballot }
  | { t: number; type: 'promise'; node: NodeId; ballot: Ballot }
  | { t: number; type: 'accept'; node: NodeId; ballot: Ballot; value: Value }
  | { t: number; type: 'learn'; node: NodeId; value: Value };

export type NodeEvent =
  | { t: number; type: 'timeout'; node: NodeId; timer: string }
  /** A scheduled proposal reached a node that was down: the request is lost. */
  | { t: number; type: 'request-lost'; node: NodeId; value: Value };

export type DerivedEvent =
  | { t: number; type: 'chosen'; value: Value; ballot: Ballot }
  | { t: number; type: 'violation'; checker: string; message: string };

export type TraceEvent = NetworkEvent | FaultEvent | ObservationEvent | NodeEvent | DerivedEvent;

export type TraceEventType = TraceEvent['type'];

export const FAULT_EVENT_TYPES: ReadonlySet<string> = new Set(['crash', 'restart', 'partition', 'cut', 'heal', 'pause', 'resume', 'drift', 'burst']);

/** The trace's first line: what a reader needs to check the events that follow. */
export interface TraceMeta {
  type: 'meta';
  scenario: string;
  seed: number;
  nodes: NodeId[];
  acceptors: NodeId[];
  proposers: NodeId[];
  learners: NodeId[];
  protocol: string;
  bug?: string;
}
