import type { ProtocolName } from './scenario.js';

/**
 * What a protocol takes from a scenario file beyond the keys every scenario
 * has. Each protocol definition declares its own (run/protocol-definition.ts);
 * the scenario layer sits below the run layer, so the registry provides them
 * here by name ({@link provideScenarioShapes}) and the loader, serializer and
 * nemesis ask {@link scenarioShapeOf} instead of naming protocols.
 */
export interface ScenarioShape {
  /**
   * Closed-loop key-value `clients` instead of `proposals` (and no `roles`:
   * every node is a replica); its checkers judge client histories.
   */
  readonly clients: boolean;
  /** Its timing block: a top-level key of the same name holding its timers (none: a user protocol's `config`). */
  readonly timingBlock?: TimingBlock | undefined;
  /** `roles.main` and `roles.auxiliary` (f+1 main, f auxiliary nodes), a `cheapPaxos` block and `expect.auxiliaries`. */
  readonly mainAndAuxiliaryRoles?: boolean | undefined;
}

/** The top-level timing blocks a scenario file may hold. */
export type TimingBlock = 'paxos' | 'multipaxos' | 'raft';

/** A protocol that declares nothing (a user protocol, or a name not registered yet): proposals and the single-decree roles. */
export const PROPOSALS_SHAPE: ScenarioShape = Object.freeze({ clients: false });

export interface ScenarioShapes {
  /** A registered protocol's shape, or undefined for a name not registered. */
  shapeOf(protocol: ProtocolName): ScenarioShape | undefined;
  /** Every registered protocol's name and shape, in registration order (for messages listing them). */
  all(): readonly { readonly name: ProtocolName; readonly shape: ScenarioShape }[];
}

let shapes: ScenarioShapes | null = null;

/** Called once by the protocol registry as it is loaded: where shapes come from. */
export function provideScenarioShapes(provider: ScenarioShapes): void {
  shapes = provider;
}

function registered(): ScenarioShapes {
  // An internal invariant: every entry point (CLI, library index, workers) loads the registry before a scenario.
  if (shapes === null) throw new Error('paxsim: scenario shapes asked for before the protocol registry was loaded (import run/registry.js first)');
  return shapes;
}

/** What `protocol` takes from a scenario file; a name not registered (a user module not yet loaded) takes proposals. */
export function scenarioShapeOf(protocol: ProtocolName): ScenarioShape {
  return registered().shapeOf(protocol) ?? PROPOSALS_SHAPE;
}

/** Names of the registered protocols whose shape has `trait`, for messages (`needs protocol: multipaxos, …`). */
export function protocolsWhere(trait: (shape: ScenarioShape) => boolean): ProtocolName[] {
  return registered()
    .all()
    .filter((entry) => trait(entry.shape))
    .map((entry) => entry.name);
}
