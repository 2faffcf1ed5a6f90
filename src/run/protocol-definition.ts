import type { z } from 'zod';
import type { TraceChecks } from '../check/checker.js';
import { composedCoverage, GENERIC_SHARE, MAX_COVERAGE_SITUATIONS, type CoverageCatalogue, type OwnSituation } from '../check/coverage.js';
import { InvariantChecks, NO_CHECKS, type Invariant } from '../check/invariants.js';
import type { LivenessOptions } from '../check/liveness.js';
import type { CheckerDescription } from '../check/suite.js';
import type { SymmetryClasses } from '../explore/symmetry.js';
import type { Effects, NodeId, ProtocolFactory, ProtocolNode, StorageReader, Tagged } from '../protocols/effects.js';
import type { ProposeRequest } from '../protocols/paxos/messages.js';
import { PROPOSALS_SHAPE, USER_PROTOCOL_SHAPE, type ScenarioShape } from '../scenario/protocol-shape.js';
import type { Roles, Scenario } from '../scenario/scenario.js';
import type { ScheduledRequest } from '../sim/simulation.js';
import { ContractBreach } from './contract-breach.js';
import { guardedFactory, NO_EXCEPTIONS } from './determinism-guard.js';
import { requestsFor } from './paxos-driver.js';
import { CHECKER_FAMILIES, familiesProblem, familyCheckerNames, familyChecks, familyCoverage, type CheckerFamily } from './checker-families.js';
import { multiPaxosRequests, scenarioMultiPaxosConfig } from './multipaxos-driver.js';
import { Client, PAXSIM_CLIENT_MESSAGES, type ClientAnswer, type ClientCodec } from '../protocols/multipaxos/client.js';
import type { MultiPaxosMessage } from '../protocols/multipaxos/messages.js';
import type { MultiPaxosEffects } from '../protocols/multipaxos/replica.js';
import { storedNextRequestId } from '../protocols/multipaxos/state.js';
import type { ProtocolDriver, RunFactsSummary } from './protocol.js';
import type { BuiltInTraceFormat } from '../trace/trace-format.js';

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

export type { CheckerFamily };

/**
 * A protocol that serves paxsim's client nodes (scenario `clients:`): how a
 * client's request travels as one of its messages, and how a client knows an
 * answer. Both default to paxsim's own client messages, which its Multi-Paxos
 * and Raft replicas speak: `{type: 'request', command}` to a replica, and
 * `{type: 'reply', requestId, result}` or `{type: 'redirect', requestId,
 * leaderHint}` back. `clients: {}` opts in with those.
 */
export type ClientsHook<Message> = Partial<ClientCodec<Message>>;

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
  /** Built-in checker families that apply (default: none): single-decree, multi-decree, leaders, state-machine, clients. */
  readonly checkers?: readonly CheckerFamily[];
  /** Serve paxsim's client nodes (scenario `clients:`); without it a scenario's `clients` is refused. */
  readonly clients?: ClientsHook<Message>;
  /** The protocol's own invariants: run after every event like the built-in checkers. */
  readonly invariants?: readonly Invariant[];
  /** Situations `paxsim fuzz` counts besides the generic ones and its checker families' (README, "Coverage"). */
  readonly coverage?: readonly OwnSituation[];
}

