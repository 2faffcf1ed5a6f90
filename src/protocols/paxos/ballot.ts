import type { NodeId } from '../effects.js';
import { assert } from '../../util/assert.js';

/**
 * A proposal number: (round, proposer id). Unique because no two proposers
 * share an id, totally ordered by round then id. Written the same way
 * everywhere (`[10,"A"]` in JSON) so equal ballots are equal JSON.
 */
export type Ballot = readonly [round: number, proposer: NodeId];

export function ballot(round: number, proposer: NodeId): Ballot {
  return [round, proposer];
}

/** Negative when a < b, zero when equal, positive when a > b. Ids compare by code unit, never by locale. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  if (a[1] === b[1]) return 0;
  return a[1] < b[1] ? -1 : 1;
}

export function ballotsEqual(a: Ballot, b: Ballot): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/**
 * The round after every round given: how a proposer moves past the rounds it
 * used and saw. Scenarios start rounds at most at 2^48 and each ballot started
 * adds one, so a run stays far below 2^53; past it, `+ 1` would round back to
 * the same number and a proposer would reuse a ballot without noticing.
 */
export function nextRound(...rounds: readonly number[]): number {
  const round = Math.max(...rounds) + 1;
  assert(Number.isSafeInteger(round), () => `ballot round ${round} is past 2^53 - 1: round arithmetic would no longer be exact`);
  return round;
}

/** A string key for maps keyed by ballot. */
export function ballotKey(b: Ballot): string {
  return `${b[0]}.${b[1]}`;
}

/**
 * `ballotKey` of the ballot seen last, kept for the same ballot object: a
 * proposal's acceptances mostly carry the one ballot of its accept message,
 * so maps keyed by ballot build no string per acceptance.
 */
export class LastBallotKey {
  private lastBallot: Ballot | null = null;
  private lastKey = '';

  of(ballot: Ballot): string {
    if (ballot !== this.lastBallot) {
      this.lastKey = ballotKey(ballot);
      this.lastBallot = ballot;
    }
    return this.lastKey;
  }
}

export function formatBallot(b: Ballot): string {
  return `(${b[0]},${b[1]})`;
}
