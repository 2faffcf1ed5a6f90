import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { ExploreModel } from '../explore/model.js';
import { exploreModelFor, NO_FAULTS, type ExploreJudged } from '../explore/setup.js';
import { describedSchedule } from '../explore/schedule-replay.js';
import { parallelSearch } from '../explore/parallel-search.js';
import { search, type SearchResult, type SearchStrategy } from '../explore/search.js';
import type { ExploreSpec, Scenario, ScheduleStep } from '../scenario/scenario.js';
import { LIMITS } from '../scenario/limits.js';
import { printable } from '../trace/format.js';
import { plural } from '../util/plural.js';
import { failureScenarioText } from '../run/failure-files.js';
import type { ProtocolBug } from '../run/protocol.js';
import { protocolNamed } from '../run/registry.js';
import { parseCount, parseDuration } from './durations.js';
import { EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { checkOutputDirectory, writeCheckedOutput } from './output-check.js';
import { runToOutputs } from './run-command.js';
import { loadScenarioArg, parseBug } from './scenario-arg.js';

export interface ExploreFlags {
  readonly depth?: string;
  readonly maxStates?: string;
  readonly time?: string;
  readonly strategy?: string;
  readonly bug?: string;
  readonly faults?: string;
  readonly maxCrashes?: string;
  readonly maxDrops?: string;
  readonly maxDuplicates?: string;
  readonly maxTimers?: string;
  readonly symmetry?: boolean;
  readonly workers?: string;
  readonly out: string;
  readonly json?: boolean;
}

const FAULT_KINDS = ['drop', 'duplicate', 'crash'] as const;

/**
 * `paxsim explore`: every schedule of a small configuration, breadth-first
 * (the first violation found is a shortest one) or depth-first, on the same
 * node code and checkers as `paxsim run`. A violation is written as a
 * scenario pinning its schedule, with its trace and diagram.
 */
export async function exploreCommand(file: string, flags: ExploreFlags, io: CliIo): Promise<number> {
  const { scenario, replayPath } = loadScenarioArg(file);
  // The scenario's own `bug:` (a fuzz failure file carries one) applies as on `run`, unless --bug overrides it.
  const bug = parseBug(flags.bug, scenario.protocol) ?? scenario.bug;
  const strategy = parseStrategy(flags.strategy);
  const workers = parseWorkers(flags.workers, strategy);
  const limits = exploreLimits(scenario.explore ?? NO_FAULTS, flags);
  const maxDepth = flags.depth === undefined ? scenario.explore?.depth : parseCount(flags.depth, '--depth', 1, LIMITS.exploreDepth);
  const maxStates = flags.maxStates === undefined ? scenario.explore?.maxStates : parseCount(flags.maxStates, '--max-states', 1, LIMITS.exploreStates);
  const timeLimitMs = flags.time === undefined ? undefined : parseDuration(flags.time, '--time');
  checkOutputDirectory(flags.out, '--out');

  const symmetry = flags.symmetry === true;
  const { model, newChecks, judged } = exploreModelFor(scenario, bug, limits, { symmetry });
  // Judged for the scenario as written only (with --bug a violation is the point, and the expectation is not judged).
  if (flags.bug === undefined) refuseUnjudgedExpectation(file, scenario, judged);
  const options = { strategy, maxDepth, maxStates, timeLimitMs, clock: () => performance.now(), memoryFull: heapNearlyFull, newChecks };
  // One worker is the single-threaded search itself; more search level by level on worker threads, with the same counts and verdict.
  const result = workers === 1 ? search(model, options) : await parallelSearch(model, { scenario, bug, limits, symmetry }, options, workers);
  const bounds = { ...limits, depth: maxDepth, maxStates, timeLimitMs };
  let written: Counterexample | null = null;
  if (result.violation !== null) {
    const described = describedSchedule(model, result.violation.actions);
    written = { ...writeCounterexample(scenario, bug, described.map(({ step }) => step), flags.out), lines: described.map(({ text }) => text) };
  }
  // A scenario's expectation speaks of the protocol it names, its own bug included; --bug swaps in another.
  const expectation = flags.bug === undefined ? judgeExploreExpectation(scenario, result) : null;
  if (flags.json) io.stdout(JSON.stringify({ ...(exploreJson(scenario, bug, strategy, bounds, result, written, expectation) as object), symmetry: model.setup.symmetry ?? null, workers, notJudged: judged.notJudged }) + '\n');
  else io.stdout(formatExplore(scenario, bug, strategy, bounds, result, written, expectation, replayPath, [...symmetryLines(model), ...workerLines(workers), ...ignoredFaultsLines(scenario)], judged));
  // As `run` with `expect: { safety: violated }`: a scenario that expects the violation found is met (a regression test of a planted bug).
  if (expectation !== null) return expectation.met ? EXIT.ok : EXIT.failed;
  return result.violation === null ? EXIT.ok : EXIT.failed;
}

/**
 * `expect.explore.violation` naming a checker of the protocol that explore
 * does not judge (a liveness checker, or one counting message deliveries)
 * could never be met: bad input, one line.
 */
function refuseUnjudgedExpectation(file: string, scenario: Scenario, judged: ExploreJudged): void {
  const wanted = scenario.expect.explore?.violation;
  if (wanted === undefined || wanted === 'none' || wanted === 'any' || judged.checkers.includes(wanted)) return;
  if (!judged.notJudged.includes(wanted) && !(protocolNamed(scenario.protocol)?.checkerNames ?? []).includes(wanted)) return;
  const why = judged.notJudged.includes(wanted) ? "it counts message deliveries, which explore's states do not keep" : 'explore judges safety only; run and fuzz judge liveness';
  throw new UsageError([`${file}: expect.explore.violation: explore does not judge ${wanted} (${why}); use none, any or one of: ${judged.checkers.join(', ')}`]);
}

/** The checkers line: what explore judges, and what it does not. */
function checkersLine(judged: ExploreJudged): string {
  const except = judged.notJudged.length === 0 ? '' : ` except ${judged.notJudged.join(', ')} (it counts message deliveries, which explore's states do not keep: run and fuzz judge it)`;
  return `checkers  safety checkers of \`paxsim run\` on every transition${except}; liveness is not checked by explore`;
}

/** Which nodes `--symmetry` treats as interchangeable (said even when none are, so a factor of 1 is not a surprise). */
function symmetryLines(model: ExploreModel): string[] {
  const classes = model.setup.symmetry;
  if (classes === undefined) return [];
  if (classes.length === 0) return ['symmetry  no interchangeable nodes in this configuration (every node has its own role or requests): no reduction'];
  return [`symmetry  ${classes.map((members) => `{${members.join(', ')}}`).join(' ')} interchangeable (${model.permutationCount} permutations)`];
}

/** Worker threads for the search: 1 (the default) is the single-threaded search; more search BFS level by level. */
function parseWorkers(text: string | undefined, strategy: SearchStrategy): number {
  if (text === undefined) return 1;
  const workers = parseCount(text, '--workers', 1, LIMITS.exploreWorkers);
  if (workers > 1 && strategy === 'dfs') throw new UsageError([`--workers ${workers}: only a breadth-first search runs on workers; use --strategy bfs, or --workers 1 with dfs`]);
  return workers;
}

/** Said only when the search ran on workers. */
function workerLines(workers: number): string[] {
  if (workers === 1) return [];
  return [`workers   ${workers} (breadth-first, level by level: the same states, counts and verdict as one worker)`];
}

/** Said when the scenario has faults of its own: explore draws every fault within its budgets instead, so the file's are not what was searched. */
function ignoredFaultsLines(scenario: Scenario): string[] {
  const own = scenario.faults.length > 0 ? plural(scenario.faults.length, 'fault') : scenario.nemesis !== undefined ? 'nemesis' : null;
  return own === null ? [] : [`note      the scenario's ${own} and network settings are not used: explore tries every drop, duplicate, crash and timer within the bounds above`];
}

function parseStrategy(text: string | undefined): SearchStrategy {
  if (text === undefined || text === 'bfs' || text === 'dfs') return text ?? 'bfs';
  throw new UsageError([`--strategy: must be bfs or dfs, got "${printable(text)}"`]);
}

/** The scenario's budgets, narrowed by `--faults` (kinds not listed get none) and overridden by the `--max-*` flags. */
function exploreLimits(spec: ExploreSpec, flags: ExploreFlags): ExploreSpec {
  let allowed: Set<string> | null = null;
  if (flags.faults !== undefined) {
    const kinds = flags.faults === 'none' ? [] : flags.faults.split(',').map((kind) => kind.trim());
    for (const kind of kinds) {
      if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new UsageError([`--faults: unknown fault kind "${printable(kind)}"; known: ${FAULT_KINDS.join(', ')} (or none)`]);
    }
    allowed = new Set(kinds);
  }
  const budget = (kind: (typeof FAULT_KINDS)[number], flag: string | undefined, flagName: string, fromScenario: number): number => {
    if (flag !== undefined) return parseCount(flag, flagName, 0, LIMITS.exploreBound);
    if (allowed === null) return fromScenario;
    return allowed.has(kind) ? Math.max(1, fromScenario) : 0;
  };
  return {
    maxDrops: budget('drop', flags.maxDrops, '--max-drops', spec.maxDrops),
    maxDuplicates: budget('duplicate', flags.maxDuplicates, '--max-duplicates', spec.maxDuplicates),
    maxCrashes: budget('crash', flags.maxCrashes, '--max-crashes', spec.maxCrashes),
    maxTimerFires: flags.maxTimers === undefined ? spec.maxTimerFires : parseCount(flags.maxTimers, '--max-timers', 0, LIMITS.exploreBound),
  };
}

/** A written counterexample: its files, its steps, and a line per step. */
interface Counterexample {
  readonly scenario: string;
  readonly trace: string;
  readonly html: string;
  readonly steps: readonly ScheduleStep[];
  readonly lines: readonly string[];
}

interface ExploreExpectation {
  readonly met: boolean;
  readonly lines: readonly string[];
}

/** The scenario's `expect.explore`, judged (the correct protocol only: with --bug a violation is the point). */
export function judgeExploreExpectation(scenario: Scenario, result: SearchResult): ExploreExpectation | null {
  const wanted = scenario.expect.explore;
  if (wanted === undefined) return null;
  const lines: string[] = [];
  let met = true;
  if (wanted.exhausted !== undefined) {
    const ok = wanted.exhausted === result.exhausted || (result.violation !== null && !wanted.exhausted);
    met &&= ok;
    lines.push(`${ok ? '✓' : '✗'} exhausted: ${wanted.exhausted}`);
  }
  const found = result.violation?.violation.checker ?? null;
  const ok = wanted.violation === 'none' ? found === null : wanted.violation === 'any' ? found !== null : found === wanted.violation;
  met &&= ok;
  lines.push(`${ok ? '✓' : '✗'} violation: ${printable(wanted.violation)}`);
  return { met, lines };
}

/**
 * The share of the heap limit past which the search stops with a verdict: an
 * unbounded search of a large configuration would otherwise die of V8's
 * out-of-memory crash (a stack trace, no result), and nearer the limit V8
 * spends most of its time collecting garbage.
 */
const HEAP_SHARE = 0.8;

/**
 * V8's young generation on 64-bit (three 16 MB semi-spaces), which its heap
 * limit includes: what the search fills is the old generation, whose limit
 * (--max-old-space-size) is the rest.
 */
const YOUNG_GENERATION_BYTES = 48 * 2 ** 20;

function heapLimitBytes(): number {
  return getHeapStatistics().heap_size_limit - YOUNG_GENERATION_BYTES;
}

/** The search's memory probe (asked every few hundred expansions). */
function heapNearlyFull(): boolean {
  return getHeapStatistics().used_heap_size > HEAP_SHARE * heapLimitBytes();
}

function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`;
}

/** The honest one-line verdict: exhausted, a violation, or no violation within the bounds that cut the search. */
export function verdictLine(result: SearchResult, bounds: { depth?: number | undefined; maxStates?: number | undefined; timeLimitMs?: number | undefined }): string {
  const states = `${result.distinctStates.toLocaleString('en-US')} distinct states`;
  if (result.violation !== null) return `VIOLATION of ${result.violation.violation.checker} after ${plural(result.violation.actions.length, 'step')} (${states} searched)`;
  if (result.exhausted) return `exhausted: ${states}, no violation`;
  const within = result.cutBy
    .filter((bound) => bound === 'depth' || bound === 'time')
    .map((bound) => (bound === 'depth' ? `depth ${bounds.depth}` : `${((bounds.timeLimitMs ?? 0) / 1000).toFixed(1)} s`));
  // The state bound is checked once a state is expanded, with all its successors counted: the search stops after at least that many.
  const stopped =
    (result.cutBy.includes('states') ? `; stopped after ≥ ${bounds.maxStates!.toLocaleString('en-US')} states` : '') +
    (result.cutBy.includes('memory') ? `; stopped near the heap limit (${HEAP_SHARE * 100}% of ${formatMegabytes(heapLimitBytes())})` : '');
  return `no violation${within.length === 0 ? '' : ` within ${within.join(' / ')}`}${stopped} (${states}; not exhausted)`;
}

function formatExplore(
  scenario: Scenario,
  bug: ProtocolBug | undefined,
  strategy: SearchStrategy,
  bounds: ExploreSpec & { timeLimitMs?: number | undefined },
  result: SearchResult,
  written: Counterexample | null,
  expectation: ExploreExpectation | null,
  replayPath: string | null,
  symmetry: readonly string[],
  judged: ExploreJudged,
): string {
  const seconds = (result.elapsedMs ?? 0) / 1000;
  const rate = seconds > 0 ? Math.round(result.distinctStates / seconds).toLocaleString('en-US') : '-';
  const lines = [
    `── explore: ${printable(scenario.name)}${bug ? ` --bug ${bug}` : ''} (${strategy}) ──`,
    `bounds    drops ≤ ${bounds.maxDrops}, duplicates ≤ ${bounds.maxDuplicates}, crashes ≤ ${bounds.maxCrashes}, timer firings ≤ ${bounds.maxTimerFires}` +
      (bounds.depth === undefined ? '' : `, depth ≤ ${bounds.depth}`) +
      (bounds.maxStates === undefined ? '' : `, stop after ≥ ${bounds.maxStates} states`),
    ...symmetry,
    `searched  ${result.distinctStates.toLocaleString('en-US')} distinct states, ${result.transitions.toLocaleString('en-US')} transitions, depth ${result.depth}, ${seconds.toFixed(2)} s (${rate} states/s)`,
    checkersLine(judged),
    `result    ${verdictLine(result, bounds)}`,
  ];
  if (result.violation !== null && written !== null) {
    lines.push(`violation ${result.violation.violation.checker}: ${printable(result.violation.violation.message)}`);
    lines.push(`schedule  (${plural(written.steps.length, 'step')}${strategy === 'bfs' ? ', shortest' : ''})`);
    written.lines.forEach((line, index) => lines.push(`  ${String(index + 1).padStart(3)}. ${line}`));
    lines.push(`wrote     ${written.scenario}, ${written.trace}, ${written.html}`);
    lines.push(`replay    paxsim run ${written.scenario}`);
  }
  if (expectation !== null) lines.push(`expect    ${expectation.lines.join(' · ')}`);
  if (result.cutBy.includes('memory')) lines.push(`memory    bound the search (--depth, --max-states), or give it a larger heap: NODE_OPTIONS=--max-old-space-size=MB`);
  else if (replayPath !== null && result.violation === null && !result.exhausted) lines.push(`raise the bounds (--depth, --max-states, --time) to search further`);
  return lines.join('\n') + '\n';
}

/** The counterexample as a scenario pinning its schedule (expecting safety to hold, so `paxsim run` on it fails), its trace and diagram. */
function writeCounterexample(scenario: Scenario, bug: ProtocolBug | undefined, steps: ScheduleStep[], out: string) {
  const name = `${scenario.name}${bug ? `-${bug}` : ''}-counterexample`;
  const pinned: Scenario = {
    ...scenario,
    name,
    description: `A shortest schedule that breaks ${scenario.name}${bug ? ` with --bug ${bug}` : ''}, found by paxsim explore.`,
    faults: [],
    nemesis: undefined,
    explore: undefined,
    bug,
    schedule: steps,
    untilMs: Math.max(1, steps.length),
    expect: { safety: 'hold' },
  };
  const base = join(out, name);
  const files = { scenario: `${base}.yaml`, trace: `${base}.jsonl`, html: `${base}.html`, steps };
  // As fuzz and shrink write theirs: a user protocol's module named relative to the file, so a moved directory replays.
  writeCheckedOutput(files.scenario, failureScenarioText(pinned, files.scenario, ['Replay: paxsim run ' + files.scenario]), '--out');
  runToOutputs(pinned, {}, { trace: files.trace, html: files.html, shiviz: undefined }, '--out');
  return files;
}

function exploreJson(
  scenario: Scenario,
  bug: ProtocolBug | undefined,
  strategy: SearchStrategy,
  bounds: object,
  result: SearchResult,
  written: { scenario: string; steps: readonly ScheduleStep[] } | null,
  expectation: ExploreExpectation | null,
): unknown {
  return {
    scenario: scenario.name,
    bug: bug ?? null,
    strategy,
    bounds,
    exhausted: result.exhausted,
    cutBy: result.cutBy,
    distinctStates: result.distinctStates,
    transitions: result.transitions,
    depth: result.depth,
    elapsedMs: result.elapsedMs,
    violation: result.violation === null ? null : { ...result.violation.violation, steps: result.violation.actions.length, file: written?.scenario ?? null, schedule: written?.steps ?? [] },
    expectMet: expectation?.met ?? null,
  };
}
