import { isAbsolute, join, relative } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { Scenario } from '../scenario/scenario.js';
import { isPaxosBug, PAXOS_BUGS, type PaxosBug } from '../protocols/paxos/config.js';
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
  if (bug !== undefined && !isPaxosBug(bug)) {
    throw new UsageError([`${path}: bug: unknown bug "${bug}"; known bugs: ${Object.keys(PAXOS_BUGS).join(', ')}`]);
  }
  return { scenario: loaded.scenario, replayPath: file === undefined ? null : displayPath(file) };
}

export function parseBug(name: string | undefined): PaxosBug | undefined {
  if (name === undefined) return undefined;
  if (!isPaxosBug(name)) throw new UsageError([`--bug: unknown bug "${name}"; known bugs: ${Object.keys(PAXOS_BUGS).join(', ')}`]);
  return name;
}

export function replayLine(command: string, replayPath: string | null, seed: number, bug: PaxosBug | undefined): string {
  const parts = ['paxsim', command];
  if (replayPath !== null) parts.push(shellQuote(replayPath));
  parts.push('--seed', String(seed));
  if (bug) parts.push('--bug', bug);
  return parts.join(' ');
}

function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const fromCwd = relative(process.cwd(), file);
  return fromCwd.startsWith('..') ? file : fromCwd;
}

function shellQuote(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
