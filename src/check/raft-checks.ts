import type { Command } from '../protocols/multipaxos/messages.js';
import type { LogIndex, RaftObservation, Term } from '../protocols/raft/messages.js';
import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { describeCommand } from '../trace/format.js';
import { plural } from '../util/plural.js';
import type { CheckerKind, CheckerReport, TraceChecks, Violation } from './checker.js';
import { commandKey, MultiPaxosChecks, type ClientLivenessOptions } from './multipaxos-checks.js';
import { LeaderLedger } from './leader-checks.js';

/** A Raft observation as a trace line: `{t, type, node, …}`. */
export type RaftObservationEvent = RaftObservation & { readonly t: number; readonly node: NodeId };

export interface RaftCheckContext {
  readonly servers: readonly NodeId[];
  readonly clients: readonly NodeId[];
}

export const RAFT_CHECKERS: readonly { name: string; kind: CheckerKind; summary: string }[] = [
  { name: 'election-safety', kind: 'safety', summary: 'at most one leader is elected per term, and each server votes for at most one candidate per term, across restarts' },
  { name: 'log-matching', kind: 'safety', summary: 'two logs with an entry of the same index and term hold identical entries up to it' },
  { name: 'leader-completeness', kind: 'safety', summary: 'every committed entry is in the log of every leader of a later term, and no server without it could win an election once it is committed' },
  { name: 'state-machine-safety', kind: 'safety', summary: 'no two servers commit or apply different commands at one slot; each applies in order, without gaps, only what it committed' },
  { name: 'exactly-once', kind: 'safety', summary: 'no server applies a client request (client, request id) twice' },
  { name: 'linearizability', kind: 'safety', summary: 'the client history (invoke, ok, timeout as unknown) is linearizable against a key-value register per key' },
  { name: 'client-liveness', kind: 'liveness', summary: 'after the last fault, with a connected majority of servers, every client operation completes within expect.liveness.within' },
];

/** The Multi-Paxos checkers Raft reuses, by the name Raft reports them under. */
const REUSED_CHECKERS: ReadonlyMap<string, string> = new Map([
  ['log-consistency', 'state-machine-safety'],
  ['exactly-once', 'exactly-once'],
  ['linearizability', 'linearizability'],
  ['client-liveness', 'client-liveness'],
]);

/** One entry as the checkers know it: its term and its command's identity. */
interface KnownEntry {
  readonly term: Term;
  readonly key: string;
  readonly command: Command;
}

/**
 * A committed entry, with a bound on the term it was committed in: the
 * highest term any leader had been elected in when a server first reported
 * it committed. (A commit event carries no term; the true one is at most
 * this, so every leader of a higher term must hold the entry.)
 */
interface CommittedEntry extends KnownEntry {
  readonly committedByTerm: Term;
}

/** What Raft established, for verdicts. */
export interface RaftSummary {
  /** The highest slot any server committed, + 1. */
  readonly slotsCommitted: number;
  /** Per server, how many slots it applied (since its last restart). */
  readonly applied: Readonly<Record<NodeId, number>>;
  readonly operations: number;
  readonly completed: number;
  readonly gaveUp: number;
  readonly inFlight: number;
  readonly leader: { readonly node: NodeId; readonly term: Term; readonly t: number } | null;
  /** Terms that elected a leader. */
  readonly terms: number;
}

/**
 * Raft's checkers over one trace. Election safety, log matching and leader
 * completeness are Raft's own (Figure 3 of the paper), judged from `leader`,
 * `append`, `truncate` and `commit` events alone. State machine safety,
 * exactly-once, linearizability and client liveness are Multi-Paxos's, fed
 * the `apply`, client and fault events (a restarted server applies its log
 * again from slot 0, since lastApplied is volatile); committing conflicting
 * commands, or past one's log, counts as a state-machine-safety violation too.
 */
