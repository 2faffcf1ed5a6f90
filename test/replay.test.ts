import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFuzzSeed } from '../src/run/fuzz-seed.js';
import { runScenario } from '../src/run/runner.js';
import { firstDivergence } from '../src/trace/diff.js';
import { shivizLog, SHIVIZ_REGEX } from '../src/trace/shiviz.js';
import { run } from '../src/cli/program.js';
import { runCli } from './helpers/cli.js';
import { shippedScenario } from './helpers/scenario.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'paxsim-replay-'));
}

/** The first seed of the default fuzz scenario where the bug breaks acceptor discipline: a lost promise. */
function lostPromiseSeed(): number {
  for (let seed = 1; seed <= 2000; seed++) {
    if (runFuzzSeed(shippedScenario('fuzz-default'), seed, { bug: 'forget-promise' }).failedCheckers[0] === 'acceptor-discipline') return seed;
  }
  throw new Error('no acceptor-discipline failure for forget-promise in 2000 seeds');
}

describe('paxsim replay', () => {
  it('on a forget-promise failure file, stops at the violating event and shows the lost promise', async () => {
    const seed = lostPromiseSeed();
    const out = tempDir();
    const fuzzed = await runCli(['fuzz', '--bug', 'forget-promise', '--from', String(seed), '--seeds', '1', '--workers', '0', '--out', out, '--no-shrink']);
    expect(fuzzed.code).toBe(1);
    const file = join(out, `fuzz-default-forget-promise-seed-${seed}.yaml`);
    const replay = await runCli(['replay', file, '--until-violation']);
    expect(replay.code).toBe(1);
    const [timeline, rest] = replay.stdout.split('── state at the violation');
    const timelineLines = timeline!.trim().split('\n');
    expect(timelineLines[timelineLines.length - 1]).toMatch(/VIOLATION acceptor-discipline: (\w) promised ballot/);
    const node = /VIOLATION acceptor-discipline: (\w) promised/.exec(timeline!)![1]!;
    expect(rest).toMatch(new RegExp(`\\n${node} .*← forgot its promise \\(\\d+,\\w+\\)`));
    expect(rest).toContain(`${node} promised (`);
    expect(rest).toContain('the promise was lost');
    expect(rest).toMatch(/links: /);
  });

  it('replays the same run as paxsim run, byte for byte, diagram included', async () => {
    const dir = tempDir();
    await runCli(['run', 'scenarios/lossy-network.yaml', '--seed', '4', '--trace', join(dir, 'run.jsonl'), '--html', join(dir, 'run.html'), '--quiet']);
    await runCli(['replay', 'scenarios/lossy-network.yaml', '--seed', '4', '--trace', join(dir, 'replay.jsonl'), '--html', join(dir, 'replay.html')]);
    expect(readFileSync(join(dir, 'replay.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'run.jsonl'), 'utf8'));
    expect(readFileSync(join(dir, 'replay.html'), 'utf8')).toBe(readFileSync(join(dir, 'run.html'), 'utf8'));
    expect(readFileSync(join(dir, 'run.html'), 'utf8')).toContain('<svg');
  });

  it('filters by node, time and type', async () => {
    const { stdout } = await runCli(['replay', 'scenarios/dueling-proposers.yaml', '--node', 'C', '--from', '5', '--to', '60', '--type', 'prepare,promise,learn']);
    const lines = stdout.split('\n── verdict')[0]!.trim().split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line)!;
      const t = Number(match[1]);
      expect(t).toBeGreaterThanOrEqual(5);
      expect(t).toBeLessThanOrEqual(60);
      expect(match[2]!.split('→')).toContain('C');
      expect(match[3]).toMatch(/prepare|promise|learned/);
    }
  });

  it('prints every node’s state at a chosen time', async () => {
    const { stdout } = await runCli(['replay', 'scenarios/minority-partition.yaml', '--state-at', '200', '--type', 'crash']);
    const table = stdout.split('── state at t=200')[1]!.split('── verdict')[0]!;
    expect(table).toMatch(/node\s+status\s+promised\s+accepted\s+learned\s+proposer/);
    expect(table).toMatch(/\nA\s+up\s+\(1,A\)\s+"X" in \(1,A\)\s+"X"/);
    expect(table).toMatch(/\nD\s+up\s+—\s+—\s+—/);
    expect(table).toContain('links: partition {A B C} | {D E}');
  });

  it('steps event by event: Enter for the next, c to continue, q to quit', async () => {
    const answers = ['', '', 'q'];
    let stdout = '';
    const code = await run(['replay', 'scenarios/seed-example.yaml', '--step'], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => undefined,
      isTTY: false,
      env: {},
      readLine: async () => answers.shift() ?? null,
    });
    expect(code).toBe(0);
    const eventLines = stdout.split('\n').filter((line) => /^\s+\d+\s/.test(line));
    expect(eventLines).toHaveLength(3);
    expect(stdout).not.toContain('── verdict');
  });
});

