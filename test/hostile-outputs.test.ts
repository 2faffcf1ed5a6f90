import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureFileStem, safeFileName, writeFailure } from '../src/run/failure-files.js';
import { runScenario } from '../src/run/runner.js';
import { loadScenarioFile, validateScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/scenario.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'paxsim-outputs-'));
}

/** A scenario built the way a loaded file is, so only strings the schema accepts get in. */
function scenarioFrom(input: Record<string, unknown>): Scenario {
  const loaded = validateScenario(input, { file: 'generated.yaml', lineOf: () => undefined });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}

/** Write a failure file, load it back: the same scenario must come back, and replay to the same trace hash. */
function expectRoundTrip(scenario: Scenario, directory = tempDir()): void {
  const written = writeFailure(scenario, scenario.seed, undefined, directory, [`found by: ${scenario.name}`]);
  expect(written.problem).toBeNull();
  expect(readdirSync(directory).sort()).toEqual([written.htmlFile, written.scenarioFile, written.traceFile].map((file) => file.slice(directory.length + 1)).sort());
  const loaded = loadScenarioFile(written.scenarioFile);
  if (!loaded.ok) throw new Error(`${written.scenarioFile} does not load:\n${loaded.errors.join('\n')}\n${readFileSync(written.scenarioFile, 'utf8')}`);
  expect(loaded.scenario.name).toBe(scenario.name);
  expect(loaded.scenario.description).toBe(scenario.description);
  const replayed = runScenario(loaded.scenario, { record: true });
  expect(replayed.traceHash).toBe(written.result.traceHash);
}

const nodeId = fc.stringMatching(/^[A-Za-z0-9_.-]{1,6}$/);
/** Any string at all, lone surrogates and control characters included: JSON scenario files can carry them. */
const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('X\nmaxEvents: 5 #', '\r\n#', "it's", '$HOME `x`', '- a', '"', 'null', '1e3', '0x10', 'true', '~', '', ' ', '\u2028', '\ufeff', '\ud800', 'a\udfffb'));

describe('failure files round-trip for any text the schema accepts', () => {
  it('a value with a newline does not break the header comment (the issue: "X\\nmaxEvents: 5 #")', () => {
    const scenario = scenarioFrom({
      name: 'newline',
      nodes: ['A', 'B', 'C'],
      proposals: [{ at: 0, node: 'A', value: 'X\nmaxEvents: 5 #' }],
      expect: { chosen: 'Y' },
    });
    expectRoundTrip(scenario);
  });

  it('property: names, descriptions, values and node ids', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.option(anyText, { nil: undefined }),
        fc.uniqueArray(nodeId, { minLength: 1, maxLength: 4 }),
        fc.array(anyText, { minLength: 1, maxLength: 3 }),
        fc.nat(1000),
        (name, description, nodes, values, seed) => {
          const scenario = scenarioFrom({
            name,
            ...(description === undefined ? {} : { description }),
            nodes,
            seed,
            proposals: values.map((value, index) => ({ at: index, node: nodes[index % nodes.length], value })),
            until: 2000,
            expect: { chosen: values[0] },
          });
          expectRoundTrip(scenario);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('failure file names', () => {
  it('never leave --out: a name with ../ or / becomes one plain file name', () => {
    const directory = join(tempDir(), 'out');
    for (const name of ['../../escaped-dir/pwn', 'sub/dir', '/etc/passwd', '..', '.hidden', '-rf', 'a\\b']) {
      const scenario = scenarioFrom({ name, nodes: ['A', 'B', 'C'], proposals: [{ at: 0, node: 'A', value: 'X' }], until: 500 });
      const written = writeFailure(scenario, 1, undefined, directory, []);
      expect(written.problem).toBeNull();
      expect(written.scenarioFile.startsWith(directory + '/')).toBe(true);
      expect(written.scenarioFile.slice(directory.length + 1)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*\.yaml$/);
    }
    expect(readdirSync(join(directory, '..'))).toEqual(['out']);
  });

  it('keeps plain names as they are and different names apart', () => {
    expect(safeFileName('fuzz-default')).toBe('fuzz-default');
    expect(safeFileName('a/b')).not.toBe(safeFileName('a:b'));
    expect(safeFileName('x'.repeat(5000)).length).toBeLessThan(100);
    expect(failureFileStem('fuzz-default', undefined, 3)).toBe('fuzz-default-seed-3');
    expect(failureFileStem('fuzz-default', 'same-ballot', 3)).toBe('fuzz-default-same-ballot-seed-3');
  });
});
