import { faultEndMs, TraceCheck, type CheckTraceResult, type ProtocolTraceCheck } from '../check/check-trace.js';
import type { LivenessOptions } from '../check/liveness.js';
import { definitionTraceCheck, TraceEventUnreadable } from '../run/definition-trace-check.js';
import type { AnyProtocolDefinition } from '../run/protocol-definition.js';
import { protocolFor } from '../run/protocol-loader.js';
import { isBuiltInProtocol, protocolNamed } from '../run/registry.js';
import { inconclusiveCheckers } from '../check/checker.js';
import { multiPaxosSummaryLines } from '../check/multipaxos-checks.js';
import { raftSummaryLines } from '../check/raft-checks.js';
import type { AnyTraceEvent, TraceMeta } from '../sim/events.js';
import { printable } from '../trace/format.js';
import { TraceReader, type TraceReadEnd } from '../trace/read-trace.js';
import { readTraceLines } from '../trace/trace-file.js';
import { dictFrom } from '../util/dict.js';
import { parseDuration } from './durations.js';
import { EXIT, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo, type Styles } from './io.js';
import { plural } from '../util/plural.js';
import { chosenText, learnedText, learnedValues, multiPaxosJson } from './verdict.js';

export interface CheckFlags {
  readonly json?: boolean;
  readonly color: boolean;
  /** Virtual ms (or a duration such as 2s): check liveness with this deadline. */
  readonly livenessWithin?: string;
  /** The user protocol module (path or package) whose definition builds the checks. */
  readonly protocol?: string;
}

/**
 * `paxsim check TRACE.jsonl`: every checker over an existing trace (from
 * `paxsim run --trace` or another implementation): single-decree Paxos's, or
 * Multi-Paxos's when the meta line says `"protocol":"multipaxos"`. Exit 0 when
 * every checker held, 1 on a violation, 2 on bad input (one line per problem
 * naming file:line and the field, on stderr; no stack trace).
 */
export function checkCommand(file: string, flags: CheckFlags, io: CliIo): number {
  try {
    return check(file, flags, io);
  } catch (error) {
    const lines = error instanceof UsageError ? error.lines : error instanceof TraceEventUnreadable ? [error.message] : null;
    if (lines === null) throw error;
    io.stderr(lines.map(printable).join('\n') + '\n');
    return EXIT.usage;
  }
}

