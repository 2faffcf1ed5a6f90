import { isAbsolute, join, relative } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { Scenario } from '../scenario/scenario.js';
import { BUGS_BY_PROTOCOL, isBugOf, type ProtocolBug } from '../run/protocol.js';
import type { ProtocolName } from '../scenario/scenario.js';
import { shellCommand } from '../util/shell-quote.js';
import { UsageError } from './errors.js';

/** The built-in default: the shipped seed example, found next to the package. */
export const DEFAULT_SCENARIO_PATH = join(packageRoot(), 'scenarios', 'seed-example.yaml');

export interface ScenarioArg {
  readonly scenario: Scenario;
  /** How to name the file in a replay command: as the user typed it, or nothing for the default. */
  readonly replayPath: string | null;
}

export function loadScenarioArg(file: string | undefined): ScenarioArg {
  const path = file ?? DEFAULT_SCENARIO_PATH;
  const loaded = loadScenarioFile(path);
  if (!loaded.ok) throw new UsageError(loaded.errors);
  const bug = loaded.scenario.bug;
  if (bug !== undefined && !isBugOf(loaded.scenario.protocol, bug)) {
    throw new UsageError([`${path}: bug: unknown ${loaded.scenario.protocol} bug "${bug}"; known: ${Object.keys(BUGS_BY_PROTOCOL[loaded.scenario.protocol]).join(', ')}`]);
  }
  return { scenario: loaded.scenario, replayPath: file === undefined ? null : displayPath(file) };
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
