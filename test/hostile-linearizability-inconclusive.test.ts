import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './helpers/cli.js';
import { outputLines } from './helpers/trace-files.js';

/**
 * What every command shows when the linearizability search gives up. Real
 * histories that exhaust the budget take seconds to search, so here the
 * search is replaced by one that always gives up: what is under test is how
 * an undecided verdict travels (never ✓, never PASS, its own field and count).
 */
vi.mock('../src/check/linearizability.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/check/linearizability.js')>();
  return {
    ...original,
    checkLinearizability: () => ({ linearizable: 'unknown', key: 'x', reason: 'key "x": gave up (forced by the test)', statesExplored: 7 }),
  };
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-inconclusive-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SCENARIO = 'scenarios/multipaxos-kv.yaml';

describe('an undecided linearizability search is inconclusive, not PASS', () => {
  it('paxsim run: `?` on the checker, INCONCLUSIVE on the result line, exit 1 (like an inconclusive liveness deadline)', async () => {
    const outcome = await runCli(['run', SCENARIO, '--quiet', '--no-color']);
    const lines = outputLines(outcome.stdout);
    expect(outcome.code).toBe(1);
    expect(lines.some((line) => /^\s*\? linearizability\s+inconclusive: key "x": gave up \(forced by the test\)$/.test(line))).toBe(true);
    expect(lines.some((line) => /✓ linearizability/.test(line))).toBe(false);
    expect(lines.some((line) => /^(expect)?\s+\? safety: hold\s+inconclusive: linearizability could not decide$/.test(line))).toBe(true);
    expect(lines.find((line) => line.startsWith('result'))).toMatch(/^result\s+INCONCLUSIVE\s/);
    expect(outcome.stdout).not.toMatch(/PASS/);
  });

  it('paxsim run --json: `inconclusive` names the checker, expectMet is false, no violation is invented', async () => {
    const outcome = await runCli(['run', SCENARIO, '--json']);
    const json = JSON.parse(outcome.stdout) as { inconclusive: string[]; expectMet: boolean; violations: unknown[] };
    expect(outcome.code).toBe(1);
    expect(json).toMatchObject({ inconclusive: ['linearizability'], expectMet: false, violations: [] });
  });

  it('paxsim check: `?`, INCONCLUSIVE, a note, `inconclusive` in --json, exit 0 (like liveness inconclusive)', async () => {
    const trace = path.join(tmp, 'kv.trace.jsonl');
    expect((await runCli(['run', SCENARIO, '--quiet', '--trace', trace])).code).toBe(1);
    const text = await runCli(['check', trace, '--no-color']);
    expect(text.code).toBe(0);
    const lines = outputLines(text.stdout);
    expect(lines.some((line) => /\? linearizability\s+inconclusive: /.test(line))).toBe(true);
    expect(lines.some((line) => /^note\s+.*linearizability is inconclusive/.test(line) || /^\s+linearizability is inconclusive/.test(line))).toBe(true);
    expect(lines.find((line) => line.startsWith('result'))).toMatch(/^result\s+INCONCLUSIVE\s/);
    const json = await runCli(['check', trace, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ inconclusive: ['linearizability'], violations: [] });
  });

  it('paxsim fuzz: undecided seeds are counted apart (not failures, not passes), exit 1', async () => {
    const out = path.join(tmp, 'fuzz-out');
    const text = await runCli(['fuzz', SCENARIO, '--seeds', '3', '--workers', '0', '--no-shrink', '--out', out, '--no-color']);
    expect(text.code).toBe(1);
    const lines = outputLines(text.stdout);
    expect(lines.find((line) => line.startsWith('failures'))).toMatch(/^failures\s+none$/);
    expect(lines.find((line) => line.startsWith('undecided'))).toMatch(/^undecided\s+3 seeds inconclusive, a checker could not decide \(not failures, not passes\): multipaxos-kv seeds 1, 2, 3$/);
    expect(lines.some((line) => /^scenario\s+multipaxos-kv: 3 seeds, none failing, 3 inconclusive$/.test(line))).toBe(true);
    expect(lines.some((line) => /all held/.test(line))).toBe(false);
    expect(fs.existsSync(out) ? fs.readdirSync(out) : []).toEqual([]);
    const json = await runCli(['fuzz', SCENARIO, '--seeds', '3', '--workers', '0', '--no-shrink', '--out', out, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ failures: 0, inconclusive: 3, scenarios: [{ failures: 0, inconclusiveSeeds: [1, 2, 3] }] });
  });
});
