import { configurationAt, describeConfiguration, isQuorumOf, sameConfiguration, type Configuration, type ConfigurationEntry } from '../protocols/cheap-paxos/config.js';
import type { Command } from '../protocols/multipaxos/messages.js';
import type { AuxiliaryExpectation, NodeId } from '../scenario/scenario.js';
import type { AnyTraceEvent } from '../sim/events.js';
import { plural } from '../util/plural.js';
import { majorityOf, type CheckerKind, type CheckerReport, type TraceChecks, type Violation } from './checker.js';
import { MULTIPAXOS_CHECKERS, MultiPaxosChecks, multiPaxosSummaryLines, type ClientLivenessOptions, type MultiPaxosSummary, type SummaryLine } from './multipaxos-checks.js';

export interface CheapPaxosCheckContext {
  readonly mains: readonly NodeId[];
  readonly auxiliaries: readonly NodeId[];
  readonly clients: readonly NodeId[];
  readonly alpha: number;
  /** The scenario's `expect.auxiliaries`: without it, auxiliary traffic is measured but not judged. */
  readonly auxiliaryExpectation: AuxiliaryExpectation | undefined;
}

/** What a Cheap Paxos run established beyond Multi-Paxos's facts. */
export interface CheapPaxosSummary extends MultiPaxosSummary {
  /** Messages delivered to auxiliaries (0 when the trace has no network events). */
  readonly auxiliaryMessages: number;
  /** The longest an auxiliary held accepted state, in virtual ms, from its first accept to its discard (or the end). */
  readonly longestAuxiliaryStateMs: number;
  /** Reconfigurations chosen, in slot order. */
  readonly configurations: readonly ConfigurationEntry[];
}

export const CONFIGURATION_SAFETY = 'configuration-safety';
export const AUXILIARIES_IDLE = 'auxiliaries-idle';

export const CHEAP_PAXOS_CHECKERS: readonly { name: string; kind: CheckerKind; summary: string }[] = [
  ...MULTIPAXOS_CHECKERS.filter((checker) => checker.kind === 'safety'),
  {
    name: CONFIGURATION_SAFETY,
    kind: 'safety',
    summary:
      'every chosen slot was accepted by a quorum of the configuration in effect for it (chosen at least α slots before), replicas agree on configurations, and auxiliaries discard only chosen slots',
  },
  { name: AUXILIARIES_IDLE, kind: 'safety', summary: 'messages reaching auxiliaries stay within expect.auxiliaries (maxMessages, idleAfter)' },
  ...MULTIPAXOS_CHECKERS.filter((checker) => checker.kind === 'liveness'),
];

type Report = (checker: string, message: string) => void;

/**
 * The Cheap Paxos checkers: every Multi-Paxos checker, with "chosen" meaning
 * a quorum of the slot's configuration, plus configuration safety and
 * auxiliaries idle. The configuration history is rebuilt from chosen
 * reconfiguration commands, never from a node's own fields.
 */
export class CheapPaxosChecks implements TraceChecks {
  private readonly inner: MultiPaxosChecks;
  private readonly auxiliaries: ReadonlySet<NodeId>;
  private history: ConfigurationEntry[];
  /** Every slot below this is chosen; `chosenAbove` holds the chosen slots above it. */
  private chosenPrefix = 0;
  private readonly chosenAbove = new Set<number>();
  private readonly reconfigAt = new Map<number, Configuration>();
  /** auxiliary → slots it accepted that were not yet known chosen, and when it began holding state. */
  private readonly auxHeld = new Map<NodeId, { slots: Set<number>; sinceMs: number | null }>();
  private longestAuxiliaryStateMs = 0;
  private auxiliaryMessages = 0;
  private readonly firstViolation = new Map<string, Violation>();

  constructor(
    private readonly context: CheapPaxosCheckContext,
    liveness: ClientLivenessOptions | undefined,
  ) {
    this.auxiliaries = new Set(context.auxiliaries);
    this.history = [{ slot: -1, main: context.mains, auxiliary: context.auxiliaries }];
    const replicas = [...context.mains, ...context.auxiliaries].sort();
    this.inner = new MultiPaxosChecks(
      {
        replicas,
        clients: context.clients,
        quorumSize: majorityOf(replicas.length),
        isChosenBy: (slot, voters) => isQuorumOf(this.configurationAt(slot), voters),
      },
      liveness,
    );
  }

