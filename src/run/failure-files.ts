import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProtocolBug } from './protocol.js';
import type { Scenario } from '../scenario/scenario.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import { sequenceDiagramHtml } from '../trace/html.js';
import { packageRoot } from '../util/package-root.js';
import { runScenario, traceLines, type RunResult } from './runner.js';

export interface WrittenFailure {
  readonly scenarioFile: string;
  readonly traceFile: string;
  readonly htmlFile: string;
  readonly result: RunResult;
}

/**
 * Re-runs a failing seed with recording on (fuzzing keeps no traces, so
 * memory stays flat) and writes a self-contained scenario that replays it
 * with `paxsim run FILE` alone, plus its trace and its sequence diagram.
 */
export function writeFailure(base: Scenario, seed: number, bug: ProtocolBug | undefined, directory: string, header: readonly string[], suffix = ''): WrittenFailure {
  mkdirSync(directory, { recursive: true });
  const result = runScenario(base, { seed, bug, record: true });
  const scenario: Scenario = { ...result.scenario, seed, bug: bug ?? result.scenario.bug };
  const stem = join(directory, `${fileNameSafe(base.name)}-seed-${seed}${suffix}`);
  const scenarioFile = `${stem}.yaml`;
  const traceFile = `${stem}.trace.jsonl`;
  const htmlFile = `${stem}.html`;
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
  writeFileSync(traceFile, traceLines(result).join('\n') + '\n');
  writeFileSync(htmlFile, sequenceDiagramHtml({ meta: result.meta, events: result.events!, violations: result.violations }));
  return { scenarioFile, traceFile, htmlFile, result };
}

/** A scenario name as part of a file name: no path separators, control characters or spaces (`../x` → `.._x`). */
function fileNameSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}
