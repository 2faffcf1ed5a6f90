import type { NodeId } from '../scenario/scenario.js';
import { FAULT_EVENT_TYPES, type TraceEvent, type TraceEventType, type TraceMeta } from '../sim/events.js';
import { majorityOf, type CheckContext, type Violation } from './checker.js';
import type { ChosenProposal } from './chosen.js';
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

export interface CheckTraceResult {
  /** First violation per checker, by event index. */
  readonly violations: Violation[];
  readonly reports: CheckerReport[];
  /** The first (ballot, value) a majority of acceptors accepted, or null. */
  readonly chosen: ChosenProposal | null;
  /** Each learner's first `learn`. */
  readonly learned: Record<NodeId, TraceLearnedValue>;
  /** Events in the trace (lines after the meta line), recorded `chosen` and `violation` lines included. */
  readonly eventCount: number;
  /** The last event's t (0 for a trace without events): where the checkers stop looking. */
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

const KNOWN_TYPES: Record<TraceEventType, true> = {
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
  propose: true,
  adopt: true,
  promise: true,
  accept: true,
  learn: true,
  chosen: true,
  violation: true,
};

export function isKnownEventType(type: string): type is TraceEventType {
  return Object.hasOwn(KNOWN_TYPES, type);
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
 * during a run: each event with its index in the trace, then `finish` at the
 * last event's time. Recorded `chosen` and `violation` lines are derived
 * facts, not inputs: they are skipped (keeping their indexes, so event numbers
 * match the run's) and recomputed.
 */
export function checkTrace(meta: TraceMeta, events: readonly TraceEvent[], options: CheckTraceOptions = {}): CheckTraceResult {
  const quietFromMs = events.reduce((latest, event) => Math.max(latest, faultEndMs(event)), 0);
  const endMs = events.length === 0 ? 0 : events[events.length - 1]!.t;
  const livenessWithinMs = options.livenessWithinMs;
  const suite = new CheckerSuite(checkContextForMeta(meta), livenessWithinMs === undefined ? undefined : { withinMs: livenessWithinMs, quietFromMs });
  const learned: Record<NodeId, TraceLearnedValue> = {};
  const recorded: RecordedViolation[] = [];
  const ignoredTypes: Record<string, number> = {};

  events.forEach((event, index) => {
    const type: string = event.type;
    if (!isKnownEventType(type)) {
      ignoredTypes[type] = (ignoredTypes[type] ?? 0) + 1;
      return;
    }
    if (event.type === 'violation') {
      // Foreign traces may write violations their own way: only a named checker can be compared.
      if (typeof event.checker === 'string') {
        recorded.push({ checker: event.checker, message: typeof event.message === 'string' ? event.message : '', t: event.t, event: index });
      }
      return;
    }
    if (event.type === 'chosen') return;
    if (event.type === 'learn' && learned[event.node] === undefined) learned[event.node] = { value: event.value, t: event.t };
    suite.observe(event, index);
  });
  // A deadline that passed with no event after it is charged to the last line, as the runner charges
  // it to the violation line it appends at the end of a run.
  suite.finish(endMs, Math.max(0, events.length - 1));

  const violations = suite.violations;
  const found = new Set(violations.map((violation) => violation.checker));
  return {
    violations,
    reports: suite.reports(),
    chosen: suite.ledger.chosen[0] ?? null,
    learned,
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

/** When a fault event stops acting: its t, or the end of a burst; 0 for other events. */
function faultEndMs(event: TraceEvent): number {
  if (!FAULT_EVENT_TYPES.has(event.type)) return 0;
  if (event.type === 'burst' && typeof event.for === 'number') return event.t + event.for;
  return event.t;
}
