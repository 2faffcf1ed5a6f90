import { formatBallot } from '../protocols/paxos/ballot.js';
import type { Value } from '../protocols/paxos/messages.js';
import type { NodeId } from '../scenario/scenario.js';
import type { TraceEvent } from '../sim/events.js';
import type { Checker } from './checker.js';
import type { ChosenLedger } from './chosen.js';

/** At most one value is ever chosen, and no two learners learn different values. */
export class AgreementChecker implements Checker {
  readonly name = 'agreement';
  readonly kind = 'safety';
  private chosenSeen = 0;
  private firstLearned: { node: NodeId; value: Value; t: number } | null = null;

  observe(event: TraceEvent, ledger: ChosenLedger): string | null {
    if (event.type === 'accept') return this.checkChosen(ledger);
    if (event.type !== 'learn') return null;
    if (this.firstLearned === null) {
      this.firstLearned = { node: event.node, value: event.value, t: event.t };
      return null;
    }
    if (event.value === this.firstLearned.value) return null;
    const first = this.firstLearned;
    return `${event.node} learned "${event.value}" but ${first.node} learned "${first.value}" at t=${first.t}`;
  }

  finish(): null {
    return null;
  }

  describeHeld(): string {
    return 'at most one value chosen; all learners agree';
  }

  private checkChosen(ledger: ChosenLedger): string | null {
    const chosen = ledger.chosen;
    if (chosen.length === this.chosenSeen) return null;
    this.chosenSeen = chosen.length;
    const first = chosen[0]!;
    const latest = chosen[chosen.length - 1]!;
    if (latest.value === first.value) return null;
    return `two values chosen: "${first.value}" in ballot ${formatBallot(first.ballot)} at t=${first.t}, then "${latest.value}" in ballot ${formatBallot(latest.ballot)}`;
  }
}
