import { inconclusiveCheckers, type CheckerReport, type Violation } from '../check/checker.js';
import type { ChosenProposal } from '../check/chosen.js';
import type { MultiPaxosSummary } from '../check/multipaxos-checks.js';
import { assert } from '../util/assert.js';
import { StructuralHash } from '../util/structural-hash.js';
import { faultEndMs, hasClientNodes, type NodeId, type Scenario } from '../scenario/scenario.js';
import { LIMITS } from '../scenario/limits.js';
import { isFatalEvent, type AnyTraceEvent, type TraceMeta } from '../sim/events.js';
import { materializeScenario } from '../sim/nemesis.js';
import { TraceSerializer, type TextSink } from '../trace/trace-writer.js';
import { Simulation, type ClusterSnapshot, type NetworkTrace, type SimulationOutcome } from '../sim/simulation.js';
import { ScheduleReplay } from '../explore/schedule-replay.js';
import { driverFor, isBugOf, type ProtocolBug, type SummaryLine } from './protocol.js';
import { protocolModuleName } from './protocol-loader.js';
import { judgeExpectation, type ExpectationReport } from './expect.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number | undefined;
  /** A known-broken protocol variant (overrides the scenario's `bug`). */
  readonly bug?: ProtocolBug | undefined;
  /** Keep every trace event in the result (for timelines and trace files). */
  readonly record?: boolean;
  /** Compute the trace hash, the sha256 of the trace file's bytes (costs one JSON serialization per event). Default true. */
  readonly hash?: boolean;
  /** Receive the trace file's text (JSON Lines, meta line first) in chunks, as the run goes. */
  readonly traceSinks?: readonly TextSink[];
  /**
   * Compute a cheap fingerprint of the run (see {@link RunResult.fingerprint}):
   * what a determinism check compares when the full trace hash costs too much.
   */
  readonly fingerprint?: boolean;
  /** End the run at the first violation (fuzzing wants the verdict, not the aftermath). */
  readonly stopOnViolation?: boolean;
  /** Also sees every emitted trace event, in order (coverage, live views). */
  readonly observe?: (event: AnyTraceEvent) => void;
  /** Stop after the last event at or before this virtual time (debugger views of a moment). */
  readonly stopAtMs?: number;
  /** Stop after this many trace events (default, and at most, LIMITS.traceEvents; tests lower it). */
  readonly maxTraceEvents?: number;
  /** Keep a snapshot of every node and link as the run ends. */
  readonly snapshot?: boolean;
  /**
   * Build the network's events (send, deliver, drop, duplicate, timer)?
   * Default: when recording or hashing. Untraced, they are only counted, and
   * event indexes and counts stay those of the full trace.
   */
  readonly traceNetwork?: boolean;
}

export interface LearnedValue {
  readonly value: string;
  readonly t: number;
}

export interface RunResult {
  /** The scenario as run: for a nemesis scenario, with this seed's faults and workload written in. */
  readonly scenario: Scenario;
  readonly seed: number;
  readonly bug: ProtocolBug | undefined;
  readonly meta: TraceMeta;
  /** Single-decree Paxos: the first value chosen (omniscient view), or null. */
  readonly chosen: ChosenProposal | null;
  readonly learned: Readonly<Record<NodeId, LearnedValue>>;
  /** Protocol-specific verdict lines (Multi-Paxos: log, clients, leader). */
  readonly summary: readonly SummaryLine[];
  /** Multi-Paxos: slots chosen, applied per replica, operations, last leader; null for Paxos. */
  readonly multipaxos: MultiPaxosSummary | null;
  readonly violations: readonly Violation[];
  readonly checkers: readonly CheckerReport[];
  /** Checkers that could neither hold nor find a violation (shown as `?`; the run cannot PASS). */
  readonly inconclusive: readonly string[];
  readonly expectation: ExpectationReport;
  /** Trace events emitted (lines after the meta line). */
  readonly eventCount: number;
  readonly outcome: SimulationOutcome;
  /** sha256 of the exact trace bytes, when hashing was on. */
  readonly traceHash: string | null;
  /**
   * With `fingerprint`: a 64-bit structural hash (util/structural-hash.ts:
   * equal exactly when the JSON would be, up to collisions) of every event
   * that is not a network event (protocol observations, faults, decisions,
   * violations), each with its index in the full trace (so where they fall
   * among deliveries counts), and the run's totals (events processed,
   * messages sent by type, duplicate deliveries, end time). The same whether
   * network events are traced or not, and no bytes are built, so it costs a
   * fraction of the trace hash.
   */
  readonly fingerprint: string | null;
  /** Every event, when recording was on. */
  readonly events: readonly AnyTraceEvent[] | null;
  /** The cluster as the run ended, when asked for. */
  readonly finalState: ClusterSnapshot | null;
}

