import type { ChosenProposal } from '../check/chosen.js';
import type { Expectation } from '../scenario/scenario.js';
import type { SimulationOutcome } from '../sim/simulation.js';

export interface ExpectationCheck {
  readonly what: string;
  readonly met: boolean;
  readonly detail: string;
}

export interface ExpectationReport {
  readonly met: boolean;
  readonly checks: readonly ExpectationCheck[];
}

export interface RunFacts {
  readonly chosen: ChosenProposal | null;
  readonly hasSafetyViolation: boolean;
  readonly livenessViolated: boolean;
  readonly livenessInconclusive: boolean;
  readonly outcome: SimulationOutcome;
}

/** Judges a run against the scenario's `expect` block, one line per expectation. */
export function judgeExpectation(expect: Expectation, facts: RunFacts): ExpectationReport {
  const checks: ExpectationCheck[] = [];
  const chosenText = facts.chosen ? `"${facts.chosen.value}" was chosen` : 'nothing was chosen';
  if (expect.chosen) {
    const wanted = expect.chosen;
    const met =
      wanted.kind === 'any' ? facts.chosen !== null : wanted.kind === 'none' ? facts.chosen === null : facts.chosen?.value === wanted.value;
    const label = wanted.kind === 'value' ? `"${wanted.value}"` : wanted.kind;
    checks.push({ what: `chosen: ${label}`, met, detail: chosenText });
  }
  const safetyHeld = !facts.hasSafetyViolation;
  checks.push({
    what: `safety: ${expect.safety}`,
    met: expect.safety === 'hold' ? safetyHeld : !safetyHeld,
    detail: safetyHeld ? 'every safety checker held' : 'a safety checker found a violation',
  });
  if (expect.liveness) {
    const stoppedEarly = facts.outcome.stoppedBy === 'max-events' || facts.outcome.stoppedBy === 'max-trace-events';
    const met = !facts.livenessViolated && !facts.livenessInconclusive && !stoppedEarly;
    const detail = facts.livenessViolated
      ? 'something owed progress did not make it in time (see the liveness checker)'
      : stoppedEarly
        ? `the run hit ${facts.outcome.stoppedBy === 'max-events' ? 'maxEvents' : 'the trace-event limit'} at t=${facts.outcome.endMs}`
        : facts.livenessInconclusive
          ? 'the run ended before the liveness deadline (raise `until`)'
          : 'everything owed progress made it in time';
    checks.push({ what: `liveness within ${expect.liveness.withinMs}`, met, detail });
  }
  return { met: checks.every((check) => check.met), checks };
}
