import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { coverageFor } from '../check/coverage.js';
import type { ProtocolBug } from '../run/protocol.js';
import { writeFailure, type WrittenFailure } from '../run/failure-files.js';
import { failureKind, fuzz, type FuzzReport, type ScenarioFuzzReport } from '../run/fuzz.js';
import { applyNemesisOverrides, type NemesisOverrides } from '../run/nemesis-overrides.js';
import { describeShrink, shrinkScenario } from '../run/shrink.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import { NEMESIS_FAULT_KINDS } from '../scenario/schema.js';
import type { NemesisFaultKind, Scenario } from '../scenario/scenario.js';
import { packageRoot } from '../util/package-root.js';
import { runScenario, traceLines } from '../run/runner.js';
import { parseCount, parseDuration, parseShard } from './durations.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo, type Styles } from './io.js';
import { junitXml, type JunitFailure } from './junit.js';
import { formatSeconds, ProgressDisplay } from './progress.js';
import { determinismProblem } from './run-command.js';
import { loadScenarioArg, parseBug } from './scenario-arg.js';

export interface FuzzFlags {
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
  const styles = stylesFor(colorLevel(io, flags.color));
  const progress = new ProgressDisplay(io, flags.progress && !flags.json);
  const timeLimitMs = flags.time === undefined ? null : parseDuration(flags.time, '--time');
  let interruptions = 0;
  const onInterrupt = () => {
    interruptions += 1;
    if (interruptions > 1) process.exit(130);
    io.stderr('\npaxsim: stopping after the seeds in flight (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onInterrupt);
  let report: FuzzReport;
  try {
    report = await fuzz(
      { ...plan.fuzz, seedCount: timeLimitMs === null ? plan.seedCount : null },
      {
        shouldStop: () => interruptions > 0 || (timeLimitMs !== null && progress.elapsedMs() >= timeLimitMs),
        onProgress: (update) => progress.update(update),
      },
    );
  } finally {
    process.off('SIGINT', onInterrupt);
    progress.finish();
  }
  const elapsedMs = progress.elapsedMs();
  const interrupted = interruptions > 0;
  reportNondeterminism(report, plan.bug, io, styles);
  const written = writeFailures(report, plan, flags, io, styles);
  if (flags.junit !== undefined) writeOutput(flags.junit, junitXml(report, written.map(junitEntry), elapsedMs), '--junit');
  if (flags.json) io.stdout(JSON.stringify(fuzzJson(report, written, elapsedMs, plan.fuzz.workers, interrupted)) + '\n');
  else io.stdout(formatSummary(report, written, elapsedMs, plan.fuzz.workers, interrupted, styles));
  if (report.failureCount > 0) return EXIT.failed;
  return interrupted ? 130 : EXIT.ok;
}

interface FuzzCommandPlan {
  readonly fuzz: Parameters<typeof fuzz>[0];
  readonly seedCount: number;
  readonly bug: ProtocolBug | undefined;
  readonly replayPaths: readonly (string | null)[];
}

function planFrom(files: readonly string[], flags: FuzzFlags): FuzzCommandPlan {
  if (flags.seeds !== undefined && flags.time !== undefined) throw new UsageError(['--seeds and --time: give one or the other']);
  const overrides = nemesisOverrides(flags);
  const loaded = (files.length === 0 ? [FUZZ_DEFAULT_SCENARIO] : files).map((file) => loadScenarioArg(file));
  const scenarios: Scenario[] = loaded.map((entry) => applyNemesisOverrides(entry.scenario, overrides));
  const names = new Set<string>();
  for (const scenario of scenarios) {
    if (names.has(scenario.name)) throw new UsageError([`${scenario.name}: two scenarios share this name; failure files are named after it`]);
    names.add(scenario.name);
  }
  // A bug belongs to one protocol: every fuzzed scenario must speak it.
  const bugs = scenarios.map((scenario) => parseBug(flags.bug, scenario.protocol));
  const bug = bugs[0];
  const workers = flags.workers === undefined ? availableParallelism() : parseCount(flags.workers, '--workers', 0);
  const seedCount = flags.seeds === undefined ? DEFAULT_SEEDS : parseCount(flags.seeds, '--seeds');
  return {
    fuzz: {
      scenarios,
      fromSeed: flags.from === undefined ? 1 : parseSeed(flags.from, '--from'),
      seedCount,
      shard: flags.shard === undefined ? { index: 0, count: 1 } : parseShard(flags.shard),
      workers,
      bug,
      keepGoing: flags.keepGoing === true,
      determinismEvery: flags.checkDeterminism ? 1 : parseCount(flags.determinismEvery, '--determinism-every', 0),
    },
    seedCount,
    bug,
    replayPaths: loaded.map((entry) => entry.replayPath),
  };
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
  const faultRate = flags.faultRate === undefined ? undefined : Number(flags.faultRate);
  if (faultRate !== undefined && !(faultRate >= 0)) throw new UsageError([`--fault-rate: must be a non-negative number, got "${flags.faultRate}"`]);
  return {
    enable: flags.nemesis === true,
    windowMs: flags.window === undefined ? undefined : parseDuration(flags.window, '--window', 'ms'),
    quietMs: flags.quietTail === undefined ? undefined : parseDuration(flags.quietTail, '--quiet-tail', 'ms'),
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
  readonly shrunk: { file: string; sizes: string; attempts: number } | null;
}

/** Each failing seed (the first, or the first few with --keep-going) as a replayable file; the first one shrunk. */
function writeFailures(report: FuzzReport, plan: FuzzCommandPlan, flags: FuzzFlags, io: CliIo, styles: Styles): WrittenEntry[] {
  const written: WrittenEntry[] = [];
  report.scenarios.forEach((scenarioReport) => {
    const failures = scenarioReport.failures.slice(0, flags.keepGoing ? WRITTEN_FAILURES_PER_SCENARIO : 1);
    failures.forEach((seedResult, index) => {
      const header = [`found by: ${foundByCommand(scenarioReport, plan, seedResult.seed)}`];
      const failure = writeFailure(scenarioReport.scenario, seedResult.seed, plan.bug, flags.out, header);
      // Only a checker's violation can be shrunk; an unmet expectation or nondeterminism has nothing to keep failing.
      const shrinkable = index === 0 && flags.shrink && seedResult.failedCheckers.length > 0;
      const shrunk = shrinkable ? shrinkAndWrite(failure, plan.bug, io, styles) : null;
      written.push({ scenario: scenarioReport, seed: seedResult.seed, failure, shrunk });
    });
  });
  return written;
}

function shrinkAndWrite(failure: WrittenFailure, bug: ProtocolBug | undefined, io: CliIo, styles: Styles): WrittenEntry['shrunk'] {
  const startMs = performance.now();
  const scenario = failure.result.scenario;
  const shrunk = shrinkScenario(scenario, scenario.seed, { bug, shouldStop: () => performance.now() - startMs > SHRINK_BUDGET_MS });
  const file = failure.scenarioFile.replace(/\.yaml$/, '.min.yaml');
  const rerun = runScenario(shrunk.scenario, { record: true, bug });
  const violation = rerun.violations[0];
  const header = [
    violation ? `paxsim found: ${violation.checker} violated at t=${violation.t} (event #${violation.event}): ${violation.message}` : 'paxsim found: see the unshrunk file',
    `shrunk from ${failure.scenarioFile}: ${describeShrink(shrunk.before, shrunk.after, '->')} (${shrunk.attempts} runs)`,
    `replay: paxsim run ${file}`,
  ];
  writeOutput(file, scenarioToYaml({ ...shrunk.scenario, bug: bug ?? shrunk.scenario.bug }, { header, filePath: file, schemaPath: join(packageRoot(), 'scenarios', 'scenario.schema.json') }), 'shrink');
  writeOutput(file.replace(/\.yaml$/, '.trace.jsonl'), traceLines(rerun).join('\n') + '\n', 'shrink');
  if (shrunk.exhausted) io.stderr(styles.dim(`paxsim: shrinking ${failure.scenarioFile} stopped at its budget; the result is smaller but may not be minimal\n`));
  return { file, sizes: describeShrink(shrunk.before, shrunk.after), attempts: shrunk.attempts };
}

/** For the first few seeds whose two runs differed: run them twice more, recording, and say where they part. */
function reportNondeterminism(report: FuzzReport, bug: ProtocolBug | undefined, io: CliIo, styles: Styles): void {
  for (const scenarioReport of report.scenarios) {
    for (const seed of scenarioReport.nondeterministicSeeds.slice(0, 3)) {
      const first = runScenario(scenarioReport.scenario, { seed, bug, record: true, stopOnViolation: true });
      const second = runScenario(scenarioReport.scenario, { seed, bug, record: true, stopOnViolation: true });
      const problem = determinismProblem(first, second) ?? `NONDETERMINISM: ${scenarioReport.scenario.name} seed ${seed} differed between two runs in a worker, but not in two re-runs here`;
      io.stderr(styles.fail(problem) + '\n');
    }
  }
}

function foundByCommand(report: ScenarioFuzzReport, plan: FuzzCommandPlan, seed: number): string {
  const index = plan.fuzz.scenarios.indexOf(report.scenario);
  const path = plan.replayPaths[index] ?? null;
  const parts = ['paxsim fuzz'];
  if (path !== null) parts.push(path);
  parts.push('--from', String(seed), '--seeds', '1');
  if (plan.bug) parts.push('--bug', plan.bug);
  return parts.join(' ');
}

function replayOf(entry: WrittenEntry): string {
  return `paxsim run ${entry.shrunk?.file ?? entry.failure.scenarioFile}`;
}

function junitEntry(entry: WrittenEntry): JunitFailure {
  return { scenario: entry.scenario.scenario.name, seed: entry.seed, replay: replayOf(entry) };
}

function formatSummary(report: FuzzReport, written: readonly WrittenEntry[], elapsedMs: number, workers: number, interrupted: boolean, styles: Styles): string {
  const lines: string[] = [];
  const label = (text: string) => styles.bold(text.padEnd(12));
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  lines.push(styles.bold(`── fuzz summary${interrupted ? ' (interrupted)' : ''} ──`));
  for (const scenario of report.scenarios) {
    const status = scenario.failureCount === 0 ? styles.pass('all held') : styles.fail(`${scenario.failureCount} failing`);
    const stopped = scenario.stopped ? styles.dim(' (stopped at the first failure; --keep-going to go on)') : '';
    lines.push(label('scenario') + `${scenario.scenario.name}: ${scenario.seedsRun} seeds, ${status}${stopped}`);
  }
  lines.push(
    label('seeds') +
      `${report.seedsRun} in ${formatSeconds(seconds)}: ${Math.round(report.seedsRun / seconds)} seeds/s on ${workers || 'no'} worker${workers === 1 ? '' : 's'}, ${report.events} events`,
  );
  const byChecker = new Map<string, number>();
  for (const scenario of report.scenarios) for (const [kind, count] of Object.entries(scenario.failuresByChecker)) byChecker.set(kind, (byChecker.get(kind) ?? 0) + count);
  lines.push(label('failures') + (byChecker.size === 0 ? styles.pass('none') : styles.fail([...byChecker].map(([kind, count]) => `${kind} ${count}`).join(', '))));
  const checks = report.scenarios.reduce((total, scenario) => total + scenario.determinismChecks, 0);
  const nondeterministic = report.scenarios.flatMap((scenario) => scenario.nondeterministicSeeds);
  lines.push(
    label('determinism') +
      (nondeterministic.length === 0 ? `${checks} seeds run twice, identical traces` : styles.fail(`NONDETERMINISM: seeds ${nondeterministic.join(', ')} gave different traces on a second run`)),
  );
  for (const protocol of [...new Set(report.scenarios.map((scenario) => scenario.scenario.protocol))]) {
    const scenarios = report.scenarios.filter((scenario) => scenario.scenario.protocol === protocol);
    const seeds = scenarios.reduce((total, scenario) => total + scenario.seedsRun, 0);
    const catalogue = coverageFor(protocol);
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
    lines.push(label('failure') + styles.fail(`${entry.scenario.scenario.name} seed ${entry.seed}: ${what}`));
    lines.push(label('written') + `${entry.failure.scenarioFile} (+ .trace.jsonl, .html sequence diagram)`);
    if (entry.shrunk) {
      const shrunk = entry.shrunk;
      lines.push(label('shrunk') + `${shrunk.file}: ${shrunk.sizes} (${shrunk.attempts} runs)`);
    }
    lines.push(label('replay') + styles.bold(replayOf(entry)));
  }
  return lines.join('\n') + '\n';
}


function fuzzJson(report: FuzzReport, written: readonly WrittenEntry[], elapsedMs: number, workers: number, interrupted: boolean): Record<string, unknown> {
  return {
    seeds: report.seedsRun,
    events: report.events,
    elapsedMs: Math.round(elapsedMs),
    workers,
    interrupted,
    failures: report.failureCount,
    scenarios: report.scenarios.map((scenario) => ({
      scenario: scenario.scenario.name,
      seeds: scenario.seedsRun,
      failures: scenario.failureCount,
      failingSeeds: scenario.failures.map((failure) => failure.seed),
      failuresByChecker: scenario.failuresByChecker,
      coverage: Object.fromEntries(coverageFor(scenario.scenario.protocol).keys.map((key, index) => [key, scenario.seedsRun === 0 ? 0 : scenario.coverageCounts[index]! / scenario.seedsRun])),
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
      replay: replayOf(entry),
    })),
  };
}

function writeOutput(path: string, text: string, what: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    throw new UsageError([`${what} ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
}
