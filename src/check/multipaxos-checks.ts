import { dictFrom } from '../util/dict.js';
import { canonicalJson } from '../util/canonical-json.js';
import { ballotKey, formatBallot, type Ballot } from '../protocols/paxos/ballot.js';
import { NOOP, type ClientCommand, type Command, type KvOp, type KvResult } from '../protocols/multipaxos/messages.js';
import type { NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent, MultiPaxosTraceEvent } from '../sim/events.js';
import { describeCommand } from '../trace/format.js';
import type { CheckerKind, CheckerReport, TraceChecks, Violation } from './checker.js';
import { BallotLedger, describeSecondValue } from './ballot-uniqueness.js';
import { ClusterView } from './cluster-view.js';
import { IdSet } from './id-set.js';
import { checkLinearizability, type HistoryOperation } from './linearizability.js';
import { plural } from '../util/plural.js';

export interface MultiPaxosCheckContext {
  readonly replicas: readonly NodeId[];
  readonly clients: readonly NodeId[];
  /** A strict majority of replicas: the omniscient definition of "chosen". */
  readonly quorumSize: number;
  /**
   * For Raft, which reuses the log and client checks: false when the trace has
   * no `accept` events to establish what is chosen, so an applied command is
   * compared across replicas only (default true).
   */
  readonly appliedMustBeChosen?: boolean;
  /** For Raft: a restarted replica applies its log again from slot 0 (lastApplied is volatile). */
  readonly restartReplaysLog?: boolean;
  /** When set, what makes a slot chosen instead of `quorumSize` voters (Cheap Paxos: a quorum of the slot's configuration). */
  readonly isChosenBy?: ((slot: number, voters: ReadonlySet<NodeId>) => boolean) | undefined;
  /**
   * The checkers that apply, by name (default: all of {@link MULTIPAXOS_CHECKERS}).
   * A user protocol's checker families each take some of them (check/families.ts):
   * the others stay silent and are not reported.
   */
  readonly checkers?: readonly string[] | undefined;
}

export interface ClientLivenessOptions {
  readonly withinMs: number;
  /** When the last fault ends. */
  readonly quietFromMs: number;
}

/** What a Multi-Paxos run or trace established, beyond its checkers' verdicts. */
export interface MultiPaxosSummary {
  /** Slots where a majority of replicas accepted one command in one ballot. */
  readonly slotsChosen: number;
  /** Per replica, how many slots it applied: its last applied slot + 1. */
  readonly applied: Readonly<Record<NodeId, number>>;
  /** Client operations invoked, and how they ended. */
  readonly operations: number;
  readonly completed: number;
  /** Gave up (`timeout`): the outcome is unknown. */
  readonly gaveUp: number;
  /** Neither completed nor gave up at the end. */
  readonly inFlight: number;
  /** The last `leader` event: its ballot, or its term (a user protocol's `leader {term}`, checker family `leaders`). */
  readonly leader: ({ readonly node: NodeId; readonly t: number } & ({ readonly ballot: Ballot } | { readonly term: number })) | null;
}

export const MULTIPAXOS_CHECKERS: readonly { name: string; kind: CheckerKind; summary: string }[] = [
  { name: 'slot-agreement', kind: 'safety', summary: 'at most one command is chosen per slot, and replicas learn only that one' },
  { name: 'ballot-uniqueness', kind: 'safety', summary: 'in each slot, no two different commands are accepted in one ballot' },
  { name: 'log-consistency', kind: 'safety', summary: 'each replica applies slots in order, only chosen commands, and all replicas apply the same command at a slot' },
  { name: 'exactly-once', kind: 'safety', summary: 'no replica applies a client request (client, request id) twice' },
  { name: 'linearizability', kind: 'safety', summary: 'the client history (invoke, ok, timeout as unknown) is linearizable against a key-value register per key' },
  { name: 'client-liveness', kind: 'liveness', summary: 'after the last fault, with a connected majority of replicas, every client operation completes within expect.liveness.within' },
];

