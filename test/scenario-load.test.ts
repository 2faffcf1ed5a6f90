import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenarioText } from '../src/scenario/load.js';
import type { LoadResult } from '../src/scenario/problems.js';
import { runCli } from './helpers/cli.js';
import { useTempDir } from './helpers/temp-dir.js';

/**
 * Malformed scenarios must be reported as the user's problem: one line per
 * problem naming the file and the field (or line), exit code 2, nothing on
 * stdout, no stack trace. The same problems come out of the loader API.
 */

const temp = useTempDir('paxsim-');
const write = temp.write;

function errorsOf(result: LoadResult): readonly string[] {
  if (result.ok) throw new Error(`expected the scenario to be rejected, but it loaded: ${JSON.stringify(result.scenario)}`);
  return result.errors;
}

/** stderr split into its lines; fails unless it ends with exactly one newline. */
function stderrLines(stderr: string): string[] {
  expect(stderr.endsWith('\n'), `stderr ends with a newline: ${JSON.stringify(stderr)}`).toBe(true);
  return stderr.slice(0, -1).split('\n');
}

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/\b[A-Z][A-Za-z]*Error\b/);
  expect(text).not.toMatch(/\bError:/);
  expect(text).not.toContain('node:internal');
  expect(text).not.toContain('.ts:');
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Problem {
  /** The field path the line must name, after the file (and optional line). */
  readonly field: string;
  /** Where the field sits in the file, when the loader can tell. */
  readonly line?: number;
  readonly says: string;
}

interface Case {
  readonly name: string;
  readonly file: string;
  readonly text: string;
  readonly problems: readonly Problem[];
}

const BASE = 'name: broken\nnodes: [A, B, C]\n';

const CASES: readonly Case[] = [
  {
    name: 'missing nodes',
    file: 'no-nodes.yaml',
    text: 'name: broken\nproposals: []\n',
    problems: [{ field: 'nodes', says: 'is required' }],
  },
  {
    name: 'unknown node in a fault',
    file: 'unknown-node.yaml',
    text: `${BASE}faults:\n  - { at: 5, crash: Z }\n`,
    problems: [{ field: 'faults[0].crash', line: 4, says: 'unknown node "Z"' }],
  },
  {
    name: 'drop: 1.5',
    file: 'drop.yaml',
    text: `${BASE}network: { drop: 1.5 }\n`,
    problems: [{ field: 'network.drop', line: 3, says: 'probability between 0 and 1' }],
  },
  {
    name: 'negative at',
    file: 'negative-at.yaml',
    text: `${BASE}faults:\n  - { at: -5, crash: A }\n`,
    problems: [{ field: 'faults[0].at', line: 4, says: 'must be a non-negative integer' }],
  },
  {
    name: 'unknown fault kind',
    file: 'explode.yaml',
    text: `${BASE}faults:\n  - { at: 5, explode: C }\n`,
    problems: [{ field: 'faults[0].explode', line: 4, says: 'unknown fault kind "explode"' }],
  },
  {
    name: 'misspelled top-level key',
    file: 'typo.yaml',
    text: 'name: broken\nnodse: [A, B, C]\n',
    problems: [
      { field: 'nodes', says: 'is required' },
      { field: 'nodse', line: 2, says: 'did you mean "nodes"?' },
    ],
  },
  {
    name: 'crash of an already-crashed node',
    file: 'double-crash.yaml',
    text: `${BASE}faults:\n  - { at: 5, crash: B }\n  - { at: 9, crash: B }\n`,
    problems: [{ field: 'faults[1].crash', line: 5, says: '"B" is already crashed' }],
  },
];

/** The one-line rendering of a problem: `file[:line]: field: …message…`. */
function problemPattern(file: string, problem: Problem): RegExp {
  const where = problem.line === undefined ? `${escape(file)}(:\\d+)?` : `${escape(file)}:${problem.line}`;
  return new RegExp(`^${where}: ${escape(problem.field)}: .*${escape(problem.says)}`);
}

