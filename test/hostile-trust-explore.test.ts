import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

/** `paxsim explore` judges the protocol the scenario names, and what it writes replays to the same verdict. */

const SCENARIOS = join(import.meta.dirname, '..', 'scenarios');
const dir = mkdtempSync(join(tmpdir(), 'paxsim-trust-explore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** explore-paxos-3 with `extra` lines added after its seed. */
function explorePaxos3(name: string, extra: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, readFileSync(join(SCENARIOS, 'explore-paxos-3.yaml'), 'utf8').replace(/^seed: 1$/m, `seed: 1\n${extra}`));
  return file;
}

interface ExploreJson {
  bug: string | null;
  exhausted: boolean;
  violation: { checker: string; file: string | null } | null;
  expectMet: boolean | null;
}

describe("a scenario's own bug: key", () => {
  it('is explored, as run and fuzz use it (explore ignored it: "no violation", exit 0, on a scenario whose run fails)', async () => {
    const file = explorePaxos3('with-bug', 'bug: small-quorum');
    expect((await runCli(['run', file, '--quiet'])).code).toBe(1);
    const out = join(dir, 'out');
    const explored = await runCli(['explore', file, '--json', '--out', out]);
    expect(explored.stderr).toBe('');
    expect(explored.code).toBe(1);
    const json = JSON.parse(explored.stdout) as ExploreJson;
    expect(json.bug).toBe('small-quorum');
    expect(json.violation?.checker).toBe('integrity');
    // The scenario says `expect.explore: { violation: none }` of itself, bug included: unmet.
    expect(json.expectMet).toBe(false);
    const replayed = await runCli(['run', json.violation!.file!, '--json']);
    expect(replayed.code).toBe(1);
    expect((JSON.parse(replayed.stdout) as { violations: { checker: string }[] }).violations[0]?.checker).toBe('integrity');
  });

  it('--bug overrides it, and --bug leaves the expectation unjudged as before', async () => {
    const file = explorePaxos3('overridden', 'bug: small-quorum');
    const explored = await runCli(['explore', file, '--json', '--bug', 'accept-lower', '--out', join(dir, 'out2')]);
    expect(explored.code).toBe(1);
    const json = JSON.parse(explored.stdout) as ExploreJson;
    expect(json.bug).toBe('accept-lower');
    expect(json.violation?.checker).toBe('acceptor-discipline');
    expect(json.expectMet).toBeNull();
  });
});
