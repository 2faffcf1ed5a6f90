import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, resolveScenarioProtocol, runScenario } from 'paxsim';

/** Fuzzes the protocol in-process: every seed's faults and proposals come from the nemesis. */
function scenario(name: string) {
  const file = join(import.meta.dirname, '..', 'scenarios', name);
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const resolved = resolveScenarioProtocol(loaded.scenario, file);
  if (!resolved.ok) throw new Error(resolved.errors.join('\n'));
  return resolved.scenario;
}

describe('my-register', () => {
  it('meets its scenario', () => {
    expect(runScenario(scenario('register.yaml')).expectation.met).toBe(true);
  });

  it('holds every safety checker for 200 nemesis seeds', () => {
    const nemesis = scenario('register-nemesis.yaml');
    for (let seed = 1; seed <= 200; seed++) {
      const result = runScenario(nemesis, { seed, hash: false });
      expect(result.violations, `seed ${seed}`).toEqual([]);
    }
  });
});
