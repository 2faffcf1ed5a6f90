import type { NodeId } from '../effects.js';

/**
 * Known-broken variants, swapped in with `--bug NAME` so users (and our tests)
 * can watch the checkers catch real bug classes. Each one is what real code
 * with that mistake does, not a contrived trigger.
 */
export const PAXOS_BUGS = {
  'forget-promise': 'acceptor keeps its promise and accepted proposal only in memory, so a crash forgets them',
  'ignore-accepted': 'proposer ignores the values returned in promises and proposes its own',
  'accept-lower': 'acceptor checks its promise in phase 1 only, and accepts ballots lower than its promise',
  'same-ballot': 'proposal numbers are bare counters, not unique across proposers (acceptors re-answer an equal ballot)',
  'count-duplicates': 'learner counts every accepted message, so a duplicated one counts twice toward the majority',
  'small-quorum': 'quorum is n/2 rounded down instead of a strict majority',
} as const;

export type PaxosBug = keyof typeof PAXOS_BUGS;

export function isPaxosBug(name: string): name is PaxosBug {
  return Object.hasOwn(PAXOS_BUGS, name);
}

/** Timer settings, in virtual ms. Each timeout doubles per attempt up to its max and is jittered by ±50%. */
export interface PaxosTiming {
  readonly retryMs: number;
  readonly retryMaxMs: number;
  readonly catchupMs: number;
  readonly catchupMaxMs: number;
}

export const DEFAULT_PAXOS_TIMING: PaxosTiming = {
  retryMs: 50,
  retryMaxMs: 800,
  catchupMs: 100,
  catchupMaxMs: 800,
};

export interface PaxosConfig {
  readonly proposers: readonly NodeId[];
  readonly acceptors: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly timing: PaxosTiming;
  readonly bugs: ReadonlySet<PaxosBug>;
}

/** A strict majority of acceptors, the size at which any two quorums intersect. */
export function quorumSize(config: PaxosConfig): number {
  const acceptorCount = config.acceptors.length;
  if (config.bugs.has('small-quorum')) return Math.max(1, Math.floor(acceptorCount / 2));
  return Math.floor(acceptorCount / 2) + 1;
}

/** The timeout for the given attempt: base doubled per attempt, capped, jittered to [0.5, 1.5) of that. */
export function backoffMs(baseMs: number, maxMs: number, attempt: number, random: () => number): number {
  const cappedMs = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.floor(cappedMs * (0.5 + random())));
}
