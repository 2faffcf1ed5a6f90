import { CHECKERS } from '../check/suite.js';
import type { ProtocolBug } from './protocol.js';
import { validateScenario } from '../scenario/load.js';
import type { DelaySpec, Fault, NetworkSpec, Scenario } from '../scenario/scenario.js';
import { scenarioToFileObject } from '../scenario/serialize.js';
import { materializeScenario } from '../sim/nemesis.js';
import { assert } from '../util/assert.js';
import { runScenario, type RunResult } from './runner.js';

/**
 * The shrinker: given a scenario and seed that fail, find a smaller scenario
 * that still fails the same checker with the same seed. It is delta debugging
 * (Zeller's ddmin) over fault units, then simpler passes over proposals, the
 * network and time windows, repeated until a whole round changes nothing.
 *
 * Everything is a pure function of (scenario, seed, bug, maxAttempts): the
 * only outside input is `shouldStop`, which the CLI wires to a wall-clock
 * deadline; the shrinker itself never reads a clock (DESIGN.md rule 1).
 */

export interface ShrinkOptions {
  readonly bug?: ProtocolBug | undefined;
  /** Most runs to spend, the first (which finds the checker to keep failing) included. Default 400. */
  readonly maxAttempts?: number;
  /** Asked before every candidate run; true stops shrinking with what was found so far. */
  readonly shouldStop?: () => boolean;
}

export interface ShrinkSize {
  readonly faults: number;
  /** Faults counting a crash with its restart (a pause with its resume, a drift with its reset) as one. */
  readonly faultUnits: number;
  readonly proposals: number;
  /** Trace events of the run with stopOnViolation. */
  readonly events: number;
}

export interface ShrinkResult {
  /** The smallest failing scenario found: same seed, no nemesis, faults and proposals written out. */
  readonly scenario: Scenario;
  /** The checker that kept failing. */
  readonly checker: string;
  /** Runs spent. */
  readonly attempts: number;
  readonly before: ShrinkSize;
  readonly after: ShrinkSize;
  /** True when the budget (maxAttempts or shouldStop) ran out before a round made no progress. */
  readonly exhausted: boolean;
}

export const DEFAULT_SHRINK_ATTEMPTS = 400;

export function shrinkScenario(failing: Scenario, seed: number, options: ShrinkOptions = {}): ShrinkResult {
  const maxAttempts = options.maxAttempts ?? DEFAULT_SHRINK_ATTEMPTS;
  assert(Number.isInteger(maxAttempts) && maxAttempts >= 1, () => `shrink: maxAttempts must be a positive integer, got ${maxAttempts}`);
  // Work on explicit faults and proposals: a nemesis would redraw them from the seed, whatever we removed.
  const start = revalidate(materializeScenario(failing, seed));
  assert(start !== null, () => `shrink: scenario ${failing.name} does not survive a round trip through its file form`);

  const first = runScenario(start, runOptions(seed, options.bug));
  const violation = first.violations[0];
  if (violation === undefined) {
    const bug = options.bug ?? start.bug;
    const withBug = bug === undefined ? '' : ` with bug ${bug}`;
    throw new Error(`scenario ${failing.name} does not fail with seed ${seed}${withBug}: nothing to shrink`);
  }

  const trial = new Trial(start, first, violation.checker, seed, options.bug, maxAttempts, options.shouldStop);
  shrinkToFixpoint(trial);
  return {
    scenario: trial.current,
    checker: trial.checker,
    attempts: trial.attempts,
    before: sizeOf(start, first.eventCount),
    after: sizeOf(trial.current, trial.eventCount),
    exhausted: trial.exhausted,
  };
}

function runOptions(seed: number, bug: ProtocolBug | undefined) {
  return { seed, bug, stopOnViolation: true, hash: false } as const;
}

function sizeOf(scenario: Scenario, events: number): ShrinkSize {
  return { faults: scenario.faults.length, faultUnits: faultUnits(scenario.faults).length, proposals: scenario.proposals.length, events };
}

const SHRINK_LOCATOR = { file: 'shrink', lineOf: () => undefined };

/** The candidate as the loader would normalize it, or null when it is not a valid scenario. */
function revalidate(candidate: Scenario): Scenario | null {
  const loaded = validateScenario(scenarioToFileObject(candidate), SHRINK_LOCATOR);
  return loaded.ok ? loaded.scenario : null;
}

