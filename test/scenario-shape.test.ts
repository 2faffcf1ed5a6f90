import { describe, expect, it } from 'vitest';
import { defineProtocol } from '../src/run/protocol-definition.js';
import { multiPaxosDefinition } from '../src/run/builtin-protocols.js';
import { registerProtocol } from '../src/run/registry.js';
import { runScenario } from '../src/run/runner.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { scenarioToYaml } from '../src/scenario/serialize.js';
import { materializeScenario } from '../src/sim/nemesis.js';
import { scenarioFromYaml } from './helpers/scenario.js';

/**
 * A protocol's scenario keys come from its definition (issue 10): the
 * loader, serializer, nemesis and trace meta line ask its declared shape,
 * never its name, so a new protocol that takes clients and a timing block
 * is one definition and one registration. Here: a protocol registered under
 * a new name, running Multi-Paxos's driver, gets all of Multi-Paxos's keys.
 */

const kvEcho = defineProtocol({
  name: 'kv-echo',
  description: 'Multi-Paxos under another name',
  scenario: { clients: true, timingBlock: 'multipaxos' },
  setup: (cluster) => multiPaxosDefinition.setup(cluster),
});
const registered = registerProtocol(kvEcho, '/virtual/kv-echo.js');

const KV_ECHO = 'name: echo\nprotocol: kv-echo\nnodes: [A, B, C]\nclients: { count: 2, ops: 3 }\nmultipaxos: { electionMs: 300 }\n';

describe('a protocol that declares clients and a timing block', () => {
  it('is registered', () => {
    expect(registered).toEqual({ ok: true });
  });

  it('loads `clients` and its timing block, and refuses `proposals` and roles, as Multi-Paxos does', () => {
    const scenario = scenarioFromYaml(KV_ECHO);
    expect(scenario.clients.map((client) => client.id)).toEqual(['c1', 'c2']);
    expect(scenario.multipaxos).toEqual({ electionMs: 300 });
    const wrong = parseScenarioText(`${KV_ECHO}proposals: [ { at: 0, node: A, value: X } ]\nraft: {}\nroles: { acceptors: [A] }\n`, 'e.yaml');
    expect(wrong.ok ? [] : wrong.errors).toEqual([
      'e.yaml:7: raft: needs `protocol: raft`',
      'e.yaml:8: roles: does not apply to `protocol: kv-echo` (every node is a replica)',
      'e.yaml:6: proposals: does not apply to `protocol: kv-echo`; declare `clients` instead',
    ]);
  });

  it('is written back with its clients, and runs with them (its trace names them)', () => {
    const scenario = scenarioFromYaml(KV_ECHO);
    expect(scenarioToYaml(scenario)).toMatch(/\nclients: \{ count: 2, ops: 3 \}\n/);
    expect(scenarioToYaml(scenario)).not.toMatch(/\nproposals:/);
    const result = runScenario(scenario, { seed: 1 });
    expect(result.meta.clients).toEqual(['c1', 'c2']);
    expect(result.multipaxos?.completed).toBe(6);
  });

  it('the nemesis paces its clients through its timing block', () => {
    const scenario = scenarioFromYaml(`${KV_ECHO}nemesis: {}\nuntil: 8000\n`);
    expect(materializeScenario(scenario, 1).multipaxos.thinkMs).toBeGreaterThan(0);
  });

  it('is named where clients are refused, from the registry', () => {
    const refused = parseScenarioText('name: x\nnodes: [A, B, C]\nclients: { count: 2, ops: 3 }\n', 'p.yaml');
    expect(refused.ok ? [] : refused.errors).toEqual([
      'p.yaml:3: clients: clients need `protocol: multipaxos`, `protocol: raft`, `protocol: cheap-paxos` or `protocol: kv-echo`; single-decree Paxos takes `proposals`',
    ]);
  });
});

describe('a scenario shape written by hand in JavaScript', () => {
  it('is checked as the definition is made', () => {
    const spec = { name: 'odd', scenario: { clients: 'yes' }, setup: () => undefined } as unknown as Parameters<typeof defineProtocol>[0];
    expect(() => defineProtocol(spec)).toThrow('defineProtocol: protocol odd: scenario must be { clients: true or false, timingBlock?: "paxos", "multipaxos" or "raft" }');
  });
});

describe('a protocol that declares nothing', () => {
  it('takes proposals and roles, and clients only with a clients hook (a user protocol in the simple form)', () => {
    const plain = defineProtocol({ name: 'plain', createNode: () => ({ start() {}, recover() {}, onRequest() {}, onMessage() {}, onTimer() {}, volatileState: () => ({}) }) });
    expect(plain.scenarioShape).toEqual({ clients: false, timingBlock: 'multipaxos', userProtocol: true });
    expect(plain.takesClients).toBe(false);
  });
});