/** The low-level form: everything one run needs, as the run layer takes it (paxsim's built-ins use it). */
export interface DriverProtocolSpec<Config> {
  readonly name: string;
  readonly description?: string;
  readonly config?: z.ZodType<Config>;
  readonly bugs?: Readonly<Record<string, string>>;
  /** Checker names to list in `paxsim list` (the driver builds them itself). */
  readonly checkerNames?: readonly string[];
  /** Or each checker with its kind and a one-line summary (paxsim's own protocols): `paxsim list` shows the summaries. */
  readonly checkerDescriptions?: readonly CheckerDescription[];
  /** Which nodes `paxsim explore --symmetry` may permute (explore/symmetry.ts). Default: none. */
  readonly symmetry?: SymmetryClasses;
  /** The scenario keys it reads beyond the common ones (clients, its timing block, …). Default: proposals and roles, timing in `config`. */
  readonly scenario?: ScenarioShape;
  /** The situations `paxsim fuzz` counts. Default: the generic ones (faults, lost requests, duplicate deliveries). */
  readonly coverage?: CoverageCatalogue;
  /** paxsim's own protocols: the trace format its traces follow, which `paxsim check`, `--type` and the readers know (trace/trace-format.ts). */
  readonly traceFormat?: BuiltInTraceFormat;
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
  /** The same checkers with their kinds and summaries, when the definition gives them (paxsim's own); else empty or absent. */
  readonly checkerDescriptions?: readonly CheckerDescription[] | undefined;
  /** Which nodes `paxsim explore --symmetry` may permute; absent: none. */
  readonly symmetry?: SymmetryClasses | undefined;
  /**
   * The shape of a violation of one of its own checkers (its invariants'
   * `violationShape`), which the shrinker keeps (check/violation-kind.ts);
   * undefined for another checker's.
   */
  readonly violationShape?: ((violation: { readonly checker: string; readonly message: string }) => string | undefined) | undefined;
  /** What it takes from a scenario file: the loader, serializer and nemesis ask this, never the protocol's name. */
  readonly scenarioShape: ScenarioShape;
  /** Whether a scenario may declare paxsim's client nodes (`clients:`) for it. */
  readonly takesClients: boolean;
  /** The situations `paxsim fuzz` reports how often it reached. */
  readonly coverage: CoverageCatalogue;
  /** A built-in trace format (paxsim's own protocols); undefined: the protocol's own vocabulary. */
  readonly traceFormat?: BuiltInTraceFormat | undefined;
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
  if ('setup' in spec) {
    const scenarioShape = spec.scenario ?? PROPOSALS_SHAPE;
    const coverage = spec.coverage ?? composedCoverage([GENERIC_SHARE]);
    const checkerDescriptions = spec.checkerDescriptions ?? [];
    const checkerNames = spec.checkerNames ?? checkerDescriptions.map((checker) => checker.name);
    return Object.freeze({ ...base, checkerNames, checkerDescriptions, symmetry: spec.symmetry, scenarioShape, takesClients: scenarioShape.clients, coverage, traceFormat: spec.traceFormat, setup: spec.setup });
  }
  return Object.freeze({
    ...base,
    scenarioShape: USER_PROTOCOL_SHAPE,
    checkerNames: [...familyCheckerNames(spec.checkers ?? []), ...invariantsOf(spec).map((invariant) => invariant.name)],
    checkerDescriptions: [],
    violationShape: invariantShapes(invariantsOf(spec)),
    takesClients: spec.clients !== undefined,
    coverage: familyCoverage(spec.name, spec.checkers ?? [], spec.coverage ?? []),
    setup: (cluster: ClusterContext<Config>) => nodeProtocolDriver(spec, cluster),
  });
}

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
  if (checkers !== undefined) {
    const problem = Array.isArray(checkers) ? familiesProblem(checkers.map(String)) : `checkers must list checker families (${CHECKER_FAMILIES.join(', ')})`;
    if (problem !== null) return `protocol ${fields['name']}: ${problem}`;
  }
  const clients = fields['clients'] as Record<string, unknown> | undefined;
  if (clients !== undefined && (typeof clients !== 'object' || clients === null || Array.isArray(clients))) return `protocol ${fields['name']}: clients must be an object { request?, answer? } ({} for paxsim's client messages)`;
  for (const hook of ['request', 'answer']) {
    if (clients?.[hook] !== undefined && typeof clients[hook] !== 'function') return `protocol ${fields['name']}: clients.${hook} must be a function`;
  }
  const shape = fields['scenario'] as Record<string, unknown> | undefined;
  if (shape !== undefined && (typeof shape !== 'object' || shape === null || typeof shape['clients'] !== 'boolean' || !['paxos', 'multipaxos', 'raft', undefined].includes(shape['timingBlock'] as string))) {
    return `protocol ${fields['name']}: scenario must be { clients: true or false, timingBlock?: "paxos", "multipaxos" or "raft" }`;
  }
  const invariants = fields['invariants'];
  if (invariants !== undefined && (!Array.isArray(invariants) || invariants.some((invariant) => typeof invariant?.name !== 'string' || typeof invariant?.monitor !== 'function'))) {
    return `protocol ${fields['name']}: invariants must be a list of { name, description, monitor } (defineInvariant)`;
  }
  const families = (checkers ?? []) as CheckerFamily[];
  // The low-level form takes a whole catalogue; the simple form a list of its own situations.
  const catalogue = fields['coverage'] as Partial<CoverageCatalogue> | undefined;
  if (typeof fields['setup'] === 'function') {
    return catalogue === undefined || (Array.isArray(catalogue.keys) && typeof catalogue.tracker === 'function') ? null : `protocol ${fields['name']}: coverage must be a coverage catalogue { keys, descriptions, tracker() }`;
  }
  const problem = coverageProblem(fields['coverage'], familyCoverage(String(fields['name']), families, []).keys);
  return problem === null ? null : `protocol ${fields['name']}: ${problem}`;
}