/** Two candidates are the same scenario iff their file forms are equal (key order is fixed by the serializer). */
function scenarioKey(scenario: Scenario): string {
  return JSON.stringify(scenarioToFileObject(scenario));
}

/**
 * The current best scenario and the budget. `attempt` is the one place a
 * candidate is run: it adopts the candidate when it still fails the same
 * checker, which is what keeps every pass's result failing.
 */
class Trial {
  current: Scenario;
  attempts = 1;
  exhausted = false;
  /** Events of the current scenario's run, and when its target violation happened. */
  eventCount: number;
  violationMs: number;
  readonly isSafety: boolean;
  private currentKey: string;

  constructor(
    start: Scenario,
    firstRun: RunResult,
    readonly checker: string,
    private readonly seed: number,
    private readonly bug: ProtocolBug | undefined,
    private readonly maxAttempts: number,
    private readonly shouldStop: (() => boolean) | undefined,
  ) {
    this.current = start;
    this.currentKey = scenarioKey(start);
    this.eventCount = firstRun.eventCount;
    const violationMs = targetViolationMs(firstRun, checker);
    assert(violationMs !== null, () => `shrink: the first run has no ${checker} violation`);
    this.violationMs = violationMs;
    // Unknown names count as safety: only the liveness checker needs the run to reach its deadline.
    this.isSafety = CHECKERS.find((description) => description.name === checker)?.kind !== 'liveness';
  }

  /** Runs the candidate (if valid, new and affordable); true, and adopted, when it still fails the same checker. */
  attempt(candidate: Scenario): boolean {
    if (this.exhausted) return false;
    const normalized = revalidate(candidate);
    if (normalized === null) return false;
    const key = scenarioKey(normalized);
    if (key === this.currentKey) return false;
    if (!this.budgetLeft()) return false;
    this.attempts += 1;
    const result = runScenario(normalized, runOptions(this.seed, this.bug));
    const violationMs = targetViolationMs(result, this.checker);
    if (violationMs === null) return false;
    this.current = normalized;
    this.currentKey = key;
    this.eventCount = result.eventCount;
    this.violationMs = violationMs;
    return true;
  }

  private budgetLeft(): boolean {
    if (this.attempts >= this.maxAttempts || this.shouldStop?.() === true) this.exhausted = true;
    return !this.exhausted;
  }
}

function targetViolationMs(result: RunResult, checker: string): number | null {
  return result.violations.find((violation) => violation.checker === checker)?.t ?? null;
}

type Pass = (trial: Trial) => boolean;

const PASSES: readonly Pass[] = [removeFaultUnits, removeProposals, simplifyNetwork, narrowTimes];

/** Every pass, in order, until a full round makes no progress or the budget is gone. */
function shrinkToFixpoint(trial: Trial): void {
  let progress = true;
  while (progress && !trial.exhausted) {
    progress = false;
    for (const pass of PASSES) {
      // Run every pass each round (no short-circuit): later passes often unlock earlier ones.
      if (pass(trial)) progress = true;
    }
  }
}

// ---------------------------------------------------------------------------
// Pass 1: ddmin over fault units

/**
 * Faults grouped so that removing a group keeps the scenario meaningful: a
 * crash with the node's next restart, a pause with its next resume, a drift
 * with the node's next `rate: 1` reset. Everything else is a unit alone.
 * Each unit lists indices into `faults`, in time order; units are ordered by
 * their first index.
 */
export function faultUnits(faults: readonly Fault[]): number[][] {
  const order = faults.map((fault, index) => ({ fault, index })).sort((a, b) => a.fault.at - b.fault.at || a.index - b.index);
  const units: number[][] = [];
  const open = new Map<string, number[]>();
  for (const { fault, index } of order) {
    const opener = openerKey(fault);
    const closer = closerKey(fault);
    const pending = closer === null ? undefined : open.get(closer);
    if (closer !== null && pending !== undefined) {
      pending.push(index);
      open.delete(closer);
      continue;
    }
    const unit = [index];
    units.push(unit);
    if (opener !== null) open.set(opener, unit);
  }
  return units.sort((a, b) => a[0]! - b[0]!);
}