const NOOP_JSON = canonicalJson(NOOP);

/**
 * A command's identity: the same client request is the same command, wherever
 * it is proposed. A user protocol's commands may be any plain data: one that is
 * not a client request `{client, requestId, …}` or a no-op is known by its JSON
 * with keys sorted (its value: a command rebuilt with keys in another order is
 * the same command; a field named `noop` does not make it a no-op unless the
 * whole command is one).
 */
export function commandKey(command: Command): string {
  // JSON never has the shape of the keys below (`client#id`, `noop`, `config:…`), so keys never collide.
  if (isClientCommand(command)) return `${command.client}#${command.requestId}`;
  const json = canonicalJson(command) ?? String(command);
  // The built-ins' no-ops go by short names; any other command with a `noop` field is known by its whole value.
  if (json === NOOP_JSON) return 'noop';
  const configuration = (command as { configuration?: unknown }).configuration;
  if (configuration !== undefined && json === canonicalJson({ noop: true, configuration })) return `config:${canonicalJson(configuration)}`;
  return json;
}

/** A client request `{client, requestId, …}`: what exactly-once counts. */
export function isClientCommand(command: unknown): command is ClientCommand {
  if (typeof command !== 'object' || command === null || 'noop' in command) return false;
  const { client, requestId } = command as { client?: unknown; requestId?: unknown };
  return typeof client === 'string' && Number.isSafeInteger(requestId) && (requestId as number) >= 0;
}

interface SlotLedger {
  chosen: { key: string; command: Command; ballot: Ballot; t: number } | null;
  /**
   * (ballot, command) → the replicas that accepted it; null when there are
   * none. Once a command is chosen its votes are dropped (only another
   * command's can matter), so a long run keeps no votes for settled slots.
   */
  votes: Map<string, Set<NodeId>> | null;
  readonly ballots: BallotLedger;
  /** The first command any replica learned or applied here, for comparison. */
  learned: { key: string; node: NodeId; t: number } | null;
  applied: { key: string; node: NodeId; t: number } | null;
}

interface PendingOperation {
  readonly id: number;
  readonly client: NodeId;
  readonly requestId: number;
  readonly op: KvOp;
  readonly invokeMs: number;
  completeMs: number | null;
  result: KvResult | undefined;
  gaveUp: boolean;
}

/**
 * The Multi-Paxos checkers over one trace: per-slot agreement, log
 * consistency, exactly-once application, linearizability of what clients
 * saw, and (when asked) that client operations complete once the cluster is
 * healthy. Each keeps only its first violation.
 */
export class MultiPaxosChecks implements TraceChecks {
  private readonly slots = new Map<number, SlotLedger>();
  private readonly nextSlotOf = new Map<NodeId, number>();
  /** replica → client → the request ids it applied (not as duplicates). */
  private readonly appliedRequests = new Map<NodeId, Map<NodeId, IdSet>>();
  private readonly operations: PendingOperation[] = [];
  private readonly openOperation = new Map<NodeId, PendingOperation>();
  private readonly firstViolation = new Map<string, Violation>();
  private readonly cluster: ClusterView;
  private stableSinceMs: number | null = null;
  /**
   * Operations before this index met their deadline (or are owed none).
   * Deadlines grow with the operations' index (invokes arrive in time order
   * and the healthy-since time is fixed once set), so the watch scans each
   * operation once over a run instead of all of them on every event.
   */
  private settledOperations = 0;
  private lastChangeMs = 0;
  private linearizabilityNote = 'not judged yet';
  private linearizabilityUndecided = false;
  /** An operation completed since linearizability was last judged (only a completion can break it). */
  private completedSinceJudged = false;
  private lastLeader: MultiPaxosSummary['leader'] = null;
  private readonly enabled: ReadonlySet<string>;

  constructor(
    private readonly context: MultiPaxosCheckContext,
    private readonly liveness: ClientLivenessOptions | undefined,
  ) {
    this.cluster = new ClusterView(context.replicas);
    this.enabled = new Set(context.checkers ?? MULTIPAXOS_CHECKERS.map((checker) => checker.name));
  }

