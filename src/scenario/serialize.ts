import { relative, dirname } from 'node:path';
import { Document, isMap, isSeq, visit } from 'yaml';
import { hasClientNodes, usesClients, type ClientSpec, type DelaySpec, type Fault, type KvOpSpec, type Scenario, type ScheduleStep } from './scenario.js';
import { printable } from '../util/printable.js';

/**
 * A scenario as a file again: what `paxsim fuzz` and `paxsim shrink` write, so
 * a failing seed replays with `paxsim run FILE` alone. Loading the text gives
 * back an equal scenario.
 */
export function scenarioToFileObject(scenario: Scenario, protocolReference?: string): Record<string, unknown> {
  const file: Record<string, unknown> = {
    name: scenario.name,
    description: scenario.description,
  };
  // A user protocol is written as the module it was loaded from (by default its absolute path; a file
  // written to disk passes a reference that still resolves when its directory moves), so the file loads it again.
  if (scenario.protocol !== 'paxos') file['protocol'] = protocolReference ?? scenario.protocolModule ?? scenario.protocol;
  if (scenario.config !== undefined) file['config'] = scenario.config;
  file['nodes'] = [...scenario.nodes];
  if (hasClientNodes(scenario)) file['clients'] = clientsToFile(scenario.clients);
  const roles: Record<string, string[]> = {};
  for (const role of !usesClients(scenario.protocol) ? (['proposers', 'acceptors', 'learners'] as const) : []) {
    if (scenario.roles[role].length !== scenario.nodes.length) roles[role] = [...scenario.roles[role]];
  }
  if (scenario.cheapPaxos !== undefined) {
    roles['main'] = [...scenario.cheapPaxos.main];
    roles['auxiliary'] = [...scenario.cheapPaxos.auxiliary];
  }
  if (Object.keys(roles).length > 0) file['roles'] = roles;
  file['seed'] = scenario.seed;
  file['network'] = { delay: delayToFile(scenario.network.delay), drop: scenario.network.drop, duplicate: scenario.network.duplicate };
  if (!usesClients(scenario.protocol)) file['proposals'] = scenario.proposals.map((proposal) => {
    const entry: Record<string, unknown> = { at: proposal.at, node: proposal.node, value: proposal.value };
    if (proposal.ballot !== undefined) entry['ballot'] = proposal.ballot;
    return entry;
  });
  file['faults'] = scenario.faults.map(faultToFile);
  file['until'] = scenario.untilMs;
  if (scenario.maxEvents !== 1_000_000) file['maxEvents'] = scenario.maxEvents;
  if (Object.keys(scenario.paxos).length > 0) file['paxos'] = { ...scenario.paxos };
  if (Object.keys(scenario.multipaxos).length > 0) file['multipaxos'] = { ...scenario.multipaxos };
  if (Object.keys(scenario.raft).length > 0) file['raft'] = { ...scenario.raft };
  if (scenario.cheapPaxos !== undefined) file['cheapPaxos'] = { alpha: scenario.cheapPaxos.alpha };
  if (scenario.bug !== undefined) file['bug'] = scenario.bug;
  if (scenario.nemesis !== undefined) file['nemesis'] = { ...scenario.nemesis, kinds: [...scenario.nemesis.kinds] };
  if (scenario.explore !== undefined) file['explore'] = { ...scenario.explore };
  if (scenario.schedule !== undefined) file['schedule'] = scenario.schedule.map(scheduleStepToFile);
  const expect: Record<string, unknown> = {};
  const chosen = scenario.expect.chosen;
  if (chosen) expect['chosen'] = chosen.kind === 'value' ? chosen.value : chosen.kind;
  expect['safety'] = scenario.expect.safety;
  if (scenario.expect.liveness) expect['liveness'] = { within: scenario.expect.liveness.withinMs };
  if (scenario.expect.explore) expect['explore'] = { ...scenario.expect.explore };
  const auxiliaries = scenario.expect.auxiliaries;
  if (auxiliaries) {
    expect['auxiliaries'] = {
      ...(auxiliaries.maxMessages === undefined ? {} : { maxMessages: auxiliaries.maxMessages }),
      ...(auxiliaries.idleAfterMs === undefined ? {} : { idleAfter: auxiliaries.idleAfterMs }),
    };
  }
  file['expect'] = expect;
  return file;
}

