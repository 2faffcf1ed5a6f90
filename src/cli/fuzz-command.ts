import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { coverageOf } from '../run/registry.js';
import type { ProtocolBug } from '../run/protocol.js';
import { failureFileStem, failureScenarioText, foundLine, writeFailure, type WrittenFailure } from '../run/failure-files.js';
import { failureKind, fuzz, type FuzzReport, type ScenarioFuzzReport } from '../run/fuzz.js';
import { applyNemesisOverrides, type NemesisOverrides } from '../run/nemesis-overrides.js';
import { describeShrink, shrinkScenario } from '../run/shrink.js';
import { NEMESIS_FAULT_KINDS } from '../scenario/schema.js';
import { LIMITS, MAX_SEED, nemesisSizeProblem } from '../scenario/limits.js';
import type { NemesisFaultKind, Scenario } from '../scenario/scenario.js';
import { writeOutputFile } from '../util/output-path.js';
import { printable } from '../trace/format.js';
import { packageRoot } from '../util/package-root.js';
import { shellCommand } from '../util/shell-quote.js';
import { runScenario } from '../run/runner.js';
import { runWithOutputsOrProblem } from '../run/trace-outputs.js';
import { parseCount, parseDuration, parseRate, parseShard } from './durations.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo, type Styles } from './io.js';
import { junitXml, type JunitFailure } from './junit.js';
import { InterruptWatch, signalExitCode } from './interrupt.js';
import { checkOutputDirectory, checkOutputFile } from './output-check.js';
import { formatSeconds, ProgressDisplay } from './progress.js';
import { determinismProblem } from './run-command.js';
import { loadScenarioArg, parseBug, refusePinnedSchedule } from './scenario-arg.js';
import { plural } from '../util/plural.js';

export interface FuzzFlags {
  /** A user protocol module that replaces the scenario's `protocol` (resolved from the working directory). */
  readonly protocol?: string;
  readonly seeds?: string;
  readonly time?: string;
  readonly from?: string;
  readonly workers?: string;
  readonly shard?: string;
  readonly bug?: string;
  readonly out: string;
  readonly junit?: string;
  readonly json?: boolean;
  readonly keepGoing?: boolean;
  readonly shrink: boolean;
  readonly determinismEvery: string;
  readonly checkDeterminism?: boolean;
  readonly color: boolean;
  readonly progress: boolean;
  readonly nemesis?: boolean;
  readonly window?: string;
  readonly quietTail?: string;
  readonly faults?: string;
  readonly faultRate?: string;
  readonly maxDown?: string;
  readonly swarm: boolean;
}

const DEFAULT_SEEDS = 1000;
const WRITTEN_FAILURES_PER_SCENARIO = 20;
const SHRINK_BUDGET_MS = 30_000;

export const FUZZ_DEFAULT_SCENARIO = join(packageRoot(), 'scenarios', 'fuzz-default.yaml');

