import { cheapPaxosDefinition, multiPaxosDefinition, paxosDefinition, raftDefinition } from './builtin-protocols.js';
import type { AnyProtocolDefinition } from './protocol-definition.js';
import { composedCoverage, GENERIC_SHARE, type CoverageCatalogue } from '../check/coverage.js';
import { assert } from '../util/assert.js';
import { provideScenarioShapes } from '../scenario/protocol-shape.js';
import { provideTraceFormats } from '../trace/trace-format.js';

/**
 * Protocols by name: what a scenario's `protocol:` names, `--bug` is checked
 * against and `paxsim list` shows. Adding a built-in protocol is one
 * definition module and one line here. A user's protocol joins at load time
 * (run/protocol-loader.ts), before any run, under its definition's name.
 */
const BUILT_IN_PROTOCOLS: readonly AnyProtocolDefinition[] = [
  paxosDefinition,
  multiPaxosDefinition,
  raftDefinition,
  cheapPaxosDefinition,
];

interface Registered {
  readonly definition: AnyProtocolDefinition;
  /** The module it was loaded from (absolute path), or null for a built-in. */
  readonly module: string | null;
}

const registry = new Map<string, Registered>(BUILT_IN_PROTOCOLS.map((definition) => [definition.name, { definition, module: null }]));

// The scenario layer (below this one) reads each protocol's scenario keys from its definition, through here.
provideScenarioShapes({
  shapeOf: (name) => registry.get(name)?.definition.scenarioShape,
  all: () => [...registry.values()].map(({ definition }) => ({ name: definition.name, shape: definition.scenarioShape })),
});
// Likewise the trace readers (below this layer) read each protocol's trace format from its definition.
provideTraceFormats({ formatOf: (name) => registry.get(name)?.definition.traceFormat });

/** Names of paxsim's own protocols. */
export function builtInProtocolNames(): string[] {
  return BUILT_IN_PROTOCOLS.map((definition) => definition.name);
}

/**
 * Adds a loaded protocol. Loading the same module again is a no-op; another
 * definition under a taken name is refused (the message says which).
 */
export function registerProtocol(definition: AnyProtocolDefinition, module: string): { ok: true } | { ok: false; error: string } {
  const existing = registry.get(definition.name);
  if (existing === undefined) {
    registry.set(definition.name, { definition, module });
    return { ok: true };
  }
  if (existing.definition === definition) return { ok: true };
  const where = existing.module === null ? 'a built-in protocol' : `the protocol loaded from ${existing.module}`;
  return { ok: false, error: `defines protocol "${definition.name}", a name already taken by ${where}; give it another name` };
}

/** Whether `name` is one of paxsim's own protocols (whose trace vocabulary the tools know), not a loaded one. */
export function isBuiltInProtocol(name: string): boolean {
  return BUILT_IN_PROTOCOLS.some((definition) => definition.name === name);
}

export function protocolNamed(name: string): AnyProtocolDefinition | undefined {
  return registry.get(name)?.definition;
}

/** Every registered protocol, built-ins first, then loaded ones in load order. */
export function registeredProtocols(): { definition: AnyProtocolDefinition; module: string | null }[] {
  return [...registry.values()];
}

const GENERIC_CATALOGUE = composedCoverage([GENERIC_SHARE]);

/** The coverage situations `paxsim fuzz` counts for a registered protocol (its definition's catalogue). */
export function coverageOf(protocol: string): CoverageCatalogue {
  const definition = registry.get(protocol)?.definition;
  assert(definition !== undefined, `coverage asked for protocol "${protocol}", which is not registered`);
  // A definition made by an older copy of paxsim has no catalogue: it gets the situations any protocol has.
  return definition.coverage ?? GENERIC_CATALOGUE;
}

/** A protocol's bug flags by name ({} for an unknown protocol). */
export function bugsOf(protocol: string): Readonly<Record<string, string>> {
  return registry.get(protocol)?.definition.bugs ?? {};
}

export function isBugOf(protocol: string, name: string): boolean {
  return Object.hasOwn(bugsOf(protocol), name);
}