/** One seeded run of one scenario: a pure function of (scenario, seed, bug). */
export function runScenario(input: Scenario, options: RunOptions = {}): RunResult {
  const { seed, scenario, bug, meta, endAtMs } = planRun(input, options);
  const quietFromMs = scenario.faults.reduce((latest, fault) => Math.max(latest, faultEndMs(fault)), 0);
  const liveness = scenario.expect.liveness ? { withinMs: scenario.expect.liveness.withinMs, quietFromMs } : undefined;
  const driver = driverFor(scenario, bug, liveness);
  const checks = driver.checks;
  const recorded: AnyTraceEvent[] | null = options.record ? [] : null;
  const hashing = options.hash !== false;
  const sinks = options.traceSinks ?? [];
  const serializer = hashing || sinks.length > 0 ? new TraceSerializer(sinks, hashing) : null;
  serializer?.line(meta);
  const fingerprint = options.fingerprint ? new StructuralHash() : null;
  let eventCount = 0;
  let stop = false;

  const maxTraceEvents = Math.min(options.maxTraceEvents ?? LIMITS.traceEvents, LIMITS.traceEvents);
  const observe = options.observe;
  const append = (event: AnyTraceEvent): void => {
    recorded?.push(event);
    observe?.(event);
    driver.observe(event);
    serializer?.event(event);
    if (fingerprint !== null && !NETWORK_EVENT_TYPES.has(event.type)) {
      fingerprint.number(eventCount + untracedEvents());
      fingerprint.value(event);
    }
    eventCount += 1;
  };
  // Nothing recorded, observed, written or fingerprinted (fuzzing, benchmarks): decided once per run, not tested again per event.
  const appendsFactsOnly = recorded === null && observe === undefined && serializer === null && fingerprint === null;
  const appendEvent = appendsFactsOnly
    ? (event: AnyTraceEvent): void => {
        driver.observe(event);
        eventCount += 1;
      }
    : append;
  const appendViolation = (violation: Violation): void => {
    appendEvent({ t: violation.t, type: 'violation', checker: violation.checker, message: violation.message });
  };
  const appendViolations = (violations: readonly Violation[]): void => {
    // Indexed: a for-of allocated an iterator per event, and almost every event has no violation.
    for (let position = 0; position < violations.length; position++) {
      appendViolation(violations[position]!);
      if (options.stopOnViolation) stop = true;
    }
  };
  /**
   * What counts the network events left untraced (the simulation, once
   * built): they take trace indexes all the same. Read as a field on the
   * per-event paths: a closure reassigned after the simulation was built was
   * a call per event that was never inlined.
   */
  let untraced: { readonly untracedEvents: number } = NOTHING_UNTRACED;
  const untracedEvents = (): number => untraced.untracedEvents;
  const emit = (event: AnyTraceEvent): void => {
    const index = eventCount + untraced.untracedEvents;
    appendEvent(event);
    const { derived, violations } = checks.observe(event, index);
    if (derived !== null) appendEvent(derived);
    appendViolations(violations);
    // A node that wrote a fatal event (it threw) is left half-updated: nothing after it would mean anything.
    if (isFatalEvent(event)) stop = true;
  };
  // Nothing but the trace writer reads network events as objects: the simulator hands their fields straight to it.
  const writesNetworkDirectly =
    serializer !== null && recorded === null && observe === undefined && driver.observeSkipsNetwork === true && checks.observeUnread !== undefined && driver.needsNetworkEvents !== true;
  const networkTrace = writesNetworkDirectly ? directNetworkTrace(serializer, (t) => {
    // What emit does for an event that only the trace reads: its index, then the checks see its time.
    const index = eventCount + untracedEvents();
    eventCount += 1;
    appendViolations(checks.observeUnread!(t, index));
  }) : undefined;

  const setup = {
    seed,
    nodes: driver.simNodes,
    alwaysConnected: driver.alwaysConnected,
    network: scenario.network,
    faults: scenario.faults,
    requests: driver.requests,
    untilMs: endAtMs,
    maxEvents: scenario.maxEvents,
    protocol: driver.factory,
    emit,
    networkTrace,
    traceNetwork: driver.needsNetworkEvents === true || (options.traceNetwork ?? (recorded !== null || serializer !== null)),
    // One processed event can broadcast to every node, so maxEvents alone does not bound the trace.
    shouldStop: () => stop || eventCount + untraced.untracedEvents >= maxTraceEvents,
  };
  // A pinned schedule (what `paxsim explore` writes) replays its exact steps instead of simulating time.
  const simulation = scenario.schedule ? new ScheduleReplay(setup, scenario.schedule) : new Simulation(setup);
  untraced = simulation;
  const simulated = simulation.run();
  const outcome = simulated.stoppedBy === 'stopped' && !stop ? { ...simulated, stoppedBy: 'max-trace-events' as const } : simulated;
  eventCount += outcome.traffic.untracedEvents;
  for (const violation of checks.finish(outcome.endMs, eventCount)) appendViolation(violation);

  const violations = checks.violations;
  const reports = checks.reports();
  const livenessCheckers = new Set(reports.filter((report) => report.kind === 'liveness').map((report) => report.name));
  const facts = driver.facts();
  const { traffic } = outcome;
  fingerprint?.value([outcome.processedEvents, outcome.endMs, eventCount, traffic.sentByType, traffic.duplicateDeliveries]);
  return {
    scenario,
    seed,
    bug,
    meta,
    chosen: facts.chosen,
    learned: facts.learned,
    summary: facts.summary,
    multipaxos: facts.multipaxos,
    violations,
    checkers: reports,
    inconclusive: inconclusiveCheckers(reports),
    expectation: judgeExpectation(scenario.expect, {
      chosen: facts.chosen,
      hasSafetyViolation: checks.hasSafetyViolation,
      safetyInconclusive: inconclusiveCheckers(reports.filter((report) => report.kind === 'safety')),
      livenessViolated: violations.some((violation) => livenessCheckers.has(violation.checker)),
      livenessInconclusive: checks.livenessInconclusive(outcome.endMs),
      outcome,
    }),
    eventCount,
    outcome,
    traceHash: serializer === null ? null : (serializer.finish() ?? null),
    fingerprint: fingerprint?.digest() ?? null,
    events: recorded,
    finalState: options.snapshot ? simulation.snapshot() : null,
  };
}

