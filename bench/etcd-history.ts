/**
 * Register histories shaped like Jepsen's etcd tests (the ones Porcupine
 * decides): one key, values "0".."4" written and read again and again, five
 * worker threads, about 170 history events (invocations plus completions,
 * a timed-out operation counting its invocation and its "info" line). A
 * thread whose operation times out is replaced by a fresh process (new client
 * id), so the timed-out operation stays open forever: it may take effect at any
 * later time, or never. Reads time out too.
 *
 * Linearizable histories come from a real sequential register: each
 * operation gets a linearization point inside its interval (a timed-out one
 * takes effect, half of the time, at a point after its invocation) and the
 * register answers in point order. Non-linearizable ones are one of those with
 * one completed read made stale (see staleRead), which no order can explain.
 *
 * Seeded and self-contained (its own PRNG), so tests and the bench see the
 * same histories on every machine.
 */
import type { HistoryOperation, KvOperation, KvOutcome } from '../src/check/linearizability.js';
import { mulberry32 } from './kv-history.js';

export interface EtcdHistorySpec {
  readonly seed: number;
  /** Invocations plus completions (a timed-out operation counts 2, as its `info` line does). Default 170. */
  readonly events?: number;
  /** Worker threads (concurrent processes). Default 5. */
  readonly threads?: number;
  /** Chance an operation times out. Default 0.12. */
  readonly timeoutRate?: number;
}

export const ETCD_KEY = 'r';
const VALUES = ['0', '1', '2', '3', '4'] as const;
const LATENCY_MS = { min: 1, max: 40 } as const;
/** A client gives up this long after invoking. */
const TIMEOUT_MS = 60;
/** A timed-out operation that takes effect does so within this long after its invocation. */
const LATE_EFFECT_MS = 400;

interface Draft {
  readonly id: number;
  readonly client: string;
  readonly kind: KvOperation['kind'];
  readonly invokeMs: number;
  readonly completeMs: number;
  readonly timedOut: boolean;
  /** Where it takes effect, or null when a timed-out operation never does. */
  readonly pointMs: number | null;
  readonly value: string;
  readonly expected: string;
}

