import { FAULT_KINDS, NEMESIS_FAULT_KINDS, type ParsedKvOp, type DelayInput, type ParsedFault, type ParsedScenario } from './schema.js';
import { formatProblem, type LoadResult, type SourceLocator } from './problems.js';
import { nemesisSizeProblem } from './limits.js';
import { protocolsWhere, scenarioShapeOf, type ScenarioShape } from './protocol-shape.js';
import { takesUserProtocolKeys, sortedIds, type ScheduleStep, type ChosenExpectation, type CheapPaxosSpec, type DelaySpec, type Fault, type ClientSpec, type KvOpSpec, type NemesisSpec, type NodeId, type Roles, type Scenario } from './scenario.js';

type Report = (path: readonly (string | number)[], message: string) => void;

/**
 * The checks a schema cannot express (references between fields, fault
 * sequencing), then the normalized form every other layer reads. Every
 * problem is reported, not just the first.
 */
export function normalizeScenario(parsed: ParsedScenario, locator: SourceLocator): LoadResult {
  const errors: string[] = [];
  const report: Report = (path, message) => errors.push(formatProblem(locator, path, message));

  const nodes = sortedIds(parsed.nodes);
  const known = new Set(nodes);
  checkDuplicates(parsed.nodes, ['nodes'], report);
  const checkNode = (id: NodeId, path: readonly (string | number)[]) => {
    if (!known.has(id)) report(path, `unknown node "${id}"; nodes are ${nodes.join(', ')}`);
  };

  const roles = resolveRoles(parsed, nodes, checkNode, report);
  const untilMs = parsed.until;

  parsed.proposals.forEach((proposal, index) => {
    checkNode(proposal.node, ['proposals', index, 'node']);
    if (known.has(proposal.node) && !roles.proposers.includes(proposal.node)) {
      report(['proposals', index, 'node'], `"${proposal.node}" is not a proposer (roles.proposers is ${roles.proposers.join(', ') || 'empty'})`);
    }
    if (proposal.at > untilMs) report(['proposals', index, 'at'], `${proposal.at} is after until (${untilMs})`);
  });

  const faults: Fault[] = [];
  parsed.faults.forEach((fault, index) => {
    const normalized = normalizeFault(fault, index, checkNode, report);
    if (normalized) faults.push(normalized);
    if (fault.at > untilMs) report(['faults', index, 'at'], `${fault.at} is after until (${untilMs})`);
  });
  if (errors.length === 0) checkNodeLifecycles(faults, report);

  const delay = normalizeDelay(parsed.network.delay, ['network', 'delay'], report);
  const clients = normalizeClients(parsed, known, report);
  const nemesis = parsed.nemesis ? normalizeNemesis(parsed, nodes, report) : undefined;
  const schedule = parsed.schedule ? normalizeSchedule(parsed, [...nodes, ...clients.map((client) => client.id)], report) : undefined;
  checkTiming(parsed, report);
  const cheapPaxos = scenarioShapeOf(parsed.protocol).mainAndAuxiliaryRoles === true ? normalizeCheapPaxos(parsed, nodes, checkNode, report) : undefined;
  if (cheapPaxos !== undefined) checkClientsStartAtMains(clients, cheapPaxos, report);

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    scenario: {
      name: parsed.name,
      description: parsed.description ?? '',
      protocol: parsed.protocol,
      nodes,
      roles,
      seed: parsed.seed,
      network: { delay, drop: parsed.network.drop, duplicate: parsed.network.duplicate },
      proposals: parsed.proposals.map((proposal) => ({
        at: proposal.at,
        node: proposal.node,
        value: String(proposal.value),
        ballot: proposal.ballot,
      })),
      faults,
      untilMs,
      maxEvents: parsed.maxEvents,
      paxos: parsed.paxos ?? {},
      bug: parsed.bug,
      nemesis,
      ...(parsed.explore ? { explore: parsed.explore } : {}),
      ...(schedule ? { schedule } : {}),
      clients,
      multipaxos: parsed.multipaxos ?? {},
      raft: parsed.raft ?? {},
      ...(cheapPaxos === undefined ? {} : { cheapPaxos }),
      ...(parsed.config === undefined ? {} : { config: parsed.config }),
      expect: {
        chosen: parsed.expect.chosen === undefined ? undefined : chosenExpectation(String(parsed.expect.chosen)),
        safety: parsed.expect.safety,
        liveness: parsed.expect.liveness ? { withinMs: parsed.expect.liveness.within } : undefined,
        ...(parsed.expect.explore ? { explore: parsed.expect.explore } : {}),
        ...(parsed.expect.auxiliaries ? { auxiliaries: { maxMessages: parsed.expect.auxiliaries.maxMessages, idleAfterMs: parsed.expect.auxiliaries.idleAfter } } : {}),
      },
    },
  };
}

