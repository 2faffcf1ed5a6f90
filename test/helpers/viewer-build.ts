import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { buildViewer } from '../../scripts/build-viewer.mjs';

/**
 * vitest global setup: the page writer imports the compiled viewer
 * (src/trace/html/viewer-script.generated.ts, written by `npm run build`), so
 * a test run right after editing the viewer, or on a fresh clone, compiles it
 * first rather than test a stale or missing script.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const GENERATED = join(ROOT, 'src/trace/html/viewer-script.generated.ts');
const INPUTS = [join(ROOT, 'src/trace/html'), join(ROOT, 'tsconfig.viewer.json'), join(ROOT, 'scripts/build-viewer.mjs')];

function newestInput(path: string): number {
  if (path === GENERATED) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestInput(join(path, name))));
}

export default function setup(): void {
  if (existsSync(GENERATED) && statSync(GENERATED).mtimeMs >= Math.max(...INPUTS.map(newestInput))) return;
  const built = buildViewer(ROOT);
  if (!built.ok) throw new Error(`the HTML viewer does not compile:\n${built.errors.join('\n')}`);
  // Unchanged output is not rewritten; mark it current so the next run skips the compile.
  const now = new Date();
  utimesSync(GENERATED, now, now);
}
