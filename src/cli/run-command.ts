import { writeFileSync } from 'node:fs';
import { runScenario, traceLines } from '../run/runner.js';
import { timelineLine } from '../trace/timeline.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo } from './io.js';
import { loadScenarioArg, parseBug, replayCommand } from './scenario-arg.js';
import { formatVerdict, verdictJson } from './verdict.js';

export interface RunFlags {
  readonly seed?: string;
  readonly trace?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly color: boolean;
  readonly sends?: boolean;
  readonly bug?: string;
}

/** `paxsim run [scenario]`: one seeded run, its timeline, and a verdict. */
export function runCommand(file: string | undefined, flags: RunFlags, io: CliIo): number {
  const { scenario, replayPath } = loadScenarioArg(file);
  const seed = flags.seed === undefined ? scenario.seed : parseSeed(flags.seed);
  const bug = parseBug(flags.bug);
  const showTimeline = !flags.json && !flags.quiet;
  const result = runScenario(scenario, { seed, bug, record: showTimeline || flags.trace !== undefined });

  if (flags.trace !== undefined) writeTrace(flags.trace, traceLines(result));
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
    io.stdout(formatVerdict(result, replayCommand('run', replayPath, seed, bug), styles));
  }
  return result.expectation.met ? EXIT.ok : EXIT.failed;
}

function writeTrace(path: string, lines: readonly string[]): void {
  try {
    writeFileSync(path, lines.join('\n') + '\n');
  } catch (error) {
    throw new UsageError([`--trace ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
}
