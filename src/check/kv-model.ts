/**
 * The sequential specification that the linearizability checker compares a
 * client history against: a key-value store where every key is an independent
 * register. Because keys never interact, the checker can split a history by
 * key and check each register on its own (P-compositionality).
 */

import type { KvOp } from '../protocols/multipaxos/messages.js';
import { assert, unreachable } from '../util/assert.js';

/** The operations the replicated key-value store offers, as its clients issue them. */
export type KvOperation = KvOp;

export type KvOutcome =
  /** put: value undefined; get: the value read (null = absent). */
  | { readonly kind: 'ok'; readonly value?: string | null }
  /** The answer to a cas that completed. */
  | { readonly kind: 'cas'; readonly succeeded: boolean }
  /** Definitely did NOT take effect (rejected): the checker drops it from the history. */
  | { readonly kind: 'fail' }
  /** Timed out: may or may not have taken effect, at any time after its invocation. */
  | { readonly kind: 'unknown' };

/** One key's register: the value last written, or null while the key is absent. */
export type RegisterValue = string | null;

export const INITIAL_REGISTER: RegisterValue = null;

/** Returned by {@link applyToRegister} when the outcome cannot happen in the given state. */
export const IMPOSSIBLE: unique symbol = Symbol('impossible');

/**
 * The specification, written for reading: the register after `operation`
 * runs on `current` and answers `outcome`, or IMPOSSIBLE if it could not have
 * answered that. An unknown outcome constrains nothing, so only the effect is
 * computed. The checker runs a compiled form ({@link compileRegisterStep});
 * tests keep the two in agreement.
 */
export function applyToRegister(
  current: RegisterValue,
  operation: KvOperation,
  outcome: KvOutcome,
): RegisterValue | typeof IMPOSSIBLE {
  assertOutcomeFits(operation, outcome);
  const unknown = outcome.kind === 'unknown';
  switch (operation.kind) {
    case 'put':
      return operation.value;
    case 'get':
      if (unknown) return current;
      return outcome.kind === 'ok' && outcome.value === current ? current : IMPOSSIBLE;
    case 'cas': {
      const matches = current === operation.expected;
      if (unknown) return matches ? operation.value : current;
      const succeeded = outcome.kind === 'cas' && outcome.succeeded;
      if (succeeded !== matches) return IMPOSSIBLE;
      return matches ? operation.value : current;
    }
    default:
      return unreachable(operation, 'applyToRegister');
  }
}

/**
 * Which outcomes each operation can report. A mismatch means whoever recorded
 * the history has a bug, so it crashes rather than being judged.
 */
export function assertOutcomeFits(operation: KvOperation, outcome: KvOutcome): void {
  if (outcome.kind === 'fail' || outcome.kind === 'unknown') return;
  switch (operation.kind) {
    case 'put':
      assert(outcome.kind === 'ok', () => `put ${operation.key}: outcome must be ok, fail or unknown, got ${outcome.kind}`);
      return;
    case 'get':
      assert(
        outcome.kind === 'ok' && outcome.value !== undefined,
        () => `get ${operation.key}: a completed get must be ok with the value read (null = absent)`,
      );
      return;
    case 'cas':
      assert(outcome.kind === 'cas', () => `cas ${operation.key}: outcome must be cas, fail or unknown, got ${outcome.kind}`);
      return;
    default:
      unreachable(operation, 'assertOutcomeFits');
  }
}

/**
 * The checker's hot loop runs millions of steps, so it works on interned
 * register values (small integers) and a step is four integers rather than a
 * closure over strings. Each kind mirrors one branch of applyToRegister.
 */
export const StepKind = {
  /** put (completed or timed out): any state → b. */
  Write: 0,
  /** completed get that read a: state must be a; unchanged. */
  Read: 1,
  /** cas that reported failure: state must not be a; unchanged. */
  ReadNot: 2,
  /** cas that reported success: state must be a, becomes b. */
  Swap: 3,
  /** cas that timed out: if state is a it becomes b, otherwise unchanged. */
  MaybeSwap: 4,
  /** timed-out get: no constraint, no effect. */
  Nothing: 5,
} as const;
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

export interface CompiledStep {
  readonly kind: StepKind;
  readonly a: number;
  readonly b: number;
}

/**
 * The register values that some operation of a history can tell apart: those
 * completed gets returned and those cas operations expect (and null, the
 * initial value). Every other value behaves identically under every operation
 * of that history: no read matches it, no cas matches it, a failed cas
 * accepts it, a write replaces it. So such values can share one state, which
 * keeps the checker from exploring orders of writes nobody read.
 */
export function distinguishableValues(history: Iterable<{ readonly operation: KvOperation; readonly outcome: KvOutcome }>): Set<RegisterValue> {
  const values = new Set<RegisterValue>([INITIAL_REGISTER]);
  for (const { operation, outcome } of history) {
    if (operation.kind === 'cas') values.add(operation.expected);
    if (operation.kind === 'get' && outcome.kind === 'ok') values.add(outcome.value ?? null);
  }
  return values;
}

/**
 * Maps register values to dense integer ids for the checker's hot loop: id 0
 * is the initial (absent) register, id 1 every value outside `distinguishable`
 * (see distinguishableValues), then one id per distinguishable value.
 */
export class RegisterInterner {
  static readonly UNREAD = 1;
  private readonly ids = new Map<RegisterValue, number>([[INITIAL_REGISTER, 0]]);
  private nextId = 2;

  constructor(private readonly distinguishable: ReadonlySet<RegisterValue>) {}

  id(value: RegisterValue): number {
    if (!this.distinguishable.has(value)) return RegisterInterner.UNREAD;
    const known = this.ids.get(value);
    if (known !== undefined) return known;
    const fresh = this.nextId;
    this.nextId += 1;
    this.ids.set(value, fresh);
    return fresh;
  }
}

export function compileRegisterStep(operation: KvOperation, outcome: KvOutcome, interner: RegisterInterner): CompiledStep {
  assertOutcomeFits(operation, outcome);
  assert(outcome.kind !== 'fail', 'failed operations are dropped before compiling');
  const unknown = outcome.kind === 'unknown';
  switch (operation.kind) {
    case 'put':
      return { kind: StepKind.Write, a: 0, b: interner.id(operation.value) };
    case 'get':
      if (unknown || outcome.kind !== 'ok') return { kind: StepKind.Nothing, a: 0, b: 0 };
      return { kind: StepKind.Read, a: interner.id(outcome.value ?? null), b: 0 };
    case 'cas': {
      const a = interner.id(operation.expected);
      const b = interner.id(operation.value);
      if (unknown) return { kind: StepKind.MaybeSwap, a, b };
      const succeeded = outcome.kind === 'cas' && outcome.succeeded;
      return succeeded ? { kind: StepKind.Swap, a, b } : { kind: StepKind.ReadNot, a, b: 0 };
    }
    default:
      return unreachable(operation, 'compileRegisterStep');
  }
}

/** The register id after a compiled step, or -1 if the step's outcome is impossible in `state`. */
export function runCompiledStep(kind: StepKind, a: number, b: number, state: number): number {
  switch (kind) {
    case StepKind.Write:
      return b;
    case StepKind.Read:
      return state === a ? state : -1;
    case StepKind.ReadNot:
      return state !== a ? state : -1;
    case StepKind.Swap:
      return state === a ? b : -1;
    case StepKind.MaybeSwap:
      return state === a ? b : state;
    case StepKind.Nothing:
      return state;
    default:
      return unreachable(kind, 'runCompiledStep');
  }
}