/**
 * Cheap Paxos: `roles.main` (f+1) and `roles.auxiliary` (f) split `nodes`;
 * `cheapPaxos` and the `auxiliaries` expectation need `protocol: cheap-paxos`.
 */
function normalizeCheapPaxos(parsed: ParsedScenario, nodes: readonly NodeId[], checkNode: (id: NodeId, path: (string | number)[]) => void, report: Report): CheapPaxosSpec {
  const roles = parsed.roles ?? {};
  for (const key of ['proposers', 'acceptors', 'learners'] as const) {
    if (roles[key] !== undefined) report(['roles', key], 'does not apply to `protocol: cheap-paxos`; use roles.main and roles.auxiliary');
  }
  const listed = (key: 'main' | 'auxiliary'): NodeId[] => {
    const ids = roles[key] ?? [];
    ids.forEach((id, index) => checkNode(id, ['roles', key, index]));
    checkDuplicates(ids, ['roles', key], report);
    return sortedIds(ids);
  };
  const main = listed('main');
  const auxiliary = listed('auxiliary');
  const f = (nodes.length - 1) / 2;
  if (roles.main === undefined) report(['roles', 'main'], 'is required with `protocol: cheap-paxos`, e.g. {main: [A, B, C], auxiliary: [D, E]}');
  else if (!Number.isInteger(f) || main.length !== f + 1) report(['roles', 'main'], `must list f+1 of the 2f+1 nodes (${nodes.length} nodes: ${Number.isInteger(f) ? f + 1 : 'list an odd number of nodes'})`);
  else if (auxiliary.length !== f) report(['roles', 'auxiliary'], `must list the other f nodes (${f})`);
  main.forEach((id, index) => {
    if (auxiliary.includes(id)) report(['roles', 'auxiliary'], `"${id}" is also in roles.main (index ${index})`);
  });
  return { main, auxiliary, alpha: parsed.cheapPaxos?.alpha ?? DEFAULT_CHEAP_PAXOS_ALPHA };
}

/** Cheap Paxos's default α (kept here, so the scenario layer does not import protocols). */
export const DEFAULT_CHEAP_PAXOS_ALPHA = 3;

function resolveRoles(parsed: ParsedScenario, nodes: readonly NodeId[], checkNode: (id: NodeId, path: (string | number)[]) => void, report: Report): Roles {
  const mainAndAuxiliary = scenarioShapeOf(parsed.protocol).mainAndAuxiliaryRoles === true;
  if (!mainAndAuxiliary) {
    const needs = `needs ${protocolList(protocolsWhere((shape) => shape.mainAndAuxiliaryRoles === true))}`;
    for (const key of ['main', 'auxiliary'] as const) {
      if (parsed.roles?.[key] !== undefined) report(['roles', key], needs);
    }
    if (parsed.cheapPaxos !== undefined) report(['cheapPaxos'], needs);
    if (parsed.expect.auxiliaries !== undefined) report(['expect', 'auxiliaries'], needs);
  }
  const resolve = (role: 'proposers' | 'acceptors' | 'learners'): NodeId[] => {
    const listed = mainAndAuxiliary ? undefined : parsed.roles?.[role];
    if (listed === undefined) return [...nodes];
    listed.forEach((id, index) => checkNode(id, ['roles', role, index]));
    checkDuplicates(listed, ['roles', role], report);
    return sortedIds(listed);
  };
  const roles = { proposers: resolve('proposers'), acceptors: resolve('acceptors'), learners: resolve('learners') };
  if (roles.acceptors.length === 0) report(['roles', 'acceptors'], 'must list at least one acceptor');
  if (roles.learners.length === 0) report(['roles', 'learners'], 'must list at least one learner');
  return roles;
}

