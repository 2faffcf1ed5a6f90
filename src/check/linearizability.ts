/**
 * Linearizability checker for what clients of a replicated key-value store
 * observe: is there one sequential order of the operations, consistent with
 * real time, in which every answer is what the sequential model
 * (kv-model.ts) would have given?
 *
 * The search is Wing & Gong's, with Lowe's improvements ("Testing for
 * linearizability", 2017), as in Porcupine and Knossos:
 *  - just-in-time linearization: the history is a doubly linked list of call
 *    and return entries sorted by time; an operation can be linearized next
 *    only if its call comes before the first return still in the list, and a
 *    return reached before its operation was linearized forces a backtrack;
 *  - memoization: a configuration (set of linearized operations, model
 *    state) already explored cannot lead anywhere new, so it is skipped;
 *  - P-compositionality: keys are independent registers, so the history is
 *    linearizable iff each key's sub-history is, and each key is searched
 *    alone (the search is exponential in the worst case, so smaller is much
 *    better).
 *
 * Reductions on top, each argued where it is made, keep histories with many
 * concurrent clients or timeouts tractable without changing a verdict:
 * values nobody read share one model state (distinguishableValues), timed-out
 * puts of such values are dropped (withoutUnobservableTimeouts), reads
 * consistent with the register are linearized at once (markShortcuts),
 * timed-out operations are never linearized as no-ops and identical ones go
 * in invocation order (mayLinearize), and the memo skips configurations
 * dominated by one that used fewer timed-out operations
 * (ExploredConfigurations). Before any search, reads that real time alone
 * rules out (a value never written, or not yet, or a stale read) are
 * violations at once (impossibleRead).
 *
 * A search that exhausts its budget answers 'unknown': the verdict is
 * inconclusive, never a pass.
 *
 * Edge conventions (all lenient: they can hide a violation, never invent one):
 *  - an operation that returns at time t and another invoked at the same t
 *    are treated as concurrent, because integer timestamps cannot order them;
 *  - a timed-out (unknown) operation returns at +infinity, so it can be
 *    linearized anywhere after its invocation, or after everything else,
 *    which is the same as never taking effect. The search accepts as soon as
 *    every completed operation is linearized.
 */

import { assert } from '../util/assert.js';
import {
  INITIAL_REGISTER,
  IMPOSSIBLE,
  RegisterInterner,
  applyToRegister,
  distinguishableValues,
  assertOutcomeFits,
  compileRegisterStep,
  runCompiledStep,
  StepKind,
  type KvOperation,
  type KvOutcome,
  type RegisterValue,
} from './kv-model.js';
import { plural } from '../util/plural.js';

export type { KvOperation, KvOutcome } from './kv-model.js';

export interface HistoryOperation {
  /** Unique within the history. */
  readonly id: number;
  readonly client: string;
  readonly operation: KvOperation;
  readonly invokeMs: number;
  /** null exactly when the outcome is unknown (timed out). */
  readonly completeMs: number | null;
  readonly outcome: KvOutcome;
}

export type LinearizabilityResult =
  /**
   * keys and operations count what was searched: failed operations and
   * timed-out gets are left out, as they cannot affect the verdict.
   * statesExplored sums the configurations memoized over all keys searched.
   */
  | { readonly linearizable: true; readonly keys: number; readonly operations: number; readonly statesExplored: number }
  | {
      readonly linearizable: false;
      readonly key: string;
      readonly explanation: string;
      /** Ids of the longest linearizable prefix found, in linearization order. */
      readonly longestPrefix: readonly number[];
      /** Ids of the operations that could come next after that prefix, none of which could be linearized. */
      readonly stuckAt: readonly number[];
      readonly statesExplored: number;
    }
  | { readonly linearizable: 'unknown'; readonly key: string; readonly reason: string; readonly statesExplored: number };

export interface LinearizabilityOptions {
  /**
   * Budget: the most distinct (linearized set, register) configurations the
   * search may visit for one key before giving up with 'unknown' (rather
   * than hang). Each costs about 24 to 32 bytes, plus 4 per 32 operations in
   * the window of concurrent operations (plus 4 per 32 timed-out operations
   * of the key), so the default bounds the memo near 40 MB per key. Linearizable histories with about ten concurrent clients
   * need a few configurations per operation.
   */
  readonly maxStatesPerKey?: number;
}

export const DEFAULT_MAX_STATES_PER_KEY = 1_000_000;

export function checkLinearizability(
  history: readonly HistoryOperation[],
  options: LinearizabilityOptions = {},
): LinearizabilityResult {
  const maxStates = options.maxStatesPerKey ?? DEFAULT_MAX_STATES_PER_KEY;
  assert(Number.isInteger(maxStates) && maxStates > 0, () => `maxStatesPerKey must be a positive integer, got ${maxStates}`);
  validateHistory(history);
  const byKey = partitionByKey(history);
  let statesExplored = 0;
  let operations = 0;
  let firstUnknown: { key: string; reason: string } | null = null;
  for (const [key, ops] of byKey) {
    operations += ops.length;
    const impossible = impossibleRead(key, ops);
    if (impossible !== null) return { linearizable: false, key, ...impossible, statesExplored };
    const verdict = new KeySearch(key, withoutUnobservableTimeouts(ops), maxStates).run();
    statesExplored += verdict.statesExplored;
    if (verdict.kind === 'violation') {
      // A definite violation outranks a budget overrun on an earlier key.
      return { linearizable: false, key, ...verdict.violation, statesExplored };
    }
    if (verdict.kind === 'budget' && firstUnknown === null) firstUnknown = { key, reason: verdict.reason };
  }
  if (firstUnknown !== null) return { linearizable: 'unknown', ...firstUnknown, statesExplored };
  return { linearizable: true, keys: byKey.length, operations, statesExplored };
}

