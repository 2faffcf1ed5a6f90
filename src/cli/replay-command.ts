import { runScenario } from '../run/runner.js';
import type { Scenario } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { resolveTypeWords, streamingEventFilter, unknownNodeProblem, vocabularyCollector, type EventFilter, type ObservedVocabulary } from '../trace/filter.js';
import { isBuiltInProtocol } from '../run/registry.js';
import { formatStateTable } from '../trace/state-table.js';
import { timelineLine, type TimelineOptions } from '../trace/timeline.js';
import { parseCount } from './durations.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo, type Styles } from './io.js';
import { checkRunOutputs, namingScheduleFile, runToOutputs, TimelinePrinter, timelineOptionsFor } from './run-command.js';
import { loadScenarioArg, parseBug, replayLine } from './scenario-arg.js';
import { formatVerdict } from './verdict.js';

export interface ReplayFlags {
  /** A user protocol module that replaces the scenario's `protocol` (resolved from the working directory). */
  readonly protocol?: string;
  readonly seed?: string;
  readonly bug?: string;
  readonly node?: string;
  readonly from?: string;
  readonly to?: string;
  readonly type?: string;
  readonly untilViolation?: boolean;
  readonly stateAt?: string;
  readonly step?: boolean;
  readonly sends?: boolean;
  readonly trace?: string;
  readonly shiviz?: string;
  readonly html?: string;
  readonly color: boolean;
}

/**
 * `paxsim replay FILE`: the same run as `paxsim run`, byte for byte, with a
 * filtered timeline, node-state tables at the violation or at a chosen time,
 * and a step-by-step mode.
 */
export async function replayCommand(file: string, flags: ReplayFlags, io: CliIo): Promise<number> {
  try {
    return await replay(file, flags, io);
  } catch (error) {
    throw namingScheduleFile(file, error);
  }
}

async function replay(file: string, flags: ReplayFlags, io: CliIo): Promise<number> {
  const { scenario, replayPath, protocolFlag } = loadScenarioArg(file, flags.protocol);
  const seed = flags.seed === undefined ? scenario.seed : parseSeed(flags.seed);
  const bug = parseBug(flags.bug, scenario.protocol) ?? scenario.bug;
  checkRunOutputs(flags);
  const stateAtMs = flags.stateAt === undefined ? undefined : parseCount(flags.stateAt, '--state-at', 0);
  const styles = stylesFor(colorLevel(io, flags.color));
  const untilViolation = flags.untilViolation === true;
  const filter = parseFilterFlags(flags, scenario, () => observedVocabulary(scenario, seed, bug));
  if (filter.fromMs !== undefined && filter.fromMs > scenario.untilMs) {
    throw new UsageError([`--from ${filter.fromMs} is after the end of the run (until ${scenario.untilMs}): no event can be shown`]);
  }
  // Asking for sends by type asks to see them.
  const showSends = flags.sends === true || filter.eventTypes?.includes('send') === true;
  // Nothing keeps the whole trace: the timeline is printed as the run goes (or, to step through it,
  // only the events shown are kept), and the state tables need only the acceptors' promises and accepts.
  const shown = shownEvents(filter, untilViolation);
  const stepped: AnyTraceEvent[] = [];
  const timelineOptions = timelineOptionsFor(scenario, showSends);
  const timeline = flags.step ? null : new TimelinePrinter(io, styles, timelineOptions);
  const history: AnyTraceEvent[] = [];
  const observe = (event: AnyTraceEvent): void => {
    keepStateHistory(event, history);
    if (!shown(event)) return;
    if (timeline === null) stepped.push(event);
    else timeline.observe(event);
  };
  const result = runToOutputs(
    scenario,
    { seed, bug, stopOnViolation: untilViolation, snapshot: untilViolation, observe, traceNetwork: true },
    { trace: flags.trace, html: flags.html, shiviz: flags.shiviz },
  );

  if (timeline === null) {
    const finished = await stepThrough(stepped, io, styles, timelineOptions);
    if (!finished) return result.expectation.met ? EXIT.ok : EXIT.failed;
  } else {
    timeline.finish();
  }

  const violation = result.violations[0];
  // A user protocol's state is what its definition's views show (durableView, volatileState).
  const ownViews = !isBuiltInProtocol(scenario.protocol);
  if (untilViolation && violation !== undefined && result.finalState !== null) {
    io.stdout(styles.bold(`── state at the violation: t=${violation.t}, event #${violation.event} (${violation.checker}) ──`) + '\n');
    io.stdout(formatStateTable(result.finalState, history, styles, ownViews) + '\n');
  } else if (untilViolation) {
    io.stdout(styles.dim('no violation: the whole run is shown') + '\n\n');
  }
  if (stateAtMs !== undefined) {
    const momentHistory: AnyTraceEvent[] = [];
    const moment = runScenario(scenario, { seed, bug, hash: false, stopAtMs: stateAtMs, snapshot: true, observe: (event) => keepStateHistory(event, momentHistory) });
    io.stdout(styles.bold(`── state at t=${stateAtMs} (after every event up to then) ──`) + '\n');
    io.stdout(formatStateTable(moment.finalState!, momentHistory, styles, ownViews) + '\n');
  }
  io.stdout(formatVerdict(result, replayLine('replay', replayPath, seed, bug, protocolFlag), styles));
  return result.expectation.met ? EXIT.ok : EXIT.failed;
}

