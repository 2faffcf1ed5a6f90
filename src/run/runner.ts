import { createHash, type Hash } from 'node:crypto';
import type { Violation } from '../check/checker.js';
import type { ChosenProposal } from '../check/chosen.js';
import { CheckerSuite, type CheckerReport } from '../check/suite.js';
import { isPaxosBug, type PaxosBug } from '../protocols/paxos/config.js';
import { assert } from '../util/assert.js';
import { faultEndMs, type NodeId, type Scenario } from '../scenario/scenario.js';
import type { TraceEvent, TraceMeta } from '../sim/events.js';
import { materializeScenario } from '../sim/nemesis.js';
import { Simulation, type ClusterSnapshot, type SimulationOutcome } from '../sim/simulation.js';
import { checkContextFor, protocolFor, requestsFor } from './protocol.js';
import { judgeExpectation, type ExpectationReport } from './expect.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number | undefined;
  readonly bug?: PaxosBug | undefined;
  /** Keep every trace event in the result (for timelines and trace files). */
  readonly record?: boolean;
  /** Compute the trace hash (costs one JSON serialization per event). Default true. */
  readonly hash?: boolean;
  /** End the run at the first violation (fuzzing wants the verdict, not the aftermath). */
  readonly stopOnViolation?: boolean;
  /** Also sees every trace event, in order (coverage, live views). */
  readonly observe?: (event: TraceEvent) => void;
  /** Stop after the last event at or before this virtual time (debugger views of a moment). */
  readonly stopAtMs?: number;
  /** Keep a snapshot of every node and link as the run ends. */
  readonly snapshot?: boolean;
  /**
   * Build the network's events (send, deliver, drop, duplicate, timeout)?
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
  readonly bug: PaxosBug | undefined;
  readonly meta: TraceMeta;
  /** The first value chosen (omniscient view), or null. */
  readonly chosen: ChosenProposal | null;
  readonly learned: Readonly<Record<NodeId, LearnedValue>>;
  readonly violations: readonly Violation[];
  readonly checkers: readonly CheckerReport[];
  readonly expectation: ExpectationReport;
  /** Trace events emitted (lines after the meta line). */
  readonly eventCount: number;
  readonly outcome: SimulationOutcome;
  /** sha256 of the exact trace bytes, when hashing was on. */
  readonly traceHash: string | null;
  /** Every event, when recording was on. */
  readonly events: readonly TraceEvent[] | null;
  /** The cluster as the run ended, when asked for. */
  readonly finalState: ClusterSnapshot | null;
}

/** One seeded run of one scenario: a pure function of (scenario, seed, bug). */
export function runScenario(input: Scenario, options: RunOptions = {}): RunResult {
  const seed = options.seed ?? input.seed;
  // A nemesis scenario runs the schedule its generator draws for this seed, written in as plain faults.
  const scenario = materializeScenario(input, seed);
  const bug = options.bug ?? scenarioBug(scenario);
  const meta = traceMeta(scenario, seed, bug);
  const context = checkContextFor(scenario);
  const quietFromMs = scenario.faults.reduce((latest, fault) => Math.max(latest, faultEndMs(fault)), 0);
  const liveness = scenario.expect.liveness ? { withinMs: scenario.expect.liveness.withinMs, quietFromMs } : undefined;
  const suite = new CheckerSuite(context, liveness);
  const recorded: TraceEvent[] | null = options.record ? [] : null;
  const hash: Hash | null = options.hash === false ? null : createHash('sha256');
  hash?.update(JSON.stringify(meta) + '\n');
  const learned: Record<NodeId, LearnedValue> = {};
  let eventCount = 0;
  let stop = false;

  const observe = options.observe;
  const append = (event: TraceEvent): void => {
    recorded?.push(event);
    observe?.(event);
    hash?.update(JSON.stringify(event) + '\n');
    eventCount += 1;
  };
  let untracedEvents = (): number => 0;
  const emit = (event: TraceEvent): void => {
    const index = eventCount + untracedEvents();
    append(event);
    if (event.type === 'learn' && learned[event.node] === undefined) learned[event.node] = { value: event.value, t: event.t };
    const { chosen, violations } = suite.observe(event, index);
    if (chosen !== null) append({ t: event.t, type: 'chosen', value: chosen.value, ballot: chosen.ballot });
    for (const violation of violations) {
      append({ t: violation.t, type: 'violation', checker: violation.checker, message: violation.message });
      if (options.stopOnViolation) stop = true;
    }
  };

  const protocol = protocolFor(scenario, bug);
  const simulation = new Simulation({
    seed,
    nodes: scenario.nodes,
    network: scenario.network,
    faults: scenario.faults,
    requests: requestsFor(scenario),
    untilMs: options.stopAtMs === undefined ? scenario.untilMs : Math.min(scenario.untilMs, options.stopAtMs),
    maxEvents: scenario.maxEvents,
    protocol: protocol.factory,
    emit,
    traceNetwork: options.traceNetwork ?? (recorded !== null || hash !== null),
    shouldStop: () => stop,
  });
  untracedEvents = () => simulation.untracedEvents;
  const outcome = simulation.run();
  eventCount += outcome.traffic.untracedEvents;
  for (const violation of suite.finish(outcome.endMs, eventCount)) {
    append({ t: violation.t, type: 'violation', checker: violation.checker, message: violation.message });
  }

  const violations = suite.violations;
  const chosen = suite.ledger.chosen[0] ?? null;
  return {
    scenario,
    seed,
    bug,
    meta,
    chosen,
    learned,
    violations,
    checkers: suite.reports(),
    expectation: judgeExpectation(scenario.expect, {
      chosen,
      hasSafetyViolation: suite.hasSafetyViolation,
      livenessViolated: violations.some((violation) => violation.checker === 'liveness'),
      livenessInconclusive: suite.livenessInconclusive(outcome.endMs),
      outcome,
    }),
    eventCount,
    outcome,
    traceHash: hash ? hash.digest('hex') : null,
    events: recorded,
    finalState: options.snapshot ? simulation.snapshot() : null,
  };
}

/** The scenario's `bug`, which the CLI has already checked by name. */
export function scenarioBug(scenario: Scenario): PaxosBug | undefined {
  if (scenario.bug === undefined) return undefined;
  assert(isPaxosBug(scenario.bug), () => `scenario ${scenario.name} names an unknown bug ${scenario.bug}`);
  return scenario.bug;
}

export function traceMeta(scenario: Scenario, seed: number, bug: PaxosBug | undefined): TraceMeta {
  const meta: TraceMeta = {
    type: 'meta',
    scenario: scenario.name,
    seed,
    nodes: [...scenario.nodes],
    acceptors: [...scenario.roles.acceptors],
    proposers: [...scenario.roles.proposers],
    learners: [...scenario.roles.learners],
    protocol: scenario.protocol,
  };
  if (bug) meta.bug = bug;
  return meta;
}

/** The exact trace file contents: the meta line, then one JSON line per event. */
export function traceLines(result: RunResult): string[] {
  if (result.events === null) throw new Error('traceLines needs a run with record: true');
  return [JSON.stringify(result.meta), ...result.events.map((event) => JSON.stringify(event))];
}
