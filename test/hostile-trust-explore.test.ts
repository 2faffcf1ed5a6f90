import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './helpers/cli.js';

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

describe('expect.explore.violation names a checker the protocol has', () => {
  it('a typo is bad input with a suggestion (it was accepted, and no search could ever meet it)', async () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, readFileSync(join(SCENARIOS, 'explore-paxos-3.yaml'), 'utf8').replace('explore: { violation: none }', 'explore: { violation: integrty }'));
    for (const command of ['explore', 'run']) {
      const outcome = await runCli([command, file, '--out', join(dir, 'typo-out')].slice(0, command === 'run' ? 2 : 4));
      expect(outcome.code).toBe(2);
      expect(expectOneLine(outcome.stderr)).toBe(
        `${file}: expect.explore.violation: protocol paxos has no checker "integrty" (did you mean integrity?); use none, any or one of: agreement, validity, integrity, acceptor-discipline, ballot-uniqueness, liveness`,
      );
    }
  });

  it('a checker of the protocol is accepted, and the violation a scenario with a bug: expects is met: exit 0 (it was exit 1, met or not)', async () => {
    const file = explorePaxos3('expects-integrity', 'bug: small-quorum');
    writeFileSync(file, readFileSync(file, 'utf8').replace('explore: { violation: none }', 'explore: { violation: integrity }'));
    const explored = await runCli(['explore', file, '--json', '--out', join(dir, 'out3')]);
    // The planted bug's violation is what the scenario expects: met, exit 0 (as run's `safety: violated`).
    expect((JSON.parse(explored.stdout) as ExploreJson).expectMet).toBe(true);
    expect(explored.code).toBe(0);
  });
});

describe("a scenario's own faults under explore", () => {
  it('are said not to be used (explore draws its own within the bounds), never silently dropped', async () => {
    const explored = await runCli(['explore', join(SCENARIOS, 'acceptor-crash-recovery.yaml'), '--depth', '2', '--out', join(dir, 'out4')]);
    expect(explored.stdout).toMatch(/^note {6}the scenario's \d+ faults? and network settings are not used: explore tries every drop, duplicate, crash and timer within the bounds above$/m);
    const quiet = await runCli(['explore', join(SCENARIOS, 'explore-paxos-3.yaml'), '--depth', '2', '--out', join(dir, 'out4')]);
    expect(quiet.stdout).not.toContain('not used');
  });
});

describe('a written counterexample (a pinned schedule) under fuzz and shrink', () => {
  it('is refused with one line naming the file (both failed with "schedule[0].request: A has no request left", no file named)', async () => {
    const out = join(dir, 'out5');
    const explored = await runCli(['explore', explorePaxos3('pinned', ''), '--bug', 'small-quorum', '--json', '--out', out]);
    const file = (JSON.parse(explored.stdout) as ExploreJson).violation!.file!;
    expect((await runCli(['run', file, '--quiet'])).code).toBe(1);
    for (const argv of [['fuzz', file, '--seeds', '2', '--no-progress', '--out', join(dir, 'fuzz5')], ['shrink', file]]) {
      const outcome = await runCli(argv);
      expect(outcome.code).toBe(2);
      expect(expectOneLine(outcome.stderr)).toBe(`${file}: schedule: a pinned schedule is one exact run, whatever the seed, so ${argv[0]} has nothing to vary; replay it with paxsim run`);
    }
  });
});

describe('a schedule step that cannot be taken, under replay and diff', () => {
  it('names the file, as run does (they printed the step alone)', async () => {
    const out = join(dir, 'out6');
    const explored = await runCli(['explore', explorePaxos3('edited', ''), '--bug', 'small-quorum', '--json', '--out', out]);
    const file = (JSON.parse(explored.stdout) as ExploreJson).violation!.file!;
    writeFileSync(file, readFileSync(file, 'utf8').replace('schedule: [ { request: A } ]', 'schedule: [ { request: A }, { deliver: 99 } ]'));
    for (const argv of [['run', file], ['replay', file], ['diff', file, '--seeds', '1,2']]) {
      const outcome = await runCli(argv);
      expect(outcome.code).toBe(2);
      expect(expectOneLine(outcome.stderr)).toBe(`${file}: schedule[1].deliver: no message 99 is in flight`);
    }
  });
});