/** `paxsim fuzz`: many seeds per scenario on worker threads; failures written out, shrunk and replayable. */
export async function fuzzCommand(files: readonly string[], flags: FuzzFlags, io: CliIo): Promise<number> {
  const plan = planFrom(files, flags);
  checkOutputDirectory(flags.out, '--out');
  checkOutputFile(flags.junit, '--junit');
  for (const note of plan.notes) io.stderr(`${note}\n`);
  const styles = stylesFor(colorLevel(io, flags.color));
  const progress = new ProgressDisplay(io, flags.progress && !flags.json);
  const timeLimitMs = flags.time === undefined ? null : parseDuration(flags.time, '--time');
  const interrupts = new InterruptWatch({
    acknowledge: () => io.stderr('\npaxsim: stopping after the seeds in flight, then writing what was found (Ctrl-C again in a second to quit at once)\n'),
    quitNow: (signal) => {
      io.stderr('paxsim: quitting at once; failures not yet written are lost\n');
      process.exit(signalExitCode(signal));
    },
  }).install();
  try {
    let report: FuzzReport;
    try {
      report = await fuzz(
        { ...plan.fuzz, seedCount: timeLimitMs === null ? plan.seedCount : null },
        {
          shouldStop: () => interrupts.stopRequested || (timeLimitMs !== null && progress.elapsedMs() >= timeLimitMs),
          onProgress: (update) => progress.update(update),
        },
      );
    } finally {
      progress.finish();
    }
    const elapsedMs = progress.elapsedMs();
    const interrupted = interrupts.stopRequested;
    reportNondeterminism(report, plan.bug, io, styles);
    const written = writeFailures(report, plan, flags, io, styles, interrupts);
    // The summary first: a report file that cannot be written must not take the verdict with it.
    if (flags.json) io.stdout(JSON.stringify(fuzzJson(report, written, elapsedMs, plan.fuzz.workers, interrupted)) + '\n');
    else io.stdout(formatSummary(report, written, elapsedMs, plan.fuzz.workers, interrupted, styles));
    let outputProblem = written.some((entry) => entry.failure.problem !== null || entry.shrunk?.problem);
    if (flags.junit !== undefined) {
      const problem = writeOutputFile(flags.junit, junitXml(report, written.map(junitEntry), elapsedMs));
      if (problem !== null) io.stderr(`--junit ${flags.junit}: ${problem}\n`);
      outputProblem ||= problem !== null;
    }
    // Said last, after what earlier seeds found was written: the seed that could not be judged, and how to rerun it.
    if (report.aborted !== null) return reportAbort(report, plan, flags, io);
    // A failing seed outranks a file that could not be written: CI must see the failure.
    // An undecided seed is not a pass: as `paxsim run` on it, fuzz exits 1 (it is counted apart from failures).
    if (report.failureCount > 0 || report.inconclusiveCount > 0) return EXIT.failed;
    if (outputProblem) return EXIT.usage;
    return interrupted ? signalExitCode(interrupts.signal) : EXIT.ok;
  } finally {
    interrupts.dispose();
  }
}

interface FuzzCommandPlan {
  readonly fuzz: Parameters<typeof fuzz>[0];
  readonly seedCount: number;
  readonly bug: ProtocolBug | undefined;
  readonly replayPaths: readonly (string | null)[];
  /** Flags paxsim adjusted rather than refused (a worker count above the core count). */
  readonly notes: readonly string[];
}

function planFrom(files: readonly string[], flags: FuzzFlags): FuzzCommandPlan {
  if (flags.seeds !== undefined && flags.time !== undefined) throw new UsageError(['--seeds and --time: give one or the other']);
  const overrides = nemesisOverrides(flags);
  const loaded = (files.length === 0 ? [FUZZ_DEFAULT_SCENARIO] : files).map((file) => loadScenarioArg(file, flags.protocol));
  loaded.forEach((entry) => refusePinnedSchedule(entry, 'fuzz'));
  const scenarios: Scenario[] = loaded.map((entry) => applyNemesisOverrides(entry.scenario, overrides));
  scenarios.forEach((scenario) => checkNemesisFlags(scenario, flags));
  const names = new Set<string>();
  for (const scenario of scenarios) {
    const stem = failureFileStem(scenario.name, undefined, 0);
    if (names.has(stem)) throw new UsageError([`${scenario.name}: two scenarios share this name; failure files are named after it`]);
    names.add(stem);
  }
  // A bug belongs to one protocol: every fuzzed scenario must speak it.
  const bugs = scenarios.map((scenario) => parseBug(flags.bug, scenario.protocol));
  const bug = bugs[0];
  // More threads than cores only cost memory: results are the same for any worker count.
  const cores = availableParallelism();
  const requestedWorkers = flags.workers === undefined ? cores : parseCount(flags.workers, '--workers', 0);
  const workers = Math.min(requestedWorkers, cores);
  const notes = requestedWorkers > cores ? [`paxsim: --workers ${requestedWorkers}: using ${cores}, the number of cores`] : [];
  const seedCount = flags.seeds === undefined ? DEFAULT_SEEDS : parseCount(flags.seeds, '--seeds');
  const fromSeed = flags.from === undefined ? 1 : parseSeed(flags.from, '--from');
  if (flags.time === undefined && seedCount - 1 > MAX_SEED - fromSeed) {
    throw new UsageError([`--seeds: the last seed, ${fromSeed} + ${seedCount} - 1, would pass ${MAX_SEED} (seeds are safe integers); lower --from or --seeds`]);
  }
  const shard = flags.shard === undefined ? { index: 0, count: 1 } : parseShard(flags.shard);
  // A shard with nothing to run is a CI matrix out of step with --seeds: "0 seeds, all held" would pass it silently.
  if (flags.time === undefined && shard.index >= seedCount) {
    throw new UsageError([
      `--shard: shard ${shard.index + 1}/${shard.count} has no seeds (--seeds ${seedCount} gives one seed each to shards 1 to ${seedCount} at most); use fewer shards or more seeds`,
    ]);
  }
  return {
    fuzz: {
      scenarios,
      fromSeed,
      seedCount,
      shard,
      workers,
      bug,
      keepGoing: flags.keepGoing === true,
      determinismEvery: flags.checkDeterminism ? 1 : parseCount(flags.determinismEvery, '--determinism-every', 0),
    },
    seedCount,
    bug,
    replayPaths: loaded.map((entry) => entry.replayPath),
    notes,
  };
}