export class RaftChecks implements TraceChecks {
  private readonly clientChecks: MultiPaxosChecks;
  private readonly firstViolation = new Map<string, Violation>();
  /** term → its leader. */
  private readonly leaders = new LeaderLedger<Term>(String, (term) => `term ${term}`);
  /** `${node}:${term}` → the candidate that server voted for in that term. */
  private readonly votes = new Map<string, NodeId>();
  /** Each server's log as its append and truncate events built it. */
  private readonly logs = new Map<NodeId, KnownEntry[]>();
  /** `${slot}:${term}` → the entry first stored there and the term before it: by induction, equal pairs mean equal prefixes. */
  private readonly entriesByIndexAndTerm = new Map<string, { key: string; prevTerm: Term; node: NodeId }>();
  /** slot → the entry committed there (by whichever server committed it first). */
  private readonly committed: CommittedEntry[] = [];
  /** The highest term a leader was elected in so far. */
  private highestLeaderTerm: Term = 0;
  /** server → the highest slot whose commit was checked (a restart starts over: commitIndex is volatile). */
  private readonly commitChecked = new Map<NodeId, LogIndex>();
  private lastLeader: RaftSummary['leader'] = null;

  constructor(
    private readonly context: RaftCheckContext,
    liveness: ClientLivenessOptions | undefined,
  ) {
    const quorumSize = Math.floor(context.servers.length / 2) + 1;
    this.clientChecks = new MultiPaxosChecks({ replicas: context.servers, clients: context.clients, quorumSize, appliedMustBeChosen: false, restartReplaysLog: true }, liveness);
  }

  observe(anyEvent: AnyTraceEvent, index: number): { derived: AnyTraceEvent | null; violations: readonly Violation[] } {
    const event = anyEvent as RaftObservationEvent | AnyTraceEvent;
    const found: Violation[] = [];
    const report = (checker: string, message: string) => this.record({ checker, message, t: event.t, event: index }, found);
    switch (event.type) {
      case 'leader':
        if ('term' in event) this.onLeader(event.node, event.term, event.t, report);
        break;
      case 'vote':
        if ('candidate' in event) this.onVote(event.node, event.term, event.candidate, report);
        break;
      case 'append':
        if ('term' in event) this.onAppend(event.node, event.slot, event.term, event.command, report);
        break;
      case 'truncate':
        if ('fromSlot' in event) this.logOf(event.node).length = Math.max(0, event.fromSlot);
        break;
      case 'commit':
        if ('slot' in event) this.onCommit(event.node, event.slot, report);
        break;
      case 'restart':
        this.commitChecked.delete(event.node);
        break;
      default:
        break;
    }
    if (event.type !== 'leader' && event.type !== 'append' && event.type !== 'truncate' && event.type !== 'commit' && event.type !== 'vote') {
      for (const violation of this.clientChecks.observe(anyEvent, index).violations) this.recordReused(violation, found);
    }
    return { derived: null, violations: found };
  }

  finish(endMs: number, lastIndex: number): readonly Violation[] {
    const found: Violation[] = [];
    for (const violation of this.clientChecks.finish(endMs, lastIndex)) this.recordReused(violation, found);
    return found;
  }

  judgeSoFar(lastT: number, lastIndex: number): readonly Violation[] {
    const found: Violation[] = [];
    for (const violation of this.clientChecks.judgeSoFar(lastT, lastIndex)) this.recordReused(violation, found);
    return found;
  }

  get violations(): Violation[] {
    return [...this.firstViolation.values()].sort((a, b) => a.event - b.event);
  }

  get hasSafetyViolation(): boolean {
    return RAFT_CHECKERS.some((checker) => checker.kind === 'safety' && this.firstViolation.has(checker.name));
  }

  livenessInconclusive(endMs: number): boolean {
    return !this.firstViolation.has('client-liveness') && this.clientChecks.livenessInconclusive(endMs);
  }

