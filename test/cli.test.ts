import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

/** The `paxsim run` contract, driven in process through `run(argv, io)`, plus one spawn of the built binary. */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ANSI = /\u001b\[/;
/** A timeline line: the virtual time right-aligned in 7 columns, then two spaces. */
const TIMELINE_LINE = /^ *\d+ {2}\S/;

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxsim-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function lines(text: string): string[] {
  expect(text.endsWith('\n'), `ends with a newline: ${JSON.stringify(text.slice(-40))}`).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('paxsim run', () => {
  it('with no scenario runs the built-in seed example: exit 0, PASS, a replay line', async () => {
    const outcome = await runCli(['run']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const out = lines(outcome.stdout);
    expect(out.some((line) => line.includes('verdict') && line.includes('seed-example') && line.includes('seed 1'))).toBe(true);
    expect(out.some((line) => /^result\s+PASS\b/.test(line))).toBe(true);
    expect(out.some((line) => /^chosen\s+"X"/.test(line))).toBe(true);
    expect(out).toContain('replay    paxsim run --seed 1');
    expect(out.some((line) => TIMELINE_LINE.test(line) && line.includes('learned "X"'))).toBe(true);
  });

  it('--json prints one parseable JSON object with the documented keys', async () => {
    const outcome = await runCli(['run', '--json']);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    const out = lines(outcome.stdout);
    expect(out).toHaveLength(1);
    const parsed: unknown = JSON.parse(out[0]!);
    expect(parsed).toBeTypeOf('object');
    expect(Array.isArray(parsed)).toBe(false);
    const json = parsed as Record<string, unknown>;
    for (const key of ['scenario', 'seed', 'chosen', 'learned', 'violations', 'events', 'traceHash']) expect(json).toHaveProperty(key);
    expect(json['scenario']).toBe('seed-example');
    expect(json['seed']).toBe(1);
    expect(json['chosen']).toBe('X');
    expect(json['learned']).toEqual({ A: 'X', B: 'X', C: 'X', D: 'X', E: 'X' });
    expect(json['violations']).toEqual([]);
    expect(Number.isInteger(json['events'])).toBe(true);
    expect(json['events'] as number).toBeGreaterThan(0);
    expect(json['traceHash']).toMatch(/^[0-9a-f]{64}$/);
    expect(outcome.stdout).not.toMatch(ANSI);
  });

  it('--seed abc: exit 2, one line on stderr naming the flag, nothing on stdout', async () => {
    const outcome = await runCli(['run', '--seed', 'abc']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    const err = lines(outcome.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('--seed');
    expect(err[0]).toContain('abc');
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
  });

  it('--bug nope: exit 2, one line on stderr naming the bug, nothing on stdout', async () => {
    const outcome = await runCli(['run', '--bug', 'nope']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    const err = lines(outcome.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('--bug');
    expect(err[0]).toContain('"nope"');
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
  });

  it('--trace FILE writes JSON Lines: a meta line, then events with integer t and a type', async () => {
    const file = path.join(dir, 'trace.jsonl');
    const outcome = await runCli(['run', '--trace', file, '--json']);
    expect(outcome.code).toBe(0);
    const summary = JSON.parse(outcome.stdout) as { events: number; traceHash: string };

    const text = fs.readFileSync(file, 'utf8');
    const traceLines = lines(text);
    const meta = JSON.parse(traceLines[0]!) as Record<string, unknown>;
    expect(meta['type']).toBe('meta');
    expect(meta['scenario']).toBe('seed-example');
    expect(meta['seed']).toBe(1);
    expect(meta['nodes']).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(meta['acceptors']).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(meta['proposers']).toEqual(['A']);
    expect(meta['learners']).toEqual(['A', 'B', 'C', 'D', 'E']);

    const events = traceLines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.length).toBe(summary.events);
    let previousT = 0;
    for (const event of events) {
      expect(Number.isInteger(event['t']), JSON.stringify(event)).toBe(true);
      expect(event['type']).toBeTypeOf('string');
      expect(event['type']).not.toBe('meta');
      expect(event['t'] as number).toBeGreaterThanOrEqual(previousT);
      previousT = event['t'] as number;
    }
    const types = new Set(events.map((event) => event['type']));
    for (const type of ['propose', 'send', 'deliver', 'promise', 'accept', 'learn', 'chosen']) expect(types).toContain(type);
    // The reported hash is the hash of these exact bytes.
    expect(createHash('sha256').update(text).digest('hex')).toBe(summary.traceHash);
  });

  it('the same seed twice writes byte-identical traces with the same traceHash', async () => {
    for (const scenario of ['scenarios/seed-example.yaml', 'scenarios/lossy-network.yaml']) {
      const first = path.join(dir, 'first.jsonl');
      const second = path.join(dir, 'second.jsonl');
      const a = await runCli(['run', scenario, '--seed', '42', '--trace', first, '--json']);
      const b = await runCli(['run', scenario, '--seed', '42', '--trace', second, '--json']);
      expect(a.stderr).toBe('');
      expect(b.stderr).toBe('');
      const hashA = (JSON.parse(a.stdout) as { traceHash: string }).traceHash;
      const hashB = (JSON.parse(b.stdout) as { traceHash: string }).traceHash;
      expect(hashA).toMatch(/^[0-9a-f]{64}$/);
      expect(hashB).toBe(hashA);
      const bytesA = fs.readFileSync(first);
      const bytesB = fs.readFileSync(second);
      expect(bytesA.length).toBeGreaterThan(0);
      expect(bytesB.equals(bytesA), scenario).toBe(true);
      expect(a.stdout).toBe(b.stdout);
    }
  });

  it('a different seed gives a different trace on a lossy network', async () => {
    const a = await runCli(['run', 'scenarios/lossy-network.yaml', '--seed', '1', '--json']);
    const b = await runCli(['run', 'scenarios/lossy-network.yaml', '--seed', '2', '--json']);
    expect((JSON.parse(a.stdout) as { traceHash: string }).traceHash).not.toBe((JSON.parse(b.stdout) as { traceHash: string }).traceHash);
  });

  describe('color', () => {
    it('NO_COLOR=1 on a terminal: no ANSI escapes', async () => {
      const outcome = await runCli(['run'], { env: { NO_COLOR: '1' }, isTTY: true });
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain('PASS');
      expect(outcome.stdout).not.toMatch(ANSI);
    });

    it('FORCE_COLOR=1 on a pipe: ANSI escapes', async () => {
      const outcome = await runCli(['run'], { env: { FORCE_COLOR: '1' }, isTTY: false });
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toMatch(ANSI);
    });

    it('--no-color: no ANSI escapes, even with FORCE_COLOR on a terminal', async () => {
      const outcome = await runCli(['run', '--no-color'], { env: { FORCE_COLOR: '1' }, isTTY: true });
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain('PASS');
      expect(outcome.stdout).not.toMatch(ANSI);
    });

    it('a pipe with no color variables: no ANSI escapes', async () => {
      const outcome = await runCli(['run'], { env: {}, isTTY: false });
      expect(outcome.stdout).not.toMatch(ANSI);
    });
  });

  it('--quiet prints the verdict without timeline lines', async () => {
    const full = await runCli(['run']);
    const quiet = await runCli(['run', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const quietLines = lines(quiet.stdout);
    expect(quietLines.filter((line) => TIMELINE_LINE.test(line))).toEqual([]);
    expect(quietLines.some((line) => /^result\s+PASS\b/.test(line))).toBe(true);
    expect(quietLines).toContain('replay    paxsim run --seed 1');
    // The full output has timeline lines, and ends with the very same verdict.
    expect(lines(full.stdout).filter((line) => TIMELINE_LINE.test(line)).length).toBeGreaterThan(10);
    expect(full.stdout.endsWith(quiet.stdout)).toBe(true);
    expect(quiet.stdout.length).toBeLessThan(full.stdout.length / 2);
  });
});

describe('the built binary', () => {
  it('runs the seed example (exit 0) and rejects a missing file (exit 2, one stderr line)', () => {
    const main = path.join(ROOT, 'dist', 'cli', 'main.js');
    expect(fs.existsSync(main), `${main} missing: run \`npm run build\` first`).toBe(true);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['FORCE_COLOR'];

    const ok = spawnSync(process.execPath, [main, 'run', 'scenarios/seed-example.yaml'], { cwd: ROOT, encoding: 'utf8', env, timeout: 20_000 });
    expect(ok.error).toBeUndefined();
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^result\s+PASS\b/m);
    expect(ok.stdout).toContain('replay    paxsim run scenarios/seed-example.yaml --seed 1');
    expect(ok.stdout).not.toMatch(ANSI);

    const missing = path.join(dir, 'no-such-scenario.yaml');
    const bad = spawnSync(process.execPath, [main, 'run', missing], { cwd: ROOT, encoding: 'utf8', env, timeout: 20_000 });
    expect(bad.error).toBeUndefined();
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    const err = lines(bad.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(missing);
    expect(err[0]).toContain('no such file');
  });
});
