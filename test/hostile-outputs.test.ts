import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InterruptWatch } from '../src/cli/interrupt.js';
import type { CliIo } from '../src/cli/io.js';
import { formatSeconds, ProgressDisplay } from '../src/cli/progress.js';
import { shellCommand, shellQuote } from '../src/util/shell-quote.js';
import { runCli } from './helpers/cli.js';
import { failureFileStem, safeFileName, writeFailure } from '../src/run/failure-files.js';
import { runScenario } from '../src/run/runner.js';
import { loadScenarioFile, validateScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/scenario.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'paxsim-outputs-'));
}

/** A scenario built the way a loaded file is, so only strings the schema accepts get in. */
function scenarioFrom(input: Record<string, unknown>): Scenario {
  const loaded = validateScenario(input, { file: 'generated.yaml', lineOf: () => undefined });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}

/** Write a failure file, load it back: the same scenario must come back, and replay to the same trace hash. */
function expectRoundTrip(scenario: Scenario, directory = tempDir()): void {
  const written = writeFailure(scenario, scenario.seed, undefined, directory, [`found by: ${scenario.name}`]);
  expect(written.problem).toBeNull();
  expect(readdirSync(directory).sort()).toEqual([written.htmlFile, written.scenarioFile, written.traceFile].map((file) => file.slice(directory.length + 1)).sort());
  const loaded = loadScenarioFile(written.scenarioFile);
  if (!loaded.ok) throw new Error(`${written.scenarioFile} does not load:\n${loaded.errors.join('\n')}\n${readFileSync(written.scenarioFile, 'utf8')}`);
  expect(loaded.scenario.name).toBe(scenario.name);
  expect(loaded.scenario.description).toBe(scenario.description);
  const replayed = runScenario(loaded.scenario, { record: true });
  expect(replayed.traceHash).toBe(written.result.traceHash);
}

const nodeId = fc.stringMatching(/^[A-Za-z0-9_.-]{1,6}$/);
/** Any string at all, lone surrogates and control characters included: JSON scenario files can carry them. */
const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('X\nmaxEvents: 5 #', '\r\n#', "it's", '$HOME `x`', '- a', '"', 'null', '1e3', '0x10', 'true', '~', '', ' ', '\u2028', '\ufeff', '\ud800', 'a\udfffb'));

