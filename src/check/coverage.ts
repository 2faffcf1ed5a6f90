import { ballotKey, compareBallots, type Ballot } from '../protocols/paxos/ballot.js';
import { isNoop } from '../protocols/multipaxos/messages.js';
import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent, MultiPaxosTraceEvent, TraceEvent } from '../sim/events.js';
import type { TrafficCounts } from '../sim/simulation.js';
import { assert } from '../util/assert.js';

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

/** The situations any protocol has: they read only the simulator's own events and network totals. */
export const GENERIC_COVERAGE = {
  deliveredTwice: 'a message was delivered twice',
  restarted: 'a node crashed and restarted',
  partitionHealed: 'a partition healed',
  resumed: 'a paused node resumed',
  requestLost: 'a request reached a crashed node and was lost',
} as const;

/** Single-decree Paxos's situations (paxsim's own protocols' definitions carry their catalogues; `paxsim fuzz` asks the definition). */
export function paxosCoverage(): CoverageCatalogue {
  return catalogue(PAXOS_COVERAGE, () => new PaxosCoverage());
}

/** Multi-Paxos's situations (Cheap Paxos has the same vocabulary). */
export function multiPaxosCoverage(): CoverageCatalogue {
  return catalogue(MULTIPAXOS_COVERAGE, () => new MultiPaxosCoverage());
}

/** Raft's situations. */
export function raftCoverage(): CoverageCatalogue {
  return catalogue(RAFT_COVERAGE, () => new RaftCoverage());
}

/**
 * Part of a catalogue: some of one tracker's situations, fed only the event
 * types it may read (a user protocol's other observations have no shape the
 * tracker could rely on).
 */
export interface CoverageShare {
  readonly descriptions: Readonly<Record<string, string>>;
  /** Event types the tracker sees; null: every event. */
  readonly reads: ReadonlySet<string> | null;
  tracker(): SituationTracker<string>;
}

/** A situation a protocol definition adds (`coverage: [...]`): reached in a seed once `observe` returns true for one of its events. */
export interface OwnSituation {
  readonly key: string;
  readonly description: string;
  observe(event: AnyTraceEvent): boolean;
}

export const GENERIC_SHARE: CoverageShare = { descriptions: GENERIC_COVERAGE, reads: null, tracker: () => new GenericCoverage() };

/** Single-decree Paxos's situations that read only the published single-decree observations (not `nack` messages, which are Paxos's own). */
export const SINGLE_DECREE_SHARE: CoverageShare = share(PAXOS_COVERAGE, ['adopted', 'crashBetweenPromiseAndAccept', 'duel', 'decidedAfterHeal', 'requestAtRestarted', 'twoValuesByOneNode'], null, () => new PaxosCoverage());
export const SLOTS_SHARE: CoverageShare = share(MULTIPAXOS_COVERAGE, ['reproposed'], ['accept'], () => new MultiPaxosCoverage());
export const LEADERS_SHARE: CoverageShare = share(MULTIPAXOS_COVERAGE, ['leaderChanged'], ['leader'], () => new MultiPaxosCoverage());
export const STATE_MACHINE_SHARE: CoverageShare = share(MULTIPAXOS_COVERAGE, ['deduplicated'], ['apply'], () => new MultiPaxosCoverage());
export const CLIENTS_SHARE: CoverageShare = share(MULTIPAXOS_COVERAGE, ['clientGaveUp'], ['timeout'], () => new MultiPaxosCoverage());

function share<K extends string>(all: Readonly<Record<K, string>>, keys: readonly K[], reads: readonly string[] | null, tracker: () => SituationTracker<K>): CoverageShare {
  return { descriptions: Object.fromEntries(keys.map((key) => [key, all[key]])), reads: reads === null ? null : new Set(reads), tracker };
}

/** A definition's own situations as a share. */
export function ownShare(situations: readonly OwnSituation[]): CoverageShare {
  return {
    descriptions: Object.fromEntries(situations.map((situation) => [situation.key, situation.description])),
    reads: null,
    tracker: () => {
      const reached = new Set<string>();
      return {
        situations: reached,
        observe: (event) => {
          for (const situation of situations) if (!reached.has(situation.key) && situation.observe(event) === true) reached.add(situation.key);
        },
        observeTraffic: () => undefined,
      };
    },
  };
}

/** The most situations a catalogue may hold (a seed's reached set is a 31-bit mask). */
export const MAX_COVERAGE_SITUATIONS = 31;

