import type { Ballot } from '../protocols/paxos/ballot.js';
import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent, TraceEvent } from '../sim/events.js';
import { AcceptorDisciplineChecker } from './acceptor-discipline.js';
import type { Checker, CheckerKind, CheckerReport, TraceChecks, Violation } from './checker.js';
import { ChosenLedger } from './chosen.js';
import { IntegrityChecker } from './integrity.js';
import { commandKey } from './multipaxos-checks.js';
import { ValidityChecker } from './validity.js';

export const SLOT_DISCIPLINE_CHECKERS: readonly { name: string; kind: CheckerKind; summary: string }[] = [
  { name: 'validity', kind: 'safety', summary: 'in each slot, only a command proposed for that slot is chosen or learned' },
  { name: 'integrity', kind: 'safety', summary: 'in each slot, a learner learns at most once, and only the chosen command' },
  { name: 'acceptor-discipline', kind: 'safety', summary: 'an acceptor never accepts (or promises) below a ballot it promised, in any slot, across crashes' },
];

/** The per-slot events this family reads, as a user protocol observes them. */
type SlotEvent =
  | { t: number; type: 'propose'; node: NodeId; slot: number; command: unknown; ballot?: Ballot }
  | { t: number; type: 'promise'; node: NodeId; ballot: Ballot }
  | { t: number; type: 'accept'; node: NodeId; slot: number; ballot: Ballot; command: unknown }
  | { t: number; type: 'learn'; node: NodeId; slot: number; command: unknown };

interface SlotJudges {
  readonly ledger: ChosenLedger;
  readonly checkers: readonly Checker[];
}

const NO_BALLOT: Ballot = [0, ''];

/**
 * Single-decree Paxos's validity, integrity and acceptor discipline, judged
 * per slot of a log: the `multi-decree` checker family's share beyond slot
 * agreement. It reuses the single-decree checkers themselves: each slot gets
 * its own chosen-ledger, validity and integrity checker, fed that slot's
 * events with the command's identity as the value; acceptor discipline is one
 * checker over every slot, since a promise (`promise {ballot}`, phase 1 for
 * the whole log) binds an acceptor in every slot.
 */
export class SlotDisciplineChecks implements TraceChecks {
  private readonly slots = new Map<number, SlotJudges>();
  /** Reads promises and accepts alone: no ledger. */
  private readonly acceptorDiscipline = new AcceptorDisciplineChecker();
  private readonly firstViolation = new Map<string, Violation>();

  constructor(private readonly quorumSize: number) {}

  observe(anyEvent: AnyTraceEvent, index: number): { derived: null; violations: readonly Violation[] } {
    const event = anyEvent as SlotEvent | AnyTraceEvent;
    if (event.type !== 'propose' && event.type !== 'promise' && event.type !== 'accept' && event.type !== 'learn') return NOTHING;
    const found: Violation[] = [];
    const report = (checker: Checker, message: string | null, where: string) => {
      if (message === null || this.firstViolation.has(checker.name)) return;
      const violation = { checker: checker.name, message: `${where}${quotedOnce(message)}`, t: event.t, event: index };
      this.firstViolation.set(checker.name, violation);
      found.push(violation);
    };
    const projected = projection(event as SlotEvent);
    if (event.type === 'promise' || event.type === 'accept') {
      const where = event.type === 'accept' ? `slot ${(event as SlotEvent & { slot: number }).slot}: ` : '';
      report(this.acceptorDiscipline, this.acceptorDiscipline.observe(projected), where);
    }
    if (event.type !== 'promise') {
      const slot = (event as SlotEvent & { slot: number }).slot;
      const judges = this.judgesOf(slot);
      judges.ledger.observe(projected);
      for (const checker of judges.checkers) report(checker, checker.observe(projected, judges.ledger), `slot ${slot}: `);
    }
    return found.length === 0 ? NOTHING : { derived: null, violations: found };
  }

  finish(): readonly Violation[] {
    return [];
  }

  get violations(): readonly Violation[] {
    return [...this.firstViolation.values()].sort((a, b) => a.event - b.event);
  }

  get hasSafetyViolation(): boolean {
    return this.firstViolation.size > 0;
  }

  livenessInconclusive(): boolean {
    return false;
  }

  reports(): CheckerReport[] {
    return SLOT_DISCIPLINE_CHECKERS.map((checker) => ({ name: checker.name, kind: checker.kind, violation: this.firstViolation.get(checker.name) ?? null, detail: checker.summary }));
  }

  private judgesOf(slot: number): SlotJudges {
    let judges = this.slots.get(slot);
    if (judges === undefined) {
      judges = { ledger: new ChosenLedger(this.quorumSize), checkers: [new ValidityChecker(), new IntegrityChecker()] };
      this.slots.set(slot, judges);
    }
    return judges;
  }
}

/**
 * The single-decree checkers quote a value (`"x"`); here a value is a
 * command's key, which for a user's command is its JSON, quoted already:
 * `""x""` reads as one quote pair again.
 */
function quotedOnce(message: string): string {
  return message.replace(/""((?:[^"\\]|\\.)*)""/g, '"$1"');
}

/** A per-slot event as the single-decree checkers read it: the command's identity is the value. */
function projection(event: SlotEvent): TraceEvent {
  switch (event.type) {
    case 'propose':
      return { t: event.t, type: 'propose', node: event.node, value: commandKey(event.command as never), ballot: event.ballot ?? NO_BALLOT };
    case 'promise':
      return { t: event.t, type: 'promise', node: event.node, ballot: event.ballot };
    case 'accept':
      return { t: event.t, type: 'accept', node: event.node, ballot: event.ballot, value: commandKey(event.command as never) };
    case 'learn':
      return { t: event.t, type: 'learn', node: event.node, value: commandKey(event.command as never) };
  }
}

const NOTHING: { derived: null; violations: readonly Violation[] } = Object.freeze({ derived: null, violations: Object.freeze([]) });
