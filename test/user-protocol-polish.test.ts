import { copyFileSync, mkdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERIC_COVERAGE, MULTIPAXOS_COVERAGE, PAXOS_COVERAGE, RAFT_COVERAGE } from '../src/check/coverage.js';
import { defineProtocol } from '../src/run/protocol-definition.js';
import { coverageOf } from '../src/run/registry.js';
import { expectOneLine, runCli } from './helpers/cli.js';
import { useTempDir } from './helpers/temp-dir.js';

/**
 * The rough edges a user protocol still met (issue 10): coverage, verdict
 * lines and explore's counterexamples must speak of the user's protocol, not
 * of single-decree Paxos.
 */

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'protocols');
const GENERIC_KEYS = Object.keys(GENERIC_COVERAGE);
const temp = useTempDir('paxsim-polish-');

interface FuzzJson {
  scenarios: { scenario: string; seeds: number; coverage: Record<string, number> }[];
}

async function fuzzCoverage(scenario: string, seeds: number): Promise<{ coverage: Record<string, number>; text: string }> {
  const json = await runCli(['fuzz', scenario, '--seeds', String(seeds), '--workers', '0', '--no-progress', '--json']);
  expect(json.code, json.stderr).toBe(0);
  const text = await runCli(['fuzz', scenario, '--seeds', String(seeds), '--workers', '0', '--no-progress']);
  return { coverage: (JSON.parse(json.stdout) as FuzzJson).scenarios[0]!.coverage, text: text.stdout };
}

describe('fuzz coverage of a user protocol', () => {
  it('counts the generic situations and its single-decree family, not Paxos-only ones (nack messages)', async () => {
    const { coverage, text } = await fuzzCoverage(join(ROOT, 'examples', 'register', 'scenarios', 'register-nemesis.yaml'), 40);
    expect(Object.keys(coverage)).toEqual([...GENERIC_KEYS, 'adopted', 'crashBetweenPromiseAndAccept', 'duel', 'decidedAfterHeal', 'requestAtRestarted', 'twoValuesByOneNode']);
    expect(coverage['duel']).toBeGreaterThan(0);
    expect(coverage['restarted']).toBeGreaterThan(0);
    expect(text).not.toContain('NACK');
  });

  it("counts its leaders, multi-decree, state-machine and clients families' situations, not Multi-Paxos's no-ops or redirects", async () => {
    const { coverage, text } = await fuzzCoverage(join(ROOT, 'examples', 'kvlog', 'scenarios', 'kvlog-nemesis.yaml'), 20);
    expect(Object.keys(coverage)).toEqual([...GENERIC_KEYS, 'reproposed', 'leaderChanged', 'deduplicated', 'clientGaveUp']);
    expect(coverage['leaderChanged']).toBeGreaterThan(0);
    expect(text).not.toMatch(/adopted|no-op|redirected/);
  });

  it("counts a definition's own situations after the generic ones (no family: nothing else)", async () => {
    const { coverage, text } = await fuzzCoverage(join(ROOT, 'test', 'fixtures', 'protocols', 'own-coverage.yaml'), 30);
    expect(Object.keys(coverage)).toEqual([...GENERIC_KEYS, 'heardFromB', 'heardFromNobody']);
    expect(coverage['heardFromB']).toBeGreaterThan(0);
    expect(coverage['heardFromNobody']).toBe(0);
    expect(text).toMatch(/a node heard the rumor from B\n/);
    expect(text).toMatch(/a node heard a rumor from nobody \(never happens\)\s+\(never reached\)/);
    expect(text).not.toContain('proposer');
  });

  it('stops fuzzing with one line naming the situation whose observe threw (exit 2)', async () => {
    const outcome = await runCli(['fuzz', join(FIXTURES, 'throwing-coverage.yaml'), '--seeds', '5', '--workers', '0', '--no-progress']);
    expect(outcome.code).toBe(2);
    expect(expectOneLine(outcome.stderr)).toMatch(/^paxsim: fuzz stopped at throwing-coverage seed 1: protocol throwing-coverage: coverage situation heardFromNobody: observe threw on a heard event: Cannot read properties of undefined/);
  });

  it("keeps paxsim's own protocols' catalogues (and --json keys) as they were", () => {
    expect(coverageOf('paxos').keys).toEqual(Object.keys(PAXOS_COVERAGE));
    expect(coverageOf('multipaxos').keys).toEqual(Object.keys(MULTIPAXOS_COVERAGE));
    expect(coverageOf('cheap-paxos').keys).toEqual(Object.keys(MULTIPAXOS_COVERAGE));
    expect(coverageOf('raft').keys).toEqual(Object.keys(RAFT_COVERAGE));
  });

  it('refuses own situations that are malformed or take a key paxsim counts already', () => {
    const node = () => ({ start() {}, recover() {}, onRequest() {}, onMessage() {}, onTimer() {}, volatileState: () => ({}) });
    const define = (coverage: unknown, checkers: string[] = []) => () => defineProtocol({ name: 'p', createNode: node, checkers, coverage } as never);
    expect(define({ key: 'x' })).toThrow(/^defineProtocol: protocol p: coverage must be a list of \{ key, description, observe\(event\) \}/);
    expect(define([{ key: 'x', description: 'x' }])).toThrow(/coverage\[0\]: coverage must be a list/);
    expect(define([{ key: '1x', description: 'x', observe: () => true }])).toThrow(/coverage\[0\]\.key: must be a letter/);
    expect(define([{ key: 'restarted', description: 'x', observe: () => true }])).toThrow(/coverage\[0\]\.key: "restarted" is taken/);
    expect(define([{ key: 'duel', description: 'x', observe: () => true }], ['single-decree'])).toThrow(/"duel" is taken/);
    expect(define([{ key: 'duel', description: 'x', observe: () => true }])).not.toThrow();
  });
});

