import type { CheckerReport, TraceChecks } from '../check/checker.js';
import type { ProtocolTraceCheck, ProtocolVerdict } from '../check/check-trace.js';
import type { LivenessOptions } from '../check/liveness.js';
import type { Scenario } from '../scenario/scenario.js';
import type { AnyTraceEvent, TraceMeta } from '../sim/events.js';
import type { AnyProtocolDefinition } from './protocol-definition.js';
import type { ProtocolDriver } from './protocol.js';
import { scenarioWithProtocol } from './protocol-loader.js';

/**
 * `paxsim check` on a user protocol's trace: the trace is judged by exactly
 * the checks a run of the protocol uses, built by its definition's `setup`
 * from a scenario reconstructed from the meta line, so whatever checker
 * families and invariants the definition has apply, as in the run.
 */

/** An event the protocol's checks could not read (a trace edited by hand, or from elsewhere): bad input, one line. */
export class TraceEventUnreadable extends Error {
  override name = 'TraceEventUnreadable';
}

/**
 * The scenario a run of this trace had, as far as its meta line tells:
 * nodes, roles, clients, config, bug, seed and end. Proposals and faults are
 * left empty: the checks read them from the trace's events, never from the
 * scenario (a run's checks see the same events).
 */
export function scenarioOfTrace(meta: TraceMeta, livenessWithinMs: number | undefined): Scenario {
  return {
    name: meta.scenario,
    description: '',
    protocol: meta.protocol,
    nodes: [...meta.nodes],
    roles: { proposers: [...meta.proposers], acceptors: [...meta.acceptors], learners: [...meta.learners] },
    seed: meta.seed,
    network: { delay: { distribution: 'uniform', min: 1, max: 10 }, drop: 0, duplicate: 0 },
    proposals: [],
    faults: [],
    untilMs: meta.untilMs ?? 0,
    maxEvents: 1_000_000,
    paxos: {},
    clients: (meta.clients ?? []).map((id) => ({ id })),
    multipaxos: {},
    raft: {},
    bug: meta.bug,
    expect: { safety: 'hold', liveness: livenessWithinMs === undefined ? undefined : { withinMs: livenessWithinMs } },
    ...(meta.config === undefined ? {} : { config: meta.config }),
  };
}

/**
 * The checks of `definition` for the trace `file` with this meta line, or the
 * problems (a config its schema refuses, a bug it does not have), each one line.
 */
export function definitionTraceCheck(
  definition: AnyProtocolDefinition,
  file: string,
  meta: TraceMeta,
  liveness: LivenessOptions | undefined,
): { ok: true; check: ProtocolTraceCheck } | { ok: false; errors: string[] } {
  const where = `${file}:1`;
  if (meta.bug !== undefined && !Object.hasOwn(definition.bugs, meta.bug)) {
    return { ok: false, errors: [`${where}: bug: protocol ${definition.name} has no bug "${meta.bug}"`] };
  }
  const resolved = scenarioWithProtocol(scenarioOfTrace(meta, liveness?.withinMs), definition, null, where);
  if (!resolved.ok) return { ok: false, errors: [...resolved.errors] };
  const scenario = resolved.scenario;
  const setup = (livenessOptions: LivenessOptions | undefined): ProtocolDriver =>
    definition.setup({ scenario, config: scenario.config, bug: meta.bug, liveness: livenessOptions });
  // Which liveness checkers `--liveness-within` would add: a setup with a deadline lists them.
  const livenessCheckers =
    liveness === undefined ? setup({ withinMs: 0, quietFromMs: 0 }).checks.reports().filter((report) => report.kind === 'liveness').map((report) => report.name) : [];
  const driver = setup(liveness);
  // A deadline no checker judges would read as liveness checked and held.
  if (liveness !== undefined && !driver.checks.reports().some((report) => report.kind === 'liveness')) {
    return { ok: false, errors: [`--liveness-within: protocol ${definition.name} has no liveness checker (the checker families single-decree and clients have one)`] };
  }
  return { ok: true, check: new DriverTraceCheck(definition.name, file, driver, livenessCheckers) };
}

/** A run's driver fed a recorded trace: its checks see what the runner gave them, its facts every line. */
class DriverTraceCheck implements ProtocolTraceCheck {
  private readonly checks: TraceChecks;
  /** In the run of `violation` lines that ends the trace so far: each checker's first line there (see {@link finishIndex}). */
  private trailing = new Map<string, number>();

  constructor(
    private readonly protocol: string,
    private readonly file: string,
    private readonly driver: ProtocolDriver,
    private readonly livenessCheckers: readonly string[],
  ) {
    this.checks = driver.checks;
  }

  observe(event: AnyTraceEvent, index: number): void {
    this.readable(index, () => this.checks.observe(event, index));
  }

  /** The runner shows its driver every event it appends: observations, derived `chosen` lines and `violation` lines. */
  follow(event: AnyTraceEvent, index: number): void {
    this.readable(index, () => this.driver.observe(event));
    if (event.type !== 'violation') {
      if (this.trailing.size > 0) this.trailing = new Map();
      return;
    }
    const checker: unknown = event.checker;
    if (typeof checker === 'string' && !this.trailing.has(checker)) this.trailing.set(checker, index);
  }

  finish(endMs: number, eventCount: number): ProtocolVerdict {
    const checks = this.checks;
    this.readable(Math.max(0, eventCount - 1), () => checks.finish(endMs, this.finishIndex(eventCount, checks.reports())));
    const reports = checks.reports();
    const facts = this.driver.facts();
    return {
      protocol: this.protocol,
      violations: [...checks.violations],
      reports,
      chosen: facts.chosen,
      learned: { ...facts.learned },
      multipaxos: facts.multipaxos,
      user: {
        singleDecree: facts.multipaxos === null && reports.some((report) => report.name === 'agreement'),
        summary: facts.summary,
        livenessCheckers: this.livenessCheckers,
      },
      livenessInconclusive: checks.livenessInconclusive(endMs),
    };
  }

  /**
   * Where a violation found at the end is charged. The runner charges it to
   * the index of the first `violation` line it appends after the last event;
   * a trace it wrote ends with those lines, so that is the first trailing line
   * of a checker these checks have that had not reported before. Otherwise
   * (a trace cut short), the last line.
   */
  private finishIndex(eventCount: number, reports: readonly CheckerReport[]): number {
    const pending = new Set(reports.filter((report) => report.violation === null).map((report) => report.name));
    let index = Math.max(0, eventCount - 1);
    for (const [checker, position] of this.trailing) if (pending.has(checker)) index = Math.min(index, position);
    return index;
  }

  /** Runs the protocol's code on one trace line; what it throws is that line's problem. */
  private readable<T>(index: number, read: () => T): T {
    try {
      return read();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new TraceEventUnreadable(`${this.file}:${index + 2}: protocol ${this.protocol}'s checks cannot read this event: ${message.split('\n')[0]}`);
    }
  }
}
