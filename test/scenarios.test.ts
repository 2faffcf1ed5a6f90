import { readdirSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/runner.js';
import { schemaFileText } from '../src/scenario/write-schema.js';
import { shippedScenario } from './helpers/scenario.js';

const SHIPPED = readdirSync('scenarios')
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => file.replace(/\.yaml$/, ''))
  .sort();
const SEEDS = Array.from({ length: 50 }, (_, index) => index + 1);

describe('shipped scenarios', () => {
  it('include the catalogue the README promises', () => {
    for (const name of [
      'seed-example',
      'dueling-proposers',
      'minority-partition',
      'majority-partition-heal',
      'acceptor-crash-recovery',
      'proposer-crash',
      'lossy-network',
      'no-quorum',
    ]) {
      expect(SHIPPED).toContain(name);
    }
  });

  for (const name of SHIPPED) {
    describe(name, () => {
      const text = readFileSync(`scenarios/${name}.yaml`, 'utf8');

      it('points editors at the schema, has a description and an expect block', () => {
        expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json');
        const raw = parseDocument(text).toJS() as Record<string, unknown>;
        expect(raw['expect']).toBeTypeOf('object');
        expect(String(raw['description'] ?? '').length).toBeGreaterThan(40);
        expect(raw['name']).toBe(name);
      });

      it('meets its expect block for seeds 1-50', () => {
        const scenario = shippedScenario(name);
        const failures: string[] = [];
        for (const seed of SEEDS) {
          const result = runScenario(scenario, { seed, hash: false });
          if (!result.expectation.met) {
            const unmet = result.expectation.checks.filter((check) => !check.met).map((check) => `${check.what}: ${check.detail}`);
            failures.push(`seed ${seed}: ${unmet.join('; ')} ${result.violations.map((v) => v.message).join('; ')}`);
          }
        }
        expect(failures).toEqual([]);
      });
    });
  }

  it('the dueling proposers really duel, and the duel settles on different values across seeds', () => {
    const scenario = shippedScenario('dueling-proposers');
    const chosenValues = new Set<string>();
    let runsWithNacks = 0;
    for (const seed of SEEDS) {
      const result = runScenario(scenario, { seed, record: true, hash: false });
      chosenValues.add(result.chosen!.value);
      if (result.events!.some((event) => event.type === 'send' && event.msg.type === 'nack')) runsWithNacks += 1;
    }
    expect(chosenValues.size).toBeGreaterThan(1);
    expect(runsWithNacks).toBeGreaterThan(SEEDS.length / 2);
  });

  it('the no-quorum proposer keeps retrying yet nothing is chosen', () => {
    const result = runScenario(shippedScenario('no-quorum'), { record: true, hash: false });
    const proposes = result.events!.filter((event) => event.type === 'propose');
    expect(proposes.length).toBeGreaterThan(3);
    expect(result.chosen).toBeNull();
  });
});

describe('scenario.schema.json', () => {
  it('is generated from the zod definition (run `npm run schema` after changing it)', () => {
    expect(readFileSync('scenarios/scenario.schema.json', 'utf8')).toBe(schemaFileText());
  });
});