/** A malformed history is a bug in whoever recorded it (paxsim), not a verdict. */
function validateHistory(history: readonly HistoryOperation[]): void {
  const ids = new Set<number>();
  for (const op of history) {
    assert(!ids.has(op.id), () => `history: duplicate operation id ${op.id}`);
    ids.add(op.id);
    assert(Number.isFinite(op.invokeMs), () => `history: operation ${op.id} has invokeMs ${op.invokeMs}`);
    assertOutcomeFits(op.operation, op.outcome);
    if (op.outcome.kind === 'unknown') {
      assert(op.completeMs === null, () => `history: operation ${op.id} timed out but has completeMs ${op.completeMs}`);
    } else if (op.outcome.kind !== 'fail') {
      const complete = op.completeMs;
      assert(complete !== null && Number.isFinite(complete), () => `history: completed operation ${op.id} needs a completeMs`);
      assert(complete >= op.invokeMs, () => `history: operation ${op.id} completes at ${complete}, before its invocation at ${op.invokeMs}`);
    }
  }
}

/**
 * Splits the history into per-key sub-histories, each sorted by (invokeMs,
 * id), keys in code-unit order, so the search order depends only on the input.
 * Failed operations did not happen, and a timed-out get neither constrains nor
 * changes anything: both are dropped here.
 */
