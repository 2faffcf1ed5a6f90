import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProtocolBug } from './protocol.js';
import type { Scenario } from '../scenario/scenario.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import { packageRoot } from '../util/package-root.js';
import type { RunResult } from './runner.js';
import { runWithOutputs } from './trace-outputs.js';

export interface WrittenFailure {
  readonly scenarioFile: string;
  readonly traceFile: string;
  readonly htmlFile: string;
  readonly result: RunResult;
}

/**
 * Re-runs a failing seed with tracing on (fuzzing keeps no traces, so
 * memory stays flat) and writes a self-contained scenario that replays it
 * with `paxsim run FILE` alone, plus its trace and its sequence diagram.
 */
export function writeFailure(base: Scenario, seed: number, bug: ProtocolBug | undefined, directory: string, header: readonly string[], suffix = ''): WrittenFailure {
  mkdirSync(directory, { recursive: true });
  const stem = join(directory, `${base.name}-seed-${seed}${suffix}`);
  const scenarioFile = `${stem}.yaml`;
  const traceFile = `${stem}.trace.jsonl`;
  const htmlFile = `${stem}.html`;
  // The trace and the diagram are written as the run goes; the scenario file's header needs its verdict.
  const result = runWithOutputs(base, { seed, bug }, { trace: traceFile, html: htmlFile });
  const scenario: Scenario = { ...result.scenario, seed, bug: bug ?? result.scenario.bug };
  const firstViolation = result.violations[0];
  const lines = [
    firstViolation
      ? `paxsim found: ${firstViolation.checker} violated at t=${firstViolation.t} (event #${firstViolation.event}): ${firstViolation.message}`
      : `paxsim found: ${result.expectation.checks.filter((check) => !check.met).map((check) => `${check.what} not met (${check.detail})`).join('; ')}`,
    ...header,
    `replay: paxsim run ${scenarioFile}`,
  ];
  const schemaPath = join(packageRoot(), 'scenarios', 'scenario.schema.json');
  writeFileSync(scenarioFile, scenarioToYaml(scenario, { header: lines, filePath: scenarioFile, schemaPath }));
  return { scenarioFile, traceFile, htmlFile, result };
}
