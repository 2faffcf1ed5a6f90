import { CLIENTS_SHARE, composedCoverage, GENERIC_SHARE, LEADERS_SHARE, ownShare, SINGLE_DECREE_SHARE, SLOTS_SHARE, STATE_MACHINE_SHARE, type CoverageCatalogue, type CoverageShare, type OwnSituation } from '../check/coverage.js';
import { majorityOf, type CheckerReport, type TraceChecks, type Violation } from '../check/checker.js';
import { LEADER_CHECKERS, LeaderChecks } from '../check/leader-checks.js';
import type { LivenessOptions } from '../check/liveness.js';
import { MULTIPAXOS_CHECKERS, MultiPaxosChecks, multiPaxosSummaryLines } from '../check/multipaxos-checks.js';
import { SLOT_DISCIPLINE_CHECKERS, SlotDisciplineChecks } from '../check/slot-discipline.js';
import { CHECKERS, CheckerSuite } from '../check/suite.js';
import type { Scenario } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { emptyDict } from '../util/dict.js';
import { ProtocolError } from './determinism-guard.js';
import { checkContextFor, singleDecreeFacts } from './paxos-driver.js';
import type { RunFactsSummary } from './protocol.js';

/**
 * The built-in checker families a user protocol asks for by name
 * (`checkers: [...]` in its definition; README, "Observation vocabulary").
 * Each family is a share of the checkers paxsim's own protocols run, reading
 * only published observations: the same classes judge the built-ins' traces.
 */
export type CheckerFamily = 'single-decree' | 'multi-decree' | 'leaders' | 'state-machine' | 'clients';

export const CHECKER_FAMILIES: readonly CheckerFamily[] = ['single-decree', 'multi-decree', 'leaders', 'state-machine', 'clients'];

/** The Multi-Paxos checkers (check/multipaxos-checks.ts) each family takes. */
const MULTIPAXOS_SHARE: Readonly<Record<CheckerFamily, readonly string[]>> = {
  'single-decree': [],
  'multi-decree': ['slot-agreement', 'ballot-uniqueness'],
  leaders: [],
  'state-machine': ['log-consistency', 'exactly-once'],
  clients: ['linearizability', 'client-liveness'],
};

/** What is wrong with a list of families, or null. */
export function familiesProblem(families: readonly string[]): string | null {
  const unknown = families.find((family) => !(CHECKER_FAMILIES as readonly string[]).includes(family));
  if (unknown !== undefined) return `checkers must list checker families (${CHECKER_FAMILIES.join(', ')}); "${unknown}" is none of them`;
  // Both read `accept` and `learn`: with a slot, or without one.
  if (families.includes('single-decree') && families.includes('multi-decree')) return 'checkers: single-decree and multi-decree exclude each other (one decides a value, the other a log of them)';
  return null;
}

/** The checkers a list of families runs, by name, in verdict order (for `paxsim list`): family by family. */
export function familyCheckerNames(families: readonly CheckerFamily[]): string[] {
  return CHECKER_FAMILIES.filter((family) => families.includes(family)).flatMap(checkerNamesOfFamily);
}

function checkerNamesOfFamily(family: CheckerFamily): string[] {
  const own = family === 'single-decree' ? CHECKERS : family === 'multi-decree' ? SLOT_DISCIPLINE_CHECKERS : family === 'leaders' ? LEADER_CHECKERS : [];
  return [...MULTIPAXOS_SHARE[family], ...own.map((checker) => checker.name)];
}

/** The coverage situations (check/coverage.ts) each family's observations let `paxsim fuzz` see. */
const FAMILY_COVERAGE: Readonly<Record<CheckerFamily, CoverageShare>> = {
  'single-decree': SINGLE_DECREE_SHARE,
  'multi-decree': SLOTS_SHARE,
  leaders: LEADERS_SHARE,
  'state-machine': STATE_MACHINE_SHARE,
  clients: CLIENTS_SHARE,
};

/** A user protocol's coverage: the situations any protocol has, its families' (family by family), then its own. */
export function familyCoverage(protocol: string, families: readonly CheckerFamily[], own: readonly OwnSituation[]): CoverageCatalogue {
  const familyShares = CHECKER_FAMILIES.filter((family) => families.includes(family)).map((family) => FAMILY_COVERAGE[family]);
  return composedCoverage([GENERIC_SHARE, ...familyShares, ...(own.length === 0 ? [] : [ownShare(own.map((situation) => fencedSituation(protocol, situation)))])]);
}

