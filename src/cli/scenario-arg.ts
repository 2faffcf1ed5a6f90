import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { loadScenarioFile } from '../scenario/load.js';
import { closestMatch } from '../scenario/suggest.js';
import type { Scenario } from '../scenario/scenario.js';
import { BUGS_BY_PROTOCOL, isBugOf, type ProtocolBug } from '../run/protocol.js';
import type { ProtocolName } from '../scenario/scenario.js';
import { shellCommand } from '../util/shell-quote.js';
import { UsageError } from './errors.js';

/** The scenarios shipped with paxsim (`paxsim list`), found next to the package. */
export const SHIPPED_SCENARIOS_DIR = join(packageRoot(), 'scenarios');

/** The built-in default: the shipped seed example. */
export const DEFAULT_SCENARIO_PATH = join(SHIPPED_SCENARIOS_DIR, 'seed-example.yaml');

/** Names of the shipped scenarios, sorted: what `paxsim list` shows and every command accepts in place of a file. */
export function shippedScenarioNames(): string[] {
  return readdirSync(SHIPPED_SCENARIOS_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

export interface ScenarioArg {
  readonly scenario: Scenario;
  /** How to name the file in a replay command: as the user typed it, or nothing for the default. */
  readonly replayPath: string | null;
}

export function loadScenarioArg(file: string | undefined): ScenarioArg {
  const path = file === undefined ? DEFAULT_SCENARIO_PATH : resolveScenarioPath(file);
  const loaded = loadScenarioFile(path);
  if (!loaded.ok) throw new UsageError(loaded.errors);
  const bug = loaded.scenario.bug;
  if (bug !== undefined && !isBugOf(loaded.scenario.protocol, bug)) {
    throw new UsageError([`${path}: bug: unknown ${loaded.scenario.protocol} bug "${bug}"; known: ${Object.keys(BUGS_BY_PROTOCOL[loaded.scenario.protocol]).join(', ')}`]);
  }
  return { scenario: loaded.scenario, replayPath: file === undefined ? null : displayPath(file) };
}

/**
 * A file the user named, or else a shipped scenario by name (`dueling-proposers`,
 * as `paxsim list` prints it): a file in the working directory wins.
 */
function resolveScenarioPath(file: string): string {
  if (existsSync(file) || /[\\/]/.test(file)) return file;
  const name = file.replace(/\.ya?ml$/, '');
  const names = shippedScenarioNames();
  if (names.includes(name)) return join(SHIPPED_SCENARIOS_DIR, `${name}.yaml`);
  const guess = closestMatch(name, names);
  throw new UsageError([`${file}: no such file, nor a shipped scenario of that name${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; paxsim list shows them`]);
}

/** A --bug flag, checked against the protocol of the scenario(s) it applies to. */
export function parseBug(name: string | undefined, protocol: ProtocolName): ProtocolBug | undefined {
  if (name === undefined) return undefined;
  if (!isBugOf(protocol, name)) {
    throw new UsageError([`--bug: unknown ${protocol} bug "${name}"; known: ${Object.keys(BUGS_BY_PROTOCOL[protocol]).join(', ')}`]);
  }
  return name;
}

export function replayLine(command: string, replayPath: string | null, seed: number, bug: ProtocolBug | undefined): string {
  const parts = ['paxsim', command];
  if (replayPath !== null) parts.push(replayPath);
  parts.push('--seed', String(seed));
  if (bug) parts.push('--bug', bug);
  return shellCommand(parts);
}

function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const fromCwd = relative(process.cwd(), file);
  return fromCwd.startsWith('..') ? file : fromCwd;
}
