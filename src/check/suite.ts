import type { AnyTraceEvent, TraceEvent } from '../sim/events.js';
import { AcceptorDisciplineChecker } from './acceptor-discipline.js';
import { AgreementChecker } from './agreement.js';
import { BallotUniquenessChecker } from './ballot-uniqueness.js';
import type { CheckContext, Checker, CheckerKind, CheckerReport, TraceChecks, Violation } from './checker.js';
import { ChosenLedger, type ChosenProposal } from './chosen.js';
import { IntegrityChecker } from './integrity.js';
import { LivenessChecker, type LivenessOptions } from './liveness.js';
import { ValidityChecker } from './validity.js';
import { mapPacked } from '../util/packed-array.js';

export type { CheckerReport };

export interface CheckerDescription {
  readonly name: string;
  readonly kind: CheckerKind;
  readonly summary: string;
}

export const CHECKERS: readonly CheckerDescription[] = [
  { name: 'agreement', kind: 'safety', summary: 'at most one value is chosen, and no two learners learn different values' },
  { name: 'validity', kind: 'safety', summary: 'only a proposed value can be chosen or learned' },
  { name: 'integrity', kind: 'safety', summary: 'a learner learns at most once, never changes its mind, and only learns a chosen value' },
  { name: 'acceptor-discipline', kind: 'safety', summary: 'an acceptor never accepts (or promises) below a ballot it promised, across crashes' },
  { name: 'ballot-uniqueness', kind: 'safety', summary: 'no two different values are accepted in one ballot (ballots are unique to a proposer and a value)' },
  { name: 'liveness', kind: 'liveness', summary: 'after the last fault, with a connected majority and a live proposer, every connected learner learns within expect.liveness.within' },
];

/** Positions of the suite's checkers in its list (and in `retired`): the order their violations are reported in. */
const AGREEMENT = 0;
const VALIDITY = 1;
const INTEGRITY = 2;
const ACCEPTOR_DISCIPLINE = 3;
const BALLOT_UNIQUENESS = 4;
const LIVENESS = 5;

/**
 * All checkers over one trace, fed incrementally: every event goes to the
 * shared chosen-ledger first, then to each checker. Each checker keeps only
 * its first violation.
 */
export class CheckerSuite implements TraceChecks {
  readonly ledger: ChosenLedger;
  private readonly checkers: Checker[];
  private readonly agreement = new AgreementChecker();
  private readonly validity = new ValidityChecker();
  private readonly integrity = new IntegrityChecker();
  private readonly acceptorDiscipline = new AcceptorDisciplineChecker();
  private readonly ballotUniqueness = new BallotUniquenessChecker();
  private readonly liveness: LivenessChecker | null;
  private readonly firstViolation = new Map<string, Violation>();
  /** By position: the checker found its violation and stopped looking. */
  private readonly retired: boolean[] = [false, false, false, false, false, false];

  constructor(context: CheckContext, liveness: LivenessOptions | undefined) {
    this.ledger = new ChosenLedger(context.quorumSize);
    this.liveness = liveness ? new LivenessChecker(context, liveness) : null;
    this.checkers = [this.agreement, this.validity, this.integrity, this.acceptorDiscipline, this.ballotUniqueness];
    if (this.liveness) this.checkers.push(this.liveness);
  }

