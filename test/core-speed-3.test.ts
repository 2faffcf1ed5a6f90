import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AcceptorDisciplineChecker } from '../src/check/acceptor-discipline.js';
import { AgreementChecker } from '../src/check/agreement.js';
import { BallotUniquenessChecker } from '../src/check/ballot-uniqueness.js';
import type { Checker, Violation } from '../src/check/checker.js';
import { ChosenLedger } from '../src/check/chosen.js';
import { IntegrityChecker } from '../src/check/integrity.js';
import { LivenessChecker, type LivenessOptions } from '../src/check/liveness.js';
import { CheckerSuite } from '../src/check/suite.js';
import { ValidityChecker } from '../src/check/validity.js';
import { PAXOS_BUGS } from '../src/protocols/paxos/config.js';
import { checkContextFor } from '../src/run/paxos-driver.js';
import { runScenario, type RunOptions } from '../src/run/runner.js';
import type { CheckContext } from '../src/check/checker.js';
import { faultEndMs, type Scenario } from '../src/scenario/scenario.js';
import type { AnyTraceEvent, TraceEvent } from '../src/sim/events.js';
import { shippedScenario } from './helpers/scenario.js';

/**
 * Issue 9, third round on the untraced path: the checker suite calls each
 * checker from a call site of its own per event type, and an untraced run
 * specialises its per-event work once. Each shortcut must give exactly what
 * the plain version gave.
 */

/** The suite as it was: the ledger, then every checker that has not yet found its violation, in suite order, on every checked event. */
class ReferenceSuite {
  readonly ledger: ChosenLedger;
  private readonly checkers: Checker[];
  private readonly liveness: LivenessChecker | null;
  private readonly found = new Set<string>();

  constructor(context: CheckContext, liveness: LivenessOptions | undefined) {
    this.ledger = new ChosenLedger(context.quorumSize);
    this.liveness = liveness ? new LivenessChecker(context, liveness) : null;
    this.checkers = [new AgreementChecker(), new ValidityChecker(), new IntegrityChecker(), new AcceptorDisciplineChecker(), new BallotUniquenessChecker()];
    if (this.liveness) this.checkers.push(this.liveness);
  }

  observe(event: TraceEvent, index: number): { derived: TraceEvent | null; violations: Violation[] } {
    if (!CHECKED.has(event.type)) {
      if (this.liveness === null || this.found.has('liveness')) return { derived: null, violations: [] };
      const message = this.liveness.checkDeadline(event.t);
      return { derived: null, violations: message === null ? [] : [this.record('liveness', message, event.t, index)] };
    }
    const chosen = this.ledger.observe(event);
    const violations: Violation[] = [];
    for (const checker of this.checkers) {
      if (this.found.has(checker.name)) continue;
      const message = checker.observe(event, this.ledger);
      if (message !== null) violations.push(this.record(checker.name, message, event.t, index));
    }
    return { derived: chosen === null ? null : { t: event.t, type: 'chosen', value: chosen.value, ballot: chosen.ballot }, violations };
  }

  finish(endMs: number, lastIndex: number): Violation[] {
    const violations: Violation[] = [];
    for (const checker of this.checkers) {
      if (this.found.has(checker.name)) continue;
      const result = checker.finish(endMs);
      if (result !== null) violations.push(this.record(checker.name, result.message, result.t, lastIndex));
    }
    return violations;
  }

  private record(checker: string, message: string, t: number, event: number): Violation {
    this.found.add(checker);
    return { checker, message, t, event };
  }
}

/** What the planted bugs and the tight deadline of seeds 1–25 violate (one that stopped showing would make the comparison weaker). */
const CHECKERS_SEEN = ['acceptor-discipline', 'agreement', 'ballot-uniqueness', 'integrity', 'liveness'];

const CHECKED = new Set(['propose', 'adopt', 'promise', 'accept', 'learn', 'crash', 'restart', 'pause', 'resume', 'partition', 'cut', 'heal']);

