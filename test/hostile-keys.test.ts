import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextRound } from '../src/protocols/paxos/ballot.js';
import { printable } from '../src/trace/format.js';
import { InvariantError } from '../src/util/assert.js';
import { runCli } from './helpers/cli.js';
import { outputLines, writeTraceFile } from './helpers/trace-files.js';
import { useTempDir } from './helpers/temp-dir.js';

/**
 * Hostile user text: names that collide with Object.prototype (`__proto__`,
 * `constructor`, `toString`), terminal escape sequences, and ballots near
 * 2^53. Each is handled like any other input: no wrong verdict, no lost
 * result, no raw escape reaching the terminal, no arithmetic past safe integers.
 */

const temp = useTempDir('paxsim-hostile-keys-');
const writeFile = temp.write;

function traceEvents(file: string): Array<Record<string, unknown>> {
  return outputLines(fs.readFileSync(file, 'utf8')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString'] as const;

describe('names that are Object.prototype properties', () => {
  it('a single-decree run with node ids __proto__, constructor, toString reports every learner, in text and --json', async () => {
    const file = writeFile(
      'proto-nodes.yaml',
      `name: proto-nodes
nodes: [__proto__, constructor, toString]
proposals: [ { at: 0, node: constructor, value: X } ]
until: 3000
expect: { chosen: X, liveness: { within: 2000 } }
`,
    );
    const json = await runCli(['run', file, '--json']);
    expect(json.code).toBe(0);
    const verdict = JSON.parse(json.stdout) as { learned: Record<string, string>; chosen: string };
    expect(verdict.chosen).toBe('X');
    expect(Object.keys(verdict.learned).sort()).toEqual([...PROTOTYPE_NAMES].sort());
    for (const node of PROTOTYPE_NAMES) expect(Object.getOwnPropertyDescriptor(verdict.learned, node)?.value).toBe('X');

    const text = await runCli(['run', file, '--quiet', '--no-color']);
    expect(text.code).toBe(0);
    const learnedLine = text.stdout.split('\n').find((line) => line.startsWith('learned'))!;
    for (const node of PROTOTYPE_NAMES) expect(learnedLine).toMatch(new RegExp(`${node} "X" t=\\d+`));
    expect(text.stdout).not.toContain('undefined');
  });

  it('check of that run\'s trace reports the same learners', async () => {
    const scenario = writeFile('proto-nodes-2.yaml', `name: proto-nodes-2\nnodes: [__proto__, constructor, toString]\nproposals: [ { at: 0, node: __proto__, value: Y } ]\n`);
    const trace = path.join(temp.path, 'proto-nodes-2.jsonl');
    expect((await runCli(['run', scenario, '--quiet', '--trace', trace])).code).toBe(0);
    const checked = await runCli(['check', trace, '--json']);
    expect(checked.code).toBe(0);
    const learned = (JSON.parse(checked.stdout) as { learned: Record<string, string> }).learned;
    expect(Object.entries(learned).sort()).toEqual(PROTOTYPE_NAMES.map((node) => [node, 'Y']).sort());
  });

  it('Multi-Paxos: a client named __proto__ puts then gets key __proto__ and reads its write; linearizability holds', async () => {
    const file = writeFile(
      'proto-kv.yaml',
      `name: proto-kv
protocol: multipaxos
nodes: [A, B, C]
clients:
  - id: __proto__
    ops: [ {put: {key: __proto__, value: v1}}, {get: __proto__}, {put: {key: constructor, value: v2}}, {get: constructor}, {cas: {key: toString, expected: null, value: v3}}, {get: toString} ]
  - id: constructor
    ops: [ {get: hasOwnProperty}, {cas: {key: valueOf, expected: null, value: q}}, {get: valueOf} ]
until: 3000
expect: { safety: hold, liveness: { within: 2000 } }
`,
    );
    const trace = path.join(temp.path, 'proto-kv.jsonl');
    const result = await runCli(['run', file, '--json', '--trace', trace]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { violations: unknown[] }).violations).toEqual([]);
    const reads = traceEvents(trace)
      .filter((event) => event['type'] === 'complete' && (event['op'] as { kind: string }).kind === 'get')
      .map((event) => [(event['op'] as { key: string }).key, event['result']]);
    // Before the store was prototype-free, the write to __proto__ was lost and this read null.
    expect(new Map(reads as Array<[string, unknown]>)).toEqual(
      new Map<string, unknown>([
        ['hasOwnProperty', null],
        ['__proto__', 'v1'],
        ['valueOf', 'q'],
        ['constructor', 'v2'],
        ['toString', 'v3'],
      ]),
    );
    const applies = traceEvents(trace).filter((event) => event['type'] === 'apply' && event['duplicate'] === true);
    expect(applies).toEqual([]);

    const checked = await runCli(['check', trace, '--json']);
    expect(checked.code).toBe(0);
    expect((JSON.parse(checked.stdout) as { violations: unknown[] }).violations).toEqual([]);
  });

  it('Multi-Paxos replicas named __proto__, constructor, toString: run and check count every replica\'s applied slots', async () => {
    const file = writeFile(
      'proto-replicas.yaml',
      `name: proto-replicas
protocol: multipaxos
nodes: [__proto__, constructor, toString]
clients: { count: 2, ops: 5, keys: [__proto__, valueOf] }
until: 3000
expect: { safety: hold, liveness: { within: 2000 } }
`,
    );
    const trace = path.join(temp.path, 'proto-replicas.jsonl');
    const run = await runCli(['run', file, '--quiet', '--no-color', '--trace', trace]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/applied: __proto__ (\d+) · constructor \1 · toString \1\n/);
    const checked = await runCli(['check', trace, '--json']);
    expect(checked.code).toBe(0);
    const applied = (JSON.parse(checked.stdout) as { applied: Record<string, number> }).applied;
    expect(Object.keys(applied)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(new Set(Object.values(applied))).toEqual(new Set([10]));
  });

  const MULTIPAXOS_META = { type: 'meta', scenario: 'proto', nodes: ['A', 'B', 'C'], protocol: 'multipaxos', clients: ['__proto__', 'constructor'] };
  const put = { kind: 'put', key: '__proto__', value: 'a' };
  const get = { kind: 'get', key: '__proto__' };
  const command = { client: '__proto__', requestId: 1, op: put };
  function protoHistory(readResult: string | null): unknown[] {
    return [
      MULTIPAXOS_META,
      { t: 0, type: 'leader', node: 'A', ballot: [1, 'A'] },
      { t: 0, type: 'invoke', node: '__proto__', client: '__proto__', requestId: 1, op: put },
      { t: 2, type: 'accept', node: 'A', slot: 0, ballot: [1, 'A'], command },
      { t: 3, type: 'accept', node: 'B', slot: 0, ballot: [1, 'A'], command },
      { t: 4, type: 'learn', node: 'A', slot: 0, command },
      { t: 4, type: 'apply', node: 'A', slot: 0, command, result: 'ok' },
      { t: 5, type: 'complete', node: '__proto__', client: '__proto__', requestId: 1, op: put, result: 'ok' },
      { t: 7, type: 'invoke', node: 'constructor', client: 'constructor', requestId: 1, op: get },
      { t: 9, type: 'complete', node: 'constructor', client: 'constructor', requestId: 1, op: get, result: readResult },
      { t: 10, type: 'constructor', node: 'A' },
      { t: 11, type: 'toString' },
      { t: 12, type: 'constructor' },
    ];
  }

  it('check on a Multi-Paxos trace with client ids and keys __proto__/constructor: a read of the write passes, a lost write fails', async () => {
    const good = await runCli(['check', writeTraceFile(temp.path, 'proto-good.jsonl', protoHistory('a')), '--json']);
    expect(good.code).toBe(0);
    const goodJson = JSON.parse(good.stdout) as { violations: unknown[]; ignoredTypes: Record<string, number> };
    expect(goodJson.violations).toEqual([]);
    expect(goodJson.ignoredTypes).toEqual({ constructor: 2, toString: 1 });

    const lost = await runCli(['check', writeTraceFile(temp.path, 'proto-lost.jsonl', protoHistory(null)), '--no-color']);
    expect(lost.code).toBe(1);
    expect(lost.stdout).toMatch(/✗ linearizability/);
  });

  it('check reports a sane ignored-types note for event types __proto__, constructor, toString', async () => {
    const trace = writeTraceFile(temp.path, 'proto-types.jsonl', [
      { type: 'meta', nodes: ['A', 'B', 'C'] },
      { t: 0, type: 'propose', node: 'A', value: 'v', ballot: [1, 'A'] },
      { t: 1, type: 'constructor', node: 'A' },
      { t: 2, type: 'toString' },
      { t: 3, type: '__proto__' },
      { t: 4, type: 'constructor' },
    ]);
    const text = await runCli(['check', trace, '--no-color']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('ignored 4 events of types outside the trace format: "constructor" ×2, "toString" ×1, "__proto__" ×1\n');
    const json = await runCli(['check', trace, '--json']);
    const ignored = (JSON.parse(json.stdout) as { ignoredTypes: Record<string, number> }).ignoredTypes;
    expect(Object.entries(ignored)).toEqual([
      ['constructor', 2],
      ['toString', 1],
      ['__proto__', 1],
    ]);
  });
});

describe('ballot rounds near 2^53', () => {
  const MAX = 2 ** 48;
  const dueling = (round: number) => `name: big-ballots
nodes: [A, B, C]
proposals: [ { at: 0, node: A, value: X, ballot: ${round} }, { at: 0, node: B, value: Y, ballot: ${round} }, { at: 0, node: C, value: Z, ballot: ${round} } ]
faults: [ { at: 0, partition: [[A], [B], [C]] }, { at: 1000, heal: all } ]
until: 6000
expect: { chosen: any, liveness: { within: 3000 } }
`;

  it('a proposal ballot above 2^48 is bad input naming the field (before, rounds saturated at 2^53 and check rejected the run\'s own trace)', async () => {
    const file = writeFile('ballot-too-big.yaml', dueling(9007199254740990));
    const result = await runCli(['run', file, '--quiet']);
    expect(result.code).toBe(2);
    expect(outputLines(result.stderr)).toEqual(
      [0, 1, 2].map((index) => `${file}:3: proposals[${index}].ballot: must be a positive integer at most 2^48 (281474976710656)`),
    );
    expect((await runCli(['run', writeFile('ballot-one-over.yaml', dueling(MAX + 1)), '--quiet'])).code).toBe(2);
  });

  it('a run at the largest allowed ballot, with retries, writes a trace that check accepts', async () => {
    const file = writeFile('ballot-max.yaml', dueling(MAX));
    const trace = path.join(temp.path, 'ballot-max.jsonl');
    const result = await runCli(['run', file, '--json', '--trace', trace]);
    expect(result.code).toBe(0);
    const proposes = traceEvents(trace).filter((event) => event['type'] === 'propose');
    const rounds = proposes.map((event) => (event['ballot'] as [number, string])[0]);
    // The partition makes every proposer retry: the rounds really grew past the starting one.
    expect(Math.max(...rounds)).toBeGreaterThan(MAX + 2);
    const checked = await runCli(['check', trace, '--liveness-within', '3000', '--json']);
    expect(checked.code).toBe(0);
    expect((JSON.parse(checked.stdout) as { violations: unknown[] }).violations).toEqual([]);
  });

  it('fuzzing a nemesis scenario at the largest allowed ballot holds on every seed', async () => {
    const file = writeFile(
      'ballot-max-fuzz.yaml',
      `name: ballot-max-fuzz
nodes: [A, B, C, D, E]
proposals: [ { at: 0, node: A, value: X, ballot: ${MAX} }, { at: 5, node: B, value: Y, ballot: ${MAX} } ]
nemesis: {}
expect: { liveness: { within: 2000 } }
`,
    );
    const result = await runCli(['fuzz', file, '--seeds', '100', '--workers', '1', '--out', path.join(temp.path, 'fuzz-out'), '--json']);
    expect(result.code).toBe(0);
  });

  it('round arithmetic asserts rather than lose exactness past 2^53 - 1', () => {
    expect(nextRound(MAX, 3)).toBe(MAX + 1);
    expect(nextRound(Number.MAX_SAFE_INTEGER - 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => nextRound(Number.MAX_SAFE_INTEGER)).toThrow(InvariantError);
  });
});

describe('check reads only exact ballot rounds', () => {
  it('a trace whose ballot round is past 2^53 - 1 is bad input naming the line and field', async () => {
    const trace = writeTraceFile(temp.path, 'unsafe-round.jsonl', [
      { type: 'meta', nodes: ['A', 'B', 'C'] },
      '{"t":0,"type":"propose","node":"A","value":"v","ballot":[9007199254740993,"A"]}',
    ]);
    const result = await runCli(['check', trace]);
    expect(result.code).toBe(2);
    expect(outputLines(result.stderr)).toEqual([
      `${trace}:2: propose.ballot: must be a ballot [round, "node"] (an integer round and a string id) or a bare integer round, got [9007199254740992,"A"]`,
    ]);
  });
});

describe('escape sequences in user text never reach the terminal raw', () => {
  // OSC (set the window title), CSI clear screen, a bidi override, a C1 CSI, a line break, DEL.
  const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u202e\u009b31m\nX\u007f';
  const SHOWN = '\\x1b]0;pwned\\x07\\x1b[2J\\u202e\\x9b31m\\nX\\x7f';
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  function expectPrintable(text: string): void {
    expect(text).not.toMatch(RAW);
  }

  it('printable() escapes C0, DEL, C1, bidi controls and line separators, and leaves other text alone', () => {
    expect(printable(EVIL)).toBe(SHOWN);
    expect(printable('\t\r\u2028\u2066\u061c\u200f')).toBe('\\t\\r\\u2028\\u2066\\u061c\\u200f');
    expect(printable('plain "ascii" C:\\path ünïcödé → ✓ 日本')).toBe('plain "ascii" C:\\path ünïcödé → ✓ 日本');
  });

  function evilScenario(name: string, extra = ''): string {
    return writeFile(
      `${name}.json`,
      JSON.stringify({
        name: `${name}${EVIL}`,
        nodes: ['A', 'B', 'C'],
        proposals: [
          { at: 0, node: 'A', value: `v${EVIL}` },
          { at: 0, node: 'B', value: `w${EVIL}` },
        ],
        ...(extra === 'nemesis'
          ? { nemesis: {} }
          : {
              faults: [
                { at: 1, crash: 'C' },
                { at: 50, restart: 'C' },
              ],
              until: 2000,
            }),
      }),
    );
  }

  it('run (timeline and verdict, with and without colour), replay with state tables, diff', async () => {
    const file = evilScenario('evil-run');
    for (const env of [{}, { FORCE_COLOR: '1' }] as Array<Record<string, string>>) {
      const run = await runCli(['run', file], { env });
      expect(run.code).toBe(0);
      // Colour codes are ours: strip exactly chalk's SGR sequences, then nothing raw may remain.
      expectPrintable(run.stdout.replace(/\u001b\[\d+(;\d+)*m/g, ''));
      expect(run.stdout).toContain(`● propose "v${SHOWN}" with ballot (1,A)`);
    }
    const replay = await runCli(['replay', file, '--bug', 'same-ballot', '--until-violation', '--state-at', '10']);
    expectPrintable(replay.stdout);
    expect(replay.stdout).toContain(`"v${SHOWN}"`);
    const diff = await runCli(['diff', file, '--seeds', '1,2']);
    expectPrintable(diff.stdout);
  });

  it('Multi-Paxos keys and values, and check on a trace whose node ids, values and event types carry escapes', async () => {
    const kv = writeFile(
      'evil-kv.json',
      JSON.stringify({
        name: 'evil-kv',
        protocol: 'multipaxos',
        nodes: ['A', 'B', 'C'],
        clients: [{ id: 'c1', ops: [{ put: { key: `k${EVIL}`, value: `v${EVIL}` } }, { get: `k${EVIL}` }] }],
        until: 2000,
      }),
    );
    const run = await runCli(['run', kv]);
    expect(run.code).toBe(0);
    expectPrintable(run.stdout);
    expect(run.stdout).toContain(`put k${SHOWN}="v${SHOWN}"`);
    const replay = await runCli(['replay', kv, '--state-at', '200']);
    expectPrintable(replay.stdout);

    const trace = writeTraceFile(temp.path, 'evil-trace.jsonl', [
      { type: 'meta', scenario: `s${EVIL}`, nodes: [`n${EVIL}`, 'B', 'C'], bug: `b${EVIL}` },
      { t: 0, type: 'propose', node: `n${EVIL}`, value: `v${EVIL}`, ballot: [1, `n${EVIL}`] },
      { t: 1, type: 'accept', node: `n${EVIL}`, value: `v${EVIL}`, ballot: [1, `n${EVIL}`] },
      { t: 1, type: 'accept', node: 'B', value: `v${EVIL}`, ballot: [1, `n${EVIL}`] },
      { t: 2, type: 'learn', node: 'C', value: `w${EVIL}` },
      { t: 3, type: `odd${EVIL}` },
      { t: 4, type: 'violation', checker: 'ballot-uniqueness', message: `m${EVIL}` },
    ]);
    const checked = await runCli(['check', trace]);
    expect(checked.code).toBe(1);
    expectPrintable(checked.stdout);
    expect(checked.stdout).toContain(`do not reproduce: m${SHOWN}`);
    // A recorded violation of a checker paxsim does not have is bad input; its name is escaped there too.
    const foreign = writeTraceFile(temp.path, 'evil-foreign.jsonl', [
      { type: 'meta', nodes: ['A', 'B', 'C'] },
      { t: 4, type: 'violation', checker: `c${EVIL}`, message: `m${EVIL}` },
    ]);
    const refused = await runCli(['check', foreign]);
    expect(refused.code).toBe(2);
    expectPrintable(refused.stderr);
    expect(refused.stderr).toContain(`violation.checker: "c${SHOWN}" is not one of`);
    expect(checked.stdout).toContain(`chosen    "v${SHOWN}" in ballot (1,n${SHOWN})`);
    // JSON output stays JSON: the raw text, escaped the JSON way.
    const json = await runCli(['check', trace, '--json']);
    expect((JSON.parse(json.stdout) as { chosen: string }).chosen).toBe(`v${EVIL}`);
  });

  it('fuzz failure lines, failure file names and their header comments; the written file replays', async () => {
    const file = evilScenario('evil-fuzz', 'nemesis');
    const out = path.join(temp.path, 'evil-fuzz-out');
    const fuzzed = await runCli(['fuzz', file, '--bug', 'same-ballot', '--seeds', '50', '--workers', '1', '--out', out]);
    expect(fuzzed.code).toBe(1);
    expectPrintable(fuzzed.stdout + fuzzed.stderr);
    expect(fuzzed.stdout).toContain(`failure     evil-fuzz${SHOWN} seed`);
    const written = fs.readdirSync(out);
    expect(written.length).toBeGreaterThan(0);
    // Unsafe characters in the scenario name become `_`, with a hash of the original so distinct names stay distinct; the bug is in the name.
    for (const name of written) expect(name).toMatch(/^evil-fuzz_+0_pwned_+2J_+31m_X_-[0-9a-f]{8}-same-ballot-seed-\d+(\.min)?(\.yaml|\.trace\.jsonl|\.html)$/);
    const failureFile = path.join(out, written.find((name) => /-seed-\d+\.yaml$/.test(name))!);
    // The header comments: a raw line break there used to end the comment and break the file.
    const comments = fs.readFileSync(failureFile, 'utf8').split('\n').filter((line) => line.startsWith('#'));
    expect(comments.some((line) => line.includes(`"v${SHOWN}"`) || line.includes(`"w${SHOWN}"`))).toBe(true);
    for (const line of comments) expectPrintable(line);
    const replayed = await runCli(['run', failureFile, '--quiet']);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toMatch(/✗ agreement/);
  });

  it('bad input: error lines name the field with the text escaped, exit 2, from scenarios, flags and unknown options', async () => {
    const bad = writeFile('evil-bad.json', JSON.stringify({ name: 'x', nodes: [`A${EVIL}`], [`bogus${EVIL}`]: 1 }));
    const result = await runCli(['run', bad]);
    expect(result.code).toBe(2);
    expectPrintable(result.stderr);
    expect(result.stderr).toContain(`bogus${SHOWN}: unknown key "bogus${SHOWN}"`);
    for (const argv of [['run', `missing${EVIL}.yaml`], ['run', '--seed', EVIL], ['run', `--x${EVIL}`], ['check', `missing${EVIL}.jsonl`]]) {
      const outcome = await runCli(argv);
      expect(outcome.code).toBe(2);
      expectPrintable(outcome.stderr);
      expect(outcome.stderr).toContain(SHOWN.slice(0, 12));
    }
  });
});