function partitionByKey(history: readonly HistoryOperation[]): Array<[string, HistoryOperation[]]> {
  const relevant = history.filter((op) => op.outcome.kind !== 'fail' && !(op.operation.kind === 'get' && op.outcome.kind === 'unknown'));
  const sorted = [...relevant].sort((x, y) => x.invokeMs - y.invokeMs || x.id - y.id);
  const groups = new Map<string, HistoryOperation[]>();
  for (const op of sorted) {
    const group = groups.get(op.operation.key);
    if (group === undefined) groups.set(op.operation.key, [op]);
    else group.push(op);
  }
  const keys = [...groups.keys()].sort(compareCodeUnits);
  return keys.map((key) => [key, groups.get(key) as HistoryOperation[]]);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Drops timed-out puts whose value nobody could have observed. Without this,
 * each pending timed-out put multiplies the configurations to explore (it
 * may be linearized at every point or never), which is what makes checkers
 * blow up under partitions.
 *
 * Sound because such a put p of v changes nothing anyone saw: in any
 * linearization, the operations between p and the next write read nothing
 * (no completed get returned v, no cas expects v, no completed cas failed), so
 * removing p and moving any timed-out cas there to the end keeps the order
 * legal; conversely p can always go last. A completed cas that failed could
 * have failed because of p, so keys with one keep every put.
 */
function withoutUnobservableTimeouts(ops: readonly HistoryOperation[]): readonly HistoryOperation[] {
  if (ops.some(({ outcome }) => outcome.kind === 'cas' && !outcome.succeeded)) return ops;
  const observed = distinguishableValues(ops);
  return ops.filter((op) => !(op.operation.kind === 'put' && op.outcome.kind === 'unknown' && !observed.has(op.operation.value)));
}

/**
 * Pruning before the search (Lowe; Porcupine): a completed operation that
 * needs the register to hold v (a get that returned v, a cas that succeeded
 * expecting v) when no order can give it v, decided from real time alone, so
 * it is a violation at once, however many concurrent operations would make
 * the search give up:
 *  - unwritten: v is not the initial value and no operation that could write
 *    v (a put of v, a cas to v that did not fail) was invoked by the time it
 *    returned;
 *  - overwritten (a stale read): a definite write W of another value (a
 *    completed put, a cas that succeeded) returned before it was invoked, and
 *    every operation that could write v and was invoked by the time it
 *    returned had returned before W was invoked (the initial value counts as
 *    written before everything). Then in every order W comes before it, every
 *    write of v comes before W or after it, and the register it sees was
 *    last written by W or a later write of another value.
 * Among several, the one that returned first is reported.
 */
function impossibleRead(key: string, ops: readonly HistoryOperation[]): Omit<Extract<LinearizabilityResult, { linearizable: false }>, 'linearizable' | 'key' | 'statesExplored'> | null {
  const writes = new WriteIndex(ops);
  let culprit: { op: HistoryOperation; why: string } | null = null;
  for (const op of ops) {
    const needed = requiredValue(op);
    const completeMs = op.completeMs;
    if (needed === undefined || completeMs === null || (culprit !== null && completeMs >= (culprit.op.completeMs as number))) continue;
    const why = writes.whyImpossible(needed, op.invokeMs, completeMs);
    if (why !== null) culprit = { op, why };
  }
  if (culprit === null) return null;
  return { explanation: `key ${JSON.stringify(key)}: ${describeOperation(culprit.op)}, but ${culprit.why}`, longestPrefix: [], stuckAt: [culprit.op.id] };
}

/** One key's writes, indexed for impossibleRead's real-time questions. */
class WriteIndex {
  /** Per value: the operations that could write it, by invocation, with the latest return among each prefix (+Infinity once one timed out). */
  private readonly writersOf = new Map<RegisterValue, { invokeMs: number[]; latestReturnMs: number[] }>();
  /** Definite writes by return time; per prefix, the two latest-invoked with different values. */
  private readonly definiteReturnMs: number[] = [];
  private readonly latestInvoked: Array<readonly [HistoryOperation | null, HistoryOperation | null]> = [];

  constructor(ops: readonly HistoryOperation[]) {
    const writers = ops.filter((op) => writtenValue(op) !== undefined).sort((a, b) => a.invokeMs - b.invokeMs);
    for (const op of writers) {
      const value = writtenValue(op) as RegisterValue;
      let entry = this.writersOf.get(value);
      if (entry === undefined) {
        entry = { invokeMs: [], latestReturnMs: [] };
        this.writersOf.set(value, entry);
      }
      const previous = entry.latestReturnMs.at(-1) ?? Number.NEGATIVE_INFINITY;
      entry.invokeMs.push(op.invokeMs);
      entry.latestReturnMs.push(Math.max(previous, op.completeMs ?? Number.POSITIVE_INFINITY));
    }
    const definite = ops.filter((op) => isDefiniteWrite(op)).sort((a, b) => (a.completeMs as number) - (b.completeMs as number));
    let best: HistoryOperation | null = null;
    let second: HistoryOperation | null = null;
    for (const op of definite) {
      if (best === null || op.invokeMs > best.invokeMs) {
        if (best !== null && writtenValue(best) !== writtenValue(op)) second = best;
        best = op;
      } else if (writtenValue(op) !== writtenValue(best) && (second === null || op.invokeMs > second.invokeMs)) {
        second = op;
      }
      this.definiteReturnMs.push(op.completeMs as number);
      this.latestInvoked.push([best, second]);
    }
  }

  /** Why no order lets an operation over [invokeMs, completeMs] see `value`, or null if real time alone does not rule it out. */
  whyImpossible(value: RegisterValue, invokeMs: number, completeMs: number): string | null {
    const writers = this.writersOf.get(value);
    const invokedBy = writers === undefined ? 0 : countAtMost(writers.invokeMs, completeMs);
    if (value !== INITIAL_REGISTER && invokedBy === 0) {
      return writers === undefined
        ? `no operation ever writes ${formatValue(value)}`
        : `no operation writing ${formatValue(value)} was invoked before it returned (the first at t=${writers.invokeMs[0]})`;
    }
    const returnedBefore = countBelow(this.definiteReturnMs, invokeMs);
    if (returnedBefore === 0) return null;
    const [best, second] = this.latestInvoked[returnedBefore - 1]!;
    const overwrite = best !== null && writtenValue(best) !== value ? best : second;
    if (overwrite === null) return null;
    const latestWriterReturnMs = invokedBy === 0 ? Number.NEGATIVE_INFINITY : writers!.latestReturnMs[invokedBy - 1]!;
    if (latestWriterReturnMs >= overwrite.invokeMs) return null;
    return (
      `${describeOperation(overwrite)} returned before it was invoked, and every operation writing ${formatValue(value)} ` +
      `that could precede it had returned before that write was invoked (a stale read)`
    );
  }
}

/** How many of the ascending `sorted` are <= limit. */
function countAtMost(sorted: readonly number[], limit: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as number) <= limit) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** How many of the ascending `sorted` are < limit. */
function countBelow(sorted: readonly number[], limit: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as number) < limit) low = middle + 1;
    else high = middle;
  }
  return low;
}

function isDefiniteWrite(op: HistoryOperation): boolean {
  if (op.completeMs === null) return false;
  if (op.operation.kind === 'put') return op.outcome.kind === 'ok';
  return op.operation.kind === 'cas' && op.outcome.kind === 'cas' && op.outcome.succeeded;
}

/** The value an operation may leave in the register (put; cas unless it failed), or undefined. */
function writtenValue(op: HistoryOperation): RegisterValue | undefined {
  const { operation, outcome } = op;
  if (operation.kind === 'put') return operation.value;
  if (operation.kind === 'cas' && !(outcome.kind === 'cas' && !outcome.succeeded)) return operation.value;
  return undefined;
}

/** The value a completed operation's answer says the register held (get; successful cas), or undefined. */
function requiredValue(op: HistoryOperation): RegisterValue | undefined {
  const { operation, outcome } = op;
  if (operation.kind === 'get' && outcome.kind === 'ok') return outcome.value ?? null;
  if (operation.kind === 'cas' && outcome.kind === 'cas' && outcome.succeeded) return operation.expected;
  return undefined;
}

