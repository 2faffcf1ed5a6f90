import { ballotKey, compareBallots, type Ballot } from '../protocols/paxos/ballot.js';
import { isNoop } from '../protocols/multipaxos/messages.js';
import type { NodeId, ProtocolName } from '../scenario/scenario.js';
import type { AnyTraceEvent, MultiPaxosTraceEvent, TraceEvent } from '../sim/events.js';
import type { TrafficCounts } from '../sim/simulation.js';

/**
 * The situations that expose a protocol's bugs. A fuzzer that never reaches
 * them is not testing the protocol, so `paxsim fuzz` reports how often each
 * happened across the seeds.
 */
export interface CoverageTracker {
  observe(event: AnyTraceEvent): void;
  /** The network's own counts, at the end of the run. */
  observeTraffic(traffic: TrafficCounts): void;
  /** The situations reached, as indexes into the catalogue's keys. */
  reached(): number;
}

export interface CoverageCatalogue {
  readonly keys: readonly string[];
  readonly descriptions: Readonly<Record<string, string>>;
  tracker(): CoverageTracker;
}

export const PAXOS_COVERAGE = {
  adopted: 'a proposer adopted a previously accepted value',
  refusedLower: 'an acceptor refused a lower ballot (NACK)',
  crashBetweenPromiseAndAccept: 'an acceptor crashed after promising a ballot it had not accepted yet',
  duel: 'two proposers ran ballots before anything was chosen',
  decidedAfterHeal: 'the first decision came only after a heal',
  deliveredTwice: 'a message was delivered twice',
  requestAtRestarted: 'a request reached a proposer after it crashed and restarted',
  twoValuesByOneNode: 'one proposer proposed two different values',
} as const;

export const MULTIPAXOS_COVERAGE = {
  leaderChanged: 'a second leader was elected',
  reproposed: 'a new leader re-proposed a slot accepted under an earlier ballot',
  noopFilled: 'a gap in the log was filled with a no-op',
  deduplicated: 'a retried request was recognized and not applied again',
  redirected: 'a replica redirected a client to the leader',
  clientGaveUp: 'a client gave up on an operation (outcome unknown)',
  deliveredTwice: 'a message was delivered twice',
} as const;

export const RAFT_COVERAGE = {
  leaderChanged: 'a second leader was elected',
  splitVote: 'two candidates campaigned in one term',
  truncated: 'a server truncated conflicting entries from its log',
  reappliedAfterRestart: 'a restarted server applied its log again',
  deduplicated: 'a retried request was recognized and not applied again',
  redirected: 'a server redirected a client to the leader',
  clientGaveUp: 'a client gave up on an operation (outcome unknown)',
  deliveredTwice: 'a message was delivered twice',
} as const;

export function coverageFor(protocol: ProtocolName): CoverageCatalogue {
  if (protocol === 'raft') return catalogue(RAFT_COVERAGE, () => new RaftCoverage());
  if (protocol === 'multipaxos' || protocol === 'cheap-paxos') return catalogue(MULTIPAXOS_COVERAGE, () => new MultiPaxosCoverage());
  return catalogue(PAXOS_COVERAGE, () => new PaxosCoverage());
}

function catalogue<K extends string>(descriptions: Readonly<Record<K, string>>, create: () => SituationTracker<K>): CoverageCatalogue {
  const keys = Object.keys(descriptions) as K[];
  return {
    keys,
    descriptions,
    tracker: () => {
      const tracker = create();
      return {
        observe: (event) => tracker.observe(event),
        observeTraffic: (traffic) => tracker.observeTraffic(traffic),
        reached: () => keys.reduce((bits, key, index) => (tracker.situations.has(key) ? bits | (1 << index) : bits), 0),
      };
    },
  };
}

interface SituationTracker<K extends string> {
  readonly situations: Set<K>;
  observe(event: AnyTraceEvent): void;
  observeTraffic(traffic: TrafficCounts): void;
}

type PaxosSituation = keyof typeof PAXOS_COVERAGE;

class PaxosCoverage implements SituationTracker<PaxosSituation> {
  readonly situations = new Set<PaxosSituation>();
  private readonly promised = new Map<NodeId, Ballot>();
  private readonly accepted = new Map<NodeId, Ballot>();
  private readonly proposersBeforeChoice = new Set<NodeId>();
  /** Nodes up again after a crash (a crash wipes a proposer's value, so each propose from them answers a new request). */
  private readonly restarted = new Set<NodeId>();
  private readonly firstValueProposed = new Map<NodeId, string>();
  private healed = false;
  private chosen = false;

