import type { ChosenProposal } from '../check/chosen.js';
import { formatBallot } from '../protocols/paxos/ballot.js';
import type { MultiPaxosSummary } from '../check/multipaxos-checks.js';
import type { CheapPaxosSummary } from '../check/cheap-paxos-checks.js';
import type { RunResult } from '../run/runner.js';
import type { NodeId } from '../scenario/scenario.js';
import { CHECKERS } from '../check/suite.js';
import { MULTIPAXOS_CHECKERS } from '../check/multipaxos-checks.js';
import { RAFT_CHECKERS } from '../check/raft-checks.js';
import { protocolNamed } from '../run/registry.js';
import { printable, quoted } from '../trace/format.js';
import { dictFrom, type Dict } from '../util/dict.js';
import { LIMITS } from '../scenario/limits.js';
import type { Styles } from './io.js';
import { plural } from '../util/plural.js';

/** The verdict block: what was chosen, who learned it when, each checker, each expectation, and how to replay. */
export function formatVerdict(result: RunResult, replayCommand: string, styles: Styles): string {
  const lines: string[] = [];
  const label = (text: string) => styles.bold(text.padEnd(10));
  const scenario = result.scenario;
  lines.push(styles.bold(`── verdict: ${printable(scenario.name)}, seed ${result.seed}${result.bug ? `, bug ${result.bug}` : ''} ──`));
  if (showsChosenValue(result)) {
    lines.push(label('chosen') + chosenText(result.chosen));
    lines.push(label('learned') + learnedText(scenario.roles.learners, result.learned, styles));
  }
  for (const line of result.summary) lines.push(label(line.label) + printable(line.text));
  // Paxsim's protocols and a simple-form user protocol always have one; a low-level (setup) one may build none.
  if (result.checkers.length === 0) lines.push(label('checkers') + styles.dim('none: the protocol builds no checker'));
  result.checkers.forEach((checker, index) => {
    const mark = checker.violation ? styles.fail('✗') : checker.inconclusive === true ? styles.fail('?') : styles.pass('✓');
    const detail = checker.violation
      ? styles.fail(`${printable(checker.violation.message)} (event #${checker.violation.event}, t=${checker.violation.t})`)
      : styles.dim(printable(checker.detail));
    lines.push(label(index === 0 ? 'checkers' : '') + `${mark} ${checker.name.padEnd(20)} ${detail}`);
  });
  for (const name of livenessNotChecked(result)) {
    lines.push(label('') + `${styles.dim('-')} ${name.padEnd(20)} ${styles.dim('not checked: the scenario has no expect.liveness')}`);
  }
  result.expectation.checks.forEach((check, index) => {
    const mark = check.met ? styles.pass('✓') : check.inconclusive === true ? styles.fail('?') : styles.fail('✗');
    lines.push(label(index === 0 ? 'expect' : '') + `${mark} ${printable(check.what).padEnd(20)} ${styles.dim(printable(check.detail))}`);
  });
  const stopped =
    result.outcome.stoppedBy === 'max-events' ? styles.fail(`, stopped at maxEvents (${scenario.maxEvents})`)
    : result.outcome.stoppedBy === 'max-trace-events' ? styles.fail(`, stopped at the trace-event limit (${LIMITS.traceEvents})`)
    : '';
  const status = result.expectation.met ? styles.pass(verdictStatus(result)) : styles.fail(verdictStatus(result));
  const hash = result.traceHash ? `, trace ${result.traceHash.slice(0, 16)}` : '';
  lines.push(label('result') + `${status}  ${styles.dim(`${plural(result.eventCount, 'event')}, ended t=${result.outcome.endMs}${hash}`)}${stopped}`);
  lines.push(label('replay') + printable(replayCommand));
  return lines.join('\n') + '\n';
}

/**
 * Whether a run has a single-decree chosen value to show: any protocol the
 * single-decree checkers judge (their `agreement`; multi-decree has
 * slot-agreement), asked of the run's checkers, not the protocol's name.
 */
export function showsChosenValue(result: RunResult): boolean {
  return result.multipaxos === null && result.checkers.some((checker) => checker.name === 'agreement');
}

/** The result word: PASS only when every checker held and the expectations are met (inconclusive is not PASS). */
export function verdictStatus(result: RunResult): 'PASS' | 'FAIL' | 'INCONCLUSIVE' {
  return result.expectation.met ? 'PASS' : result.expectation.inconclusive ? 'INCONCLUSIVE' : 'FAIL';
}

