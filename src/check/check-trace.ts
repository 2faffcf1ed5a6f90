import type { NodeId } from '../scenario/scenario.js';
import { FAULT_EVENT_TYPES, MULTIPAXOS_EVENT_TYPES, PAXOS_EVENT_TYPES, type AnyTraceEvent, type MultiPaxosTraceEvent, type TraceEvent, type TraceEventType, type TraceMeta } from '../sim/events.js';
import { isMultiPaxosMeta } from '../trace/read-trace.js';
import { emptyDict } from '../util/dict.js';
import { majorityOf, type CheckContext, type Violation } from './checker.js';
import type { ChosenProposal } from './chosen.js';
import { MultiPaxosChecks, type MultiPaxosSummary } from './multipaxos-checks.js';
import { CheckerSuite, type CheckerReport } from './suite.js';

export interface CheckTraceOptions {
  /** Check liveness too: every connected learner learns within this many ms of the last fault. */
  readonly livenessWithinMs?: number | undefined;
}

export interface TraceLearnedValue {
  readonly value: string;
  readonly t: number;
}

/** A `violation` line found in the input trace (what its writer's checkers said). */
export interface RecordedViolation {
  readonly checker: string;
  readonly message: string;
  readonly t: number;
  /** Index of the `violation` line itself. */
  readonly event: number;
}

/** What a Multi-Paxos trace did, beyond its checkers: the verdict's log, clients and leader lines. */
export type MultiPaxosTraceSummary = MultiPaxosSummary;

export interface CheckTraceResult {
  /** Which checkers ran: single-decree Paxos's, or Multi-Paxos's (meta line `"protocol":"multipaxos"`). */
  readonly protocol: 'paxos' | 'multipaxos';
  /** First violation per checker, by event index. */
  readonly violations: Violation[];
  readonly reports: CheckerReport[];
  /** Paxos: the first (ballot, value) a majority of acceptors accepted, or null (always null for Multi-Paxos). */
  readonly chosen: ChosenProposal | null;
  /** Paxos: each learner's first `learn` (empty for Multi-Paxos). */
  readonly learned: Record<NodeId, TraceLearnedValue>;
  /** Multi-Paxos: the log, the clients' operations and the last leader; null for Paxos. */
  readonly multipaxos: MultiPaxosTraceSummary | null;
  /** Events in the trace (lines after the meta line), recorded `chosen` and `violation` lines included. */
  readonly eventCount: number;
  /** When the run ended: the meta line's `untilMs`, else the last event's t (0 without events). Deadlines are judged here. */
  readonly endMs: number;
  /** The end of the last fault (its t, or t + for for a burst): liveness is judged from here. */
  readonly quietFromMs: number;
  readonly livenessChecked: boolean;
  /** Liveness was asked for, but the trace ends before its deadline with learners still missing. */
  readonly livenessInconclusive: boolean;
  /** `violation` lines the trace carried; they are not trusted, only compared. */
  readonly recorded: RecordedViolation[];
  /** Recorded violations whose checker found nothing here. */
  readonly unreproduced: RecordedViolation[];
  /** Events of types outside the documented format, by type: the checkers ignored them. */
  readonly ignoredTypes: Record<string, number>;
}

export function isKnownEventType(type: string): type is TraceEventType {
  return Object.hasOwn(PAXOS_EVENT_TYPES, type);
}

/** The types of the Multi-Paxos trace format: anything else is ignored and counted. */
export function isKnownMultiPaxosEventType(type: string): type is MultiPaxosTraceEvent['type'] {
  return Object.hasOwn(MULTIPAXOS_EVENT_TYPES, type);
}

export function checkContextForMeta(meta: TraceMeta): CheckContext {
  return {
    nodes: meta.nodes,
    proposers: meta.proposers,
    acceptors: meta.acceptors,
    learners: meta.learners,
    quorumSize: majorityOf(meta.acceptors.length),
  };
}

/**
 * Runs every checker over a recorded trace, exactly as the runner feeds them
 * during a run: each event with its index in the trace, then `finish` where
 * the run ended (`untilMs`, else the last event's time). Recorded `chosen` and `violation` lines are derived
 * facts, not inputs: they are skipped (keeping their indexes, so event numbers
 * match the run's) and recomputed. A meta line with `"protocol":"multipaxos"`
 * gets the Multi-Paxos checkers; any other, single-decree Paxos's.
 */
export function checkTrace(meta: TraceMeta, events: readonly AnyTraceEvent[], options: CheckTraceOptions = {}): CheckTraceResult {
  // readTrace built the events for the meta line's protocol.
  if (isMultiPaxosMeta(meta)) return checkMultiPaxosTrace(meta, events as readonly MultiPaxosTraceEvent[], options);
  return checkPaxosTrace(meta, events as readonly TraceEvent[], options);
}

function checkPaxosTrace(meta: TraceMeta, events: readonly TraceEvent[], options: CheckTraceOptions): CheckTraceResult {
  const quietFromMs = events.reduce((latest, event) => Math.max(latest, faultEndMs(event)), 0);
  const endMs = traceEndMs(meta, events);
  const livenessWithinMs = options.livenessWithinMs;
  const suite = new CheckerSuite(checkContextForMeta(meta), livenessWithinMs === undefined ? undefined : { withinMs: livenessWithinMs, quietFromMs });
  const learned = emptyDict<TraceLearnedValue>();
  const { recorded, ignoredTypes } = feedChecks(events, isKnownEventType, (event, index) => {
    if (event.type === 'learn' && learned[event.node] === undefined) learned[event.node] = { value: event.value, t: event.t };
    suite.observe(event, index);
  });
  // A deadline that passed with no event after it is charged to the last line, as the runner charges
  // it to the violation line it appends at the end of a run.
  suite.finish(endMs, Math.max(0, events.length - 1));

  const violations = suite.violations;
  const found = new Set(violations.map((violation) => violation.checker));
  return {
    protocol: 'paxos',
    violations,
    reports: suite.reports(),
    chosen: suite.ledger.chosen[0] ?? null,
    learned,
    multipaxos: null,
    eventCount: events.length,
    endMs,
    quietFromMs,
    livenessChecked: livenessWithinMs !== undefined,
    livenessInconclusive: suite.livenessInconclusive(endMs),
    recorded,
    unreproduced: recorded.filter((violation) => !found.has(violation.checker)),
    ignoredTypes,
  };
}

