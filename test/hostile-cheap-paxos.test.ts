import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/scenario/load.js';
import { runCli } from './helpers/cli.js';

/** Hostile input for Cheap Paxos: scenario files and trace meta lines that must fail with one line naming the field, exit 2. */

const BASE = `name: c
protocol: cheap-paxos
nodes: [A, B, C, D, E]
clients: { count: 1, ops: 2 }
`;

function errors(text: string): string[] {
  const loaded = parseScenarioText(text, 'c.yaml');
  return loaded.ok ? [] : [...loaded.errors];
}

describe('cheap-paxos scenarios', () => {
  it.each([
    ['no roles', BASE, 'c.yaml: roles.main: is required with `protocol: cheap-paxos`, e.g. {main: [A, B, C], auxiliary: [D, E]}'],
    ['too few mains', `${BASE}roles: { main: [A, B], auxiliary: [C, D, E] }\n`, 'c.yaml: roles.main: must list f+1 of the 2f+1 nodes (5 nodes: 3)'],
    ['auxiliaries missing', `${BASE}roles: { main: [A, B, C], auxiliary: [D] }\n`, 'c.yaml: roles.auxiliary: must list the other f nodes (2)'],
    ['a node in both', `${BASE}roles: { main: [A, B, C], auxiliary: [C, D] }\n`, 'c.yaml: roles.auxiliary: "C" is also in roles.main (index 2)'],
    ['an unknown node', `${BASE}roles: { main: [A, B, X], auxiliary: [D, E] }\n`, 'c.yaml: roles.main[2]: unknown node "X"; nodes are A, B, C, D, E'],
    ['Paxos roles', `${BASE}roles: { main: [A, B, C], auxiliary: [D, E], acceptors: [A] }\n`, 'c.yaml: roles.acceptors: does not apply to `protocol: cheap-paxos`; use roles.main and roles.auxiliary'],
    ['alpha zero', `${BASE}roles: { main: [A, B, C], auxiliary: [D, E] }\ncheapPaxos: { alpha: 0 }\n`, 'c.yaml: cheapPaxos.alpha: must be a positive integer'],
    ['an even cluster', 'name: c\nprotocol: cheap-paxos\nnodes: [A, B, C, D]\nclients: { count: 1, ops: 2 }\nroles: { main: [A, B], auxiliary: [C, D] }\n', 'c.yaml: roles.main: must list f+1 of the 2f+1 nodes (4 nodes: list an odd number of nodes)'],
  ])('%s: one line naming the field', (_name, text, message) => {
    const found = errors(text);
    expect(found).toHaveLength(1);
    const [file] = message.split(': ', 2) as [string, string];
    expect(found[0]).toMatch(new RegExp(`^${file}(:\\d+)?: `));
    expect(found[0]).toContain(message.slice(file.length + 2));
  });

  it.each([
    ['roles.main on multipaxos', 'name: m\nprotocol: multipaxos\nnodes: [A, B, C]\nclients: { count: 1, ops: 1 }\nroles: { main: [A] }\n', 'm.yaml: roles'],
    ['cheapPaxos on paxos', 'name: m\nnodes: [A, B, C]\ncheapPaxos: { alpha: 2 }\n', 'm.yaml: cheapPaxos: needs `protocol: cheap-paxos`'],
    ['expect.auxiliaries on paxos', 'name: m\nnodes: [A, B, C]\nexpect: { auxiliaries: { maxMessages: 0 } }\n', 'm.yaml: expect.auxiliaries: needs `protocol: cheap-paxos`'],
  ])('%s is rejected', (_name, text, message) => {
    const loaded = parseScenarioText(text, 'm.yaml');
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.errors.join('\n')).toContain(message.slice('m.yaml: '.length));
  });

  it('paxsim run on a bad cheap-paxos file: exit 2, one line, no stack trace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-cheap-'));
    try {
      const file = path.join(dir, 'bad.yaml');
      fs.writeFileSync(file, `${BASE}roles: { main: [A, B], auxiliary: [C, D, E] }\n`);
      const outcome = await runCli(['run', file]);
      expect(outcome.code).toBe(2);
      const lines = outcome.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/bad\.yaml(:\d+)?: roles\.main: must list f\+1 of the 2f\+1 nodes \(5 nodes: 3\)$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cheap-paxos traces', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-cheap-trace-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const meta = { type: 'meta', scenario: 's', seed: 1, nodes: ['A', 'B', 'C'], acceptors: ['A', 'B', 'C'], proposers: ['A', 'B', 'C'], learners: ['A', 'B', 'C'], protocol: 'cheap-paxos', clients: ['K'] };

  it.each([
    ['alpha missing', { ...meta, main: ['A', 'B'], auxiliary: ['C'] }, 'alpha: must be a positive integer'],
    ['main not a node', { ...meta, main: ['A', 'X'], auxiliary: ['C'], alpha: 1 }, 'main'],
    ['main and auxiliary overlap', { ...meta, main: ['A', 'B'], auxiliary: ['B'], alpha: 1 }, 'auxiliary: "B" is also in main'],
  ])('%s: exit 2, naming the meta field', async (_name, metaLine, message) => {
    const file = path.join(dir, `${_name.replace(/ /g, '-')}.jsonl`);
    fs.writeFileSync(file, `${JSON.stringify(metaLine)}\n`);
    const outcome = await runCli(['check', file]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(message);
    expect(outcome.stderr).not.toContain('    at ');
  });

  it('malformed config and discard lines are skipped, not a crash', async () => {
    const file = path.join(dir, 'odd.jsonl');
    const lines = [
      { ...meta, main: ['A', 'B'], auxiliary: ['C'], alpha: 1 },
      { t: 1, type: 'config', node: 'A', slot: 'x', main: 5, auxiliary: null },
      { t: 2, type: 'discard', node: 'C', uptoSlot: { a: 1 } },
    ];
    fs.writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const outcome = await runCli(['check', file]);
    expect(outcome.code).toBe(0);
  });
});
