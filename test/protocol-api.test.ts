import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './helpers/cli.js';

/**
 * The public protocol API (issue 10): user protocols loaded from a module,
 * broken modules as one line and exit 2, the determinism fence, invariants,
 * and the example protocol. The fixture modules import 'paxsim', which
 * resolves to this package's build (npm test builds first).
 */

const FIXTURES = join(import.meta.dirname, 'fixtures', 'protocols');
const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'register', 'scenarios');

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A scratch directory, removed after the file's tests. */
function scratchDir(prefix = 'paxsim-api-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

function fixtureScenario(dir: string, protocol: string, extra = 'config: { reads: none }'): string {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, `name: fixture\nprotocol: ${protocol}\nnodes: [A, B, C]\n${extra}\nproposals:\n  - { at: 0, node: A, value: X }\n`);
  return file;
}

describe('loading a user protocol', () => {
  const dir = scratchDir();
  writeFileSync(join(dir, 'no-default.mjs'), 'export const protocol = 1;\n');
  writeFileSync(join(dir, 'not-definition.mjs'), 'export default { name: "x", createNode() {} };\n');
  writeFileSync(join(dir, 'syntax.mjs'), 'export default {{;\n');
  writeFileSync(join(dir, 'async.mjs'), 'await Promise.resolve();\nexport default 1;\n');

  it.each([
    ['./missing.js', /protocol: no module at .*missing\.js$/],
    ['./no-default.mjs', /no-default\.mjs: has no default export/],
    ['./not-definition.mjs', /not-definition\.mjs: the default export is not a protocol definition/],
    ['./syntax.mjs', /syntax\.mjs: cannot load: /],
    ['./async.mjs', /async\.mjs: cannot load: it uses top-level await/],
    ['gossip', /protocol: "gossip" is neither a built-in protocol \(paxos, multipaxos, raft, cheap-paxos\) nor an installed package$/],
    ['raftt', /protocol: "raftt" is neither a built-in protocol \(paxos, multipaxos, raft, cheap-paxos\) nor an installed package \(did you mean "raft"\?\)$/],
    ['paxoss', /protocol: "paxoss" is neither a built-in protocol \(paxos, multipaxos, raft, cheap-paxos\) nor an installed package \(did you mean "paxos"\?\)$/],
  ])('%s: exit 2, one line naming the file', async (protocol, message) => {
    const file = fixtureScenario(dir, protocol);
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    const line = expectOneLine(outcome.stderr);
    expect(line).toMatch(message);
    expect(line.startsWith(`${file}: protocol`)).toBe(true);
  });

  it('a definition with a mistake a JavaScript user can make is refused as the module loads, one line', async () => {
    const file = fixtureScenario(dir, join(FIXTURES, 'bad-checkers.mjs'), '');
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toMatch(/bad-checkers\.mjs: cannot load: defineProtocol: protocol typo: checkers must list checker families \(single-decree, multi-decree, leaders, state-machine, clients\); "single-decre" is none of them$/);
  });

  it('config is validated by the definition schema, path-qualified', async () => {
    const file = fixtureScenario(dir, join(FIXTURES, 'clock-reader.js'), 'config: { reads: sometimes }');
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: config\\.reads: `));
  });

  it('a built-in protocol takes no config', async () => {
    const file = fixtureScenario(dir, 'paxos', 'config: { a: 1 }');
    const outcome = await runCli(['run', file]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toBe(`${file}: config: protocol paxos takes no config`);
  });

  it('--protocol overrides the scenario and is repeated in the replay line', async () => {
    const file = fixtureScenario(dir, 'paxos', 'config: { reads: none }');
    const protocol = join(FIXTURES, 'clock-reader.js');
    const outcome = await runCli(['run', file, '--protocol', protocol, '--quiet']);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toContain(`--protocol ${protocol}`);
  });
});

describe('the determinism fence', () => {
  const dir = scratchDir();
  it.each(['Math.random', 'Date.now', 'new Date'])('a protocol that calls %s is reported as nondeterministic (exit 2)', async (reads) => {
    const file = fixtureScenario(dir, join(FIXTURES, 'clock-reader.js'), `config: { reads: ${reads} }`);
    const outcome = await runCli(['run', file, '--quiet']);
    expect(outcome.code).toBe(2);
    const line = expectOneLine(outcome.stderr);
    expect(line).toContain(`protocol clock-reader: node A called ${reads}`);
    expect(line).toContain('nondeterministic');
  });

  it('fuzz workers load the protocol and report the same', async () => {
    const file = fixtureScenario(dir, join(FIXTURES, 'clock-reader.js'), 'config: { reads: Math.random }');
    const outcome = await runCli(['fuzz', file, '--seeds', '4', '--workers', '1', '--no-progress', '--out', join(dir, 'out')]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('called Math.random()');
  });

  it('globals are restored after a run, and the same protocol without them passes', async () => {
    const file = fixtureScenario(dir, join(FIXTURES, 'clock-reader.js'), 'config: { reads: none }');
    const outcome = await runCli(['run', file, '--quiet', '--check-determinism']);
    expect(outcome.code).toBe(0);
    expect(typeof Math.random()).toBe('number');
    expect(new Date(0).getTime()).toBe(0);
    expect(Date.now()).toBeGreaterThan(0);
  });
});

describe('effects taken apart', () => {
  it('a protocol may destructure its effects and storage (the built-in effects are methods of one object)', async () => {
    const dir = scratchDir();
    const file = fixtureScenario(dir, join(FIXTURES, 'destructured-effects.js'), '');
    const trace = join(dir, 'trace.jsonl');
    const outcome = await runCli(['run', file, '--quiet', '--trace', trace]);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const learned = readFileSync(trace, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; node?: string; value?: string }).filter((event) => event.type === 'learn');
    expect(learned.map((event) => `${event.node}=${event.value}`).sort()).toEqual(['A=X', 'B=X', 'C=X']);
  });
});

describe('state that outlives a run', () => {
  it('run runs a user protocol twice and reports a module-level counter as nondeterminism', async () => {
    const dir = scratchDir();
    const file = fixtureScenario(dir, join(FIXTURES, 'global-counter.js'), '');
    const outcome = await runCli(['run', file, '--quiet']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/^NONDETERMINISM: two runs of fixture with seed 1 gave different traces .*first divergent event #0/);
  });
});

describe('invariants', () => {
  it('a definition invariant is run after every event and reported like a checker', async () => {
    const dir = scratchDir();
    const file = fixtureScenario(dir, join(FIXTURES, 'counter-invariant.js'), '');
    const outcome = await runCli(['run', file, '--json']);
    expect(outcome.code).toBe(1);
    const json = JSON.parse(outcome.stdout) as { protocol: string; violations: { checker: string; message: string; t: number }[] };
    expect(json.protocol).toBe('double-proposer');
    expect(json.violations).toEqual([expect.objectContaining({ checker: 'propose-once', message: 'A proposed twice', t: 10 })]);
  });
});

describe('the example protocol (examples/register)', () => {
  it('runs, holds every checker and its own invariant', async () => {
    const outcome = await runCli(['run', join(EXAMPLE, 'register.yaml'), '--json']);
    expect(outcome.stderr).toBe('');
    const json = JSON.parse(outcome.stdout) as { expectMet: boolean; chosen: string | null };
    expect(json.expectMet).toBe(true);
    expect(json.chosen).toMatch(/^[XY]$/);
  });

  it('its bug flag is caught by fuzzing, and listed', async () => {
    const dir = scratchDir();
    const outcome = await runCli(['fuzz', join(EXAMPLE, 'register-nemesis.yaml'), '--bug', 'stale-read', '--seeds', '200', '--workers', '0', '--no-progress', '--out', dir]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/failure\s+register-nemesis seed \d+: agreement/);
    // Shrinking keeps the loaded protocol, and the written file loads it again from its own directory.
    const shrunk = /shrunk\s+(\S+\.min\.yaml)/.exec(outcome.stdout)?.[1];
    expect(shrunk).toBeDefined();
    const replay = await runCli(['run', shrunk!, '--json']);
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.stdout)).toMatchObject({ protocol: 'register', bug: 'stale-read', violations: [expect.objectContaining({ checker: 'agreement' })] });
    const unknown = await runCli(['run', join(EXAMPLE, 'register.yaml'), '--bug', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('--bug: unknown register bug "nope"; known: stale-read\n');
  });

  it('replay --state-at shows its own state views (it crashed reading Paxos fields before)', async () => {
    const outcome = await runCli(['replay', join(EXAMPLE, 'register.yaml'), '--seed', '2', '--state-at', '40']);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(/node\s+status\s+durable\s+volatile/);
    expect(outcome.stdout).toMatch(/\nB\s+crashed\s+\{"promised":\[1,"C"\].*\}\s+—\n/);
  });

  it('paxsim list shows the registered protocols', async () => {
    const outcome = await runCli(['list']);
    expect(outcome.stdout).toMatch(/protocols.*\n\s+paxos\s+single-decree Paxos.*\n\s+multipaxos\s+Multi-Paxos/);
  });
});

describe('paxsim init', () => {
  const ROOT = join(import.meta.dirname, '..');

  it('scaffolds a project whose TypeScript protocol compiles against the public types and holds under the nemesis', async () => {
    const dir = join(scratchDir('paxsim-init-'), 'My Protocol');
    const outcome = await runCli(['init', dir]);
    expect(outcome.code).toBe(0);
    for (const file of ['package.json', 'tsconfig.json', 'src/protocol.ts', 'scenarios/register.yaml', 'test/protocol.test.ts', 'README.md', '.gitignore']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'package.json'), 'utf8')))).toMatchObject({ name: 'my-protocol', dependencies: { paxsim: expect.stringMatching(/^\^\d+\.\d+\.\d+$/) } });
    // What npm install would give it: this package as paxsim, and Node's types.
    mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules', 'paxsim'));
    symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const run = await runCli(['run', join(dir, 'scenarios', 'register.yaml'), '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ protocol: 'my-register', expectMet: true });
    const fuzz = await runCli(['fuzz', join(dir, 'scenarios', 'register-nemesis.yaml'), '--seeds', '100', '--workers', '0', '--no-progress', '--out', join(dir, 'fuzz-failures')]);
    expect(fuzz.code).toBe(0);
  });

  it('never overwrites: a directory that has any of its files is exit 2, one line, nothing written', async () => {
    const dir = scratchDir('paxsim-init-');
    writeFileSync(join(dir, 'package.json'), '{}');
    const outcome = await runCli(['init', dir]);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toMatch(/already has package\.json; paxsim init writes only into a directory without them$/);
    expect(existsSync(join(dir, 'src'))).toBe(false);
  });
});