/** A recorded run's events as the simulator emitted them (the suite's derived events and violations left out), with what the checks were built from. */
function recordedRun(scenario: Scenario, seed: number, bug: string | undefined): { events: TraceEvent[]; context: CheckContext; liveness: LivenessOptions | undefined; endMs: number } {
  const run = runScenario(scenario, { seed, bug, hash: false, record: true });
  const ran = run.scenario;
  const quietFromMs = ran.faults.reduce((latest, fault) => Math.max(latest, faultEndMs(fault)), 0);
  return {
    events: run.events!.filter((event) => event.type !== 'chosen' && event.type !== 'violation') as TraceEvent[],
    context: checkContextFor(ran),
    liveness: ran.expect.liveness ? { withinMs: ran.expect.liveness.withinMs, quietFromMs } : undefined,
    endMs: run.outcome.endMs,
  };
}

describe('the checker suite, dispatching by event type', () => {
  it('gives what every checker fed every event gave: derived events, violations (checker, message, time, index), on planted bugs', () => {
    const shipped = shippedScenario('fuzz-default');
    // A deadline this tight is missed in most seeds: liveness violations, at delivery-free events too.
    const impatient: Scenario = { ...shipped, expect: { ...shipped.expect, liveness: { withinMs: 15 } } };
    let violationsSeen = 0;
    const checkersSeen = new Set<string>();
    for (const [scenario, bug] of [[impatient, undefined], ...[undefined, ...Object.keys(PAXOS_BUGS)].map((bug) => [shipped, bug] as const)] as const) {
      for (let seed = 1; seed <= 25; seed++) {
        const { events, context, liveness, endMs } = recordedRun(scenario, seed, bug);
        const suite = new CheckerSuite(context, liveness);
        const reference = new ReferenceSuite(context, liveness);
        events.forEach((event, index) => {
          const ours = suite.observe(event, index);
          expect(ours.derived).toEqual(reference.observe(event, index).derived);
        });
        // Fed one by one above, so compare what each said at each event too.
        expect(suite.finish(endMs, events.length)).toEqual(reference.finish(endMs, events.length));
        const fresh = new ReferenceSuite(context, liveness);
        const expected = [...events.flatMap((event, index) => fresh.observe(event, index).violations), ...fresh.finish(endMs, events.length)];
        expect(suite.violations).toEqual([...expected].sort((a, b) => a.event - b.event));
        violationsSeen += expected.length;
        for (const violation of expected) checkersSeen.add(violation.checker);
      }
    }
    // The comparison means something only if the runs violated: most checkers, several times.
    expect(violationsSeen).toBeGreaterThan(50);
    expect([...checkersSeen].sort()).toEqual(CHECKERS_SEEN);
  });

  it('reports every checker an event violates, in suite order, and asks none of them again', () => {
    const suite = new CheckerSuite({ nodes: ['A', 'B', 'C'], proposers: ['A'], acceptors: ['A', 'B', 'C'], learners: ['A', 'B', 'C'], quorumSize: 2 }, undefined);
    const ballot = [1, 'A'] as const;
    suite.observe({ t: 1, type: 'propose', node: 'A', value: 'X', ballot }, 0);
    suite.observe({ t: 2, type: 'accept', node: 'A', value: 'X', ballot }, 1);
    expect(suite.observe({ t: 2, type: 'accept', node: 'B', value: 'X', ballot }, 2).derived).toEqual({ t: 2, type: 'chosen', value: 'X', ballot });
    expect(suite.observe({ t: 3, type: 'learn', node: 'B', value: 'X' }, 3).violations).toEqual([]);
    // A second, different, unproposed learn by the same node: agreement, validity and integrity at once.
    const { violations } = suite.observe({ t: 4, type: 'learn', node: 'B', value: 'Q' }, 4);
    expect(violations.map((violation) => violation.checker)).toEqual(['agreement', 'validity', 'integrity']);
    expect(violations.every((violation) => violation.event === 4 && violation.t === 4)).toBe(true);
    expect(suite.observe({ t: 5, type: 'learn', node: 'C', value: 'R' }, 5).violations).toEqual([]);
    expect(suite.reports().filter((report) => report.violation !== null).map((report) => report.violation!.event)).toEqual([4, 4, 4]);
  });

  it('lets only the liveness deadline pass at an event no checker reads', () => {
    const suite = new CheckerSuite({ nodes: ['A'], proposers: ['A'], acceptors: ['A'], learners: ['A'], quorumSize: 1 }, { withinMs: 10, quietFromMs: 0 });
    suite.observe({ t: 1, type: 'propose', node: 'A', value: 'X', ballot: [1, 'A'] }, 0);
    // Liveness judges the cluster stable (from t=1, so the deadline is t=11) at the next event it reads.
    suite.observe({ t: 2, type: 'promise', node: 'A', ballot: [1, 'A'] }, 0);
    expect(suite.observe({ t: 5, type: 'timer', node: 'A', timer: 'retry' }, 1).violations).toEqual([]);
    const late = suite.observe({ t: 20, type: 'timer', node: 'A', timer: 'retry' }, 2).violations;
    expect(late.map((violation) => [violation.checker, violation.event])).toEqual([['liveness', 2]]);
    // Found once: the next unread event and the end of the run report nothing more.
    expect(suite.observe({ t: 30, type: 'timer', node: 'A', timer: 'retry' }, 3).violations).toEqual([]);
    expect(suite.finish(40, 4)).toEqual([]);
  });
});