  observe(anyEvent: AnyTraceEvent, index: number): { derived: AnyTraceEvent | null; violations: readonly Violation[] } {
    const event = anyEvent as MultiPaxosTraceEvent;
    const found: Violation[] = [];
    const report = (checker: string, message: string) => {
      if (this.firstViolation.has(checker) || !this.enabled.has(checker)) return;
      const violation = { checker, message, t: event.t, event: index };
      this.firstViolation.set(checker, violation);
      found.push(violation);
    };
    let derived: AnyTraceEvent | null = null;
    switch (event.type) {
      case 'accept':
        derived = this.onAccept(event.node, event.slot, event.ballot, event.command, event.t, report);
        break;
      case 'learn':
        this.onLearn(event.node, event.slot, event.command, event.t, report);
        break;
      case 'apply':
        this.onApply(event.node, event.slot, event.command, event.duplicate === true, event.t, report);
        break;
      case 'invoke':
        this.onInvoke(event.client, event.requestId, event.op, event.t);
        break;
      case 'leader': {
        // A user protocol's leader may name a term instead of a ballot (checker family `leaders`).
        const term: unknown = (event as { term?: unknown }).term;
        this.lastLeader = typeof term === 'number' ? { node: event.node, term, t: event.t } : { node: event.node, ballot: event.ballot, t: event.t };
        break;
      }
      case 'complete':
      case 'timeout':
        this.onFinished(event.client, event.type === 'complete' ? event.result : undefined, event.t);
        break;
      default:
        if (event.type === 'restart' && this.context.restartReplaysLog === true) this.forgetApplied(event.node);
        if (this.cluster.track(event)) this.lastChangeMs = event.t;
    }
    this.watchLiveness(event.t, report);
    return { derived, violations: found };
  }

  finish(endMs: number, lastIndex: number): readonly Violation[] {
    const found = [...this.judgeLinearizabilityNow(endMs, lastIndex)];
    this.watchLiveness(endMs + 1, (checker, message) => {
      if (this.firstViolation.has(checker) || !this.enabled.has(checker)) return;
      const violation = { checker, message, t: endMs, event: lastIndex };
      this.firstViolation.set(checker, violation);
      found.push(violation);
    });
    return found;
  }

  /** Linearizability on the operations so far, once a completion came since the last judgement (an invoke or a timeout cannot break it). */
  judgeSoFar(lastT: number, lastIndex: number): readonly Violation[] {
    if (!this.completedSinceJudged) return [];
    return this.judgeLinearizabilityNow(lastT, lastIndex);
  }

  private judgeLinearizabilityNow(lastT: number, lastIndex: number): Violation[] {
    this.completedSinceJudged = false;
    if (!this.enabled.has('linearizability') || this.firstViolation.has('linearizability')) return [];
    const linearizability = this.judgeLinearizability();
    if (linearizability === null) return [];
    const violation = { checker: 'linearizability', message: linearizability, t: lastT, event: lastIndex };
    this.firstViolation.set('linearizability', violation);
    return [violation];
  }

  get violations(): Violation[] {
    return [...this.firstViolation.values()].sort((a, b) => a.event - b.event);
  }

  get hasSafetyViolation(): boolean {
    return MULTIPAXOS_CHECKERS.some((checker) => checker.kind === 'safety' && this.firstViolation.has(checker.name));
  }

  livenessInconclusive(endMs: number): boolean {
    if (this.liveness === undefined || !this.enabled.has('client-liveness') || this.firstViolation.has('client-liveness')) return false;
    return this.overdue(endMs + this.liveness.withinMs + 1).length > 0 && this.overdue(endMs + 1).length === 0;
  }

  reports(): CheckerReport[] {
    return MULTIPAXOS_CHECKERS.filter((checker) => this.enabled.has(checker.name) && (checker.kind === 'safety' || this.liveness !== undefined)).map((checker) => ({
      name: checker.name,
      kind: checker.kind,
      violation: this.firstViolation.get(checker.name) ?? null,
      detail: this.describeHeld(checker.name),
      ...(checker.name === 'linearizability' && this.linearizabilityUndecided ? { inconclusive: true } : {}),
    }));
  }

