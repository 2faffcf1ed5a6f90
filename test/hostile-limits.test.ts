import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatVerdict } from '../src/cli/verdict.js';
import { stylesFor } from '../src/cli/io.js';
import { runScenario } from '../src/run/runner.js';
import { LIMITS } from '../src/scenario/limits.js';
import { scenarioJsonSchema } from '../src/scenario/schema.js';
import { runCli, type CliOutcome } from './helpers/cli.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';
import { useTempDir } from './helpers/temp-dir.js';

/**
 * Every size a user can write is bounded: a scenario file or a flag just past
 * a limit is bad input (exit 2, one line naming the file or flag and the
 * field, no stack trace), and a run at the limits stays bounded. Inputs here
 * are small: just over each limit, never the gigabytes the limits prevent.
 */

const temp = useTempDir('paxsim-limits-');
const write = temp.write;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function nodeIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `n${index}`);
}

/** Exit 2, nothing on stdout, exactly one line on stderr matching `pattern`, no stack trace. */
function expectOneLine(outcome: CliOutcome, pattern: RegExp): void {
  expect(outcome.code, outcome.stderr).toBe(2);
  expect(outcome.stdout).toBe('');
  expect(outcome.stderr.endsWith('\n')).toBe(true);
  const lines = outcome.stderr.slice(0, -1).split('\n');
  expect(lines, outcome.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
  expect(outcome.stderr).not.toContain('internal error');
}

/** `paxsim run` on a file with `text`: exit 2 with one line `file:line: field: …says…`. */
async function expectFieldProblem(name: string, text: string, field: string, says: string): Promise<void> {
  const file = write(name, text);
  expectOneLine(await runCli(['run', file]), new RegExp(`^${escape(file)}:\\d+: ${escape(field)}: .*${escape(says)}`));
}

const BASE = 'name: limits\nnodes: [A, B, C]\n';
const MULTIPAXOS = 'name: limits\nprotocol: multipaxos\nnodes: [A, B, C]\n';

describe('scenario sizes: just over each limit is bad input naming the field', () => {
  it(`nodes: at most ${LIMITS.nodes}`, async () => {
    await expectFieldProblem('nodes.yaml', `name: limits\nnodes: [${nodeIds(LIMITS.nodes + 1).join(', ')}]\n`, 'nodes', `must list at most ${LIMITS.nodes}`);
  });

  it(`clients.count at most ${LIMITS.clients}, ops at most ${LIMITS.opsPerClient}, keys at most ${LIMITS.keys} (1e9 each used to abort)`, async () => {
    await expectFieldProblem('count.yaml', `${MULTIPAXOS}clients: { count: ${LIMITS.clients + 1}, ops: 1 }\n`, 'clients.count', `must be at most ${LIMITS.clients}`);
    await expectFieldProblem('ops.yaml', `${MULTIPAXOS}clients: { count: 1, ops: ${LIMITS.opsPerClient + 1} }\n`, 'clients.ops', `must be at most ${LIMITS.opsPerClient}`);
    await expectFieldProblem('keys.yaml', `${MULTIPAXOS}clients: { count: 1, ops: 1, keys: ${LIMITS.keys + 1} }\n`, 'clients.keys', `must be at most ${LIMITS.keys}`);
    const keyList = Array.from({ length: LIMITS.keys + 1 }, (_, index) => `k${index}`).join(', ');
    await expectFieldProblem('key-list.yaml', `${MULTIPAXOS}clients: { count: 1, ops: 1, keys: [${keyList}] }\n`, 'clients.keys', `must list at most ${LIMITS.keys} keys`);
    const huge = await runCli(['run', write('billion.yaml', `${MULTIPAXOS}clients: { count: 1000000000, ops: 1 }\n`)]);
    expect(huge.code).toBe(2);
  });

  it('explicit clients: at most as many clients, and operations per client, as the counted form', async () => {
    const clients = Array.from({ length: LIMITS.clients + 1 }, (_, index) => `  - { id: c${index}, ops: [{ get: x }] }`).join('\n');
    await expectFieldProblem('client-list.yaml', `${MULTIPAXOS}clients:\n${clients}\n`, 'clients', `must list at most ${LIMITS.clients} clients`);
    const ops = Array.from({ length: LIMITS.opsPerClient + 1 }, () => '{ get: x }').join(', ');
    await expectFieldProblem('op-list.yaml', `${MULTIPAXOS}clients:\n  - { id: c1, ops: [${ops}] }\n`, 'clients[0].ops', `must list at most ${LIMITS.opsPerClient} operations`);
  });

  it(`proposals and faults: at most ${LIMITS.proposals} and ${LIMITS.faults} entries`, async () => {
    const proposals = Array.from({ length: LIMITS.proposals + 1 }, () => '  - { at: 0, node: A, value: X }').join('\n');
    await expectFieldProblem('proposals.yaml', `${BASE}proposals:\n${proposals}\n`, 'proposals', `must list at most ${LIMITS.proposals} proposals`);
    const faults = Array.from({ length: LIMITS.faults + 1 }, () => '  - { at: 1, heal: all }').join('\n');
    await expectFieldProblem('faults.yaml', `${BASE}faults:\n${faults}\n`, 'faults', `must list at most ${LIMITS.faults} faults`);
  });

  it(`maxEvents at most ${LIMITS.maxEvents}; until and every other virtual time at most ${LIMITS.virtualMs} ms`, async () => {
    await expectFieldProblem('max-events.yaml', `${BASE}maxEvents: ${LIMITS.maxEvents + 1}\n`, 'maxEvents', `must be at most ${LIMITS.maxEvents}`);
    await expectFieldProblem('max-events-huge.yaml', `${BASE}maxEvents: 1e15\n`, 'maxEvents', `must be at most ${LIMITS.maxEvents}`);
    await expectFieldProblem('until.yaml', `${BASE}until: ${LIMITS.virtualMs + 1}\n`, 'until', `must be at most ${LIMITS.virtualMs}`);
    await expectFieldProblem('delay.yaml', `${BASE}network: { delay: { min: 1, max: ${LIMITS.virtualMs + 1} } }\n`, 'network.delay.max', `must be at most ${LIMITS.virtualMs}`);
    await expectFieldProblem('seed.yaml', `${BASE}seed: 9007199254740992\n`, 'seed', 'must be a non-negative integer');
    await expectFieldProblem('retry.yaml', `${BASE}paxos: { retryMs: ${LIMITS.virtualMs + 1} }\n`, 'paxos.retryMs', `must be at most ${LIMITS.virtualMs}`);
  });

  it(`nemesis: faultsPerSecond at most ${LIMITS.faultsPerSecond}, windowMs at most ${LIMITS.virtualMs}, and their product bounded (1e12 used to take 4.6 GB)`, async () => {
    await expectFieldProblem('rate.yaml', `${BASE}nemesis: { faultsPerSecond: ${LIMITS.faultsPerSecond + 1} }\n`, 'nemesis.faultsPerSecond', `must be at most ${LIMITS.faultsPerSecond}`);
    await expectFieldProblem('rate-inf.yaml', `${BASE}nemesis: { faultsPerSecond: .inf }\n`, 'nemesis.faultsPerSecond', 'must be');
    await expectFieldProblem('window.yaml', `${BASE}nemesis: { windowMs: 1e12 }\n`, 'nemesis.windowMs', `must be at most ${LIMITS.virtualMs}`);
    // Each within its own bound, but together about 20,000 faults a seed.
    await expectFieldProblem('product.yaml', `${BASE}nemesis: { faultsPerSecond: 1000, windowMs: 20000 }\nuntil: 30000\n`, 'nemesis.faultsPerSecond', `at most ${LIMITS.nemesisFaultsPerWindow}`);
    // The default rate (4/s) over a long window: the window is what to lower.
    await expectFieldProblem('long-window.yaml', `${BASE}nemesis: { windowMs: 100000 }\nuntil: 103000\n`, 'nemesis.windowMs', `at most ${LIMITS.nemesisFaultsPerWindow}`);
    // Just inside: loads.
    const rate = LIMITS.nemesisFaultsPerWindow / 2;
    expect(scenarioFromYaml(`${BASE}nemesis: { faultsPerSecond: ${rate}, windowMs: 2000 }\nuntil: 5000\n`).nemesis?.faultsPerSecond).toBe(rate);
  });

  it('string lengths: names, node ids, values, keys, descriptions, bug names', async () => {
    await expectFieldProblem('name.yaml', `name: ${'n'.repeat(LIMITS.name + 1)}\nnodes: [A]\n`, 'name', `must be at most ${LIMITS.name} characters`);
    await expectFieldProblem('node-id.yaml', `name: limits\nnodes: [${'A'.repeat(LIMITS.idLength + 1)}]\n`, 'nodes[0]', `must be at most ${LIMITS.idLength} characters`);
    await expectFieldProblem('value.yaml', `${BASE}proposals: [{ at: 0, node: A, value: ${'v'.repeat(LIMITS.valueLength + 1)} }]\n`, 'proposals[0].value', `at most ${LIMITS.valueLength} characters`);
    await expectFieldProblem('description.yaml', `${BASE}description: ${'d'.repeat(LIMITS.description + 1)}\n`, 'description', `must be at most ${LIMITS.description} characters`);
    await expectFieldProblem('bug.yaml', `${BASE}bug: ${'b'.repeat(LIMITS.idLength + 1)}\n`, 'bug', `must be at most ${LIMITS.idLength} characters`);
    await expectFieldProblem(
      'key.yaml',
      `${MULTIPAXOS}clients: [{ id: c1, ops: [{ get: ${'k'.repeat(LIMITS.idLength + 1)} }] }]\n`,
      'clients[0].ops[0].get',
      `must be at most ${LIMITS.idLength} characters`,
    );
  });

  it(`a file with thousands of problems prints the first ${LIMITS.problemsShown} and counts the rest`, async () => {
    const faults = Array.from({ length: 500 }, (_, index) => `  - { at: ${index}, crash: Z${index} }`).join('\n');
    const file = write('many-problems.yaml', `${BASE}faults:\n${faults}\n`);
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    const lines = outcome.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(LIMITS.problemsShown + 1);
    expect(lines[0]).toMatch(new RegExp(`^${escape(file)}:\\d+: faults\\[0\\]\\.crash: unknown node "Z0"`));
    expect(lines.at(-1)).toBe(`${file}: … and ${500 - LIMITS.problemsShown} more problems`);
  });
});

describe('scenario input: bounded reading, YAML bombs, nesting', () => {
  it('/dev/zero: refused at once, one line, without reading it whole', async () => {
    expectOneLine(await runCli(['run', '/dev/zero']), /^\/dev\/zero: is a character device, not a regular file/);
  });

  it('a FIFO without a writer: refused at once, no hang', async () => {
    const fifo = path.join(temp.path, 'scenario.fifo');
    execFileSync('mkfifo', [fifo]);
    expectOneLine(await runCli(['run', fifo]), new RegExp(`^${escape(fifo)}: is a FIFO`));
  });

  it('a directory: one line', async () => {
    expectOneLine(await runCli(['run', temp.path]), new RegExp(`^${escape(temp.path)}: is a directory`));
  });

  it(`a file over ${LIMITS.scenarioBytes} bytes is refused; one of exactly that size loads`, async () => {
    const scenario = `${BASE}proposals: [{ at: 0, node: A, value: X }]\n`;
    const padded = (size: number) => scenario + '#'.repeat(size - scenario.length - 1) + '\n';
    const tooBig = write('too-big.yaml', padded(LIMITS.scenarioBytes + 1));
    expect(fs.statSync(tooBig).size).toBe(LIMITS.scenarioBytes + 1);
    expectOneLine(await runCli(['run', tooBig]), new RegExp(`^${escape(tooBig)}: is larger than ${LIMITS.scenarioBytes} bytes`));
    const justRight = write('just-right.yaml', padded(LIMITS.scenarioBytes));
    const outcome = await runCli(['run', justRight, '--json']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
  });

  it('a YAML alias bomb is bad input (exit 2), not an internal error', async () => {
    const level = (name: string, of: string) => `${name}: &${name} [${Array.from({ length: 9 }, () => of).join(', ')}]`;
    const bomb = [BASE.trimEnd(), level('a', '"x"'), level('b', '*a'), level('c', '*b'), level('d', '*c'), level('e', '*d'), level('f', '*e'), ''].join('\n');
    const file = write('bomb.yaml', bomb);
    expectOneLine(await runCli(['run', file]), new RegExp(`^${escape(file)}: too many YAML alias expansions`));
  });

  it('100,000-deep nesting: one line, no stack overflow', async () => {
    const depth = 100_000;
    const file = write('deep.yaml', `name: limits\nnodes: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expectOneLine(await runCli(['run', file]), new RegExp(`^${escape(file)}:2:\\d+: nesting too deep`));
    const mappings = write('deep-map.yaml', `name: limits\nnodes: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`);
    expectOneLine(await runCli(['run', mappings]), new RegExp(`^${escape(mappings)}:2:\\d+: nesting too deep`));
  });

  it(`nesting just past ${LIMITS.nestingDepth} levels: one line with its line number`, async () => {
    // The top-level mapping is level 1, so this list nests limit + 1 levels deep.
    const depth = LIMITS.nestingDepth;
    const file = write('deep-65.yaml', `name: limits\nnodes: [A]\nextra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expectOneLine(await runCli(['run', file]), new RegExp(`^${escape(file)}:3: nesting too deep: .*at most ${LIMITS.nestingDepth} levels`));
    // One level less is within the limit: the schema, not the nesting check, reports it.
    const within = write('deep-64.yaml', `name: limits\nnodes: [A]\nextra: ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}\n`);
    expectOneLine(await runCli(['run', within]), /extra: unknown key "extra"/);
  });
});

describe('flags: strict numbers with maxima', () => {
  const fuzz = (...flags: string[]) => runCli(['fuzz', 'scenarios/seed-example.yaml', '--workers', '0', '--no-progress', '--out', temp.path, ...flags]);

  it('--fault-rate: Infinity, NaN, exponents and negatives are refused; above the maximum too', async () => {
    for (const text of ['Infinity', 'NaN', '1e3', '-1', '0x10', '']) {
      expectOneLine(await fuzz('--nemesis', '--fault-rate', text), /^--fault-rate: must be a non-negative number/);
    }
    expectOneLine(await fuzz('--nemesis', '--fault-rate', String(LIMITS.faultsPerSecond + 1)), new RegExp(`^--fault-rate: must be at most ${LIMITS.faultsPerSecond}`));
  });

  it('--window and --quiet-tail: at most one virtual day; 1e20 is not a duration', async () => {
    expectOneLine(await fuzz('--nemesis', '--window', '1e20'), /^--window: must be a duration/);
    expectOneLine(await fuzz('--nemesis', '--window', '100000000000000000000'), new RegExp(`^--window: must be at most ${LIMITS.virtualMs} ms`));
    expectOneLine(await fuzz('--nemesis', '--quiet-tail', `${LIMITS.virtualMs + 1}`), new RegExp(`^--quiet-tail: must be at most ${LIMITS.virtualMs} ms`));
    expectOneLine(await fuzz('--time', '1'.padEnd(400, '0') + 'h'), /^--time: must be at most \d+ ms/);
  });

  it('--fault-rate × --window: the product is bounded as in a scenario file, naming both flags', async () => {
    expectOneLine(await fuzz('--nemesis', '--fault-rate', '1000', '--window', '20s'), new RegExp(`^--fault-rate and --window \\(scenario seed-example\\): .*at most ${LIMITS.nemesisFaultsPerWindow}`));
  });

  it('--max-down: less than the number of nodes', async () => {
    expectOneLine(await fuzz('--nemesis', '--max-down', '5'), /^--max-down: must be less than the number of nodes of scenario seed-example \(5\)/);
  });

  it('--from 9007199254740991: every seed of the run must stay a safe integer', async () => {
    const largest = String(Number.MAX_SAFE_INTEGER);
    expectOneLine(await fuzz('--from', largest), /^--seeds: the last seed, .*would pass 9007199254740991/);
    expectOneLine(await fuzz('--from', largest, '--seeds', '2'), /^--seeds: the last seed/);
    expectOneLine(await fuzz('--from', '9007199254740992', '--seeds', '1'), /^--from: must be a non-negative integer/);
    const last = await fuzz('--from', largest, '--seeds', '1', '--json');
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout).seeds).toBe(1);
  });

  it('--time near the largest seed: the run ends at the last safe seed (no exit 3)', async () => {
    const outcome = await fuzz('--from', String(Number.MAX_SAFE_INTEGER - 2), '--time', '60s', '--json');
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(JSON.parse(outcome.stdout).seeds).toBe(3);
  });

  it('--workers above the core count: capped at the core count, with a note', async () => {
    const outcome = await runCli(['fuzz', 'scenarios/seed-example.yaml', '--workers', '1000', '--seeds', '4', '--no-progress', '--json', '--out', temp.path]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(JSON.parse(outcome.stdout).workers).toBe(availableParallelism());
    expect(outcome.stderr).toBe(`paxsim: --workers 1000: using ${availableParallelism()}, the number of cores\n`);
  });

  it('--shard: n must be a safe integer', async () => {
    expectOneLine(await fuzz('--shard', '1/99999999999999999999'), /^--shard: must be i\/n/);
  });
});

describe('runs at the limits stay bounded', () => {
  it(`${LIMITS.nodes} nodes (the maximum) with default settings: completes, every learner learns`, () => {
    const scenario = scenarioFromYaml(`name: widest\nnodes: [${nodeIds(LIMITS.nodes).join(', ')}]\nproposals: [{ at: 0, node: n0, value: X }]\n`);
    const result = runScenario(scenario, { hash: false });
    expect(result.outcome.stoppedBy).not.toBe('max-trace-events');
    expect(Object.keys(result.learned)).toHaveLength(LIMITS.nodes);
    expect(result.expectation.met).toBe(true);
  });

  it('a run stops at its trace-event bound: a prefix of the full trace, reported as such', () => {
    // Every acceptor's accepted goes to every learner: many trace events per processed event.
    const scenario = scenarioFromYaml(`name: fan-out\nnodes: [${nodeIds(20).join(', ')}]\nproposals: [{ at: 0, node: n0, value: X }]\nexpect: { liveness: { within: 5000 } }\n`);
    const full = runScenario(scenario, { record: true });
    const bound = 300;
    expect(full.eventCount).toBeGreaterThan(bound * 2);
    const capped = runScenario(scenario, { record: true, maxTraceEvents: bound });
    expect(capped.outcome.stoppedBy).toBe('max-trace-events');
    // It stops after the processed event that crossed the bound: at most one broadcast more.
    expect(capped.eventCount).toBeGreaterThanOrEqual(bound);
    expect(capped.eventCount).toBeLessThan(bound + 4 * 20);
    expect(capped.events).toEqual(full.events!.slice(0, capped.eventCount));
    expect(capped.expectation.met).toBe(false);
    expect(capped.expectation.checks.find((check) => check.what.startsWith('liveness'))?.detail).toContain('trace-event limit');
    expect(formatVerdict(capped, 'paxsim run', stylesFor(0))).toContain(`stopped at the trace-event limit (${LIMITS.traceEvents})`);
    // A caller cannot raise the bound above the limit.
    const raised = runScenario(shippedScenario('seed-example'), { maxTraceEvents: Number.MAX_SAFE_INTEGER });
    expect(raised.outcome.stoppedBy).toBe('quiescent');
  });
});

describe('limits are documented', () => {
  it('the JSON schema carries them, so editors show them', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, { maxItems?: number; maximum?: number; maxLength?: number }> };
    expect(schema.properties['nodes']?.maxItems).toBe(LIMITS.nodes);
    expect(schema.properties['maxEvents']?.maximum).toBe(LIMITS.maxEvents);
    expect(schema.properties['until']?.maximum).toBe(LIMITS.virtualMs);
    expect(schema.properties['faults']?.maxItems).toBe(LIMITS.faults);
    expect(schema.properties['name']?.maxLength).toBe(LIMITS.name);
  });

  it("the README's Limits table gives every limit", () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const start = readme.indexOf('### Limits');
    expect(start).toBeGreaterThan(-1);
    const section = readme.slice(start, readme.indexOf('\n#', start + 1));
    for (const [name, value] of Object.entries(LIMITS)) {
      expect(section, `${name} = ${value}`).toContain(value.toLocaleString('en-US'));
    }
  });
});