/** The nemesis flags, checked against each scenario they apply to, as its file's own nemesis block is. */
function checkNemesisFlags(scenario: Scenario, flags: FuzzFlags): void {
  const nemesis = scenario.nemesis;
  if (nemesis === undefined) return;
  const sizeProblem = nemesisSizeProblem(nemesis.faultsPerSecond, nemesis.windowMs);
  if (sizeProblem !== null) {
    const given = [flags.faultRate === undefined ? null : '--fault-rate', flags.window === undefined ? null : '--window'].filter((flag) => flag !== null);
    throw new UsageError([`${given.join(' and ') || '--nemesis'} (scenario ${scenario.name}): ${sizeProblem}`]);
  }
  if (flags.maxDown !== undefined && nemesis.maxDown >= scenario.nodes.length) {
    throw new UsageError([`--max-down: must be less than the number of nodes of scenario ${scenario.name} (${scenario.nodes.length}), got "${flags.maxDown}"`]);
  }
}

function nemesisOverrides(flags: FuzzFlags): NemesisOverrides {
  let kinds: NemesisFaultKind[] | undefined;
  if (flags.faults !== undefined) {
    kinds = flags.faults.split(',').map((kind) => kind.trim()) as NemesisFaultKind[];
    const unknown = kinds.filter((kind) => !(NEMESIS_FAULT_KINDS as readonly string[]).includes(kind));
    if (unknown.length > 0 || kinds.length === 0) {
      throw new UsageError([`--faults: unknown fault kind "${unknown[0] ?? ''}"; choose from ${NEMESIS_FAULT_KINDS.join(', ')}`]);
    }
  }
  const faultRate = flags.faultRate === undefined ? undefined : parseRate(flags.faultRate, '--fault-rate', LIMITS.faultsPerSecond);
  return {
    enable: flags.nemesis === true,
    windowMs: flags.window === undefined ? undefined : parseDuration(flags.window, '--window', 'ms', LIMITS.virtualMs),
    quietMs: flags.quietTail === undefined ? undefined : parseDuration(flags.quietTail, '--quiet-tail', 'ms', LIMITS.virtualMs),
    kinds,
    faultsPerSecond: faultRate,
    maxDown: flags.maxDown === undefined ? undefined : parseCount(flags.maxDown, '--max-down', 0),
    swarm: flags.swarm ? undefined : false,
  };
}