  /** Chosen slots, applied logs, what each client operation did, and the last leader: for verdicts. */
  summary(): MultiPaxosSummary {
    let slotsChosen = 0;
    for (const ledger of this.slots.values()) if (ledger.chosen !== null) slotsChosen += 1;
    const operations = this.operations.length;
    const completed = this.operations.filter((operation) => operation.completeMs !== null && !operation.gaveUp).length;
    const gaveUp = this.operations.filter((operation) => operation.gaveUp).length;
    const applied = dictFrom(this.context.replicas.map((replica) => [replica, this.nextSlotOf.get(replica) ?? 0]));
    return { slotsChosen, applied, operations, completed, gaveUp, inFlight: operations - completed - gaveUp, leader: this.lastLeader };
  }

  private ledger(slot: number): SlotLedger {
    let ledger = this.slots.get(slot);
    if (ledger === undefined) {
      ledger = { chosen: null, votes: null, ballots: new BallotLedger(), learned: null, applied: null };
      this.slots.set(slot, ledger);
    }
    return ledger;
  }

  /** A (slot, ballot, command) accepted by a majority is chosen; a second command chosen in one slot breaks agreement. */
  private onAccept(node: NodeId, slot: number, ballot: Ballot, command: Command, t: number, report: (checker: string, message: string) => void): AnyTraceEvent | null {
    const ledger = this.ledger(slot);
    const key = commandKey(command);
    const acceptance = { node, key, description: describeCommand(command), t };
    const sameBallot = ledger.ballots.accept(ballot, acceptance);
    if (sameBallot !== null) report('ballot-uniqueness', describeSecondValue(ballot, acceptance, sameBallot, ` at slot ${slot}`));
    // Another quorum for the chosen command changes nothing.
    if (ledger.chosen !== null && ledger.chosen.key === key) return null;
    const voteKey = `${ballotKey(ballot)}|${key}`;
    const votes = (ledger.votes ??= new Map());
    let voters = votes.get(voteKey);
    if (voters === undefined) {
      voters = new Set();
      votes.set(voteKey, voters);
    }
    if (voters.has(node)) return null;
    voters.add(node);
    const isChosenBy = this.context.isChosenBy;
    if (isChosenBy === undefined ? voters.size !== this.context.quorumSize : !isChosenBy(slot, voters)) return null;
    if (ledger.chosen === null) {
      ledger.chosen = { key, command, ballot, t };
      const suffix = `|${key}`;
      for (const voted of votes.keys()) if (voted.endsWith(suffix)) votes.delete(voted);
      if (votes.size === 0) ledger.votes = null;
      return { t, type: 'chosen', slot, command, ballot };
    }
    if (ledger.chosen.key !== key) {
      report('slot-agreement', `slot ${slot}: ${describeCommand(command)} chosen in ${formatBallot(ballot)} after ${describeCommand(ledger.chosen.command)} was chosen in ${formatBallot(ledger.chosen.ballot)} at t=${ledger.chosen.t}`);
    }
    return null;
  }

  private onLearn(node: NodeId, slot: number, command: Command, t: number, report: (checker: string, message: string) => void): void {
    const ledger = this.ledger(slot);
    const key = commandKey(command);
    if (ledger.chosen !== null && ledger.chosen.key !== key) {
      report('slot-agreement', `${node} learned ${describeCommand(command)} at slot ${slot}, but ${describeCommand(ledger.chosen.command)} was chosen there`);
    } else if (ledger.learned !== null && ledger.learned.key !== key) {
      report('slot-agreement', `${node} learned ${describeCommand(command)} at slot ${slot}, but ${ledger.learned.node} learned another command there at t=${ledger.learned.t}`);
    }
    ledger.learned ??= { key, node, t };
  }

