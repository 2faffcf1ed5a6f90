/**
 * `npm run bench`: how fast paxsim is, measured against a baseline taken in
 * the same process, so the ratios mean something on any machine.
 *
 * This file lives outside src/ on purpose: it reads the wall clock, which
 * nothing under src/ may do (DESIGN.md, determinism rule 1). It imports the
 * simulator from src/ (compiled alongside it into dist-bench/), while the fuzz
 * worker threads load dist/run/fuzz-worker.js, which is why the npm script
 * runs `npm run build` first.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { checkLinearizability, type HistoryOperation, type LinearizabilityResult } from '../src/check/linearizability.js';
import { PAXOS_BUGS, type PaxosBug } from '../src/protocols/paxos/config.js';
import { failureKind, fuzz } from '../src/run/fuzz.js';
import { runFuzzSeed, type SeedResult } from '../src/run/fuzz-seed.js';
import { checksDeterminism } from '../src/run/fuzz-worker.js';
import { runScenario, type RunOptions } from '../src/run/runner.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { EventQueue, type Scheduled } from './bare-loop-queue.js';
import { EntryQueue, NO_COPIES } from '../src/sim/entry-queue.js';
import { randomStream, uniformInt } from '../src/sim/rng.js';
import { FileSink } from '../src/trace/trace-writer.js';
import { packageRoot } from '../src/util/package-root.js';
import { measureEtcdHistories, type EtcdCheckRow } from './etcd-history.js';
import { EXPLORE_WORKERS, exploreSection, measureExplore, measureExploreBareLoop, measureExploreOnWorkers, RATE_DEPTH } from './explore.js';
import { HistoryRecorder, linearizableKvHistory } from './kv-history.js';
import { addSteadyStates, steadyState, withClients, type SteadyState } from './multipaxos.js';
import { measureMessages, messagesSection, type MessageRow } from './cheap-paxos.js';

// ── budgets: about 20 s of measuring on two cores (the brief allows ~90 s in all, builds included) ──

/** Untimed running before each measurement, so V8 has compiled the hot paths. */
const WARMUP_MS = 300;
/** Timed running per row: long enough that JIT and GC noise average out. */
const MEASURE_MS = 1500;
/** Events a bare-loop step processes between clock reads (reading the clock per event would dominate). */
const BASELINE_BATCH = 10_000;
/** Pending events in the bare loop: about what a five-node run keeps queued (messages in flight plus timers). */
const BASELINE_PENDING = 64;
const THROUGHPUT_SCENARIOS = ['seed-example', 'lossy-network', 'fuzz-default'] as const;
const FUZZ_SEEDS_PER_WORKER = 12_000;
const FUZZ_DETERMINISM_EVERY = 20;
/**
 * Determinism recheck cost: seeds 1…N, in blocks run with and without the
 * recheck by turns, so both see the same machine; the turns go with,
 * without, without, with… (ABBA), so neither side always runs first after a
 * block of the other kind (whose garbage and JIT state it inherits).
 */
const RECHECK_SEEDS = 8000;
const RECHECK_BLOCK = 200;
const DETECTION_STARTS = [1, 10_001, 20_001, 30_001, 40_001] as const;
const DETECTION_CAP = 5000;
/** Multi-Paxos (issue 5): the shipped steady-state scenario, and it with more clients (built in code). */
const MULTIPAXOS_SCENARIO = 'multipaxos-kv';
const RAFT_SCENARIO = 'raft-kv';
const MULTIPAXOS_MORE_CLIENTS = { clients: 10, ops: 100 } as const;
/** Seeds 1…N per steady-state row; rates pool them (total work ÷ total simulated time). */
const STEADY_STATE_SEEDS = 10;
/** Synthetic linearizable histories: this many closed-loop clients, each size over each key count. */
const LINEARIZABILITY_CLIENTS = 10;
const LINEARIZABILITY_SIZES = [1000, 5000] as const;
const LINEARIZABILITY_KEYS = [20, 1] as const;
/** Also: the largest size on one key with this share of operations timed out (outcome unknown), the hard case. */
const LINEARIZABILITY_TIMEOUT_FRACTION = 0.01;
const LINEARIZABILITY_SEED = 5;
/** Real histories: Multi-Paxos runs of 10 clients with this many operations each (seed 1). */
/** etcd-like register histories (bench/etcd-history.ts): timeout rates and seeds per rate; 12% is the default shape, 45% far harsher. */
const ETCD_SHAPES = [
  { timeoutRate: 0.12, seeds: 100 },
  { timeoutRate: 0.3, seeds: 50 },
  { timeoutRate: 0.45, seeds: 50 },
] as const;
/** Target: every etcd-like history of the default shape decided, each in under this. */
const TARGET_ETCD_MAX_MS = 1000;

const REAL_HISTORY_OPS_PER_CLIENT = [100, 500] as const;
/** Long Multi-Paxos runs: 3 clients × each of these operations (issue "Scale and speed"): cost per operation must stay flat. */
const LONG_RUN_CLIENTS = 3;
const LONG_RUN_OPS_PER_CLIENT = [1000, 2000, 4000, 8000, 16_000] as const;
/** The largest long run's time per operation may be at most this multiple of the smallest's. */
const TARGET_LONG_RUN_FLATNESS = 1.5;
/** 3 × 8,000 operations, in wall seconds on the machine the issue measured (2 cores). */
const TARGET_LONG_RUN_SECONDS = { opsPerClient: 8000, seconds: 5 } as const;
/** Heap samples per long run (each after a forced GC, in a second, untimed run). */
const LONG_RUN_HEAP_SAMPLES = 4;
/** Each check is repeated for at least this long (and at least CHECK_MIN_REPEATS times) after one untimed run. */
const CHECK_MEASURE_MS = 300;
const CHECK_MIN_REPEATS = 3;

/** The faster core (issue 9): bare loop, fuzz-default untraced and traced, measured by turns this many times; targets judge the median ratio. */
const CORE_REPETITIONS = 5;
const CORE_MEASURE_MS = 1000;
/** … each row's time in a turn split into this many slices, the three rows' slices taken by turns. */
const CORE_SLICES = 10;
const CORE_SCENARIO = 'fuzz-default';
/** Per-seed fixed cost: seeds run this long with nothing simulated (stopped before the first event). */
const SETUP_MEASURE_MS = 1000;

// ── targets, checked at the end ──

const TARGET_EVENTS_PER_SECOND = 1_000_000;
const TARGET_BASELINE_FRACTION = 0.2;
const TARGET_SEEDS_PER_WORKER = 1000;
/** 1.7× for two workers; a bigger machine is held to the same 85% per-worker efficiency. */
const TARGET_WORKER_EFFICIENCY = 0.85;
const TARGET_DETECTION_MEDIAN = 2000;
/** Scale and speed, item 3: a traced run (trace written and hashed) keeps this share of the bare loop's rate. */
const TARGET_TRACED_BASELINE_FRACTION = 0.1;
/** … and fuzz's determinism recheck at its default rate costs at most this share of fuzz time. */
const TARGET_RECHECK_SHARE = 0.1;
/** Issue 9: untraced fuzz-default ≥ this share of the bare loop (median of CORE_REPETITIONS). */
const TARGET_CORE_UNTRACED_FRACTION = 0.25;
/** Issue 9: traced (write + hash) fuzz-default ≥ this share of the bare loop (median). */
const TARGET_CORE_TRACED_FRACTION = 0.1;
/** Issue 9: one fuzz worker on the built-in default, determinism recheck included. */
const TARGET_CORE_SEEDS_PER_WORKER = 3000;
/** A row that got less than this share of the cores it could use ran on a busy machine. */
const CONTENDED_BELOW = 0.9;

