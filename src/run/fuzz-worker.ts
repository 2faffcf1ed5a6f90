import { parentPort, workerData } from 'node:worker_threads';
import type { ProtocolBug } from './protocol.js';
import type { Scenario } from '../scenario/scenario.js';
import { runFuzzSeed, type SeedResult } from './fuzz-seed.js';
import { ensureProtocolLoaded } from './protocol-loader.js';
import { isProtocolError } from './determinism-guard.js';

/** Messages between the fuzz coordinator and its workers. */
export interface WorkerSetup {
  readonly scenarios: readonly Scenario[];
  readonly bug: ProtocolBug | undefined;
  readonly determinismEvery: number;
}

export interface WorkRequest {
  readonly scenarioIndex: number;
  readonly seeds: readonly number[];
}

/**
 * A chunk's results, packed: almost every seed just passes, and posting a
 * SeedResult object per seed made the coordinator's thread decode an object,
 * its arrays and its strings per seed (most of its work, which competes with
 * the workers for the cores). So each seed is {@link SEED_NUMBERS} numbers;
 * only a seed that did not simply pass (a failure, an inconclusive or
 * nondeterministic seed, a violation that was expected) travels whole.
 * {@link seedResultsOf} unpacks them.
 */
export interface WorkResult {
  /** Per seed run, in order: seed, events, processed events, coverage bits, determinism (1, 0, or -1 when not rechecked), index into `unusual` (-1: it simply passed). */
  readonly numbers: Float64Array;
  /** The seeds that did not simply pass, whole. */
  readonly unusual: readonly SeedResult[];
  /** A seed that could not be judged (a user protocol broke its contract, or paxsim failed): the chunk ends there. */
  readonly aborted: SeedAbort | null;
}

/** Numbers per seed in {@link WorkResult.numbers}. */
const SEED_NUMBERS = 6;

/** Why a seed could not be run to a verdict; `protocol` for a user protocol's contract breach (exit 2), `internal` for paxsim's own failure (exit 3). */
export interface SeedAbort {
  readonly seed: number;
  readonly kind: 'protocol' | 'internal';
  readonly message: string;
}

/** Whether this seed is one of those run twice to catch nondeterminism: chosen by the seed, never by timing. */
export function checksDeterminism(seed: number, every: number): boolean {
  return every > 0 && seed % every === 0;
}

export function runChunk(setup: WorkerSetup, request: WorkRequest): WorkResult {
  const scenario = setup.scenarios[request.scenarioIndex];
  if (scenario === undefined) throw new Error(`no scenario ${request.scenarioIndex}`);
  const numbers = new Float64Array(request.seeds.length * SEED_NUMBERS);
  const unusual: SeedResult[] = [];
  let done = 0;
  const packed = (aborted: SeedAbort | null): WorkResult => ({ numbers: numbers.subarray(0, done * SEED_NUMBERS), unusual, aborted });
  // Caught here, seed by seed, so that what earlier seeds found is still folded, written and reported.
  for (const seed of request.seeds) {
    let result: SeedResult;
    try {
      result = runFuzzSeed(scenario, seed, { bug: setup.bug, checkDeterminism: checksDeterminism(seed, setup.determinismEvery) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return packed({ seed, kind: isProtocolError(error) ? 'protocol' : 'internal', message });
    }
    const at = done * SEED_NUMBERS;
    numbers[at] = seed;
    numbers[at + 1] = result.events;
    numbers[at + 2] = result.processedEvents;
    numbers[at + 3] = result.coverage;
    numbers[at + 4] = result.deterministic === null ? -1 : result.deterministic ? 1 : 0;
    numbers[at + 5] = simplyPassed(result) ? -1 : unusual.push(result) - 1;
    done += 1;
  }
  return packed(null);
}

/** The chunk's per-seed results, in seed order, as {@link runFuzzSeed} returned them. */
export function seedResultsOf(scenario: string, result: WorkResult): SeedResult[] {
  const { numbers, unusual } = result;
  const results: SeedResult[] = [];
  for (let at = 0; at < numbers.length; at += SEED_NUMBERS) {
    const unusualIndex = numbers[at + 5]!;
    if (unusualIndex >= 0) {
      results.push(unusual[unusualIndex]!);
      continue;
    }
    const determinism = numbers[at + 4]!;
    results.push({
      scenario,
      seed: numbers[at]!,
      passed: true,
      inconclusive: false,
      failedCheckers: [],
      unmet: [],
      firstViolation: null,
      events: numbers[at + 1]!,
      processedEvents: numbers[at + 2]!,
      coverage: numbers[at + 3]!,
      deterministic: determinism < 0 ? null : determinism === 1,
    });
  }
  return results;
}

/** A seed whose result {@link seedResultsOf} can rebuild from its numbers alone. */
function simplyPassed(result: SeedResult): boolean {
  return result.passed && !result.inconclusive && result.failedCheckers.length === 0 && result.unmet.length === 0 && result.firstViolation === null;
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'scenarios' in workerData) {
  const setup = workerData as WorkerSetup;
  // A worker starts with the built-in protocols only: load the user protocols its scenarios name, once.
  for (const scenario of setup.scenarios) ensureProtocolLoaded(scenario);
  const port = parentPort;
  port.on('message', (request: WorkRequest) => {
    const result = runChunk(setup, request);
    // Transferred, not copied: the worker never touches a chunk's numbers again.
    port.postMessage(result, [result.numbers.buffer as ArrayBuffer]);
  });
}
