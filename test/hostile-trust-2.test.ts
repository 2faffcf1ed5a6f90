import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './helpers/cli.js';

/** Trust, second round: a checker tool that says PASS wrongly, or loses a failure it found, is worse than none. */

const ROOT = join(import.meta.dirname, '..');
const SCENARIOS = join(ROOT, 'scenarios');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'protocols');
const dir = mkdtempSync(join(tmpdir(), 'paxsim-trust-2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ExploreJson {
  exhausted: boolean;
  distinctStates: number;
  transitions: number;
  violation: { checker: string; message: string; file: string | null } | null;
}

describe("explore keeps apart histories a user protocol's invariant tells apart", () => {
  it('finds the violation an order-sensitive invariant sees (explore merged "A then B" with "B then A" and said no violation)', async () => {
    const out = join(dir, 'order-out');
    const explored = await runCli(['explore', join(FIXTURES, 'order-invariant.yaml'), '--json', '--out', out]);
    expect(explored.stderr).toBe('');
    expect(explored.code).toBe(1);
    const json = JSON.parse(explored.stdout) as ExploreJson;
    expect(json.violation).toMatchObject({ checker: 'a-pings-first', message: 'C done after B pinged first' });
    // The counterexample replays to the same failure.
    const replayed = await runCli(['run', json.violation!.file!, '--json']);
    expect(replayed.code).toBe(1);
    expect((JSON.parse(replayed.stdout) as { violations: { checker: string }[] }).violations[0]?.checker).toBe('a-pings-first');
  });

  // paxsim's own checkers judge sets of facts: explore-workers.test.ts pins the shipped configurations' counts, unchanged.
});
