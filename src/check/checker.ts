import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent, TraceEvent } from '../sim/events.js';
import type { ChosenLedger } from './chosen.js';

/** The cluster layout a checker judges against (from the scenario, or a trace's meta line). */
export interface CheckContext {
  readonly nodes: readonly NodeId[];
  readonly proposers: readonly NodeId[];
  readonly acceptors: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** A strict majority of acceptors: the omniscient definition of "chosen", whatever the implementation counts. */
  readonly quorumSize: number;
}

export interface Violation {
  readonly checker: string;
  readonly message: string;
  /** Virtual time of the violating event. */
  readonly t: number;
  /** Index of the violating event in the trace (0-based; trace line index + 2, after the meta line). */
  readonly event: number;
}

export type CheckerKind = 'safety' | 'liveness';

/**
 * Reads trace events one at a time and reports the first violating one.
 * Checkers see only trace events, never a node's private fields, so they can
 * also judge a trace written by another implementation.
 */
export interface Checker {
  readonly name: string;
  readonly kind: CheckerKind;
  /** A violation message, or null. Called for every event, in order, after the ledger saw it. */
  observe(event: TraceEvent, ledger: ChosenLedger): string | null;
  /** Called once at the end of the run; a liveness checker judges its deadline here. */
  finish(endMs: number): { message: string; t: number } | null;
  /** One line for the verdict when nothing was violated ("held", "not required: …"). */
  describeHeld(): string;
}

export function majorityOf(count: number): number {
  return Math.floor(count / 2) + 1;
}

/**
 * A protocol's checkers over a whole trace, fed event by event: what the run
 * layer needs, whatever the protocol. `derived` is an omniscient event to
 * append to the trace right after the one observed (`chosen`).
 */
export interface TraceChecks {
  observe(event: AnyTraceEvent, index: number): { derived: AnyTraceEvent | null; violations: readonly Violation[] };
  /** End of the run: deadline-based checkers judge now. */
  finish(endMs: number, lastIndex: number): readonly Violation[];
  /**
   * Safety properties otherwise judged only at `finish`, judged on the
   * history so far, where no continuation can undo a violation (prefix-closed:
   * linearizability, since an operation still open may or may not take
   * effect). `paxsim explore` calls it after each step that reported events,
   * so a violation is found at the step that makes it, not only at a state
   * with nothing left to do. Optional: a checker that judges everything as
   * events arrive has nothing to add.
   */
  judgeSoFar?(lastT: number, lastIndex: number): readonly Violation[];
  /**
   * A network event (send, deliver, drop, duplicate, timer) at time `t`,
   * which these checks do not read: only a deadline can pass at it. Present
   * only on checks that read no network event, so a traced run may write
   * those events without building them (the same verdict as `observe`).
   */
  observeUnread?(t: number, index: number): readonly Violation[];
  readonly violations: readonly Violation[];
  readonly hasSafetyViolation: boolean;
  livenessInconclusive(endMs: number): boolean;
  reports(): CheckerReport[];
}

export interface CheckerReport {
  readonly name: string;
  readonly kind: CheckerKind;
  /** The first violation, or null when the property held. */
  readonly violation: Violation | null;
  /** What held, or why it was not required, when there is no violation. */
  readonly detail: string;
  /**
   * Set when a safety checker could neither establish its property nor find
   * a violation (the linearizability search hit its budget): shown as `?`,
   * never as held, and the run cannot PASS.
   */
  readonly inconclusive?: boolean;
}

/** Names of the checkers whose reports are inconclusive. */
export function inconclusiveCheckers(reports: readonly CheckerReport[]): string[] {
  return reports.filter((report) => report.violation === null && report.inconclusive === true).map((report) => report.name);
}