const NODE_FAULT_KINDS = ['crash', 'restart', 'pause', 'resume'] as const;

function normalizeFault(fault: ParsedFault, index: number, checkNode: (id: NodeId, path: (string | number)[]) => void, report: Report): Fault | undefined {
  const path = ['faults', index];
  const kinds = FAULT_KINDS.filter((kind) => fault[kind] !== undefined);
  if (kinds.length !== 1) {
    report(path, kinds.length === 0 ? `names no fault kind; expected one of ${FAULT_KINDS.join(', ')}` : `names ${kinds.join(' and ')}; a fault has exactly one kind (write two faults)`);
    return undefined;
  }
  const at = fault.at;
  // The faults that name one node: crash, restart, pause, resume.
  for (const kind of NODE_FAULT_KINDS) {
    const node = fault[kind];
    if (node === undefined) continue;
    checkNode(node, [...path, kind]);
    return { at, kind, node };
  }
  if (fault.partition !== undefined) {
    const seen = new Set<NodeId>();
    fault.partition.forEach((group, groupIndex) =>
      group.forEach((id, memberIndex) => {
        const memberPath = [...path, 'partition', groupIndex, memberIndex];
        checkNode(id, memberPath);
        if (seen.has(id)) report(memberPath, `"${id}" appears in more than one group`);
        seen.add(id);
      }),
    );
    return { at, kind: 'partition', groups: fault.partition.map((group) => sortedIds(group)) };
  }
  if (fault.cut !== undefined) {
    checkNode(fault.cut.from, [...path, 'cut', 'from']);
    checkNode(fault.cut.to, [...path, 'cut', 'to']);
    if (fault.cut.from === fault.cut.to) report([...path, 'cut'], 'from and to must be different nodes');
    return { at, kind: 'cut', from: fault.cut.from, to: fault.cut.to };
  }
  if (fault.drift !== undefined) {
    checkNode(fault.drift.node, [...path, 'drift', 'node']);
    return { at, kind: 'drift', node: fault.drift.node, rate: fault.drift.rate };
  }
  if (fault.burst !== undefined) {
    const burst = fault.burst;
    const delay = burst.delay === undefined ? undefined : normalizeDelay(burst.delay, [...path, 'burst', 'delay'], report);
    return { at, kind: 'burst', forMs: burst.for, drop: burst.drop, duplicate: burst.duplicate, delay };
  }
  return { at, kind: 'heal' };
}

/**
 * Faults must make sense in time order: crash a running (or paused) node,
 * restart a crashed one, pause and resume only a running one. Anything else
 * is almost always a scenario mistake.
 */
function checkNodeLifecycles(faults: readonly Fault[], report: Report): void {
  const order = faults.map((fault, index) => ({ fault, index })).sort((a, b) => a.fault.at - b.fault.at || a.index - b.index);
  const state = new Map<NodeId, 'crashed' | 'paused'>();
  for (const { fault, index } of order) {
    if (fault.kind !== 'crash' && fault.kind !== 'restart' && fault.kind !== 'pause' && fault.kind !== 'resume') continue;
    const current = state.get(fault.node);
    const path = ['faults', index, fault.kind];
    const problem =
      fault.kind === 'crash' ? (current === 'crashed' ? 'is already crashed' : null)
      : fault.kind === 'restart' ? (current !== 'crashed' ? 'is not crashed' : null)
      : fault.kind === 'pause' ? (current !== undefined ? `is ${current}` : null)
      : current !== 'paused' ? 'is not paused' : null;
    if (problem !== null) {
      report(path, `"${fault.node}" ${problem} at ${fault.at}`);
      continue;
    }
    if (fault.kind === 'crash') state.set(fault.node, 'crashed');
    else if (fault.kind === 'pause') state.set(fault.node, 'paused');
    else state.delete(fault.node);
  }
}

