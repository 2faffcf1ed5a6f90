import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnyTraceEvent } from '../src/sim/events.js';
import { PLAIN, timelineLine } from '../src/trace/timeline.js';
import { expectOneLine, runCli } from './helpers/cli.js';

/**
 * Hostile input around the checker families and paxsim's clients for user
 * protocols (issue 10): every problem is one line naming the file or the
 * node and the field, exit 2, no stack trace. The fixture modules import
 * 'paxsim', which resolves to this package's build (npm test builds first).
 */

const FIXTURES = join(import.meta.dirname, 'fixtures', 'protocols');
const FAMILIES = join(FIXTURES, 'families-fixture.mjs');

const dir = mkdtempSync(join(tmpdir(), 'paxsim-families-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function scenario(body: string): string {
  const file = join(dir, `s${(files += 1)}.yaml`);
  writeFileSync(file, `name: hostile\nnodes: [A, B, C]\nuntil: 3000\n${body}\n`);
  return file;
}

async function refused(argv: string[]): Promise<string> {
  const outcome = await runCli(argv);
  expect(outcome.code).toBe(2);
  return expectOneLine(outcome.stderr);
}

describe("paxsim's clients for a user protocol", () => {
  it('a scenario with clients for a protocol without a clients hook: one line naming the file and the field', async () => {
    const file = scenario(`protocol: ${join(FIXTURES, 'clock-reader.js')}\nconfig: { reads: none }\nclients: { count: 2, ops: 3 }`);
    expect(await refused(['run', file])).toBe(`${file}: clients: protocol clock-reader takes no clients (its definition has no \`clients\` hook)`);
  });

  it('a leader timer in the clients\' timing block of a user protocol: one line, path-qualified', async () => {
    const file = scenario(`protocol: ${FAMILIES}\nconfig: { mode: ok }\nclients: { count: 1, ops: 1 }\nmultipaxos: { heartbeatMs: 10 }`);
    expect(await refused(['run', file])).toMatch(/s\d+\.yaml:\d+: multipaxos\.heartbeatMs: needs `protocol: multipaxos`; a user protocol's clients read clientTimeoutMs, retryMs, maxRetries and thinkMs$/);
  });

  it('client timing without clients is refused', async () => {
    const file = scenario(`protocol: ${FAMILIES}\nconfig: { mode: ok }\nmultipaxos: { retryMs: 10 }`);
    expect(await refused(['run', file])).toMatch(/multipaxos: sets the clients' timing: declare `clients` too$/);
  });

  it('an answer hook that returns nonsense: one line naming the protocol, the client node and the hook', async () => {
    const file = scenario(`protocol: ${FAMILIES}\nconfig: { mode: garbage-answer }\nclients: { count: 1, ops: 1 }`);
    expect(await refused(['run', file])).toBe(
      'paxsim: protocol families-fixture: node c1 in onMessage: clients.answer returned {"requestId":"x"}; expected null, { requestId, result } (a string, boolean or null) or { requestId, redirect } (a node id or null)',
    );
  });

  it('with its own request and answer messages, the clients complete and every family holds', async () => {
    const file = scenario(`protocol: ${FAMILIES}\nconfig: { mode: ok }\nclients: { count: 2, ops: 3 }\nexpect: { safety: hold, liveness: { within: 1000 } }`);
    const outcome = await runCli(['run', file, '--json']);
    expect(outcome.stderr).toBe('');
    const result = JSON.parse(outcome.stdout) as { expectMet: boolean; violations: unknown[]; summary: { clients: string } };
    expect(result.violations).toEqual([]);
    expect(result.expectMet).toBe(true);
    expect(result.summary.clients).toBe('6 operations: 6 completed, 0 gave up (outcome unknown), 0 in flight at the end');
  });
});

describe('paxsim list --protocol', () => {
  it('a module that cannot be loaded: one line, exit 2', async () => {
    expect(await refused(['list', '--protocol', './no-such-protocol.mjs'])).toMatch(/^--protocol: no module at .*no-such-protocol\.mjs$/);
  });

  it("lists a loaded protocol's checkers, by family and its own", async () => {
    const outcome = await runCli(['list', '--protocol', FAMILIES]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('\nfamilies-fixture checkers\n  slot-agreement, ballot-uniqueness, validity, integrity, acceptor-discipline, linearizability, client-liveness, no-exceptions\n');
  });
});

describe('observations a family cannot read', () => {
  it('an accept without a slot under multi-decree: one line naming the node, the event, the field and the vocabulary', async () => {
    const file = scenario(`protocol: ${FAMILIES}\nconfig: { mode: malformed }\nclients: { count: 1, ops: 1 }`);
    expect(await refused(['run', file])).toMatch(
      /^paxsim: protocol families-fixture: node A observed accept with slot undefined: must be a non-negative integer \(checker family multi-decree reads propose \{slot, command\}, promise \{ballot\}, accept \{slot, ballot, command\}, learn \{slot, command\}\)$/,
    );
  });
});

describe('definitions a JavaScript user can get wrong', () => {
  const definition = (name: string, fields: string) => {
    const file = join(FIXTURES, `tmp-${name}.mjs`);
    writeFileSync(file, `import { defineProtocol } from 'paxsim';\nexport default defineProtocol({ name: '${name}', createNode: () => ({}), ${fields} });\n`);
    return file;
  };
  const written: string[] = [];
  afterAll(() => {
    for (const file of written) rmSync(file, { force: true });
  });

  it.each([
    ['clients-number', 'clients: 5', /clients must be an object \{ request\?, answer\? \} \(\{\} for paxsim's client messages\)$/],
    ['clients-answer', "clients: { answer: 'reply' }", /clients\.answer must be a function$/],
    ['both-decrees', "checkers: ['single-decree', 'multi-decree']", /checkers: single-decree and multi-decree exclude each other/],
    ['checkers-string', "checkers: 'leaders'", /checkers must list checker families \(single-decree, multi-decree, leaders, state-machine, clients\)$/],
  ])('%s: refused as the module loads, one line', async (name, fields, message) => {
    const module = definition(name, fields);
    written.push(module);
    const file = scenario(`protocol: ${module}\nproposals: [{ at: 0, node: A, value: X }]`);
    const line = await refused(['run', file]);
    expect(line).toMatch(message);
    expect(line).toContain(`${module}: cannot load: defineProtocol: protocol ${name}: `);
  });
});

describe("a user protocol's messages and observations in the timeline", () => {
  it('a message that shares a type with paxsim\'s but not its fields is shown as its JSON (it crashed the run before)', () => {
    const deliver = { t: 7, type: 'deliver', from: 'B', to: 'A', id: 3, msg: { type: 'nack', promised: [2, 'C'] } } as unknown as AnyTraceEvent;
    expect(timelineLine(deliver, PLAIN)).toBe('      7  B→A       nack {"promised":[2,"C"]}  #3');
    const heartbeat = { t: 8, type: 'deliver', from: 'A', to: 'B', id: 4, msg: { type: 'heartbeat', ballot: [1, 'A'], learnedPrefix: 3 } } as unknown as AnyTraceEvent;
    expect(timelineLine(heartbeat, PLAIN)).toBe('      8  A→B       heartbeat {"ballot":[1,"A"],"learnedPrefix":3}  #4');
  });

  it('an observation without the fields the timeline knows is shown as its JSON', () => {
    const accept = { t: 9, type: 'accept', node: 'C', ballot: [1, 'A'], command: 'x' } as unknown as AnyTraceEvent;
    expect(timelineLine(accept, PLAIN)).toBe('      9  C         ● accept {"ballot":[1,"A"],"command":"x"}');
  });

  it('multi-decree proposals and term leaders read like the rest of the log', () => {
    const propose = { t: 1, type: 'propose', node: 'A', slot: 2, command: { noop: true }, ballot: [1, 'A'] } as unknown as AnyTraceEvent;
    expect(timelineLine(propose, PLAIN)).toBe('      1  A         ● propose slot 2: no-op in (1,A)');
    const leader = { t: 2, type: 'leader', node: 'B', term: 4 } as unknown as AnyTraceEvent;
    expect(timelineLine(leader, PLAIN)).toBe('      2  B         ● leader of term 4');
  });
});
