import { join } from 'node:path';
import { registeredProtocols } from '../run/registry.js';
import { CHECKER_FAMILIES, familyCheckerNames } from '../run/checker-families.js';
import { protocolFor } from '../run/protocol-loader.js';
import { UsageError } from './errors.js';
import { loadScenarioFile } from '../scenario/load.js';
import { EXIT } from './errors.js';
import { printable } from '../trace/format.js';
import { colorLevel, stylesFor, type CliIo } from './io.js';
import { SHIPPED_SCENARIOS_DIR, shippedScenarioNames } from './scenario-arg.js';

/** `paxsim list`: shipped scenarios, injectable bugs and checkers, a line each. */
export function listCommand(flags: { color: boolean; protocol?: string }, io: CliIo): number {
  const styles = stylesFor(colorLevel(io, flags.color));
  if (flags.protocol !== undefined) {
    const loaded = protocolFor({ spec: flags.protocol, label: '--protocol', baseDir: process.cwd() });
    if (!loaded.ok) throw new UsageError([loaded.error]);
  }
  const lines: string[] = [styles.bold('scenarios') + styles.dim(`  (${SHIPPED_SCENARIOS_DIR}; run, replay, diff, fuzz and shrink take these names)`)];
  for (const name of shippedScenarioNames()) {
    const loaded = loadScenarioFile(join(SHIPPED_SCENARIOS_DIR, `${name}.yaml`));
    const summary = loaded.ok ? firstSentence(loaded.scenario.description) : 'invalid: ' + loaded.errors[0];
    lines.push(`  ${name.padEnd(26)}${summary}`);
  }
  lines.push('', styles.bold('protocols') + styles.dim('  (`protocol:` in a scenario; a module path or npm package loads your own)'));
  for (const { definition, module } of registeredProtocols()) {
    lines.push(`  ${printable(definition.name).padEnd(26)}${printable(definition.description)}${module === null ? '' : styles.dim(` (${printable(module)})`)}`);
  }
  for (const { definition } of registeredProtocols()) {
    const bugs = definition.bugs;
    if (Object.keys(bugs).length === 0) continue;
    lines.push('', styles.bold(`${printable(definition.name)} bugs`) + styles.dim('  (--bug NAME on run, replay, fuzz and shrink, or `bug:` in a scenario)'));
    for (const [name, description] of Object.entries(bugs)) lines.push(`  ${name.padEnd(26)}${description}`);
  }
  // Each protocol's checkers, from its definition: with their summaries when it describes them (paxsim's own).
  const described = registeredProtocols().filter(({ definition }) => (definition.checkerDescriptions ?? []).length > 0);
  described.forEach(({ definition }, index) => {
    const checkers = definition.checkerDescriptions!;
    // A protocol that runs every checker of one listed before it (Cheap Paxos, Multi-Paxos's) lists only what it adds.
    const includes = described.slice(0, index).find(({ definition: other }) => other.checkerNames.every((name) => definition.checkerNames.includes(name)));
    const note = includes === undefined ? '' : `  (and every ${printable(includes.definition.name)} checker)`;
    lines.push('', styles.bold(`${printable(definition.name)} checkers`) + styles.dim(note));
    for (const checker of checkers) {
      if (includes === undefined || !includes.definition.checkerNames.includes(checker.name)) lines.push(`  ${printable(checker.name).padEnd(26)}${printable(checker.summary)}`);
    }
  });
  lines.push('', styles.bold('checker families') + styles.dim("  (a user protocol's `checkers: [...]`; README, \"Observation vocabulary\")"));
  for (const family of CHECKER_FAMILIES) lines.push(`  ${family.padEnd(26)}${familyCheckerNames([family]).join(', ')}`);
  for (const { definition } of registeredProtocols()) {
    if ((definition.checkerDescriptions ?? []).length > 0) continue;
    lines.push('', styles.bold(`${printable(definition.name)} checkers`));
    lines.push(`  ${definition.checkerNames.length === 0 ? styles.dim('none') : definition.checkerNames.map(printable).join(', ')}`);
  }
  io.stdout(lines.join('\n') + '\n');
  return EXIT.ok;
}

function firstSentence(text: string): string {
  const sentence = /^(.*?[.!?])(\s|$)/.exec(text.trim())?.[1] ?? text.trim();
  return sentence.length > 100 ? `${sentence.slice(0, 97)}...` : sentence;
}
