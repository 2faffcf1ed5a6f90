import type { NodeId } from '../effects.js';

/**
 * Known-broken Raft variants, each a well-known mistake, each caught by a
 * checker in check/raft-checks.ts.
 */
export const RAFT_BUGS = {
  'vote-twice': 'votedFor is not persisted, so a restarted node votes again in the same term',
  'commit-old-term': "the leader commits an entry of an earlier term once it is on a majority (the Raft paper's Figure 8)",
  'no-log-check': 'voters ignore the election restriction: a candidate with a shorter or older log wins votes',
  'truncate-always': 'a follower truncates its log after prevLogIndex on every AppendEntries, even when the entries match',
  'commit-ahead': "a follower sets commitIndex = leaderCommit without the min with its last new entry",
  'stale-read': 'the leader answers get from its local state without confirming leadership',
} as const;

export type RaftBug = keyof typeof RAFT_BUGS;

/** Timer settings, in virtual ms of the node's own clock. */
export interface RaftTiming {
  /** The leader sends AppendEntries (heartbeat or retransmission) to every follower this often. */
  readonly heartbeatMs: number;
  /** A follower hearing no leader for a time drawn from [electionMs, 2·electionMs) becomes a candidate (longer after failed campaigns). */
  readonly electionMs: number;
  /** A client waiting this long for a reply retries the same request at the next node. */
  readonly clientTimeoutMs: number;
  /** A client redirected without a leader hint waits this long before trying the next node. */
  readonly retryMs: number;
}

export const DEFAULT_RAFT_TIMING: RaftTiming = {
  heartbeatMs: 50,
  electionMs: 200,
  clientTimeoutMs: 250,
  retryMs: 40,
};

/** At most this many entries ride in one AppendEntries, unless the scenario says otherwise. */
export const DEFAULT_MAX_ENTRIES_PER_APPEND = 64;

export interface RaftConfig {
  /** Server ids, sorted; the first one campaigns at boot, so a fresh cluster has a leader at once. */
  readonly servers: readonly NodeId[];
  /** Client ids, sorted. */
  readonly clients: readonly NodeId[];
  readonly timing: RaftTiming;
  /** Sends of one operation after the first before the client gives up. */
  readonly maxRetries: number;
  /** At most this many entries per AppendEntries: a follower far behind catches up over several round trips. */
  readonly maxEntriesPerAppend: number;
  readonly bugs: ReadonlySet<RaftBug>;
}

export const DEFAULT_RAFT_MAX_RETRIES = 12;

export function raftConfig(
  servers: readonly NodeId[],
  clients: readonly NodeId[],
  options: { timing?: Partial<RaftTiming>; maxRetries?: number; maxEntriesPerAppend?: number; bugs?: Iterable<RaftBug> } = {},
): RaftConfig {
  return {
    servers,
    clients,
    timing: { ...DEFAULT_RAFT_TIMING, ...options.timing },
    maxRetries: options.maxRetries ?? DEFAULT_RAFT_MAX_RETRIES,
    maxEntriesPerAppend: options.maxEntriesPerAppend ?? DEFAULT_MAX_ENTRIES_PER_APPEND,
    bugs: new Set(options.bugs ?? []),
  };
}

/** A strict majority of servers. */
export function serverQuorum(config: RaftConfig): number {
  return Math.floor(config.servers.length / 2) + 1;
}