function normalizeDelay(delay: DelayInput, path: readonly (string | number)[], report: Report): DelaySpec {
  if (delay.distribution === 'exponential') {
    const max = delay.max ?? delay.min + 20 * delay.mean;
    if (max < delay.min) report([...path, 'max'], `must be at least min (${delay.min})`);
    return { distribution: 'exponential', min: delay.min, mean: delay.mean, max };
  }
  if (delay.distribution === 'normal') {
    const max = delay.max ?? delay.mean + 5 * delay.stddev;
    if (max < delay.min) report([...path, 'max'], `must be at least min (${delay.min})`);
    return { distribution: 'normal', mean: delay.mean, stddev: delay.stddev, min: delay.min, max };
  }
  if (delay.max < delay.min) report([...path, 'max'], `must be at least min (${delay.min})`);
  return { distribution: 'uniform', min: delay.min, max: delay.max };
}

function checkTiming(parsed: ParsedScenario, report: Report): void {
  const timing = parsed.paxos;
  if (!timing) return;
  if (timing.retryMs !== undefined && timing.retryMaxMs !== undefined && timing.retryMaxMs < timing.retryMs) {
    report(['paxos', 'retryMaxMs'], `must be at least retryMs (${timing.retryMs})`);
  }
  if (timing.catchupMs !== undefined && timing.catchupMaxMs !== undefined && timing.catchupMaxMs < timing.catchupMs) {
    report(['paxos', 'catchupMaxMs'], `must be at least catchupMs (${timing.catchupMs})`);
  }
}

function checkDuplicates(ids: readonly NodeId[], path: readonly (string | number)[], report: Report): void {
  const seen = new Set<NodeId>();
  ids.forEach((id, index) => {
    if (seen.has(id)) report([...path, index], `"${id}" is listed twice`);
    seen.add(id);
  });
}

function chosenExpectation(text: string): ChosenExpectation {
  if (text === 'any') return { kind: 'any' };
  if (text === 'none') return { kind: 'none' };
  return { kind: 'value', value: text };
}

/**
 * Multi-Paxos clients, named and given their operations. `nodes` are the
 * replicas; single-decree-only fields (roles, proposals) do not apply there,
 * and clients do not apply to single-decree Paxos.
 */
function normalizeClients(parsed: ParsedScenario, nodes: ReadonlySet<NodeId>, report: Report): ClientSpec[] {
  if (takesUserProtocolKeys(parsed.protocol)) return userProtocolClients(parsed, nodes, report);
  const shape = scenarioShapeOf(parsed.protocol);
  if (!shape.clients) {
    if (parsed.clients !== undefined) report(['clients'], `clients need ${protocolList(protocolsWhere((other) => other.clients))}; single-decree Paxos takes \`proposals\``);
    checkClientTimingBlocks(parsed, shape, report);
    return [];
  }
  // The protocols with clients (Multi-Paxos, Raft, Cheap Paxos) share them; each reads its own timing block.
  const protocol = parsed.protocol;
  checkClientTimingBlocks(parsed, shape, report);
  if (shape.mainAndAuxiliaryRoles !== true && parsed.roles !== undefined) report(['roles'], `does not apply to \`protocol: ${protocol}\` (every node is a replica)`);
  if (parsed.paxos !== undefined) report(['paxos'], `does not apply to \`protocol: ${protocol}\`${shape.mainAndAuxiliaryRoles === true ? '' : ' (every node is a replica)'}`);
  if (parsed.proposals.length > 0) report(['proposals'], `does not apply to \`protocol: ${protocol}\`; declare \`clients\` instead`);
  if (parsed.expect.chosen !== undefined) report(['expect', 'chosen'], `does not apply to \`protocol: ${protocol}\`; use safety and liveness`);
  const clients = parsed.clients;
  if (clients === undefined) {
    report(['clients'], `is required with \`protocol: ${protocol}\`, e.g. {count: 3, ops: 10}`);
    return [];
  }
  return clientSpecs(clients, nodes, report);
}

/**
 * A user protocol may take paxsim's clients too (its definition says so; the
 * loader checks). Their timing is the `multipaxos:` block's client fields.
 */