describe('failure files round-trip for any text the schema accepts', () => {
  it('a value with a newline does not break the header comment (the issue: "X\\nmaxEvents: 5 #")', () => {
    const scenario = scenarioFrom({
      name: 'newline',
      nodes: ['A', 'B', 'C'],
      proposals: [{ at: 0, node: 'A', value: 'X\nmaxEvents: 5 #' }],
      expect: { chosen: 'Y' },
    });
    expectRoundTrip(scenario);
  });

  it('property: names, descriptions, values and node ids', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.option(anyText, { nil: undefined }),
        fc.uniqueArray(nodeId, { minLength: 1, maxLength: 4 }),
        fc.array(anyText, { minLength: 1, maxLength: 3 }),
        fc.nat(1000),
        (name, description, nodes, values, seed) => {
          const scenario = scenarioFrom({
            name,
            ...(description === undefined ? {} : { description }),
            nodes,
            seed,
            proposals: values.map((value, index) => ({ at: index, node: nodes[index % nodes.length], value })),
            until: 2000,
            expect: { chosen: values[0] },
          });
          expectRoundTrip(scenario);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('Multi-Paxos failure files round-trip any key and value', () => {
  it('property: client ids, keys and values of put, get and cas', () => {
    const op = fc.oneof(
      fc.record({ put: fc.record({ key: anyText, value: anyText }) }),
      fc.record({ get: anyText }),
      fc.record({ cas: fc.record({ key: anyText, expected: fc.option(anyText, { nil: null }), value: anyText }) }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), fc.uniqueArray(nodeId, { minLength: 1, maxLength: 2 }), fc.array(op, { minLength: 1, maxLength: 3 }), (name, clientIds, ops) => {
        const scenario = scenarioFrom({
          name,
          protocol: 'multipaxos',
          nodes: ['R1', 'R2', 'R3'],
          clients: clientIds.map((id) => ({ id: `client-${id}`, ops })),
          until: 3000,
        });
        expectRoundTrip(scenario);
      }),
      { numRuns: 25 },
    );
  });
});

describe('failure file names', () => {
  it('never leave --out: a name with ../ or / becomes one plain file name', () => {
    const directory = join(tempDir(), 'out');
    for (const name of ['../../escaped-dir/pwn', 'sub/dir', '/etc/passwd', '..', '.hidden', '-rf', 'a\\b']) {
      const scenario = scenarioFrom({ name, nodes: ['A', 'B', 'C'], proposals: [{ at: 0, node: 'A', value: 'X' }], until: 500 });
      const written = writeFailure(scenario, 1, undefined, directory, []);
      expect(written.problem).toBeNull();
      expect(written.scenarioFile.startsWith(directory + '/')).toBe(true);
      expect(written.scenarioFile.slice(directory.length + 1)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*\.yaml$/);
    }
    expect(readdirSync(join(directory, '..'))).toEqual(['out']);
  });

  it('a directory that refuses files is a problem value, not a crash (the fuzz summary still prints)', () => {
    const scenario = scenarioFrom({ name: 'refused', nodes: ['A', 'B', 'C'], proposals: [{ at: 0, node: 'A', value: 'X' }], until: 500 });
    const written = writeFailure(scenario, 1, undefined, '/proc/x', []);
    expect(written.problem).toBe('cannot create directory /proc/x (ENOENT)');
  });

  it('keeps plain names as they are and different names apart', () => {
    expect(safeFileName('fuzz-default')).toBe('fuzz-default');
    expect(safeFileName('a/b')).not.toBe(safeFileName('a:b'));
    expect(safeFileName('x'.repeat(5000)).length).toBeLessThan(100);
    expect(failureFileStem('fuzz-default', undefined, 3)).toBe('fuzz-default-seed-3');
    expect(failureFileStem('fuzz-default', 'same-ballot', 3)).toBe('fuzz-default-same-ballot-seed-3');
  });
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

function builtBinary(): string {
  expect(existsSync(MAIN), `${MAIN} missing: run \`npm run build\` first`).toBe(true);
  return MAIN;
}

function quietEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['FORCE_COLOR'];
  return env;
}

/** A copy of the default fuzz scenario under another name (and file path). */
function fuzzScenarioNamed(name: string, file: string): string {
  const text = readFileSync(join(ROOT, 'scenarios', 'fuzz-default.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${JSON.stringify(name)}`);
  writeFileSync(file, text.replace(/^# yaml-language-server.*$/m, ''));
  return file;
}

/** The words a POSIX shell makes of a printed command line. */
function shellWords(line: string): string[] {
  const result = spawnSync('sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout.split('\0').slice(0, -1);
}

function lineAfter(label: string, text: string): string {
  const line = text.split('\n').find((candidate) => candidate.startsWith(label));
  expect(line, `no "${label}" line in:\n${text}`).toBeDefined();
  return line!.slice(label.length).trim();
}

describe('fuzz failure files: names from user text stay inside --out', () => {
  it.each(['../../escaped-dir/pwn', 'sub/dir'])('a scenario named %s writes (and shrinks) into --out, exit 1, nothing lost', async (name) => {
    const base = tempDir();
    const out = join(base, 'deep', 'out');
    const scenario = fuzzScenarioNamed(name, join(base, 'scenario.yaml'));
    const result = await runCli(['fuzz', scenario, '--bug', 'same-ballot', '--seeds', '50', '--workers', '0', '--out', out]);
    expect(result.stderr).not.toContain('internal error');
    expect(result.code).toBe(1);
    const files = readdirSync(out);
    expect(files.filter((file) => file.endsWith('.min.yaml'))).toHaveLength(1);
    expect(files.filter((file) => file.endsWith('.yaml'))).toHaveLength(2);
    expect(readdirSync(base).sort()).toEqual(['deep', 'scenario.yaml']);
    expect(readdirSync(join(base, 'deep'))).toEqual(['out']);
    const replay = shellWords(lineAfter('replay', result.stdout));
    expect(replay.slice(0, 2)).toEqual(['paxsim', 'run']);
    const replayed = await runCli(['run', replay[2]!, '--json']);
    expect(replayed.code).toBe(1);
    expect(JSON.parse(replayed.stdout).scenario).toBe(name);
  });

  it('names the bug in the file, so runs with different bugs share one --out', async () => {
    const out = tempDir();
    for (const bug of ['same-ballot', 'ignore-accepted']) {
      const result = await runCli(['fuzz', '--bug', bug, '--seeds', '50', '--workers', '0', '--out', out]);
      expect(result.code).toBe(1);
    }
    const files = readdirSync(out);
    for (const bug of ['same-ballot', 'ignore-accepted']) {
      expect(files.some((file) => new RegExp(`^fuzz-default-${bug}-seed-\\d+\\.yaml$`).test(file)), files.join(' ')).toBe(true);
      expect(files.some((file) => new RegExp(`^fuzz-default-${bug}-seed-\\d+\\.min\\.yaml$`).test(file)), files.join(' ')).toBe(true);
    }
  });
});

describe('output paths are checked before anything runs: exit 2, one line', () => {
  const dir = tempDir();
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'x');
  const cases: [string, string[], string][] = [
    ['fuzz --out an existing file', ['fuzz', '--seeds', '5', '--workers', '0', '--out', aFile], `--out ${aFile}: is not a directory`],
    ['fuzz --out /sys/x', ['fuzz', '--seeds', '5', '--workers', '0', '--out', '/sys/x/y'], '--out /sys/x/y: cannot create directory /sys/x'],
    ['fuzz --out /proc/x (recursive mkdir loops there)', ['fuzz', '--seeds', '5', '--workers', '0', '--out', '/proc/x'], '--out /proc/x: cannot create directory /proc/x (ENOENT)'],
    ['fuzz --junit /proc/x/y.xml', ['fuzz', '--seeds', '5', '--workers', '0', '--out', dir, '--junit', '/proc/x/y.xml'], '--junit /proc/x/y.xml: cannot create directory /proc/x (ENOENT)'],
    ['fuzz --junit a directory', ['fuzz', '--seeds', '5', '--workers', '0', '--out', dir, '--junit', dir], `--junit ${dir}: is a directory`],
    ['run --trace /proc/x/t.jsonl', ['run', '--trace', '/proc/x/t.jsonl'], '--trace /proc/x/t.jsonl: cannot create directory /proc/x (ENOENT)'],
    ['run --html under a file', ['run', '--html', join(aFile, 'x.html')], `--html ${join(aFile, 'x.html')}: ${aFile} is not a directory`],
    ['run --shiviz a directory', ['run', '--shiviz', dir], `--shiviz ${dir}: is a directory`],
    ['replay --trace /proc/x', ['replay', join(ROOT, 'scenarios', 'seed-example.yaml'), '--trace', '/proc/x'], '--trace /proc/x: cannot create (ENOENT)'],
    ['shrink --out /proc/x/y.yaml', ['shrink', join(ROOT, 'scenarios', 'seed-example.yaml'), '--out', '/proc/x/y.yaml'], '--out /proc/x/y.yaml: cannot create directory /proc/x (ENOENT)'],
    ['replay --html /sys/x.html', ['replay', join(ROOT, 'scenarios', 'seed-example.yaml'), '--html', '/sys/x.html'], '--html /sys/x.html: cannot create'],
  ];
  it.each(cases)('%s', async (_, argv, message) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });

  it('creates missing directories for a writable --trace path, and leaves no probe behind on a refused one', async () => {
    const trace = join(dir, 'new', 'deeper', 'run.jsonl');
    expect((await runCli(['run', '--quiet', '--trace', trace])).code).toBe(0);
    expect(readFileSync(trace, 'utf8')).toContain('"type":"meta"');
    expect((await runCli(['fuzz', '--seeds', '5', '--workers', '0', '--out', join(dir, 'fresh', 'out'), '--junit', join(dir, 'fresh', 'j.xml')])).code).toBe(0);
    expect(readdirSync(join(dir, 'fresh'))).toEqual(['j.xml']);
  });
});

describe('report files that fail to write never mask the verdict', () => {
  it('--junit /dev/full with failures: exit 1, summary printed, one line about the JUnit file', async () => {
    const out = tempDir();
    const result = await runCli(['fuzz', '--bug', 'same-ballot', '--seeds', '50', '--workers', '0', '--no-shrink', '--out', out, '--junit', '/dev/full']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('── fuzz summary ──');
    expect(result.stdout).toMatch(/^replay\s+paxsim run /m);
    expect(result.stderr.trimEnd().split('\n')).toEqual(['--junit /dev/full: cannot write (ENOSPC)']);
  });

  it('--junit /dev/full without failures: exit 2, not 0', async () => {
    const result = await runCli(['fuzz', 'scenarios/lossy-network.yaml', '--seeds', '5', '--workers', '0', '--out', tempDir(), '--junit', '/dev/full']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('── fuzz summary ──');
  });
});

describe('printed commands paste into a shell as they are', () => {
  const hostile = ["plain.yaml", 'with space.yaml', "it's.yaml", 'dollar $HOME.yaml', 'back`tick`.yaml', 'quote".yaml', 'new\nline.yaml', '', '-', "'", "a'b'c"];
  it.each(hostile)('shellQuote(%j) is one word', (word) => {
    expect(shellWords(`x ${shellQuote(word)} y`)).toEqual(['x', word, 'y']);
  });

  it('run, replay, fuzz (found by, replay, JUnit) quote a path with spaces, quotes and $', async () => {
    const dir = join(tempDir(), "it's a $dir");
    mkdirSync(dir);
    const scenario = join(dir, 'my "scen".yaml');
    copyFileSync(join(ROOT, 'scenarios', 'seed-example.yaml'), scenario);
    const ran = await runCli(['run', scenario, '--quiet']);
    expect(shellWords(lineAfter('replay', ran.stdout))).toEqual(['paxsim', 'run', scenario, '--seed', '1']);
    const replayed = await runCli(['replay', scenario]);
    expect(shellWords(lineAfter('replay', replayed.stdout))).toEqual(['paxsim', 'replay', scenario, '--seed', '1']);

    const fuzzed = fuzzScenarioNamed('fuzz default', join(dir, 'fuzz $x.yaml'));
    const out = join(dir, 'out dir');
    const junit = join(dir, "j'unit.xml");
    const result = await runCli(['fuzz', fuzzed, '--bug', 'same-ballot', '--seeds', '50', '--workers', '0', '--out', out, '--junit', junit]);
    expect(result.code).toBe(1);
    const replay = shellWords(lineAfter('replay', result.stdout));
    expect(replay.slice(0, 2)).toEqual(['paxsim', 'run']);
    expect(replay[2]!.startsWith(out + '/')).toBe(true);
    expect(replay[2]!.endsWith('.min.yaml')).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    const junitReplay = /replay: (.*)<\/failure>/.exec(xml)![1]!.replace(/&apos;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expect(shellWords(junitReplay)).toEqual(replay);
    const failureFile = replay[2]!.replace(/\.min\.yaml$/, '.yaml');
    const header = readFileSync(failureFile, 'utf8');
    const foundBy = shellWords(lineAfter('# found by:', header));
    expect(foundBy).toEqual(['paxsim', 'fuzz', fuzzed, '--from', foundBy[4]!, '--seeds', '1', '--bug', 'same-ballot']);
    expect(shellWords(lineAfter('# replay:', header))).toEqual(['paxsim', 'run', failureFile]);
    expect(shellWords(lineAfter('# replay:', readFileSync(replay[2]!, 'utf8')))).toEqual(replay);
    expect(shellCommand(['paxsim', 'run', 'a b'])).toBe("paxsim run 'a b'");
  });
});

describe('the `found by` command reproduces the seed', () => {
  it('carries the nemesis flags that shaped the schedule, and running it fails the same seed the same way', async () => {
    const out = tempDir();
    const flags = ['--bug', 'same-ballot', '--faults', 'crash, partition', '--window', '1500', '--no-swarm'];
    const result = await runCli(['fuzz', ...flags, '--seeds', '200', '--workers', '0', '--no-shrink', '--out', out, '--json']);
    expect(result.code).toBe(1);
    const written = JSON.parse(result.stdout).written[0];
    const foundBy = shellWords(lineAfter('# found by:', readFileSync(written.file, 'utf8')));
    expect(foundBy).toEqual(['paxsim', 'fuzz', 'scenarios/fuzz-default.yaml', '--from', String(written.seed), '--seeds', '1', '--bug', 'same-ballot', '--window', '1500', '--faults', 'crash, partition', '--no-swarm']);
    const again = await runCli([...foundBy.slice(1), '--workers', '0', '--no-shrink', '--out', tempDir(), '--json']);
    expect(again.code).toBe(1);
    const rerun = JSON.parse(again.stdout).written[0];
    expect([rerun.seed, rerun.checker, rerun.message]).toEqual([written.seed, written.checker, written.message]);
  });
});

describe('--keep-going: every failing seed is accounted for in text mode', () => {
  it('lists the seeds without files and counts failures by checker per scenario', async () => {
    const argv = ['fuzz', '--bug', 'same-ballot', '--keep-going', '--seeds', '150', '--workers', '0', '--no-shrink'];
    const json = JSON.parse((await runCli([...argv, '--json', '--out', tempDir()])).stdout);
    const failing: number[] = json.scenarios[0].failingSeeds;
    expect(failing.length).toBeGreaterThan(20);
    const text = (await runCli([...argv, '--out', tempDir()])).stdout;
    const counts = Object.entries(json.scenarios[0].failuresByChecker as Record<string, number>).map(([kind, count]) => `${kind} ${count}`).join(', ');
    expect(text).toContain(`failing     fuzz-default: ${failing.length} seeds (${counts})`);
    const writtenSeeds = [...text.matchAll(/^failure\s+fuzz-default seed (\d+):/gm)].map((match) => Number(match[1]));
    expect(writtenSeeds).toEqual(failing.slice(0, 20));
    const rest = /(\d+) more, not written: seeds ([\d, ]+)/.exec(text);
    expect(rest, text).not.toBeNull();
    expect(Number(rest![1])).toBe(failing.length - 20);
    expect(rest![2]!.split(', ').map(Number)).toEqual(failing.slice(20));
  });
});

describe('the fuzz progress line', () => {
  function capture(): { io: CliIo; text: () => string } {
    let text = '';
    return { io: { stdout: () => {}, stderr: (chunk) => (text += chunk), isTTY: true, env: {} }, text: () => text };
  }

  it('shows no ETA before the first seed is done (was 50000000000m00s)', () => {
    let nowMs = 0;
    const { io, text } = capture();
    const display = new ProgressDisplay(io, true, () => nowMs);
    display.update({ seedsRun: 0, failures: 0, seedsPlanned: 1000 });
    expect(text()).toContain('ETA …');
    expect(text()).not.toMatch(/\d{4,}m/);
    nowMs = 2000;
    display.update({ seedsRun: 100, failures: 0, seedsPlanned: 1000 });
    expect(text()).toContain('50 seeds/s');
    expect(text()).toContain('ETA 18s');
  });

  it('formats long and endless durations sensibly', () => {
    expect(formatSeconds(59.7)).toBe('1m00s');
    expect(formatSeconds(119.6)).toBe('2m00s');
    expect(formatSeconds(5 * 3600 + 120)).toBe('5h02m');
    expect(formatSeconds(Infinity)).toBe('…');
  });
});

describe('signals: ones that arrive together count once', () => {
  it('a second signal within the settle time is the same keypress; a later one quits', () => {
    let nowMs = 0;
    const events: string[] = [];
    const watch = new InterruptWatch({ acknowledge: (signal) => events.push(`ack ${signal}`), quitNow: (signal) => events.push(`quit ${signal}`), nowMs: () => nowMs });
    expect(watch.stopRequested).toBe(false);
    watch.receive('SIGINT');
    watch.receive('SIGINT');
    nowMs = 999;
    watch.receive('SIGINT');
    expect(events).toEqual(['ack SIGINT']);
    expect(watch.stopRequested).toBe(true);
    nowMs = 1000;
    watch.receive('SIGINT');
    expect(events).toEqual(['ack SIGINT', 'quit SIGINT']);
  });

  /** Starts a long keep-going fuzz of a planted bug; resolves once its first progress line shows it is running. */
  function longFuzz(prefix: string[], shrink = false): { child: ReturnType<typeof spawn>; out: string; started: Promise<void>; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
    const out = tempDir();
    const [command, ...args] = [...prefix, process.execPath, builtBinary(), 'fuzz', '--bug', 'same-ballot', '--keep-going', '--seeds', '100000000', '--workers', '1', ...(shrink ? [] : ['--no-shrink']), '--out', out];
    const child = spawn(command!, args, { cwd: ROOT, env: quietEnv() });
    let stdout = '';
    let stderr = '';
    let resolveStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (resolveStarted = resolve));
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('fuzz: ')) resolveStarted();
    });
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    return { child, out, started, done };
  }

  function expectWrittenAndSummarized(result: { code: number | null; stdout: string; stderr: string }, out: string): void {
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('── fuzz summary (interrupted) ──');
    expect(result.stdout).toMatch(/more, not written: seeds/);
    expect(readdirSync(out).filter((file) => /^fuzz-default-same-ballot-seed-\d+\.yaml$/.test(file))).toHaveLength(20);
    expect(result.stderr).not.toContain('quitting at once');
  }

  it.concurrent('`kill -INT` to `timeout 120 paxsim fuzz` (SIGINT to paxsim and to its group: two at once) stops, writes and summarizes', async () => {
    const run = longFuzz(['timeout', '120']);
    await run.started;
    run.child.kill('SIGINT');
    expectWrittenAndSummarized(await run.done, run.out);
  }, 60_000);

  it.concurrent('two SIGINTs 50 ms apart (one keypress, forwarded twice) count once: no exit 130, files and summary written', async () => {
    const run = longFuzz([]);
    await run.started;
    run.child.kill('SIGINT');
    setTimeout(() => run.child.kill('SIGINT'), 50);
    expectWrittenAndSummarized(await run.done, run.out);
  }, 60_000);

  it.concurrent('SIGTERM stops, writes and summarizes too', async () => {
    const run = longFuzz([], true);
    await run.started;
    run.child.kill('SIGTERM');
    const result = await run.done;
    expectWrittenAndSummarized(result, run.out);
    // Stopping means stopping: the first failure is written unshrunk, with the command that shrinks it.
    expect(result.stderr).toMatch(/interrupted, so not shrunk; shrink it with: paxsim shrink \S+-seed-\d+\.yaml/);
    expect(readdirSync(run.out).some((file) => file.endsWith('.min.yaml'))).toBe(false);
  }, 60_000);
});

describe('stdout and stderr write errors', () => {
  it('`paxsim run > /dev/full` is exit 2 with one line, no stack trace (was exit 1, "violation")', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = spawnSync(process.execPath, [builtBinary(), 'run'], { cwd: ROOT, env: quietEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 20_000 });
      expect(result.status).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toEqual(['paxsim: cannot write to stdout (ENOSPC)']);
    } finally {
      closeSync(full);
    }
  });

  it('a failing fuzz with stdout on a full disk still writes its failure files, and exits 2, never 1', () => {
    const full = openSync('/dev/full', 'w');
    const out = tempDir();
    try {
      const result = spawnSync(process.execPath, [builtBinary(), 'fuzz', '--bug', 'same-ballot', '--seeds', '50', '--workers', '0', '--no-shrink', '--out', out], { cwd: ROOT, env: quietEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 30_000 });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('paxsim: cannot write to stdout (ENOSPC)');
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(readdirSync(out).some((file) => file.endsWith('.yaml'))).toBe(true);
    } finally {
      closeSync(full);
    }
  });

  it('`paxsim run | head -1`: the reader leaving (EPIPE) ends quietly with the verdict\'s exit code', async () => {
    for (const [argv, verdict] of [[['run'], 0], [['run', 'scenarios/fuzz-default.yaml', '--bug', 'ignore-accepted'], 1]] as const) {
      const child = spawn(process.execPath, [builtBinary(), ...argv], { cwd: ROOT, env: quietEnv() });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(verdict);
    }
  });
});
