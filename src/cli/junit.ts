import type { FuzzReport } from '../run/fuzz.js';
import { failureKind } from '../run/fuzz.js';
import { plural } from '../util/plural.js';

export interface JunitFailure {
  readonly scenario: string;
  readonly seed: number;
  readonly replay: string;
}

/** JUnit XML: one test case per fuzzed scenario; a failure carries its checker, seed and replay command. */
export function junitXml(report: FuzzReport, replays: readonly JunitFailure[], elapsedMs: number): string {
  const cases = report.scenarios.map((scenario) => {
    const name = escapeXml(scenario.scenario.name);
    const first = scenario.failures[0];
    const attributes = `classname="paxsim.fuzz" name="${name}" time="${(elapsedMs / 1000 / report.scenarios.length).toFixed(3)}"`;
    if (first === undefined) return `    <testcase ${attributes}/>`;
    const replay = replays.find((entry) => entry.scenario === scenario.scenario.name && entry.seed === first.seed)?.replay ?? '';
    const summary = `${failureKind(first)} failed at seed ${first.seed} (${scenario.failureCount} of ${plural(scenario.seedsRun, 'seed')} failed)`;
    const body = [
      first.firstViolation ? `${first.firstViolation.checker}: ${first.firstViolation.message} (t=${first.firstViolation.t}, event #${first.firstViolation.event})` : summary,
      `replay: ${replay}`,
    ].join('\n');
    return `    <testcase ${attributes}>\n      <failure message="${escapeXml(summary)}" type="${escapeXml(failureKind(first))}">${escapeXml(body)}</failure>\n    </testcase>`;
  });
  const failures = report.scenarios.filter((scenario) => scenario.failureCount > 0).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="paxsim fuzz" tests="${report.scenarios.length}" failures="${failures}">`,
    `  <testsuite name="paxsim fuzz" tests="${report.scenarios.length}" failures="${failures}" time="${(elapsedMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