/** Every liveness checker paxsim has, by name (single-decree's, and the client protocols'). */
const LIVENESS_CHECKERS: readonly string[] = [...new Set([...CHECKERS, ...MULTIPAXOS_CHECKERS, ...RAFT_CHECKERS].filter((checker) => checker.kind === 'liveness').map((checker) => checker.name))];

/**
 * The liveness checkers the run's protocol has that did not run (no
 * expect.liveness): a protocol without one (a user protocol that asks for
 * neither single-decree nor clients) has no such line.
 */
function livenessNotChecked(result: RunResult): string[] {
  if (result.checkers.some((checker) => checker.kind === 'liveness')) return [];
  const protocolCheckers = protocolNamed(result.scenario.protocol)?.checkerNames ?? [];
  return LIVENESS_CHECKERS.filter((name) => protocolCheckers.includes(name));
}

/** Single-decree Paxos's chosen line (run and check): the value, its ballot and when, escaped for the terminal. */
export function chosenText(chosen: ChosenProposal | null): string {
  return chosen ? `${quoted(chosen.value)} in ballot ${printable(formatBallot(chosen.ballot))} at t=${chosen.t}` : 'nothing';
}

/** The learned line (run and check): each learner with what it learned and when, or — . */
export function learnedText(learners: readonly NodeId[], learned: Readonly<Dict<{ value: string; t: number }>>, styles: Styles): string {
  const parts = learners.map((node) => {
    const entry = Object.hasOwn(learned, node) ? learned[node] : undefined;
    return entry ? `${printable(node)} ${quoted(entry.value)} t=${entry.t}` : `${printable(node)} —`;
  });
  return parts.join(styles.dim(' · '));
}

/** Each learner's learned value, in learner order, for `--json` (node ids are user text: no prototype). */
export function learnedValues(learners: readonly NodeId[], learned: Readonly<Dict<{ value: string }>>): Dict<string> {
  return dictFrom(learners.flatMap((node) => (Object.hasOwn(learned, node) ? [[node, learned[node]!.value] as const] : [])));
}

/**
 * The `--json` object: stable keys, for scripts and CI. Multi-Paxos adds its
 * facts as numbers (see `multiPaxosJson`); `summary` holds the verdict's lines.
 */
export function verdictJson(result: RunResult): Record<string, unknown> {
  const learned = learnedValues(result.scenario.roles.learners, result.learned);
  return {
    scenario: result.scenario.name,
    seed: result.seed,
    bug: result.bug ?? null,
    protocol: result.scenario.protocol,
    chosen: result.chosen?.value ?? null,
    learned,
    ...(result.multipaxos === null ? {} : multiPaxosJson(result.scenario.nodes, result.multipaxos)),
    summary: dictFrom(result.summary.map((line) => [line.label, line.text])),
    violations: result.violations.map((violation) => ({
      checker: violation.checker,
      message: violation.message,
      t: violation.t,
      event: violation.event,
    })),
    inconclusive: result.inconclusive,
    expectMet: result.expectation.met,
    events: result.eventCount,
    endMs: result.outcome.endMs,
    traceHash: result.traceHash,
  };
}

/** A Multi-Paxos run's or trace's facts for `--json`: `applied` has every replica, 0 if it applied nothing. */
function cheapPaxosJson(summary: CheapPaxosSummary): Record<string, unknown> {
  return { auxiliaryMessages: summary.auxiliaryMessages, longestAuxiliaryStateMs: summary.longestAuxiliaryStateMs, configurations: summary.configurations };
}

export function multiPaxosJson(replicas: readonly NodeId[], summary: MultiPaxosSummary): Record<string, unknown> {
  return {
    slotsChosen: summary.slotsChosen,
    applied: dictFrom(replicas.map((node) => [node, Object.hasOwn(summary.applied, node) ? summary.applied[node]! : 0])),
    operations: { total: summary.operations, completed: summary.completed, gaveUp: summary.gaveUp, inFlight: summary.inFlight },
    leader: summary.leader,
    // Cheap Paxos adds its auxiliaries' traffic and the reconfigurations.
    ...('auxiliaryMessages' in summary ? cheapPaxosJson(summary as CheapPaxosSummary) : {}),
  };
}
