/**
 * Client histories for timing the linearizability checker: synthetic ones,
 * drawn from a simulated linearizable key-value store, and real ones, read
 * back from a Multi-Paxos run's trace events.
 *
 * The synthetic store is not paxsim: it is a few lines that give each
 * operation a real-time interval and a linearization point inside it, then
 * apply the operations in linearization-point order to a map. Whatever it
 * answers is therefore linearizable by construction, so the checker must
 * say so, and the time it takes is the time a passing run pays.
 */
import type { HistoryOperation, KvOperation, KvOutcome } from '../src/check/linearizability.js';
import type { KvOp, KvResult } from '../src/protocols/multipaxos/messages.js';
import type { AnyTraceEvent } from '../src/sim/events.js';

/** mulberry32: a small, fixed-seed 32-bit generator (the bench's own, so src/ streams are untouched). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticHistorySpec {
  readonly operations: number;
  readonly clients: number;
  readonly keys: number;
  readonly seed: number;
  /** Share of operations whose client gave up (outcome unknown); half of those still take effect. Default 0. */
  readonly timeoutFraction?: number;
}

/** Like the Multi-Paxos clients' default: put 2, get 2, cas 1. */
const MIX = { put: 2, get: 2, cas: 1 } as const;
/** Integer milliseconds, as in a trace: an operation takes 1 to 40 ms, and its client thinks 0 to 3 ms before the next. */
const LATENCY_MS = { min: 1, max: 40 } as const;
const THINK_MS = { min: 0, max: 3 } as const;

interface Draft {
  readonly id: number;
  readonly client: string;
  readonly kind: KvOperation['kind'];
  readonly key: string;
  readonly invokeMs: number;
  readonly completeMs: number;
  /** Where the operation takes effect, strictly inside (invokeMs, completeMs] in real time. */
  readonly pointMs: number;
  readonly timedOut: boolean;
}

/**
 * `operations` operations from `clients` closed-loop clients (one operation
 * at a time each, so about `clients` run concurrently) over `keys` keys.
 * Values written are unique (`<client>.<n>`, as paxsim's clients write) and a
 * cas expects the value its client last saw on that key, so about half of
 * them succeed under contention.
 */
export function linearizableKvHistory(spec: SyntheticHistorySpec): HistoryOperation[] {
  const random = mulberry32(spec.seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const timeoutFraction = spec.timeoutFraction ?? 0;
  const drafts: Draft[] = [];
  const clocks = Array.from({ length: spec.clients }, () => int(0, THINK_MS.max));
  for (let index = 0; index < spec.operations; index++) {
    const client = index % spec.clients;
    const invokeMs = clocks[client]!;
    const completeMs = invokeMs + int(LATENCY_MS.min, LATENCY_MS.max);
    clocks[client] = completeMs + int(THINK_MS.min, THINK_MS.max);
    const draw = random() * (MIX.put + MIX.get + MIX.cas);
    drafts.push({
      id: index,
      client: `c${client + 1}`,
      kind: draw < MIX.put ? 'put' : draw < MIX.put + MIX.get ? 'get' : 'cas',
      key: `k${int(1, spec.keys)}`,
      invokeMs,
      completeMs,
      pointMs: invokeMs + random() * (completeMs - invokeMs),
      timedOut: random() < timeoutFraction,
    });
  }

  // The store: apply in linearization-point order. A client's operations are
  // sequential, so its earlier ones are applied before each of its next.
  const store = new Map<string, string>();
  const lastSeen = new Map<string, string | null>();
  const takesEffect = (draft: Draft): boolean => !draft.timedOut || random() < 0.5;
  const history: HistoryOperation[] = new Array<HistoryOperation>(drafts.length);
  const byPoint = [...drafts].sort((a, b) => a.pointMs - b.pointMs || a.id - b.id);
  for (const draft of byPoint) {
    const current = store.get(draft.key) ?? null;
    const seenKey = `${draft.client} ${draft.key}`;
    let operation: KvOperation;
    let outcome: KvOutcome;
    switch (draft.kind) {
      case 'put': {
        const value = `${draft.client}.${draft.id}`;
        operation = { kind: 'put', key: draft.key, value };
        outcome = { kind: 'ok' };
        if (takesEffect(draft)) store.set(draft.key, value);
        if (!draft.timedOut) lastSeen.set(seenKey, value);
        break;
      }
      case 'get':
        operation = { kind: 'get', key: draft.key };
        outcome = { kind: 'ok', value: current };
        if (!draft.timedOut) lastSeen.set(seenKey, current);
        break;
      case 'cas': {
        const expected = lastSeen.get(seenKey) ?? null;
        const value = `${draft.client}.${draft.id}`;
        const succeeded = current === expected;
        operation = { kind: 'cas', key: draft.key, expected, value };
        outcome = { kind: 'cas', succeeded };
        if (succeeded && takesEffect(draft)) store.set(draft.key, value);
        if (succeeded && !draft.timedOut) lastSeen.set(seenKey, value);
        break;
      }
    }
    history[draft.id] = {
      id: draft.id,
      client: draft.client,
      operation,
      invokeMs: draft.invokeMs,
      completeMs: draft.timedOut ? null : draft.completeMs,
      outcome: draft.timedOut ? { kind: 'unknown' } : outcome,
    };
  }
  return history;
}

/**
 * Collects a Multi-Paxos run's client history from its trace events, as the
 * linearizability checker sees it (multipaxos-checks.ts): one operation per
 * `invoke`, finished by its client's next `complete` or `timeout` (unknown),
 * still open at the end = unknown.
 */
export class HistoryRecorder {
  private readonly operations: { client: string; op: KvOp; invokeMs: number; completeMs: number | null; result: KvResult | undefined }[] = [];
  private readonly open = new Map<string, number>();

  readonly observe = (event: AnyTraceEvent): void => {
    if (event.type === 'invoke') {
      this.open.set(event.client, this.operations.length);
      this.operations.push({ client: event.client, op: event.op, invokeMs: event.t, completeMs: null, result: undefined });
    } else if (event.type === 'complete' || event.type === 'timeout') {
      const index = this.open.get(event.client);
      if (index === undefined) return;
      this.open.delete(event.client);
      if (event.type === 'complete') {
        const operation = this.operations[index]!;
        operation.completeMs = event.t;
        operation.result = event.result;
      }
    }
  };

  history(): HistoryOperation[] {
    return this.operations.map((operation, id) => ({
      id,
      client: operation.client,
      operation: operation.op,
      invokeMs: operation.invokeMs,
      completeMs: operation.completeMs,
      outcome: outcomeOf(operation.op, operation.completeMs, operation.result),
    }));
  }
}

function outcomeOf(op: KvOp, completeMs: number | null, result: KvResult | undefined): KvOutcome {
  if (completeMs === null) return { kind: 'unknown' };
  if (op.kind === 'cas') return { kind: 'cas', succeeded: result === true };
  if (op.kind === 'get') return { kind: 'ok', value: (result as string | null) ?? null };
  return { kind: 'ok' };
}
