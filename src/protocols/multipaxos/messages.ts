import type { NodeId } from '../effects.js';
import type { Ballot } from '../paxos/ballot.js';

/** A log slot: 0, 1, 2, … */
export type Slot = number;

/** An operation on the replicated key-value store. */
export type KvOp =
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

export type KvOpKind = KvOp['kind'];

/**
 * What an operation returned: `put` → `"ok"`, `get` → the value (null when
 * the key was never written), `cas` → whether it swapped. A no-op yields null.
 */
export type KvResult = string | boolean | null;

/** A client's command: applied at most once per (client, requestId). */
export interface ClientCommand {
  readonly client: NodeId;
  readonly requestId: number;
  readonly op: KvOp;
}

/** Fills a slot a new leader found empty below the highest slot its quorum had accepted. */
export interface NoopCommand {
  readonly noop: true;
}

export type Command = ClientCommand | NoopCommand;

export const NOOP: NoopCommand = { noop: true };

export function isNoop(command: Command): command is NoopCommand {
  return 'noop' in command;
}

/** What an acceptor accepted for one slot. */
export interface AcceptedEntry {
  readonly slot: Slot;
  readonly ballot: Ballot;
  readonly command: Command;
}

// ── replica ↔ replica ───────────────────────────────────────────────────────

/** Phase 1a for every slot from `fromSlot` on (the candidate knows what was chosen below it). */
export interface PrepareMessage {
  readonly type: 'prepare';
  readonly ballot: Ballot;
  readonly fromSlot: Slot;
}

/** Phase 1b: the promise, with everything this acceptor accepted at or above `fromSlot`, in slot order. */
export interface PromiseMessage {
  readonly type: 'promise';
  readonly ballot: Ballot;
  readonly accepted: readonly AcceptedEntry[];
}

/** A refusal of a prepare, accept or heartbeat in a ballot below the acceptor's promise. */
export interface NackMessage {
  readonly type: 'nack';
  readonly ballot: Ballot;
  readonly promised: Ballot;
}

/** Phase 2a for one slot. */
export interface AcceptMessage {
  readonly type: 'accept';
  readonly ballot: Ballot;
  readonly slot: Slot;
  readonly command: Command;
}

/** Phase 2b, to the leader only: it alone counts, then announces the choice with `commit`. */
export interface AcceptedMessage {
  readonly type: 'accepted';
  readonly ballot: Ballot;
  readonly slot: Slot;
  /** The acceptor's applied log length: what lets the leader work out `appliedEverywhere`. */
  readonly applied: Slot;
}

/** The leader saw a majority accept `command` at `slot` in one ballot: it is chosen. */
export interface CommitMessage {
  readonly type: 'commit';
  readonly slot: Slot;
  readonly command: Command;
}

/** The leader is alive; every slot below `commitIndex` is chosen and applied at the leader. */
export interface HeartbeatMessage {
  readonly type: 'heartbeat';
  readonly ballot: Ballot;
  readonly commitIndex: Slot;
  /** Every replica has applied every slot below this (0 until each has reported): their records may be pruned. */
  readonly appliedEverywhere: Slot;
}

/** A replica that is behind the leader's commit index asks for the chosen commands from `fromSlot`. */
export interface CatchupMessage {
  readonly type: 'catchup';
  readonly fromSlot: Slot;
}

// ── client ↔ replica ────────────────────────────────────────────────────────

export interface RequestMessage {
  readonly type: 'request';
  readonly command: ClientCommand;
}

/** The command was applied; `result` is what it returned (the first time, for a retried request). */
export interface ReplyMessage {
  readonly type: 'reply';
  readonly requestId: number;
  readonly result: KvResult;
}

/** "I do not lead": try `leaderHint` (the replica this one last heard lead), or anyone when null. */
export interface RedirectMessage {
  readonly type: 'redirect';
  readonly requestId: number;
  readonly leaderHint: NodeId | null;
}

export type MultiPaxosMessage =
  | PrepareMessage
  | PromiseMessage
  | NackMessage
  | AcceptMessage
  | AcceptedMessage
  | CommitMessage
  | HeartbeatMessage
  | CatchupMessage
  | RequestMessage
  | ReplyMessage
  | RedirectMessage;

/**
 * Protocol facts reported to the trace (each becomes `{t, type, node, …}`).
 * `apply` carries `duplicate: true` when the dedup table recognized a
 * retried (or stale) request and skipped it: the slot is consumed, the state
 * machine is unchanged, and the stored result is returned.
 */
export type MultiPaxosObservation =
  | { readonly type: 'leader'; readonly ballot: Ballot }
  | { readonly type: 'promise'; readonly ballot: Ballot }
  | { readonly type: 'accept'; readonly slot: Slot; readonly ballot: Ballot; readonly command: Command }
  | { readonly type: 'learn'; readonly slot: Slot; readonly command: Command }
  | { readonly type: 'apply'; readonly slot: Slot; readonly command: Command; readonly result: KvResult; readonly duplicate?: true }
  | { readonly type: 'invoke'; readonly client: NodeId; readonly requestId: number; readonly op: KvOp }
  | { readonly type: 'complete'; readonly client: NodeId; readonly requestId: number; readonly op: KvOp; readonly result: KvResult }
  /** The client gave up after its retries: the operation's outcome is unknown (it may still take effect). */
  | { readonly type: 'timeout'; readonly client: NodeId; readonly requestId: number; readonly op: KvOp };

/** How often each kind of operation is drawn (relative weights). */
export interface OpMix {
  readonly put: number;
  readonly get: number;
  readonly cas: number;
}

/**
 * What a client is asked to do (its `onRequest`): either an explicit list of
 * operations, or `count` operations drawn from `mix` over `keys` with the
 * client's own random stream. Values written are unique: `<client>.<requestId>`.
 * Between operations the client thinks for a time drawn from [0, thinkMs]
 * (default 0: the next operation starts when the last one ends).
 */
export interface ClientWorkload {
  readonly ops?: readonly KvOp[] | undefined;
  readonly count?: number | undefined;
  readonly mix?: OpMix | undefined;
  readonly keys?: readonly string[] | undefined;
  readonly thinkMs?: number | undefined;
  /** The replica the client contacts next, from when this workload arrives (the scenario's `startAt`); without it the client keeps its target, at first the first replica. */
  readonly startAt?: NodeId | undefined;
}