/** The key under which a fault waits for its matching end, or null when it opens nothing. */
function openerKey(fault: Fault): string | null {
  if (fault.kind === 'crash') return `crash:${fault.node}`;
  if (fault.kind === 'pause') return `pause:${fault.node}`;
  if (fault.kind === 'drift' && fault.rate !== 1) return `drift:${fault.node}`;
  return null;
}

function closerKey(fault: Fault): string | null {
  if (fault.kind === 'restart') return `crash:${fault.node}`;
  if (fault.kind === 'resume') return `pause:${fault.node}`;
  if (fault.kind === 'drift' && fault.rate === 1) return `drift:${fault.node}`;
  return null;
}

function removeFaultUnits(trial: Trial): boolean {
  const base = trial.current;
  const units = faultUnits(base.faults);
  const keep = (kept: readonly (readonly number[])[]): boolean => {
    const indices = new Set(kept.flat());
    return trial.attempt({ ...base, faults: base.faults.filter((_, index) => indices.has(index)) });
  };
  return ddmin(units, keep, () => trial.exhausted).length < units.length;
}

/**
 * Zeller's ddmin, complement-only: split into n chunks, try dropping each;
 * on success keep the rest at a coarser n, otherwise double n until chunks
 * are single items. The result is 1-minimal: no single item can go.
 * `stillFails` must adopt what it accepts, since later tries build on it.
 */