interface WrittenEntry {
  readonly scenario: ScenarioFuzzReport;
  readonly seed: number;
  readonly failure: WrittenFailure;
  readonly shrunk: {
    file: string;
    /** Before → after: faults, proposals or clients and operations, events. */
    sizes: string;
    attempts: number;
    /** Why the shrunk file could not be written, or null. */
    problem: string | null;
  } | null;
  /** How to run this seed again: the written file, or the fuzz command for this one seed when it could not be written. */
  readonly replay: string;
}

/** Each failing seed (the first, or the first few with --keep-going) as a replayable file; the first one shrunk. */
function writeFailures(report: FuzzReport, plan: FuzzCommandPlan, flags: FuzzFlags, io: CliIo, styles: Styles, interrupts: InterruptWatch): WrittenEntry[] {
  const written: WrittenEntry[] = [];
  // Interrupted before this point: write what was found at once, and leave shrinking to `paxsim shrink`.
  const shrink = flags.shrink && !interrupts.stopRequested;
  report.scenarios.forEach((scenarioReport) => {
    const failures = scenarioReport.failures.slice(0, flags.keepGoing ? WRITTEN_FAILURES_PER_SCENARIO : 1);
    failures.forEach((seedResult, index) => {
      const foundBy = foundByCommand(scenarioReport, plan, flags, seedResult.seed);
      const failure = writeFailure(scenarioReport.scenario, seedResult.seed, plan.bug, flags.out, [`found by: ${foundBy}`]);
      if (failure.problem !== null) io.stderr(styles.fail(`paxsim: cannot write ${failure.scenarioFile} (or its trace or diagram): ${failure.problem}`) + '\n');
      // Only a checker's violation can be shrunk; an unmet expectation or nondeterminism has nothing to keep failing.
      const shrinkable = index === 0 && shrink && failure.problem === null && seedResult.failedCheckers.length > 0;
      const shrunk = shrinkable ? shrinkAndWrite(failure, plan.bug, io, styles, interrupts) : null;
      if (index === 0 && flags.shrink && !shrink && failure.problem === null && seedResult.failedCheckers.length > 0) {
        io.stderr(styles.dim(`paxsim: interrupted, so not shrunk; shrink it with: ${shellCommand(['paxsim', 'shrink', failure.scenarioFile])}`) + '\n');
      }
      const replayFile = shrunk !== null && shrunk.problem === null ? shrunk.file : failure.problem === null ? failure.scenarioFile : null;
      const replay = replayFile === null ? foundBy : shellCommand(['paxsim', 'run', replayFile]);
      written.push({ scenario: scenarioReport, seed: seedResult.seed, failure, shrunk, replay });
    });
  });
  return written;
}

function shrinkAndWrite(failure: WrittenFailure, bug: ProtocolBug | undefined, io: CliIo, styles: Styles, interrupts: InterruptWatch): WrittenEntry['shrunk'] {
  const startMs = performance.now();
  const scenario = failure.result.scenario;
  const shrunk = shrinkScenario(scenario, scenario.seed, { bug, shouldStop: () => interrupts.stopRequested || performance.now() - startMs > SHRINK_BUDGET_MS });
  const file = failure.scenarioFile.replace(/\.yaml$/, '.min.yaml');
  const { result: rerun, problem: traceProblem } = runWithOutputsOrProblem(shrunk.scenario, { bug }, { trace: file.replace(/\.yaml$/, '.trace.jsonl') });
  const header = [
    rerun.violations.length > 0 ? foundLine(rerun) : 'paxsim found: see the unshrunk file',
    `shrunk from ${failure.scenarioFile}: ${describeShrink(shrunk.before, shrunk.after, '->')} (${plural(shrunk.attempts, 'run')})`,
    `replay: ${shellCommand(['paxsim', 'run', file])}`,
  ];
  const problem = writeOutputFile(file, failureScenarioText({ ...shrunk.scenario, bug: bug ?? shrunk.scenario.bug }, file, header)) ?? traceProblem;
  if (problem !== null) io.stderr(styles.fail(printable(`paxsim: cannot write ${file}: ${problem}`)) + '\n');
  if (shrunk.exhausted) io.stderr(styles.dim(`paxsim: shrinking ${printable(failure.scenarioFile)} stopped ${interrupts.stopRequested ? 'when interrupted' : 'at its budget'}; the result is smaller but may not be minimal\n`));
  return { problem, file, sizes: describeShrink(shrunk.before, shrunk.after), attempts: shrunk.attempts };
}

