import type { ChosenProposal } from '../check/chosen.js';
import type { Expectation } from '../scenario/scenario.js';
import type { SimulationOutcome } from '../sim/simulation.js';

export interface ExpectationCheck {
  readonly what: string;
  readonly met: boolean;
  readonly detail: string;
  /** Unmet only because a checker could not decide (see CheckerReport.inconclusive). */
  readonly inconclusive?: boolean;
}

export interface ExpectationReport {
  readonly met: boolean;
  /** Not met, but only because a checker could not decide: the verdict is INCONCLUSIVE rather than FAIL. */
  readonly inconclusive: boolean;
  readonly checks: readonly ExpectationCheck[];
}

export interface RunFacts {
  readonly chosen: ChosenProposal | null;
  readonly hasSafetyViolation: boolean;
  /** Safety checkers that could not decide (they found no violation, and could not establish the property either). */
  readonly safetyInconclusive: readonly string[];
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
  checks.push(judgeSafety(expect.safety, facts));
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
  const unmet = checks.filter((check) => !check.met);
  return { met: unmet.length === 0, inconclusive: unmet.length > 0 && unmet.every((check) => check.inconclusive === true), checks };
}

/** `safety: hold` needs every safety checker to hold; an undecided one leaves it (and `violated`, absent a violation) open. */
function judgeSafety(expected: Expectation['safety'], facts: RunFacts): ExpectationCheck {
  const what = `safety: ${expected}`;
  if (facts.hasSafetyViolation) return { what, met: expected === 'violated', detail: 'a safety checker found a violation' };
  const undecided = facts.safetyInconclusive;
  if (undecided.length > 0) return { what, met: false, inconclusive: true, detail: `inconclusive: ${undecided.join(', ')} could not decide` };
  return { what, met: expected === 'hold', detail: 'every safety checker held' };
}