/** Wall time, and the CPU time this whole process (worker threads included) used in it. */
interface Timing {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

interface BaselineResult extends Timing {
  readonly events: number;
}

interface ThroughputRow extends Timing {
  readonly scenario: string;
  readonly tracing: boolean;
  readonly runs: number;
  readonly schedulerEvents: number;
  readonly traceEvents: number;
}

interface SteadyStateRow {
  readonly workload: string;
  readonly seeds: number;
  /** Runs whose `expect` was met (every checker held, every operation completed in time). */
  readonly passed: number;
  readonly total: SteadyState;
}

interface CheckRow {
  readonly history: string;
  readonly operations: number;
  readonly keys: number;
  readonly unknown: number;
  readonly result: LinearizabilityResult;
  readonly repeats: number;
  /** Wall ms per checkLinearizability call, averaged over the repeats. */
  readonly msPerCheck: number;
  readonly timing: Timing;
}

interface LongRunRow extends Timing {
  readonly scenario: string;
  readonly operations: number;
  /** Every checker held and every operation completed in time (the scenario's `expect`). */
  readonly passed: boolean;
  readonly schedulerEvents: number;
  /** Most heap used at a sample (after a forced GC): the live data of the run. */
  readonly peakHeapBytes: number;
}

interface FuzzRow extends Timing {
  readonly workers: number;
  readonly seeds: number;
  readonly failures: number;
  /** CPU seconds of the coordinating (main) thread alone, where the OS tells (Linux); it competes with the workers for the cores. */
  readonly coordinatorCpuSeconds: number | null;
}

/** One turn of the core measurement: the bare loop and the scenario untraced and traced, back to back. */
interface CoreRepetition {
  readonly baseline: BaselineResult;
  readonly untraced: ThroughputRow;
  readonly traced: ThroughputRow;
}

/** What a seed costs before and after its events: the scenario run with nothing simulated, against a whole run. */
interface SeedSetupRow {
  readonly setup: Timing & { readonly seeds: number };
  readonly whole: ThroughputRow;
}

/** Fuzz seeds of one scenario run in process, with and without the determinism recheck, on the same seeds. */
interface RecheckRow {
  readonly seeds: number;
  readonly withRecheck: Timing;
  readonly without: Timing;
  /** Per pair of blocks (the same seeds with and without), the recheck's share of the CPU time. */
  readonly pairShares: readonly number[];
}

interface DetectionRow {
  readonly bug: PaxosBug;
  /** Per starting seed: seeds run up to and including the first failing one, or null when none failed within the cap. */
  readonly seedsNeeded: readonly (number | null)[];
  /** What caught the bug at each start that found it (a checker, or an unmet expectation). */
  readonly caughtBy: readonly string[];
}

/** Section (j): the same workload on Multi-Paxos (five acceptors) and Cheap Paxos (three mains, two auxiliaries). */
function measureCheapPaxosMessages(): MessageRow[] {
  const seeds = 10;
  return [
    measureMessages(loadBuiltInScenario(MULTIPAXOS_SCENARIO), seeds, 'multipaxos-kv (5 acceptors)'),
    measureMessages(loadBuiltInScenario('cheap-steady'), seeds, 'cheap-steady (3 mains + 2 auxiliaries)'),
    measureMessages(loadBuiltInScenario('cheap-main-crash'), seeds, 'cheap-main-crash (a main crashes and returns)'),
  ];
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  if (process.argv.includes('--cheap-paxos')) {
    process.stdout.write([...machineSection(), ...messagesSection(measureCheapPaxosMessages())].join('\n') + '\n');
    return;
  }
  if (process.argv.includes('--long-runs')) {
    // Just section (i): what a change to Multi-Paxos's per-operation cost needs to see.
    const lines = [...machineSection(), ...longRunSection(measureLongRuns(loadBuiltInScenario(MULTIPAXOS_SCENARIO)))];
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }
  const exploreRows = async () => [
    ...(['explore-paxos-3', 'explore-multipaxos-3'] as const).flatMap((name) =>
      (['bfs', 'dfs'] as const).map((strategy) => {
        progress(`explore ${name} (${strategy})`);
        return measureExplore(loadBuiltInScenario(name), strategy);
      }),
    ),
    measureExplore(loadBuiltInScenario('explore-paxos-3'), 'bfs', RATE_DEPTH),
    await measureExploreOnWorkers(loadBuiltInScenario('explore-paxos-3'), RATE_DEPTH, EXPLORE_WORKERS),
  ];
  if (process.argv.includes('--explore')) {
    // Just section (k): what a change to the explorer needs to see.
    process.stdout.write([...machineSection(), ...exploreSection(await exploreRows(), measureExploreBareLoop())].join('\n') + '\n');
    return;
  }
  const fuzzDefault = loadBuiltInScenario('fuzz-default');
  if (process.argv.includes('--fuzz')) {
    // Just section (c): what a change to fuzz's coordination or workers needs to see.
    const rows: FuzzRow[] = [];
    for (const workers of workerCounts()) rows.push(await measureFuzz(fuzzDefault, workers));
    process.stdout.write([...machineSection(), ...fuzzSection(rows)].join('\n') + '\n');
    return;
  }
  if (process.argv.includes('--recheck')) {
    // Just section (c2): what a change to the determinism recheck needs to see.
    process.stdout.write([...machineSection(), ...recheckSection(measureRecheck(fuzzDefault))].join('\n') + '\n');
    return;
  }
  if (process.argv.includes('--core')) {
    // Just the faster-core targets: what a change to the simulator's hot path needs to see.
    const core = measureCore(fuzzDefault);
    const setup = measureSeedSetup(fuzzDefault, core);
    progress('fuzz, 1 worker');
    const fuzzOne = await measureFuzz(fuzzDefault, 1);
    const lines = [...machineSection(), ...coreSection(core, setup, fuzzOne), `_bench took ${formatFixed((performance.now() - startedAt) / 1000, 1)} s_`];
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }

  const core = measureCore(fuzzDefault);
  const setup = measureSeedSetup(fuzzDefault, core);
  progress('bare event loop');
  const baseline = measureBaseline();
  progress("bare event loop on the simulator's queue");
  const entryQueueBaseline = measureBaseline(MEASURE_MS, entryQueueLoop());
  const throughput = THROUGHPUT_SCENARIOS.flatMap((name) => {
    const scenario = name === 'fuzz-default' ? fuzzDefault : loadBuiltInScenario(name);
    return [false, true].map((tracing) => {
      progress(`${name}, tracing ${tracing ? 'on' : 'off'}`);
      return measureScenario(scenario, tracing);
    });
  });
  const fuzzRows: FuzzRow[] = [];
  for (const workers of workerCounts()) {
    progress(`fuzz, ${workers} worker${workers === 1 ? '' : 's'}`);
    fuzzRows.push(await measureFuzz(fuzzDefault, workers));
  }
  progress('determinism recheck cost');
  const recheck = measureRecheck(fuzzDefault);
  const detection = (Object.keys(PAXOS_BUGS) as PaxosBug[]).map((bug) => {
    progress(`seeds to detect ${bug}`);
    return measureDetection(fuzzDefault, bug);
  });

  const multipaxosKv = loadBuiltInScenario(MULTIPAXOS_SCENARIO);
  const raftKv = loadBuiltInScenario(RAFT_SCENARIO);
  // Raft runs the same clients and workloads, so its rows sit beside Multi-Paxos's in (e) and (f).
  const multipaxosScenarios = [
    multipaxosKv,
    withClients(multipaxosKv, MULTIPAXOS_MORE_CLIENTS.clients, MULTIPAXOS_MORE_CLIENTS.ops),
    raftKv,
    withClients(raftKv, MULTIPAXOS_MORE_CLIENTS.clients, MULTIPAXOS_MORE_CLIENTS.ops),
  ];
  const steady = multipaxosScenarios.map((scenario) => {
    progress(`steady state: ${scenario.name}`);
    return measureSteadyState(scenario);
  });
  const multipaxosThroughput = multipaxosScenarios.flatMap((scenario) =>
    [false, true].map((tracing) => {
      progress(`${scenario.name}, tracing ${tracing ? 'on' : 'off'}`);
      return measureScenario(scenario, tracing);
    }),
  );
  const checks = [...syntheticHistories(), ...realHistories(multipaxosKv)].map(({ name, history }) => {
    progress(`linearizability check: ${name}`);
    return measureCheck(name, history);
  });
  const longRuns = measureLongRuns(multipaxosKv);

  const etcd = ETCD_SHAPES.map(({ timeoutRate, seeds }) => {
    progress(`linearizability check: etcd-like histories, ${formatPercent(timeoutRate)} timed out`);
    return measureEtcdHistories(timeoutRate, seeds, (history) => checkLinearizability(history), () => performance.now());
  });

  const explore = await exploreRows();

  const lines = [
    ...machineSection(),
    ...baselineSection(baseline, entryQueueBaseline),
    ...throughputSection(throughput, baseline),
    ...fuzzSection(fuzzRows),
    ...coreSection(core, setup, fuzzRows[0]!),
    ...recheckSection(recheck),
    ...detectionSection(detection),
    ...steadyStateSection(steady),
    ...multipaxosThroughputSection(multipaxosThroughput, baseline),
    ...linearizabilitySection(checks),
    ...etcdSection(etcd),
    ...longRunSection(longRuns),
    ...exploreSection(explore, measureExploreBareLoop()),
    ...messagesSection(measureCheapPaxosMessages()),
    ...targetsSection(throughput, baseline, fuzzRows, detection, [...throughput, ...multipaxosThroughput], checks, recheck, longRuns, core),
    `_bench took ${formatFixed((performance.now() - startedAt) / 1000, 1)} s_`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

// ── measuring ──

/**
 * Measures wall and CPU time from its creation. CPU time shows contention:
 * a single-threaded row that got less than a whole core shared the machine
 * with someone else, and its rates are low for that reason, not ours.
 */
class Stopwatch {
  private readonly startMs = performance.now();
  private readonly startCpu = process.cpuUsage();

  elapsedMs(): number {
    return performance.now() - this.startMs;
  }

  read(): Timing {
    const cpu = process.cpuUsage(this.startCpu);
    return { seconds: this.elapsedMs() / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  }
}

/** Calls `step` until `budgetMs` of wall time has passed. */
function runFor(budgetMs: number, step: () => void): Timing {
  const stopwatch = new Stopwatch();
  do step();
  while (stopwatch.elapsedMs() < budgetMs);
  return stopwatch.read();
}

/**
 * The bare event loop: a heap of event objects (the simulator's queue when
 * issue 9 set its targets, kept so the baseline does not move; see
 * bare-loop-queue.ts) and the simulator's random stream, driving events that
 * do nothing but schedule their successor. Scheduler events/s divided by it
 * says how much of each step the protocol, network model and checkers cost.
 */
function measureBaseline(measureMs = MEASURE_MS, loop = baselineLoop()): BaselineResult {
  runFor(WARMUP_MS, loop.step);
  loop.events = 0;
  const timing = runFor(measureMs, loop.step);
  return { events: loop.events, ...timing };
}

/** The bare loop as steps of BASELINE_BATCH events, counting them. */
function baselineLoop(): { step: () => void; events: number } {
  const queue = new EventQueue<Scheduled>();
  const random = randomStream(1, 'bench/baseline');
  let sequence = 0;
  for (let index = 0; index < BASELINE_PENDING; index++) queue.push({ timeMs: uniformInt(random, 1, 10), sequence: sequence++ });
  const loop = {
    events: 0,
    step: (): void => {
      for (let index = 0; index < BASELINE_BATCH; index++) {
        const event = queue.pop()!;
        queue.push({ timeMs: event.timeMs + uniformInt(random, 1, 10), sequence: sequence++ });
      }
      loop.events += BASELINE_BATCH;
    },
  };
  return loop;
}

/**
 * The same loop on the simulator's own queue (flat arrays, integer handles),
 * shown beside the baseline: how much faster the queue itself got since the
 * targets were set.
 */
function entryQueueLoop(): { step: () => void; events: number } {
  const queue = EntryQueue.acquire();
  const random = randomStream(1, 'bench/baseline');
  for (let index = 0; index < BASELINE_PENDING; index++) queue.push(queue.create(0, 0, 0, 0, null, NO_COPIES), uniformInt(random, 1, 10));
  const loop = {
    events: 0,
    step: (): void => {
      for (let index = 0; index < BASELINE_BATCH; index++) {
        const timeMs = queue.peekTimeMs();
        queue.release(queue.pop());
        queue.push(queue.create(0, 0, 0, 0, null, NO_COPIES), timeMs + uniformInt(random, 1, 10));
      }
      loop.events += BASELINE_BATCH;
    },
  };
  return loop;
}

/** Where traced rows write their trace: the file write is part of what `run --trace` pays. */
let devNull: FileSink | null = null;

/**
 * Runs one scenario seed after seed (1, 2, 3, …) for the budget. Tracing off is
 * what fuzzing pays per seed; tracing on is what `paxsim run --trace` pays:
 * every event serialized, hashed and written (to the null device).
 */
function measureScenario(scenario: Scenario, tracing: boolean, measureMs = MEASURE_MS): ThroughputRow {
  const loop = scenarioLoop(scenario, tracing);
  runFor(WARMUP_MS, loop.step);
  loop.reset();
  const timing = runFor(measureMs, loop.step);
  return { scenario: scenario.name, tracing, ...loop.counts, ...timing };
}

/** Seeds 1, 2, 3, … of one scenario, one run per step, counting runs and events. */
function scenarioLoop(scenario: Scenario, tracing: boolean): { step: () => void; reset: () => void; counts: { runs: number; schedulerEvents: number; traceEvents: number } } {
  devNull ??= new FileSink(os.devNull);
  const options: RunOptions = tracing ? { hash: true, traceSinks: [devNull] } : { hash: false };
  let seed = 1;
  const counts = { runs: 0, schedulerEvents: 0, traceEvents: 0 };
  return {
    counts,
    step: () => {
      const result = runScenario(scenario, { ...options, seed: seed++ });
      counts.runs += 1;
      counts.schedulerEvents += result.outcome.processedEvents;
      counts.traceEvents += result.eventCount;
    },
    reset: () => {
      counts.runs = counts.schedulerEvents = counts.traceEvents = 0;
    },
  };
}

/**
 * The faster-core targets: the bare loop, then the scenario untraced, then
 * traced, again and again, so each ratio compares measurements taken
 * moments apart (on a shared machine the load changes from one to the next).
 */
function measureCore(scenario: Scenario): CoreRepetition[] {
  const baseline = baselineLoop();
  const untraced = scenarioLoop(scenario, false);
  const traced = scenarioLoop(scenario, true);
  runFor(WARMUP_MS, baseline.step);
  runFor(WARMUP_MS, untraced.step);
  runFor(WARMUP_MS, traced.step);
  const repetitions: CoreRepetition[] = [];
  for (let turn = 1; turn <= CORE_REPETITIONS; turn++) {
    progress(`core ${turn}/${CORE_REPETITIONS}: bare loop, ${scenario.name} untraced and traced, in ${CORE_SLICES} slices each`);
    baseline.events = 0;
    untraced.reset();
    traced.reset();
    const zero: Timing = { seconds: 0, cpuSeconds: 0 };
    let times = { baseline: zero, untraced: zero, traced: zero };
    // Short slices by turns, so a change in the machine's load falls on all three alike.
    for (let slice = 0; slice < CORE_SLICES; slice++) {
      times = {
        baseline: addTimings(times.baseline, runFor(CORE_MEASURE_MS / CORE_SLICES, baseline.step)),
        untraced: addTimings(times.untraced, runFor(CORE_MEASURE_MS / CORE_SLICES, untraced.step)),
        traced: addTimings(times.traced, runFor(CORE_MEASURE_MS / CORE_SLICES, traced.step)),
      };
    }
    repetitions.push({
      baseline: { events: baseline.events, ...times.baseline },
      untraced: { scenario: scenario.name, tracing: false, ...untraced.counts, ...times.untraced },
      traced: { scenario: scenario.name, tracing: true, ...traced.counts, ...times.traced },
    });
  }
  return repetitions;
}

function addTimings(a: Timing, b: Timing): Timing {
  return { seconds: a.seconds + b.seconds, cpuSeconds: a.cpuSeconds + b.cpuSeconds };
}

/**
 * A seed's fixed cost: the nemesis's schedule, the driver, checkers, nodes
 * and their start, the final checks and reports, with nothing simulated
 * (the run stops before its first event). Against the untraced rate of the
 * same seeds, it says how much of a fuzz seed is setup and how much events.
 */
function measureSeedSetup(scenario: Scenario, core: readonly CoreRepetition[]): SeedSetupRow {
  progress(`${scenario.name}: per-seed setup`);
  let seed = 1;
  let seeds = 0;
  const step = (): void => {
    runScenario(scenario, { seed: seed++, hash: false, stopAtMs: -1 });
    seeds += 1;
  };
  runFor(WARMUP_MS, step);
  seeds = 0;
  const timing = runFor(SETUP_MEASURE_MS, step);
  const whole = medianBy(
    core.map((turn) => turn.untraced),
    (row) => row.seconds / row.runs,
  );
  return { setup: { seeds, ...timing }, whole };
}

/**
 * Long Multi-Paxos runs, one seed each, growing work: timed with tracing off
 * (as fuzzing runs), then run again untimed to sample the heap after forced
 * GCs, so the samples do not slow the timed run.
 */
function measureLongRuns(base: Scenario): LongRunRow[] {
  const gc = exposeGc();
  // Untimed, so the first row does not pay for compiling the hot paths.
  runScenario(withClients(base, LONG_RUN_CLIENTS, LONG_RUN_OPS_PER_CLIENT[0]), { hash: false, seed: 2 });
  return LONG_RUN_OPS_PER_CLIENT.map((ops) => {
    const scenario: Scenario = { ...withClients(base, LONG_RUN_CLIENTS, ops), maxEvents: Number.MAX_SAFE_INTEGER };
    progress(`long run: ${scenario.name}`);
    gc();
    const stopwatch = new Stopwatch();
    const result = runScenario(scenario, { hash: false, seed: 1 });
    const timing = stopwatch.read();
    const samplePeriod = Math.max(1, Math.floor(result.eventCount / LONG_RUN_HEAP_SAMPLES));
    let seen = 0;
    let peakHeapBytes = 0;
    runScenario(scenario, {
      hash: false,
      seed: 1,
      observe: () => {
        seen += 1;
        if (seen % samplePeriod !== 0) return;
        gc();
        peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
      },
    });
    return { scenario: scenario.name, operations: LONG_RUN_CLIENTS * ops, passed: result.expectation.met, schedulerEvents: result.outcome.processedEvents, peakHeapBytes, ...timing };
  });
}

/** V8's collector, callable from here: heap samples must count live data only. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** One worker, then every core (just one row on a single-core machine). */
function workerCounts(): number[] {
  return [...new Set([1, os.availableParallelism()])];
}

/** `paxsim fuzz` as a user runs it, worker start-up included; the seed count grows with the workers so each does the same share. */
async function measureFuzz(scenario: Scenario, workers: number): Promise<FuzzRow> {
  const coordinatorBefore = mainThreadCpuSeconds();
  const stopwatch = new Stopwatch();
  const report = await fuzz({
    scenarios: [scenario],
    fromSeed: 1,
    seedCount: FUZZ_SEEDS_PER_WORKER * workers,
    shard: { index: 0, count: 1 },
    workers,
    keepGoing: false,
    determinismEvery: FUZZ_DETERMINISM_EVERY,
  });
  const timing = stopwatch.read();
  const coordinatorAfter = mainThreadCpuSeconds();
  const coordinatorCpuSeconds = coordinatorBefore === null || coordinatorAfter === null ? null : coordinatorAfter - coordinatorBefore;
  return { workers, seeds: report.seedsRun, failures: report.failureCount, ...timing, coordinatorCpuSeconds };
}

/**
 * CPU seconds this process's main thread has used (Linux: /proc, in clock
 * ticks of 10 ms), or null elsewhere. process.cpuUsage() counts every
 * thread, and the event loop's utilization is not CPU time.
 */
function mainThreadCpuSeconds(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ, the unit of /proc's CPU times (100 on every mainstream build). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * What fuzz's determinism recheck costs: the same seeds as a fuzz worker runs
 * them (runFuzzSeed), with the recheck at its default rate and without,
 * block by block in turns.
 */
function measureRecheck(scenario: Scenario): RecheckRow {
  const run = (from: number, recheck: boolean): Timing => {
    const stopwatch = new Stopwatch();
    for (let seed = from; seed < from + RECHECK_BLOCK; seed++) runFuzzSeed(scenario, seed, { checkDeterminism: recheck && checksDeterminism(seed, FUZZ_DETERMINISM_EVERY) });
    return stopwatch.read();
  };
  runFor(WARMUP_MS, () => run(1, true));
  let withRecheck: Timing = { seconds: 0, cpuSeconds: 0 };
  let without: Timing = { seconds: 0, cpuSeconds: 0 };
  const pairShares: number[] = [];
  for (let from = 1; from <= RECHECK_SEEDS; from += RECHECK_BLOCK) {
    // ABBA: the side that runs first alternates from pair to pair.
    const order = pairShares.length % 2 === 0 ? [true, false] : [false, true];
    const pair = { withRecheck: { seconds: 0, cpuSeconds: 0 }, without: { seconds: 0, cpuSeconds: 0 } };
    for (const recheck of order) {
      const timing = run(from, recheck);
      if (recheck) pair.withRecheck = timing;
      else pair.without = timing;
    }
    withRecheck = addTimings(withRecheck, pair.withRecheck);
    without = addTimings(without, pair.without);
    pairShares.push(1 - pair.without.cpuSeconds / pair.withRecheck.cpuSeconds);
  }
  return { seeds: RECHECK_SEEDS, withRecheck, without, pairShares };
}

/**
 * Share of fuzz time the recheck takes, what the target judges: 1 − (time
 * without ÷ time with), in CPU time (one thread: other processes stretch wall
 * time more than CPU time), per pair of blocks on the same seeds, median over
 * the pairs (a burst of load on the machine skews a pair or two, not the
 * median). The pooled CPU and wall shares are shown beside it.
 */
function recheckShare(row: RecheckRow): number {
  return medianOf(row.pairShares);
}

function recheckPooledShare(row: RecheckRow): number {
  return 1 - row.without.cpuSeconds / row.withRecheck.cpuSeconds;
}

function recheckWallShare(row: RecheckRow): number {
  return 1 - row.without.seconds / row.withRecheck.seconds;
}

/** What one rechecked seed costs on top of a plain one, in CPU µs: the difference of the two sides, spread over the rechecked seeds. */
function recheckExtraMicroseconds(row: RecheckRow): number {
  const rechecked = Math.floor(row.seeds / FUZZ_DETERMINISM_EVERY);
  return ((row.withRecheck.cpuSeconds - row.without.cpuSeconds) * 1e6) / rechecked;
}

/** How many seeds of the default fuzz scenario it takes to catch the bug, from each starting seed. */
function measureDetection(scenario: Scenario, bug: PaxosBug): DetectionRow {
  const seedsNeeded: (number | null)[] = [];
  const caughtBy: string[] = [];
  for (const from of DETECTION_STARTS) {
    const failing = firstFailingSeed(scenario, bug, from);
    seedsNeeded.push(failing === null ? null : failing.seed - from + 1);
    if (failing !== null) caughtBy.push(failureKind(failing));
  }
  return { bug, seedsNeeded, caughtBy };
}

/** In-process, exactly as a fuzz worker runs each seed (stop at the first violation, no determinism re-run). */
function firstFailingSeed(scenario: Scenario, bug: PaxosBug, from: number): SeedResult | null {
  for (let seed = from; seed < from + DETECTION_CAP; seed++) {
    const result = runFuzzSeed(scenario, seed, { bug });
    if (!result.passed) return result;
  }
  return null;
}

/**
 * Multi-Paxos in simulated time: seeds 1…N recorded, their `chosen`,
 * `invoke` and `complete` events counted. Clients are closed-loop (one
 * operation in flight each), so these rates are what the clients offer, not
 * what the replicas could sustain: they grow with the clients.
 */
function measureSteadyState(scenario: Scenario): SteadyStateRow {
  const states: SteadyState[] = [];
  let passed = 0;
  for (let seed = 1; seed <= STEADY_STATE_SEEDS; seed++) {
    const result = runScenario(scenario, { seed, record: true, hash: false });
    states.push(steadyState(result.events ?? []));
    if (result.expectation.met) passed += 1;
  }
  return { workload: scenario.name, seeds: STEADY_STATE_SEEDS, passed, total: addSteadyStates(states) };
}

interface NamedHistory {
  readonly name: string;
  readonly history: readonly HistoryOperation[];
}

/** Histories of a simulated linearizable store: every size over every key count, then the hard case with timeouts. */
function syntheticHistories(): NamedHistory[] {
  const histories: NamedHistory[] = [];
  const synthetic = (operations: number, keys: number, timeoutFraction = 0): void => {
    const timeouts = timeoutFraction > 0 ? `, ${formatPercent(timeoutFraction)} timed out` : '';
    histories.push({
      name: `synthetic, ${LINEARIZABILITY_CLIENTS} clients, ${keys} key${keys === 1 ? '' : 's'}${timeouts}`,
      history: linearizableKvHistory({ operations, clients: LINEARIZABILITY_CLIENTS, keys, seed: LINEARIZABILITY_SEED, timeoutFraction }),
    });
  };
  for (const operations of LINEARIZABILITY_SIZES) for (const keys of LINEARIZABILITY_KEYS) synthetic(operations, keys);
  synthetic(Math.max(...LINEARIZABILITY_SIZES), 1, LINEARIZABILITY_TIMEOUT_FRACTION);
  return histories;
}

/** What the Multi-Paxos linearizability checker is handed at the end of a long steady-state run (seed 1). */
function realHistories(base: Scenario): NamedHistory[] {
  return REAL_HISTORY_OPS_PER_CLIENT.map((ops) => {
    const scenario = withClients(base, MULTIPAXOS_MORE_CLIENTS.clients, ops);
    const recorder = new HistoryRecorder();
    runScenario(scenario, { seed: 1, hash: false, observe: recorder.observe });
    return { name: `Multi-Paxos run: ${scenario.name}, seed 1`, history: recorder.history() };
  });
}

/** One untimed check (V8 warm-up, and the verdict), then repeats for the budget. */
function measureCheck(name: string, history: readonly HistoryOperation[]): CheckRow {
  const result = checkLinearizability(history);
  let repeats = 0;
  const stopwatch = new Stopwatch();
  do {
    checkLinearizability(history);
    repeats += 1;
  } while (repeats < CHECK_MIN_REPEATS || stopwatch.elapsedMs() < CHECK_MEASURE_MS);
  const timing = stopwatch.read();
  return {
    history: name,
    operations: history.length,
    keys: new Set(history.map((op) => op.operation.key)).size,
    unknown: history.filter((op) => op.outcome.kind === 'unknown').length,
    result,
    repeats,
    msPerCheck: (timing.seconds * 1000) / repeats,
    timing,
  };
}

function loadBuiltInScenario(name: string): Scenario {
  const loaded = loadScenarioFile(join(packageRoot(), 'scenarios', `${name}.yaml`));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}

/** Progress goes to stderr so stdout is only the report. */
function progress(what: string): void {
  process.stderr.write(`bench: ${what}…\n`);
}

// ── report sections ──

function machineSection(): string[] {
  const cpus = os.cpus();
  return [
    '# paxsim bench',
    '',
    `- machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores (${os.availableParallelism()} available), ${os.platform()} ${os.arch()}`,
    `- node ${process.version}, ${new Date().toISOString()}`,
    // Other processes on the machine skew every rate here (the worker speed-up most), so say how busy it was.
    `- load average at start: ${os.loadavg().map((load) => load.toFixed(2)).join(', ')} (1, 5, 15 min)`,
    `- budgets: ${WARMUP_MS} ms warm-up + ${MEASURE_MS} ms per throughput row`,
    '- cores busy: CPU time of this process (worker threads and V8 helper threads included) ÷ wall time. About 1 per single-threaded row, and N for N fuzz workers, on a quiet machine.',
    '',
  ];
}

function baselineSection(baseline: BaselineResult, entryQueue: BaselineResult): string[] {
  return [
    '## (a) bare event loop',
    '',
    ...table(
      ['loop', 'events', 'seconds', 'events/s', 'cores busy'],
      [[
        `EventQueue + alea, ${BASELINE_PENDING} pending, each pop schedules now + uniformInt(1, 10)`,
        formatInteger(baseline.events),
        formatFixed(baseline.seconds, 2),
        formatInteger(baselineRate(baseline)),
        formatCoresBusy(baseline),
      ], [
        `EntryQueue + alea (the simulator's queue now), the same loop`,
        formatInteger(entryQueue.events),
        formatFixed(entryQueue.seconds, 2),
        formatInteger(baselineRate(entryQueue)),
        formatCoresBusy(entryQueue),
      ]],
    ),
    '',
    `The ratios in this report divide by the first row: the heap of event objects the simulator used when issue 9 set its targets, kept so the baseline does not move. The simulator's queue now runs the same loop ${formatFixed(baselineRate(entryQueue) / baselineRate(baseline), 2)}× as fast; against it every ratio would be that much lower.`,
    '',
  ];
}

function throughputSection(rows: readonly ThroughputRow[], baseline: BaselineResult): string[] {
  return [
    '## (b) simulator throughput (seeds 1, 2, 3, … per row)',
    '',
    'Scheduler events are queue pops (`outcome.processedEvents`), comparable with the bare loop; trace events are trace lines (`eventCount`: sends, drops, observations and checker verdicts too).',
    '',
    ...throughputTable(rows, baseline),
    '',
  ];
}

function throughputTable(rows: readonly ThroughputRow[], baseline: BaselineResult): string[] {
  return table(
    ['scenario', 'tracing', 'runs/s', 'scheduler events/s', 'trace events/s', 'scheduler / baseline', 'cores busy'],
    rows.map((row) => [
      row.scenario,
      row.tracing ? 'on (write + hash)' : 'off',
      formatRate(row.runs / row.seconds),
      formatInteger(schedulerRate(row)),
      formatInteger(traceRate(row)),
      formatPercent(schedulerRate(row) / baselineRate(baseline)),
      formatCoresBusy(row),
    ]),
  );
}

function steadyStateSection(rows: readonly SteadyStateRow[]): string[] {
  const seeds = rows[0]?.seeds ?? STEADY_STATE_SEEDS;
  return [
    `## (e) Multi-Paxos steady state, in simulated time (seeds 1–${seeds} per row, pooled)`,
    '',
    'Commands/sim s: slots chosen (`chosen` events) ÷ virtual time from the first `chosen` event to the last (leader election before it is left out). ' +
      'Ops/sim s: client operations completed ÷ virtual time from the first `invoke` to the last `complete`. ' +
      'Rates pool the seeds (all slots ÷ all spans). Clients are closed-loop, one operation in flight each, so both rates are ' +
      'clients ÷ latency: what the clients offer, not what the replicas could sustain.',
    '',
    ...table(
      ['workload', 'runs passed', 'slots chosen', 'no-ops', 'chosen span, sim ms/run', 'commands / sim s', 'ops completed', 'timed out', 'client span, sim ms/run', 'ops / sim s', 'mean latency, sim ms'],
      rows.map(({ workload, seeds: runs, passed, total }) => [
        workload,
        `${passed}/${runs}`,
        formatInteger(total.chosen),
        formatInteger(total.noops),
        formatInteger(total.chosenSpanMs / runs),
        formatInteger(perSimulatedSecond(total.chosen, total.chosenSpanMs)),
        formatInteger(total.completed),
        formatInteger(total.timedOut),
        formatInteger(total.clientSpanMs / runs),
        formatInteger(perSimulatedSecond(total.completed, total.clientSpanMs)),
        formatFixed(total.completed === 0 ? 0 : total.latencyMsTotal / total.completed, 1),
      ]),
    ),
    '',
  ];
}

function multipaxosThroughputSection(rows: readonly ThroughputRow[], baseline: BaselineResult): string[] {
  return [
    '## (f) Multi-Paxos simulator throughput (seeds 1, 2, 3, … per row)',
    '',
    'As (b). A run ends at its `until`, so the heartbeats after the last operation count too; every run ends with the linearizability check of its client history, which is in these rates.',
    '',
    ...throughputTable(rows, baseline),
    '',
  ];
}

function longRunSection(rows: readonly LongRunRow[]): string[] {
  const smallest = rows[0]!;
  return [
    `## (i) Multi-Paxos long runs (${LONG_RUN_CLIENTS} clients, seed 1, tracing off, one run each)`,
    '',
    'The shipped steady-state scenario with more operations per client (`until` grows with them). ' +
      'Time per operation is wall (or CPU) time ÷ operations; flat means the protocol, its storage and the checkers (linearizability at the end included) cost O(1) amortized per operation. ' +
      'Flatness is judged on CPU time, which other processes on a shared machine do not stretch. ' +
      'Heap: the most used at samples taken after a forced GC in a second, untimed run of the same seed (live data only: the checkers keep the client history, one entry per operation).',
    '',
    ...table(
      ['workload', 'operations', 'passed', 'scheduler events', 'seconds', 'µs per operation', 'CPU µs per operation', 'CPU vs smallest', 'peak heap, MB', 'cores busy'],
      rows.map((row) => [
        row.scenario,
        formatInteger(row.operations),
        row.passed ? 'yes' : 'NO',
        formatInteger(row.schedulerEvents),
        formatFixed(row.seconds, 2),
        formatFixed(microsecondsPerOperation(row), 1),
        formatFixed(cpuMicrosecondsPerOperation(row), 1),
        `${formatFixed(cpuMicrosecondsPerOperation(row) / cpuMicrosecondsPerOperation(smallest), 2)}×`,
        formatFixed(row.peakHeapBytes / 1e6, 1),
        formatCoresBusy(row),
      ]),
    ),
    '',
  ];
}

function microsecondsPerOperation(row: LongRunRow): number {
  return (row.seconds * 1e6) / row.operations;
}

/** CPU time per operation: what flatness is judged on, since other processes on a shared machine stretch wall time but not CPU time. */
function cpuMicrosecondsPerOperation(row: LongRunRow): number {
  return (row.cpuSeconds * 1e6) / row.operations;
}

function linearizabilitySection(rows: readonly CheckRow[]): string[] {
  return [
    `## (g) linearizability check time (\`checkLinearizability\`: one untimed call, then repeated for ≥ ${CHECK_MEASURE_MS} ms and ≥ ${CHECK_MIN_REPEATS} calls)`,
    '',
    `Synthetic histories come from a linearizable key-value store simulated in bench/kv-history.ts (seed ${LINEARIZABILITY_SEED}; put 2 : get 2 : cas 1; ` +
      `operations take 1–40 ms, so about ${LINEARIZABILITY_CLIENTS} are concurrent at any time; a timed-out operation's outcome is unknown and half of them took effect). ` +
      'Multi-Paxos histories are read from a run\'s invoke, complete and timeout events: the history its own linearizability checker judges at the end of the run.',
    '',
    ...table(
      ['history', 'operations', 'keys', 'timed out', 'verdict', 'states explored', 'ms per check', 'µs per operation', 'repeats', 'cores busy'],
      rows.map((row) => [
        row.history,
        formatInteger(row.operations),
        formatInteger(row.keys),
        formatInteger(row.unknown),
        describeVerdict(row.result),
        formatInteger(row.result.statesExplored),
        formatFixed(row.msPerCheck, row.msPerCheck < 10 ? 2 : 1),
        formatFixed((row.msPerCheck * 1000) / row.operations, 2),
        formatInteger(row.repeats),
        formatCoresBusy(row.timing),
      ]),
    ),
    '',
  ];
}

function etcdSection(rows: readonly EtcdCheckRow[]): string[] {
  return [
    '## (h) linearizability on etcd-like register histories (Jepsen/Porcupine shape: one key, values 0–4, 5 processes replaced after a timeout, ~170 events)',
    '',
    'bench/etcd-history.ts: each seed gives a history linearizable by construction and, when it has such a read, that history with one read made stale ' +
      '(not linearizable): behind a write (staleRead, which real-time pruning catches) and behind another read (staleReadAfterRead, which mostly needs the search). ' +
      `Each is checked once with the default budget; a timed-out operation stays open forever. Target: every history of the default shape (12% timed out) decided, each in < ${TARGET_ETCD_MAX_MS} ms. Wall-clock times, so noisy on a shared machine.`,
    '',
    ...table(
      ['timed out', 'seeds', 'histories', 'stale behind a write', 'stale behind a read', 'correct', 'wrong', 'undecided', 'mean ms', 'max ms', 'slowest seed', 'target'],
      rows.map((row, index) => [
        formatPercent(row.timeoutRate),
        formatInteger(row.seeds),
        formatInteger(row.histories),
        formatInteger(row.staleReads),
        formatInteger(row.staleAfterRead),
        formatInteger(row.correct),
        formatInteger(row.wrong),
        formatInteger(row.undecided),
        formatFixed(row.meanMs, 1),
        formatFixed(row.maxMs, 1),
        String(row.slowestSeed),
        index === 0 ? verdict(row.undecided === 0 && row.wrong === 0 && row.maxMs < TARGET_ETCD_MAX_MS) : '(no target)',
      ]),
    ),
    '',
  ];
}

function describeVerdict(result: LinearizabilityResult): string {
  if (result.linearizable === true) return 'linearizable';
  if (result.linearizable === false) return `NOT linearizable (key ${result.key})`;
  return `unknown: budget hit on key ${result.key}`;
}

function fuzzSection(rows: readonly FuzzRow[]): string[] {
  const single = rows[0];
  return [
    `## (c) fuzz, built-in default scenario (determinism check every ${FUZZ_DETERMINISM_EVERY} seeds)`,
    '',
    ...table(
      ['workers', 'seeds', 'failures', 'seconds', 'seeds/s', 'seeds/s per worker', 'speed-up vs 1', 'cores busy', 'CPU µs per seed', 'of which coordinator'],
      rows.map((row) => [
        String(row.workers),
        formatInteger(row.seeds),
        String(row.failures),
        formatFixed(row.seconds, 2),
        formatInteger(seedRate(row)),
        formatInteger(seedRate(row) / row.workers),
        single === undefined ? '' : `${formatFixed(seedRate(row) / seedRate(single), 2)}×`,
        formatCoresBusy(row),
        formatFixed((row.cpuSeconds * 1e6) / row.seeds, 0),
        row.coordinatorCpuSeconds === null ? 'n/a' : formatFixed((row.coordinatorCpuSeconds * 1e6) / row.seeds, 1),
      ]),
    ),
    '',
    'CPU µs per seed: the whole process per seed (workers, the coordinating thread, and V8 helper threads: JIT compiling and GC); the coordinator (main thread, from /proc on Linux) hands out chunks and folds results, competing with the workers for the cores.',
    '',
  ];
}

function recheckSection(row: RecheckRow): string[] {
  return [
    `## (c2) determinism recheck cost, one thread (seeds 1–${formatInteger(row.seeds)} of the default scenario, in blocks of ${RECHECK_BLOCK}, with and without by turns, ABBA)`,
    '',
    `Every ${FUZZ_DETERMINISM_EVERY}th seed runs twice and the two runs' fingerprints are compared (observations with their trace positions, and the run's totals; network events are not serialized). ` +
      'The share is judged on CPU time (one thread; other processes stretch wall time more than CPU time), median over the pairs of blocks (same seeds with and without); the pooled CPU and wall-time shares are shown beside it.',
    '',
    ...table(
      ['recheck', 'seeds', 'seconds', 'CPU seconds', 'seeds/s', 'share of fuzz time, CPU (median of pairs)', 'pairs: spread (25th–75th)', 'share, pooled CPU', 'share, pooled wall', 'cores busy'],
      [
        [
          `every ${FUZZ_DETERMINISM_EVERY}th seed`,
          formatInteger(row.seeds),
          formatFixed(row.withRecheck.seconds, 2),
          formatFixed(row.withRecheck.cpuSeconds, 2),
          formatInteger(row.seeds / row.withRecheck.seconds),
          formatPercent(recheckShare(row)),
          `${formatPercent(quantileOf(row.pairShares, 0.25))}–${formatPercent(quantileOf(row.pairShares, 0.75))} (${row.pairShares.length} pairs)`,
          formatPercent(recheckPooledShare(row)),
          formatPercent(recheckWallShare(row)),
          formatCoresBusy(row.withRecheck),
        ],
        ['off', formatInteger(row.seeds), formatFixed(row.without.seconds, 2), formatFixed(row.without.cpuSeconds, 2), formatInteger(row.seeds / row.without.seconds), '', '', '', '', formatCoresBusy(row.without)],
      ],
    ),
    '',
    `A rechecked seed costs ${formatFixed(recheckExtraMicroseconds(row), 0)} µs of CPU more than a plain one, which costs ${formatFixed((row.without.cpuSeconds * 1e6) / row.seeds, 0)} µs.`,
    '',
  ];
}

function coreSection(core: readonly CoreRepetition[], setup: SeedSetupRow, fuzzOne: FuzzRow): string[] {
  const untraced = core.map((turn) => schedulerRate(turn.untraced) / baselineRate(turn.baseline));
  const traced = core.map((turn) => schedulerRate(turn.traced) / baselineRate(turn.baseline));
  const untracedCpu = core.map((turn) => cpuRate(turn.untraced) / cpuBaselineRate(turn.baseline));
  const tracedCpu = core.map((turn) => cpuRate(turn.traced) / cpuBaselineRate(turn.baseline));
  const setupUs = (setup.setup.seconds * 1e6) / setup.setup.seeds;
  const wholeUs = (setup.whole.seconds * 1e6) / setup.whole.runs;
  const perWorker = seedRate(fuzzOne) / fuzzOne.workers;
  const ratioRow = (what: string, ratios: readonly number[], cpuRatios: readonly number[], target: number): string[] => [
    what,
    `≥ ${formatPercent(target)}`,
    ratios.map(formatPercent).join(', '),
    formatPercent(medianOf(ratios)),
    `${formatPercent(Math.min(...ratios))}–${formatPercent(Math.max(...ratios))}`,
    formatPercent(medianOf(cpuRatios)),
    verdict(medianOf(ratios) >= target),
  ];
  return [
    `## (b2) faster core: ${CORE_SCENARIO} against the bare loop, ${CORE_REPETITIONS} turns (bare loop, untraced, traced: ${CORE_MEASURE_MS} ms each per turn, in ${CORE_SLICES} slices taken by turns)`,
    '',
    'Ratios of scheduler events/s to the bare loop measured in the same turn, moments apart; the target is judged on the median, the spread is min–max over the turns. ' +
      'The CPU column divides CPU-time rates instead (less sensitive to other processes, but it charges the simulator for its garbage collector threads), as a check on a busy machine.',
    '',
    ...table(
      ['row', 'target', 'per turn', 'median', 'spread', 'median, CPU time', 'result'],
      [
        ratioRow(`${CORE_SCENARIO} untraced ÷ bare loop`, untraced, untracedCpu, TARGET_CORE_UNTRACED_FRACTION),
        ratioRow(`${CORE_SCENARIO} traced (write + hash) ÷ bare loop`, traced, tracedCpu, TARGET_CORE_TRACED_FRACTION),
        [
          'fuzz, 1 worker, seeds/s (determinism recheck every 20th seed, worker start-up included)',
          `≥ ${formatInteger(TARGET_CORE_SEEDS_PER_WORKER)}`,
          formatInteger(perWorker),
          formatInteger(perWorker),
          '(one run)',
          formatInteger(fuzzOne.seeds / fuzzOne.cpuSeconds),
          verdict(perWorker >= TARGET_CORE_SEEDS_PER_WORKER),
        ],
      ],
    ),
    '',
    `Bare loop per turn: ${core.map((turn) => formatInteger(baselineRate(turn.baseline))).join(', ')} events/s; ${CORE_SCENARIO} untraced: ${core.map((turn) => formatInteger(schedulerRate(turn.untraced))).join(', ')}; traced: ${core.map((turn) => formatInteger(schedulerRate(turn.traced))).join(', ')} scheduler events/s (${formatFixed(core.reduce((sum, turn) => sum + turn.untraced.schedulerEvents / turn.untraced.runs, 0) / core.length, 0)} scheduler and ${formatFixed(core.reduce((sum, turn) => sum + turn.untraced.traceEvents / turn.untraced.runs, 0) / core.length, 0)} trace events per seed).`,
    '',
    `Per seed (untraced, one thread): ${formatFixed(wholeUs, 0)} µs in all, of which ${formatFixed(setupUs, 0)} µs (${formatPercent(setupUs / wholeUs)}) is fixed cost: the nemesis's schedule, driver, checkers, nodes, final checks and reports, measured with nothing simulated (${formatInteger(setup.setup.seeds)} seeds, cores busy ${formatCoresBusy(setup.setup)}).`,
    '',
  ];
}

function detectionSection(rows: readonly DetectionRow[]): string[] {
  return [
    `## (d) seeds to detect each planted bug (default fuzz scenario, cap ${formatInteger(DETECTION_CAP)})`,
    '',
    ...table(
      ['bug', ...DETECTION_STARTS.map((from) => `from ${from}`), 'median', 'max', 'caught by'],
      rows.map((row) => [
        row.bug,
        ...row.seedsNeeded.map(formatSeedsNeeded),
        formatSeedsNeeded(median(row.seedsNeeded)),
        formatSeedsNeeded(maximum(row.seedsNeeded)),
        [...new Set(row.caughtBy)].join(', ') || '—',
      ]),
    ),
    '',
  ];
}

function targetsSection(
  throughput: readonly ThroughputRow[],
  baseline: BaselineResult,
  fuzzRows: readonly FuzzRow[],
  detection: readonly DetectionRow[],
  allThroughput: readonly ThroughputRow[],
  checks: readonly CheckRow[],
  recheck: RecheckRow,
  longRuns: readonly LongRunRow[],
  core: readonly CoreRepetition[],
): string[] {
  // Each target is judged on the slowest tracing-off scenario: the claim must hold for all of them.
  const untraced = throughput.filter((row) => !row.tracing);
  const slowestScheduler = minimumBy(untraced, schedulerRate);
  const slowestTrace = minimumBy(untraced, traceRate);
  const slowestTraced = minimumBy(
    throughput.filter((row) => row.tracing),
    schedulerRate,
  );
  const single = fuzzRows[0]!;
  const all = fuzzRows[fuzzRows.length - 1]!;
  const slowestPerWorker = Math.min(...fuzzRows.map((row) => seedRate(row) / row.workers));
  const speedUp = seedRate(all) / seedRate(single);
  const speedUpTarget = TARGET_WORKER_EFFICIENCY * all.workers;
  const worstMedian = maximumBy(detection, (row) => median(row.seedsNeeded) ?? Infinity);
  const worstMedianSeeds = median(worstMedian.seedsNeeded);
  const smallestRun = longRuns[0]!;
  const largestRun = longRuns[longRuns.length - 1]!;
  const longRunRatio = cpuMicrosecondsPerOperation(largestRun) / cpuMicrosecondsPerOperation(smallestRun);
  const timedRun = longRuns.find((row) => row.operations === LONG_RUN_CLIENTS * TARGET_LONG_RUN_SECONDS.opsPerClient);

  return [
    '## targets',
    '',
    ...table(
      ['target', 'measured', 'result'],
      [
        ...coreTargetRows(core, single),
        [
          `tracing off ≥ ${formatInteger(TARGET_EVENTS_PER_SECOND)} scheduler events/s`,
          `slowest: ${slowestScheduler.scenario} ${formatInteger(schedulerRate(slowestScheduler))}`,
          verdict(schedulerRate(slowestScheduler) >= TARGET_EVENTS_PER_SECOND),
        ],
        [
          `tracing off ≥ ${formatInteger(TARGET_EVENTS_PER_SECOND)} trace events/s`,
          `slowest: ${slowestTrace.scenario} ${formatInteger(traceRate(slowestTrace))}`,
          verdict(traceRate(slowestTrace) >= TARGET_EVENTS_PER_SECOND),
        ],
        [
          `tracing off ≥ ${formatPercent(TARGET_BASELINE_FRACTION)} of bare loop (scheduler events)`,
          `slowest: ${slowestScheduler.scenario} ${formatPercent(schedulerRate(slowestScheduler) / baselineRate(baseline))}`,
          verdict(schedulerRate(slowestScheduler) >= TARGET_BASELINE_FRACTION * baselineRate(baseline)),
        ],
        [
          `tracing on (write + hash) ≥ ${formatPercent(TARGET_TRACED_BASELINE_FRACTION)} of bare loop (scheduler events)`,
          `slowest: ${slowestTraced.scenario} ${formatPercent(schedulerRate(slowestTraced) / baselineRate(baseline))}`,
          verdict(schedulerRate(slowestTraced) >= TARGET_TRACED_BASELINE_FRACTION * baselineRate(baseline)),
        ],
        [
          `determinism recheck ≤ ${formatPercent(TARGET_RECHECK_SHARE)} of fuzz time`,
          `${formatPercent(recheckShare(recheck))} (CPU time)`,
          verdict(recheckShare(recheck) <= TARGET_RECHECK_SHARE),
        ],
        [
          `fuzz ≥ ${formatInteger(TARGET_SEEDS_PER_WORKER)} seeds/s per worker`,
          `lowest: ${formatInteger(slowestPerWorker)} (${fuzzRows.map((row) => `${row.workers} w: ${formatInteger(seedRate(row) / row.workers)}`).join(', ')})`,
          verdict(slowestPerWorker >= TARGET_SEEDS_PER_WORKER),
        ],
        all.workers > 1
          ? [
              `${all.workers} workers ≥ ${formatFixed(speedUpTarget, 2)}× one (${formatPercent(TARGET_WORKER_EFFICIENCY)} per worker)`,
              `${formatFixed(speedUp, 2)}×`,
              verdict(speedUp >= speedUpTarget),
            ]
          : ['2 workers ≥ 1.70× one', 'one core: not measurable', 'MISS'],
        [
          `every bug: median ≤ ${formatInteger(TARGET_DETECTION_MEDIAN)} seeds`,
          `worst: ${worstMedian.bug} ${formatSeedsNeeded(worstMedianSeeds)}`,
          verdict(worstMedianSeeds !== null && worstMedianSeeds <= TARGET_DETECTION_MEDIAN),
        ],
        [
          `Multi-Paxos CPU µs per operation: ${formatInteger(largestRun.operations)} ops ≤ ${formatFixed(TARGET_LONG_RUN_FLATNESS, 1)}× ${formatInteger(smallestRun.operations)} ops`,
          `${formatFixed(longRunRatio, 2)}× (${formatFixed(cpuMicrosecondsPerOperation(smallestRun), 1)} → ${formatFixed(cpuMicrosecondsPerOperation(largestRun), 1)} µs)`,
          verdict(longRunRatio <= TARGET_LONG_RUN_FLATNESS),
        ],
        timedRun === undefined
          ? [`Multi-Paxos ${LONG_RUN_CLIENTS} × ${formatInteger(TARGET_LONG_RUN_SECONDS.opsPerClient)} ops < ${TARGET_LONG_RUN_SECONDS.seconds} s`, 'not run', 'MISS']
          : [
              `Multi-Paxos ${LONG_RUN_CLIENTS} × ${formatInteger(TARGET_LONG_RUN_SECONDS.opsPerClient)} ops < ${TARGET_LONG_RUN_SECONDS.seconds} s`,
              `${formatFixed(timedRun.seconds, 2)} s`,
              verdict(timedRun.seconds < TARGET_LONG_RUN_SECONDS.seconds),
            ],
      ],
    ),
    '',
    'The throughput targets are judged on the single-decree Paxos rows of (b). Issue 5 sets no targets for Multi-Paxos, so (e), (f) and (g) only measure; the Multi-Paxos targets are the long runs of (h).',
    '',
    contentionNote(allThroughput, baseline, fuzzRows, checks, longRuns),
    '',
  ];
}

/** Issue 9's targets, as rows of the targets table (the same verdicts as section (b2)). */
function coreTargetRows(core: readonly CoreRepetition[], fuzzOne: FuzzRow): string[][] {
  const ratios = (pick: (turn: CoreRepetition) => ThroughputRow) => core.map((turn) => schedulerRate(pick(turn)) / baselineRate(turn.baseline));
  const row = (what: string, values: readonly number[], target: number): string[] => [
    `${CORE_SCENARIO} ${what} ≥ ${formatPercent(target)} of bare loop (median of ${core.length})`,
    `${formatPercent(medianOf(values))} (spread ${formatPercent(Math.min(...values))}–${formatPercent(Math.max(...values))})`,
    verdict(medianOf(values) >= target),
  ];
  const perWorker = seedRate(fuzzOne) / fuzzOne.workers;
  return [
    row('untraced', ratios((turn) => turn.untraced), TARGET_CORE_UNTRACED_FRACTION),
    row('traced (write + hash)', ratios((turn) => turn.traced), TARGET_CORE_TRACED_FRACTION),
    [`fuzz ≥ ${formatInteger(TARGET_CORE_SEEDS_PER_WORKER)} seeds/s per worker (1 worker, recheck included)`, formatInteger(perWorker), verdict(perWorker >= TARGET_CORE_SEEDS_PER_WORKER)],
  ];
}

/** Names the rows that ran short of CPU, since their rates (and any MISS they cause) then say more about the machine than about paxsim. */
function contentionNote(
  throughput: readonly ThroughputRow[],
  baseline: BaselineResult,
  fuzzRows: readonly FuzzRow[],
  checks: readonly CheckRow[],
  longRuns: readonly LongRunRow[],
): string {
  const rows: { label: string; timing: Timing; cores: number }[] = [
    { label: 'bare loop', timing: baseline, cores: 1 },
    ...throughput.map((row) => ({ label: `${row.scenario} tracing ${row.tracing ? 'on' : 'off'}`, timing: row, cores: 1 })),
    ...fuzzRows.map((row) => ({ label: `fuzz ${row.workers} w`, timing: row, cores: row.workers })),
    ...checks.map((row) => ({ label: `check of ${row.history} (${formatInteger(row.operations)} ops)`, timing: row.timing, cores: 1 })),
    ...longRuns.map((row) => ({ label: `long run ${formatInteger(row.operations)} ops`, timing: row as Timing, cores: 1 })),
  ];
  const contended = rows.filter((row) => row.timing.cpuSeconds / row.timing.seconds < CONTENDED_BELOW * row.cores);
  if (contended.length === 0) return `No contention seen: every row kept at least ${formatPercent(CONTENDED_BELOW)} of the cores it could use busy.`;
  const labels = contended.map((row) => `${row.label} (${formatCoresBusy(row.timing)} of ${row.cores})`);
  return `⚠ Other processes took CPU during: ${labels.join(', ')}. Those rates are understated; rerun on a quiet machine before trusting a MISS.`;
}

// ── arithmetic ──

function baselineRate(baseline: BaselineResult): number {
  return baseline.events / baseline.seconds;
}

function schedulerRate(row: ThroughputRow): number {
  return row.schedulerEvents / row.seconds;
}

/** Events per CPU second: what the row would do with a core to itself (garbage collector threads included). */
function cpuRate(row: ThroughputRow): number {
  return row.schedulerEvents / row.cpuSeconds;
}

function cpuBaselineRate(baseline: BaselineResult): number {
  return baseline.events / baseline.cpuSeconds;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The q-quantile by nearest rank (spreads of a few dozen values). */
function quantileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

function medianBy<T>(items: readonly T[], value: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor(sorted.length / 2)]!;
}

function traceRate(row: ThroughputRow): number {
  return row.traceEvents / row.seconds;
}

/** Events per simulated second over a span of simulated milliseconds. */
function perSimulatedSecond(count: number, spanMs: number): number {
  return spanMs === 0 ? 0 : (count * 1000) / spanMs;
}

function seedRate(row: FuzzRow): number {
  return row.seeds / row.seconds;
}

/** Seeds not found within the cap sort above every found count (null stands for "> cap"). */
function sortedSeedsNeeded(values: readonly (number | null)[]): (number | null)[] {
  return [...values].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
}

/** The middle value (the upper middle for an even count: misses must not be averaged away). */
function median(values: readonly (number | null)[]): number | null {
  const sorted = sortedSeedsNeeded(values);
  return sorted[Math.floor(sorted.length / 2)] ?? null;
}

function maximum(values: readonly (number | null)[]): number | null {
  const sorted = sortedSeedsNeeded(values);
  return sorted[sorted.length - 1] ?? null;
}

function minimumBy<T>(items: readonly T[], value: (item: T) => number): T {
  return items.reduce((best, item) => (value(item) < value(best) ? item : best));
}

function maximumBy<T>(items: readonly T[], value: (item: T) => number): T {
  return items.reduce((best, item) => (value(item) > value(best) ? item : best));
}

// ── formatting ──

/** A markdown table; columns whose every cell is a number (or "> cap") are right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const isNumeric = (cell: string | undefined) => cell !== undefined && /^(> )?[\d.,]+[×%]?$/.test(cell);
  const alignment = header.map((_, column) => (rows.every((row) => isNumeric(row[column])) ? '---:' : '---'));
  return [line(header), line(alignment), ...rows.map(line)];
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function formatInteger(value: number): string {
  return integerFormat.format(value);
}

function formatFixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** Whole numbers with separators, one decimal below 10 (a big Multi-Paxos run takes a good part of a second). */
function formatRate(value: number): string {
  return value < 10 ? formatFixed(value, 1) : formatInteger(value);
}

function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function formatCoresBusy(timing: Timing): string {
  return formatFixed(timing.cpuSeconds / timing.seconds, 2);
}

function formatSeedsNeeded(value: number | null): string {
  return value === null ? `> ${formatInteger(DETECTION_CAP)}` : formatInteger(value);
}

function verdict(passed: boolean): string {
  return passed ? 'PASS' : 'MISS';
}

// Last, so every module-level constant above is initialized before the bench uses it.
await main();