describe('verdict lines list only the checkers the protocol has', () => {
  /** The verdict's checker lines (the block from `checkers` to `expect`). */
  async function checkerLines(argv: string[]): Promise<string[]> {
    const outcome = await runCli(argv);
    expect(outcome.code, outcome.stderr).toBe(0);
    const lines = outcome.stdout.split('\n');
    const from = lines.findIndex((line) => line.startsWith('checkers'));
    const to = lines.findIndex((line, index) => index > from && !line.startsWith(' '));
    return lines.slice(from, to).map((line) => line.trim());
  }

  it('run: no "liveness not checked" line for a protocol with no liveness checker', async () => {
    const lines = await checkerLines(['run', join(FIXTURES, 'own-coverage.yaml')]);
    expect(lines).toEqual([expect.stringMatching(/^checkers\s+✓ no-exceptions\s/)]);
  });

  it('run: the liveness checkers a user protocol has are still listed as not checked', async () => {
    expect((await checkerLines(['run', join(ROOT, 'examples', 'register', 'scenarios', 'register-nemesis.yaml')])).at(-1)).toMatch(/^- liveness\s+not checked: the scenario has no expect\.liveness$/);
    const kvlog = readFileSync(join(ROOT, 'examples', 'kvlog', 'scenarios', 'kvlog.yaml'), 'utf8')
      .replace('protocol: ../kvlog.mjs', `protocol: ${join(ROOT, 'examples', 'kvlog', 'kvlog.mjs')}`)
      .replace(/^  liveness: .*\n/m, '');
    expect((await checkerLines(['run', temp.write('kvlog-no-liveness.yaml', kvlog)])).at(-1)).toMatch(/^- client-liveness\s+not checked/);
    expect((await checkerLines(['run', join(ROOT, 'scenarios', 'no-quorum.yaml')])).at(-1)).toMatch(/^- liveness\s+not checked/);
  });

  it('run and check: a low-level definition that builds no checker says so, and lists no liveness checker', async () => {
    const trace = join(temp.path, 'no-checkers.trace.jsonl');
    expect(await checkerLines(['run', join(FIXTURES, 'no-checkers.yaml'), '--trace', trace])).toEqual(['checkers  none: the protocol builds no checker']);
    expect(await checkerLines(['check', trace, '--protocol', join(FIXTURES, 'no-checkers.mjs')])).toEqual(['checkers  none: the protocol builds no checker']);
  });
});

describe('explore counterexamples of a user protocol', () => {
  it('name the module relative to the file, so the directory replays after it moved', async () => {
    // A project holding a protocol whose bug is two steps deep (a request, then its timer), linked to this paxsim.
    const project = join(temp.path, 'explore-project');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(project, 'node_modules', 'paxsim'), 'dir');
    copyFileSync(join(FIXTURES, 'counter-invariant.js'), join(project, 'double-proposer.js'));
    const scenario = join(project, 'double.yaml');
    temp.write('explore-project/double.yaml', 'name: double\nprotocol: ./double-proposer.js\nnodes: [A, B, C]\nproposals:\n  - { at: 0, node: A, value: X }\nuntil: 100\n');
    const explored = await runCli(['explore', scenario, '--max-timers', '1', '--out', join(project, 'found')]);
    expect(explored.code, explored.stderr).toBe(1);
    expect(readFileSync(join(project, 'found', 'double-counterexample.yaml'), 'utf8')).toMatch(/^protocol: \.\.\/double-proposer\.js$/m);

    const moved = join(temp.path, 'moved-project');
    renameSync(project, moved);
    // A fresh process: this one has registered the protocol from its old path.
    const replay = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'run', join(moved, 'found', 'double-counterexample.yaml'), '--json'], { encoding: 'utf8' });
    expect(replay.stderr).toBe('');
    expect(replay.status).toBe(1);
    const verdict = JSON.parse(replay.stdout) as { protocol: string; violations: { checker: string; message: string }[] };
    expect(verdict.protocol).toBe('double-proposer');
    expect(verdict.violations[0]).toMatchObject({ checker: 'propose-once', message: 'A proposed twice' });
  });
});