describe('paxsim diff', () => {
  it('names the first divergent event of two seeds and what differed', async () => {
    const result = await runCli(['diff', 'scenarios/lossy-network.yaml', '--seeds', '1,2']);
    expect(result.code).toBe(1);
    const one = runScenario(shippedScenario('lossy-network'), { seed: 1, record: true });
    const two = runScenario(shippedScenario('lossy-network'), { seed: 2, record: true });
    const divergence = firstDivergence(one.events!, two.events!)!;
    expect(result.stdout).toContain(`first divergence at event #${divergence.index} (trace line ${divergence.index + 2})`);
    expect(result.stdout).toContain(`differs: ${divergence.differences.join('; ')}`);
    expect(JSON.stringify(one.events![divergence.index])).not.toBe(JSON.stringify(two.events![divergence.index]));
    expect(JSON.stringify(one.events!.slice(0, divergence.index))).toBe(JSON.stringify(two.events!.slice(0, divergence.index)));
  });

  it('shows what one added fault changed, and exits 0 for identical runs', async () => {
    const dir = tempDir();
    const base = readFileSync('scenarios/seed-example.yaml', 'utf8');
    writeFileSync(join(dir, 'a.yaml'), base);
    writeFileSync(join(dir, 'b.yaml'), base.replace('faults: []', 'faults: [ { at: 6, crash: C } ]'));
    const changed = await runCli(['diff', join(dir, 'a.yaml'), join(dir, 'b.yaml')]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^  right +6  C +CRASH/m);
    const same = await runCli(['diff', join(dir, 'a.yaml'), join(dir, 'a.yaml')]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('identical: all');
  });

  it('rejects a single file without --seeds', async () => {
    const result = await runCli(['diff', 'scenarios/seed-example.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('determinism checks', () => {
  it('run --check-determinism passes on a deterministic run', async () => {
    const result = await runCli(['run', 'scenarios/lossy-network.yaml', '--check-determinism', '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('reports the first divergent event when two runs differ', async () => {
    const { determinismProblem } = await import('../src/cli/run-command.js');
    const scenario = shippedScenario('lossy-network');
    const first = runScenario(scenario, { seed: 1, record: true });
    const other = runScenario(scenario, { seed: 2, record: true });
    // Stand-in for a nondeterministic second run: same label, different trace.
    const problem = determinismProblem(first, { ...other, seed: 1 });
    expect(problem).toMatch(/^NONDETERMINISM: two runs of lossy-network with seed 1 gave different traces/);
    expect(problem).toContain(`first divergent event #${firstDivergence(first.events!, other.events!)!.index}`);
    expect(determinismProblem(first, runScenario(scenario, { seed: 1, record: true }))).toBeNull();
  });
});

describe('ShiViz export', () => {
  it('writes host lines with vector clocks that respect message causality', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.shiviz');
    const result = await runCli(['run', 'scenarios/seed-example.yaml', '--shiviz', file, '--quiet']);
    expect(result.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(SHIVIZ_REGEX);
    const entries: { host: string; clock: Record<string, number>; text: string }[] = [];
    for (let index = 2; index < lines.length; index += 2) {
      const match = /^(\S+) (\{.*\})$/.exec(lines[index]!)!;
      entries.push({ host: match[1]!, clock: JSON.parse(match[2]!), text: lines[index + 1]! });
    }
    const pattern = new RegExp(SHIVIZ_REGEX.replace('\\n', '\n'));
    expect(pattern.test(`${lines[2]}\n${lines[3]}`)).toBe(true);
    // A receive's clock dominates its send's clock.
    const sendClock = new Map<string, Record<string, number>>();
    for (const entry of entries) {
      const id = /#(\d+)$/.exec(entry.text)?.[1];
      if (id === undefined) continue;
      if (/ send /.test(entry.text)) sendClock.set(id, entry.clock);
      if (/ receive /.test(entry.text)) {
        for (const [host, count] of Object.entries(sendClock.get(id)!)) expect(entry.clock[host]).toBeGreaterThanOrEqual(count);
      }
    }
    const result2 = runScenario(shippedScenario('seed-example'), { record: true });
    expect(entries.filter((entry) => / receive /.test(entry.text))).toHaveLength(result2.events!.filter((event) => event.type === 'deliver').length);
    expect(shivizLog(result2.meta, result2.events!)).toBe(readFileSync(file, 'utf8'));
    expect(readdirSync(dir)).toEqual(['run.shiviz']);
  });
});
