import type { Value } from '../protocols/paxos/messages.js';
import type { TraceEvent } from '../sim/events.js';
import type { Checker } from './checker.js';
import type { ChosenLedger } from './chosen.js';

/** Only a value some proposer proposed can be chosen or learned. */
export class ValidityChecker implements Checker {
  readonly name = 'validity';
  readonly kind = 'safety';
  private readonly proposed = new Set<Value>();
  private chosenSeen = 0;

  observe(event: TraceEvent, ledger: ChosenLedger): string | null {
    switch (event.type) {
      case 'propose':
        this.proposed.add(event.value);
        return null;
      case 'accept': {
        const chosen = ledger.chosen;
        if (chosen.length === this.chosenSeen) return null;
        this.chosenSeen = chosen.length;
        const latest = chosen[chosen.length - 1]!;
        return this.proposed.has(latest.value) ? null : `"${latest.value}" was chosen but never proposed`;
      }
      case 'learn':
        return this.proposed.has(event.value) ? null : `${event.node} learned "${event.value}", which was never proposed`;
      default:
        return null;
    }
  }

  finish(): null {
    return null;
  }

  describeHeld(): string {
    return 'only proposed values chosen or learned';
  }
}