function userProtocolClients(parsed: ParsedScenario, nodes: ReadonlySet<NodeId>, report: Report): ClientSpec[] {
  if (parsed.raft !== undefined) report(['raft'], 'needs `protocol: raft`');
  const timing = parsed.multipaxos;
  if (timing !== undefined) {
    if (parsed.clients === undefined) report(['multipaxos'], "sets the clients' timing: declare `clients` too");
    for (const key of ['heartbeatMs', 'electionMs'] as const) {
      if (timing[key] !== undefined) report(['multipaxos', key], "needs `protocol: multipaxos`; a user protocol's clients read clientTimeoutMs, retryMs, maxRetries and thinkMs");
    }
  }
  return parsed.clients === undefined ? [] : clientSpecs(parsed.clients, nodes, report);
}

function clientSpecs(clients: NonNullable<ParsedScenario['clients']>, nodes: ReadonlySet<NodeId>, report: Report): ClientSpec[] {
  const specs: ClientSpec[] = Array.isArray(clients)
    ? clients.map((client, index) => ({
        id: client.id,
        ...(client.startAt === undefined ? {} : { startAt: client.startAt }),
        ops: client.ops.map((op, opIndex) => normalizeOp(op, ['clients', index, 'ops', opIndex], report)),
      }))
    : Array.from({ length: clients.count }, (_, index) => ({
        id: `c${index + 1}`,
        count: clients.ops,
        mix: clients.mix ? { put: clients.mix.put ?? 0, get: clients.mix.get ?? 0, cas: clients.mix.cas ?? 0 } : undefined,
        keys: clients.keys === undefined ? undefined : typeof clients.keys === 'number' ? Array.from({ length: clients.keys }, (_, key) => `k${key + 1}`) : [...clients.keys],
      }));
  const seen = new Set<NodeId>();
  specs.forEach((spec, index) => {
    const path = Array.isArray(clients) ? ['clients', index, 'id'] : ['clients', 'count'];
    if (nodes.has(spec.id)) report(path, `client "${spec.id}" has the name of a node`);
    if (seen.has(spec.id)) report(path, `"${spec.id}" is listed twice`);
    seen.add(spec.id);
    if (spec.startAt !== undefined && !nodes.has(spec.startAt)) report(['clients', index, 'startAt'], `"${spec.startAt}" is not one of the nodes (${[...nodes].join(', ')})`);
  });
  if (!Array.isArray(clients) && clients.mix && (clients.mix.put ?? 0) + (clients.mix.get ?? 0) + (clients.mix.cas ?? 0) === 0) {
    report(['clients', 'mix'], 'must give at least one operation kind a positive weight');
  }
  return specs;
}

/** Cheap Paxos clients know the mains only, so a client starts at a main. */
function checkClientsStartAtMains(clients: readonly ClientSpec[], roles: { readonly main: readonly NodeId[]; readonly auxiliary: readonly NodeId[] }, report: Report): void {
  clients.forEach((client, index) => {
    if (client.startAt !== undefined && roles.auxiliary.includes(client.startAt)) {
      report(['clients', index, 'startAt'], `"${client.startAt}" is an auxiliary; Cheap Paxos clients talk to the mains only (${roles.main.join(', ')})`);
    }
  });
}

/** The client protocols' timing blocks (`multipaxos:`, `raft:`, each named after its protocol) belong to the protocols that read them. */
function checkClientTimingBlocks(parsed: ParsedScenario, shape: ScenarioShape, report: Report): void {
  for (const block of ['multipaxos', 'raft'] as const) {
    if (parsed[block] !== undefined && shape.timingBlock !== block) report([block], `needs \`protocol: ${block}\``);
  }
}

