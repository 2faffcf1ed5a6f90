import type { Violation } from '../check/checker.js';
import { violationKind } from '../check/violation-kind.js';
import { protocolNamed } from './registry.js';
import type { ProtocolBug } from './protocol.js';
import { validateScenario } from '../scenario/load.js';
import type { ClientSpec, DelaySpec, Fault, KvOpSpec, NetworkSpec, Scenario } from '../scenario/scenario.js';
import { scenarioToFileObject } from '../scenario/serialize.js';
import { materializeScenario } from '../sim/nemesis.js';
import { assert } from '../util/assert.js';
import { plural } from '../util/plural.js';
import { runScenario, type RunResult } from './runner.js';
import { isProtocolError } from './determinism-guard.js';

/**
 * The shrinker: given a scenario and seed that fail, find a smaller scenario
 * that still fails the same way with the same seed. It is delta debugging
 * (Zeller's ddmin) over fault units, then simpler passes over time, proposals,
 * clients and their operations, the network and fault windows, repeated until
 * a whole round changes nothing.
 *
 * A candidate is kept only when its run (the whole run, as `paxsim run` of
 * the written file would do it) still reproduces the original failure:
 * - its first violation has the same kind (checker and shape, see
 *   check/violation-kind.ts) as the original's first violation;
 * - it fails nothing the original run did not fail (every violation kind and
 *   every unmet expectation was there in the original too);
 * - it is no longer: no more trace events, and its first violation comes at
 *   an event index no later than the original's.
 *
 * Everything is a pure function of (scenario, seed, bug, maxAttempts): the
 * only outside input is `shouldStop`, which the CLI wires to a wall-clock
 * deadline; the shrinker itself never reads a clock (DESIGN.md rule 1).
 */

export interface ShrinkOptions {
  readonly bug?: ProtocolBug | undefined;
  /** Most runs to spend, the first (which finds the failure to keep) included. Default 400. */
  readonly maxAttempts?: number;
  /** Asked before every candidate run; true stops shrinking with what was found so far. */
  readonly shouldStop?: () => boolean;
}

export interface ShrinkSize {
  readonly faults: number;
  /** Faults counting a crash with its restart (a pause with its resume, a drift with its reset) as one. */
  readonly faultUnits: number;
  readonly proposals: number;
  /** Multi-Paxos clients, and their operations (explicit or drawn) in all. */
  readonly clients: number;
  readonly operations: number;
  /** Trace events of the whole run, as replayed from the written file. */
  readonly events: number;
  /** Index of the first violating event. */
  readonly violationEvent: number;
}

export interface ShrinkResult {
  /** The smallest failing scenario found: same seed, no nemesis, faults and proposals written out. */
  readonly scenario: Scenario;
  /** The checker that kept failing. */
  readonly checker: string;
  /** The kind of violation kept (`checker/shape`, see violationKind). */
  readonly kind: string;
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

  const original = judge(runScenario(start, runOptions(seed, options.bug)));
  if (original === null) {
    const bug = options.bug ?? start.bug;
    const withBug = bug === undefined ? '' : ` with bug ${bug}`;
    throw new Error(`scenario ${failing.name} does not fail with seed ${seed}${withBug}: nothing to shrink`);
  }

  const trial = new Trial(start, original, seed, options.bug, maxAttempts, options.shouldStop);
  shrinkToFixpoint(trial);
  return {
    scenario: trial.current,
    checker: original.first.checker,
    kind: original.kind,
    attempts: trial.attempts,
    before: sizeOf(start, original),
    after: sizeOf(trial.current, trial.currentFailure),
    exhausted: trial.exhausted,
  };
}

/** Whole runs, as the written file replays: a violation's aftermath (and the expectations) are part of what must not grow. */
function runOptions(seed: number, bug: ProtocolBug | undefined) {
  return { seed, bug, hash: false } as const;
}

/** What a run failed, in the terms a candidate is judged by. */
interface Failure {
  readonly first: Violation;
  readonly kind: string;
  /** The first violation is a liveness checker's: judged at a deadline, so the run must reach it. */
  readonly isLiveness: boolean;
  /** Violation kinds and unmet expectations, each as one string. */
  readonly failures: ReadonlySet<string>;
  readonly events: number;
}

function judge(result: RunResult): Failure | null {
  const first = result.violations[0];
  if (first === undefined) return null;
  // The protocol reads its own checkers' messages (no-exceptions, a user's invariants); the kind table, paxsim's.
  const ownShape = protocolNamed(result.scenario.protocol)?.violationShape;
  const failures = new Set(result.violations.map((violation) => violationKind(violation, ownShape)));
  for (const check of result.expectation.checks) if (!check.met) failures.add(`expect ${check.what}`);
  const isLiveness = result.checkers.find((report) => report.name === first.checker)?.kind === 'liveness';
  return { first, kind: violationKind(first, ownShape), isLiveness, failures, events: result.eventCount };
}

