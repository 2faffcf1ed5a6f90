import type { Value } from '../protocols/paxos/messages.js';
import type { NodeId } from '../scenario/scenario.js';
import type { TraceEvent } from '../sim/events.js';
import type { Checker } from './checker.js';
import type { ChosenLedger } from './chosen.js';

/** A learner learns at most once, never changes its mind, and only learns a chosen value. */
export class IntegrityChecker implements Checker {
  readonly name = 'integrity';
  readonly kind = 'safety';
  private readonly learned = new Map<NodeId, { value: Value; t: number }>();

  observe(event: TraceEvent, ledger: ChosenLedger): string | null {
    if (event.type !== 'learn') return null;
    const earlier = this.learned.get(event.node);
    if (earlier !== undefined) {
      return earlier.value === event.value
        ? `${event.node} learned "${event.value}" a second time (first at t=${earlier.t})`
        : `${event.node} changed its mind: learned "${event.value}" after learning "${earlier.value}" at t=${earlier.t}`;
    }
    this.learned.set(event.node, { value: event.value, t: event.t });
    if (!ledger.isChosen(event.value)) {
      return `${event.node} learned "${event.value}", which no majority of acceptors accepted in one ballot`;
    }
    return null;
  }

  finish(): null {
    return null;
  }

  describeHeld(): string {
    return 'each learner learned at most once, and only a chosen value';
  }
}
