import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { coverageOf } from './registry.js';
import type { ProtocolBug } from './protocol.js';
import type { Scenario } from '../scenario/scenario.js';
import { assert } from '../util/assert.js';
import { packageRoot } from '../util/package-root.js';
import type { SeedResult } from './fuzz-seed.js';
import { checksDeterminism, runChunk, seedResultsOf, type SeedAbort, type WorkerSetup, type WorkRequest, type WorkResult } from './fuzz-worker.js';

export interface FuzzPlan {
  readonly scenarios: readonly Scenario[];
  readonly fromSeed: number;
  /** Seeds per scenario across all shards; null runs until `shouldStop`. */
  readonly seedCount: number | null;
  /** This shard's 0-based index, of `count`: it runs the seeds s with (s - fromSeed) mod count = index. */
  readonly shard: { readonly index: number; readonly count: number };
  /** Worker threads; 0 runs in this thread. */
  readonly workers: number;
  readonly bug?: ProtocolBug | undefined;
  /** Go on after a scenario's first failing seed (otherwise it stops there). */
  readonly keepGoing: boolean;
  /** Every seed divisible by this is run twice and the two runs' fingerprints compared (RunResult.fingerprint); 0 turns it off. */
  readonly determinismEvery: number;
  /** Seeds per chunk handed to a worker; default: {@link FIRST_CHUNK_SEEDS}, doubling up to {@link MAX_CHUNK_SEEDS}. */
  readonly chunkSize?: number;
}

/**
 * Default chunking. The first chunks are small, so the first results (and a
 * failure among the first seeds) come back soon while the workers' code is
 * still warming up; later ones are larger because each chunk costs the
 * coordinator about 200 µs of its own CPU (a wake-up, a message, promises),
 * which at 25 seeds a chunk was most of its work and competed with the
 * workers for the cores.
 */
const FIRST_CHUNK_SEEDS = 25;
const MAX_CHUNK_SEEDS = 200;

export interface FuzzHooks {
  /** Polled before each chunk is handed out: a time limit or Ctrl-C. */
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (progress: FuzzProgress) => void;
  /** Every counted per-seed result, in seed order per scenario (tests use it to compare runs). */
  readonly onSeed?: (result: SeedResult) => void;
}

export interface FuzzProgress {
  readonly seedsRun: number;
  readonly failures: number;
  /** Seeds the run will do in all, when known. */
  readonly seedsPlanned: number | null;
}

export interface ScenarioFuzzReport {
  readonly scenario: Scenario;
  seedsRun: number;
  events: number;
  /** Failing seeds in seed order (the first few hundred; `failureCount` counts them all). */
  readonly failures: SeedResult[];
  failureCount: number;
  readonly failuresByChecker: Record<string, number>;
  /** Seeds a checker could not decide (not failures, not passes), the first few hundred; `inconclusiveCount` counts them all. */
  readonly inconclusiveSeeds: number[];
  inconclusiveCount: number;
  /** Seeds in which situation i of the scenario protocol's coverage catalogue happened. */
  readonly coverageCounts: number[];
  determinismChecks: number;
  readonly nondeterministicSeeds: number[];
  /** Stopped at its first failure. */
  stopped: boolean;
}

export interface FuzzReport {
  readonly scenarios: readonly ScenarioFuzzReport[];
  readonly seedsRun: number;
  readonly events: number;
  readonly failureCount: number;
  readonly inconclusiveCount: number;
  /** True when `shouldStop` ended the run before its seeds were done. */
  readonly interrupted: boolean;
  /** The first seed (in fold order) that could not be judged: fuzzing stopped there, keeping what earlier seeds found. */
  readonly aborted: (SeedAbort & { readonly scenario: string }) | null;
}

const KEPT_FAILURES = 200;

/**
 * Runs seed after seed over worker threads. Chunks are handed out in a fixed
 * order and their results folded in that same order, so every per-seed
 * result, the set of failing seeds and the totals are the same for any worker
 * count or shard split (only `--time` limits depend on the clock).
 */