/** The same failure as the original's, nothing it did not have, and no longer. */
function reproduces(candidate: Failure, original: Failure): boolean {
  return (
    candidate.kind === original.kind &&
    [...candidate.failures].every((failure) => original.failures.has(failure)) &&
    candidate.events <= original.events &&
    candidate.first.event <= original.first.event
  );
}

function sizeOf(scenario: Scenario, failure: Failure): ShrinkSize {
  return {
    faults: scenario.faults.length,
    faultUnits: faultUnits(scenario.faults).length,
    proposals: scenario.proposals.length,
    clients: scenario.clients.length,
    operations: scenario.clients.reduce((total, client) => total + operationCount(client), 0),
    events: failure.events,
    violationEvent: failure.first.event,
  };
}

/** "faults 44 → 1 (…), proposals 6 → 2, events 1413 → 230": the sizes that changed, for CLI lines. */
export function describeShrink(before: ShrinkSize, after: ShrinkSize, arrow = '→'): string {
  const parts = [`faults ${before.faults} ${arrow} ${after.faults}${unitNote(after.faults, after.faultUnits)}`];
  if (before.proposals > 0) parts.push(`proposals ${before.proposals} ${arrow} ${after.proposals}`);
  if (before.clients > 0) parts.push(`clients ${before.clients} ${arrow} ${after.clients}`, `operations ${before.operations} ${arrow} ${after.operations}`);
  parts.push(`events ${before.events} ${arrow} ${after.events}`);
  return parts.join(', ');
}

/** "(3 units)" when crash/restart-style pairs make the fault count look bigger than the story. */
export function unitNote(faults: number, units: number): string {
  return units === faults ? '' : ` (${plural(units, 'fault unit')}: a crash with its restart counts once)`;
}

function operationCount(client: ClientSpec): number {
  return client.ops?.length ?? client.count ?? 0;
}

const SHRINK_LOCATOR = { file: 'shrink', lineOf: () => undefined };

/** The candidate as the loader would normalize it, or null when it is not a valid scenario. */
function revalidate(candidate: Scenario): Scenario | null {
  const loaded = validateScenario(scenarioToFileObject(candidate), SHRINK_LOCATOR);
  if (!loaded.ok) return null;
  // A user protocol's file form names its module; the candidate keeps the protocol as already loaded and its parsed config.
  if (candidate.protocolModule === undefined) return loaded.scenario;
  return { ...loaded.scenario, protocol: candidate.protocol, config: candidate.config, protocolModule: candidate.protocolModule };
}

/** Two candidates are the same scenario iff their file forms are equal (key order is fixed by the serializer). */
function scenarioKey(scenario: Scenario): string {
  return JSON.stringify(scenarioToFileObject(scenario));
}

/**
 * The current best scenario and the budget. `attempt` is the one place a
 * candidate is run: it adopts the candidate when it still reproduces the
 * original failure, which is what keeps every pass's result failing.
 */
class Trial {
  current: Scenario;
  currentFailure: Failure;
  attempts = 1;
  exhausted = false;
  private currentKey: string;

  constructor(
    start: Scenario,
    readonly original: Failure,
    private readonly seed: number,
    private readonly bug: ProtocolBug | undefined,
    private readonly maxAttempts: number,
    private readonly shouldStop: (() => boolean) | undefined,
  ) {
    this.current = start;
    this.currentKey = scenarioKey(start);
    this.currentFailure = original;
  }

  /** When the current scenario's first violation happens. */
  get violationMs(): number {
    return this.currentFailure.first.t;
  }

  /** Runs the candidate (if valid, new and affordable); true, and adopted, when it still reproduces the failure. */
  attempt(candidate: Scenario): boolean {
    if (this.exhausted) return false;
    const normalized = revalidate(candidate);
    if (normalized === null) return false;
    const key = scenarioKey(normalized);
    if (key === this.currentKey) return false;
    if (!this.budgetLeft()) return false;
    this.attempts += 1;
    const failure = judgeCandidate(normalized, this.seed, this.bug);
    if (failure === null || !reproduces(failure, this.original)) return false;
    this.current = normalized;
    this.currentKey = key;
    this.currentFailure = failure;
    return true;
  }

  private budgetLeft(): boolean {
    if (this.attempts >= this.maxAttempts || this.shouldStop?.() === true) this.exhausted = true;
    return !this.exhausted;
  }
}

/** A candidate's failure, or null; a candidate on which a user protocol breaks its contract (a clock read on a path the original never took) reproduces nothing. */
function judgeCandidate(candidate: Scenario, seed: number, bug: ProtocolBug | undefined): ReturnType<typeof judge> {
  try {
    return judge(runScenario(candidate, runOptions(seed, bug)));
  } catch (error) {
    if (isProtocolError(error)) return null;
    throw error;
  }
}

