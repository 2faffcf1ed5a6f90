import type { NodeId } from '../scenario/scenario.js';
import { FAULT_EVENT_TYPES, isFatalEvent, MULTIPAXOS_EVENT_TYPES, PAXOS_EVENT_TYPES, type AnyTraceEvent, type MultiPaxosTraceEvent, type TraceEvent, type TraceEventType, type TraceMeta } from '../sim/events.js';
import { isMultiSlotFormat, traceFormatOf } from '../trace/trace-format.js';
import { RAFT_EVENT_TYPES } from '../trace/raft-format.js';
import { RaftChecks, type RaftSummary } from './raft-checks.js';
import { emptyDict } from '../util/dict.js';
import { majorityOf, type CheckContext, type Violation } from './checker.js';
import type { ChosenProposal } from './chosen.js';
import { MultiPaxosChecks, type MultiPaxosSummary, type SummaryLine } from './multipaxos-checks.js';
import { CheapPaxosChecks } from './cheap-paxos-checks.js';
import type { LivenessOptions } from './liveness.js';
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
  /**
   * Which checkers ran: single-decree Paxos's, Multi-Paxos's (meta line
   * `"protocol":"multipaxos"`), Raft's, or a user protocol's (its name: the
   * checks its definition builds, see {@link ProtocolTraceCheck}).
   */
  readonly protocol: string;
  /** A user protocol's trace: the verdict's lines its definition's facts give (as `paxsim run` prints them). */
  readonly user?: UserProtocolVerdict;
  /** First violation per checker, by event index. */
  readonly violations: Violation[];
  readonly reports: CheckerReport[];
  /** Paxos: the first (ballot, value) a majority of acceptors accepted, or null (always null for Multi-Paxos). */
  readonly chosen: ChosenProposal | null;
  /** Paxos: each learner's first `learn` (empty for Multi-Paxos). */
  readonly learned: Record<NodeId, TraceLearnedValue>;
  /** Multi-Paxos: the log, the clients' operations and the last leader; null for Paxos. */
  readonly multipaxos: MultiPaxosTraceSummary | null;
  /** Raft (meta line `"protocol":"raft"`): the log, the clients' operations and the last leader; absent otherwise. */
  readonly raft?: RaftSummary;
  /** Events in the trace (lines after the meta line), recorded `chosen` and `violation` lines included. */
  readonly eventCount: number;
  /** When the run ended: its first fatal event's t, else the meta line's `untilMs`, else the last event's t (0 without events). Deadlines are judged here. */
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

