import { runScenario } from '../run/runner.js';
import { describeShrink, shrinkScenario, unitNote } from '../run/shrink.js';
import { violationKind } from '../check/violation-kind.js';
import { protocolNamed } from '../run/registry.js';
import { failureScenarioText, foundLine } from '../run/failure-files.js';
import { writeOutputFile } from '../util/output-path.js';
import { shellCommand } from '../util/shell-quote.js';
import { printable } from '../trace/format.js';
import { packageRoot } from '../util/package-root.js';
import { parseCount, parseDuration } from './durations.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo } from './io.js';
import { checkOutputFile } from './output-check.js';
import { runToOutputs } from './run-command.js';
import { loadScenarioArg, parseBug, refusePinnedSchedule } from './scenario-arg.js';
import { plural } from '../util/plural.js';

export interface ShrinkFlags {
  /** A user protocol module that replaces the scenario's `protocol` (resolved from the working directory). */
  readonly protocol?: string;
  readonly seed?: string;
  readonly bug?: string;
  readonly out?: string;
  readonly maxAttempts: string;
  readonly time: string;
  readonly color: boolean;
}

/** `paxsim shrink FILE`: the smallest scenario that still fails the same checker with the same seed. */
export function shrinkCommand(file: string, flags: ShrinkFlags, io: CliIo): number {
  const loaded = loadScenarioArg(file, flags.protocol);
  refusePinnedSchedule(loaded, 'shrink');
  const scenario = loaded.scenario;
  const seed = flags.seed === undefined ? scenario.seed : parseSeed(flags.seed);
  const bug = parseBug(flags.bug, scenario.protocol) ?? scenario.bug;
  const maxAttempts = parseCount(flags.maxAttempts, '--max-attempts');
  const budgetMs = parseDuration(flags.time, '--time');
  const styles = stylesFor(colorLevel(io, flags.color));
  const out = flags.out ?? file.replace(/(\.min)?\.(ya?ml|json)$/i, '') + '.min.yaml';
  checkOutputFile(out, '--out');

  const original = runScenario(scenario, { seed, bug, stopOnViolation: true, hash: false });
  if (original.violations.length === 0) {
    throw new UsageError([`${file}: nothing to shrink: no checker fails with seed ${seed}${bug ? ` and bug ${bug}` : ''}`]);
  }
  const startMs = performance.now();
  const shrunk = shrinkScenario(scenario, seed, { bug, maxAttempts, shouldStop: () => performance.now() - startMs > budgetMs });
  const rerun = runToOutputs(shrunk.scenario, { seed, bug }, { trace: out.replace(/\.yaml$/, '.trace.jsonl') }, '--out');
  const violation = rerun.violations[0];
  const header = [
    violation ? foundLine(rerun) : 'paxsim: the shrunk scenario no longer fails (a bug in the shrinker)',
    `shrunk from ${file}: ${describeShrink(shrunk.before, shrunk.after, '->')} (${plural(shrunk.attempts, 'run')})`,
    `replay: ${shellCommand(['paxsim', 'run', out])}`,
  ];
  const text = failureScenarioText({ ...shrunk.scenario, seed, bug: bug ?? shrunk.scenario.bug }, out, header);
  const problem = writeOutputFile(out, text);
  if (problem !== null) throw new UsageError([printable(`--out ${out}: ${problem}`)]);
  const label = (name: string) => styles.bold(name.padEnd(10));
  io.stdout(
    [
      styles.bold(`── shrink: ${printable(scenario.name)}, seed ${seed}${bug ? `, bug ${bug}` : ''} ──`),
      label('violation') + printable(`${shrunk.kind}${violation ? `: ${violation.message}` : ''}`),
      label('faults') + `${shrunk.before.faults} → ${shrunk.after.faults}${unitNote(shrunk.after.faults, shrunk.after.faultUnits)}`,
      ...(shrunk.before.clients > 0
        ? [label('clients') + `${shrunk.before.clients} → ${shrunk.after.clients}`, label('operations') + `${shrunk.before.operations} → ${shrunk.after.operations}`]
        : [label('proposals') + `${shrunk.before.proposals} → ${shrunk.after.proposals}`]),
      label('events') + `${shrunk.before.events} → ${shrunk.after.events} (first violation at event #${shrunk.before.violationEvent} → #${shrunk.after.violationEvent})`,
      label('runs') + `${shrunk.attempts}${shrunk.exhausted ? styles.dim(' (budget reached: smaller, maybe not minimal)') : ' (no single removal keeps it failing)'}`,
      label('written') + printable(out),
      label('replay') + styles.bold(printable(shellCommand(['paxsim', 'run', out]))),
    ].join('\n') + '\n',
  );
  // The shrinker only keeps candidates that fail this way; anything else is a bug in it.
  return violation && violationKind(violation, protocolNamed(shrunk.scenario.protocol)?.violationShape) === shrunk.kind ? EXIT.ok : EXIT.internal;
}