type KeyVerdict =
  | { readonly kind: 'linearizable'; readonly statesExplored: number }
  | {
      readonly kind: 'violation';
      readonly statesExplored: number;
      readonly violation: { readonly explanation: string; readonly longestPrefix: number[]; readonly stuckAt: number[] };
    }
  | { readonly kind: 'budget'; readonly statesExplored: number; readonly reason: string };

/** The deepest point the search reached before it had to backtrack: what the explanation shows. */
interface DeepestPoint {
  readonly prefix: number[];
  /** The operation whose return was reached before it could be linearized. */
  readonly blocking: number;
  readonly candidates: number[];
}

/**
 * The search over one key. Operations are numbered by rank (position in the
 * sorted sub-history); entry 2r is the call of operation r and 2r+1 its
 * return, and two sentinels bracket the list so unlinking needs no branches.
 */
class KeySearch {
  private readonly size: number;
  private readonly stepKind: Int32Array;
  private readonly stepA: Int32Array;
  private readonly stepB: Int32Array;
  /** 1 for operations that completed; the search is done when all of these are linearized. */
  private readonly completed: Uint8Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly head: number;
  /** 1 for operations that may be linearized at once whenever they leave the register unchanged (see shortcutCandidate). */
  private readonly shortcut: Uint8Array;
  /**
   * For a timed-out operation, the nearest lower rank with the identical step
   * (same kind and values) that also timed out, or -1: such twins are
   * linearized in rank order (see mayLinearize).
   */
  private readonly earlierTwin: Int32Array;
  private deepest: DeepestPoint | null = null;

  // The search's current configuration and the choices that led to it.
  /**
   * Linearized operations, split for the dominance memo (ExploredConfigurations):
   * completed ones in a LinearizedSet (by their index among completed
   * operations, so it stays compact), timed-out ones in a plain bitset (by
   * their index among timed-out operations). bitIndex maps a rank to either.
   */
  private readonly linearized: LinearizedSet;
  private readonly pendingUsed: Uint32Array;
  private readonly bitIndex: Int32Array;
  private readonly visited: ExploredConfigurations;
  private readonly stackOps: Int32Array;
  private readonly stackRegisters: Int32Array;
  private readonly stackForced: Uint8Array;
  private depth = 0;
  private register = 0;
  private completedLeft: number;

  constructor(
    private readonly key: string,
    private readonly ops: readonly HistoryOperation[],
    private readonly maxStates: number,
  ) {
    this.size = ops.length;
    this.stepKind = new Int32Array(this.size);
    this.stepA = new Int32Array(this.size);
    this.stepB = new Int32Array(this.size);
    this.completed = new Uint8Array(this.size);
    this.shortcut = new Uint8Array(this.size);
    const interner = new RegisterInterner(distinguishableValues(ops));
    ops.forEach((op, rank) => {
      this.completed[rank] = op.completeMs === null ? 0 : 1;
      const step = compileRegisterStep(op.operation, op.outcome, interner);
      this.stepKind[rank] = step.kind;
      this.stepA[rank] = step.a;
      this.stepB[rank] = step.b;
    });
    this.markShortcuts();
    this.earlierTwin = this.findEarlierTwins();
    this.completedLeft = this.completed.reduce((sum, flag) => sum + flag, 0);
    this.bitIndex = new Int32Array(this.size);
    let completedCount = 0;
    let pendingCount = 0;
    for (let rank = 0; rank < this.size; rank++) {
      this.bitIndex[rank] = this.completed[rank] === 1 ? completedCount++ : pendingCount++;
    }
    this.linearized = new LinearizedSet(completedCount);
    this.pendingUsed = new Uint32Array(Math.ceil(pendingCount / 32));
    this.visited = new ExploredConfigurations(this.pendingUsed.length);
    this.stackOps = new Int32Array(this.size);
    this.stackRegisters = new Int32Array(this.size);
    this.stackForced = new Uint8Array(this.size);
    this.head = 2 * this.size;
    this.next = new Int32Array(2 * this.size + 2);
    this.prev = new Int32Array(2 * this.size + 2);
    this.linkEntriesInTimeOrder();
  }

  run(): KeyVerdict {
    let entry = this.next[this.head] as number;
    let fresh = true;
    while (this.completedLeft > 0) {
      if (this.visited.size > this.maxStates) return this.budgetExceeded();
      let dead = false;
      if (fresh) {
        fresh = false;
        const forced = this.shortcutCandidate();
        if (forced >= 0) {
          if (this.tryLinearize(forced, this.register, true)) {
            entry = this.next[this.head] as number;
            fresh = true;
            continue;
          }
          dead = true;
        }
      }
      if (!dead && (entry & 1) === 0) {
        const rank = entry >> 1;
        const after = this.step(rank);
        if (after >= 0 && this.mayLinearize(rank, after) && this.tryLinearize(rank, after, false)) {
          entry = this.next[this.head] as number;
          fresh = true;
          continue;
        }
        entry = this.next[entry] as number;
        continue;
      }
      // Either a return was reached (its operation should have been
      // linearized by now, and no candidate before it leads anywhere new) or
      // the shortcut showed this configuration dead: undo choices.
      if (!dead) this.noteDeepest(entry >> 1);
      const resumeAfter = this.backtrack();
      if (resumeAfter < 0) return { kind: 'violation', statesExplored: this.visited.size, violation: this.explain() };
      entry = this.next[2 * resumeAfter] as number;
    }
    return { kind: 'linearizable', statesExplored: this.visited.size };
  }

