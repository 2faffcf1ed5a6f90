import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, traceLines } from '../run/runner.js';
import { describeShrink, shrinkScenario, unitNote } from '../run/shrink.js';
import { violationKind } from '../check/violation-kind.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import { packageRoot } from '../util/package-root.js';
import { parseCount, parseDuration } from './durations.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo } from './io.js';
import { loadScenarioArg, parseBug } from './scenario-arg.js';

export interface ShrinkFlags {
  readonly seed?: string;
  readonly bug?: string;
  readonly out?: string;
  readonly maxAttempts: string;
  readonly time: string;
  readonly color: boolean;
}

/** `paxsim shrink FILE`: the smallest scenario that still fails the same checker with the same seed. */
export function shrinkCommand(file: string, flags: ShrinkFlags, io: CliIo): number {
  const { scenario } = loadScenarioArg(file);
  const seed = flags.seed === undefined ? scenario.seed : parseSeed(flags.seed);
  const bug = parseBug(flags.bug, scenario.protocol) ?? scenario.bug;
  const maxAttempts = parseCount(flags.maxAttempts, '--max-attempts');
  const budgetMs = parseDuration(flags.time, '--time');
  const styles = stylesFor(colorLevel(io, flags.color));

  const original = runScenario(scenario, { seed, bug, stopOnViolation: true, hash: false });
  if (original.violations.length === 0) {
    throw new UsageError([`${file}: nothing to shrink: no checker fails with seed ${seed}${bug ? ` and bug ${bug}` : ''}`]);
  }
  const startMs = performance.now();
  const shrunk = shrinkScenario(scenario, seed, { bug, maxAttempts, shouldStop: () => performance.now() - startMs > budgetMs });
  const out = flags.out ?? file.replace(/(\.min)?\.(ya?ml|json)$/i, '') + '.min.yaml';
  const rerun = runScenario(shrunk.scenario, { seed, bug, record: true });
  const violation = rerun.violations[0];
  const header = [
    violation ? `paxsim found: ${violation.checker} violated at t=${violation.t} (event #${violation.event}): ${violation.message}` : 'paxsim: the shrunk scenario no longer fails (a bug in the shrinker)',
    `shrunk from ${file}: ${describeShrink(shrunk.before, shrunk.after, '->')} (${shrunk.attempts} runs)`,
    `replay: paxsim run ${out}`,
  ];
  const text = scenarioToYaml({ ...shrunk.scenario, seed, bug: bug ?? shrunk.scenario.bug }, { header, filePath: out, schemaPath: join(packageRoot(), 'scenarios', 'scenario.schema.json') });
  try {
    writeFileSync(out, text);
    writeFileSync(out.replace(/\.yaml$/, '.trace.jsonl'), traceLines(rerun).join('\n') + '\n');
  } catch (error) {
    throw new UsageError([`${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  const label = (name: string) => styles.bold(name.padEnd(10));
  io.stdout(
    [
      styles.bold(`── shrink: ${scenario.name}, seed ${seed}${bug ? `, bug ${bug}` : ''} ──`),
      label('violation') + `${shrunk.kind}${violation ? `: ${violation.message}` : ''}`,
      label('faults') + `${shrunk.before.faults} → ${shrunk.after.faults}${unitNote(shrunk.after.faults, shrunk.after.faultUnits)}`,
      ...(shrunk.before.clients > 0
        ? [label('clients') + `${shrunk.before.clients} → ${shrunk.after.clients}`, label('operations') + `${shrunk.before.operations} → ${shrunk.after.operations}`]
        : [label('proposals') + `${shrunk.before.proposals} → ${shrunk.after.proposals}`]),
      label('events') + `${shrunk.before.events} → ${shrunk.after.events} (first violation at event #${shrunk.before.violationEvent} → #${shrunk.after.violationEvent})`,
      label('runs') + `${shrunk.attempts}${shrunk.exhausted ? styles.dim(' (budget reached: smaller, maybe not minimal)') : ' (no single removal keeps it failing)'}`,
      label('written') + out,
      label('replay') + styles.bold(`paxsim run ${out}`),
    ].join('\n') + '\n',
  );
  // The shrinker only keeps candidates that fail this way; anything else is a bug in it.
  return violation && violationKind(violation) === shrunk.kind ? EXIT.ok : EXIT.internal;
}
