import type { Value } from '../protocols/paxos/messages.js';
import type { NodeId } from '../scenario/scenario.js';
import type { TraceEvent } from '../sim/events.js';
import { ClusterView } from './cluster-view.js';
import type { CheckContext, Checker } from './checker.js';
import { plural } from '../util/plural.js';
import { filterPacked } from '../util/packed-array.js';

export interface LivenessOptions {
  readonly withinMs: number;
  /** Time of the last scheduled fault: before it, faults may still be coming. */
  readonly quietFromMs: number;
}

/**
 * Once the last fault is behind us and a majority of acceptors, the learners
 * and a proposer that still has a value to propose are up and connected,
 * every live learner in that connected part learns within `withinMs`.
 * Learners cut off for good are not held to it.
 */
export class LivenessChecker implements Checker {
  readonly name = 'liveness';
  readonly kind = 'liveness';
  private readonly cluster: ClusterView;
  private readonly proposing = new Set<NodeId>();
  private readonly learned = new Map<NodeId, { value: Value; t: number }>();
  private stableSinceMs: number | null = null;
  private requiredLearners: NodeId[] = [];
  private reported = false;
  /** The deadline passed with every required learner learned in time: nothing left to judge. */
  private metDeadline = false;
  private lastChangeMs = 0;
  /** Set when the cluster state changed (or nothing was judged yet) since stability was last evaluated. */
  private needsEvaluation = true;

  constructor(
    private readonly context: CheckContext,
    private readonly options: LivenessOptions,
  ) {
    this.cluster = new ClusterView(context.nodes);
  }

  get deadlineMs(): number | null {
    return this.stableSinceMs === null ? null : this.stableSinceMs + this.options.withinMs;
  }

  /** For events that change nothing here: has the deadline passed with a learner still missing? */
  checkDeadline(nowMs: number): string | null {
    return this.overdueMessage(nowMs);
  }

  observe(event: TraceEvent): string | null {
    switch (event.type) {
      case 'propose':
        return this.onPropose(event.t, event.node);
      case 'learn':
        return this.onLearn(event.t, event.node, event.value);
      default: {
        const overdue = this.passTime(event.t);
        if (overdue !== null) return overdue;
        if (this.trackFault(event)) this.changedAt(event.t);
        return null;
      }
    }
  }

  /*
   * `observe` by event, with the fields it reads: the suite calls these from
   * its branch for each event type, where every event has the same shape.
   * Reading them through `observe` from a run's dozen event shapes was a
   * megamorphic property load each, the most costly part of the checkers.
   */

  /** An event that changes nothing tracked here (a promise, an acceptance, an adoption): only the deadline can pass, and stability be judged. */
  passTime(t: number): string | null {
    const overdue = this.overdueMessage(t);
    if (overdue !== null) return overdue;
    // Judge the state as of the end of an instant: faults at the same time as a heal all count.
    if (this.needsEvaluation && t > this.lastChangeMs && t > this.options.quietFromMs) this.evaluateStability();
    return null;
  }

  /** A proposer was asked for a value: it has something to drive until it crashes. */
  onPropose(t: number, node: NodeId): string | null {
    const overdue = this.passTime(t);
    if (overdue !== null) return overdue;
    this.proposing.add(node);
    this.changedAt(t);
    return null;
  }

  onLearn(t: number, node: NodeId, value: Value): string | null {
    const overdue = this.passTime(t);
    if (overdue !== null) return overdue;
    if (!this.learned.has(node)) this.learned.set(node, { value, t });
    return null;
  }

  finish(endMs: number): { message: string; t: number } | null {
    if (this.needsEvaluation && endMs >= this.options.quietFromMs) this.evaluateStability();
    const deadline = this.deadlineMs;
    if (this.reported || deadline === null || endMs < deadline) return null;
    const message = this.overdueMessage(Math.max(endMs, deadline + 1));
    return message === null ? null : { message, t: deadline };
  }

  describeHeld(): string {
    const deadline = this.deadlineMs;
    if (this.stableSinceMs === null || deadline === null) {
      return 'not required: no connected majority of acceptors with a live proposer after the last fault';
    }
    if (this.missingLearners().length > 0) {
      return `inconclusive: the run ended before the deadline t=${deadline} (stable since t=${this.stableSinceMs})`;
    }
    if (this.requiredLearners.length === 0) return `no learner is connected to the deciding majority (stable since t=${this.stableSinceMs})`;
    const lastLearnedMs = Math.max(...this.requiredLearners.map((node) => this.learned.get(node)!.t));
    return `${plural(this.requiredLearners.length, 'connected learner')} learned by t=${lastLearnedMs} (stable since t=${this.stableSinceMs}, deadline t=${deadline})`;
  }

  /** True when the run ended before the deadline, so liveness could not be judged. */
  isInconclusive(endMs: number): boolean {
    const deadline = this.deadlineMs;
    return deadline !== null && endMs < deadline && this.missingLearners().length > 0;
  }

  private overdueMessage(nowMs: number): string | null {
    const deadline = this.deadlineMs;
    if (this.reported || this.metDeadline || deadline === null || nowMs <= deadline) return null;
    const missing = this.missingLearners();
    if (missing.length === 0) {
      // Past the deadline with every required learner in time: the deadline, the learners and their first learn times are fixed now, so later events need not ask again.
      this.metDeadline = true;
      return null;
    }
    this.reported = true;
    return `${missing.join(', ')} had not learned a value by t=${deadline}, ${this.options.withinMs} ms after the cluster became stable at t=${this.stableSinceMs}`;
  }

  private missingLearners(): NodeId[] {
    // Packed in every tier: its callers' optimized code read `filter`'s holey results, then deopted on packed ones (see util/packed-array.ts).
    return filterPacked(this.requiredLearners, (node) => {
      const learned = this.learned.get(node);
      return learned === undefined || (this.deadlineMs !== null && learned.t > this.deadlineMs);
    });
  }

  /** Updates the tracked cluster state from any other event; true when it could change stability. */
  private trackFault(event: TraceEvent): boolean {
    // A crash wipes the value a proposer was asked to propose; a pause does not.
    if (event.type === 'crash') this.proposing.delete(event.node);
    return this.cluster.track(event);
  }

  private changedAt(t: number): void {
    this.lastChangeMs = t;
    this.needsEvaluation = true;
  }

  /** Stable from the later of the last fault and the last change, if a connected part can decide now. */
  private evaluateStability(): void {
    this.needsEvaluation = false;
    if (this.stableSinceMs !== null) return;
    const majority = Math.floor(this.context.acceptors.length / 2) + 1;
    for (const component of this.cluster.connectedComponents()) {
      // A component is a handful of nodes: `includes` beats building a Set per component at every evaluation.
      // Counted, not filtered: no array per component, and none whose elements kind changes once this is optimized (see util/packed-array.ts).
      let acceptors = 0;
      for (const node of this.context.acceptors) if (component.includes(node)) acceptors += 1;
      const hasProposer = component.some((node) => this.proposing.has(node));
      if (acceptors >= majority && hasProposer) {
        this.stableSinceMs = Math.max(this.options.quietFromMs, this.lastChangeMs);
        // Packed in every tier: `missingLearners` reads it (see util/packed-array.ts).
        this.requiredLearners = filterPacked(this.context.learners, (node) => component.includes(node));
        return;
      }
    }
  }
}