export function ddmin<T>(items: readonly T[], stillFails: (kept: readonly T[]) => boolean, stop: () => boolean = () => false): T[] {
  let current = [...items];
  let granularity = 2;
  while (current.length > 0 && !stop()) {
    const n = Math.min(granularity, current.length);
    const chunks = splitInto(current, n);
    let reduced = false;
    for (let index = 0; index < chunks.length && !stop(); index++) {
      const complement = chunks.filter((_, other) => other !== index).flat();
      if (stillFails(complement)) {
        current = complement;
        granularity = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (n >= current.length) break;
    granularity = Math.min(2 * n, current.length);
  }
  return current;
}

/** n contiguous chunks whose sizes differ by at most one. */
function splitInto<T>(items: readonly T[], n: number): T[][] {
  assert(n >= 1 && n <= items.length, () => `splitInto: ${n} chunks of ${items.length} items`);
  return Array.from({ length: n }, (_, index) => items.slice(Math.floor((index * items.length) / n), Math.floor(((index + 1) * items.length) / n)));
}

// ---------------------------------------------------------------------------
// Pass 2: proposals, one at a time

function removeProposals(trial: Trial): boolean {
  let progress = false;
  let index = 0;
  while (index < trial.current.proposals.length && !trial.exhausted) {
    const proposals = trial.current.proposals.filter((_, other) => other !== index);
    // On success the next proposal has slid into this index, so stay.
    if (trial.attempt({ ...trial.current, proposals })) progress = true;
    else index += 1;
  }
  return progress;
}

// ---------------------------------------------------------------------------
// Pass 3: a kinder network

function simplifyNetwork(trial: Trial): boolean {
  let progress = false;
  const withNetwork = (change: Partial<NetworkSpec>) => trial.attempt({ ...trial.current, network: { ...trial.current.network, ...change } });
  if (trial.current.network.drop > 0 && withNetwork({ drop: 0 })) progress = true;
  if (trial.current.network.duplicate > 0 && withNetwork({ duplicate: 0 })) progress = true;
  if (narrowDelay(trial, (delay) => withNetwork({ delay }), () => trial.current.network.delay)) progress = true;
  if (simplifyBursts(trial)) progress = true;
  return progress;
}

/**
 * First try a fixed delay (max = min), which removes all reordering; failing
 * that, halve the spread while the failure survives.
 */
function narrowDelay(trial: Trial, tryDelay: (delay: DelaySpec) => boolean, delayNow: () => DelaySpec): boolean {
  const delay = delayNow();
  if (delay.max <= delay.min) return false;
  if (tryDelay({ distribution: 'uniform', min: delay.min, max: delay.min })) return true;
  let progress = false;
  while (!trial.exhausted) {
    const current = delayNow();
    const max = current.min + Math.floor((current.max - current.min) / 2);
    if (max >= current.max || !tryDelay({ ...current, max })) break;
    progress = true;
  }
  return progress;
}

/** Drop each of a burst's drop/duplicate/delay in turn; a burst needing none is removed by ddmin next round. */
function simplifyBursts(trial: Trial): boolean {
  let progress = false;
  for (let index = 0; index < trial.current.faults.length && !trial.exhausted; index++) {
    for (const field of ['drop', 'duplicate', 'delay'] as const) {
      const fault = trial.current.faults[index];
      if (fault?.kind !== 'burst' || fault[field] === undefined) continue;
      if (trial.attempt(withFault(trial.current, index, { ...fault, [field]: undefined }))) progress = true;
    }
  }
  return progress;
}

function withFault(scenario: Scenario, index: number, fault: Fault): Scenario {
  return { ...scenario, faults: scenario.faults.map((existing, other) => (other === index ? fault : existing)) };
}

// ---------------------------------------------------------------------------
// Pass 4: shorter time windows

function narrowTimes(trial: Trial): boolean {
  let progress = false;
  if (shortenPairs(trial)) progress = true;
  if (shortenBursts(trial)) progress = true;
  if (trial.isSafety && trimUntil(trial)) progress = true;
  return progress;
}

/**
 * Halve each crash/pause/drift window by moving its end earlier, while the
 * failure survives; the end stays after the start. Windows are visited in
 * order of their start, which moving an end (always to after its start) keeps.
 */
function shortenPairs(trial: Trial): boolean {
  let progress = false;
  let previousStart = -1;
  for (;;) {
    const unit = faultUnits(trial.current.faults).find(([start, end]) => end !== undefined && start! > previousStart && end > start!);
    if (unit === undefined) break;
    const startIndex = unit[0]!;
    previousStart = startIndex;
    while (!trial.exhausted && halveWindow(trial, startIndex)) progress = true;
  }
  return progress;
}

function halveWindow(trial: Trial, startIndex: number): boolean {
  const faults = trial.current.faults;
  const endIndex = faultUnits(faults).find(([start]) => start === startIndex)?.[1];
  assert(endIndex !== undefined, () => `shrink: the fault window starting at faults[${startIndex}] lost its end`);
  const startAt = faults[startIndex]!.at;
  const end = faults[endIndex]!;
  const durationMs = end.at - startAt;
  assert(durationMs >= 0, () => `shrink: fault window ends at ${end.at} before it starts at ${startAt}`);
  if (durationMs < 2) return false;
  return trial.attempt(withFaultMoved(trial.current, endIndex, startIndex, { ...end, at: startAt + Math.floor(durationMs / 2) }));
}

/**
 * The fault at `index` replaced by `moved`, placed where a reader expects it
 * (after everything at or before its time) but never before `notBefore`. The
 * file order breaks ties between equal times, so the candidate's run, not this
 * placement, decides whether it still fails.
 */
function withFaultMoved(scenario: Scenario, index: number, notBefore: number, moved: Fault): Scenario {
  const rest = scenario.faults.filter((_, other) => other !== index);
  const floor = notBefore < index ? notBefore + 1 : notBefore;
  let position = floor;
  while (position < rest.length && rest[position]!.at <= moved.at) position += 1;
  return { ...scenario, faults: [...rest.slice(0, position), moved, ...rest.slice(position)] };
}

function shortenBursts(trial: Trial): boolean {
  let progress = false;
  for (let index = 0; index < trial.current.faults.length && !trial.exhausted; index++) {
    for (;;) {
      const fault = trial.current.faults[index]!;
      if (fault.kind !== 'burst' || fault.forMs < 2) break;
      if (!trial.attempt(withFault(trial.current, index, { ...fault, forMs: Math.floor(fault.forMs / 2) }))) break;
      progress = true;
    }
  }
  return progress;
}

/**
 * A safety violation needs nothing after it: end the run just after the
 * violating event (but not before any fault or proposal, which must be at
 * or before `until`). Liveness is judged at a deadline, so it keeps `until`.
 */
function trimUntil(trial: Trial): boolean {
  const scenario = trial.current;
  const latestMs = Math.max(...scenario.faults.map((fault) => fault.at), ...scenario.proposals.map((proposal) => proposal.at), 0);
  const untilMs = Math.max(trial.violationMs + 1, latestMs, 1);
  return untilMs < scenario.untilMs && trial.attempt({ ...scenario, untilMs });
}