/** A user's `observe` that throws is the protocol's bug, not paxsim's: one line naming the situation (exit 2). */
function fencedSituation(protocol: string, situation: OwnSituation): OwnSituation {
  return {
    key: situation.key,
    description: situation.description,
    observe: (event) => {
      try {
        return situation.observe(event) === true;
      } catch (error) {
        throw new ProtocolError(`protocol ${protocol}: coverage situation ${situation.key}: observe threw on a ${event.type} event: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}

function multiPaxosShare(families: readonly CheckerFamily[]): string[] {
  return families.flatMap((family) => MULTIPAXOS_SHARE[family]);
}

export interface FamilyCheckSetup {
  readonly checks: TraceChecks;
  observe(event: AnyTraceEvent): void;
  facts(): RunFactsSummary;
}

/**
 * One run's checks for a user protocol's families. `nodes` are the protocol's
 * nodes (replicas, acceptors, learners); `clients` paxsim's client nodes.
 */
export function familyChecks(protocol: string, families: readonly CheckerFamily[], scenario: Scenario, liveness: LivenessOptions | undefined): FamilyCheckSetup {
  const parts: TraceChecks[] = [];
  const suite = families.includes('single-decree') ? new CheckerSuite(checkContextFor(scenario), liveness) : null;
  if (suite !== null) parts.push(suite);
  const quorumSize = majorityOf(scenario.nodes.length);
  if (families.includes('multi-decree')) parts.push(new SlotDisciplineChecks(quorumSize));
  if (families.includes('leaders')) parts.push(new LeaderChecks());
  const share = multiPaxosShare(families);
  const clients = scenario.clients.map((client) => client.id);
  const log =
    share.length === 0
      ? null
      : new MultiPaxosChecks(
          // Without `accept {slot}` events nothing is known to be chosen: applied commands are compared across replicas only.
          { replicas: scenario.nodes, clients, quorumSize, appliedMustBeChosen: families.includes('multi-decree'), checkers: share },
          liveness,
        );
  if (log !== null) parts.push(log);
  const checks = new ShapeCheckedChecks(protocol, families, parts.length === 1 ? parts[0]! : new CombinedChecks(parts, familyCheckerNames(families)));
  const singleDecree = suite === null ? null : singleDecreeFacts(suite);
  return {
    checks,
    observe: singleDecree === null ? () => undefined : singleDecree.observe,
    facts: (): RunFactsSummary => {
      if (singleDecree !== null) return singleDecree.facts();
      if (log === null) return { chosen: null, learned: emptyDict(), summary: [], multipaxos: null };
      const summary = log.summary();
      return { chosen: null, learned: emptyDict(), summary: multiPaxosSummaryLines(scenario.nodes, summary), multipaxos: summary };
    },
  };
}

/** Several checkers' shares as one: each sees every event; their verdicts are listed in order. */
export class CombinedChecks implements TraceChecks {
  /** `order`: checker names in the order the verdict lists them. */
  constructor(
    private readonly parts: readonly TraceChecks[],
    private readonly order: readonly string[],
  ) {}

  observe(event: AnyTraceEvent, index: number): { derived: AnyTraceEvent | null; violations: readonly Violation[] } {
    let derived: AnyTraceEvent | null = null;
    const found: Violation[] = [];
    for (const part of this.parts) {
      const seen = part.observe(event, index);
      // Only the share that decides what is chosen derives events (single-decree or multi-decree, never both).
      derived ??= seen.derived;
      found.push(...seen.violations);
    }
    return { derived, violations: found };
  }

  finish(endMs: number, lastIndex: number): readonly Violation[] {
    return this.parts.flatMap((part) => part.finish(endMs, lastIndex));
  }

  judgeSoFar(lastT: number, lastIndex: number): readonly Violation[] {
    return this.parts.flatMap((part) => part.judgeSoFar?.(lastT, lastIndex) ?? []);
  }

  get violations(): readonly Violation[] {
    return this.parts.flatMap((part) => part.violations).sort((a, b) => a.event - b.event);
  }

  get hasSafetyViolation(): boolean {
    return this.parts.some((part) => part.hasSafetyViolation);
  }

  livenessInconclusive(endMs: number): boolean {
    return this.parts.some((part) => part.livenessInconclusive(endMs));
  }

  reports(): CheckerReport[] {
    const rank = (report: CheckerReport) => this.order.indexOf(report.name);
    return this.parts.flatMap((part) => part.reports()).sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * The families' checks, behind a check of each observation's shape: a user
 * protocol that reports `accept` without a slot, or a ballot that is not
 * `[round, node]`, gets one line naming the node, the event and the field
 * (exit 2), not a checker crash or a silent pass.
 */
class ShapeCheckedChecks implements TraceChecks {
  private readonly rules: ReadonlyMap<string, readonly FieldRule[]>;

  constructor(
    private readonly protocol: string,
    families: readonly CheckerFamily[],
    private readonly inner: TraceChecks,
  ) {
    this.rules = shapeRules(families);
  }

  observe(event: AnyTraceEvent, index: number): { derived: AnyTraceEvent | null; violations: readonly Violation[] } {
    const rules = this.rules.get(event.type);
    if (rules !== undefined) this.checkShape(event as unknown as Record<string, unknown>, rules);
    return this.inner.observe(event, index);
  }

  private checkShape(event: Record<string, unknown>, rules: readonly FieldRule[]): void {
    for (const rule of rules) {
      const problem = rule.problem(event[rule.field], event);
      if (problem === null) continue;
      throw new ProtocolError(`protocol ${this.protocol}: node ${String(event['node'])} observed ${String(event['type'])} with ${rule.field} ${problem} (checker family ${rule.family} reads ${FAMILY_VOCABULARY[rule.family]})`);
    }
  }

  finish(endMs: number, lastIndex: number): readonly Violation[] {
    return this.inner.finish(endMs, lastIndex);
  }

  judgeSoFar(lastT: number, lastIndex: number): readonly Violation[] {
    return this.inner.judgeSoFar?.(lastT, lastIndex) ?? [];
  }

  get violations(): readonly Violation[] {
    return this.inner.violations;
  }

  get hasSafetyViolation(): boolean {
    return this.inner.hasSafetyViolation;
  }

  livenessInconclusive(endMs: number): boolean {
    return this.inner.livenessInconclusive(endMs);
  }

  reports(): CheckerReport[] {
    return this.inner.reports();
  }
}

/** Each family's observations, as the shape errors quote them. */
const FAMILY_VOCABULARY: Readonly<Record<CheckerFamily, string>> = {
  'single-decree': 'propose {value, ballot}, adopt {ballot, value, from}, promise {ballot}, accept {ballot, value}, learn {value}',
  'multi-decree': 'propose {slot, command}, promise {ballot}, accept {slot, ballot, command}, learn {slot, command}',
  leaders: 'leader {ballot} or leader {term}',
  'state-machine': 'apply {slot, command, result}',
  clients: "invoke, complete and timeout from paxsim's client nodes",
};

interface FieldRule {
  readonly family: CheckerFamily;
  readonly field: string;
  /** Why the value does not fit, or null. */
  problem(value: unknown, event: Record<string, unknown>): string | null;
}

const slotRule = (family: CheckerFamily): FieldRule => ({
  family,
  field: 'slot',
  problem: (value) => (Number.isSafeInteger(value) && (value as number) >= 0 ? null : `${describe(value)}: must be a non-negative integer`),
});
const commandRule = (family: CheckerFamily): FieldRule => ({
  family,
  field: 'command',
  problem: (value) => (value === undefined ? 'missing: must be the command (any plain data; a client request is {client, requestId, op})' : null),
});
const ballotRule = (family: CheckerFamily, optional = false): FieldRule => ({
  family,
  field: 'ballot',
  problem: (value) => (optional && value === undefined) || isBallot(value) ? null : `${describe(value)}: must be a ballot [round, node] (a non-negative integer and a node id)`,
});
const leaderRule: FieldRule = {
  family: 'leaders',
  field: 'ballot',
  problem: (ballot, event) => {
    const term = event['term'];
    if ((ballot === undefined) === (term === undefined)) return `${describe(ballot)} and term ${describe(term)}: give exactly one of them`;
    if (term !== undefined) return Number.isSafeInteger(term) && (term as number) >= 0 ? null : `undefined and term ${describe(term)}: a term must be a non-negative integer`;
    return isBallot(ballot) ? null : `${describe(ballot)}: must be a ballot [round, node]`;
  },
};

const valueRule: FieldRule = {
  family: 'single-decree',
  field: 'value',
  problem: (value) => (typeof value === 'string' ? null : `${describe(value)}: must be a string (observe String(x) or JSON.stringify(x) for other values)`),
};

function shapeRules(families: readonly CheckerFamily[]): Map<string, FieldRule[]> {
  const rules = new Map<string, FieldRule[]>();
  const add = (type: string, ...more: FieldRule[]) => rules.set(type, [...(rules.get(type) ?? []), ...more]);
  if (families.includes('single-decree')) {
    add('propose', valueRule, ballotRule('single-decree'));
    add('adopt', ballotRule('single-decree'), valueRule);
    add('promise', ballotRule('single-decree'));
    add('accept', ballotRule('single-decree'), valueRule);
    add('learn', valueRule);
  }
  if (families.includes('multi-decree')) {
    add('propose', slotRule('multi-decree'), commandRule('multi-decree'), ballotRule('multi-decree', true));
    add('promise', ballotRule('multi-decree'));
    add('accept', slotRule('multi-decree'), ballotRule('multi-decree'), commandRule('multi-decree'));
    add('learn', slotRule('multi-decree'), commandRule('multi-decree'));
  }
  if (families.includes('leaders')) add('leader', leaderRule);
  if (families.includes('state-machine')) add('apply', slotRule('state-machine'), commandRule('state-machine'));
  return rules;
}

function isBallot(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && value[0] >= 0 && typeof value[1] === 'string';
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 40 ? `${json.slice(0, 40)}…` : json;
}
