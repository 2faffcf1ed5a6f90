import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verdictLine } from '../src/cli/explore-command.js';
import { exploreModelFor, NO_FAULTS } from '../src/explore/setup.js';
import { search } from '../src/explore/search.js';
import { SMALL_EXPLORE } from './helpers/explore-fixtures.js';
import { scenarioFromYaml } from './helpers/scenario.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');

describe('paxsim explore: the heap bound', () => {
  it('stops with a verdict, cut by memory, when the probe says the heap is nearly full', () => {
    const scenario = scenarioFromYaml(SMALL_EXPLORE);
    const { model, newChecks } = exploreModelFor(scenario, undefined, NO_FAULTS);
    const whole = search(model, { strategy: 'bfs', newChecks });
    let probes = 0;
    const cut = search(exploreModelFor(scenario, undefined, NO_FAULTS).model, { strategy: 'bfs', newChecks, memoryFull: () => ++probes >= 3 });
    expect(whole.exhausted).toBe(true);
    expect(probes).toBe(3);
    expect(cut).toMatchObject({ exhausted: false, cutBy: ['memory'], violation: null });
    expect(cut.distinctStates).toBeLessThan(whole.distinctStates);
    expect(verdictLine(cut, {})).toMatch(/^no violation; stopped near the heap limit \(80% of [\d,]+ MB\) \([\d,]+ distinct states; not exhausted\)$/);
  });

  it('a probe that never fires changes nothing', () => {
    const scenario = scenarioFromYaml(SMALL_EXPLORE);
    const plain = search(exploreModelFor(scenario, undefined, NO_FAULTS).model, { strategy: 'bfs', newChecks: exploreModelFor(scenario, undefined, NO_FAULTS).newChecks });
    const probed = search(exploreModelFor(scenario, undefined, NO_FAULTS).model, { strategy: 'bfs', newChecks: exploreModelFor(scenario, undefined, NO_FAULTS).newChecks, memoryFull: () => false });
    expect(probed).toEqual({ ...plain, elapsedMs: probed.elapsedMs });
  });

  it.skipIf(!existsSync(BIN))('an unbounded explore on a small heap ends with a verdict line, not an out-of-memory crash', () => {
    // examples/register has no explore bounds and no end: it grows until something stops it.
    const scenario = join(ROOT, 'examples', 'register', 'scenarios', 'register.yaml');
    const outcome = spawnSync(process.execPath, ['--max-old-space-size=96', BIN, 'explore', scenario], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(outcome.stderr).not.toMatch(/heap out of memory|\n\s+at /);
    expect(outcome.status).toBe(0);
    expect(outcome.stdout).toMatch(/result {4}no violation; stopped near the heap limit \(80% of \d+ MB\)/);
    expect(outcome.stdout).toContain('NODE_OPTIONS=--max-old-space-size=MB');
  });
});