  /** The register after operation `rank` runs now, or -1 if its outcome is impossible here. */
  private step(rank: number): number {
    return runCompiledStep(this.stepKind[rank] as StepKind, this.stepA[rank] as number, this.stepB[rank] as number, this.register);
  }

  /**
   * Which operations can take the shortcut (partial-order reduction): when
   * one of them is a candidate and leaves the register as it is, some
   * completion of the current configuration (if any exists) starts with it.
   * Take any completion and move the operation to its front: nothing before
   * it had to precede it in real time (every remaining return comes after a
   * candidate's call), and the states the others see do not change, because
   *  - a read (completed get, failed cas) never changes the register;
   *  - a write of an unread value (see distinguishableValues) leaves the
   *    register in a state only a write can follow, provided the key has no
   *    failed or timed-out cas (the only steps that accept that state without
   *    writing), so removing it from its old place changes nothing.
   * Other writes of the current value may matter where they stand, so they
   * get no shortcut.
   */
  private markShortcuts(): void {
    let blindWritesSafe = true;
    for (let rank = 0; rank < this.size; rank++) {
      const kind = this.stepKind[rank];
      if (kind === StepKind.ReadNot || kind === StepKind.MaybeSwap) blindWritesSafe = false;
    }
    for (let rank = 0; rank < this.size; rank++) {
      const kind = this.stepKind[rank];
      const read = kind === StepKind.Read || kind === StepKind.ReadNot;
      const blindWrite = kind === StepKind.Write && this.stepB[rank] === RegisterInterner.UNREAD && this.completed[rank] === 1;
      this.shortcut[rank] = read || (blindWrite && blindWritesSafe) ? 1 : 0;
    }
  }

  /**
   * A candidate that may take the shortcut (see markShortcuts) and leaves the
   * register unchanged, or -1. It is linearized without trying alternatives,
   * and if that configuration was already explored, this one is dead too.
   */
  private shortcutCandidate(): number {
    for (let entry = this.next[this.head] as number; (entry & 1) === 0; entry = this.next[entry] as number) {
      const rank = entry >> 1;
      if (this.shortcut[rank] === 1 && this.step(rank) === this.register) return rank;
    }
    return -1;
  }

  /**
   * Two restrictions on timed-out operations (their return is at +infinity,
   * so they can always be put off until after everything, i.e. never), each
   * keeping at least one linearization whenever there is one:
   *  - one that would leave the register as it is (a cas whose expected
   *    value is not there, a put of the value already there) is not
   *    linearized now: dropping it from a linearization changes no state;
   *  - identical ones go in rank (invocation) order: in a linearization that
   *    places a later twin before an earlier one (or the later one alone),
   *    exchanging the two keeps every state, and the earlier one may stand
   *    wherever the later one did because it was invoked no later.
   * Without them, each pending timed-out operation doubles the
   * configurations (linearized or not), which is what exhausts the budget
   * on histories whose clients time out often (Jepsen-style etcd registers).
   */
  private mayLinearize(rank: number, after: number): boolean {
    if (this.completed[rank] === 1) return true;
    if (after === this.register) return false;
    const twin = this.earlierTwin[rank] as number;
    if (twin >= 0 && !this.isLinearized(twin)) return false;
    return this.stepKind[rank] !== StepKind.Write || !this.casCanStandIn(after);
  }

  /**
   * Whether a timed-out cas that is a candidate now would take the register
   * from its current value to `after`, as a timed-out put being considered
   * would. Then the cas goes first: in a linearization using the put here,
   * swap the two (the cas here gives the same state; the put, invoked before
   * this point, can stand wherever the cas stood, writing the same value, or
   * stay unused with it), so keeping the put, which works from any state,
   * loses nothing.
   */
  private casCanStandIn(after: number): boolean {
    for (let entry = this.next[this.head] as number; (entry & 1) === 0; entry = this.next[entry] as number) {
      const rank = entry >> 1;
      if (this.completed[rank] === 0 && this.stepKind[rank] === StepKind.MaybeSwap && this.stepA[rank] === this.register && this.stepB[rank] === after) {
        return true;
      }
    }
    return false;
  }

  private findEarlierTwins(): Int32Array {
    const earlier = new Int32Array(this.size).fill(-1);
    const lastOfStep = new Map<string, number>();
    for (let rank = 0; rank < this.size; rank++) {
      if (this.completed[rank] === 1) continue;
      const step = `${this.stepKind[rank]} ${this.stepA[rank]} ${this.stepB[rank]}`;
      earlier[rank] = lastOfStep.get(step) ?? -1;
      lastOfStep.set(step, rank);
    }
    return earlier;
  }