/** `\`protocol: a\``, `\`protocol: a\` or \`protocol: b\``, `\`protocol: a\`, \`protocol: b\` or \`protocol: c\``. */
function protocolList(names: readonly string[]): string {
  const quoted = names.map((name) => `\`protocol: ${name}\``);
  return quoted.length <= 1 ? (quoted[0] ?? 'another protocol') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function normalizeOp(op: ParsedKvOp, path: readonly (string | number)[], report: Report): KvOpSpec {
  const kinds = (['put', 'get', 'cas'] as const).filter((kind) => op[kind] !== undefined);
  if (kinds.length !== 1) report(path, kinds.length === 0 ? 'names no operation; expected one of put, get, cas' : `names ${kinds.join(' and ')}; an operation has exactly one kind`);
  if (op.put !== undefined) return { kind: 'put', key: op.put.key, value: String(op.put.value) };
  if (op.cas !== undefined) return { kind: 'cas', key: op.cas.key, expected: op.cas.expected === null ? null : String(op.cas.expected), value: String(op.cas.value) };
  return { kind: 'get', key: op.get ?? '' };
}

export const DEFAULT_NEMESIS = { windowMs: 2000, quietMs: 3000, faultsPerSecond: 4, swarm: true } as const;

/** A minority: the most nodes that may be down at once while a majority can still decide. */
export function minorityOf(nodeCount: number): number {
  return Math.floor((nodeCount - 1) / 2);
}

function normalizeNemesis(parsed: ParsedScenario, nodes: readonly NodeId[], report: Report): NemesisSpec {
  const spec = parsed.nemesis!;
  if (parsed.faults.length > 0) report(['faults'], 'a scenario with a `nemesis` gets its faults from it; remove `faults` or `nemesis`');
  const windowMs = spec.windowMs ?? DEFAULT_NEMESIS.windowMs;
  const quietMs = spec.quietMs ?? DEFAULT_NEMESIS.quietMs;
  if (windowMs + quietMs > parsed.until) report(['until'], `must be at least nemesis.windowMs + nemesis.quietMs (${windowMs + quietMs})`);
  const faultsPerSecond = spec.faultsPerSecond ?? DEFAULT_NEMESIS.faultsPerSecond;
  const tooManyFaults = nemesisSizeProblem(faultsPerSecond, windowMs);
  if (tooManyFaults !== null) report(['nemesis', spec.faultsPerSecond === undefined ? 'windowMs' : 'faultsPerSecond'], tooManyFaults);
  const maxDown = spec.maxDown ?? minorityOf(nodes.length);
  if (maxDown >= nodes.length) report(['nemesis', 'maxDown'], `must be less than the number of nodes (${nodes.length})`);
  return {
    windowMs,
    quietMs,
    kinds: spec.kinds ? [...new Set(spec.kinds)] : [...NEMESIS_FAULT_KINDS],
    faultsPerSecond,
    maxDown,
    swarm: spec.swarm ?? DEFAULT_NEMESIS.swarm,
  };
}

const SCHEDULE_STEP_KINDS = ['deliver', 'drop', 'duplicate', 'fire', 'crash', 'restart', 'request'] as const;

/** A pinned schedule replaces time, faults and the network model: each step names exactly one action on known nodes. */
function normalizeSchedule(parsed: ParsedScenario, known: readonly NodeId[], report: Report): ScheduleStep[] {
  if (parsed.faults.length > 0) report(['faults'], 'a scenario with a `schedule` pins its crashes and restarts as steps; remove `faults`');
  if (parsed.nemesis) report(['nemesis'], 'a scenario with a `schedule` cannot also have a `nemesis`');
  const checkNode = (id: NodeId, path: readonly (string | number)[]) => {
    if (!known.includes(id)) report(path, `unknown node "${id}"; nodes are ${known.join(', ')}`);
  };
  const steps: ScheduleStep[] = [];
  parsed.schedule!.forEach((step, index) => {
    const kinds = SCHEDULE_STEP_KINDS.filter((kind) => step[kind] !== undefined);
    if (kinds.length !== 1) {
      report(['schedule', index], kinds.length === 0 ? `names no step; expected one of ${SCHEDULE_STEP_KINDS.join(', ')}` : `names ${kinds.join(' and ')}; a step has exactly one kind`);
      return;
    }
    const kind = kinds[0]!;
    if (kind === 'deliver' || kind === 'drop' || kind === 'duplicate') steps.push({ kind, message: step[kind]! });
    else if (kind === 'fire') {
      checkNode(step.fire!.node, ['schedule', index, 'fire', 'node']);
      steps.push({ kind, node: step.fire!.node, timer: step.fire!.timer });
    } else {
      checkNode(step[kind]!, ['schedule', index, kind]);
      steps.push({ kind, node: step[kind]! });
    }
  });
  return steps;
}