/** Cheap Paxos: the Multi-Paxos types, and `config` and `discard`. */
function isKnownCheapPaxosEventType(type: string): boolean {
  return type === 'config' || type === 'discard' || isKnownMultiPaxosEventType(type);
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
 * the run ended (a fatal event's time, else `untilMs`, else the last event's time). Recorded `chosen` and `violation` lines are derived
 * facts, not inputs: they are skipped (keeping their indexes, so event numbers
 * match the run's) and recomputed. A meta line with `"protocol":"multipaxos"`
 * gets the Multi-Paxos checkers; any other, single-decree Paxos's.
 */
export function checkTrace(meta: TraceMeta, events: readonly AnyTraceEvent[], options: CheckTraceOptions = {}): CheckTraceResult {
  const quietFromMs = events.reduce((latest, event) => Math.max(latest, faultEndMs(event)), 0);
  const check = new TraceCheck(meta, { ...options, quietFromMs });
  events.forEach((event, index) => check.observe(event, index));
  return check.finish();
}

export interface TraceCheckOptions extends CheckTraceOptions {
  /**
   * The checks to run instead of the ones the meta line's protocol names (a
   * user protocol's, from its definition); they read every event type.
   */
  readonly protocolCheck?: ProtocolTraceCheck;
  /**
   * The end of the trace's last fault ({@link faultEndMs}), from which liveness
   * is judged; needed up front only when liveness is checked (a reader learns
   * it in a first pass over the file).
   */
  readonly quietFromMs?: number;
}

/**
 * {@link checkTrace} one event at a time, for a trace read line by line: it
 * keeps the checkers' state and a few counters, never the events. Feed every
 * event in order with its index (line - 2), then call `finish` once.
 */
export class TraceCheck {
  private readonly run: ProtocolTraceCheck;
  private eventCount = 0;
  private endMs = 0;
  /** The first fatal event (its index and t): the run stopped there (run/runner.ts), whatever its meta line's `untilMs` says. */
  private stopped: { readonly index: number; readonly t: number } | undefined;
  private quietFromMs = 0;
  private readonly recorded: RecordedViolation[] = [];
  private readonly ignoredTypes = emptyDict<number>();
  private readonly isKnown: (type: string) => boolean;

  constructor(
    private readonly meta: TraceMeta,
    private readonly options: TraceCheckOptions = {},
  ) {
    const format = traceFormatOf(meta.protocol);
    const multipaxos = isMultiSlotFormat(format);
    const raft = format === 'raft';
    const given = options.protocolCheck;
    // A user protocol's checks read its own vocabulary: no type is outside its format.
    this.isKnown =
      given !== undefined
        ? () => true
        : raft
          ? (type) => Object.hasOwn(RAFT_EVENT_TYPES, type)
          : format === 'cheap-paxos'
            ? isKnownCheapPaxosEventType
            : multipaxos
              ? isKnownMultiPaxosEventType
              : isKnownEventType;
    const livenessWithinMs = options.livenessWithinMs;
    const liveness = livenessWithinMs === undefined ? undefined : { withinMs: livenessWithinMs, quietFromMs: options.quietFromMs ?? 0 };
    this.run = given ?? (raft ? new RaftTraceCheck(meta, liveness) : multipaxos ? new MultiPaxosTraceCheck(meta, liveness) : new PaxosTraceCheck(meta, liveness));
  }

  /**
   * Events of unknown types are counted and skipped, recorded `violation`
   * lines kept for comparison, recorded `chosen` lines skipped (the checkers
   * recompute both).
   */
  observe(event: AnyTraceEvent, index: number): void {
    this.eventCount = index + 1;
    this.endMs = event.t;
    this.quietFromMs = Math.max(this.quietFromMs, faultEndMs(event));
    const type: string = event.type;
    // Only a fatal event of the trace's own format ended its run: one of a type the format ignores (a foreign trace's
    // own `exception` line) would end it early, and turn a liveness failure into "inconclusive".
    if (this.stopped === undefined && isFatalEvent(event) && this.isKnown(type)) this.stopped = { index, t: event.t };
    if (!this.isKnown(type)) this.ignoredTypes[type] = (this.ignoredTypes[type] ?? 0) + 1;
    else if (event.type === 'violation') recordViolation(event as { t: number; checker: string; message: string }, index, this.recorded);
    else if (event.type !== 'chosen') this.run.observe(event, index);
    this.run.follow(event, index);
  }

  /**
   * The index of the fatal event that stopped the run, when `event` comes
   * after it and is not one of the violation lines a run writes there: a run
   * writes nothing else after it (an edited or spliced trace). Else null.
   */
  eventAfterStop(event: AnyTraceEvent): number | null {
    return this.stopped !== undefined && event.type !== 'violation' ? this.stopped.index : null;
  }

  finish(): CheckTraceResult {
    const { eventCount, recorded } = this;
    // When the run ended: at its first fatal event, where the run stopped (the meta line, written before the run, still
    // says the scenario's `until`); else the meta line's `untilMs` (the reader checked no event comes after it), else the last event's t.
    const endMs = this.stopped?.t ?? this.meta.untilMs ?? this.endMs;
    const livenessChecked = this.options.livenessWithinMs !== undefined;
    const verdict = this.run.finish(endMs, eventCount, livenessChecked);
    const found = new Set(verdict.violations.map((violation) => violation.checker));
    return {
      ...verdict,
      eventCount,
      endMs,
      quietFromMs: this.quietFromMs,
      livenessChecked,
      recorded,
      unreproduced: recorded.filter((violation) => !found.has(violation.checker)),
      ignoredTypes: this.ignoredTypes,
    };
  }
}

/** What a user protocol's trace check adds to the verdict. */
export interface UserProtocolVerdict {
  /** The single-decree checkers ran: the verdict shows chosen and learned, as `paxsim run`'s does. */
  readonly singleDecree: boolean;
  /** The definition's summary lines (log, clients, leader, …). */
  readonly summary: readonly SummaryLine[];
  /** Its liveness checkers, by name: what `--liveness-within` would add. */
  readonly livenessCheckers: readonly string[];
}

/** What a protocol's checks add to a trace check. */
export type ProtocolVerdict = Pick<CheckTraceResult, 'protocol' | 'violations' | 'reports' | 'chosen' | 'learned' | 'multipaxos' | 'raft' | 'user' | 'livenessInconclusive'>;

/**
 * One protocol's checks over a trace. The built-in trace formats have their
 * own; a user protocol's is built from its definition (run layer) and given
 * to {@link TraceCheck}.
 */
export interface ProtocolTraceCheck {
  /** A checked event (not a recorded `chosen` or `violation` line, not of an unknown type). */
  observe(event: AnyTraceEvent, index: number): void;
  /** Every event, whatever its type. */
  follow(event: AnyTraceEvent, index: number): void;
  finish(endMs: number, eventCount: number, livenessChecked: boolean): ProtocolVerdict;
}

class PaxosTraceCheck implements ProtocolTraceCheck {
  private readonly suite: CheckerSuite;
  private readonly learned = emptyDict<TraceLearnedValue>();

  constructor(meta: TraceMeta, liveness: LivenessOptions | undefined) {
    this.suite = new CheckerSuite(checkContextForMeta(meta), liveness);
  }

  observe(anyEvent: AnyTraceEvent, index: number): void {
    const event = anyEvent as Exclude<TraceEvent, { type: 'violation' | 'chosen' }>;
    if (event.type === 'learn' && this.learned[event.node] === undefined) this.learned[event.node] = { value: event.value, t: event.t };
    this.suite.observe(event, index);
  }

  follow(): void {}

  finish(endMs: number, eventCount: number): ProtocolVerdict {
    const suite = this.suite;
    // A deadline that passed with no event after it is charged to the last line, as the runner charges
    // it to the violation line it appends at the end of a run.
    suite.finish(endMs, Math.max(0, eventCount - 1));
    return {
      protocol: 'paxos',
      violations: suite.violations,
      reports: suite.reports(),
      chosen: suite.ledger.chosen[0] ?? null,
      learned: this.learned,
      multipaxos: null,
      livenessInconclusive: suite.livenessInconclusive(endMs),
    };
  }
}

/**
 * Multi-Paxos: `nodes` are the replicas (quorum: a strict majority of them),
 * `clients` the client ids; client-liveness only with a deadline, judged from
 * the end of the last fault, as the run does.
 */
class MultiPaxosTraceCheck implements ProtocolTraceCheck {
  private readonly checks: MultiPaxosChecks | CheapPaxosChecks;
  /**
   * In the run of `violation` lines that ends the trace so far: the first line
   * of each checker that can report at the end of a trace (see {@link finishIndex}).
   */
  private trailing = new Map<string, number>();

  constructor(meta: TraceMeta, liveness: LivenessOptions | undefined) {
    this.checks =
      traceFormatOf(meta.protocol) === 'cheap-paxos'
        ? new CheapPaxosChecks({ mains: meta.main ?? [], auxiliaries: meta.auxiliary ?? [], clients: meta.clients ?? [], alpha: meta.alpha ?? 1, auxiliaryExpectation: meta.auxiliaryLimits }, liveness)
        : new MultiPaxosChecks({ replicas: meta.nodes, clients: meta.clients ?? [], quorumSize: majorityOf(meta.nodes.length) }, liveness);
  }

  observe(event: AnyTraceEvent, index: number): void {
    this.checks.observe(event as Exclude<MultiPaxosTraceEvent, { type: 'violation' | 'chosen' }>, index);
  }

  follow(event: AnyTraceEvent, index: number): void {
    if (event.type !== 'violation') {
      if (this.trailing.size > 0) this.trailing = new Map();
      return;
    }
    const checker: unknown = event.checker;
    if ((checker === 'linearizability' || checker === 'client-liveness') && !this.trailing.has(checker)) this.trailing.set(checker, index);
  }

  finish(endMs: number, eventCount: number, livenessChecked: boolean): ProtocolVerdict {
    const checks = this.checks;
    checks.finish(endMs, this.finishIndex(eventCount, new Set(checks.violations.map((violation) => violation.checker)), livenessChecked));
    const livenessInconclusive = checks.livenessInconclusive(endMs);
    return {
      protocol: 'multipaxos',
      violations: checks.violations,
      reports: checks.reports().map((report) =>
        report.kind === 'liveness' && report.violation === null && livenessInconclusive
          ? { ...report, detail: `inconclusive: the trace ends at t=${endMs}, before operations still open are due` }
          : report,
      ),
      chosen: null,
      learned: emptyDict(),
      multipaxos: checks.summary(),
      livenessInconclusive,
    };
  }

  /**
   * Where a violation found at the end of a Multi-Paxos trace is charged. The
   * runner charges every one it finds at the end to the index of the first
   * violation line it then appends; a trace it wrote ends with those lines, so
   * that is the first trailing `violation` line of a checker that can report at
   * the end (and did not report earlier). Otherwise, as for Paxos, the last line.
   */
  private finishIndex(eventCount: number, alreadyViolated: ReadonlySet<string>, livenessChecked: boolean): number {
    let index = Math.max(0, eventCount - 1);
    for (const [checker, position] of this.trailing) {
      if ((checker === 'linearizability' || livenessChecked) && !alreadyViolated.has(checker)) index = Math.min(index, position);
    }
    return index;
  }
}

/** Raft: `nodes` are the servers, `clients` the client ids; client-liveness as for Multi-Paxos. */
class RaftTraceCheck implements ProtocolTraceCheck {
  private readonly checks: RaftChecks;

  constructor(meta: TraceMeta, liveness: LivenessOptions | undefined) {
    this.checks = new RaftChecks({ servers: meta.nodes, clients: meta.clients ?? [] }, liveness);
  }

  observe(event: AnyTraceEvent, index: number): void {
    this.checks.observe(event, index);
  }

  follow(): void {}

  finish(endMs: number, eventCount: number): ProtocolVerdict {
    const checks = this.checks;
    checks.finish(endMs, Math.max(0, eventCount - 1));
    const livenessInconclusive = checks.livenessInconclusive(endMs);
    return {
      protocol: 'raft',
      violations: checks.violations,
      reports: checks.reports(),
      chosen: null,
      learned: emptyDict(),
      multipaxos: null,
      raft: checks.summary(),
      livenessInconclusive,
    };
  }
}

/** Keeps a recorded `violation` line; foreign traces may write violations their own way: only a named checker can be compared. */
function recordViolation(event: { t: number; checker: string; message: string }, index: number, recorded: RecordedViolation[]): void {
  const checker: unknown = event.checker;
  const message: unknown = event.message;
  if (typeof checker === 'string') recorded.push({ checker, message: typeof message === 'string' ? message : '', t: event.t, event: index });
}

/** When a fault event stops acting: its t, or the end of a burst; 0 for other events. */
export function faultEndMs(event: AnyTraceEvent): number {
  if (!FAULT_EVENT_TYPES.has(event.type)) return 0;
  if (event.type === 'burst' && typeof event.for === 'number') return event.t + event.for;
  return event.t;
}