  /** Linearizes `rank` next unless that configuration was explored already; `forced` marks the shortcut. */
  private tryLinearize(rank: number, after: number, forced: boolean): boolean {
    this.mark(rank);
    if (!this.visited.addIfNew(this.linearized, after, this.pendingUsed)) {
      this.unmark(rank);
      return false;
    }
    this.stackOps[this.depth] = rank;
    this.stackRegisters[this.depth] = this.register;
    this.stackForced[this.depth] = forced ? 1 : 0;
    this.depth += 1;
    this.register = after;
    this.completedLeft -= this.completed[rank] as number;
    this.lift(rank);
    return true;
  }

  private mark(rank: number): void {
    const index = this.bitIndex[rank] as number;
    if (this.completed[rank] === 1) this.linearized.add(index);
    else this.pendingUsed[index >>> 5] = (this.pendingUsed[index >>> 5] as number) | (1 << (index & 31));
  }

  private unmark(rank: number): void {
    const index = this.bitIndex[rank] as number;
    if (this.completed[rank] === 1) this.linearized.remove(index);
    else this.pendingUsed[index >>> 5] = (this.pendingUsed[index >>> 5] as number) & ~(1 << (index & 31));
  }

  private isLinearized(rank: number): boolean {
    const index = this.bitIndex[rank] as number;
    if (this.completed[rank] === 1) return this.linearized.has(index);
    return (((this.pendingUsed[index >>> 5] as number) >>> (index & 31)) & 1) === 1;
  }

  /**
   * Undoes the latest choice and returns the operation whose call entry the
   * scan resumes after, or -1 when every choice is exhausted. A shortcut
   * was the only option of its configuration, so undoing it keeps undoing.
   */
  private backtrack(): number {
    while (this.depth > 0) {
      this.depth -= 1;
      const rank = this.stackOps[this.depth] as number;
      this.register = this.stackRegisters[this.depth] as number;
      this.unmark(rank);
      this.completedLeft += this.completed[rank] as number;
      this.unlift(rank);
      if (this.stackForced[this.depth] === 0) return rank;
    }
    return -1;
  }

  /** Sorts calls and returns by time; at equal times calls go first, so touching intervals count as concurrent. */
  private linkEntriesInTimeOrder(): void {
    const time = (entry: number): number => {
      const op = this.ops[entry >> 1] as HistoryOperation;
      return (entry & 1) === 0 ? op.invokeMs : (op.completeMs ?? Number.POSITIVE_INFINITY);
    };
    const entries = Array.from({ length: 2 * this.size }, (_, entry) => entry);
    // Infinity - Infinity is NaN, which is falsy, so timed-out returns fall through to the tie-breaks.
    entries.sort((x, y) => time(x) - time(y) || (x & 1) - (y & 1) || x - y);
    let previous = this.head;
    for (const entry of entries) {
      this.next[previous] = entry;
      this.prev[entry] = previous;
      previous = entry;
    }
    const tail = this.head + 1;
    this.next[previous] = tail;
    this.prev[tail] = previous;
  }

  /** Unlinks an operation's call and return (dancing links: they remember their neighbours for unlift). */
  private lift(rank: number): void {
    this.unlink(2 * rank);
    this.unlink(2 * rank + 1);
  }

  /** Relinks in the reverse order of lift, so every neighbour pointer is restored exactly. */
  private unlift(rank: number): void {
    this.relink(2 * rank + 1);
    this.relink(2 * rank);
  }

  private unlink(entry: number): void {
    const before = this.prev[entry] as number;
    const after = this.next[entry] as number;
    this.next[before] = after;
    this.prev[after] = before;
  }

  private relink(entry: number): void {
    this.next[this.prev[entry] as number] = entry;
    this.prev[this.next[entry] as number] = entry;
  }

  /** Keeps the first deepest dead end: the longest prefix and the operations that could not follow it. */
  private noteDeepest(blocking: number): void {
    if (this.deepest !== null && this.deepest.prefix.length >= this.depth) return;
    const candidates: number[] = [];
    for (let entry = this.next[this.head] as number; (entry & 1) === 0; entry = this.next[entry] as number) {
      candidates.push(entry >> 1);
    }
    const prefix = Array.from(this.stackOps.subarray(0, this.depth));
    this.deepest = { prefix, blocking, candidates };
  }

  private explain(): { explanation: string; longestPrefix: number[]; stuckAt: number[] } {
    const deepest = this.deepest;
    assert(deepest !== null, 'a violation is only reported after a dead end was noted');
    const describe = (rank: number): string => describeOperation(this.ops[rank] as HistoryOperation);
    const prefix = deepest.prefix.length === 0 ? 'none' : listTail(deepest.prefix.map(describe), 6);
    const explanation =
      `key ${JSON.stringify(this.key)}: ${describeClaim(this.ops[deepest.blocking] as HistoryOperation)}, but no order of the operations before it allows that ` +
      `(longest linearizable prefix: ${prefix}; after it the register holds ${formatValue(this.replay(deepest.prefix))}; ` +
      `none of these could be linearized next: ${listHead(deepest.candidates.map(describe), 6)})`;
    const id = (rank: number): number => (this.ops[rank] as HistoryOperation).id;
    return { explanation, longestPrefix: deepest.prefix.map(id), stuckAt: deepest.candidates.map(id) };
  }