/** For the first few seeds whose two runs differed: run them twice more, recording, and say where they part. */
function reportNondeterminism(report: FuzzReport, bug: ProtocolBug | undefined, io: CliIo, styles: Styles): void {
  for (const scenarioReport of report.scenarios) {
    for (const seed of scenarioReport.nondeterministicSeeds.slice(0, 3)) {
      const first = runScenario(scenarioReport.scenario, { seed, bug, record: true, stopOnViolation: true });
      const second = runScenario(scenarioReport.scenario, { seed, bug, record: true, stopOnViolation: true });
      const problem = determinismProblem(first, second) ?? `NONDETERMINISM: ${scenarioReport.scenario.name} seed ${seed} differed between two runs in a worker, but not in two re-runs here`;
      io.stderr(styles.fail(printable(problem)) + '\n');
    }
  }
}

/** The fuzz command for this one seed, with the nemesis flags that shaped its schedule. */
/** One line for the seed fuzzing stopped at (a user protocol that broke its contract: exit 2; paxsim's own failure: exit 3), with the command that reruns it. */
function reportAbort(report: FuzzReport, plan: FuzzCommandPlan, flags: FuzzFlags, io: CliIo): number {
  const aborted = report.aborted!;
  const scenarioReport = report.scenarios.find((scenario) => scenario.scenario.name === aborted.scenario)!;
  const rerun = foundByCommand(scenarioReport, plan, flags, aborted.seed);
  const where = `fuzz stopped at ${aborted.scenario} seed ${aborted.seed}`;
  if (aborted.kind === 'protocol') {
    io.stderr(`paxsim: ${printable(`${where}: ${aborted.message}`)} (rerun: ${rerun})\n`);
    return EXIT.usage;
  }
  io.stderr(`paxsim: internal error: ${printable(`${where}: ${aborted.message}`)}\nThis is a bug in paxsim, not in your scenario. Rerun: ${rerun} --debug\n`);
  return EXIT.internal;
}

function foundByCommand(report: ScenarioFuzzReport, plan: FuzzCommandPlan, flags: FuzzFlags, seed: number): string {
  const index = plan.fuzz.scenarios.indexOf(report.scenario);
  const path = plan.replayPaths[index] ?? null;
  const parts = ['paxsim', 'fuzz'];
  if (path !== null) parts.push(path);
  parts.push('--from', String(seed), '--seeds', '1');
  if (plan.bug) parts.push('--bug', plan.bug);
  if (flags.nemesis) parts.push('--nemesis');
  const valued: [string, string | undefined][] = [
    ['--window', flags.window],
    ['--quiet-tail', flags.quietTail],
    ['--faults', flags.faults],
    ['--fault-rate', flags.faultRate],
    ['--max-down', flags.maxDown],
  ];
  for (const [flag, value] of valued) if (value !== undefined) parts.push(flag, value);
  if (!flags.swarm) parts.push('--no-swarm');
  return shellCommand(parts);
}

function junitEntry(entry: WrittenEntry): JunitFailure {
  return { scenario: entry.scenario.scenario.name, seed: entry.seed, replay: entry.replay };
}

