import { faultEndMs, TraceCheck, type CheckTraceResult } from '../check/check-trace.js';
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
    if (!(error instanceof UsageError)) throw error;
    io.stderr(error.lines.map(printable).join('\n') + '\n');
    return EXIT.usage;
  }
}

function check(file: string, flags: CheckFlags, io: CliIo): number {
  const livenessWithinMs = flags.livenessWithin === undefined ? undefined : parseDuration(flags.livenessWithin, '--liveness-within', 'ms');
  const { meta, metaKeys, result } = checkTraceFile(file, livenessWithinMs);
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
export function checkTraceFile(file: string, livenessWithinMs: number | undefined): { meta: TraceMeta; metaKeys: string[]; result: CheckTraceResult } {
  let quietFromMs: number | undefined;
  if (livenessWithinMs !== undefined) {
    let latest = 0;
    scanTraceFile(file, (event) => {
      latest = Math.max(latest, faultEndMs(event));
    });
    quietFromMs = latest;
  }
  let check: TraceCheck | null = null;
  const checkFor = (meta: TraceMeta): TraceCheck => (check ??= new TraceCheck(meta, { livenessWithinMs, quietFromMs }));
  const end = scanTraceFile(file, (event, index, meta) => checkFor(meta).observe(event, index));
  return { meta: end.meta, metaKeys: end.metaKeys, result: checkFor(end.meta).finish() };
}

/** One pass over a trace file: each valid event, until the first problem; then every problem, as a UsageError. */
function scanTraceFile(file: string, onEvent: (event: AnyTraceEvent, index: number, meta: TraceMeta) => void): Extract<TraceReadEnd, { ok: true }> {
  const reader = new TraceReader(file);
  const unreadable = readTraceLines(file, (line, lineNumber) => {
    const event = reader.line(line, lineNumber);
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
  lines.push(styles.bold(`── check: ${printable(file)}${multipaxos ? ', multipaxos' : raft ? ', raft' : ''}${origin} ──`));
  if (raft) {
    for (const line of raftSummaryLines(meta.nodes, raft)) lines.push(label(line.label) + printable(line.text));
  } else if (multipaxos) {
    for (const line of multiPaxosSummaryLines(meta.nodes, multipaxos)) lines.push(label(line.label) + printable(line.text));
  } else {
    lines.push(label('chosen') + chosenText(result.chosen));
    lines.push(label('learned') + learnedText(meta.learners, result.learned, styles));
  }
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
    const name = multipaxos || raft ? 'client-liveness' : 'liveness';
    lines.push(label('') + `${styles.dim('-')} ${name.padEnd(20)} ${styles.dim('not checked: pass --liveness-within MS')}`);
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
    const livenessChecker = result.protocol === 'paxos' ? 'liveness' : 'client-liveness';
    notes.push(
      recorded.checker === livenessChecker && !result.livenessChecked
        ? `the trace records a ${livenessChecker} violation (${where}); ${livenessChecker} is checked only with --liveness-within MS`
        : `the trace records a ${recorded.checker} violation (${where}) that these checkers do not reproduce: ${recorded.message}`,
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