  observe(anyEvent: AnyTraceEvent): void {
    const event = anyEvent as TraceEvent;
    switch (event.type) {
      case 'adopt':
        this.situations.add('adopted');
        return;
      case 'promise':
        this.promised.set(event.node, event.ballot);
        return;
      case 'accept':
        this.accepted.set(event.node, event.ballot);
        return;
      case 'restart':
        this.restarted.add(event.node);
        return;
      case 'crash': {
        this.restarted.delete(event.node);
        const promised = this.promised.get(event.node);
        const accepted = this.accepted.get(event.node);
        if (promised !== undefined && (accepted === undefined || compareBallots(accepted, promised) < 0)) this.situations.add('crashBetweenPromiseAndAccept');
        return;
      }
      case 'propose': {
        if (this.restarted.has(event.node)) this.situations.add('requestAtRestarted');
        const firstValue = this.firstValueProposed.get(event.node);
        if (firstValue === undefined) this.firstValueProposed.set(event.node, event.value);
        else if (firstValue !== event.value) this.situations.add('twoValuesByOneNode');
        if (this.chosen) return;
        this.proposersBeforeChoice.add(event.node);
        if (this.proposersBeforeChoice.size >= 2) this.situations.add('duel');
        return;
      }
      case 'heal':
        this.healed = true;
        return;
      case 'chosen':
        if (!this.chosen && this.healed) this.situations.add('decidedAfterHeal');
        this.chosen = true;
        return;
      default:
        return;
    }
  }

  observeTraffic(traffic: TrafficCounts): void {
    if ((traffic.sentByType['nack'] ?? 0) > 0) this.situations.add('refusedLower');
    if (traffic.duplicateDeliveries > 0) this.situations.add('deliveredTwice');
  }
}

type MultiPaxosSituation = keyof typeof MULTIPAXOS_COVERAGE;

class MultiPaxosCoverage implements SituationTracker<MultiPaxosSituation> {
  readonly situations = new Set<MultiPaxosSituation>();
  private leaders = 0;
  private readonly acceptedBallotOf = new Map<number, string>();

  observe(anyEvent: AnyTraceEvent): void {
    const event = anyEvent as MultiPaxosTraceEvent;
    switch (event.type) {
      case 'leader':
        this.leaders += 1;
        if (this.leaders >= 2) this.situations.add('leaderChanged');
        return;
      case 'accept': {
        const previous = this.acceptedBallotOf.get(event.slot);
        const key = ballotKey(event.ballot);
        if (previous !== undefined && previous !== key) this.situations.add('reproposed');
        this.acceptedBallotOf.set(event.slot, key);
        return;
      }
      case 'apply':
        if (isNoop(event.command)) this.situations.add('noopFilled');
        if (event.duplicate) this.situations.add('deduplicated');
        return;
      case 'timeout':
        this.situations.add('clientGaveUp');
        return;
      default:
        return;
    }
  }

  observeTraffic(traffic: TrafficCounts): void {
    observeClientTraffic(traffic, this.situations);
  }
}

type RaftSituation = keyof typeof RAFT_COVERAGE;

/** Raft's situations, from its trace vocabulary (README, Raft). */
class RaftCoverage implements SituationTracker<RaftSituation> {
  readonly situations = new Set<RaftSituation>();
  private leaders = 0;
  /** term → the first server that voted for itself in it. */
  private readonly candidateOf = new Map<number, string>();
  private readonly restarted = new Set<string>();

  observe(anyEvent: AnyTraceEvent): void {
    const event = anyEvent as AnyTraceEvent & { node?: string; term?: number; candidate?: string; slot?: number; duplicate?: boolean };
    switch (event.type as string) {
      case 'leader':
        this.leaders += 1;
        if (this.leaders >= 2) this.situations.add('leaderChanged');
        return;
      case 'vote': {
        if (event.candidate !== event.node || event.term === undefined) return;
        const first = this.candidateOf.get(event.term);
        if (first === undefined) this.candidateOf.set(event.term, event.node!);
        else if (first !== event.node) this.situations.add('splitVote');
        return;
      }
      case 'truncate':
        this.situations.add('truncated');
        return;
      case 'restart':
        this.restarted.add(event.node!);
        return;
      case 'apply':
        if (event.duplicate === true) this.situations.add('deduplicated');
        if (event.slot === 0 && this.restarted.has(event.node!)) this.situations.add('reappliedAfterRestart');
        return;
      case 'timeout':
        this.situations.add('clientGaveUp');
        return;
      default:
        return;
    }
  }

  observeTraffic(traffic: TrafficCounts): void {
    observeClientTraffic(traffic, this.situations);
  }
}

/** What the client-facing protocols (Multi-Paxos, Raft) read from a run's traffic totals. */
function observeClientTraffic(traffic: TrafficCounts, situations: { add(situation: 'redirected' | 'deliveredTwice'): unknown }): void {
  if ((traffic.sentByType['redirect'] ?? 0) > 0) situations.add('redirected');
  if (traffic.duplicateDeliveries > 0) situations.add('deliveredTwice');
}
