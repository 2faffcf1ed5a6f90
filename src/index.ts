/**
 * paxsim's public API: the one place the package exports from (DESIGN.md,
 * Layers). A protocol is written against the effects interface and wrapped
 * with defineProtocol; its module's default export is what a scenario's
 * `protocol: ./my-protocol.js` loads. README, "Write your own protocol".
 */

// Defining a protocol
export { defineProtocol, isProtocolDefinition } from './run/protocol-definition.js';
export type {
  AnyProtocolDefinition,
  CheckerFamily,
  ClientsHook,
  ClusterContext,
  DriverProtocolSpec,
  NodeContext,
  NodeProtocolSpec,
  ProposalRequest,
  ProtocolDefinition,
} from './run/protocol-definition.js';
export { defineInvariant } from './check/invariants.js';
export type { Invariant, InvariantContext } from './check/invariants.js';

// The effects interface (sans-IO: what a node may do) and storage
export type { DurableStorage, Effects, NodeId, ProtocolFactory, ProtocolNode, StorageReader, Tagged } from './protocols/effects.js';

// Observations the built-in checkers read, and the trace around them
export type { Ballot } from './protocols/paxos/ballot.js';
export type {
  AnyTraceEvent,
  DerivedEvent,
  FaultEvent,
  MultiPaxosObservationEvent,
  NetworkEvent,
  NodeEvent,
  ObservationEvent,
  TraceEvent,
  TraceMeta,
} from './sim/events.js';
export type { ClientCommand, Command, KvOp, KvResult } from './protocols/multipaxos/messages.js';
export type { ClientAnswer } from './protocols/multipaxos/client.js';

// Checkers, and the low-level run seam (DriverProtocolSpec.setup)
export type { Checker, CheckerKind, CheckerReport, TraceChecks, Violation } from './check/checker.js';
export type { LivenessOptions } from './check/liveness.js';
export type { CoverageCatalogue, CoverageTracker, OwnSituation } from './check/coverage.js';
export type { ProtocolDriver, RunFactsSummary } from './run/protocol.js';
export type { ScheduledRequest } from './sim/simulation.js';

// Running from code (tests): load a scenario, resolve its protocol, run a seed
export { loadScenarioFile } from './scenario/load.js';
export type { Scenario } from './scenario/scenario.js';
export type { ScenarioShape, TimingBlock } from './scenario/protocol-shape.js';
export { resolveScenarioProtocol } from './run/protocol-loader.js';
export { runScenario } from './run/runner.js';
export type { RunOptions, RunResult } from './run/runner.js';
export { ProtocolError } from './run/determinism-guard.js';

// The zod paxsim validates with: build `config` schemas with it, so they are the same zod.
export { z } from 'zod';
