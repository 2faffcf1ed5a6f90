import { describe, expect, it } from 'vitest';
import { runFuzzSeed, type SeedResult } from '../src/run/fuzz-seed.js';
import { fuzz } from '../src/run/fuzz.js';
import { runChunk, seedResultsOf } from '../src/run/fuzz-worker.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { defineProtocol } from '../src/run/protocol-definition.js';
import { registerProtocol } from '../src/run/registry.js';
import { runScenario } from '../src/run/runner.js';
import { scenarioFromYaml, shippedScenario } from './helpers/scenario.js';

/**
 * Fuzz's determinism recheck (every 20th seed run twice, fingerprints
 * compared) fingerprints a run with a structural hash instead of sha256 over
 * JSON lines: it must still catch every difference the JSON showed, however
 * small, and nothing else.
 */

/** The observation node A makes in the n-th run since the test set it; the recheck's two runs are runs 1 and 2. */
let observationForRun: (run: number) => Record<string, unknown> = () => ({ type: 'note' });
let runs = 0;

const drifting = defineProtocol({
  name: 'recheck-drift',
  createNode: (effects, context) => {
    // Node A is built once per run (no faults): count the runs there.
    if (context.nodeId === 'A') runs += 1;
    const run = runs;
    return {
      start() {},
      recover() {},
      onRequest() {
        effects.observe(observationForRun(run) as { type: string });
      },
      onMessage() {},
      onTimer() {},
      volatileState: () => ({}),
    };
  },
});
registerProtocol(drifting, '/nowhere/recheck-drift.js');

const driftScenario = scenarioFromYaml('name: drift\nprotocol: recheck-drift\nnodes: [A, B, C]\nuntil: 100\nproposals:\n  - { at: 5, node: A, value: X }\n');

/** Runs the seed as fuzz does with the recheck on, the two runs observing `first` and `second`. */
function recheck(first: Record<string, unknown>, second: Record<string, unknown>): boolean | null {
  runs = 0;
  observationForRun = (run) => (run === 1 ? first : second);
  const result = runFuzzSeed(driftScenario, 20, { checkDeterminism: true });
  expect(runs).toBe(2);
  return result.deterministic;
}

describe('the determinism recheck catches a user protocol whose observation drifts between the two runs', () => {
  it('passes when both runs observe the same data, built apart', () => {
    expect(recheck({ type: 'note', detail: { round: { n: 1, by: ['A'] } } }, { type: 'note', detail: { round: { n: 1, by: ['A'] } } })).toBe(true);
  });

  it.each([
    ['a nested field', { type: 'note', detail: { round: { n: 1, by: ['A'] } } }, { type: 'note', detail: { round: { n: 2, by: ['A'] } } }],
    ['a nested array item', { type: 'note', detail: { round: { n: 1, by: ['A', 'B'] } } }, { type: 'note', detail: { round: { n: 1, by: ['A', 'C'] } } }],
    ['key order only', { type: 'note', detail: { n: 1, by: 'A' } }, { type: 'note', detail: { by: 'A', n: 1 } }],
    ['key order only, equal values', { type: 'note', detail: { x: 1, y: 1 } }, { type: 'note', detail: { y: 1, x: 1 } }],
    ['a nested key name', { type: 'note', detail: { x: 1 } }, { type: 'note', detail: { y: 1 } }],
    ['a string for a number', { type: 'note', detail: { n: 1 } }, { type: 'note', detail: { n: '1' } }],
    ['null for a missing field', { type: 'note', detail: { n: 1, by: null } }, { type: 'note', detail: { n: 1 } }],
  ])('%s', (_what, first, second) => {
    // What the old sha256-of-JSON fingerprint told apart: the JSON differs.
    expect(JSON.stringify(first)).not.toBe(JSON.stringify(second));
    const verdict = recheck(first, second);
    expect(verdict).toBe(false);
  });

  it('a failing recheck fails the seed as nondeterministic', () => {
    runs = 0;
    observationForRun = (run) => ({ type: 'note', detail: { n: run } });
    const result = runFuzzSeed(driftScenario, 40, { checkDeterminism: true });
    expect(result.deterministic).toBe(false);
    expect(result.passed).toBe(false);
  });
});

describe('the fingerprint of a shipped run', () => {
  it('is the same traced or untraced, and differs from seed to seed', () => {
    const scenario = shippedScenario('fuzz-default');
    const fingerprints = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const untraced = runScenario(scenario, { seed, hash: false, fingerprint: true, stopOnViolation: true });
      const traced = runScenario(scenario, { seed, hash: true, fingerprint: true, stopOnViolation: true, record: true });
      expect(untraced.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(traced.fingerprint).toBe(untraced.fingerprint);
      fingerprints.add(untraced.fingerprint!);
    }
    expect(fingerprints.size).toBe(30);
  });
});

describe('chunk results travel packed, and unpack to what runFuzzSeed returned', () => {
  const fuzzDefault = shippedScenario('fuzz-default');
  // Expecting a violation: the seeds that find one pass with a failed checker (sent whole), the others fail (unmet).
  const expectsViolation: Scenario = { ...fuzzDefault, name: 'fuzz-default-expects-violation', expect: { ...fuzzDefault.expect, safety: 'violated' } };

  /** Every seed's result through `fuzz` with the default (growing) chunks, against runFuzzSeed called seed by seed. */
  async function compare(scenario: Scenario, workers: number): Promise<SeedResult[]> {
    const seeds = 260;
    const viaFuzz: SeedResult[] = [];
    await fuzz(
      { scenarios: [scenario], fromSeed: 1, seedCount: seeds, shard: { index: 0, count: 1 }, workers, bug: 'small-quorum', keepGoing: true, determinismEvery: 20 },
      { onSeed: (result) => viaFuzz.push(result) },
    );
    const direct = Array.from({ length: seeds }, (_, index) => runFuzzSeed(scenario, index + 1, { bug: 'small-quorum', checkDeterminism: (index + 1) % 20 === 0 }));
    expect(viaFuzz).toEqual(direct);
    return direct;
  }

  it.each([0, 1])('with %i workers: passing, failing and expected-violation seeds alike', async (workers) => {
    const plain = await compare(fuzzDefault, workers);
    const expected = await compare(expectsViolation, workers);
    // Both kinds of seed occur in both scenarios, and rechecked seeds carry their verdict.
    for (const results of [plain, expected]) {
      expect(results.some((result) => result.passed)).toBe(true);
      expect(results.some((result) => !result.passed)).toBe(true);
      expect(results.filter((result) => result.deterministic === true)).toHaveLength(13);
    }
    expect(expected.some((result) => result.passed && result.failedCheckers.length > 0)).toBe(true);
  });

  it('a chunk sends only the seeds that did not simply pass as objects', () => {
    const setup = { scenarios: [expectsViolation, fuzzDefault], bug: 'small-quorum' as const, determinismEvery: 20 };
    const seeds = Array.from({ length: 40 }, (_, index) => index + 1);
    for (const scenarioIndex of [0, 1]) {
      const chunk = runChunk(setup, { scenarioIndex, seeds });
      const results = seedResultsOf(setup.scenarios[scenarioIndex]!.name, chunk);
      expect(results.map((result) => result.seed)).toEqual(seeds);
      const simple = results.filter((result) => result.passed && result.failedCheckers.length === 0 && !result.inconclusive);
      expect(chunk.unusual).toHaveLength(40 - simple.length);
      expect(chunk.numbers).toHaveLength(40 * 6);
    }
  });
});
