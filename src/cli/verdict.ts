import { formatBallot } from '../protocols/paxos/ballot.js';
import type { RunResult } from '../run/runner.js';
import { LIMITS } from '../scenario/limits.js';
import type { Styles } from './io.js';

/** The verdict block: what was chosen, who learned it when, each checker, each expectation, and how to replay. */
export function formatVerdict(result: RunResult, replayCommand: string, styles: Styles): string {
  const lines: string[] = [];
  const label = (text: string) => styles.bold(text.padEnd(10));
  const scenario = result.scenario;
  lines.push(styles.bold(`── verdict: ${scenario.name}, seed ${result.seed}${result.bug ? `, bug ${result.bug}` : ''} ──`));
  if (scenario.protocol === 'paxos') {
    lines.push(
      label('chosen') +
        (result.chosen ? `"${result.chosen.value}" in ballot ${formatBallot(result.chosen.ballot)} at t=${result.chosen.t}` : 'nothing'),
    );
    const learnedParts = scenario.roles.learners.map((node) => {
      const learned = result.learned[node];
      return learned ? `${node} "${learned.value}" t=${learned.t}` : `${node} —`;
    });
    lines.push(label('learned') + learnedParts.join(styles.dim(' · ')));
  }
  for (const line of result.summary) lines.push(label(line.label) + line.text);
  result.checkers.forEach((checker, index) => {
    const mark = checker.violation ? styles.fail('✗') : styles.pass('✓');
    const detail = checker.violation
      ? styles.fail(`${checker.violation.message} (event #${checker.violation.event}, t=${checker.violation.t})`)
      : styles.dim(checker.detail);
    lines.push(label(index === 0 ? 'checkers' : '') + `${mark} ${checker.name.padEnd(20)} ${detail}`);
  });
  if (!result.checkers.some((checker) => checker.kind === 'liveness')) {
    const name = scenario.protocol === 'paxos' ? 'liveness' : 'client-liveness';
    lines.push(label('') + `${styles.dim('-')} ${name.padEnd(20)} ${styles.dim('not checked: the scenario has no expect.liveness')}`);
  }
  result.expectation.checks.forEach((check, index) => {
    const mark = check.met ? styles.pass('✓') : styles.fail('✗');
    lines.push(label(index === 0 ? 'expect' : '') + `${mark} ${check.what.padEnd(20)} ${styles.dim(check.detail)}`);
  });
  const stopped =
    result.outcome.stoppedBy === 'max-events' ? styles.fail(`, stopped at maxEvents (${scenario.maxEvents})`)
    : result.outcome.stoppedBy === 'max-trace-events' ? styles.fail(`, stopped at the trace-event limit (${LIMITS.traceEvents})`)
    : '';
  const status = result.expectation.met ? styles.pass('PASS') : styles.fail('FAIL');
  const hash = result.traceHash ? `, trace ${result.traceHash.slice(0, 16)}` : '';
  lines.push(label('result') + `${status}  ${styles.dim(`${result.eventCount} events, ended t=${result.outcome.endMs}${hash}`)}${stopped}`);
  lines.push(label('replay') + replayCommand);
  return lines.join('\n') + '\n';
}

/** The `--json` object: stable keys, for scripts and CI. */
export function verdictJson(result: RunResult): Record<string, unknown> {
  const learned: Record<string, string> = {};
  for (const node of result.scenario.roles.learners) {
    const entry = result.learned[node];
    if (entry) learned[node] = entry.value;
  }
  return {
    scenario: result.scenario.name,
    seed: result.seed,
    bug: result.bug ?? null,
    chosen: result.chosen?.value ?? null,
    learned,
    summary: Object.fromEntries(result.summary.map((line) => [line.label, line.text])),
    violations: result.violations.map((violation) => ({
      checker: violation.checker,
      message: violation.message,
      t: violation.t,
      event: violation.event,
    })),
    expectMet: result.expectation.met,
    events: result.eventCount,
    endMs: result.outcome.endMs,
    traceHash: result.traceHash,
  };
}
