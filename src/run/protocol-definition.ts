import type { z } from 'zod';
import type { TraceChecks } from '../check/checker.js';
import { InvariantChecks, NO_CHECKS, type Invariant } from '../check/invariants.js';
import type { LivenessOptions } from '../check/liveness.js';
import { CheckerSuite } from '../check/suite.js';
import type { Effects, NodeId, ProtocolFactory, ProtocolNode, StorageReader, Tagged } from '../protocols/effects.js';
import type { ProposeRequest } from '../protocols/paxos/messages.js';
import { PROPOSALS_SHAPE, type ScenarioShape } from '../scenario/protocol-shape.js';
import type { Roles, Scenario } from '../scenario/scenario.js';
import type { ScheduledRequest } from '../sim/simulation.js';
import { guardedFactory, NO_EXCEPTIONS } from './determinism-guard.js';
import { checkContextFor, requestsFor, singleDecreeFacts } from './paxos-driver.js';
import type { ProtocolDriver, RunFactsSummary } from './protocol.js';

/**
 * The public protocol API (README, "Write your own protocol"): a definition
 * names a protocol, what a scenario may configure for it, its bug flags, and
 * how to set up one run of it. paxsim's own protocols are definitions too,
 * registered by name (run/registry.ts); a user's is loaded from a module whose
 * default export is one.
 */

/** What every hook of a definition is told about the run it is part of. */
export interface ClusterContext<Config> {
  /** The validated scenario, as run (for a nemesis scenario: with this seed's faults written in). */
  readonly scenario: Scenario;
  /** The scenario's `config`, parsed by the definition's schema (undefined without one). */
  readonly config: Config;
  /** The bug flag this run swaps in, if any (one of the definition's `bugs`). */
  readonly bug: string | undefined;
  /** The liveness deadline the scenario asks for (expect.liveness), with when the last fault ends. */
  readonly liveness: LivenessOptions | undefined;
}

/** What a node factory is told: the cluster, and which node it builds. */
export interface NodeContext<Config> {
  readonly nodeId: NodeId;
  /** Every simulated node, sorted. */
  readonly nodes: readonly NodeId[];
  /** Who proposes, accepts and learns (every node, unless the scenario lists `roles`). */
  readonly roles: Roles;
  readonly config: Config;
  readonly bug: string | undefined;
}

/** A request a scenario's `proposals` entry makes by default: propose `value`, with an optional first round. */
export type ProposalRequest = ProposeRequest;

/**
 * Built-in checker families a protocol can ask for, by the observations it
 * emits. `single-decree`: agreement, validity, integrity, acceptor discipline,
 * ballot uniqueness, and liveness when the scenario asks for it; it reads
 * `propose {value, ballot}`, `adopt`, `promise {ballot}`, `accept {ballot,
 * value}` and `learn {value}` (ballots are `[round, node]`).
 */
export type CheckerFamily = 'single-decree';

/** The simple form: a node factory and a few hooks; paxsim builds the rest. */
export interface NodeProtocolSpec<Config, Message extends Tagged, StoredRecord, Observation extends Tagged, Request> {
  readonly name: string;
  readonly description?: string;
  /** Validates and parses the scenario's `config` key (errors name the file and path, exit 2). */
  readonly config?: z.ZodType<Config>;
  /** Known-broken variants by name, with a one-line description (`--bug NAME`, `paxsim list`). */
  readonly bugs?: Readonly<Record<string, string>>;
  /** A node, built from what its storage holds (empty on first boot; after a crash, what survived). */
  createNode(effects: Effects<Message, StoredRecord, Observation>, context: NodeContext<Config>): ProtocolNode<Message, Request>;
  /** A plain-data view of a node's durable state from its records alone (replay state tables). Default: the records by key. */
  durableView?(nodeId: NodeId, storage: StorageReader<StoredRecord>): unknown;
  /** The client requests of a run. Default: each scenario `proposals` entry as `{ value, round }` at its node and time. */
  requests?(cluster: ClusterContext<Config>): readonly ScheduledRequest<Request>[];
  /** Built-in checker families that apply (default: none). */
  readonly checkers?: readonly CheckerFamily[];
  /** The protocol's own invariants: run after every event like the built-in checkers. */
  readonly invariants?: readonly Invariant[];
}

