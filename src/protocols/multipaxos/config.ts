import type { NodeId } from '../effects.js';
import type { OpMix } from './messages.js';

/**
 * Known-broken Multi-Paxos variants. Each is a mistake real implementations
 * make, and each can break a property the checkers watch in this code.
 */
export const MULTIPAXOS_BUGS = {
  'leader-skips-recovery':
    'a new leader trusts its own log: it ignores the values its promise quorum accepted and proposes new commands in those slots',
  'apply-unchosen': "a replica applies a command on the leader's accept, before a majority has accepted it",
  'stale-read': 'the leader answers get from its own state machine, without a round or a lease',
  'no-dedup': 'no client table: every chosen command is applied and every received request proposed, so a retried request is applied twice',
} as const;

export type MultiPaxosBug = keyof typeof MULTIPAXOS_BUGS;

export function isMultiPaxosBug(name: string): name is MultiPaxosBug {
  return Object.hasOwn(MULTIPAXOS_BUGS, name);
}

/** Timer settings, in virtual ms of the node's own clock. */
export interface MultiPaxosTiming {
  /** The leader's heartbeat period; it also retransmits unacknowledged accepts on each beat. */
  readonly heartbeatMs: number;
  /** A follower hearing no leader for a time drawn from [electionMs, 2·electionMs) campaigns (longer after failed campaigns). */
  readonly electionMs: number;
  /** A client waiting this long for a reply retries the same request at the next replica. */
  readonly clientTimeoutMs: number;
  /** A client redirected without a leader hint waits this long before trying the next replica. */
  readonly retryMs: number;
}

export const DEFAULT_MULTIPAXOS_TIMING: MultiPaxosTiming = {
  heartbeatMs: 50,
  electionMs: 200,
  clientTimeoutMs: 250,
  retryMs: 40,
};

export const DEFAULT_OP_MIX: OpMix = { put: 2, get: 2, cas: 1 };
export const DEFAULT_KEYS: readonly string[] = ['x', 'y'];

export interface MultiPaxosConfig {
  /** Replica ids, sorted; the first one campaigns at boot, so a fresh cluster has a leader at once. */
  readonly replicas: readonly NodeId[];
  /** Client ids, sorted; a client never crashes. */
  readonly clients: readonly NodeId[];
  readonly timing: MultiPaxosTiming;
  /** Sends of one operation after the first (timeouts and redirects) before the client gives up on it. */
  readonly maxRetries: number;
  readonly bugs: ReadonlySet<MultiPaxosBug>;
  /**
   * A replica stores a snapshot of its state machine every this many applied
   * slots (more when the store is bigger, so copying it stays O(1) per slot):
   * recovery replays at most that many, and records below it can be pruned.
   */
  readonly snapshotEverySlots: number;
}

export const DEFAULT_MAX_RETRIES = 12;
export const DEFAULT_SNAPSHOT_EVERY_SLOTS = 16;

/** A config with defaults for everything but the node ids. */
export function multiPaxosConfig(
  replicas: readonly NodeId[],
  clients: readonly NodeId[],
  options: { timing?: Partial<MultiPaxosTiming>; maxRetries?: number; bugs?: Iterable<MultiPaxosBug>; snapshotEverySlots?: number } = {},
): MultiPaxosConfig {
  return {
    replicas,
    clients,
    timing: { ...DEFAULT_MULTIPAXOS_TIMING, ...options.timing },
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    bugs: new Set(options.bugs ?? []),
    snapshotEverySlots: options.snapshotEverySlots ?? DEFAULT_SNAPSHOT_EVERY_SLOTS,
  };
}

/** A strict majority of replicas. */
export function replicaQuorum(config: MultiPaxosConfig): number {
  return Math.floor(config.replicas.length / 2) + 1;
}

/**
 * How long a replica waits for a leader before campaigning: uniform in
 * [base, 2·base), where base is electionMs doubled per failed campaign in a
 * row, at most 4×, so candidates that keep splitting the vote spread out.
 */
export function electionDelayMs(electionMs: number, failedCampaigns: number, random: () => number): number {
  const baseMs = electionMs * 2 ** Math.min(failedCampaigns, 2);
  return Math.max(1, Math.floor(baseMs * (1 + random())));
}