/** What a run of `input` with these options will be: its seed, the scenario as run, the bug and the trace's meta line. */
export function planRun(
  input: Scenario,
  options: Pick<RunOptions, 'seed' | 'bug' | 'stopAtMs' | 'stopOnViolation'> = {},
): { seed: number; scenario: Scenario; bug: ProtocolBug | undefined; meta: TraceMeta; endAtMs: number } {
  const seed = options.seed ?? input.seed;
  // A nemesis scenario runs the schedule its generator draws for this seed, written in as plain faults.
  const scenario = materializeScenario(input, seed);
  const bug = options.bug ?? scenarioBug(scenario);
  const endAtMs = options.stopAtMs === undefined ? scenario.untilMs : Math.min(scenario.untilMs, options.stopAtMs);
  // A run stopped at its first violation ends wherever that is: its trace then says no end, and readers take the last event's t.
  const meta = traceMeta(scenario, seed, bug, options.stopOnViolation ? undefined : endAtMs);
  return { seed, scenario, bug, meta, endAtMs };
}

/** The scenario's `bug`, which the CLI has already checked by name. */
export function scenarioBug(scenario: Scenario): ProtocolBug | undefined {
  if (scenario.bug === undefined) return undefined;
  assert(isBugOf(scenario.protocol, scenario.bug), () => `scenario ${scenario.name} names an unknown bug ${scenario.bug}`);
  return scenario.bug;
}