/** What is wrong with a definition's own coverage situations, or null. */
function coverageProblem(coverage: unknown, taken: readonly string[]): string | null {
  if (coverage === undefined) return null;
  const shape = 'coverage must be a list of { key, description, observe(event) } (observe returns true when the event shows the situation)';
  if (!Array.isArray(coverage)) return shape;
  const keys = new Set<string>();
  for (const [index, situation] of coverage.entries()) {
    const fields = (typeof situation === 'object' && situation !== null ? situation : {}) as Record<string, unknown>;
    if (typeof fields['key'] !== 'string' || typeof fields['description'] !== 'string' || typeof fields['observe'] !== 'function') return `coverage[${index}]: ${shape}`;
    const key = fields['key'];
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(key)) return `coverage[${index}].key: must be a letter then up to 63 letters, digits, _ or -`;
    if (keys.has(key) || taken.includes(key)) return `coverage[${index}].key: "${key}" is taken (keys must differ from each other and from paxsim's: ${taken.join(', ')})`;
    keys.add(key);
  }
  const room = MAX_COVERAGE_SITUATIONS - taken.length;
  return coverage.length > room ? `coverage: at most ${room} situations of its own` : null;
}

/** Whether `value` was made by {@link defineProtocol} (of this or another copy of paxsim). */
export function isProtocolDefinition(value: unknown): value is AnyProtocolDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION_BRAND] === true;
}

/** The shape of a violation of one of `invariants` that reads its own (see {@link Invariant.violationShape}). */
function invariantShapes(invariants: readonly Invariant[]): (violation: { readonly checker: string; readonly message: string }) => string | undefined {
  return (violation) => invariants.find((invariant) => invariant.name === violation.checker)?.violationShape?.(violation.message);
}

/** A user protocol's invariants: `no-exceptions` (a handler that throws fails the run, see determinism-guard.ts), then its own. */
function invariantsOf(spec: { readonly invariants?: readonly Invariant[] }): readonly Invariant[] {
  return [NO_EXCEPTIONS, ...(spec.invariants ?? [])];
}