  observe(event: AnyTraceEvent, index: number): { derived: AnyTraceEvent | null; violations: readonly Violation[] } {
    const found: Violation[] = [];
    const report: Report = (checker, message) => {
      if (this.firstViolation.has(checker)) return;
      const violation = { checker, message, t: event.t, event: index };
      this.firstViolation.set(checker, violation);
      found.push(violation);
    };
    const record = event as unknown as Record<string, unknown> & { t: number; type: string };
    if (record.type === 'accept' && typeof record['slot'] === 'number') this.beforeAccept(record['node'] as NodeId, record['slot'], record.t, report);
    const inner = this.inner.observe(event, index);
    const derived = inner.derived as (AnyTraceEvent & { slot?: number; command?: Command }) | null;
    if (derived !== null && derived.type === 'chosen' && typeof derived.slot === 'number') this.onChosen(derived.slot, derived.command!);
    switch (record.type) {
      case 'learn':
        if (!this.isChosen(record['slot'] as number)) {
          const slot = record['slot'] as number;
          report(CONFIGURATION_SAFETY, `${String(record['node'])} learned slot ${slot}, which no quorum of its configuration (${describeConfiguration(this.configurationAt(slot))}) accepted`);
        }
        break;
      // A foreign trace's config and discard lines are not validated by the reader: malformed ones are skipped.
      case 'config':
        if (typeof record['slot'] === 'number' && isIdList(record['main']) && isIdList(record['auxiliary'])) {
          this.onConfig(String(record['node']), record['slot'], { main: record['main'], auxiliary: record['auxiliary'] }, report);
        }
        break;
      case 'discard':
        if (typeof record['uptoSlot'] === 'number') this.onDiscard(String(record['node']), record['uptoSlot'], record.t, report);
        break;
      case 'deliver':
        if (this.auxiliaries.has(record['to'] as NodeId)) this.onAuxiliaryMessage(record['to'] as NodeId, record.t, report);
        break;
      default:
        break;
    }
    return { derived: inner.derived, violations: [...inner.violations, ...found] };
  }

  finish(endMs: number, lastIndex: number): readonly Violation[] {
    for (const held of this.auxHeld.values()) {
      if (held.sinceMs !== null) this.longestAuxiliaryStateMs = Math.max(this.longestAuxiliaryStateMs, endMs - held.sinceMs);
    }
    return this.inner.finish(endMs, lastIndex);
  }

  judgeSoFar(lastT: number, lastIndex: number): readonly Violation[] {
    return this.inner.judgeSoFar(lastT, lastIndex);
  }

  get violations(): Violation[] {
    return [...this.inner.violations, ...this.firstViolation.values()].sort((a, b) => a.event - b.event);
  }

  get hasSafetyViolation(): boolean {
    return this.inner.hasSafetyViolation || this.firstViolation.size > 0;
  }

  livenessInconclusive(endMs: number): boolean {
    return this.inner.livenessInconclusive(endMs);
  }

  reports(): CheckerReport[] {
    const inner = this.inner.reports();
    const own: CheckerReport[] = [
      { name: CONFIGURATION_SAFETY, kind: 'safety', violation: this.firstViolation.get(CONFIGURATION_SAFETY) ?? null, detail: this.describeConfigurations() },
    ];
    if (this.context.auxiliaryExpectation !== undefined) {
      own.push({ name: AUXILIARIES_IDLE, kind: 'safety', violation: this.firstViolation.get(AUXILIARIES_IDLE) ?? null, detail: this.describeAuxiliaries() });
    }
    const safety = inner.filter((report) => report.kind === 'safety');
    const liveness = inner.filter((report) => report.kind === 'liveness');
    return [...safety, ...own, ...liveness];
  }

  summary(): CheapPaxosSummary {
    return {
      ...this.inner.summary(),
      auxiliaryMessages: this.auxiliaryMessages,
      longestAuxiliaryStateMs: this.longestAuxiliaryStateMs,
      configurations: this.history.slice(1),
    };
  }

  private configurationAt(slot: number): ConfigurationEntry {
    return configurationAt(this.history, slot, this.context.alpha);
  }

  private isChosen(slot: number): boolean {
    return slot < this.chosenPrefix || this.chosenAbove.has(slot);
  }

  /** A slot is proposed only once its configuration is fixed: every slot α or more before it chosen. */
  private beforeAccept(node: NodeId, slot: number, t: number, report: Report): void {
    if (slot - this.context.alpha >= this.chosenPrefix) {
      report(
        CONFIGURATION_SAFETY,
        `${node} accepted at slot ${slot} while slot ${this.chosenPrefix} was not chosen: the configuration for slot ${slot} (chosen at or before slot ${slot - this.context.alpha}, α=${this.context.alpha}) was not yet fixed`,
      );
    }
    if (!this.auxiliaries.has(node) || this.isChosen(slot)) return;
    let held = this.auxHeld.get(node);
    if (held === undefined) {
      held = { slots: new Set(), sinceMs: null };
      this.auxHeld.set(node, held);
    }
    held.slots.add(slot);
    held.sinceMs ??= t;
  }

