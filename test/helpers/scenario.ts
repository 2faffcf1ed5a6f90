import '../../src/run/registry.js'; // scenario loading reads each protocol's scenario keys from its definition, through the registry (as the CLI and the package index load it)
import { parseScenarioText } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/scenario.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

/** Parses scenario YAML that a test knows to be valid; fails the test loudly otherwise. */
export function scenarioFromYaml(yaml: string, label = 'test.yaml'): Scenario {
  const loaded = parseScenarioText(yaml, label);
  if (!loaded.ok) throw new Error(`test scenario is invalid:\n${loaded.errors.join('\n')}`);
  return loaded.scenario;
}

export function shippedScenario(name: string): Scenario {
  const loaded = loadScenarioFile(`scenarios/${name}.yaml`);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}
