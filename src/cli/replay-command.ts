import type { RunResult } from '../run/runner.js';
import { runScenario, traceLines } from '../run/runner.js';
import type { Scenario } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { eventFilter, resolveTypeWords, unknownNodeProblem, type EventFilter } from '../trace/filter.js';
import { shivizLog } from '../trace/shiviz.js';
import { formatStateTable } from '../trace/state-table.js';
import { timelineLine } from '../trace/timeline.js';
import { parseCount } from './durations.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo, type Styles } from './io.js';
import { writeCheckedOutput } from './output-check.js';
import { checkRunOutputs, diagramOf } from './run-command.js';
import { loadScenarioArg, parseBug, replayLine } from './scenario-arg.js';
import { formatVerdict } from './verdict.js';

export interface ReplayFlags {
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
  const { scenario, replayPath } = loadScenarioArg(file);
  const seed = flags.seed === undefined ? scenario.seed : parseSeed(flags.seed);
  const bug = parseBug(flags.bug, scenario.protocol) ?? scenario.bug;
  checkRunOutputs(flags);
  const stateAtMs = flags.stateAt === undefined ? undefined : parseCount(flags.stateAt, '--state-at', 0);
  const styles = stylesFor(colorLevel(io, flags.color));
  const untilViolation = flags.untilViolation === true;
  const filter = parseFilterFlags(flags, scenario);
  const result = runScenario(scenario, { seed, bug, record: true, stopOnViolation: untilViolation, snapshot: untilViolation });
  if (filter.fromMs !== undefined && filter.fromMs > result.scenario.untilMs) {
    throw new UsageError([`--from ${filter.fromMs} is after the end of the run (until ${result.scenario.untilMs}): no event can be shown`]);
  }
  const events = result.events!;
  const shown = visibleEvents(events, filter, untilViolation);
  // Asking for sends by type asks to see them.
  const showSends = flags.sends === true || filter.eventTypes?.includes('send') === true;

  if (flags.trace !== undefined) writeCheckedOutput(flags.trace, traceLines(result).join('\n') + '\n', '--trace');
  if (flags.shiviz !== undefined) writeCheckedOutput(flags.shiviz, shivizLog(result.meta, events), '--shiviz');
  if (flags.html !== undefined) writeCheckedOutput(flags.html, diagramOf(result), '--html');

  if (flags.step) {
    const finished = await stepThrough(shown, io, styles, showSends);
    if (!finished) return result.expectation.met ? EXIT.ok : EXIT.failed;
  } else {
    io.stdout(shown.map((event) => timelineLine(event, styles, { showSends })).filter((line) => line !== null).join('\n') + '\n\n');
  }

  const violation = result.violations[0];
  if (untilViolation && violation !== undefined && result.finalState !== null) {
    io.stdout(styles.bold(`── state at the violation: t=${violation.t}, event #${violation.event} (${violation.checker}) ──`) + '\n');
    io.stdout(formatStateTable(result.finalState, events, styles) + '\n');
  } else if (untilViolation) {
    io.stdout(styles.dim('no violation: the whole run is shown') + '\n\n');
  }
  if (stateAtMs !== undefined) {
    const moment = runScenario(scenario, { seed, bug, record: true, stopAtMs: stateAtMs, snapshot: true });
    io.stdout(styles.bold(`── state at t=${stateAtMs} (after every event up to then) ──`) + '\n');
    io.stdout(formatStateTable(moment.finalState!, moment.events!, styles) + '\n');
  }
  io.stdout(formatVerdict(result, replayLine('replay', replayPath, seed, bug), styles));
  return result.expectation.met ? EXIT.ok : EXIT.failed;
}

/**
 * --node, --from, --to and --type, checked before the run: a filter that can
 * match nothing (an unknown node or type, an empty window) is a mistake to
 * name, not an empty timeline to show.
 */
function parseFilterFlags(flags: ReplayFlags, scenario: Scenario): EventFilter {
  const fromMs = flags.from === undefined ? undefined : parseCount(flags.from, '--from', 0);
  const toMs = flags.to === undefined ? undefined : parseCount(flags.to, '--to', 0);
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw new UsageError([`--from ${fromMs} is after --to ${toMs}: no event can be in that window`]);
  const nodes = splitList(flags.node);
  const nodeProblem = nodes === undefined ? null : unknownNodeProblem(nodes, [...scenario.nodes, ...scenario.clients.map((client) => client.id)], '--node');
  if (nodeProblem !== null) throw new UsageError([nodeProblem]);
  const words = splitList(flags.type);
  if (words === undefined) return { nodes, fromMs, toMs };
  const types = resolveTypeWords(words, scenario.protocol, '--type');
  if (!types.ok) throw new UsageError([types.error]);
  return { nodes, fromMs, toMs, eventTypes: types.eventTypes, messageTypes: types.messageTypes };
}

function visibleEvents(events: readonly AnyTraceEvent[], filter: EventFilter, untilViolation: boolean): AnyTraceEvent[] {
  const keep = eventFilter(filter, events);
  const lastIndex = untilViolation ? events.findIndex((event) => event.type === 'violation') : -1;
  const upTo = lastIndex === -1 ? events : events.slice(0, lastIndex + 1);
  return upTo.filter((event) => keep(event) || event.type === 'violation');
}

/** Enter: next event; c: run to the next violation (or the end); q: quit. Returns false on quit. */
async function stepThrough(events: readonly AnyTraceEvent[], io: CliIo, styles: Styles, showSends: boolean): Promise<boolean> {
  if (io.readLine === undefined) throw new UsageError(['--step: needs an interactive input']);
  io.stdout(styles.dim('Enter: next event · c: continue to the next violation · q: quit') + '\n');
  let running = false;
  for (const event of events) {
    const line = timelineLine(event, styles, { showSends });
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

