import { ballotKey, formatBallot, type Ballot } from '../protocols/paxos/ballot.js';
import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import type { CheckerKind, CheckerReport, TraceChecks, Violation } from './checker.js';

/**
 * Who leads each ballot or term, as `leader` events claim it: the one rule
 * every leader-based protocol shares (Raft's election safety, a Multi-Paxos
 * ballot owned by one proposer). Raft's checks and the `leaders` checker
 * family both keep their leaders here.
 */
export class LeaderLedger<Epoch> {
  private readonly leaders = new Map<string, NodeId>();

  constructor(
    private readonly keyOf: (epoch: Epoch) => string,
    private readonly describe: (epoch: Epoch) => string,
  ) {}

  /** Records `node` as the leader of `epoch`; a violation message when another node already leads it. */
  claim(node: NodeId, epoch: Epoch): string | null {
    const key = this.keyOf(epoch);
    const earlier = this.leaders.get(key);
    if (earlier === undefined) {
      this.leaders.set(key, node);
      return null;
    }
    return earlier === node ? null : `${node} became leader of ${this.describe(epoch)}, which ${earlier} already leads`;
  }

  /** How many ballots or terms had a leader. */
  get size(): number {
    return this.leaders.size;
  }
}

export const LEADER_UNIQUENESS = 'leader-uniqueness';

export const LEADER_CHECKERS: readonly { name: string; kind: CheckerKind; summary: string }[] = [
  { name: LEADER_UNIQUENESS, kind: 'safety', summary: 'at most one leader per ballot or term (`leader {ballot}` or `leader {term}`)' },
];

/** A `leader` observation: a ballot `[round, node]` or an integer term. */
type LeaderEvent = { t: number; type: 'leader'; node: NodeId; ballot?: Ballot; term?: number };

/** The `leaders` checker family: at most one leader per ballot (Multi-Paxos-like) or per term (Raft-like). */
export class LeaderChecks implements TraceChecks {
  private readonly byBallot = new LeaderLedger<Ballot>(ballotKey, (ballot) => `ballot ${formatBallot(ballot)}`);
  private readonly byTerm = new LeaderLedger<number>(String, (term) => `term ${term}`);
  private violation: Violation | null = null;

  observe(anyEvent: AnyTraceEvent, index: number): { derived: null; violations: readonly Violation[] } {
    if (anyEvent.type !== 'leader' || this.violation !== null) return NOTHING;
    const event = anyEvent as LeaderEvent;
    const message = event.term !== undefined ? this.byTerm.claim(event.node, event.term) : event.ballot !== undefined ? this.byBallot.claim(event.node, event.ballot) : null;
    if (message === null) return NOTHING;
    this.violation = { checker: LEADER_UNIQUENESS, message, t: event.t, event: index };
    return { derived: null, violations: [this.violation] };
  }

  finish(): readonly Violation[] {
    return [];
  }

  get violations(): readonly Violation[] {
    return this.violation === null ? [] : [this.violation];
  }

  get hasSafetyViolation(): boolean {
    return this.violation !== null;
  }

  livenessInconclusive(): boolean {
    return false;
  }

  reports(): CheckerReport[] {
    const leaders = this.byBallot.size + this.byTerm.size;
    const detail = `${leaders} ${leaders === 1 ? 'ballot or term' : 'ballots or terms'} with a leader, one leader each`;
    return [{ name: LEADER_UNIQUENESS, kind: 'safety', violation: this.violation, detail }];
  }
}

const NOTHING: { derived: null; violations: readonly Violation[] } = Object.freeze({ derived: null, violations: Object.freeze([]) });