  reports(): CheckerReport[] {
    const reused = new Map(this.clientChecks.reports().map((report) => [REUSED_CHECKERS.get(report.name) ?? report.name, report]));
    const own = RAFT_CHECKERS.filter((checker) => checker.kind === 'safety' || reused.has(checker.name));
    return own.map((checker) => {
      const inner = reused.get(checker.name);
      const detail = inner === undefined || checker.name === 'state-machine-safety' || checker.name === 'exactly-once' ? checker.summary : inner.detail;
      return {
        name: checker.name,
        kind: checker.kind,
        violation: this.firstViolation.get(checker.name) ?? null,
        detail,
        ...(inner?.inconclusive === true ? { inconclusive: true } : {}),
      };
    });
  }

  summary(): RaftSummary {
    const clients = this.clientChecks.summary();
    return {
      slotsCommitted: this.committed.length,
      applied: clients.applied,
      operations: clients.operations,
      completed: clients.completed,
      gaveUp: clients.gaveUp,
      inFlight: clients.inFlight,
      leader: this.lastLeader,
      terms: this.leaders.size,
    };
  }

  private record(violation: Violation, found: Violation[]): void {
    if (this.firstViolation.has(violation.checker)) return;
    this.firstViolation.set(violation.checker, violation);
    found.push(violation);
  }

  private recordReused(violation: Violation, found: Violation[]): void {
    const name = REUSED_CHECKERS.get(violation.checker);
    if (name !== undefined) this.record({ ...violation, checker: name }, found);
  }

  private logOf(node: NodeId): KnownEntry[] {
    let log = this.logs.get(node);
    if (log === undefined) {
      log = [];
      this.logs.set(node, log);
    }
    return log;
  }

  private onLeader(node: NodeId, term: Term, t: number, report: (checker: string, message: string) => void): void {
    const twoLeaders = this.leaders.claim(node, term);
    if (twoLeaders !== null) report('election-safety', twoLeaders);
    this.lastLeader = { node, term, t };
    const log = this.logOf(node);
    for (let slot = 0; slot < this.committed.length; slot++) {
      const entry = this.committed[slot]!;
      // Committed in a term that is not below this one (as far as the trace shows): nothing owed.
      if (entry.committedByTerm >= term) continue;
      const held = log[slot];
      if (held === undefined || held.term !== entry.term || held.key !== entry.key) {
        const has = held === undefined ? 'nothing' : `${describeCommand(held.command)} of term ${held.term}`;
        report('leader-completeness', `${node} became leader of term ${term} with ${has} at slot ${slot}, where ${describeCommand(entry.command)} of term ${entry.term} was committed by term ${entry.committedByTerm}`);
        break;
      }
    }
    if (term > this.highestLeaderTerm) this.highestLeaderTerm = term;
  }

  /** Figure 2's votedFor: one candidate per server and term, which a restart must not forget. */
  private onVote(node: NodeId, term: Term, candidate: NodeId, report: (checker: string, message: string) => void): void {
    const key = `${node}:${term}`;
    const earlier = this.votes.get(key);
    if (earlier === undefined) this.votes.set(key, candidate);
    else if (earlier !== candidate) report('election-safety', `${node} voted for ${candidate} in term ${term}, after voting for ${earlier} in that term`);
  }

  private onAppend(node: NodeId, slot: LogIndex, term: Term, command: Command, report: (checker: string, message: string) => void): void {
    const log = this.logOf(node);
    if (slot !== log.length) {
      report('log-matching', `${node} stored an entry at slot ${slot} when its log had ${plural(log.length, 'entry', 'entries')}: entries are appended at the end (after a truncate)`);
      log.length = Math.min(log.length, slot);
      while (log.length < slot) log.push({ term: -1, key: '?', command });
    }
    const key = commandKey(command);
    const prevTerm = slot === 0 ? 0 : log[slot - 1]!.term;
    log.push({ term, key, command });
    const pair = `${slot}:${term}`;
    const first = this.entriesByIndexAndTerm.get(pair);
    if (first === undefined) {
      this.entriesByIndexAndTerm.set(pair, { key, prevTerm, node });
    } else if (first.key !== key) {
      report('log-matching', `${node} stored ${describeCommand(command)} at slot ${slot} in term ${term}, but ${first.node} holds another command at that slot and term`);
    } else if (first.prevTerm !== prevTerm) {
      report('log-matching', `${node} stored slot ${slot} of term ${term} after an entry of term ${prevTerm}, but ${first.node} holds it after one of term ${first.prevTerm}: the logs differ before it`);
    }
  }