  private onApply(node: NodeId, slot: number, command: Command, duplicate: boolean, t: number, report: (checker: string, message: string) => void): void {
    const ledger = this.ledger(slot);
    const key = commandKey(command);
    const expectedSlot = this.nextSlotOf.get(node) ?? 0;
    if (slot !== expectedSlot) report('log-consistency', `${node} applied slot ${slot} when its next slot was ${expectedSlot}: the log must be applied in order, without gaps`);
    this.nextSlotOf.set(node, slot + 1);
    if (this.context.appliedMustBeChosen === false) {
      // Nothing to compare with but what other replicas applied (below).
    } else if (ledger.chosen === null) {
      report('log-consistency', `${node} applied ${describeCommand(command)} at slot ${slot}, which no majority of replicas had accepted`);
    } else if (ledger.chosen.key !== key) {
      report('log-consistency', `${node} applied ${describeCommand(command)} at slot ${slot}, but ${describeCommand(ledger.chosen.command)} was chosen there`);
    }
    if (ledger.applied !== null && ledger.applied.key !== key) {
      report('log-consistency', `${node} applied ${describeCommand(command)} at slot ${slot}, but ${ledger.applied.node} applied another command there at t=${ledger.applied.t}`);
    }
    ledger.applied ??= { key, node, t };
    if (!isClientCommand(command) || duplicate) return;
    if (!this.appliedIds(node, command.client).add(command.requestId)) {
      report('exactly-once', `${node} applied ${describeCommand(command)} a second time, at slot ${slot}`);
    }
  }

  /** A replica that replays its log from slot 0 after a restart starts a fresh applied log and client table. */
  private forgetApplied(node: NodeId): void {
    this.nextSlotOf.delete(node);
    this.appliedRequests.delete(node);
  }

  private appliedIds(node: NodeId, client: NodeId): IdSet {
    let byClient = this.appliedRequests.get(node);
    if (byClient === undefined) {
      byClient = new Map();
      this.appliedRequests.set(node, byClient);
    }
    let ids = byClient.get(client);
    if (ids === undefined) {
      ids = new IdSet();
      byClient.set(client, ids);
    }
    return ids;
  }

  private onInvoke(client: NodeId, requestId: number, op: KvOp, t: number): void {
    const operation: PendingOperation = { id: this.operations.length, client, requestId, op, invokeMs: t, completeMs: null, result: undefined, gaveUp: false };
    this.operations.push(operation);
    this.openOperation.set(client, operation);
  }

  private onFinished(client: NodeId, result: KvResult | undefined, t: number): void {
    const operation = this.openOperation.get(client);
    if (operation === undefined) return;
    this.openOperation.delete(client);
    if (result === undefined) {
      operation.gaveUp = true;
      return;
    }
    operation.completeMs = t;
    operation.result = result;
    this.completedSinceJudged = true;
  }

  private judgeLinearizability(): string | null {
    const history: HistoryOperation[] = this.operations.map((operation) => ({
      id: operation.id,
      client: operation.client,
      operation: operation.op,
      invokeMs: operation.invokeMs,
      completeMs: operation.gaveUp || operation.completeMs === null ? null : operation.completeMs,
      outcome: outcomeOf(operation),
    }));
    const result = checkLinearizability(history);
    if (result.linearizable === true) {
      this.linearizabilityNote = `${plural(result.operations, 'operation')} on ${plural(result.keys, 'key')} ${result.operations === 1 ? 'is' : 'are'} linearizable (${plural(result.statesExplored, 'state')} explored)`;
      return null;
    }
    if (result.linearizable === 'unknown') {
      this.linearizabilityNote = `inconclusive: ${result.reason}`;
      this.linearizabilityUndecided = true;
      return null;
    }
    return result.explanation;
  }

