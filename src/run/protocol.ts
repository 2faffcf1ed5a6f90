import type { TraceChecks } from '../check/checker.js';
import type { ChosenProposal } from '../check/chosen.js';
import type { LivenessOptions } from '../check/liveness.js';
import type { ProtocolFactory, Tagged } from '../protocols/effects.js';
import type { NodeId, Scenario } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import type { ScheduledRequest } from '../sim/simulation.js';
import type { MultiPaxosSummary, SummaryLine } from '../check/multipaxos-checks.js';
import { assert } from '../util/assert.js';
import { isBugOf, protocolNamed } from './registry.js';

/** A known-broken variant of some protocol, by name (`paxsim list`). */
export type ProtocolBug = string;

export type { SummaryLine };

/** What a run established, for verdicts and `--json`. */
export interface RunFactsSummary {
  /** Single-decree Paxos: the first value chosen (omniscient view), or null. */
  readonly chosen: ChosenProposal | null;
  /** Single-decree Paxos: what each learner learned, and when. */
  readonly learned: Readonly<Record<NodeId, { value: string; t: number }>>;
  /** Other protocols: lines for the verdict (log, clients, leader). */
  readonly summary: readonly SummaryLine[];
  /** Multi-Paxos: the same facts as numbers (for `--json`); null for Paxos. */
  readonly multipaxos: MultiPaxosSummary | null;
}

/**
 * Everything the run layer needs from a protocol: the nodes to simulate, the
 * node factory, the scheduled client requests, the checkers, and a summary.
 */
export interface ProtocolDriver {
  readonly simNodes: readonly NodeId[];
  /** Nodes no partition or cut separates from anyone (Multi-Paxos clients). */
  readonly alwaysConnected: readonly NodeId[];
  readonly factory: ProtocolFactory<Tagged, unknown, Tagged, unknown>;
  readonly requests: readonly ScheduledRequest<unknown>[];
  readonly checks: TraceChecks;
  /** Its checkers judge network events, so the run emits them even when no trace is kept. */
  readonly needsNetworkEvents?: boolean;
  /**
   * Those checkers, by name: they count message deliveries, which explore's
   * states do not keep (two paths with different counts meet in one state),
   * so explore says it does not judge them.
   */
  readonly networkCheckers?: readonly string[];
  /**
   * Whether its checks may depend on the order of events across nodes (a
   * user protocol's own invariants do), so `explore` keeps histories that
   * differ only in that order apart. Absent: true for a protocol of the
   * user's, whose checks paxsim cannot know; paxsim's own judge sets of facts.
   */
  readonly checksEventOrder?: boolean;
  /** Sees every event the run emits, for the facts. */
  observe(event: AnyTraceEvent): void;
  /** Its `observe` reads no network event (send, deliver, drop, duplicate, timer), so a traced run need not build them for it. */
  readonly observeSkipsNetwork?: boolean;
  facts(): RunFactsSummary;
}

export { isBugOf };

/** One run's driver, from the protocol the scenario names (a built-in, or one loaded before the run). */
export function driverFor(scenario: Scenario, bug: ProtocolBug | undefined, liveness: LivenessOptions | undefined): ProtocolDriver {
  const definition = protocolNamed(scenario.protocol);
  assert(definition !== undefined, () => `protocol ${scenario.protocol} is not registered (a user protocol is loaded before any run)`);
  assert(bug === undefined || isBugOf(scenario.protocol, bug), () => `${scenario.protocol} has no bug named ${bug}`);
  return definition.setup({ scenario, config: scenario.config, bug, liveness });
}