  /**
   * A server whose log lacks the committed `entry` at `slot` and that a
   * majority would vote for, by the election restriction over the logs as
   * they are now (crashed servers included: they may return). In correct
   * Raft none exists: the majority that stores a newly committed entry is
   * more up to date than any log without it (the Leader Completeness proof,
   * §5.4.3). Figure 8's premature commit is exactly this.
   */
  private electableWithout(slot: LogIndex, entry: KnownEntry): { server: NodeId; voters: NodeId[] } | null {
    const quorum = Math.floor(this.context.servers.length / 2) + 1;
    for (const server of this.context.servers) {
      const log = this.logOf(server);
      const held = log[slot];
      if (held !== undefined && held.term === entry.term && held.key === entry.key) continue;
      const voters = this.context.servers.filter((voter) => atLeastAsUpToDate(log, this.logOf(voter)));
      if (voters.length >= quorum) return { server, voters };
    }
    return null;
  }

  /** Every slot up to `slot` in the server's log is committed; compare each with what others committed there. */
  private onCommit(node: NodeId, slot: LogIndex, report: (checker: string, message: string) => void): void {
    const log = this.logOf(node);
    const from = (this.commitChecked.get(node) ?? -1) + 1;
    if (slot < from) return;
    this.commitChecked.set(node, slot);
    if (slot >= log.length) {
      report('state-machine-safety', `${node} committed slot ${slot} with ${plural(log.length, 'entry', 'entries')} in its log`);
      return;
    }
    for (let index = from; index <= slot; index++) {
      const entry = log[index]!;
      const known = this.committed[index];
      if (known === undefined) {
        this.committed[index] = { ...entry, committedByTerm: this.highestLeaderTerm };
        const electable = this.electableWithout(index, entry);
        if (electable !== null) {
          report('leader-completeness', `${node} committed slot ${index} (${describeCommand(entry.command)}, term ${entry.term}) while ${electable.server}, which lacks it, could still win an election: ${electable.voters.join(', ')} would vote for it`);
        }
      } else if (known.term !== entry.term || known.key !== entry.key) {
        report('state-machine-safety', `${node} committed ${describeCommand(entry.command)} of term ${entry.term} at slot ${index}, where ${describeCommand(known.command)} of term ${known.term} was committed`);
        return;
      }
    }
  }
}

/** `a` is at least as up to date as `b` (§5.4.1): a later last term, or the same and at least as long. */
function atLeastAsUpToDate(a: readonly KnownEntry[], b: readonly KnownEntry[]): boolean {
  const lastA = a.length === 0 ? 0 : a[a.length - 1]!.term;
  const lastB = b.length === 0 ? 0 : b[b.length - 1]!.term;
  return lastA !== lastB ? lastA > lastB : a.length >= b.length;
}

/** The `log`, `clients` and `leader` lines of a Raft verdict, for `paxsim run` and `paxsim check` alike. */
export function raftSummaryLines(servers: readonly NodeId[], summary: RaftSummary): { label: string; text: string }[] {
  const applied = servers.map((node) => `${node} ${summary.applied[node] ?? 0}`).join(' · ');
  const leader = summary.leader;
  return [
    { label: 'log', text: `${plural(summary.slotsCommitted, 'slot')} committed; applied: ${applied}` },
    {
      label: 'clients',
      text: `${plural(summary.operations, 'operation')}: ${summary.completed} completed, ${summary.gaveUp} gave up (outcome unknown), ${summary.inFlight} in flight at the end`,
    },
    { label: 'leader', text: leader === null ? 'none elected' : `last elected: ${leader.node} in term ${leader.term} at t=${leader.t} (${plural(summary.terms, 'term')} with a leader)` },
  ];
}