  /**
   * The register after `prefix`, by the readable specification: the search
   * keeps only the interned id, which merges values nobody read.
   */
  private replay(prefix: readonly number[]): RegisterValue {
    let register = INITIAL_REGISTER;
    for (const rank of prefix) {
      const op = this.ops[rank] as HistoryOperation;
      const after = applyToRegister(register, op.operation, op.outcome);
      assert(after !== IMPOSSIBLE, () => `replaying the linearizable prefix failed at operation ${op.id}`);
      register = after;
    }
    return register;
  }

  private budgetExceeded(): KeyVerdict {
    const states = this.visited.size;
    const reason =
      `key ${JSON.stringify(this.key)}: gave up after exploring ${plural(states, 'configuration')} ` +
      `(maxStatesPerKey ${this.maxStates}) over ${plural(this.size, 'operation')}; neither linearizability nor a violation was established`;
    return { kind: 'budget', statesExplored: states, reason };
  }
}

/**
 * The set of linearized operations as a bitset, with what the cache needs
 * kept up to date incrementally: a Zobrist hash (XOR of a fixed pseudo-random
 * word per member) and the compact form. Because operations are ranked by
 * invocation, a linearized set is nearly always "everything up to some point,
 * plus a few concurrent ones", so it is stored as the count of leading
 * all-ones words plus the words up to the highest non-zero one.
 */