describe('an untraced run with nothing recorded or observed', () => {
  it('gives the same verdict, facts, counts and violation indexes as the same run taking the full per-event path', () => {
    const scenario = shippedScenario('fuzz-default');
    const summary = (options: RunOptions) => {
      const run = runScenario(scenario, { hash: false, ...options });
      return [run.eventCount, run.outcome, run.chosen, run.learned, run.violations, run.checkers, run.inconclusive, run.expectation];
    };
    let violations = 0;
    for (const bug of [undefined, 'same-ballot', 'accept-lower']) {
      for (let seed = 1; seed <= 40; seed++) {
        const seen: AnyTraceEvent[] = [];
        const lean = summary({ seed, bug });
        // An observer turns the specialised path off: every event then also goes to it.
        expect(summary({ seed, bug, observe: (event) => seen.push(event) })).toEqual(lean);
        expect(summary({ seed, bug, stopOnViolation: true })).toEqual(summary({ seed, bug, stopOnViolation: true, observe: () => undefined }));
        violations += (lean[4] as readonly Violation[]).length;
      }
    }
    expect(violations).toBeGreaterThan(20);
  });
});

describe('untraced runs against a deadline most seeds miss', () => {
  it('give the totals, verdicts, checker details and expectations the code before this round gave (seeds 1–150, pinned)', () => {
    const shipped = shippedScenario('fuzz-default');
    const impatient: Scenario = { ...shipped, expect: { ...shipped.expect, liveness: { withinMs: 15 } } };
    const digests = [undefined, 'same-ballot'].map((bug) => {
      const hash = createHash('sha256');
      for (let seed = 1; seed <= 150; seed++) {
        const run = runScenario(impatient, { hash: false, seed, bug });
        hash.update(JSON.stringify([run.eventCount, run.outcome.processedEvents, run.outcome.traffic, run.chosen, run.learned, run.violations, run.checkers.map((checker) => checker.detail), run.expectation]));
      }
      return hash.digest('hex');
    });
    // Computed with the code before this round (main at 8c5bdb8).
    expect(digests).toEqual(['6af9fd9ebe7d4cc9ffbef6817eca607051dbd169c4bc54bc4685aef837865181', '7fbad97bbbdb4ead3a7deaf7c1b80555067726f430de5443a5d81db9e7369748']);
  });
});
