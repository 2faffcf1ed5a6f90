import { runScenario, traceLines, type RunResult } from '../run/runner.js';
import { firstDivergence } from '../trace/diff.js';
import { printable } from '../trace/format.js';
import { sequenceDiagramHtml } from '../trace/html.js';
import { shivizLog } from '../trace/shiviz.js';
import { timelineLine } from '../trace/timeline.js';
import { EXIT, parseSeed } from './errors.js';
import { colorLevel, stylesFor, type CliIo } from './io.js';
import { checkOutputFile, writeCheckedOutput } from './output-check.js';
import { loadScenarioArg, parseBug, replayLine } from './scenario-arg.js';
import { formatVerdict, verdictJson } from './verdict.js';

export interface RunFlags {
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
  const { scenario, replayPath } = loadScenarioArg(file);
  const seed = flags.seed === undefined ? scenario.seed : parseSeed(flags.seed);
  const bug = parseBug(flags.bug, scenario.protocol);
  checkRunOutputs(flags);
  const showTimeline = !flags.json && !flags.quiet;
  const needsEvents = showTimeline || flags.trace !== undefined || flags.shiviz !== undefined || flags.html !== undefined || flags.checkDeterminism === true;
  const result = runScenario(scenario, { seed, bug, record: needsEvents });
  if (flags.checkDeterminism) {
    const nondeterminism = determinismProblem(result, runScenario(scenario, { seed, bug, record: true }));
    if (nondeterminism !== null) {
      io.stderr(printable(nondeterminism) + '\n');
      return EXIT.failed;
    }
  }
  if (flags.shiviz !== undefined) writeCheckedOutput(flags.shiviz, shivizLog(result.meta, result.events!), '--shiviz');
  if (flags.html !== undefined) writeCheckedOutput(flags.html, diagramOf(result), '--html');
  if (flags.trace !== undefined) writeCheckedOutput(flags.trace, traceLines(result).join('\n') + '\n', '--trace');
  if (flags.json) {
    io.stdout(JSON.stringify(verdictJson(result)) + '\n');
  } else {
    const styles = stylesFor(colorLevel(io, flags.color));
    if (showTimeline) {
      const lines: string[] = [];
      for (const event of result.events ?? []) {
        const line = timelineLine(event, styles, { showSends: flags.sends === true });
        if (line !== null) lines.push(line);
      }
      io.stdout(lines.join('\n') + '\n\n');
    }
    io.stdout(formatVerdict(result, replayLine('run', replayPath, seed, bug), styles));
  }
  return result.expectation.met ? EXIT.ok : EXIT.failed;
}

/** `--trace`, `--html` and `--shiviz` of run and replay, checked before the run. */
export function checkRunOutputs(flags: { readonly trace?: string; readonly html?: string; readonly shiviz?: string }): void {
  checkOutputFile(flags.trace, '--trace');
  checkOutputFile(flags.html, '--html');
  checkOutputFile(flags.shiviz, '--shiviz');
}

/** The run as a self-contained HTML sequence diagram. */
export function diagramOf(result: RunResult): string {
  return sequenceDiagramHtml({ meta: result.meta, events: result.events!, violations: result.violations });
}

/** Two runs of the same seed must be byte-identical; if not, say where they part (a paxsim bug). */
export function determinismProblem(first: RunResult, second: RunResult): string | null {
  if (first.traceHash === second.traceHash) return null;
  const divergence = firstDivergence(first.events!, second.events!);
  const where = divergence === null ? 'the traces are equal but their hashes are not' : `first divergent event #${divergence.index} (trace line ${divergence.index + 2}): ${divergence.differences.join('; ')}`;
  return `NONDETERMINISM: two runs of ${first.scenario.name} with seed ${first.seed} gave different traces (${first.traceHash?.slice(0, 16)} vs ${second.traceHash?.slice(0, 16)}); ${where}. This is a bug in paxsim or the protocol: a run must depend only on the scenario and the seed.`;
}