export async function fuzz(plan: FuzzPlan, hooks: FuzzHooks = {}): Promise<FuzzReport> {
  assert(plan.shard.count >= 1 && plan.shard.index >= 0 && plan.shard.index < plan.shard.count, 'bad shard');
  assert(plan.scenarios.length > 0, 'fuzz needs a scenario');
  const setup: WorkerSetup = { scenarios: plan.scenarios, bug: plan.bug, determinismEvery: plan.determinismEvery };
  const reports = plan.scenarios.map((scenario) => emptyReport(scenario));
  const chunks = chunkSequence(plan);
  const seedsPlanned = plan.seedCount === null ? null : plan.scenarios.length * seedsInShard(plan);
  const pool = plan.workers > 0 ? new WorkerPool(plan.workers, setup) : null;
  const pending = new Map<number, { request: WorkRequest; result: WorkResult }>();
  let nextToFold = 0;
  let interrupted = false;
  let aborted: FuzzReport['aborted'] = null;

  const fold = (request: WorkRequest, result: WorkResult) => {
    const report = reports[request.scenarioIndex]!;
    for (const seedResult of seedResultsOf(report.scenario.name, result)) {
      if (report.stopped) break;
      foldSeed(report, seedResult, plan);
      hooks.onSeed?.(seedResult);
      if (!seedResult.passed && !seedResult.inconclusive && !plan.keepGoing) report.stopped = true;
    }
    if (result.aborted !== null && !report.stopped && aborted === null) {
      aborted = { ...result.aborted, scenario: report.scenario.name };
      for (const stopped of reports) stopped.stopped = true;
    }
  };
  const foldReady = () => {
    for (let ready = pending.get(nextToFold); ready !== undefined; ready = pending.get(nextToFold)) {
      pending.delete(nextToFold);
      fold(ready.request, ready.result);
      nextToFold += 1;
    }
    hooks.onProgress?.({ seedsRun: sum(reports, (report) => report.seedsRun), failures: sum(reports, (report) => report.failureCount), seedsPlanned });
  };

  try {
    const inFlight = new Set<Promise<void>>();
    let sequence = 0;
    const capacity = Math.max(1, plan.workers) * (CHUNKS_QUEUED_PER_WORKER + 1);
    for (const request of chunks) {
      if (hooks.shouldStop?.()) {
        interrupted = true;
        break;
      }
      if (reports.every((report) => report.stopped)) break;
      // Skip work for scenarios that already stopped at a failure folded so far.
      if (reports[request.scenarioIndex]!.stopped) continue;
      const chunkSequenceNumber = sequence++;
      if (pool === null) {
        pending.set(chunkSequenceNumber, { request, result: runChunk(setup, request) });
        foldReady();
        continue;
      }
      const job = pool.run(request).then((result) => {
        pending.set(chunkSequenceNumber, { request, result });
        foldReady();
      });
      const tracked = job.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= capacity) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await pool?.close();
  }
  return {
    scenarios: reports,
    seedsRun: sum(reports, (report) => report.seedsRun),
    events: sum(reports, (report) => report.events),
    failureCount: sum(reports, (report) => report.failureCount),
    inconclusiveCount: sum(reports, (report) => report.inconclusiveCount),
    interrupted,
    aborted,
  };
}

function foldSeed(report: ScenarioFuzzReport, result: SeedResult, plan: FuzzPlan): void {
  report.seedsRun += 1;
  report.events += result.events;
  report.coverageCounts.forEach((_, index) => {
    if (result.coverage & (1 << index)) report.coverageCounts[index]! += 1;
  });
  if (checksDeterminism(result.seed, plan.determinismEvery)) report.determinismChecks += 1;
  if (result.deterministic === false) report.nondeterministicSeeds.push(result.seed);
  if (result.passed) return;
  if (result.inconclusive) {
    report.inconclusiveCount += 1;
    if (report.inconclusiveSeeds.length < KEPT_FAILURES) report.inconclusiveSeeds.push(result.seed);
    return;
  }
  report.failureCount += 1;
  if (report.failures.length < KEPT_FAILURES) report.failures.push(result);
  const key = failureKind(result);
  report.failuresByChecker[key] = (report.failuresByChecker[key] ?? 0) + 1;
}

/** What a failing seed broke, for the summary: its first checker, or its first unmet expectation. */
export function failureKind(result: SeedResult): string {
  if (result.failedCheckers[0] !== undefined) return result.failedCheckers[0];
  if (result.deterministic === false) return 'nondeterminism';
  return `unmet ${result.unmet[0] ?? 'expectation'}`;
}

