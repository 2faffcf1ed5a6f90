import { coverageOf } from './registry.js';
import type { Violation } from '../check/checker.js';
import type { ProtocolBug } from './protocol.js';
import type { Scenario } from '../scenario/scenario.js';
import { runScenario } from './runner.js';

export interface SeedResult {
  readonly scenario: string;
  readonly seed: number;
  readonly passed: boolean;
  /** Not passed only because a checker could not decide (linearizability's search budget): counted apart from failures. */
  readonly inconclusive: boolean;
  /** Checkers that found a violation, in the order they fired. */
  readonly failedCheckers: readonly string[];
  /** Expectations that were not met ("chosen: X", "liveness within 2500"). */
  readonly unmet: readonly string[];
  readonly firstViolation: Violation | null;
  readonly events: number;
  readonly processedEvents: number;
  /** Bit i set when situation i of the protocol's coverage catalogue happened. */
  readonly coverage: number;
  /** Set when this seed was run twice: did the two runs' fingerprints (observations, their order among deliveries, totals) agree? */
  readonly deterministic: boolean | null;
}

export interface FuzzSeedOptions {
  readonly bug?: ProtocolBug | undefined;
  /** Run this seed twice and compare fingerprints (cheap: a structural hash of the non-network events, no JSON built). */
  readonly checkDeterminism?: boolean;
}

/** One fuzz seed: run (with the nemesis's schedule for this seed, if any) and summarize. Pure function of its inputs. */
export function runFuzzSeed(base: Scenario, seed: number, options: FuzzSeedOptions = {}): SeedResult {
  const coverage = coverageOf(base.protocol).tracker();
  const recheck = options.checkDeterminism === true;
  const result = runScenario(base, {
    seed,
    bug: options.bug,
    hash: false,
    fingerprint: recheck,
    stopOnViolation: true,
    observe: (event) => coverage.observe(event),
  });
  coverage.observeTraffic(result.outcome.traffic);
  let deterministic: boolean | null = null;
  if (recheck) deterministic = runScenario(base, { seed, bug: options.bug, hash: false, fingerprint: true, stopOnViolation: true }).fingerprint === result.fingerprint;
  return {
    scenario: base.name,
    seed,
    passed: result.expectation.met && deterministic !== false,
    inconclusive: !result.expectation.met && result.expectation.inconclusive && deterministic !== false,
    failedCheckers: result.violations.map((violation) => violation.checker),
    unmet: result.expectation.checks.filter((check) => !check.met).map((check) => check.what),
    firstViolation: result.violations[0] ?? null,
    events: result.eventCount,
    processedEvents: result.outcome.processedEvents,
    coverage: coverage.reached(),
    deterministic,
  };
}