/**
 * --node, --from, --to and --type, checked before the run: a filter that can
 * match nothing (an unknown node or type, an empty window) is a mistake to
 * name, not an empty timeline to show.
 */
function parseFilterFlags(flags: ReplayFlags, scenario: Scenario, userVocabulary: () => ObservedVocabulary): EventFilter {
  const fromMs = flags.from === undefined ? undefined : parseCount(flags.from, '--from', 0);
  const toMs = flags.to === undefined ? undefined : parseCount(flags.to, '--to', 0);
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw new UsageError([`--from ${fromMs} is after --to ${toMs}: no event can be in that window`]);
  const nodes = splitList(flags.node);
  const nodeProblem = nodes === undefined ? null : unknownNodeProblem(nodes, [...scenario.nodes, ...scenario.clients.map((client) => client.id)], '--node');
  if (nodeProblem !== null) throw new UsageError([nodeProblem]);
  const words = splitList(flags.type);
  if (words === undefined) return { nodes, fromMs, toMs };
  const types = resolveTypeWords(words, scenario.protocol, '--type', isBuiltInProtocol(scenario.protocol) ? undefined : userVocabulary());
  if (!types.ok) throw new UsageError([types.error]);
  return { nodes, fromMs, toMs, eventTypes: types.eventTypes, messageTypes: types.messageTypes };
}

/**
 * A user protocol's types, which only a run tells: this seed's run is made
 * once more (untraced, network events on) before the replay, when `--type`
 * asks for them.
 */
function observedVocabulary(scenario: Scenario, seed: number, bug: string | undefined): ObservedVocabulary {
  const collector = vocabularyCollector(`this run of ${scenario.protocol} (seed ${seed})`);
  runScenario(scenario, { seed, bug, hash: false, traceNetwork: true, observe: collector.observe });
  return collector.vocabulary;
}

/** The events a state table reads: what acceptors promised and accepted. */
function keepStateHistory(event: AnyTraceEvent, history: AnyTraceEvent[]): void {
  if (event.type === 'promise' || event.type === 'accept') history.push(event);
}

/** Which events the timeline shows, asked about every event in order: the filter's, and with --until-violation none after the first violation. */
function shownEvents(filter: EventFilter, untilViolation: boolean): (event: AnyTraceEvent) => boolean {
  const keep = streamingEventFilter(filter);
  let violationSeen = false;
  return (event) => {
    const kept = keep(event);
    if (violationSeen) return false;
    if (event.type === 'violation') {
      violationSeen = untilViolation;
      return true;
    }
    return kept;
  };
}

/** Enter: next event; c: run to the next violation (or the end); q: quit. Returns false on quit. */
async function stepThrough(events: readonly AnyTraceEvent[], io: CliIo, styles: Styles, timelineOptions: TimelineOptions): Promise<boolean> {
  if (io.readLine === undefined) throw new UsageError(['--step: needs an interactive input']);
  io.stdout(styles.dim('Enter: next event · c: continue to the next violation · q: quit') + '\n');
  let running = false;
  for (const event of events) {
    const line = timelineLine(event, styles, timelineOptions);
    if (line === null) continue;
    io.stdout(line + '\n');
    if (event.type === 'violation') running = false;
    if (running) continue;
    const answer = await io.readLine();
    if (answer === null) return true;
    const command = answer.trim().toLowerCase();
    if (command === 'q') return false;
    if (command === 'c') running = true;
  }
  io.stdout('\n');
  return true;
}

function splitList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  return items.length === 0 ? undefined : items;
}