/** One run of a simple-form protocol: its nodes run guarded (no clocks, no global randomness), its checkers composed with its invariants. */
function nodeProtocolDriver<Config>(spec: NodeProtocolSpec<Config, Tagged, unknown, Tagged, unknown>, cluster: ClusterContext<Config>): ProtocolDriver {
  const { scenario, config, bug } = cluster;
  const families = spec.checkers ?? [];
  const judged = families.length === 0 ? null : familyChecks(spec.name, families, scenario, cluster.liveness);
  const checks: TraceChecks = new InvariantChecks(judged?.checks ?? NO_CHECKS, invariantsOf(spec), { nodes: scenario.nodes });
  const durableView = spec.durableView ?? recordsByKey;
  const clients = spec.clients === undefined ? null : paxsimClients(spec.clients, scenario);
  const factory: ProtocolFactory<Tagged, unknown, Tagged, unknown> = {
    name: spec.name,
    createNode: (effects) =>
      clients?.isClient(effects.nodeId) === true
        ? clients.createNode(effects)
        : spec.createNode(detachable(effects), { nodeId: effects.nodeId, nodes: scenario.nodes, roles: scenario.roles, config, bug }),
    durableView: (nodeId, storage) => (clients?.isClient(nodeId) === true ? clients.durableView(storage) : durableView(nodeId, storage)),
  };
  const clientNodes = clients?.nodes ?? [];
  return {
    simNodes: [...scenario.nodes, ...clientNodes],
    alwaysConnected: clientNodes,
    factory: guardedFactory(factory),
    requests: [...(spec.requests ? spec.requests(cluster) : requestsFor(scenario)), ...(clients === null ? [] : multiPaxosRequests(scenario))],
    checks,
    // The checker families judge sets of facts; the protocol's own invariants may judge their order.
    checksEventOrder: (spec.invariants ?? []).length > 0,
    observe: judged?.observe ?? (() => undefined),
    facts: (): RunFactsSummary => judged?.facts() ?? { chosen: null, learned: {}, summary: [], multipaxos: null },
  };
}

/**
 * paxsim's client nodes (Multi-Paxos's and Raft's) serving a user protocol:
 * the scenario's `clients`, sending to every protocol node in turn, their
 * timing from the scenario's `multipaxos:` block, their messages the hook's.
 */
function paxsimClients(hook: ClientsHook<Tagged>, scenario: Scenario) {
  const nodes = scenario.clients.map((client) => client.id);
  const config = scenarioMultiPaxosConfig(scenario, undefined);
  const messages: ClientCodec<MultiPaxosMessage> = {
    request: (command) => checkedRequest((hook.request ?? PAXSIM_CLIENT_MESSAGES.request)(command)) as MultiPaxosMessage,
    answer: (message) => checkedAnswer(hook.answer === undefined ? PAXSIM_CLIENT_MESSAGES.answer(message) : hook.answer(message)),
  };
  return {
    nodes,
    isClient: (nodeId: NodeId) => nodes.includes(nodeId),
    createNode: (effects: Effects<Tagged, unknown, Tagged>): ProtocolNode<Tagged, unknown> =>
      new Client(effects as unknown as MultiPaxosEffects, config, messages) as unknown as ProtocolNode<Tagged, unknown>,
    durableView: (storage: StorageReader<unknown>) => ({ kind: 'client', nextRequestId: storedNextRequestId(storage as never) }),
  };
}

/** A request message must be a message: a plain object with a string `type`. */
function checkedRequest(message: unknown): unknown {
  if (typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string') return message;
  throw new ContractBreach(`clients.request returned ${JSON.stringify(message) ?? String(message)}; it must return a message { type, ... }`);
}

/** An answer is null, `{requestId, result}` with a kv result, or `{requestId, redirect}` with a node id or null. */
function checkedAnswer(answer: ClientAnswer | null): ClientAnswer | null {
  if (answer === null) return null;
  const fields = answer as unknown as Record<string, unknown>;
  const valid =
    typeof fields === 'object' &&
    Number.isSafeInteger(fields['requestId']) &&
    ('result' in fields
      ? fields['result'] === null || typeof fields['result'] === 'string' || typeof fields['result'] === 'boolean'
      : 'redirect' in fields && (fields['redirect'] === null || typeof fields['redirect'] === 'string'));
  if (valid) return answer;
  throw new ContractBreach(`clients.answer returned ${JSON.stringify(answer) ?? String(answer)}; expected null, { requestId, result } (a string, boolean or null) or { requestId, redirect } (a node id or null)`);
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