/** Shares as one catalogue, in order; a key in two shares (`deliveredTwice`) is listed once, reached when either tracker reached it. */
export function composedCoverage(shares: readonly CoverageShare[]): CoverageCatalogue {
  const descriptions: Record<string, string> = {};
  for (const part of shares) for (const [key, text] of Object.entries(part.descriptions)) descriptions[key] ??= text;
  const keys = Object.keys(descriptions);
  assert(keys.length <= MAX_COVERAGE_SITUATIONS, `a coverage catalogue holds at most ${MAX_COVERAGE_SITUATIONS} situations`);
  return {
    keys,
    descriptions,
    tracker: () => {
      const parts = shares.map((part) => ({ reads: part.reads, keys: Object.keys(part.descriptions), tracker: part.tracker() }));
      return {
        observe: (event) => {
          for (const part of parts) if (part.reads === null || part.reads.has(event.type)) part.tracker.observe(event);
        },
        observeTraffic: (traffic) => {
          for (const part of parts) part.tracker.observeTraffic(traffic);
        },
        reached: () => keys.reduce((bits, key, index) => (parts.some((part) => part.keys.includes(key) && part.tracker.situations.has(key)) ? bits | (1 << index) : bits), 0),
      };
    },
  };
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

export interface SituationTracker<K extends string> {
  readonly situations: ReadonlySet<K>;
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
  private readonly leaderClient = new LeaderClientSituations(this.situations);
  private readonly acceptedBallotOf = new Map<number, string>();

  observe(anyEvent: AnyTraceEvent): void {
    this.leaderClient.observe(anyEvent);
    const event = anyEvent as MultiPaxosTraceEvent;
    switch (event.type) {
      case 'accept': {
        const previous = this.acceptedBallotOf.get(event.slot);
        const key = ballotKey(event.ballot);
        if (previous !== undefined && previous !== key) this.situations.add('reproposed');
        this.acceptedBallotOf.set(event.slot, key);
        return;
      }
      case 'apply':
        // A user protocol's command is any plain data, not only Multi-Paxos's objects.
        if (typeof event.command === 'object' && event.command !== null && isNoop(event.command)) this.situations.add('noopFilled');
        return;
      default:
        return;
    }
  }

  observeTraffic(traffic: TrafficCounts): void {
    this.leaderClient.observeTraffic(traffic);
  }
}

type RaftSituation = keyof typeof RAFT_COVERAGE;

/** Raft's situations, from its trace vocabulary (README, Raft). */
class RaftCoverage implements SituationTracker<RaftSituation> {
  readonly situations = new Set<RaftSituation>();
  private readonly leaderClient = new LeaderClientSituations(this.situations);
  /** term → the first server that voted for itself in it. */
  private readonly candidateOf = new Map<number, string>();
  private readonly restarted = new Set<string>();

  observe(anyEvent: AnyTraceEvent): void {
    this.leaderClient.observe(anyEvent);
    const event = anyEvent as AnyTraceEvent & { node?: string; term?: number; candidate?: string; slot?: number };
    switch (event.type as string) {
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
        if (event.slot === 0 && this.restarted.has(event.node!)) this.situations.add('reappliedAfterRestart');
        return;
      default:
        return;
    }
  }

  observeTraffic(traffic: TrafficCounts): void {
    this.leaderClient.observeTraffic(traffic);
  }
}

type GenericSituation = keyof typeof GENERIC_COVERAGE;

/** Faults and lost requests, from the simulator's events; duplicates from the network's totals. */
class GenericCoverage implements SituationTracker<GenericSituation> {
  readonly situations = new Set<GenericSituation>();
  private partitioned = false;

  observe(event: AnyTraceEvent): void {
    switch (event.type) {
      case 'restart':
        this.situations.add('restarted');
        return;
      case 'partition':
      case 'cut':
        this.partitioned = true;
        return;
      case 'heal':
        if (this.partitioned) this.situations.add('partitionHealed');
        this.partitioned = false;
        return;
      case 'resume':
        this.situations.add('resumed');
        return;
      case 'request-lost':
        this.situations.add('requestLost');
        return;
      default:
        return;
    }
  }

  observeTraffic(traffic: TrafficCounts): void {
    if (traffic.duplicateDeliveries > 0) this.situations.add('deliveredTwice');
  }
}

type LeaderClientSituation = 'leaderChanged' | 'deduplicated' | 'clientGaveUp' | 'redirected' | 'deliveredTwice';

/**
 * The situations the leader-based, client-serving protocols (Multi-Paxos,
 * Raft) read alike: a second `leader`, an `apply` the client table skipped, a
 * client's `timeout`, and from the traffic totals a redirect and a duplicate.
 * Each protocol's tracker adds the rest into the same set.
 */
class LeaderClientSituations {
  private leaders = 0;

  constructor(private readonly situations: { add(situation: LeaderClientSituation): unknown }) {}

  observe(event: AnyTraceEvent): void {
    switch (event.type) {
      case 'leader':
        this.leaders += 1;
        if (this.leaders >= 2) this.situations.add('leaderChanged');
        return;
      case 'apply':
        // Truthy, not `=== true`: a user protocol's `apply` (the state-machine family) is read the same way.
        if ((event as { duplicate?: unknown }).duplicate) this.situations.add('deduplicated');
        return;
      case 'timeout':
        this.situations.add('clientGaveUp');
        return;
      default:
        return;
    }
  }

  observeTraffic(traffic: TrafficCounts): void {
    if ((traffic.sentByType['redirect'] ?? 0) > 0) this.situations.add('redirected');
    if (traffic.duplicateDeliveries > 0) this.situations.add('deliveredTwice');
  }
}
