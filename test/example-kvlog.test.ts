import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

/**
 * The example replicated kv log (examples/kvlog), written only against the
 * public API: it serves paxsim's clients and is judged by the multi-decree,
 * leaders, state-machine and clients checker families. Its module imports
 * 'paxsim', which resolves to this package's build (npm test builds first).
 */

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'kvlog', 'scenarios');
const dir = mkdtempSync(join(tmpdir(), 'paxsim-kvlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RunJson {
  protocol: string;
  expectMet: boolean;
  violations: { checker: string; message: string }[];
  summary: { log: string; clients: string; leader: string };
}

describe('examples/kvlog', () => {
  const scenarios = readdirSync(EXAMPLE).filter((file) => file.endsWith('.yaml')).sort();

  it('ships a plain scenario and a nemesis scenario', () => {
    expect(scenarios).toEqual(['kvlog-nemesis.yaml', 'kvlog.yaml']);
  });

  it.each(scenarios)('%s meets its expect block, every family\'s checkers reported', async (file) => {
    const outcome = await runCli(['run', join(EXAMPLE, file), '--json']);
    expect(outcome.stderr).toBe('');
    const json = JSON.parse(outcome.stdout) as RunJson & { checkers?: unknown };
    expect(json.protocol).toBe('kvlog');
    expect(json.violations).toEqual([]);
    expect(json.expectMet).toBe(true);
    expect(json.summary.clients).toBe('30 operations: 30 completed, 0 gave up (outcome unknown), 0 in flight at the end');
    expect(json.summary.log).toMatch(/^3\d slots chosen; applied: A 3\d · B 3\d · C 3\d$/);
  });

  it('holds under the nemesis (20 seeds here; CI fuzzes 200 from the packed install)', async () => {
    const outcome = await runCli(['fuzz', join(EXAMPLE, 'kvlog-nemesis.yaml'), '--seeds', '20', '--workers', '0', '--no-progress', '--out', join(dir, 'clean')]);
    expect(outcome.stdout).toMatch(/kvlog-nemesis: 20 seeds, all held/);
    expect(outcome.code).toBe(0);
  });

  it('its bug flag (a new leader trusts its own log) is caught by slot agreement, and the shrunk file replays it', async () => {
    const outcome = await runCli(['fuzz', join(EXAMPLE, 'kvlog-nemesis.yaml'), '--bug', 'own-log-only', '--seeds', '50', '--workers', '0', '--no-progress', '--out', join(dir, 'bug')]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/failure\s+kvlog-nemesis seed \d+: .*slot-agreement/);
    const shrunk = /shrunk\s+(\S+\.min\.yaml)/.exec(outcome.stdout)?.[1];
    expect(shrunk).toBeDefined();
    const replay = await runCli(['run', shrunk!, '--json']);
    expect(replay.code).toBe(1);
    const json = JSON.parse(replay.stdout) as RunJson & { bug: string };
    expect(json.bug).toBe('own-log-only');
    expect(json.violations.map((violation) => violation.checker)).toContain('slot-agreement');
  });

  it('paxsim list shows its checker families\' checkers and its bug', async () => {
    const outcome = await runCli(['list', '--protocol', join(EXAMPLE, '..', 'kvlog.mjs')]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/\n {2}kvlog\s+example: a replicated key-value log/);
    expect(outcome.stdout).toMatch(/\nkvlog bugs .*\n {2}own-log-only\s+a new leader trusts its own log/);
    expect(outcome.stdout).toContain(
      '\nkvlog checkers\n  slot-agreement, ballot-uniqueness, validity, integrity, acceptor-discipline, leader-uniqueness, log-consistency, exactly-once, linearizability, client-liveness, no-exceptions\n',
    );
    expect(outcome.stdout).toMatch(/\n {2}multi-decree\s+slot-agreement, ballot-uniqueness, validity, integrity, acceptor-discipline\n/);
  });
});