class LinearizedSet {
  readonly words: Uint32Array;
  hash = 0;
  /** words[0 .. fullWords) are all ones. */
  fullWords = 0;
  /** The highest non-zero word, or -1. */
  top = -1;
  private readonly zobrist: Int32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.zobrist = new Int32Array(size);
    for (let i = 0; i < size; i++) this.zobrist[i] = mix32(i + 1);
  }

  add(i: number): void {
    const w = i >>> 5;
    this.words[w] = (this.words[w] as number) | (1 << (i & 31));
    this.hash ^= this.zobrist[i] as number;
    if (w > this.top) this.top = w;
    while (this.fullWords < this.words.length && this.words[this.fullWords] === 0xffffffff) this.fullWords += 1;
  }

  has(i: number): boolean {
    return (((this.words[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
  }

  remove(i: number): void {
    const w = i >>> 5;
    this.words[w] = (this.words[w] as number) & ~(1 << (i & 31));
    this.hash ^= this.zobrist[i] as number;
    if (w < this.fullWords) this.fullWords = w;
    while (this.top >= 0 && this.words[this.top] === 0) this.top -= 1;
  }

  /** How many words after the full ones the compact form stores. */
  get tailLength(): number {
    return Math.max(0, this.top - this.fullWords + 1);
  }
}

/**
 * The memo of explored configurations: an open-addressing hash table whose
 * slots point into one growing Int32Array pool, because millions of small
 * typed arrays or string keys would cost far more memory and time. Each pool
 * record is [hash, register, fullWords, tailLength, index, ...tail words]; lookups
 * compare the record exactly, so hash collisions cost time, never soundness.
 */
class VisitedConfigurations {
  size = 0;
  private pool = new Int32Array(1 << 12);
  private poolUsed = 0;
  private slots = new Int32Array(1 << 12);

  /** Records (set, register); false if it was already recorded. */
  addIfNew(set: LinearizedSet, register: number): boolean {
    const before = this.size;
    this.indexOf(set, register);
    return this.size > before;
  }

  /** The dense index (0, 1, …, in order of first sight) of (set, register), recording it if new. */
  indexOf(set: LinearizedSet, register: number): number {
    const hash = (set.hash ^ mix32(register ^ 0x5bd1e995)) | 0;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let ref = this.slots[slot] as number; ref !== 0; ref = this.slots[slot] as number) {
      if (this.matches(ref - 1, hash, set, register)) return this.pool[ref - 1 + 4] as number;
      slot = (slot + 1) & mask;
    }
    const index = this.size;
    this.slots[slot] = this.append(hash, set, register, index) + 1;
    this.size += 1;
    if (this.size * 2 > this.slots.length) this.growSlots();
    return index;
  }

  private matches(offset: number, hash: number, set: LinearizedSet, register: number): boolean {
    const pool = this.pool;
    const tail = set.tailLength;
    if (pool[offset] !== hash || pool[offset + 1] !== register || pool[offset + 2] !== set.fullWords || pool[offset + 3] !== tail) {
      return false;
    }
    for (let k = 0; k < tail; k++) {
      if (pool[offset + 5 + k] !== ((set.words[set.fullWords + k] as number) | 0)) return false;
    }
    return true;
  }

  private append(hash: number, set: LinearizedSet, register: number, index: number): number {
    const tail = set.tailLength;
    this.reservePool(5 + tail);
    const offset = this.poolUsed;
    const pool = this.pool;
    pool[offset] = hash;
    pool[offset + 1] = register;
    pool[offset + 2] = set.fullWords;
    pool[offset + 3] = tail;
    pool[offset + 4] = index;
    for (let k = 0; k < tail; k++) pool[offset + 5 + k] = set.words[set.fullWords + k] as number;
    this.poolUsed += 5 + tail;
    return offset;
  }

  private reservePool(words: number): void {
    if (this.poolUsed + words <= this.pool.length) return;
    let capacity = this.pool.length * 2;
    while (capacity < this.poolUsed + words) capacity *= 2;
    assert(capacity < 2 ** 31, 'linearizability memo outgrew its pool; lower maxStatesPerKey');
    const grown = new Int32Array(capacity);
    grown.set(this.pool.subarray(0, this.poolUsed));
    this.pool = grown;
  }

  /** Doubles the table, re-placing every record by its stored hash. */
  private growSlots(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (const ref of old) {
      if (ref === 0) continue;
      let slot = (this.pool[ref - 1] as number) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = ref;
    }
  }
}

/**
 * The memo with dominance (Lowe's cache, strengthened for timed-out
 * operations): a configuration is (completed operations linearized,
 * register, timed-out operations linearized). Of two configurations that
 * agree on the first two, the one that used fewer timed-out operations can do
 * everything the other can (an unused timed-out operation can always stay
 * unused, i.e. take effect after everything), so a configuration is skipped
 * when one with a subset of its timed-out operations was already reached. Per
 * (completed set, register), the timed-out sets seen are kept flat in one
 * array, `words` words each; a set that a newer one makes redundant is dropped.
 */
class ExploredConfigurations {
  size = 0;
  private readonly byCompleted = new VisitedConfigurations();
  private readonly pendingSets: number[][] = [];

  constructor(private readonly words: number) {}

  /** Records the configuration; false if it, or one that dominates it, was recorded before. */
  addIfNew(set: LinearizedSet, register: number, pending: Uint32Array): boolean {
    if (this.words === 0) {
      const added = this.byCompleted.addIfNew(set, register);
      if (added) this.size += 1;
      return added;
    }
    const record = this.byCompleted.indexOf(set, register);
    const seen = (this.pendingSets[record] ??= []);
    const words = this.words;
    let kept = 0;
    for (let start = 0; start < seen.length; start += words) {
      if (isSubset(seen, start, pending, words)) return false;
      if (!isSuperset(seen, start, pending, words)) {
        for (let k = 0; k < words; k++) seen[kept + k] = seen[start + k] as number;
        kept += words;
      }
    }
    seen.length = kept;
    for (let k = 0; k < words; k++) seen.push(pending[k] as number);
    this.size += 1;
    return true;
  }
}

/** Is the set stored at seen[start..start+words) a subset of `set`? */
function isSubset(seen: readonly number[], start: number, set: Uint32Array, words: number): boolean {
  for (let k = 0; k < words; k++) if (((seen[start + k] as number) & ~(set[k] as number)) !== 0) return false;
  return true;
}

function isSuperset(seen: readonly number[], start: number, set: Uint32Array, words: number): boolean {
  for (let k = 0; k < words; k++) if (((set[k] as number) & ~(seen[start + k] as number)) !== 0) return false;
  return true;
}

/** murmur3's 32-bit finalizer: a fixed, well-mixed word per input (no randomness, so runs repeat exactly). */
function mix32(x: number): number {
  let h = Math.imul(x, 0x9e3779b9) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** e.g. `get k1 by c2 [t=40..55] returned "a"`, `put k1="b" by c3 [t=30..?] (timed out)`. */
export function describeOperation(op: HistoryOperation): string {
  const when = `[t=${op.invokeMs}..${op.completeMs ?? '?'}]`;
  const { operation, outcome } = op;
  const timedOut = outcome.kind === 'unknown' ? ' (timed out)' : '';
  switch (operation.kind) {
    case 'put':
      return `put ${operation.key}=${formatValue(operation.value)} by ${op.client} ${when}${timedOut}`;
    case 'get': {
      const read = outcome.kind === 'ok' ? ` returned ${formatValue(outcome.value ?? null)}` : '';
      return `get ${operation.key} by ${op.client} ${when}${read}${timedOut}`;
    }
    case 'cas': {
      const verdict = outcome.kind === 'cas' ? (outcome.succeeded ? ' succeeded' : ' failed') : '';
      return `cas ${operation.key} ${formatValue(operation.expected)}→${formatValue(operation.value)} by ${op.client} ${when}${verdict}${timedOut}`;
    }
  }
}

/** What a completed operation's answer claims, for the operation the search could not place. */
function describeClaim(op: HistoryOperation): string {
  const description = describeOperation(op);
  return op.operation.kind === 'put' ? `${description} must take effect by t=${op.completeMs}` : description;
}

function formatValue(value: RegisterValue): string {
  return value === null ? 'null (absent)' : JSON.stringify(value);
}

/** The last `limit` items, saying how many earlier ones were left out. */
function listTail(items: readonly string[], limit: number): string {
  if (items.length <= limit) return items.join(', ');
  return `… ${items.length - limit} earlier, then ${items.slice(-limit).join(', ')}`;
}

/** The first `limit` items, saying how many more were left out. */
function listHead(items: readonly string[], limit: number): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}
