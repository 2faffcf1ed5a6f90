import type { AnyTraceEvent, TraceEvent } from '../sim/events.js';
import { AcceptorDisciplineChecker } from './acceptor-discipline.js';
import { AgreementChecker } from './agreement.js';
import { BallotUniquenessChecker } from './ballot-uniqueness.js';
import type { CheckContext, Checker, CheckerKind, CheckerReport, TraceChecks, Violation } from './checker.js';
import { ChosenLedger } from './chosen.js';
import { IntegrityChecker } from './integrity.js';
import { LivenessChecker, type LivenessOptions } from './liveness.js';
import { ValidityChecker } from './validity.js';

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

/**
 * All checkers over one trace, fed incrementally: every event goes to the
 * shared chosen-ledger first, then to each checker. Each checker keeps only
 * its first violation.
 */
export class CheckerSuite implements TraceChecks {
  readonly ledger: ChosenLedger;
  private readonly checkers: Checker[];
  private readonly liveness: LivenessChecker | null;
  private readonly firstViolation = new Map<string, Violation>();
  /** Checkers still looking: each stops at its first violation. */
  private active: Checker[];
  /** Per checked event type, the positions in `checkers` of the active ones that read it, in suite order (most read one or two types: no call for the rest). */
  private readers: ReadonlyMap<string, readonly number[]>;

  constructor(context: CheckContext, liveness: LivenessOptions | undefined) {
    this.ledger = new ChosenLedger(context.quorumSize);
    this.liveness = liveness ? new LivenessChecker(context, liveness) : null;
    this.checkers = [new AgreementChecker(), new ValidityChecker(), new IntegrityChecker(), new AcceptorDisciplineChecker(), new BallotUniquenessChecker()];
    if (this.liveness) this.checkers.push(this.liveness);
    this.active = [...this.checkers];
    this.readers = readersByType(this.checkers, this.active);
  }

  /** Feeds one event; returns what it made chosen and any first violations it caused. */
  observe(anyEvent: AnyTraceEvent, index: number): { derived: TraceEvent | null; violations: readonly Violation[] } {
    // This suite is only ever given single-decree Paxos traces.
    const event = anyEvent as TraceEvent;
    // Network traffic is most of a trace and no checker reads it; only the liveness deadline can pass during it.
    const readers = this.readers.get(event.type);
    if (readers === undefined) return this.liveness === null ? NOTHING_NEW : this.watchDeadline(event.t, index);
    const chosen = this.ledger.observe(event);
    const derived: TraceEvent | null = chosen === null ? null : { t: event.t, type: 'chosen', value: chosen.value, ballot: chosen.ballot };
    let violations: Violation[] | null = null;
    for (let position = 0; position < readers.length; position++) {
      const checker = this.checkers[readers[position]!]!;
      const message = checker.observe(event, this.ledger);
      if (message === null) continue;
      const violation = { checker: checker.name, message, t: event.t, event: index };
      this.firstViolation.set(checker.name, violation);
      (violations ??= []).push(violation);
    }
    if (violations === null) return derived === null ? NOTHING_NEW : { derived, violations: NO_VIOLATIONS };
    this.retire();
    return { derived, violations };
  }

  /** No checker here reads network events (CHECKED_EVENT_TYPES): at one, only the liveness deadline can pass. */
  observeUnread(t: number, index: number): readonly Violation[] {
    return this.liveness === null ? NO_VIOLATIONS : this.watchDeadline(t, index).violations;
  }

  private watchDeadline(t: number, index: number): { derived: null; violations: readonly Violation[] } {
    const liveness = this.liveness!;
    if (this.firstViolation.has(liveness.name)) return NOTHING_NEW;
    const message = liveness.checkDeadline(t);
    if (message === null) return NOTHING_NEW;
    const violation = { checker: liveness.name, message, t, event: index };
    this.firstViolation.set(liveness.name, violation);
    this.retire();
    return { derived: null, violations: [violation] };
  }

  /** Checkers that found their violation stop looking. */
  private retire(): void {
    this.active = this.active.filter((checker) => !this.firstViolation.has(checker.name));
    this.readers = readersByType(this.checkers, this.active);
  }

  /** End of the run: deadline-based checkers judge now. `lastIndex` is the index given to a violation found here. */
  finish(endMs: number, lastIndex: number): Violation[] {
    const found: Violation[] = [];
    for (const checker of this.checkers) {
      if (this.firstViolation.has(checker.name)) continue;
      const result = checker.finish(endMs);
      if (result === null) continue;
      const violation = { checker: checker.name, message: result.message, t: result.t, event: lastIndex };
      this.firstViolation.set(checker.name, violation);
      found.push(violation);
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
    return this.checkers.map((checker) => ({
      name: checker.name,
      kind: checker.kind,
      violation: this.firstViolation.get(checker.name) ?? null,
      detail: checker.describeHeld(),
    }));
  }
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);
const NOTHING_NEW = Object.freeze({ derived: null, violations: NO_VIOLATIONS });

/** Protocol observations and faults: the only events checkers read (README, "Minimal subset"). */
const CHECKED_EVENT_TYPES: readonly string[] = [
  'propose',
  'adopt',
  'promise',
  'accept',
  'learn',
  'crash',
  'restart',
  'pause',
  'resume',
  'partition',
  'cut',
  'heal',
];

/** The event types each of the suite's checkers reads (it returns null and changes nothing for the others); liveness reads every checked type. */
const TYPES_READ: Readonly<Record<string, readonly string[]>> = {
  agreement: ['accept', 'learn'],
  validity: ['propose', 'accept', 'learn'],
  integrity: ['learn'],
  'acceptor-discipline': ['promise', 'accept'],
  'ballot-uniqueness': ['accept'],
};

/** Every suite starts with one of two checker lists (with liveness or without): their tables, built once, by the checkers' names. */
const initialReaders: { names: readonly string[]; readers: ReadonlyMap<string, readonly number[]> }[] = [];

function readersByType(checkers: readonly Checker[], active: readonly Checker[]): ReadonlyMap<string, readonly number[]> {
  const allActive = active.length === checkers.length;
  const cached = allActive ? initialReaders.find((known) => known.names.length === checkers.length && known.names.every((name, position) => checkers[position]!.name === name)) : undefined;
  if (cached !== undefined) return cached.readers;
  const readers = new Map<string, number[]>();
  for (const type of CHECKED_EVENT_TYPES) {
    const positions: number[] = [];
    checkers.forEach((checker, position) => {
      const types = TYPES_READ[checker.name];
      if (active.includes(checker) && (types === undefined || types.includes(type))) positions.push(position);
    });
    readers.set(type, positions);
  }
  if (allActive) initialReaders.push({ names: checkers.map((checker) => checker.name), readers });
  return readers;
}
