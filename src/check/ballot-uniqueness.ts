import { formatBallot, LastBallotKey, type Ballot } from '../protocols/paxos/ballot.js';
import type { NodeId } from '../scenario/scenario.js';
import type { TraceEvent } from '../sim/events.js';
import type { Checker } from './checker.js';

/** The first acceptance seen in one ballot (of one slot, for Multi-Paxos). */
export interface FirstAcceptance {
  readonly node: NodeId;
  /** What was accepted: a value, or a Multi-Paxos command's identity. */
  readonly key: string;
  readonly description: string;
  readonly t: number;
}

/**
 * What one ballot accepted, by ballot: Paxos's invariant that a ballot
 * proposes one value (one proposer owns it and sends one value per ballot).
 * Two values accepted in one ballot break it even before they are chosen or
 * learned, so this catches non-unique ballots the moment the second value is
 * accepted. Shared by the single-decree checker and the Multi-Paxos checks
 * (one ledger per slot there).
 */
export class BallotLedger {
  private readonly firstByBallot = new Map<string, FirstAcceptance>();
  private readonly ballotKeys = new LastBallotKey();

  /** Records an acceptance; the earlier acceptance of another value in the same ballot, or null. */
  accept(ballot: Ballot, acceptance: FirstAcceptance): FirstAcceptance | null {
    const ballotId = this.ballotKeys.of(ballot);
    const first = this.firstByBallot.get(ballotId);
    if (first === undefined) {
      this.firstByBallot.set(ballotId, acceptance);
      return null;
    }
    return first.key === acceptance.key ? null : first;
  }

  /** The first acceptance recorded in this ballot, if any (a caller can skip building an acceptance that only repeats it). */
  firstIn(ballot: Ballot): FirstAcceptance | undefined {
    return this.firstByBallot.get(this.ballotKeys.of(ballot));
  }
}

/** `B accepted "Y" in ballot (3,A), but A accepted "X" in that ballot at t=12`. */
export function describeSecondValue(ballot: Ballot, second: FirstAcceptance, first: FirstAcceptance, where = ''): string {
  return `${second.node} accepted ${second.description} in ballot ${formatBallot(ballot)}${where}, but ${first.node} accepted ${first.description} in that ballot at t=${first.t}: a ballot must carry one value`;
}

/** Single-decree Paxos: every acceptance in one ballot is of one value. */
export class BallotUniquenessChecker implements Checker {
  readonly name = 'ballot-uniqueness';
  readonly kind = 'safety';
  private readonly ledger = new BallotLedger();

  observe(event: TraceEvent): string | null {
    if (event.type !== 'accept') return null;
    // Most acceptances repeat their ballot's first value: nothing to build or record for them.
    if (this.ledger.firstIn(event.ballot)?.key === event.value) return null;
    const acceptance = new ValueAcceptance(event.node, event.value, event.t);
    const first = this.ledger.accept(event.ballot, acceptance);
    return first === null ? null : describeSecondValue(event.ballot, acceptance, first);
  }

  finish(): null {
    return null;
  }

  describeHeld(): string {
    return 'each ballot carried one value';
  }
}

/** A single-decree acceptance: its description is only written when a violation quotes it (almost never), not per acceptance. */
class ValueAcceptance implements FirstAcceptance {
  constructor(
    readonly node: NodeId,
    readonly key: string,
    readonly t: number,
  ) {}

  get description(): string {
    return `"${this.key}"`;
  }
}
