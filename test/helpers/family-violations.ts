import type { Violation } from '../../src/check/checker.js';
import { familyChecks } from '../../src/run/checker-families.js';
import type { AnyTraceEvent } from '../../src/sim/events.js';
import { scenarioFromYaml } from './scenario.js';

const SCENARIO = scenarioFromYaml('name: families\nprotocol: ./user.mjs\nnodes: [A, B, C]\n');

/** The multi-decree family's violations over `events` of nodes A, B and C (t = their index), finish included. */
export function multiDecreeViolations(events: readonly Record<string, unknown>[]): Violation[] {
  const { checks } = familyChecks('user', ['multi-decree'], SCENARIO, undefined);
  const found: Violation[] = [];
  events.forEach((event, index) => found.push(...checks.observe({ t: index, ...event } as unknown as AnyTraceEvent, index).violations));
  return [...found, ...checks.finish(10_000, events.length)];
}
