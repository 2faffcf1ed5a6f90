import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../run/runner.js';
import { shrinkScenario } from '../run/shrink.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import { packageRoot } from '../util/package-root.js';
import { parseCount, parseDuration } from './durations.js';
import { EXIT, parseSeed, UsageError } from './errors.js';
import { colorLevel, stylesFor, type CliIo } from './io.js';
import { unitNote } from './fuzz-command.js';
import { runToOutputs } from './run-command.js';
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
  const rerun = runToOutputs(shrunk.scenario, { seed, bug }, { trace: out.replace(/\.yaml$/, '.trace.jsonl') }, 'shrink:');
  const violation = rerun.violations[0];
  const header = [
    violation ? `paxsim found: ${violation.checker} violated at t=${violation.t} (event #${violation.event}): ${violation.message}` : 'paxsim: the shrunk scenario no longer fails (a bug in the shrinker)',
    `shrunk from ${file}: faults ${shrunk.before.faults} -> ${shrunk.after.faults}, events ${shrunk.before.events} -> ${shrunk.after.events} (${shrunk.attempts} runs)`,
    `replay: paxsim run ${out}`,
  ];
  const text = scenarioToYaml({ ...shrunk.scenario, seed, bug: bug ?? shrunk.scenario.bug }, { header, filePath: out, schemaPath: join(packageRoot(), 'scenarios', 'scenario.schema.json') });
  try {
    writeFileSync(out, text);
  } catch (error) {
    throw new UsageError([`${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  const label = (name: string) => styles.bold(name.padEnd(10));
  io.stdout(
    [
      styles.bold(`── shrink: ${scenario.name}, seed ${seed}${bug ? `, bug ${bug}` : ''} ──`),
      label('checker') + `${shrunk.checker}${violation ? `: ${violation.message}` : ''}`,
      label('faults') + `${shrunk.before.faults} → ${shrunk.after.faults}${unitNote(shrunk.after.faults, shrunk.after.faultUnits)}`,
      label('proposals') + `${shrunk.before.proposals} → ${shrunk.after.proposals}`,
      label('events') + `${shrunk.before.events} → ${shrunk.after.events}`,
      label('runs') + `${shrunk.attempts}${shrunk.exhausted ? styles.dim(' (budget reached: smaller, maybe not minimal)') : ' (no single removal keeps it failing)'}`,
      label('written') + out,
      label('replay') + styles.bold(`paxsim run ${out}`),
    ].join('\n') + '\n',
  );
  return violation && violation.checker === shrunk.checker ? EXIT.ok : EXIT.internal;
}
