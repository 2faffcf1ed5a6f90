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

export interface WorkResult {
  readonly results: readonly SeedResult[];
  /** A seed that could not be judged (a user protocol broke its contract, or paxsim failed): the chunk ends there. */
  readonly aborted: SeedAbort | null;
}

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
  const results: SeedResult[] = [];
  // Caught here, seed by seed, so that what earlier seeds found is still folded, written and reported.
  for (const seed of request.seeds) {
    try {
      results.push(runFuzzSeed(scenario, seed, { bug: setup.bug, checkDeterminism: checksDeterminism(seed, setup.determinismEvery) }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { results, aborted: { seed, kind: isProtocolError(error) ? 'protocol' : 'internal', message } };
    }
  }
  return { results, aborted: null };
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'scenarios' in workerData) {
  const setup = workerData as WorkerSetup;
  // A worker starts with the built-in protocols only: load the user protocols its scenarios name, once.
  for (const scenario of setup.scenarios) ensureProtocolLoaded(scenario);
  const port = parentPort;
  port.on('message', (request: WorkRequest) => port.postMessage(runChunk(setup, request)));
}