/** Drawn workloads keep the `{count, ops, mix, keys}` form they came from; explicit ones are listed. */
function clientsToFile(clients: readonly ClientSpec[]): unknown {
  const first = clients[0];
  if (first !== undefined && first.ops === undefined) {
    return { count: clients.length, ops: first.count, ...(first.mix ? { mix: { ...first.mix } } : {}), ...(first.keys ? { keys: [...first.keys] } : {}) };
  }
  return clients.map((client) => ({ id: client.id, ...(client.startAt === undefined ? {} : { startAt: client.startAt }), ops: (client.ops ?? []).map(opToFile) }));
}

function opToFile(op: KvOpSpec): Record<string, unknown> {
  if (op.kind === 'get') return { get: op.key };
  if (op.kind === 'put') return { put: { key: op.key, value: op.value } };
  return { cas: { key: op.key, expected: op.expected, value: op.value } };
}

function scheduleStepToFile(step: ScheduleStep): Record<string, unknown> {
  switch (step.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return { [step.kind]: step.message };
    case 'fire':
      return { fire: { node: step.node, timer: step.timer } };
    default:
      return { [step.kind]: step.node };
  }
}

export function faultToFile(fault: Fault): Record<string, unknown> {
  switch (fault.kind) {
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
      return { at: fault.at, [fault.kind]: fault.node };
    case 'partition':
      return { at: fault.at, partition: fault.groups.map((group) => [...group]) };
    case 'cut':
      return { at: fault.at, cut: { from: fault.from, to: fault.to } };
    case 'heal':
      return { at: fault.at, heal: 'all' };
    case 'drift':
      return { at: fault.at, drift: { node: fault.node, rate: fault.rate } };
    case 'burst': {
      const burst: Record<string, unknown> = { for: fault.forMs };
      if (fault.drop !== undefined) burst['drop'] = fault.drop;
      if (fault.duplicate !== undefined) burst['duplicate'] = fault.duplicate;
      if (fault.delay !== undefined) burst['delay'] = delayToFile(fault.delay);
      return { at: fault.at, burst };
    }
  }
}

function delayToFile(delay: DelaySpec): Record<string, unknown> {
  if (delay.distribution === 'uniform') return { min: delay.min, max: delay.max };
  return { ...delay };
}

/**
 * YAML text with a schema comment (relative to where the file is written)
 * and a header of comment lines; each fault and proposal on one line.
 */
export function scenarioToYaml(
  scenario: Scenario,
  options: { header?: readonly string[]; filePath?: string; schemaPath?: string; protocolReference?: string | undefined } = {},
): string {
  const document = new Document(scenarioToFileObject(scenario, options.protocolReference));
  visit(document, {
    Map(_, node, path) {
      // Entries of faults/proposals and small maps (network, roles, expect) read best on one line.
      if (path.length > 2) node.flow = true;
    },
    Seq(_, node, path) {
      if (path.length > 2) node.flow = true;
    },
  });
  const top = document.contents;
  if (isMap(top)) {
    for (const item of top.items) {
      const key = String((item.key as { value?: unknown }).value);
      if (['nodes', 'roles', 'network', 'expect', 'paxos', 'nemesis', 'explore'].includes(key) && (isMap(item.value) || isSeq(item.value))) item.value.flow = true;
    }
  }
  const lines: string[] = [];
  if (options.schemaPath !== undefined && options.filePath !== undefined) {
    const schemaRelative = relative(dirname(options.filePath), options.schemaPath) || 'scenario.schema.json';
    lines.push(`# yaml-language-server: $schema=${schemaRelative.startsWith('.') ? schemaRelative : `./${schemaRelative}`}`);
  }
  // Header lines carry user text (values in a violation message): a raw line break would end the comment.
  for (const line of options.header ?? []) lines.push(`# ${printable(line)}`);
  return lines.join('\n') + (lines.length > 0 ? '\n' : '') + document.toString({ lineWidth: 0 });
}