/**
 * Multi-Paxos: `nodes` are the replicas (quorum: a strict majority of them),
 * `clients` the client ids; client-liveness only with a deadline, judged from
 * the end of the last fault, as the run does.
 */
function checkMultiPaxosTrace(meta: TraceMeta, events: readonly MultiPaxosTraceEvent[], options: CheckTraceOptions): CheckTraceResult {
  const quietFromMs = events.reduce((latest, event) => Math.max(latest, faultEndMs(event)), 0);
  const endMs = traceEndMs(meta, events);
  const livenessWithinMs = options.livenessWithinMs;
  const checks = new MultiPaxosChecks(
    { replicas: meta.nodes, clients: meta.clients ?? [], quorumSize: majorityOf(meta.nodes.length) },
    livenessWithinMs === undefined ? undefined : { withinMs: livenessWithinMs, quietFromMs },
  );
  const { recorded, ignoredTypes } = feedChecks(events, isKnownMultiPaxosEventType, (event, index) => checks.observe(event, index));
  checks.finish(endMs, finishIndex(events, new Set(checks.violations.map((violation) => violation.checker)), livenessWithinMs !== undefined));

  const violations = checks.violations;
  const found = new Set(violations.map((violation) => violation.checker));
  const livenessInconclusive = checks.livenessInconclusive(endMs);
  return {
    protocol: 'multipaxos',
    violations,
    reports: checks.reports().map((report) =>
      report.kind === 'liveness' && report.violation === null && livenessInconclusive
        ? { ...report, detail: `inconclusive: the trace ends at t=${endMs}, before operations still open are due` }
        : report,
    ),
    chosen: null,
    learned: emptyDict(),
    multipaxos: checks.summary(),
    eventCount: events.length,
    endMs,
    quietFromMs,
    livenessChecked: livenessWithinMs !== undefined,
    livenessInconclusive,
    recorded,
    unreproduced: recorded.filter((violation) => !found.has(violation.checker)),
    ignoredTypes,
  };
}

/**
 * Where a violation found at the end of a Multi-Paxos trace is charged. The
 * runner charges every one it finds at the end to the index of the first
 * violation line it then appends; a trace it wrote ends with those lines, so
 * that is the first trailing `violation` line of a checker that can report at
 * the end (and did not report earlier). Otherwise, as for Paxos, the last line.
 */
function finishIndex(events: readonly MultiPaxosTraceEvent[], alreadyViolated: ReadonlySet<string>, livenessChecked: boolean): number {
  let index = Math.max(0, events.length - 1);
  for (let position = events.length - 1; position >= 0; position--) {
    const event = events[position]!;
    if (event.type !== 'violation') break;
    // The checkers that can report at the end of a trace rather than at an event.
    const checker: unknown = event.checker;
    if ((checker === 'linearizability' || (checker === 'client-liveness' && livenessChecked)) && !alreadyViolated.has(checker)) index = position;
  }
  return index;
}

/**
 * Feeds a trace's events to its checkers, in order: events of unknown types
 * are counted and skipped, recorded `violation` lines kept for comparison,
 * recorded `chosen` lines skipped (the checkers recompute both).
 */
function feedChecks<E extends AnyTraceEvent>(
  events: readonly E[],
  isKnown: (type: string) => boolean,
  observe: (event: Exclude<E, { type: 'violation' | 'chosen' }>, index: number) => void,
): { recorded: RecordedViolation[]; ignoredTypes: Record<string, number> } {
  const recorded: RecordedViolation[] = [];
  const ignoredTypes = emptyDict<number>();
  events.forEach((event, index) => {
    const type: string = event.type;
    if (!isKnown(type)) ignoredTypes[type] = (ignoredTypes[type] ?? 0) + 1;
    else if (event.type === 'violation') recordViolation(event as { t: number; checker: string; message: string }, index, recorded);
    else if (event.type !== 'chosen') observe(event as Exclude<E, { type: 'violation' | 'chosen' }>, index);
  });
  return { recorded, ignoredTypes };
}

/** Keeps a recorded `violation` line; foreign traces may write violations their own way: only a named checker can be compared. */
function recordViolation(event: { t: number; checker: string; message: string }, index: number, recorded: RecordedViolation[]): void {
  const checker: unknown = event.checker;
  const message: unknown = event.message;
  if (typeof checker === 'string') recorded.push({ checker, message: typeof message === 'string' ? message : '', t: event.t, event: index });
}

/** The meta line's `untilMs` (the reader checked no event comes after it), or else the last event's t. */
function traceEndMs(meta: TraceMeta, events: readonly AnyTraceEvent[]): number {
  return meta.untilMs ?? (events.length === 0 ? 0 : events[events.length - 1]!.t);
}

/** When a fault event stops acting: its t, or the end of a burst; 0 for other events. */
function faultEndMs(event: AnyTraceEvent): number {
  if (!FAULT_EVENT_TYPES.has(event.type)) return 0;
  if (event.type === 'burst' && typeof event.for === 'number') return event.t + event.for;
  return event.t;
}
