import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve } from 'node:path';
import { portableProtocolReference } from './protocol-loader.js';
import type { ProtocolBug } from './protocol.js';
import type { Scenario } from '../scenario/scenario.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import { assert } from '../util/assert.js';
import { makeDirectory, writeOutputFile } from '../util/output-path.js';
import { packageRoot } from '../util/package-root.js';
import { shellCommand } from '../util/shell-quote.js';
import { runScenario, type RunResult } from './runner.js';
import { runWithOutputsOrProblem } from './trace-outputs.js';

export interface WrittenFailure {
  readonly scenarioFile: string;
  readonly traceFile: string;
  readonly htmlFile: string;
  readonly result: RunResult;
  /** Why a file could not be written (a full disk, say), or null when all three were. */
  readonly problem: string | null;
}

const MAX_STEM_NAME_CHARS = 80;

/** The JSON Schema a written scenario points editors to. */
export const SCHEMA_PATH = join(packageRoot(), 'scenarios', 'scenario.schema.json');

/**
 * The file-name part for a scenario name (or a bug name): user text, so only
 * letters, digits, `.`, `_` and `-` are kept, never a path separator or a
 * leading dot. A name that had to change gets a short hash of the original,
 * so two different names never share a file.
 */
export function safeFileName(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.-]+/, '').slice(0, MAX_STEM_NAME_CHARS);
  if (cleaned === text && cleaned !== '') return cleaned;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${cleaned === '' ? 'scenario' : cleaned}-${hash}`;
}

/** `<scenario>-seed-N`, or `<scenario>-<bug>-seed-N`, so runs with different bugs in one directory never overwrite each other. */
export function failureFileStem(scenarioName: string, bug: ProtocolBug | string | undefined, seed: number): string {
  return `${safeFileName(scenarioName)}${bug === undefined ? '' : `-${safeFileName(bug)}`}-seed-${seed}`;
}

/** The one line a failure file starts with: the first violation, or the expectations that were not met. */
export function foundLine(result: RunResult): string {
  const violation = result.violations[0];
  if (violation) return `paxsim found: ${violation.checker} violated at t=${violation.t} (event #${violation.event}): ${violation.message}`;
  return `paxsim found: ${result.expectation.checks.filter((check) => !check.met).map((check) => `${check.what} not met (${check.detail})`).join('; ')}`;
}

/**
 * Re-runs a failing seed with tracing on (fuzzing keeps no traces, so
 * memory stays flat) and writes a self-contained scenario that replays it
 * with `paxsim run FILE` alone, plus its trace and its sequence diagram.
 */
export function writeFailure(base: Scenario, seed: number, bug: ProtocolBug | undefined, directory: string, header: readonly string[]): WrittenFailure {
  const stem = join(directory, failureFileStem(base.name, bug ?? base.bug, seed));
  assert(relative(resolve(directory), resolve(stem)).startsWith('..') === false, `failure file ${stem} would be outside ${directory}`);
  const scenarioFile = `${stem}.yaml`;
  const traceFile = `${stem}.trace.jsonl`;
  const htmlFile = `${stem}.html`;
  // The trace and the diagram are written as the run goes; the scenario file's header needs its verdict.
  const directoryProblem = makeDirectory(directory);
  const { result, problem } =
    directoryProblem === null ? runWithOutputsOrProblem(base, { seed, bug }, { trace: traceFile, html: htmlFile }) : { result: runScenario(base, { seed, bug }), problem: directoryProblem };
  const scenario: Scenario = { ...result.scenario, seed, bug: bug ?? result.scenario.bug };
  const lines = [foundLine(result), ...header, `replay: ${shellCommand(['paxsim', 'run', scenarioFile])}`];
  const scenarioProblem = writeOutputFile(scenarioFile, failureScenarioText(scenario, scenarioFile, lines));
  return { scenarioFile, traceFile, htmlFile, result, problem: scenarioProblem ?? problem };
}


/**
 * A scenario as a failure file at `file` writes it (fuzz, shrink): the
 * schema comment and a user protocol's module both named relative to the
 * file, so the directory replays after it moved with the repository or was
 * uploaded as a CI artifact next to the module.
 */
export function failureScenarioText(scenario: Scenario, file: string, header: readonly string[]): string {
  const module = scenario.protocolModule;
  const protocolReference = module === undefined ? undefined : portableProtocolReference(module, dirname(resolve(file)));
  return scenarioToYaml(scenario, { header, filePath: file, schemaPath: SCHEMA_PATH, protocolReference });
}
