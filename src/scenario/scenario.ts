import { scenarioShapeOf, type TimingBlock } from './protocol-shape.js';

/** A validated, normalized scenario: what every layer above reads. */

export type NodeId = string;

export type DelaySpec =
  | { readonly distribution: 'uniform'; readonly min: number; readonly max: number }
  | { readonly distribution: 'exponential'; readonly min: number; readonly mean: number; readonly max: number }
  | { readonly distribution: 'normal'; readonly mean: number; readonly stddev: number; readonly min: number; readonly max: number };

export interface NetworkSpec {
  readonly delay: DelaySpec;
  readonly drop: number;
  readonly duplicate: number;
}

export interface Roles {
  readonly proposers: readonly NodeId[];
  readonly acceptors: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface Proposal {
  readonly at: number;
  readonly node: NodeId;
  readonly value: string;
  readonly ballot?: number | undefined;
}

export type Fault =
  | { readonly at: number; readonly kind: 'crash'; readonly node: NodeId }
  | { readonly at: number; readonly kind: 'restart'; readonly node: NodeId }
  | { readonly at: number; readonly kind: 'partition'; readonly groups: readonly (readonly NodeId[])[] }
  | { readonly at: number; readonly kind: 'cut'; readonly from: NodeId; readonly to: NodeId }
  | { readonly at: number; readonly kind: 'heal' }
  | { readonly at: number; readonly kind: 'pause'; readonly node: NodeId }
  | { readonly at: number; readonly kind: 'resume'; readonly node: NodeId }
  | { readonly at: number; readonly kind: 'drift'; readonly node: NodeId; readonly rate: number }
  | { readonly at: number; readonly kind: 'burst'; readonly forMs: number; readonly drop?: number | undefined; readonly duplicate?: number | undefined; readonly delay?: DelaySpec | undefined };

export type FaultKind = Fault['kind'];

/** When a fault stops acting: its time, or the end of a burst. */
export function faultEndMs(fault: Fault): number {
  return fault.kind === 'burst' ? fault.at + fault.forMs : fault.at;
}

export type NemesisFaultKind = 'partition' | 'isolate' | 'cut' | 'crash' | 'pause' | 'drift' | 'burst';

export interface NemesisSpec {
  readonly windowMs: number;
  readonly quietMs: number;
  readonly kinds: readonly NemesisFaultKind[];
  readonly faultsPerSecond: number;
  readonly maxDown: number;
  readonly swarm: boolean;
}

export type ChosenExpectation = { readonly kind: 'value'; readonly value: string } | { readonly kind: 'any' } | { readonly kind: 'none' };

export interface Expectation {
  readonly chosen?: ChosenExpectation | undefined;
  readonly safety: 'hold' | 'violated';
  readonly liveness?: { readonly withinMs: number } | undefined;
  /** What `paxsim explore` must report: exhausted or not (unset: either), and `none`, `any` or a checker name. */
  readonly explore?: { readonly exhausted?: boolean | undefined; readonly violation: string } | undefined;
  /** Cheap Paxos: bounds on messages that reach the auxiliaries. */
  readonly auxiliaries?: AuxiliaryExpectation | undefined;
}

export interface AuxiliaryExpectation {
  readonly maxMessages?: number | undefined;
  readonly idleAfterMs?: number | undefined;
}

/** Cheap Paxos: the initial configuration (`roles.main`, `roles.auxiliary`) and α. */
export interface CheapPaxosSpec {
  readonly main: readonly NodeId[];
  readonly auxiliary: readonly NodeId[];
  readonly alpha: number;
}

/** `paxsim explore`'s fault budgets and search bounds for a scenario. */
export interface ExploreSpec {
  readonly maxDrops: number;
  readonly maxDuplicates: number;
  readonly maxCrashes: number;
  readonly maxTimerFires: number;
  readonly depth?: number | undefined;
  readonly maxStates?: number | undefined;
}

/** One pinned step of a schedule (`paxsim run` replays it instead of simulating time). */
export type ScheduleStep =
  | { readonly kind: 'deliver' | 'drop' | 'duplicate'; readonly message: number }
  | { readonly kind: 'fire'; readonly node: NodeId; readonly timer: string }
  | { readonly kind: 'crash' | 'restart' | 'request'; readonly node: NodeId };

export interface PaxosTimingSpec {
  readonly retryMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
  readonly catchupMs?: number | undefined;
  readonly catchupMaxMs?: number | undefined;
}

export type KvOpSpec =
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

/** A Multi-Paxos client and what it will do: explicit operations, or `count` drawn from a mix over keys. */
export interface ClientSpec {
  readonly id: NodeId;
  readonly ops?: readonly KvOpSpec[] | undefined;
  readonly count?: number | undefined;
  readonly mix?: { readonly put: number; readonly get: number; readonly cas: number } | undefined;
  readonly keys?: readonly string[] | undefined;
  /** The replica the client contacts first (default: the first replica); a listed client only. */
  readonly startAt?: NodeId | undefined;
}

export interface MultiPaxosTimingSpec {
  readonly heartbeatMs?: number | undefined;
  readonly electionMs?: number | undefined;
  readonly clientTimeoutMs?: number | undefined;
  readonly retryMs?: number | undefined;
  readonly maxRetries?: number | undefined;
  /** A client thinks for a time drawn from [0, thinkMs] between operations (default 0). */
  readonly thinkMs?: number | undefined;
}

/**
 * A registered protocol's name: paxsim's own (`paxos`, `multipaxos`, `raft`, `cheap-paxos`)
 * or a user protocol's, once loaded (a scenario file may name a module
 * instead; the CLI loads it and puts the definition's name here).
 */
export type ProtocolName = string;

/** Raft: the fields of Multi-Paxos's block (its clients are Multi-Paxos's), plus the AppendEntries batch size. */
export interface RaftTimingSpec extends MultiPaxosTimingSpec {
  /** At most this many entries per AppendEntries (default 64). */
  readonly maxEntriesPerAppend?: number | undefined;
}

/**
 * Whether a protocol's `nodes` are replicas serving closed-loop `clients`
 * (its definition says so: see scenario/protocol-shape.ts).
 */
export function usesClients(protocol: ProtocolName): boolean {
  return scenarioShapeOf(protocol).clients;
}

/** The timing block a protocol reads (Raft its own `raft:`, Multi-Paxos and Cheap Paxos `multipaxos:`), as its definition declares. */
export function timingBlockOf(protocol: ProtocolName): TimingBlock | undefined {
  return scenarioShapeOf(protocol).timingBlock;
}

/**
 * Whether a protocol reads a user protocol's scenario keys (`proposals`, or
 * paxsim's clients when its definition has a hook): a module not loaded yet,
 * or a simple-form definition (scenario/protocol-shape.ts). Which vocabulary
 * its trace speaks is another question, run/registry.ts's isBuiltInProtocol.
 */
export function takesUserProtocolKeys(protocol: ProtocolName): boolean {
  return scenarioShapeOf(protocol).userProtocol === true;
}

/**
 * Whether a run simulates paxsim's client nodes: always for the built-in
 * client protocols, and for a user protocol whose scenario declares `clients`
 * (its definition opts in with a `clients` hook).
 */
export function hasClientNodes(scenario: { readonly protocol: ProtocolName; readonly clients: readonly unknown[] }): boolean {
  return usesClients(scenario.protocol) || scenario.clients.length > 0;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly protocol: ProtocolName;
  /** Sorted once by code unit (DESIGN.md rule 4). */
  readonly nodes: readonly NodeId[];
  readonly roles: Roles;
  readonly seed: number;
  readonly network: NetworkSpec;
  /** In file order; the scheduler orders equal times by this order. */
  readonly proposals: readonly Proposal[];
  readonly faults: readonly Fault[];
  readonly untilMs: number;
  readonly maxEvents: number;
  readonly paxos: PaxosTimingSpec;
  /** Multi-Paxos: the clients (never crashed, never partitioned); `nodes` are the replicas. */
  readonly clients: readonly ClientSpec[];
  readonly multipaxos: MultiPaxosTimingSpec;
  readonly raft: RaftTimingSpec;
  /** Cheap Paxos only (undefined otherwise). */
  readonly cheapPaxos?: CheapPaxosSpec | undefined;
  /** A known-broken protocol variant to run instead of the correct one. */
  readonly bug?: string | undefined;
  /** When set, `paxsim fuzz` generates `faults` (and `proposals`, when none are given) per seed. */
  readonly nemesis?: NemesisSpec | undefined;
  /** `paxsim explore`'s bounds. */
  readonly explore?: ExploreSpec | undefined;
  /** When set, `paxsim run` replays exactly these steps (no virtual time, network model or faults). */
  readonly schedule?: readonly ScheduleStep[] | undefined;
  readonly expect: Expectation;
  /** A user protocol's `config`: as written until its module is loaded, then as its schema parsed it. */
  readonly config?: unknown;
  /** A user protocol: the module it was loaded from (absolute path), so fuzz workers load it too. */
  readonly protocolModule?: string | undefined;
}

export function sortedIds(ids: readonly NodeId[]): NodeId[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
