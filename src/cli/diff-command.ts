import { runScenario, type RunResult } from '../run/runner.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { firstDivergence, type TraceDivergence } from '../trace/diff.js';
import { printable } from '../trace/format.js';
import { timelineLine } from '../trace/timeline.js';
import { isBuiltInProtocol } from '../run/registry.js';
import { parseCount } from './durations.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo, type Styles } from './io.js';
import { withScheduleFile } from './run-command.js';
import { showsChosenValue, verdictStatus } from './verdict.js';
import { loadScenarioArg, parseBug } from './scenario-arg.js';
import { plural } from '../util/plural.js';

export interface DiffFlags {
  /** A user protocol module that replaces the scenario's `protocol` (resolved from the working directory). */
  readonly protocol?: string;
  readonly seed?: string;
  readonly seeds?: string;
  readonly bug?: string;
  readonly context: string;
  readonly color: boolean;
}

interface Side {
  /** What ran: `scenarios/x.yaml seed 2`. */
  readonly label: string;
  readonly result: RunResult;
}

/**
 * The sides' names in the output: words, because node ids are often single
 * letters (`A`, `B`) or digits, and a side named like a node misleads.
 */
const SIDE_NAMES = ['left', 'right'] as const;
const SIDE_WIDTH = 5;

/**
 * `paxsim diff LEFT [RIGHT]`: two runs (one scenario with two seeds, or two
 * scenarios with one seed) up to and around the first event where their
 * traces part. Answers "what did that one fault change?". Exit 0 when the
 * traces are identical, 1 when they differ.
 */
export function diffCommand(files: readonly string[], flags: DiffFlags, io: CliIo): number {
  const [left, right] = sides(files, flags);
  const styles = stylesFor(colorLevel(io, flags.color));
  const context = parseCount(flags.context, '--context', 0);
  const divergence = firstDivergence(left.result.events!, right.result.events!);
  const lines = [styles.bold(printable(`── diff: ${SIDE_NAMES[0]} ${left.label}  vs  ${SIDE_NAMES[1]} ${right.label} ──`))];
  if (divergence === null) {
    lines.push(styles.pass(`identical: all ${plural(left.result.eventCount, 'event')} (trace ${left.result.traceHash?.slice(0, 16)})`));
    io.stdout(lines.join('\n') + '\n');
    return EXIT.ok;
  }
  lines.push(...describeDivergence(left, right, divergence, context, styles));
  io.stdout(lines.join('\n') + '\n');
  return EXIT.failed;
}

function sides(files: readonly string[], flags: DiffFlags): [Side, Side] {
  if (files.length === 2) {
    if (flags.seeds !== undefined) throw new UsageError(['--seeds: compares two seeds of one scenario; with two scenarios give --seed']);
    return [0, 1].map((index) => {
      const { scenario } = loadScenarioArg(files[index]!, flags.protocol);
      const bug = parseBug(flags.bug, scenario.protocol);
      const seed = flags.seed === undefined ? scenario.seed : parseSeed(flags.seed);
      return { label: `${files[index]} seed ${seed}`, result: withScheduleFile(files[index]!, () => runScenario(scenario, { seed, bug, record: true })) };
    }) as [Side, Side];
  }
  if (files.length !== 1 || flags.seeds === undefined) {
    throw new UsageError(['diff: give two scenario files, or one scenario file and --seeds N,M']);
  }
  const seeds = flags.seeds.split(',').map((text) => parseSeed(text.trim(), '--seeds'));
  if (seeds.length !== 2) throw new UsageError([`--seeds: must be two seeds, N,M, got "${flags.seeds}"`]);
  const { scenario } = loadScenarioArg(files[0]!, flags.protocol);
  const bug = parseBug(flags.bug, scenario.protocol);
  return seeds.map((seed) => ({ label: `${files[0]} seed ${seed}`, result: withScheduleFile(files[0]!, () => runScenario(scenario, { seed, bug, record: true })) })) as [Side, Side];
}

function describeDivergence(left: Side, right: Side, divergence: TraceDivergence, context: number, styles: Styles): string[] {
  // Each side in its protocol's vocabulary: a user protocol's messages and observations as they are, a built-in's as its
  // timeline prints them (two scenarios may run two protocols). The shared events before the divergence are the left's.
  const optionsOf = (side: Side) => ({ showSends: true, ownVocabulary: !isBuiltInProtocol(side.result.scenario.protocol) });
  const show = (event: AnyTraceEvent | undefined, side: Side = left) =>
    event === undefined ? styles.dim('(trace ended)') : (timelineLine(event, styles, optionsOf(side)) ?? printable(JSON.stringify(event))).trimStart();
  const index = divergence.index;
  const shared = left.result.events!.slice(Math.max(0, index - context), index);
  const lines = [
    index === 0 ? 'the traces differ from the first event' : `identical for the first ${plural(index, 'event')} (up to t=${left.result.events![index - 1]!.t})`,
    styles.fail(`first divergence at event #${index} (trace line ${index + 2}):`),
    `  ${sideName(0)}  ${show(divergence.left)}`,
    `  ${sideName(1)}  ${show(divergence.right, right)}`,
    `  ${styles.bold('differs')}: ${printable(divergence.differences.join('; '))}`,
  ];
  if (shared.length > 0) {
    lines.push(styles.dim(`before it (shared):`));
    for (const event of shared) lines.push(`  ${' '.repeat(SIDE_WIDTH)}  ${show(event)}`);
  }
  lines.push(styles.dim(`after it:`));
  [left, right].forEach((side, position) => {
    for (const event of side.result.events!.slice(index + 1, index + 1 + context)) lines.push(`  ${sideName(position)}  ${show(event, side)}`);
  });
  lines.push(styles.bold('outcome'));
  [left, right].forEach((side, position) => lines.push(`  ${sideName(position)}  ${printable(outcome(side.result))}`));
  return lines;
}

function sideName(position: number): string {
  return SIDE_NAMES[position]!.padEnd(SIDE_WIDTH);
}

/** A side's outcome, as its verdict would say it: what was decided, the violations, the checkers that could not decide, the result. */
function outcome(result: RunResult): string {
  const firstSummary = result.summary[0];
  // A single-decree value, or the protocol's first verdict line (a log's slots): "chose nothing" is untrue of a log.
  const decided = showsChosenValue(result)
    ? [result.chosen ? `chose "${result.chosen.value}" at t=${result.chosen.t}` : 'chose nothing']
    : firstSummary === undefined ? [] : [`${firstSummary.label} ${firstSummary.text}`];
  const violations = result.violations.length === 0 ? 'no violations' : result.violations.map((violation) => `${violation.checker} at event #${violation.event}`).join(', ');
  const undecided = result.inconclusive.length === 0 ? [] : [`inconclusive: ${result.inconclusive.join(', ')}`];
  return [...decided, violations, ...undecided, plural(result.eventCount, 'event'), verdictStatus(result)].join('; ');
}