function formatSummary(report: FuzzReport, written: readonly WrittenEntry[], elapsedMs: number, workers: number, interrupted: boolean, styles: Styles): string {
  const lines: string[] = [];
  const label = (text: string) => styles.bold(text.padEnd(12));
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const { aborted } = report;
  lines.push(styles.bold(`── fuzz summary${interrupted ? ' (interrupted)' : aborted !== null ? ` (stopped at ${printable(aborted.scenario)} seed ${aborted.seed}, which could not be run)` : ''} ──`));
  for (const scenario of report.scenarios) {
    const undecided = scenario.inconclusiveCount > 0 ? `, ${scenario.inconclusiveCount} inconclusive` : '';
    const status = scenario.failureCount > 0 ? styles.fail(`${scenario.failureCount} failing${undecided}`) : undecided ? styles.fail(`none failing${undecided}`) : styles.pass('all held');
    const stopped = !scenario.stopped || aborted !== null ? '' : styles.dim(' (stopped at the first failure; --keep-going to go on)');
    lines.push(label('scenario') + `${printable(scenario.scenario.name)}: ${plural(scenario.seedsRun, 'seed')}, ${status}${stopped}`);
  }
  lines.push(
    label('seeds') +
      `${report.seedsRun} in ${formatSeconds(seconds)}: ${Math.round(report.seedsRun / seconds)} seeds/s on ${workers === 0 ? 'no workers' : plural(workers, 'worker')}, ${plural(report.events, 'event')}`,
  );
  const byChecker = new Map<string, number>();
  for (const scenario of report.scenarios) for (const [kind, count] of Object.entries(scenario.failuresByChecker)) byChecker.set(kind, (byChecker.get(kind) ?? 0) + count);
  lines.push(label('failures') + (byChecker.size === 0 ? styles.pass('none') : styles.fail(checkerCounts(byChecker))));
  for (const scenario of report.scenarios) lines.push(...failingSeedLines(scenario, written, label, styles));
  if (report.inconclusiveCount > 0) {
    const seeds = report.scenarios.filter((scenario) => scenario.inconclusiveCount > 0).map((scenario) => `${printable(scenario.scenario.name)} seeds ${scenario.inconclusiveSeeds.join(', ')}`);
    lines.push(label('undecided') + styles.fail(`${plural(report.inconclusiveCount, 'seed')} inconclusive, a checker could not decide (not failures, not passes): ${seeds.join('; ')}`));
  }
  const checks = report.scenarios.reduce((total, scenario) => total + scenario.determinismChecks, 0);
  const nondeterministic = report.scenarios.flatMap((scenario) => scenario.nondeterministicSeeds);
  lines.push(
    label('determinism') +
      (nondeterministic.length === 0 ? `${plural(checks, 'seed')} run twice, identical traces` : styles.fail(`NONDETERMINISM: ${nondeterministic.length === 1 ? 'seed' : 'seeds'} ${nondeterministic.join(', ')} gave different traces on a second run`)),
  );
  for (const protocol of [...new Set(report.scenarios.map((scenario) => scenario.scenario.protocol))]) {
    const scenarios = report.scenarios.filter((scenario) => scenario.scenario.protocol === protocol);
    const seeds = scenarios.reduce((total, scenario) => total + scenario.seedsRun, 0);
    const catalogue = coverageOf(protocol);
    catalogue.keys.forEach((key, index) => {
      const count = scenarios.reduce((total, scenario) => total + scenario.coverageCounts[index]!, 0);
      const share = seeds === 0 ? 0 : (100 * count) / seeds;
      const text = `${share.toFixed(share < 10 ? 1 : 0).padStart(5)}%  ${catalogue.descriptions[key]}`;
      lines.push(label(index === 0 ? (report.scenarios.length === scenarios.length ? 'coverage' : `coverage (${protocol})`) : '') + (count === 0 ? styles.fail(`${text}  (never reached)`) : text));
    });
  }
  for (const entry of written) {
    const first = entry.failure.result.violations[0];
    const what = first ? `${first.checker}: ${first.message}` : failureKind(entry.scenario.failures.find((failure) => failure.seed === entry.seed)!);
    lines.push('');
    lines.push(label('failure') + styles.fail(printable(`${entry.scenario.scenario.name} seed ${entry.seed}: ${what}`)));
    if (entry.failure.problem === null) lines.push(label('written') + `${printable(entry.failure.scenarioFile)} (+ .trace.jsonl, .html sequence diagram)`);
    else lines.push(label('not written') + styles.fail(printable(`${entry.failure.scenarioFile}: ${entry.failure.problem}`)));
    if (entry.shrunk) {
      const shrunk = entry.shrunk;
      const sizes = `${shrunk.sizes} (${plural(shrunk.attempts, 'run')})`;
      lines.push(label('shrunk') + (shrunk.problem === null ? `${printable(shrunk.file)}: ${sizes}` : styles.fail(printable(`${shrunk.file} not written: ${shrunk.problem}`))));
    }
    lines.push(label('replay') + styles.bold(printable(entry.replay)));
  }
  return lines.join('\n') + '\n';
}