type Pass = (trial: Trial) => boolean;

// Cutting the run at its violation first makes every later candidate's run short.
const PASSES: readonly Pass[] = [trimUntil, removeFaultUnits, removeProposals, removeClients, removeOperations, simplifyNetwork, narrowTimes];

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
// Multi-Paxos clients and their operations

/**
 * Drawn workloads (`{count, ops}`) name their clients c1…cN and draw each
 * one's operations from its own stream, so only the last client can go (the
 * others keep their names and draws) and every client keeps the same number
 * of operations (the prefix of what it drew). Listed clients go one at a time.
 */
function removeClients(trial: Trial): boolean {
  let progress = false;
  let index = 0;
  while (!trial.exhausted) {
    const clients = trial.current.clients;
    const drawn = clients[0]?.ops === undefined;
    if (drawn) index = clients.length - 1;
    if (clients.length <= 1 || index >= clients.length) break;
    // On success the next client has slid into this index (or, drawn, the new last one is up), so stay.
    if (trial.attempt({ ...trial.current, clients: clients.filter((_, other) => other !== index) })) progress = true;
    else if (drawn) break;
    else index += 1;
  }
  return progress;
}

function removeOperations(trial: Trial): boolean {
  let progress = false;
  const clients = trial.current.clients;
  if (clients.length > 0 && clients.every((client) => client.ops === undefined)) return reduceDrawnCount(trial);
  for (let index = 0; index < trial.current.clients.length && !trial.exhausted; index++) {
    const ops = trial.current.clients[index]!.ops;
    if (ops === undefined || ops.length === 0) continue;
    const withOps = (kept: readonly KvOpSpec[]): boolean =>
      trial.attempt({ ...trial.current, clients: trial.current.clients.map((client, other) => (other === index ? { ...client, ops: kept } : client)) });
    if (ddmin(ops, withOps, () => trial.exhausted).length < ops.length) progress = true;
  }
  return progress;
}

/** Fewer operations per client: halve while it still fails, then one at a time. */
function reduceDrawnCount(trial: Trial): boolean {
  const countNow = () => trial.current.clients[0]?.count ?? 0;
  const withCount = (count: number) => trial.attempt({ ...trial.current, clients: trial.current.clients.map((client) => ({ ...client, count })) });
  let progress = false;
  while (countNow() > 1 && !trial.exhausted && withCount(Math.floor(countNow() / 2))) progress = true;
  while (countNow() > 1 && !trial.exhausted && withCount(countNow() - 1)) progress = true;
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
// Pass 4: shorter fault windows

function narrowTimes(trial: Trial): boolean {
  let progress = false;
  if (shortenPairs(trial)) progress = true;
  if (shortenBursts(trial)) progress = true;
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
 * End the run just after its first violation: a safety violation needs
 * nothing after it, so faults and requests after it go and `until` is cut to
 * just past it. Such a run cannot meet a liveness or `chosen` expectation, so
 * for a safety violation those go too (the shrunk file reproduces the
 * violation, and must not add an unmet expectation to it). A violation judged
 * at the run's end (linearizability) or at a deadline (liveness) moves with
 * `until`, so `until` is then bisected down towards the last fault or request.
 */
function trimUntil(trial: Trial): boolean {
  let progress = false;
  const scenario = trial.current;
  const cutMs = trial.violationMs + 1;
  if (cutMs < scenario.untilMs) {
    const candidate: Scenario = {
      ...scenario,
      faults: scenario.faults.filter((fault) => fault.at < cutMs),
      proposals: scenario.proposals.filter((proposal) => proposal.at < cutMs),
      untilMs: cutMs,
      expect: trial.original.isLiveness ? scenario.expect : { safety: scenario.expect.safety },
    };
    if (trial.attempt(candidate)) progress = true;
  }
  const judgedAtEnd = trial.original.isLiveness || trial.violationMs >= trial.current.untilMs;
  for (let step = 0; judgedAtEnd && step < UNTIL_BISECTION_STEPS && !trial.exhausted; step++) {
    const current = trial.current;
    const floorMs = Math.max(1, latestScheduledMs(current));
    const untilMs = floorMs + Math.floor((current.untilMs - floorMs) / 2);
    if (untilMs >= current.untilMs || !trial.attempt({ ...current, untilMs })) break;
    progress = true;
  }
  return progress;
}

const UNTIL_BISECTION_STEPS = 12;

/** The last fault or request time: `until` may not come before it. */
function latestScheduledMs(scenario: Scenario): number {
  return Math.max(...scenario.faults.map((fault) => fault.at), ...scenario.proposals.map((proposal) => proposal.at), 0);
}