function check(file: string, flags: CheckFlags, io: CliIo): number {
  const livenessWithinMs = flags.livenessWithin === undefined ? undefined : parseDuration(flags.livenessWithin, '--liveness-within', 'ms');
  const protocol = flags.protocol === undefined ? undefined : loadCheckProtocol(flags.protocol);
  const { meta, metaKeys, result } = checkTraceFile(file, livenessWithinMs, protocol);
  const foreign = foreignViolationProblems(file, meta, result);
  if (foreign.length > 0) throw new UsageError(foreign);
  if (flags.json) io.stdout(JSON.stringify(checkJson(file, meta, result)) + '\n');
  else io.stdout(formatCheckVerdict(file, meta, result, stylesFor(colorLevel(io, flags.color)), metaKeys.includes('seed')));
  return result.violations.length > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * Reads and checks a trace file line by line: memory is the checkers' state,
 * not the file. Liveness is judged from the end of the last fault, which only
 * the whole trace tells, so with a deadline the file is read twice: once to
 * validate it and find that time, once to check. Bad input throws a
 * UsageError with every problem (up to a cap).
 */
export function checkTraceFile(
  file: string,
  livenessWithinMs: number | undefined,
  protocol?: CheckProtocol,
): { meta: TraceMeta; metaKeys: string[]; result: CheckTraceResult } {
  let quietFromMs: number | undefined;
  // Refused at the meta line, before its events are read in a format that is not the protocol's.
  const onMeta = protocol === undefined ? undefined : (meta: TraceMeta) => refuseForeignTrace(file, meta, protocol);
  // A module's protocol reads its trace in its own vocabulary, also when the meta line names no protocolModule.
  const userProtocol = protocol !== undefined && protocol.module !== null;
  if (livenessWithinMs !== undefined) {
    let latest = 0;
    scanTraceFile(file, (event) => {
      latest = Math.max(latest, faultEndMs(event));
    }, { onMeta, userProtocol });
    quietFromMs = latest;
  }
  let check: TraceCheck | null = null;
  const checkFor = (meta: TraceMeta): TraceCheck => {
    if (check !== null) return check;
    const liveness = livenessWithinMs === undefined ? undefined : { withinMs: livenessWithinMs, quietFromMs: quietFromMs ?? 0 };
    const protocolCheck = userProtocolCheck(file, meta, protocol, liveness);
    return (check = new TraceCheck(meta, { livenessWithinMs, quietFromMs, ...(protocolCheck === undefined ? {} : { protocolCheck }) }));
  };
  const end = scanTraceFile(file, (event, index, meta) => observeChecked(file, checkFor(meta), event, index), { onMeta, userProtocol });
  return { meta: end.meta, metaKeys: end.metaKeys, result: checkFor(end.meta).finish() };
}

/**
 * A recorded violation of a checker these checks do not have: the trace was
 * judged by another protocol's checkers than its meta line names (an edited
 * or mislabelled meta line), so these checkers' silence would be a PASS of a
 * run that failed. Bad input, one line per such violation.
 */
function foreignViolationProblems(file: string, meta: TraceMeta, result: CheckTraceResult): string[] {
  // Every checker of the protocol counts, also those `check` does not run (Cheap Paxos's auxiliaries-idle judges a scenario's expectation).
  const definition = protocolNamed(result.user ? result.protocol : isBuiltInProtocol(meta.protocol) ? meta.protocol : 'paxos');
  const known = new Set([...result.reports.map((report) => report.name), ...livenessCheckerNames(result), ...(definition?.checkerNames ?? [])]);
  const foreign = result.unreproduced.filter((recorded) => !known.has(recorded.checker));
  const checks = result.user
    ? `protocol ${result.protocol}'s checks`
    : result.protocol !== 'paxos'
      ? `the ${meta.protocol} checkers`
      : `the single-decree Paxos checkers${meta.protocol === 'paxos' ? '' : meta.protocol === '' ? ' (the meta line names no protocol)' : ` (the meta line's protocol "${meta.protocol}" is no built-in one)`}`;
  return foreign.map(
    (recorded) =>
      `${file}:${recorded.event + 2}: violation.checker: "${recorded.checker}" is not one of ${checks}; the trace was checked by another protocol's checkers: fix the meta line's protocol, or pass --protocol MODULE`,
  );
}

/** The liveness checkers these checks have (checked only with --liveness-within). */
function livenessCheckerNames(result: CheckTraceResult): readonly string[] {
  return result.user?.livenessCheckers ?? [result.protocol === 'paxos' ? 'liveness' : 'client-liveness'];
}

/** `check --protocol`: the definition, and the flag as given (for messages). */
export interface CheckProtocol {
  readonly definition: AnyProtocolDefinition;
  readonly spec: string;
  /** The module it was loaded from, or null: a built-in named by `--protocol NAME`. */
  readonly module: string | null;
}

/** `--protocol` loaded (resolved from the working directory), or a UsageError naming what is wrong. */
function loadCheckProtocol(spec: string): CheckProtocol {
  const found = protocolFor({ spec, label: '--protocol', baseDir: process.cwd() });
  if (!found.ok) throw new UsageError([found.error]);
  return { definition: found.definition, spec, module: found.module };
}

/**
 * The checks for a user protocol's trace, built by its definition; undefined
 * for a trace a built-in format covers. A trace whose meta line names a
 * protocol module needs it: without `--protocol` that is one line, exit 2,
 * never a silent pass by checkers that do not know its observations.
 */
function userProtocolCheck(file: string, meta: TraceMeta, protocol: CheckProtocol | undefined, liveness: LivenessOptions | undefined): ProtocolTraceCheck | undefined {
  if (protocol === undefined) {
    if (meta.protocolModule === undefined) return undefined;
    throw new UsageError([
      `${file}:1: protocol: "${meta.protocol}" is a user protocol (module ${meta.protocolModule}); pass --protocol PATH, its module, to check the trace with its own checkers`,
    ]);
  }
  const { definition, spec } = protocol;
  refuseForeignTrace(file, meta, protocol);
  // A built-in named by --protocol checks its own format as without the flag.
  if (protocol.module === null && meta.protocolModule === undefined) {
    // A meta line without a protocol reads as single-decree Paxos: another built-in's checkers would silently not run.
    if (meta.protocol === '' && definition.name !== 'paxos') {
      throw new UsageError([`${file}:1: protocol: missing, so the trace reads as single-decree Paxos, not ${definition.name} (--protocol ${spec}): put "protocol":"${definition.name}" in its meta line`]);
    }
    return undefined;
  }
  const built = definitionTraceCheck(definition, file, meta, liveness);
  if (!built.ok) throw new UsageError(built.errors);
  return built.check;
}

/** One event to the checks; an event after the fatal event that stopped the run is bad input (a run writes none). */
function observeChecked(file: string, check: TraceCheck, event: AnyTraceEvent, index: number): void {
  const stoppedAt = check.eventAfterStop(event);
  if (stoppedAt !== null) {
    throw new UsageError([`${file}:${index + 2}: ${event.type}: comes after the run stopped at line ${stoppedAt + 2} (a fatal event); a run writes only its violation lines after it`]);
  }
  check.observe(event, index);
}

/** `check --protocol` of a trace of another protocol: a UsageError, one line, at the meta line (before its events are read in the wrong vocabulary). */
function refuseForeignTrace(file: string, meta: TraceMeta, protocol: CheckProtocol): void {
  const { definition, spec } = protocol;
  if (meta.protocol !== '' && meta.protocol !== definition.name) {
    throw new UsageError([`--protocol: ${spec} defines protocol "${definition.name}", but ${file} is a trace of protocol "${meta.protocol}"`]);
  }
}

/** One pass over a trace file: each valid event, until the first problem; then every problem, as a UsageError. `onMeta` sees a valid meta line first. */
function scanTraceFile(
  file: string,
  onEvent: (event: AnyTraceEvent, index: number, meta: TraceMeta) => void,
  options: { readonly onMeta?: ((meta: TraceMeta) => void) | undefined; readonly userProtocol?: boolean } = {},
): Extract<TraceReadEnd, { ok: true }> {
  const { onMeta, userProtocol } = options;
  const reader = new TraceReader(file, { userProtocol });
  const unreadable = readTraceLines(file, (line, lineNumber) => {
    const event = reader.line(line, lineNumber);
    if (lineNumber === 1 && reader.meta !== null && !reader.failed) onMeta?.(reader.meta);
    // After a problem the checkers' view would be inconsistent: the problems are all that is reported.
    if (event !== null && !reader.failed) onEvent(event, lineNumber - 2, reader.meta!);
  });
  if (unreadable !== null) throw new UsageError([unreadable]);
  const end = reader.end();
  if (!end.ok) throw new UsageError(end.errors);
  return end;
}

/**
 * The verdict block, shaped like `paxsim run`'s: chosen and learned (Paxos)
 * or the log, clients and leader lines (Multi-Paxos), each checker, notes, result.
 */
export function formatCheckVerdict(file: string, meta: TraceMeta, result: CheckTraceResult, styles: Styles, showSeed = true): string {
  const lines: string[] = [];
  const label = (text: string) => styles.bold(text.padEnd(10));
  const origin =
    (meta.scenario === '' ? '' : `, scenario ${printable(meta.scenario)}`) + (showSeed ? `, seed ${meta.seed}` : '') + (meta.bug ? `, bug ${printable(meta.bug)}` : '');
  const multipaxos = result.multipaxos;
  const raft = result.raft;
  const user = result.user;
  const protocolName = user ? `, ${result.protocol}` : multipaxos ? ', multipaxos' : raft ? ', raft' : '';
  lines.push(styles.bold(`── check: ${printable(file)}${printable(protocolName)}${origin} ──`));
  if (user) {
    // As `paxsim run` shows the same protocol: chosen and learned when the single-decree checkers ran, then its own lines.
    if (user.singleDecree) {
      lines.push(label('chosen') + chosenText(result.chosen));
      lines.push(label('learned') + learnedText(meta.learners, result.learned, styles));
    }
    for (const line of user.summary) lines.push(label(line.label) + printable(line.text));
  } else if (raft) {
    for (const line of raftSummaryLines(meta.nodes, raft)) lines.push(label(line.label) + printable(line.text));
  } else if (multipaxos) {
    for (const line of multiPaxosSummaryLines(meta.nodes, multipaxos)) lines.push(label(line.label) + printable(line.text));
  } else {
    lines.push(label('chosen') + chosenText(result.chosen));
    lines.push(label('learned') + learnedText(meta.learners, result.learned, styles));
  }
  // A simple-form user protocol always has no-exceptions; a low-level (setup) one may build no checker at all.
  if (result.reports.length === 0) lines.push(label('checkers') + styles.dim('none: the protocol builds no checker'));
  result.reports.forEach((report, index) => {
    const violation = report.violation;
    const inconclusive = violation === null && ((report.kind === 'liveness' && result.livenessInconclusive) || report.inconclusive === true);
    const mark = violation ? styles.fail('✗') : inconclusive ? styles.fail('?') : styles.pass('✓');
    const detail = violation
      ? styles.fail(`${printable(violation.message)} (event #${violation.event}, line ${violation.event + 2}, t=${violation.t})`)
      : styles.dim(printable(report.detail));
    lines.push(label(index === 0 ? 'checkers' : '') + `${mark} ${report.name.padEnd(20)} ${detail}`);
  });
  if (!result.livenessChecked) {
    const names = user ? user.livenessCheckers : [multipaxos || raft ? 'client-liveness' : 'liveness'];
    for (const name of names) lines.push(label('') + `${styles.dim('-')} ${name.padEnd(20)} ${styles.dim('not checked: pass --liveness-within MS')}`);
  }
  const notes = checkNotes(result);
  notes.forEach((note, index) => lines.push(label(index === 0 ? 'note' : '') + printable(note)));
  const undecided = inconclusiveCheckers(result.reports).length > 0;
  const status = result.violations.length > 0 ? styles.fail('FAIL') : undecided ? styles.fail('INCONCLUSIVE') : styles.pass('PASS');
  lines.push(label('result') + `${status}  ${styles.dim(`${plural(result.eventCount, 'event')}, ended t=${result.endMs}`)}`);
  return lines.join('\n') + '\n';
}

/** What the reader should know beyond the checkers: recorded violations not reproduced, ignored event types. */
function checkNotes(result: CheckTraceResult): string[] {
  const notes: string[] = [];
  for (const recorded of result.unreproduced) {
    const where = `event #${recorded.event}, t=${recorded.t}`;
    const livenessCheckers = livenessCheckerNames(result);
    notes.push(
      livenessCheckers.includes(recorded.checker) && !result.livenessChecked
        ? `the trace records a violation of ${recorded.checker} (${where}); ${recorded.checker} is checked only with --liveness-within MS`
        : `the trace records a violation of ${recorded.checker} (${where}) that these checkers do not reproduce: ${recorded.message}`,
    );
  }
  const ignored = Object.entries(result.ignoredTypes);
  if (ignored.length > 0) {
    const total = ignored.reduce((sum, [, count]) => sum + count, 0);
    const kinds = ignored.map(([type, count]) => `${JSON.stringify(type)} ×${count}`).join(', ');
    notes.push(`ignored ${plural(total, 'event')} of types outside the trace format: ${kinds}`);
  }
  if (result.livenessInconclusive) notes.push('liveness is inconclusive: the trace ends before its deadline (not counted as a violation)');
  for (const checker of inconclusiveCheckers(result.reports)) notes.push(`${checker} is inconclusive: neither held nor violated (not counted as a violation; exit 0)`);
  return notes;
}

/**
 * The `--json` object. Paxos: `{trace, events, endMs, chosen, learned, violations,
 * livenessInconclusive, inconclusive, unreproduced, ignoredTypes}`. Multi-Paxos: `{trace,
 * protocol, events, endMs, slotsChosen, applied, operations: {total, completed,
 * gaveUp, inFlight}, leader, summary: {log, clients, leader}, violations,
 * livenessInconclusive, inconclusive, unreproduced, ignoredTypes}`, where `summary` holds the
 * same lines as `paxsim run --json`.
 */
export function checkJson(file: string, meta: TraceMeta, result: CheckTraceResult): Record<string, unknown> {
  const plain = (violation: { checker: string; message: string; t: number; event: number }) => ({
    checker: violation.checker,
    message: violation.message,
    t: violation.t,
    event: violation.event,
  });
  const verdict = {
    violations: result.violations.map(plain),
    livenessInconclusive: result.livenessInconclusive,
    inconclusive: inconclusiveCheckers(result.reports),
    unreproduced: result.unreproduced.map(plain),
    ignoredTypes: result.ignoredTypes,
  };
  const multipaxos = result.multipaxos;
  if (result.user) {
    // The keys `paxsim run --json` has for the same protocol.
    return {
      trace: file,
      protocol: result.protocol,
      events: result.eventCount,
      endMs: result.endMs,
      chosen: result.chosen?.value ?? null,
      learned: learnedValues(meta.learners, result.learned),
      ...(multipaxos === null ? {} : multiPaxosJson(meta.nodes, multipaxos)),
      summary: dictFrom(result.user.summary.map((line) => [line.label, line.text])),
      ...verdict,
    };
  }
  if (result.raft) {
    return {
      trace: file,
      protocol: 'raft',
      events: result.eventCount,
      endMs: result.endMs,
      summary: dictFrom(raftSummaryLines(meta.nodes, result.raft).map((line) => [line.label, line.text])),
      ...verdict,
    };
  }
  if (multipaxos) {
    return {
      trace: file,
      protocol: 'multipaxos',
      events: result.eventCount,
      endMs: result.endMs,
      ...multiPaxosJson(meta.nodes, multipaxos),
      summary: dictFrom(multiPaxosSummaryLines(meta.nodes, multipaxos).map((line) => [line.label, line.text])),
      ...verdict,
    };
  }
  const learned = learnedValues(meta.learners, result.learned);
  return {
    trace: file,
    events: result.eventCount,
    endMs: result.endMs,
    chosen: result.chosen?.value ?? null,
    learned,
    ...verdict,
  };
}