/** The low-level form: everything one run needs, as the run layer takes it (paxsim's built-ins use it). */
export interface DriverProtocolSpec<Config> {
  readonly name: string;
  readonly description?: string;
  readonly config?: z.ZodType<Config>;
  readonly bugs?: Readonly<Record<string, string>>;
  /** Checker names to list in `paxsim list` (the driver builds them itself). */
  readonly checkerNames?: readonly string[];
  /** The scenario keys it reads beyond the common ones (clients, its timing block, …). Default: proposals and roles, timing in `config`. */
  readonly scenario?: ScenarioShape;
  setup(cluster: ClusterContext<Config>): ProtocolDriver;
}

const DEFINITION_BRAND = Symbol.for('paxsim.protocol-definition');

/** A protocol, ready to register or to export as a module's default. Build it with {@link defineProtocol}. */
export interface ProtocolDefinition<Config = unknown> {
  readonly [DEFINITION_BRAND]: true;
  readonly name: string;
  readonly description: string;
  readonly bugs: Readonly<Record<string, string>>;
  readonly config: z.ZodType<Config> | undefined;
  /** Names of the checkers that apply, for `paxsim list`. */
  readonly checkerNames: readonly string[];
  /** What it takes from a scenario file: the loader, serializer and nemesis ask this, never the protocol's name. */
  readonly scenarioShape: ScenarioShape;
  setup(cluster: ClusterContext<Config>): ProtocolDriver;
}

/** Any definition, whatever its config type (what the registry holds). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProtocolDefinition = ProtocolDefinition<any>;

export function defineProtocol<Config = undefined>(spec: DriverProtocolSpec<Config>): ProtocolDefinition<Config>;
export function defineProtocol<Config = undefined, Message extends Tagged = Tagged, StoredRecord = unknown, Observation extends Tagged = Tagged, Request = ProposalRequest>(
  spec: NodeProtocolSpec<Config, Message, StoredRecord, Observation, Request>,
): ProtocolDefinition<Config>;
export function defineProtocol<Config>(
  spec: DriverProtocolSpec<Config> | NodeProtocolSpec<Config, Tagged, unknown, Tagged, unknown>,
): ProtocolDefinition<Config> {
  const problem = specProblem(spec);
  // Thrown while the user's module loads: the loader reports it as one line naming the module.
  if (problem !== null) throw new TypeError(`defineProtocol: ${problem}`);
  const base = {
    [DEFINITION_BRAND]: true as const,
    name: spec.name,
    description: spec.description ?? '',
    bugs: spec.bugs ?? {},
    config: spec.config,
  };
  if ('setup' in spec) return Object.freeze({ ...base, checkerNames: spec.checkerNames ?? [], scenarioShape: spec.scenario ?? PROPOSALS_SHAPE, setup: spec.setup });
  return Object.freeze({
    ...base,
    scenarioShape: PROPOSALS_SHAPE,
    checkerNames: [...checkerNamesOf(spec.checkers ?? []), ...invariantsOf(spec).map((invariant) => invariant.name)],
    setup: (cluster: ClusterContext<Config>) => nodeProtocolDriver(spec, cluster),
  });
}

const CHECKER_FAMILIES: readonly string[] = ['single-decree'];

/** What is wrong with a definition written in plain JavaScript (TypeScript catches these at compile time), or null. */
function specProblem(spec: unknown): string | null {
  if (typeof spec !== 'object' || spec === null) return 'takes one object: { name, createNode, ... }';
  const fields = spec as Record<string, unknown>;
  if (typeof fields['name'] !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(fields['name'])) return 'name must be 1 to 64 letters, digits, _ . or -';
  if (typeof fields['setup'] !== 'function' && typeof fields['createNode'] !== 'function') return `protocol ${fields['name']}: createNode must be a function`;
  if (fields['description'] !== undefined && typeof fields['description'] !== 'string') return `protocol ${fields['name']}: description must be a string`;
  const bugs = fields['bugs'];
  if (bugs !== undefined && (typeof bugs !== 'object' || bugs === null || Object.values(bugs).some((text) => typeof text !== 'string'))) {
    return `protocol ${fields['name']}: bugs must map each bug name to a one-line description`;
  }
  const config = fields['config'] as { safeParse?: unknown } | undefined;
  if (config !== undefined && typeof config?.safeParse !== 'function') return `protocol ${fields['name']}: config must be a zod schema (use the z paxsim exports)`;
  const checkers = fields['checkers'];
  if (checkers !== undefined && (!Array.isArray(checkers) || checkers.some((family) => !CHECKER_FAMILIES.includes(family as string)))) {
    return `protocol ${fields['name']}: checkers must list checker families (${CHECKER_FAMILIES.join(', ')})`;
  }
  const shape = fields['scenario'] as Record<string, unknown> | undefined;
  if (shape !== undefined && (typeof shape !== 'object' || shape === null || typeof shape['clients'] !== 'boolean' || !['paxos', 'multipaxos', 'raft', undefined].includes(shape['timingBlock'] as string))) {
    return `protocol ${fields['name']}: scenario must be { clients: true or false, timingBlock?: "paxos", "multipaxos" or "raft" }`;
  }
  const invariants = fields['invariants'];
  if (invariants !== undefined && (!Array.isArray(invariants) || invariants.some((invariant) => typeof invariant?.name !== 'string' || typeof invariant?.monitor !== 'function'))) {
    return `protocol ${fields['name']}: invariants must be a list of { name, description, monitor } (defineInvariant)`;
  }
  return null;
}

