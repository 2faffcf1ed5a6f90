import type { NodeId } from '../protocols/effects.js';
import type { AnyTraceEvent } from '../sim/events.js';
import type { CheckerReport, TraceChecks, Violation } from './checker.js';

/**
 * A protocol's own safety property, checked after every event like the
 * built-in checkers (README, "Write your own protocol").
 */
export interface Invariant {
  readonly name: string;
  /** One line: what holds (shown in the verdict when nothing was violated). */
  readonly description: string;
  /**
   * A fresh monitor for one run: called with every event that is not network
   * traffic (observations, faults, `chosen`, `request-lost`), in trace order,
   * it returns a violation message or null. Network events are left out
   * because an untraced run (fuzzing) does not build them: a verdict must not
   * depend on tracing. Only the first violation is reported.
   */
  monitor(cluster: InvariantContext): (event: AnyTraceEvent) => string | null;
  /**
   * Optional: what shape of wrong a message of this invariant describes
   * (`threw in onTimer: Error: #`), which the shrinker keeps while values,
   * nodes and numbers change; without it a violation's kind is its checker.
   */
  violationShape?(message: string): string;
}

export interface InvariantContext {
  readonly nodes: readonly NodeId[];
}

/** Builds an invariant (a typed identity: it checks the shape at compile time). */
export function defineInvariant(invariant: Invariant): Invariant {
  return invariant;
}

/** Events an invariant never sees (see {@link Invariant.monitor}). */
const NETWORK_EVENT_TYPES: ReadonlySet<string> = new Set(['send', 'deliver', 'drop', 'duplicate', 'timer']);

interface Watched {
  readonly invariant: Invariant;
  readonly check: (event: AnyTraceEvent) => string | null;
  violation: Violation | null;
}

/** A protocol's checks with its invariants after them: the run layer sees one {@link TraceChecks}. */
export class InvariantChecks implements TraceChecks {
  private readonly watched: Watched[];

  constructor(
    private readonly base: TraceChecks,
    invariants: readonly Invariant[],
    cluster: InvariantContext,
  ) {
    this.watched = invariants.map((invariant) => ({ invariant, check: invariant.monitor(cluster), violation: null }));
  }

  observe(event: AnyTraceEvent, index: number): { derived: AnyTraceEvent | null; violations: readonly Violation[] } {
    const seen = this.base.observe(event, index);
    if (NETWORK_EVENT_TYPES.has(event.type)) return seen;
    const found = [...seen.violations, ...this.judge(event, index)];
    // The derived event (`chosen`) is the next trace line: invariants see it too.
    if (seen.derived !== null) found.push(...this.judge(seen.derived, index + 1));
    return { derived: seen.derived, violations: found };
  }

  private judge(event: AnyTraceEvent, index: number): Violation[] {
    const found: Violation[] = [];
    for (const watched of this.watched) {
      if (watched.violation !== null) continue;
      const message = watched.check(event);
      if (message === null) continue;
      watched.violation = { checker: watched.invariant.name, message, t: event.t, event: index };
      found.push(watched.violation);
    }
    return found;
  }

  finish(endMs: number, lastIndex: number): readonly Violation[] {
    return this.base.finish(endMs, lastIndex);
  }

  judgeSoFar(lastT: number, lastIndex: number): readonly Violation[] {
    return this.base.judgeSoFar?.(lastT, lastIndex) ?? [];
  }

  get violations(): readonly Violation[] {
    const own = this.watched.flatMap((watched) => (watched.violation === null ? [] : [watched.violation]));
    return [...this.base.violations, ...own].sort((a, b) => a.event - b.event);
  }

  get hasSafetyViolation(): boolean {
    return this.base.hasSafetyViolation || this.watched.some((watched) => watched.violation !== null);
  }

  livenessInconclusive(endMs: number): boolean {
    return this.base.livenessInconclusive(endMs);
  }

  reports(): CheckerReport[] {
    return [
      ...this.base.reports(),
      ...this.watched.map((watched) => ({ name: watched.invariant.name, kind: 'safety' as const, violation: watched.violation, detail: watched.invariant.description })),
    ];
  }
}

const NOTHING: { derived: null; violations: readonly Violation[] } = Object.freeze({ derived: null, violations: Object.freeze([]) });

/** No built-in checker applies: a protocol judged by its own invariants alone. */
export const NO_CHECKS: TraceChecks = Object.freeze({
  observe: () => NOTHING,
  finish: () => [],
  violations: [],
  hasSafetyViolation: false,
  livenessInconclusive: () => false,
  reports: () => [],
});
