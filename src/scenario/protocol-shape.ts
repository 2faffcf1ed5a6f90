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
  /** Its timing block: a top-level key of the same name holding its timers (a user protocol's own timers go in its `config`; `multipaxos:` times paxsim's clients). */
  readonly timingBlock?: TimingBlock | undefined;
  /** `roles.main` and `roles.auxiliary` (f+1 main, f auxiliary nodes), a `cheapPaxos` block and `expect.auxiliaries`. */
  readonly mainAndAuxiliaryRoles?: boolean | undefined;
  /**
   * A user protocol's: `proposals`, or paxsim's client nodes when the scenario
   * declares `clients` (allowed once the module is loaded only if its
   * definition has a `clients` hook); client timing from `multipaxos:`.
   */
  readonly userProtocol?: boolean | undefined;
}

/** The top-level timing blocks a scenario file may hold. */
export type TimingBlock = 'paxos' | 'multipaxos' | 'raft';

/** A protocol that declares nothing: proposals and the single-decree roles. */
export const PROPOSALS_SHAPE: ScenarioShape = Object.freeze({ clients: false });

/** A user protocol's shape, and that of a name not registered yet (a module the loader has not loaded). */
export const USER_PROTOCOL_SHAPE: ScenarioShape = Object.freeze({ clients: false, timingBlock: 'multipaxos', userProtocol: true });

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

/** What `protocol` takes from a scenario file; a name not registered is a user module not yet loaded. */
export function scenarioShapeOf(protocol: ProtocolName): ScenarioShape {
  return registered().shapeOf(protocol) ?? USER_PROTOCOL_SHAPE;
}

/** Names of the registered protocols whose shape has `trait`, for messages (`needs protocol: multipaxos, …`). */
export function protocolsWhere(trait: (shape: ScenarioShape) => boolean): ProtocolName[] {
  return registered()
    .all()
    .filter((entry) => trait(entry.shape))
    .map((entry) => entry.name);
}