  /** Once the replicas are healthy, every operation must complete within the deadline. */
  private watchLiveness(nowMs: number, report: (checker: string, message: string) => void): void {
    const options = this.liveness;
    if (options === undefined || this.firstViolation.has('client-liveness')) return;
    if (this.stableSinceMs === null && nowMs > options.quietFromMs && nowMs > this.lastChangeMs && this.majorityConnected()) {
      this.stableSinceMs = Math.max(options.quietFromMs, this.lastChangeMs);
    }
    const first = this.firstOverdue(nowMs);
    if (first === null) return;
    const what = first.gaveUp ? 'gave up on' : 'still waits for';
    report('client-liveness', `${first.client} ${what} #${first.requestId} (invoked at t=${first.invokeMs}) ${options.withinMs} ms after the replicas became healthy at t=${this.stableSinceMs}`);
  }

  /** The first operation (in invoke order) that `overdue(nowMs)` would list, in O(1) amortized per call. */
  private firstOverdue(nowMs: number): PendingOperation | null {
    const options = this.liveness;
    if (options === undefined || this.stableSinceMs === null) return null;
    const since = this.stableSinceMs;
    while (this.settledOperations < this.operations.length) {
      const operation = this.operations[this.settledOperations]!;
      const deadline = Math.max(operation.invokeMs, since) + options.withinMs;
      // Not due yet, and neither is any later operation.
      if (nowMs <= deadline) return null;
      const late = operation.gaveUp ? operation.invokeMs >= since : operation.completeMs === null || operation.completeMs > deadline;
      if (late) return operation;
      this.settledOperations += 1;
    }
    return null;
  }

  /** Operations owed a completion by nowMs that do not have one. */
  private overdue(nowMs: number): PendingOperation[] {
    const options = this.liveness;
    if (options === undefined || this.stableSinceMs === null) return [];
    const since = this.stableSinceMs;
    return this.operations.filter((operation) => {
      const deadline = Math.max(operation.invokeMs, since) + options.withinMs;
      if (nowMs <= deadline) return false;
      return operation.gaveUp ? operation.invokeMs >= since : operation.completeMs === null || operation.completeMs > deadline;
    });
  }

  private majorityConnected(): boolean {
    return this.cluster.connectedComponents().some((component) => component.length >= this.context.quorumSize);
  }

  private describeHeld(checker: string): string {
    if (checker === 'linearizability') return this.linearizabilityNote;
    if (checker === 'client-liveness') {
      return this.stableSinceMs === null ? 'not required: no connected majority of replicas after the last fault' : `every operation completed in time (healthy since t=${this.stableSinceMs})`;
    }
    return MULTIPAXOS_CHECKERS.find((entry) => entry.name === checker)?.summary ?? '';
  }
}

function outcomeOf(operation: PendingOperation): HistoryOperation['outcome'] {
  if (operation.gaveUp || operation.completeMs === null) return { kind: 'unknown' };
  if (operation.op.kind === 'cas') return { kind: 'cas', succeeded: operation.result === true };
  if (operation.op.kind === 'get') return { kind: 'ok', value: (operation.result as string | null) ?? null };
  return { kind: 'ok' };
}

export interface SummaryLine {
  readonly label: string;
  readonly text: string;
}

/** The `log`, `clients` and `leader` lines of a Multi-Paxos verdict, for `paxsim run` and `paxsim check` alike. */
export function multiPaxosSummaryLines(replicas: readonly NodeId[], summary: MultiPaxosSummary): SummaryLine[] {
  const applied = replicas.map((node) => `${node} ${summary.applied[node] ?? 0}`).join(' · ');
  const leader = summary.leader;
  return [
    { label: 'log', text: `${plural(summary.slotsChosen, 'slot')} chosen; applied: ${applied}` },
    {
      label: 'clients',
      text: `${plural(summary.operations, 'operation')}: ${summary.completed} completed, ${summary.gaveUp} gave up (outcome unknown), ${summary.inFlight} in flight at the end`,
    },
    { label: 'leader', text: leader === null ? 'none elected' : `last elected: ${leader.node} ${'term' in leader ? `in term ${leader.term}` : `with ballot ${formatBallot(leader.ballot)}`} at t=${leader.t}` },
  ];
}
