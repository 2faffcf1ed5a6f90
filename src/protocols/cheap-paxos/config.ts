import type { NodeId } from '../effects.js';
import type { MultiPaxosConfig } from '../multipaxos/config.js';
import type { Slot } from '../multipaxos/messages.js';

/**
 * Known-broken Cheap Paxos variants, each a mistake the configuration
 * checkers must catch.
 */
export const CHEAP_PAXOS_BUGS = {
  'no-alpha':
    'a configuration takes effect at once (α = 0 in the protocol, while the checker expects the scenario\'s α): slots in flight are counted with the new quorum, and slots are proposed before their configuration is fixed',
  'aux-forgets-early': 'an auxiliary discards what it accepted right after accepting it, before the slot (and the reconfiguration that needed it) is chosen',
  'aux-no-phase1':
    'when a main fails, the leader sends Phase 2 to the auxiliaries without first running Phase 1 with them for its ballot (it counts them as promised with nothing accepted), so it never learns what an auxiliary accepted under an earlier leader',
} as const;

export type CheapPaxosBug = keyof typeof CHEAP_PAXOS_BUGS;

/** A set of acceptors: main processors (which also run the state machine) and auxiliaries (acceptors only, idle in the common case). */
export interface Configuration {
  /** Sorted. */
  readonly main: readonly NodeId[];
  /** Sorted. */
  readonly auxiliary: readonly NodeId[];
}

/** A configuration and the slot whose chosen command set it (-1: the initial one). */
export interface ConfigurationEntry extends Configuration {
  readonly slot: Slot;
}

export interface CheapPaxosConfig extends MultiPaxosConfig {
  /** The initial configuration: the scenario's `roles`. */
  readonly initial: Configuration;
  /** A configuration chosen at slot i governs slots from i + alpha on. */
  readonly alpha: number;
  readonly cheapBugs: ReadonlySet<CheapPaxosBug>;
}

/** A strict majority (the protocol layer's own: it may not import from check/). */
export function majorityOf(count: number): number {
  return Math.floor(count / 2) + 1;
}

/**
 * The quorums of a configuration: all its mains, or any majority of its
 * mains and auxiliaries together. They intersect pairwise as long as the
 * auxiliaries alone are no majority (`isValidConfiguration`).
 */
export function isQuorumOf(configuration: Configuration, nodes: readonly NodeId[] | ReadonlySet<NodeId>): boolean {
  const has = Array.isArray(nodes) ? (id: NodeId) => (nodes as readonly NodeId[]).includes(id) : (id: NodeId) => (nodes as ReadonlySet<NodeId>).has(id);
  let mains = 0;
  for (const id of configuration.main) if (has(id)) mains += 1;
  if (mains === configuration.main.length) return true;
  let auxiliaries = 0;
  for (const id of configuration.auxiliary) if (has(id)) auxiliaries += 1;
  return mains + auxiliaries >= majorityOf(configuration.main.length + configuration.auxiliary.length);
}

/** At least one main, and the auxiliaries alone are no majority (so every quorum holds a main and all mains meet every majority). */
export function isValidConfiguration(configuration: Configuration): boolean {
  const size = configuration.main.length + configuration.auxiliary.length;
  return configuration.main.length > 0 && configuration.auxiliary.length < majorityOf(size);
}

/**
 * The configuration in effect at `slot`: the last one chosen at or before
 * `slot - alpha` (the history is in slot order and starts with the initial
 * configuration). With `alpha` null (the `no-alpha` bug) the newest is used.
 */
export function configurationAt(history: readonly ConfigurationEntry[], slot: Slot, alpha: number | null): ConfigurationEntry {
  for (let index = history.length - 1; index > 0; index--) {
    const entry = history[index]!;
    if (alpha === null || entry.slot + alpha <= slot) return entry;
  }
  return history[0]!;
}

export function sameConfiguration(a: Configuration, b: Configuration): boolean {
  return a.main.join('\u0000') === b.main.join('\u0000') && a.auxiliary.join('\u0000') === b.auxiliary.join('\u0000');
}

export function describeConfiguration(configuration: Configuration): string {
  return `main ${configuration.main.join(',') || '-'} aux ${configuration.auxiliary.join(',') || '-'}`;
}
