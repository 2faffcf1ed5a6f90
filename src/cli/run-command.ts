import { ScheduleError } from '../explore/schedule-replay.js';
import { runScenario, type RunOptions, type RunResult } from '../run/runner.js';
import { runWithOutputs, TraceOutputError, type TraceOutputTargets } from '../run/trace-outputs.js';
import type { Scenario } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { firstDivergence } from '../trace/diff.js';
import { printable } from '../trace/format.js';
import { timelineLine, type TimelineOptions } from '../trace/timeline.js';
import { isBuiltInProtocol } from '../run/registry.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo, type Styles } from './io.js';
import { checkOutputFile } from './output-check.js';
import { loadScenarioArg, parseBug, replayLine } from './scenario-arg.js';
import { formatVerdict, verdictJson } from './verdict.js';

export interface RunFlags {
  /** A user protocol module that replaces the scenario's `protocol` (resolved from the working directory). */
  readonly protocol?: string;
  readonly seed?: string;
  readonly trace?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly color: boolean;
  readonly sends?: boolean;
  readonly bug?: string;
  readonly checkDeterminism?: boolean;
  readonly shiviz?: string;
  readonly html?: string;
}

/** `paxsim run [scenario]`: one seeded run, its timeline, and a verdict. */
export function runCommand(file: string | undefined, flags: RunFlags, io: CliIo): number {
  const { scenario, replayPath, protocolFlag } = loadScenarioArg(file, flags.protocol);
  const seed = flags.seed === undefined ? scenario.seed : parseSeed(flags.seed);
  const bug = parseBug(flags.bug, scenario.protocol);
  checkRunOutputs(flags);
  const showTimeline = !flags.json && !flags.quiet;
  const styles = stylesFor(colorLevel(io, flags.color));
  // The timeline is printed as the run goes, like the files: nothing holds the whole trace.
  const timeline = showTimeline ? new TimelinePrinter(io, styles, timelineOptionsFor(scenario, flags.sends === true)) : null;
  const result = withScheduleFile(replayPath ?? scenario.name, () =>
    runToOutputs(scenario, { seed, bug, ...(timeline === null ? {} : { observe: timeline.observe }) }, { trace: flags.trace, html: flags.html, shiviz: flags.shiviz }),
  );
  timeline?.finish();
  // A user protocol's seed is always run twice: module-level state that outlives a run is what the determinism fence cannot see.
  if (flags.checkDeterminism || scenario.protocolModule !== undefined) {
    const nondeterminism = determinismProblem(result, runScenario(scenario, { seed, bug }));
    if (nondeterminism !== null) {
      io.stderr(printable(nondeterminism) + '\n');
      return EXIT.failed;
    }
  }
  if (flags.json) io.stdout(JSON.stringify(verdictJson(result)) + '\n');
  else io.stdout(formatVerdict(result, replayLine('run', replayPath, seed, bug, protocolFlag), styles));
  return result.expectation.met ? EXIT.ok : EXIT.failed;
}

/** A pinned schedule step that cannot be taken is bad input in the scenario file: one line naming the file and the step. */
export function withScheduleFile<Result>(file: string, run: () => Result): Result {
  try {
    return run();
  } catch (error) {
    throw namingScheduleFile(file, error);
  }
}

/** `error`, or, for a schedule step that cannot be taken, bad input naming `file` (replay and diff run it too). */
export function namingScheduleFile(file: string, error: unknown): unknown {
  return error instanceof ScheduleError ? new UsageError([`${file}: ${error.message}`]) : error;
}

/** `--trace`, `--html` and `--shiviz` of run and replay, checked before the run. */
export function checkRunOutputs(flags: { readonly trace?: string; readonly html?: string; readonly shiviz?: string }): void {
  checkOutputFile(flags.trace, '--trace');
  checkOutputFile(flags.html, '--html');
  checkOutputFile(flags.shiviz, '--shiviz');
}

/** {@link runWithOutputs}, with a file that cannot be written reported as bad input naming its flag (or `what`). */
export function runToOutputs(scenario: Scenario, options: RunOptions, targets: TraceOutputTargets, what?: string): RunResult {
  try {
    return runWithOutputs(scenario, options, targets);
  } catch (error) {
    if (error instanceof TraceOutputError) throw new UsageError([printable(`${what ?? `--${error.kind}`} ${error.message}`)]);
    throw error;
  }
}

/** How a scenario's timeline reads: a user protocol's messages and observations are its own vocabulary. */
export function timelineOptionsFor(scenario: Scenario, showSends: boolean): TimelineOptions {
  return { showSends, ownVocabulary: !isBuiltInProtocol(scenario.protocol) };
}

/** Timeline lines written to stdout in batches as events arrive. */
export class TimelinePrinter {
  private lines: string[] = [];
  private printed = 0;

  constructor(
    private readonly io: CliIo,
    private readonly styles: Styles,
    private readonly options: TimelineOptions,
    private readonly keep: (event: AnyTraceEvent) => boolean = () => true,
  ) {}

  readonly observe = (event: AnyTraceEvent): void => {
    if (!this.keep(event)) return;
    const line = timelineLine(event, this.styles, this.options);
    if (line === null) return;
    this.lines.push(line);
    if (this.lines.length >= TIMELINE_BATCH_LINES) this.flush();
  };

  private flush(): void {
    if (this.lines.length === 0) return;
    this.io.stdout(this.lines.join('\n') + '\n');
    this.printed += this.lines.length;
    this.lines = [];
  }

  /** The rest, and the blank line before the verdict. */
  finish(): void {
    this.flush();
    this.io.stdout(this.printed === 0 ? '\n\n' : '\n');
  }
}

/** Lines per write to stdout: few writes, little held. */
const TIMELINE_BATCH_LINES = 1000;

/**
 * Two runs of the same seed must be byte-identical; if their hashes differ,
 * say where they part (a paxsim bug), from their events, or from two recorded
 * re-runs when they kept none.
 */
export function determinismProblem(first: RunResult, second: RunResult): string | null {
  if (first.traceHash === second.traceHash) return null;
  const eventsOf = (result: RunResult) => result.events ?? runScenario(result.scenario, { seed: result.seed, bug: result.bug, record: true }).events!;
  const divergence = firstDivergence(eventsOf(first), eventsOf(second));
  const where =
    divergence === null
      ? 'the traces are equal but their hashes are not (or two recorded re-runs did not differ)'
      : `first divergent event #${divergence.index} (trace line ${divergence.index + 2}): ${divergence.differences.join('; ')}`;
  return `NONDETERMINISM: two runs of ${first.scenario.name} with seed ${first.seed} gave different traces (${first.traceHash?.slice(0, 16)} vs ${second.traceHash?.slice(0, 16)}); ${where}. This is a bug in paxsim or the protocol: a run must depend only on the scenario and the seed.`;
}
