import type { Ballot } from '../protocols/paxos/ballot.js';
import type { PaxosMessage, Value } from '../protocols/paxos/messages.js';
import type { Command, KvOp, KvResult, MultiPaxosMessage } from '../protocols/multipaxos/messages.js';
import type { DelaySpec, NodeId } from '../scenario/scenario.js';

/**
 * One line of the trace, in the order the simulator processed it. This is the
 * documented trace format (README, "Trace format"): checkers read only these,
 * so they can also check a trace written by another implementation.
 */
export type DropReason = 'random' | 'partition' | 'crashed';

export type NetworkEvent<Message = PaxosMessage> =
  | { t: number; type: 'send'; from: NodeId; to: NodeId; id: number; msg: Message }
  | { t: number; type: 'deliver'; from: NodeId; to: NodeId; id: number; msg: Message }
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
  | { t: number; type: 'timer'; node: NodeId; timer: string }
  /** A scheduled proposal reached a node that was down: the request is lost. */
  | { t: number; type: 'request-lost'; node: NodeId; value: Value };

export type DerivedEvent =
  | { t: number; type: 'chosen'; value: Value; ballot: Ballot }
  | { t: number; type: 'violation'; checker: string; message: string };

/** A single-decree Paxos trace event (the protocol most of paxsim's tools speak). */
export type TraceEvent = NetworkEvent | FaultEvent | ObservationEvent | NodeEvent | DerivedEvent;

/**
 * Multi-Paxos: `accept`, `learn` and `chosen` carry a `slot`; clients add
 * `invoke`, `complete` and `timeout` (gave up: outcome unknown); replicas add
 * `leader` and `apply`.
 */
export type MultiPaxosObservationEvent =
  | { t: number; type: 'leader'; node: NodeId; ballot: Ballot }
  | { t: number; type: 'promise'; node: NodeId; ballot: Ballot }
  | { t: number; type: 'accept'; node: NodeId; slot: number; ballot: Ballot; command: Command }
  | { t: number; type: 'learn'; node: NodeId; slot: number; command: Command }
  | { t: number; type: 'apply'; node: NodeId; slot: number; command: Command; result: KvResult; duplicate?: true }
  | { t: number; type: 'invoke'; node: NodeId; client: NodeId; requestId: number; op: KvOp }
  | { t: number; type: 'complete'; node: NodeId; client: NodeId; requestId: number; op: KvOp; result: KvResult }
  | { t: number; type: 'timeout'; node: NodeId; client: NodeId; requestId: number; op: KvOp };

export type MultiPaxosTraceEvent =
  | NetworkEvent<MultiPaxosMessage>
  | FaultEvent
  | MultiPaxosObservationEvent
  | NodeEvent
  | { t: number; type: 'chosen'; slot: number; command: Command; ballot: Ballot }
  | { t: number; type: 'violation'; checker: string; message: string };

/** Any protocol's trace event: what the simulator emits and protocol-neutral tools (diff, filter, HTML) read. */
export type AnyTraceEvent = TraceEvent | MultiPaxosTraceEvent;

export type TraceEventType = TraceEvent['type'];

/** The network, fault, node and derived event types every protocol's traces share. */
export const SHARED_EVENT_TYPES = {
  send: true,
  deliver: true,
  drop: true,
  duplicate: true,
  crash: true,
  restart: true,
  partition: true,
  cut: true,
  heal: true,
  pause: true,
  resume: true,
  drift: true,
  burst: true,
  timer: true,
  'request-lost': true,
  chosen: true,
  violation: true,
} as const;

/** Every type a single-decree Paxos trace's events may have (the compiler keeps it complete). */
export const PAXOS_EVENT_TYPES: Readonly<Record<TraceEvent['type'], true>> = { ...SHARED_EVENT_TYPES, propose: true, adopt: true, promise: true, accept: true, learn: true };

/** The same for Multi-Paxos. */
export const MULTIPAXOS_EVENT_TYPES: Readonly<Record<MultiPaxosTraceEvent['type'], true>> = {
  ...SHARED_EVENT_TYPES,
  leader: true,
  promise: true,
  accept: true,
  learn: true,
  apply: true,
  invoke: true,
  complete: true,
  timeout: true,
};

export const FAULT_EVENT_TYPES: ReadonlySet<string> = new Set(['crash', 'restart', 'partition', 'cut', 'heal', 'pause', 'resume', 'drift', 'burst']);

/** The trace's first line: what a reader needs to check the events that follow. */
export interface TraceMeta {
  type: 'meta';
  scenario: string;
  seed: number;
  /**
   * The virtual time the run ran until (its `until`): nothing happened between
   * the last event and then, and checkers judge deadlines there. Absent when a
   * run stopped early at a violation.
   */
  untilMs?: number;
  nodes: NodeId[];
  acceptors: NodeId[];
  proposers: NodeId[];
  learners: NodeId[];
  protocol: string;
  /** Multi-Paxos: the client nodes (never crashed or cut off). */
  clients?: NodeId[];
  /** Cheap Paxos: the initial configuration and α. */
  main?: NodeId[];
  auxiliary?: NodeId[];
  alpha?: number;
  /** Cheap Paxos: the scenario's `expect.auxiliaries` (what auxiliaries-idle judges), so `check` judges the trace as the run did. */
  auxiliaryLimits?: { maxMessages?: number; idleAfterMs?: number };
  bug?: string;
  /**
   * A user protocol: the module that defines it, as a file name or package
   * name (never a path, so the trace reads the same on any machine). Its
   * presence tells `paxsim check` the trace needs that module (`--protocol`).
   */
  protocolModule?: string;
  /** A user protocol: the scenario's `config`, as its schema parsed it. */
  config?: unknown;
}

/** What paxsim writes for a user protocol's node whose handler threw: `{t, type: 'exception', node, handler, error}`. */
export const EXCEPTION_EVENT = 'exception';

/**
 * The fatal events: the node that wrote one was left half-updated (a handler
 * threw), so nothing after it in the run means anything. The run stops at the
 * first (run/runner.ts), the `no-exceptions` checker reports it, and the
 * timeline prints it as a failure, all from this table: type → what happened,
 * after the node's name. A new fatal event is one entry here.
 */
const FATAL_EVENTS: ReadonlyMap<string, (event: Readonly<Record<string, unknown>>) => string> = new Map([
  [EXCEPTION_EVENT, (event: Readonly<Record<string, unknown>>) => `threw in ${String(event['handler'])}: ${String(event['error'])}`],
]);

export function isFatalEvent(event: { readonly type: string }): boolean {
  return FATAL_EVENTS.has(event.type);
}

/** What a fatal event says happened (`threw in onMessage: Error: boom`), or null for any other event. */
export function fatalEventText(event: { readonly type: string }): string | null {
  const describe = FATAL_EVENTS.get(event.type);
  return describe === undefined ? null : describe(event as unknown as Readonly<Record<string, unknown>>);
}

/** Event types the simulator and the checkers write (and the meta line's): a protocol's observations may not take them. */
export const SIMULATOR_EVENT_TYPES: ReadonlySet<string> = new Set([...Object.keys(SHARED_EVENT_TYPES), 'meta', ...FATAL_EVENTS.keys()]);
