import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { loadScenarioFile } from '../scenario/load.js';
import { closestMatch } from '../scenario/suggest.js';
import type { Scenario } from '../scenario/scenario.js';
import { isBugOf, type ProtocolBug } from '../run/protocol.js';
import { resolveScenarioProtocol } from '../run/protocol-loader.js';
import { bugsOf } from '../run/registry.js';
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
  /** `--protocol` as the user typed it, so replay commands repeat it. */
  readonly protocolFlag: string | null;
}

/** A scenario named on the command line, with its protocol loaded (`--protocol` overrides the file's). */
export function loadScenarioArg(file: string | undefined, protocolOverride?: string): ScenarioArg {
  const path = file === undefined ? DEFAULT_SCENARIO_PATH : resolveScenarioPath(file);
  const loaded = loadScenarioFile(path);
  if (!loaded.ok) throw new UsageError(loaded.errors);
  const resolved = resolveScenarioProtocol(loaded.scenario, path, protocolOverride);
  if (!resolved.ok) throw new UsageError(resolved.errors);
  const scenario = resolved.scenario;
  const bug = scenario.bug;
  if (bug !== undefined && !isBugOf(scenario.protocol, bug)) {
    throw new UsageError([`${path}: bug: unknown ${scenario.protocol} bug "${bug}"; known: ${knownBugs(scenario.protocol)}`]);
  }
  return { scenario, replayPath: file === undefined ? null : displayPath(file), protocolFlag: protocolOverride ?? null };
}

/**
 * A pinned schedule (what `paxsim explore` writes) is one exact run whatever
 * the seed, and holds no faults: `command` (fuzz, shrink) has nothing it can
 * vary, and its changed candidates would not fit the schedule.
 */
export function refusePinnedSchedule(arg: ScenarioArg, command: string): void {
  if (arg.scenario.schedule === undefined) return;
  throw new UsageError([`${arg.replayPath ?? arg.scenario.name}: schedule: a pinned schedule is one exact run, whatever the seed, so ${command} has nothing to vary; replay it with paxsim run`]);
}

function knownBugs(protocol: ProtocolName): string {
  const names = Object.keys(bugsOf(protocol));
  return names.length === 0 ? '(none)' : names.join(', ');
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
    throw new UsageError([`--bug: unknown ${protocol} bug "${name}"; known: ${knownBugs(protocol)}`]);
  }
  return name;
}

export function replayLine(command: string, replayPath: string | null, seed: number, bug: ProtocolBug | undefined, protocolFlag: string | null = null): string {
  const parts = ['paxsim', command];
  if (replayPath !== null) parts.push(replayPath);
  if (protocolFlag !== null) parts.push('--protocol', protocolFlag);
  parts.push('--seed', String(seed));
  if (bug) parts.push('--bug', bug);
  return shellCommand(parts);
}

function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const fromCwd = relative(process.cwd(), file);
  return fromCwd.startsWith('..') ? file : fromCwd;
}
