import { compareBallots, formatBallot, type Ballot } from '../protocols/paxos/ballot.js';
import type { NodeId } from '../scenario/scenario.js';
import type { TraceEvent } from '../sim/events.js';
import type { Checker } from './checker.js';

/**
 * An acceptor never accepts a ballot lower than one it promised, and its
 * promises only go up, across crashes too: what it promised before a crash
 * still binds it after.
 */
export class AcceptorDisciplineChecker implements Checker {
  readonly name = 'acceptor-discipline';
  readonly kind = 'safety';
  private readonly highestPromised = new Map<NodeId, Ballot>();

  observe(event: TraceEvent): string | null {
    if (event.type !== 'promise' && event.type !== 'accept') return null;
    const promised = this.highestPromised.get(event.node);
    if (promised !== undefined && compareBallots(event.ballot, promised) < 0) {
      const action = event.type === 'accept' ? `accepted "${event.value}" in ballot` : 'promised ballot';
      return `${event.node} ${action} ${formatBallot(event.ballot)} after promising ${formatBallot(promised)}`;
    }
    if (promised === undefined || compareBallots(event.ballot, promised) > 0) this.highestPromised.set(event.node, event.ballot);
    return null;
  }

  finish(): null {
    return null;
  }

  describeHeld(): string {
    return 'no acceptor went below its promise';
  }
}
