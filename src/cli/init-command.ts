import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { packageRoot, packageVersion } from '../util/package-root.js';
import { printable } from '../trace/format.js';
import { EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** The project `paxsim init` writes: templates/init in the package, with {{name}} and {{paxsimVersion}} filled in. */
const TEMPLATE_DIR = join(packageRoot(), 'templates', 'init');

/** Files npm would drop or treat specially if shipped under their real names. */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/**
 * `paxsim init [dir]`: scaffolds a protocol project (package.json depending
 * on paxsim, tsconfig, src/protocol.ts, scenarios, a vitest test that fuzzes
 * it, a README). Never overwrites: a file already there is bad input (exit 2)
 * and nothing is written.
 */
export function initCommand(dir: string | undefined, io: CliIo): number {
  const target = resolve(dir ?? '.');
  const name = packageName(basename(target));
  const files = templateFiles(TEMPLATE_DIR);
  const clashes = files.filter((file) => existsSync(join(target, outputName(file))));
  if (clashes.length > 0) {
    throw new UsageError([`${dir ?? '.'}: already has ${clashes.map(outputName).join(', ')}; paxsim init writes only into a directory without them`]);
  }
  for (const file of files) {
    const text = readFileSync(join(TEMPLATE_DIR, file), 'utf8').replaceAll('{{name}}', name).replaceAll('{{paxsimVersion}}', packageVersion());
    const out = join(target, outputName(file));
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, text);
  }
  const fromCwd = relative(process.cwd(), target);
  const where = fromCwd === '' ? '.' : fromCwd.startsWith('..') ? target : fromCwd;
  io.stdout(
    [`created ${printable(name)} in ${printable(where)}: ${files.map(outputName).join(', ')}`, '', 'next:', ...(where === '.' ? [] : [`  cd ${printable(where)}`]), '  npm install', '  npm test'].join('\n') + '\n',
  );
  return EXIT.ok;
}

function outputName(file: string): string {
  const base = basename(file);
  return Object.hasOwn(RENAMED, base) ? join(file, '..', RENAMED[base]!) : file;
}

/** Template files, relative to the template directory, sorted. */
function templateFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix))
    .sort()
    .flatMap((entry) => {
      const path = join(prefix, entry);
      return statSync(join(root, path)).isDirectory() ? templateFiles(root, path) : [path];
    });
}

/** An npm package name from a directory name: lower case, letters, digits, - . _ only. */
function packageName(directory: string): string {
  const name = directory.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name === '' ? 'my-protocol' : name;
}