/** Whether `value` was made by {@link defineProtocol} (of this or another copy of paxsim). */
export function isProtocolDefinition(value: unknown): value is AnyProtocolDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION_BRAND] === true;
}

const SINGLE_DECREE_CHECKERS = ['agreement', 'validity', 'integrity', 'acceptor-discipline', 'ballot-uniqueness', 'liveness'];

function checkerNamesOf(families: readonly CheckerFamily[]): string[] {
  return families.includes('single-decree') ? SINGLE_DECREE_CHECKERS : [];
}

/** A user protocol's invariants: `no-exceptions` (a handler that throws fails the run, see determinism-guard.ts), then its own. */
function invariantsOf(spec: { readonly invariants?: readonly Invariant[] }): readonly Invariant[] {
  return [NO_EXCEPTIONS, ...(spec.invariants ?? [])];
}

/** One run of a simple-form protocol: its nodes run guarded (no clocks, no global randomness), its checkers composed with its invariants. */
function nodeProtocolDriver<Config>(spec: NodeProtocolSpec<Config, Tagged, unknown, Tagged, unknown>, cluster: ClusterContext<Config>): ProtocolDriver {
  const { scenario, config, bug } = cluster;
  const suite = (spec.checkers ?? []).includes('single-decree') ? new CheckerSuite(checkContextFor(scenario), cluster.liveness) : null;
  const checks: TraceChecks = new InvariantChecks(suite ?? NO_CHECKS, invariantsOf(spec), { nodes: scenario.nodes });
  const facts = suite === null ? null : singleDecreeFacts(suite);
  const durableView = spec.durableView ?? recordsByKey;
  const factory: ProtocolFactory<Tagged, unknown, Tagged, unknown> = {
    name: spec.name,
    createNode: (effects) => spec.createNode(detachable(effects), { nodeId: effects.nodeId, nodes: scenario.nodes, roles: scenario.roles, config, bug }),
    durableView: (nodeId, storage) => durableView(nodeId, storage),
  };
  return {
    simNodes: scenario.nodes,
    alwaysConnected: [],
    factory: guardedFactory(factory),
    requests: spec.requests ? spec.requests(cluster) : requestsFor(scenario),
    checks,
    observe: facts === null ? () => undefined : facts.observe,
    facts: (): RunFactsSummary => facts?.facts() ?? { chosen: null, learned: {}, summary: [], multipaxos: null },
  };
}

/** The default durable view: every record by key, and every slot log is left to the protocol's own view. */
function recordsByKey(_nodeId: NodeId, storage: StorageReader<unknown>): unknown {
  return Object.fromEntries(storage.entries());
}

/**
 * The simulator's effects are methods of one object per incarnation (cheap for
 * the built-ins). User code may well write `const { send } = effects`: give it
 * a copy whose methods, and its storage's, are bound, so that works too.
 */
function detachable<E extends object>(effects: E): E {
  const copy = {};
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(effects))) {
    const value: unknown = descriptor.value;
    if (descriptor.get !== undefined) Object.defineProperty(copy, key, { get: descriptor.get.bind(effects), enumerable: true });
    else if (typeof value === 'function') Object.defineProperty(copy, key, { value: value.bind(effects), enumerable: true });
    else Object.defineProperty(copy, key, { value: key === 'storage' && typeof value === 'object' && value !== null ? detachable(value) : value, enumerable: true });
  }
  return copy as E;
}