export function traceMeta(scenario: Scenario, seed: number, bug: ProtocolBug | undefined, untilMs: number | undefined): TraceMeta {
  const meta: TraceMeta = {
    type: 'meta',
    scenario: scenario.name,
    seed,
    ...(untilMs === undefined ? {} : { untilMs }),
    nodes: [...scenario.nodes],
    acceptors: [...scenario.roles.acceptors],
    proposers: [...scenario.roles.proposers],
    learners: [...scenario.roles.learners],
    protocol: scenario.protocol,
  };
  // A user protocol: which module to pass `paxsim check --protocol`, and the config its checks are built with.
  if (scenario.protocolModule !== undefined) meta.protocolModule = protocolModuleName(scenario.protocolModule);
  if (scenario.config !== undefined) meta.config = scenario.config;
  if (hasClientNodes(scenario)) meta.clients = scenario.clients.map((client) => client.id);
  if (scenario.cheapPaxos !== undefined) {
    meta.main = [...scenario.cheapPaxos.main];
    meta.auxiliary = [...scenario.cheapPaxos.auxiliary];
    meta.alpha = scenario.cheapPaxos.alpha;
    const limits = scenario.expect.auxiliaries;
    if (limits !== undefined) {
      meta.auxiliaryLimits = {
        ...(limits.maxMessages === undefined ? {} : { maxMessages: limits.maxMessages }),
        ...(limits.idleAfterMs === undefined ? {} : { idleAfterMs: limits.idleAfterMs }),
      };
    }
  }
  if (bug) meta.bug = bug;
  return meta;
}

/** Network events written by `serializer` from their fields, each followed by `written(t)`. */
function directNetworkTrace(serializer: TraceSerializer, written: (t: number) => void): NetworkTrace {
  return {
    send: (t, from, to, id, msg) => {
      serializer.send(t, from, to, id, msg);
      written(t);
    },
    deliver: (t, from, to, id, msg) => {
      serializer.deliver(t, from, to, id, msg);
      written(t);
    },
    drop: (t, from, to, id, reason) => {
      serializer.drop(t, from, to, id, reason);
      written(t);
    },
    duplicate: (t, from, to, id) => {
      serializer.duplicate(t, from, to, id);
      written(t);
    },
    timer: (t, node, timer) => {
      serializer.timer(t, node, timer);
      written(t);
    },
  };
}

/** Before the simulation exists, nothing is untraced. */
const NOTHING_UNTRACED = { untracedEvents: 0 };

/** Events the simulator emits only when tracing the network: a fingerprint leaves them out. */
const NETWORK_EVENT_TYPES: ReadonlySet<string> = new Set(['send', 'deliver', 'drop', 'duplicate', 'timer']);

/** The exact trace file contents: the meta line, then one JSON line per event. */
export function traceLines(result: RunResult): string[] {
  if (result.events === null) throw new Error('traceLines needs a run with record: true');
  return [JSON.stringify(result.meta), ...result.events.map((event) => JSON.stringify(event))];
}
