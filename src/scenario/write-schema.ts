import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from './schema.js';

/** `npm run schema`: regenerate scenarios/scenario.schema.json from the zod definition. */
export function schemaFileText(): string {
  return JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  const target = fileURLToPath(new URL('../../scenarios/scenario.schema.json', import.meta.url));
  writeFileSync(target, schemaFileText());
  console.log(`wrote ${target}`);
}
