import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The paxsim package directory, found by walking up from this file, so the
 * same code finds `scenarios/` and `dist/` whether it runs from src/ (tests)
 * or from dist/ (the installed binary).
 */
export function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'package.json')) && existsSync(join(directory, 'scenarios'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot find the paxsim package directory');
    directory = parent;
  }
}

/** The `version` of paxsim's package.json, for `paxsim --version`. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version');
  return manifest.version;
}