/** The work, in the order it is handed out: chunk k of every scenario, then chunk k+1. */
function* chunkSequence(plan: FuzzPlan): Generator<WorkRequest> {
  let chunkSize = plan.chunkSize ?? FIRST_CHUNK_SEEDS;
  const perScenario = seedsInShard(plan);
  for (let start = 0; plan.seedCount === null || start < perScenario; start += chunkSize, chunkSize = nextChunkSize(plan, chunkSize)) {
    const seeds: number[] = [];
    for (let offset = start; offset < start + chunkSize && (plan.seedCount === null || offset < perScenario); offset++) {
      const seed = plan.fromSeed + plan.shard.index + offset * plan.shard.count;
      // Seeds are safe integers; an open-ended (--time) run ends at the last one.
      if (seed > Number.MAX_SAFE_INTEGER) break;
      seeds.push(seed);
    }
    if (seeds.length === 0) return;
    for (let scenarioIndex = 0; scenarioIndex < plan.scenarios.length; scenarioIndex++) yield { scenarioIndex, seeds };
  }
}

function nextChunkSize(plan: FuzzPlan, size: number): number {
  return plan.chunkSize ?? Math.min(size * 2, MAX_CHUNK_SEEDS);
}

/** How many of the plan's seeds fall to this shard. */
function seedsInShard(plan: FuzzPlan): number {
  if (plan.seedCount === null) return Infinity;
  const { index, count } = plan.shard;
  return plan.seedCount > index ? Math.ceil((plan.seedCount - index) / count) : 0;
}

function emptyReport(scenario: Scenario): ScenarioFuzzReport {
  return {
    scenario,
    seedsRun: 0,
    events: 0,
    failures: [],
    failureCount: 0,
    failuresByChecker: {},
    inconclusiveSeeds: [],
    inconclusiveCount: 0,
    coverageCounts: coverageOf(scenario.protocol).keys.map(() => 0),
    determinismChecks: 0,
    nondeterministicSeeds: [],
    stopped: false,
  };
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

/**
 * A fixed set of worker threads. Each is handed up to {@link CHUNKS_QUEUED_PER_WORKER}
 * chunks at once: a worker answers its messages in order, so while the
 * coordinator folds one result and sends more work, the worker is already
 * running the next chunk instead of waiting for a round trip.
 */
class WorkerPool {
  private readonly waiting: (() => void)[] = [];
  private readonly workers: Worker[];
  /** Per worker, the answers still owed, oldest first: its results come back in the order it was sent the chunks. */
  private readonly owed: Map<Worker, { resolve: (result: WorkResult) => void; reject: (error: Error) => void }[]>;

  constructor(size: number, setup: WorkerSetup) {
    const script = join(packageRoot(), 'dist', 'run', 'fuzz-worker.js');
    assert(existsSync(script), () => `${script} is missing: run \`npm run build\` first`);
    this.workers = Array.from({ length: size }, () => new Worker(script, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: 64 } }));
    this.owed = new Map(this.workers.map((worker) => [worker, []]));
    for (const worker of this.workers) {
      const owed = this.owed.get(worker)!;
      worker.on('message', (result: WorkResult) => {
        const answer = owed.shift();
        assert(answer !== undefined, 'a fuzz worker answered a chunk it was never sent');
        answer.resolve(result);
        this.waiting.shift()?.();
      });
      worker.on('error', (error: Error) => {
        for (const answer of owed.splice(0)) answer.reject(error);
        this.waiting.shift()?.();
      });
    }
  }

  async run(request: WorkRequest): Promise<WorkResult> {
    const worker = await this.acquire();
    return new Promise<WorkResult>((resolve, reject) => {
      this.owed.get(worker)!.push({ resolve, reject });
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  /** The least busy worker with room in its queue, once there is one. */
  private async acquire(): Promise<Worker> {
    for (;;) {
      let best: Worker | null = null;
      for (const worker of this.workers) {
        const queued = this.owed.get(worker)!.length;
        if (queued < CHUNKS_QUEUED_PER_WORKER && (best === null || queued < this.owed.get(best)!.length)) best = worker;
      }
      if (best !== null) return best;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }
}

/** Chunks a worker holds at once: the one it runs and the next, so it never idles between them. */
const CHUNKS_QUEUED_PER_WORKER = 2;