describe('malformed scenarios: loader API', () => {
  for (const testCase of CASES) {
    it(`${testCase.name}: parseScenarioText reports each problem on one line with file and field`, () => {
      const errors = errorsOf(parseScenarioText(testCase.text, testCase.file));
      expect(errors).toHaveLength(testCase.problems.length);
      testCase.problems.forEach((problem, index) => {
        const error = errors.find((line) => problemPattern(testCase.file, problem).test(line));
        expect(error, `problem ${index} (${problem.field}) in ${JSON.stringify(errors)}`).toBeDefined();
      });
      for (const error of errors) expect(error).not.toContain('\n');
    });

    it(`${testCase.name}: loadScenarioFile reports the same problems, naming the path`, () => {
      const file = write(testCase.file, testCase.text);
      const errors = errorsOf(loadScenarioFile(file));
      expect(errors).toEqual(errorsOf(parseScenarioText(testCase.text, file)));
      for (const problem of testCase.problems) {
        expect(errors.some((line) => problemPattern(file, problem).test(line)), `${problem.field} in ${JSON.stringify(errors)}`).toBe(true);
      }
    });
  }

  it('YAML syntax error: one line naming the file, line and column, saying "syntax error"', () => {
    const errors = errorsOf(parseScenarioText('name: broken\nnodes: [A, B\nuntil: 5\n', 'syntax.yaml'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const error of errors) {
      expect(error).toMatch(/^syntax\.yaml:\d+:\d+: syntax error: \S/);
      expect(error).not.toContain('\n');
    }
  });

  it('duplicate key: a syntax-level problem, one line with file and line', () => {
    const errors = errorsOf(parseScenarioText('name: a\nnodes: [A]\nname: b\n', 'dup.yaml'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^dup\.yaml:3:\d+: syntax error: .*unique/);
  });

  it('empty file: one line saying it is empty', () => {
    expect(errorsOf(parseScenarioText('', 'empty.yaml'))).toEqual([expect.stringMatching(/^empty\.yaml: .*empty/)]);
    // A file of comments only is empty too.
    expect(errorsOf(parseScenarioText('# nothing here\n\n', 'empty.yaml'))).toEqual([expect.stringMatching(/^empty\.yaml: .*empty/)]);
  });

  it('missing file and directory: one line naming the path', () => {
    const missing = path.join(temp.path, 'does-not-exist.yaml');
    expect(errorsOf(loadScenarioFile(missing))).toEqual([`${missing}: no such file`]);
    const directory = fs.mkdtempSync(path.join(temp.path, 'a-directory-'));
    expect(errorsOf(loadScenarioFile(directory))).toEqual([expect.stringMatching(new RegExp(`^${escape(directory)}: .*directory`))]);
  });

  it('a file with several problems lists them all, one line each', () => {
    const text = [
      'name: broken',
      'nodes: [A, B, C]',
      'network: { drop: 1.5 }',
      'faults:',
      '  - { at: -1, crash: A }',
      '  - { at: 3, explode: C }',
      'untl: 5',
      '',
    ].join('\n');
    const errors = errorsOf(parseScenarioText(text, 'many.yaml'));
    expect(errors).toHaveLength(4);
    const expected: Problem[] = [
      { field: 'network.drop', line: 3, says: 'probability' },
      { field: 'faults[0].at', line: 5, says: 'non-negative integer' },
      { field: 'faults[1].explode', line: 6, says: 'unknown fault kind "explode"' },
      { field: 'untl', line: 7, says: 'did you mean "until"?' },
    ];
    for (const problem of expected) {
      expect(errors.filter((line) => problemPattern('many.yaml', problem).test(line)), problem.field).toHaveLength(1);
    }
  });
});

describe('malformed scenarios: CLI', () => {
  async function expectUsageError(file: string, patterns: readonly RegExp[]): Promise<void> {
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expectNoStackTrace(outcome.stderr);
    const lines = stderrLines(outcome.stderr);
    expect(lines, outcome.stderr).toHaveLength(patterns.length);
    for (const pattern of patterns) {
      expect(lines.filter((line) => pattern.test(line)), `${pattern} in ${outcome.stderr}`).toHaveLength(1);
    }
  }

  for (const testCase of CASES) {
    it(`${testCase.name}: exit 2, one stderr line per problem naming file and field`, async () => {
      const file = write(`cli-${testCase.file}`, testCase.text);
      await expectUsageError(
        file,
        testCase.problems.map((problem) => problemPattern(file, problem)),
      );
    });
  }

  it('YAML syntax error: exit 2, one line naming the file and line', async () => {
    const file = write('cli-syntax.yaml', 'name: broken\nnodes: [A, B\nuntil: 5\n');
    await expectUsageError(file, [new RegExp(`^${escape(file)}:\\d+:\\d+: syntax error: \\S`)]);
  });

  it('empty file: exit 2, one line naming the file', async () => {
    const file = write('cli-empty.yaml', '');
    await expectUsageError(file, [new RegExp(`^${escape(file)}: .*empty`)]);
  });

  it('missing file: exit 2, one line naming the file', async () => {
    const file = path.join(temp.path, 'cli-missing.yaml');
    await expectUsageError(file, [new RegExp(`^${escape(file)}: no such file$`)]);
  });

  it('a directory: exit 2, one line naming it', async () => {
    const directory = fs.mkdtempSync(path.join(temp.path, 'cli-temp.path-'));
    await expectUsageError(directory, [new RegExp(`^${escape(directory)}: .*directory`)]);
  });

  it('several problems: all listed, one line each', async () => {
    const file = write(
      'cli-many.yaml',
      'name: broken\nnodes: [A, B, C]\nnetwork: { drop: 1.5 }\nfaults:\n  - { at: -1, crash: A }\n  - { at: 3, explode: C }\nuntl: 5\n',
    );
    await expectUsageError(file, [
      problemPattern(file, { field: 'network.drop', line: 3, says: 'probability' }),
      problemPattern(file, { field: 'faults[0].at', line: 5, says: 'non-negative integer' }),
      problemPattern(file, { field: 'faults[1].explode', line: 6, says: 'unknown fault kind' }),
      problemPattern(file, { field: 'untl', line: 7, says: 'did you mean "until"?' }),
    ]);
  });
});

describe('a valid scenario', () => {
  it('loads and normalizes: sorted nodes, roles defaulting to all nodes, default network and until', () => {
    const file = write(
      'valid.yaml',
      [
        'name: valid',
        'nodes: [C, A, E, B, D]',
        'proposals:',
        '  - { at: 0, node: B, value: 7 }',
        'faults:',
        '  - { at: 10, partition: [[D, A], [C]] }',
        '  - { at: 20, crash: E }',
        '  - { at: 30, restart: E }',
        '  - { at: 40, heal: all }',
        '',
      ].join('\n'),
    );
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const scenario = loaded.scenario;
    expect(scenario.name).toBe('valid');
    expect(scenario.protocol).toBe('paxos');
    expect(scenario.nodes).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(scenario.roles).toEqual({
      proposers: ['A', 'B', 'C', 'D', 'E'],
      acceptors: ['A', 'B', 'C', 'D', 'E'],
      learners: ['A', 'B', 'C', 'D', 'E'],
    });
    expect(scenario.network).toEqual({ delay: { distribution: 'uniform', min: 1, max: 10 }, drop: 0, duplicate: 0 });
    expect(scenario.untilMs).toBe(10_000);
    expect(scenario.seed).toBe(1);
    expect(scenario.proposals).toEqual([{ at: 0, node: 'B', value: '7', ballot: undefined }]);
    expect(scenario.faults).toEqual([
      { at: 10, kind: 'partition', groups: [['A', 'D'], ['C']] },
      { at: 20, kind: 'crash', node: 'E' },
      { at: 30, kind: 'restart', node: 'E' },
      { at: 40, kind: 'heal' },
    ]);
    expect(scenario.expect.safety).toBe('hold');
    expect(scenario.expect.chosen).toBeUndefined();
    expect(scenario.expect.liveness).toBeUndefined();
  });

  it('sorts listed roles and keeps unlisted roles at all nodes; JSON loads like YAML', () => {
    const file = write(
      'valid.json',
      JSON.stringify({ name: 'json', nodes: ['n3', 'n1', 'n2'], roles: { acceptors: ['n3', 'n1'] }, until: 500 }),
    );
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    expect(loaded.scenario.nodes).toEqual(['n1', 'n2', 'n3']);
    expect(loaded.scenario.roles).toEqual({ proposers: ['n1', 'n2', 'n3'], acceptors: ['n1', 'n3'], learners: ['n1', 'n2', 'n3'] });
    expect(loaded.scenario.untilMs).toBe(500);
  });
});
