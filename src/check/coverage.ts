import { compareBallots, type Ballot } from '../protocols/paxos/ballot.js';
import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent, TraceEvent } from '../sim/events.js';
import type { TrafficCounts } from '../sim/simulation.js';

/**
 * The situations that expose Paxos bugs. A fuzzer that never reaches them is
 * not testing Paxos, so `paxsim fuzz` reports how often each happened.
 */
export const COVERAGE_SITUATIONS = {
  adopted: 'a proposer adopted a previously accepted value',
  refusedLower: 'an acceptor refused a lower ballot (NACK)',
  crashBetweenPromiseAndAccept: 'an acceptor crashed after promising a ballot it had not accepted yet',
  duel: 'two proposers ran ballots before anything was chosen',
  decidedAfterHeal: 'the first decision came only after a heal',
  deliveredTwice: 'a message was delivered twice',
} as const;

export type CoverageSituation = keyof typeof COVERAGE_SITUATIONS;

export const COVERAGE_KEYS = Object.keys(COVERAGE_SITUATIONS) as CoverageSituation[];

/** Watches one run's events (and, at its end, its traffic counts) and notes which situations occurred. */
export class CoverageTracker {
  private readonly reached = new Set<CoverageSituation>();
  private readonly promised = new Map<NodeId, Ballot>();
  private readonly accepted = new Map<NodeId, Ballot>();
  private readonly proposersBeforeChoice = new Set<NodeId>();
  private healed = false;
  private chosen = false;

  observe(anyEvent: AnyTraceEvent): void {
    // Single-decree Paxos situations; other protocols' events pass through unmatched.
    const event = anyEvent as TraceEvent;
    switch (event.type) {
      case 'adopt':
        this.reached.add('adopted');
        return;
      case 'promise':
        this.promised.set(event.node, event.ballot);
        return;
      case 'accept':
        this.accepted.set(event.node, event.ballot);
        return;
      case 'crash': {
        const promised = this.promised.get(event.node);
        const accepted = this.accepted.get(event.node);
        if (promised !== undefined && (accepted === undefined || compareBallots(accepted, promised) < 0)) this.reached.add('crashBetweenPromiseAndAccept');
        return;
      }
      case 'propose':
        if (this.chosen) return;
        this.proposersBeforeChoice.add(event.node);
        if (this.proposersBeforeChoice.size >= 2) this.reached.add('duel');
        return;
      case 'heal':
        this.healed = true;
        return;
      case 'chosen':
        if (!this.chosen && this.healed) this.reached.add('decidedAfterHeal');
        this.chosen = true;
        return;
      default:
        return;
    }
  }

  /** The network's own counts: refusals are NACK messages, and second copies that arrived. */
  observeTraffic(traffic: TrafficCounts): void {
    if ((traffic.sentByType['nack'] ?? 0) > 0) this.reached.add('refusedLower');
    if (traffic.duplicateDeliveries > 0) this.reached.add('deliveredTwice');
  }

  situations(): CoverageSituation[] {
    return COVERAGE_KEYS.filter((key) => this.reached.has(key));
  }
}