/** A linearizable etcd-like register history (by construction). */
export function etcdLinearizableHistory(spec: EtcdHistorySpec): HistoryOperation[] {
  const random = mulberry32(spec.seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const threads = spec.threads ?? 5;
  const timeoutRate = spec.timeoutRate ?? 0.12;
  const targetEvents = spec.events ?? 170;
  const clocks = Array.from({ length: threads }, () => int(0, 5));
  const processOf = Array.from({ length: threads }, (_, thread) => thread);
  const drafts: Draft[] = [];
  for (let events = 0; events < targetEvents; events += 2) {
    // The thread that is free first goes next (lowest index on ties), as in a closed-loop test.
    const thread = clocks.indexOf(Math.min(...clocks));
    const invokeMs = clocks[thread]!;
    const timedOut = random() < timeoutRate;
    const completeMs = timedOut ? invokeMs + TIMEOUT_MS : invokeMs + int(LATENCY_MS.min, LATENCY_MS.max);
    const pointMs = timedOut
      ? random() < 0.5
        ? invokeMs + random() * LATE_EFFECT_MS
        : null
      : invokeMs + random() * (completeMs - invokeMs);
    const draw = random();
    drafts.push({
      id: drafts.length,
      client: `p${processOf[thread]}`,
      kind: draw < 1 / 3 ? 'get' : draw < 2 / 3 ? 'put' : 'cas',
      invokeMs,
      completeMs,
      timedOut,
      pointMs,
      value: pick(VALUES),
      expected: pick(VALUES),
    });
    clocks[thread] = completeMs + int(0, 3);
    // Jepsen replaces a process whose operation's outcome is unknown.
    if (timedOut) processOf[thread] = processOf[thread]! + threads;
  }
  return applyInPointOrder(drafts);
}

function applyInPointOrder(drafts: readonly Draft[]): HistoryOperation[] {
  let register: string | null = null;
  const outcomes = new Map<number, KvOutcome>();
  const effective = drafts.filter((draft) => draft.pointMs !== null).sort((a, b) => a.pointMs! - b.pointMs! || a.id - b.id);
  for (const draft of effective) {
    if (draft.kind === 'get') {
      outcomes.set(draft.id, { kind: 'ok', value: register });
    } else if (draft.kind === 'put') {
      register = draft.value;
      outcomes.set(draft.id, { kind: 'ok' });
    } else {
      const succeeded = register === draft.expected;
      if (succeeded) register = draft.value;
      outcomes.set(draft.id, { kind: 'cas', succeeded });
    }
  }
  return drafts.map((draft) => {
    const operation: KvOperation =
      draft.kind === 'get'
        ? { kind: 'get', key: ETCD_KEY }
        : draft.kind === 'put'
          ? { kind: 'put', key: ETCD_KEY, value: draft.value }
          : { kind: 'cas', key: ETCD_KEY, expected: draft.expected, value: draft.value };
    return {
      id: draft.id,
      client: draft.client,
      operation,
      invokeMs: draft.invokeMs,
      completeMs: draft.timedOut ? null : draft.completeMs,
      outcome: draft.timedOut ? { kind: 'unknown' } : outcomes.get(draft.id)!,
    };
  });
}

/**
 * The same history with one completed read made stale, or null when it has
 * no read that can be. Read R is changed to return v where some completed
 * definite write W of another value (a put, or a cas that succeeded) finished
 * before R was invoked, and every operation that could leave v in the register
 * (a put of v, a cas to v that did not fail, and the initial state for null)
 * finished before W was invoked or was invoked after R returned. Then in every
 * order the register's last write before R is W or a later write, none of
 * which is v: R cannot read v, so the history is not linearizable.
 */
export function staleRead(history: readonly HistoryOperation[], seed: number): HistoryOperation[] | null {
  const random = mulberry32(seed ^ 0x5eed);
  const candidates: { readId: number; value: string | null }[] = [];
  for (const read of history) {
    if (read.operation.kind !== 'get' || read.outcome.kind !== 'ok' || read.completeMs === null) continue;
    const readValue = read.outcome.value ?? null;
    for (const value of [null, ...VALUES]) {
      if (value !== readValue && isStaleFor(history, read, value)) candidates.push({ readId: read.id, value });
    }
  }
  if (candidates.length === 0) return null;
  const chosen = candidates[Math.floor(random() * candidates.length)]!;
  return history.map((op) => (op.id === chosen.readId ? { ...op, outcome: { kind: 'ok', value: chosen.value } } : op));
}

/**
 * The same history with one completed read R made to return v, where an
 * earlier read R2 (returned before R was invoked) saw another value and every
 * operation that could leave v in the register returned before R2 was
 * invoked or was invoked after R returned. The register held something else
 * at R2 and nothing can bring v back before R: not linearizable. Unlike
 * staleRead, no write need separate the two, so real-time pruning alone
 * often cannot tell (the write after v may be a timed-out operation), and the
 * search has to. Candidates that staleRead would also produce are skipped.
 */
export function staleReadAfterRead(history: readonly HistoryOperation[], seed: number): HistoryOperation[] | null {
  const random = mulberry32(seed ^ 0xa11ce);
  const candidates: { readId: number; value: string | null }[] = [];
  const reads = history.filter((op) => op.operation.kind === 'get' && op.outcome.kind === 'ok' && op.completeMs !== null);
  for (const read of reads) {
    const readValue = read.outcome.kind === 'ok' ? (read.outcome.value ?? null) : null;
    for (const value of [null, ...VALUES]) {
      if (value === readValue || isStaleFor(history, read, value)) continue;
      const writers = history.filter((op) => writesValue(op, value));
      const seenOther = reads.some((earlier) => {
        const earlierValue = earlier.outcome.kind === 'ok' ? (earlier.outcome.value ?? null) : null;
        if (earlierValue === value || earlier.completeMs! >= read.invokeMs) return false;
        return writers.every((writer) => (writer.completeMs !== null && writer.completeMs < earlier.invokeMs) || writer.invokeMs > read.completeMs!);
      });
      if (seenOther) candidates.push({ readId: read.id, value });
    }
  }
  if (candidates.length === 0) return null;
  const chosen = candidates[Math.floor(random() * candidates.length)]!;
  return history.map((op) => (op.id === chosen.readId ? { ...op, outcome: { kind: 'ok', value: chosen.value } } : op));
}

function isStaleFor(history: readonly HistoryOperation[], read: HistoryOperation, value: string | null): boolean {
  const readComplete = read.completeMs!;
  const writers = history.filter((op) => writesValue(op, value));
  return history.some((w) => {
    if (w.completeMs === null || w.completeMs >= read.invokeMs || !isDefiniteWrite(w) || writtenValue(w) === value) return false;
    // Every writer of `value` is over before W starts, or starts after R is over (ties count as overlap).
    return writers.every((writer) => (writer.completeMs !== null && writer.completeMs < w.invokeMs) || writer.invokeMs > readComplete);
  });
}

function writtenValue(op: HistoryOperation): string | null {
  return op.operation.kind === 'get' ? null : op.operation.value;
}

function isDefiniteWrite(op: HistoryOperation): boolean {
  if (op.operation.kind === 'put') return op.outcome.kind === 'ok';
  return op.operation.kind === 'cas' && op.outcome.kind === 'cas' && op.outcome.succeeded;
}

/** Could this operation leave `value` in the register? */
function writesValue(op: HistoryOperation, value: string | null): boolean {
  if (op.operation.kind === 'get' || op.operation.value !== value) return false;
  return !(op.outcome.kind === 'cas' && !op.outcome.succeeded) && op.outcome.kind !== 'fail';
}

/** One row of the bench's etcd-like table: many seeds of one history shape, each linearizable and (when it has one) with a stale read. */
export interface EtcdCheckRow {
  readonly timeoutRate: number;
  readonly seeds: number;
  readonly histories: number;
  /** Of those, made non-linearizable by staleRead and by staleReadAfterRead. */
  readonly staleReads: number;
  readonly staleAfterRead: number;
  /** Verdicts that match how the history was made (none may be wrong; a wrong one is counted here and shown). */
  readonly correct: number;
  readonly wrong: number;
  readonly undecided: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** The seed of the slowest history, to look at. */
  readonly slowestSeed: number;
}

/**
 * Checks `seeds` etcd-like histories (and their stale-read mutations) once
 * each, timing every check with `now` (wall clock, injected: the bench's
 * own), as Porcupine's etcd suite is run: decided count and worst time.
 */
export function measureEtcdHistories(
  timeoutRate: number,
  seeds: number,
  check: (history: readonly HistoryOperation[]) => { readonly linearizable: boolean | 'unknown' },
  now: () => number,
): EtcdCheckRow {
  let histories = 0;
  let staleReads = 0;
  let staleAfterRead = 0;
  let correct = 0;
  let wrong = 0;
  let undecided = 0;
  let maxMs = 0;
  let totalMs = 0;
  let slowestSeed = 1;
  for (let seed = 1; seed <= seeds; seed++) {
    const history = etcdLinearizableHistory({ seed, timeoutRate });
    const mutated = staleRead(history, seed);
    const afterRead = staleReadAfterRead(history, seed);
    if (mutated !== null) staleReads += 1;
    if (afterRead !== null) staleAfterRead += 1;
    for (const [candidate, linearizable] of [[history, true], [mutated, false], [afterRead, false]] as const) {
      if (candidate === null) continue;
      const startMs = now();
      const verdict = check(candidate).linearizable;
      const ms = now() - startMs;
      histories += 1;
      totalMs += ms;
      if (ms > maxMs) {
        maxMs = ms;
        slowestSeed = seed;
      }
      if (verdict === 'unknown') undecided += 1;
      else if (verdict === linearizable) correct += 1;
      else wrong += 1;
    }
  }
  return { timeoutRate, seeds, histories, staleReads, staleAfterRead, correct, wrong, undecided, maxMs, meanMs: totalMs / Math.max(1, histories), slowestSeed };
}