  /**
   * Feeds one event; returns what it made chosen and any first violations it
   * caused. Each event type calls the checkers that read it (README, "Minimal
   * subset"), each from a call site of its own: one shared loop over the
   * checker list was a megamorphic call per checker and event, and the
   * largest share of a fuzz seed's checking.
   */
  observe(anyEvent: AnyTraceEvent, index: number): { derived: TraceEvent | null; violations: readonly Violation[] } {
    // This suite is only ever given single-decree Paxos traces.
    const event = anyEvent as TraceEvent;
    const retired = this.retired;
    const ledger = this.ledger;
    let found: Violation[] | null = null;
    // Only an acceptance can make a value chosen; the ledger sees it before the checkers.
    let chosen: ChosenProposal | null = null;
    // Each branch reads its event's fields itself: events of one type share a shape there, so the loads stay monomorphic.
    const liveness = this.liveness !== null && !retired[LIVENESS] ? this.liveness : null;
    let t: number;
    switch (event.type) {
      case 'accept':
        t = event.t;
        chosen = ledger.observe(event);
        if (!retired[AGREEMENT]) found = this.judged(AGREEMENT, this.agreement.observe(event, ledger), t, index, found);
        if (!retired[VALIDITY]) found = this.judged(VALIDITY, this.validity.observe(event, ledger), t, index, found);
        if (!retired[ACCEPTOR_DISCIPLINE]) found = this.judged(ACCEPTOR_DISCIPLINE, this.acceptorDiscipline.observe(event), t, index, found);
        if (!retired[BALLOT_UNIQUENESS]) found = this.judged(BALLOT_UNIQUENESS, this.ballotUniqueness.observe(event), t, index, found);
        if (liveness !== null) found = this.judged(LIVENESS, liveness.passTime(t), t, index, found);
        break;
      case 'learn':
        t = event.t;
        if (!retired[AGREEMENT]) found = this.judged(AGREEMENT, this.agreement.observe(event, ledger), t, index, found);
        if (!retired[VALIDITY]) found = this.judged(VALIDITY, this.validity.observe(event, ledger), t, index, found);
        if (!retired[INTEGRITY]) found = this.judged(INTEGRITY, this.integrity.observe(event, ledger), t, index, found);
        if (liveness !== null) found = this.judged(LIVENESS, liveness.onLearn(t, event.node, event.value), t, index, found);
        break;
      case 'promise':
        t = event.t;
        if (!retired[ACCEPTOR_DISCIPLINE]) found = this.judged(ACCEPTOR_DISCIPLINE, this.acceptorDiscipline.observe(event), t, index, found);
        if (liveness !== null) found = this.judged(LIVENESS, liveness.passTime(t), t, index, found);
        break;
      case 'propose':
        t = event.t;
        if (!retired[VALIDITY]) found = this.judged(VALIDITY, this.validity.observe(event, ledger), t, index, found);
        if (liveness !== null) found = this.judged(LIVENESS, liveness.onPropose(t, event.node), t, index, found);
        break;
      case 'adopt':
        t = event.t;
        if (liveness !== null) found = this.judged(LIVENESS, liveness.passTime(t), t, index, found);
        break;
      // Faults, read by liveness alone (a few per run).
      case 'crash':
      case 'restart':
      case 'pause':
      case 'resume':
      case 'partition':
      case 'cut':
      case 'heal':
        t = event.t;
        if (liveness !== null) found = this.judged(LIVENESS, liveness.observe(event), t, index, found);
        break;
      default:
        // Network traffic is most of a trace and no checker reads it; only the liveness deadline can pass during it.
        return this.liveness === null ? NOTHING_NEW : this.watchDeadline(event.t, index);
    }
    const derived: TraceEvent | null = chosen === null ? null : { t, type: 'chosen', value: chosen.value, ballot: chosen.ballot };
    if (found === null) return derived === null ? NOTHING_NEW : { derived, violations: NO_VIOLATIONS };
    return { derived, violations: found };
  }

  /** A checker's verdict on one event: a violation message is recorded as its first (and last) violation. */
  private judged(position: number, message: string | null, t: number, index: number, found: Violation[] | null): Violation[] | null {
    if (message === null) return found;
    const checker = this.checkers[position]!;
    const violation = { checker: checker.name, message, t, event: index };
    this.firstViolation.set(checker.name, violation);
    this.retired[position] = true;
    (found ??= []).push(violation);
    return found;
  }

  /** No checker here reads network events (see `observe`): at one, only the liveness deadline can pass. */
  observeUnread(t: number, index: number): readonly Violation[] {
    return this.liveness === null ? NO_VIOLATIONS : this.watchDeadline(t, index).violations;
  }

  private watchDeadline(t: number, index: number): { derived: null; violations: readonly Violation[] } {
    if (this.retired[LIVENESS]) return NOTHING_NEW;
    const message = this.liveness!.checkDeadline(t);
    if (message === null) return NOTHING_NEW;
    return { derived: null, violations: this.judged(LIVENESS, message, t, index, [])! };
  }

  /** End of the run: deadline-based checkers judge now. `lastIndex` is the index given to a violation found here. */
  finish(endMs: number, lastIndex: number): Violation[] {
    const found: Violation[] = [];
    for (let position = 0; position < this.checkers.length; position++) {
      if (this.retired[position]) continue;
      const result = this.checkers[position]!.finish(endMs);
      if (result !== null) this.judged(position, result.message, result.t, lastIndex, found);
    }
    return found;
  }

  get violations(): Violation[] {
    return [...this.firstViolation.values()].sort((a, b) => a.event - b.event);
  }

  get hasSafetyViolation(): boolean {
    return this.checkers.some((checker) => checker.kind === 'safety' && this.firstViolation.has(checker.name));
  }

  livenessInconclusive(endMs: number): boolean {
    return this.liveness !== null && !this.firstViolation.has('liveness') && this.liveness.isInconclusive(endMs);
  }

  reports(): CheckerReport[] {
    // Packed in every tier: the runner filters them every seed (see util/packed-array.ts).
    return mapPacked(this.checkers, (checker) => ({
      name: checker.name,
      kind: checker.kind,
      violation: this.firstViolation.get(checker.name) ?? null,
      detail: checker.describeHeld(),
    }));
  }
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);
const NOTHING_NEW = Object.freeze({ derived: null, violations: NO_VIOLATIONS });