function checkerCounts(counts: Iterable<[string, number]>): string {
  return [...counts].map(([kind, count]) => `${kind} ${count}`).join(', ');
}

/**
 * Every failing seed of a scenario, not just the written ones: with
 * --keep-going only the first few get files, and the rest must not vanish.
 */
function failingSeedLines(scenario: ScenarioFuzzReport, written: readonly WrittenEntry[], label: (text: string) => string, styles: Styles): string[] {
  if (scenario.failureCount === 0) return [];
  const count = scenario.failureCount;
  const lines = [label('failing') + `${printable(scenario.scenario.name)}: ${plural(count, 'seed')} (${checkerCounts(Object.entries(scenario.failuresByChecker))})`];
  const writtenSeeds = new Set(written.filter((entry) => entry.scenario === scenario).map((entry) => entry.seed));
  const unwritten = scenario.failures.map((failure) => failure.seed).filter((seed) => !writtenSeeds.has(seed));
  const unlisted = count - scenario.failures.length;
  if (unwritten.length > 0 || unlisted > 0) {
    const seeds = unwritten.length > 0 ? `: seeds ${unwritten.join(', ')}` : '';
    const beyond = unlisted > 0 ? `${unwritten.length > 0 ? ',' : ''} and ${unlisted} later seeds not kept` : '';
    lines.push(label('') + styles.dim(`${unwritten.length + unlisted} more, not written${seeds}${beyond} (replay one: --from SEED --seeds 1)`));
  }
  return lines;
}

function fuzzJson(report: FuzzReport, written: readonly WrittenEntry[], elapsedMs: number, workers: number, interrupted: boolean): Record<string, unknown> {
  return {
    seeds: report.seedsRun,
    events: report.events,
    elapsedMs: Math.round(elapsedMs),
    workers,
    interrupted,
    aborted: report.aborted,
    failures: report.failureCount,
    inconclusive: report.inconclusiveCount,
    scenarios: report.scenarios.map((scenario) => ({
      scenario: scenario.scenario.name,
      seeds: scenario.seedsRun,
      failures: scenario.failureCount,
      failingSeeds: scenario.failures.map((failure) => failure.seed),
      failuresByChecker: scenario.failuresByChecker,
      inconclusiveSeeds: scenario.inconclusiveSeeds,
      coverage: Object.fromEntries(coverageOf(scenario.scenario.protocol).keys.map((key, index) => [key, scenario.seedsRun === 0 ? 0 : scenario.coverageCounts[index]! / scenario.seedsRun])),
      determinismChecks: scenario.determinismChecks,
      nondeterministicSeeds: scenario.nondeterministicSeeds,
    })),
    written: written.map((entry) => ({
      scenario: entry.scenario.scenario.name,
      seed: entry.seed,
      checker: entry.failure.result.violations[0]?.checker ?? null,
      message: entry.failure.result.violations[0]?.message ?? null,
      file: entry.failure.scenarioFile,
      trace: entry.failure.traceFile,
      html: entry.failure.htmlFile,
      shrunk: entry.shrunk?.file ?? null,
      replay: entry.replay,
      writeProblem: entry.failure.problem ?? entry.shrunk?.problem ?? null,
    })),
  };
}