  private onChosen(slot: number, command: Command): void {
    this.chosenAbove.add(slot);
    while (this.chosenAbove.delete(this.chosenPrefix)) this.chosenPrefix += 1;
    if (!('configuration' in command)) return;
    const configuration = command.configuration as Configuration;
    this.reconfigAt.set(slot, configuration);
    const entry = { slot, main: configuration.main, auxiliary: configuration.auxiliary };
    this.history = [...this.history, entry].sort((a, b) => a.slot - b.slot);
  }

  private onConfig(node: NodeId, slot: number, configuration: Configuration, report: Report): void {
    const chosen = this.reconfigAt.get(slot);
    if (chosen === undefined) {
      report(CONFIGURATION_SAFETY, `${node} took up ${describeConfiguration(configuration)} from slot ${slot}, where no reconfiguration was chosen`);
    } else if (!sameConfiguration(chosen, configuration)) {
      report(CONFIGURATION_SAFETY, `${node} took up ${describeConfiguration(configuration)} from slot ${slot}, but ${describeConfiguration(chosen)} was chosen there`);
    }
  }

  /** An auxiliary may drop only what is chosen (the mains hold it); otherwise a later leader's Phase 1 can miss it. */
  private onDiscard(node: NodeId, uptoSlot: number, t: number, report: Report): void {
    const held = this.auxHeld.get(node);
    if (held === undefined) return;
    for (const slot of [...held.slots].sort((a, b) => a - b)) {
      if (slot >= uptoSlot) continue;
      if (!this.isChosen(slot)) report(CONFIGURATION_SAFETY, `auxiliary ${node} discarded slot ${slot} (up to ${uptoSlot}) before it was chosen`);
      held.slots.delete(slot);
    }
    if (held.sinceMs !== null) this.longestAuxiliaryStateMs = Math.max(this.longestAuxiliaryStateMs, t - held.sinceMs);
    held.sinceMs = held.slots.size > 0 ? t : null;
  }

  private onAuxiliaryMessage(node: NodeId, t: number, report: Report): void {
    this.auxiliaryMessages += 1;
    const expected = this.context.auxiliaryExpectation;
    if (expected === undefined) return;
    if (expected.maxMessages !== undefined && this.auxiliaryMessages > expected.maxMessages) {
      report(AUXILIARIES_IDLE, `${plural(this.auxiliaryMessages, 'message')} reached auxiliaries (this one ${node} at t=${t}); expect.auxiliaries.maxMessages is ${expected.maxMessages}`);
    }
    if (expected.idleAfterMs !== undefined && t > expected.idleAfterMs) {
      report(AUXILIARIES_IDLE, `a message reached auxiliary ${node} at t=${t}, after expect.auxiliaries.idleAfter (${expected.idleAfterMs})`);
    }
  }

  private describeConfigurations(): string {
    const reconfigs = this.history.length - 1;
    if (reconfigs === 0) return `every slot used the initial configuration (${describeConfiguration(this.history[0]!)})`;
    return `${plural(reconfigs, 'reconfiguration')}, each in effect α=${this.context.alpha} slots later; every chosen slot had a quorum of its configuration`;
  }

  private describeAuxiliaries(): string {
    return `${plural(this.auxiliaryMessages, 'message')} reached auxiliaries; longest state held ${this.longestAuxiliaryStateMs} ms`;
  }
}

function isIdList(value: unknown): value is NodeId[] {
  return Array.isArray(value) && value.every((id) => typeof id === 'string');
}

/** Multi-Paxos's verdict lines (over the mains) and one for the auxiliaries and configurations. */
export function cheapPaxosSummaryLines(mains: readonly NodeId[], summary: CheapPaxosSummary): SummaryLine[] {
  const configurations = summary.configurations.map((entry) => `slot ${entry.slot}: ${describeConfiguration(entry)}`).join(' · ');
  return [
    ...multiPaxosSummaryLines(mains, summary),
    {
      label: 'auxiliary',
      text: `${plural(summary.auxiliaryMessages, 'message')} to auxiliaries; longest state held ${summary.longestAuxiliaryStateMs} ms; ${configurations === '' ? 'no reconfiguration' : configurations}`,
    },
  ];
}
